"""7. Real records: the end of glaciation III in the Vostok ice core, and a Daphnia chemostat.

* Vostok deuterium (Petit et al. 1999, Nature 399:429) over the window Dakos et al. (2008, PNAS
  105:14308) analysed before the end of glaciation III (270-242 kyr BP), interpolated to 121 even steps
  and detrended with a box kernel as in Boettiger & Hastings (2012) (`warningsignals`' processing). The
  rolling indicators and their significance against AR(1) surrogates.
* Daphnia magna in chemostat H6 of Drake & Griffen (2010, Nature 467:456), whose food supply was cut
  step by step until the population collapsed: 16 weekly counts, too short for rolling windows. The
  model-based test of Boettiger & Hastings (2012, J R Soc Interface 9:2527) asks instead whether an
  approaching fold (LSN) fits the record better than a stationary OU process, and how well the test
  could tell the two apart at this record's length (the ROC curve).

The records are public; they are not bundled. Point EWS_DATA_DIR to a folder holding the
`cboettig_warningsignals/` files (the project's CI uses ../shared/datasets).

Run:  python examples/real_records.py      (about 15 s; writes real_records.png and real_records_lr.png)
"""
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import ews

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("EWS_DATA_DIR", HERE.parents[1] / "shared" / "datasets"))
if not (DATA / "cboettig_warningsignals").is_dir():
    print(f"The public records are not here ({DATA}). Set EWS_DATA_DIR to a folder holding the "
          "cboettig_warningsignals/ files (see docs/getting-started.md), then run this again.")
    sys.exit(0)

# --- Vostok, glaciation III --------------------------------------------------------------------------
v = pd.read_csv(DATA / "cboettig_warningsignals" / "vostok_glaciations_I-IV_clean_reprocessed.csv",
                keep_default_na=False)
v = v[v["event"] == "glaciation_III"]
vostok = ews.TimeSeries(v.set_index("time_yr_since_window_start")["deuterium_interp_permil"],
                        name="deuterium", units="permil")
pipeline = ews.Pipeline(detrend="gaussian", bandwidth=0.1, window=0.5, indicators=["variance", "ar1"])
result = pipeline.run(vostok)
test = pipeline.test(vostok, null="ar1", n_surrogates=999, seed=1)
print("Vostok, glaciation III (time in years since 270 kyr BP):")
print(test.summary()[["indicator", "statistic", "p_value", "n_surrogates"]].to_string(index=False))
fig = result.plot()
fig.axes[-1].set_xlabel("years since the start of the window (270 kyr BP)")
fig.savefig(HERE / "real_records.png", dpi=110)

# --- Daphnia, chemostat H6 --------------------------------------------------------------------------------
d = pd.read_csv(DATA / "cboettig_warningsignals" / "drake_griffen2010_daphnia_deteriorating_30reps.csv",
                keep_default_na=False)
h6 = d[d["chemostat"] == "H6"]
daphnia = ews.TimeSeries(h6.set_index("time_day")["daphnia_density"], name="Daphnia density")
lr = ews.likelihood.lr_test(daphnia, n_boot=200, seed=1)
print(f"\nDaphnia chemostat H6: deviance {float(np.ravel(lr.observed)[0]):.2f}, "
      f"p = {float(np.ravel(lr.p_value)[0]):.3f}, AUC of the test at this length {float(np.ravel(lr.auc)[0]):.2f}")
fig = lr.plot()
fig.savefig(HERE / "real_records_lr.png", dpi=110)
print("wrote", HERE / "real_records.png", "and", HERE / "real_records_lr.png")
