"""7. Real records: the end of glaciation III in the Vostok ice core, and a Daphnia chemostat.

* Vostok deuterium (Petit et al. 1999, Nature 399:429) over the window Dakos et al. (2008, PNAS
  105:14308) analysed before the end of glaciation III (270-242 kyr BP), interpolated to even steps. The
  rolling indicators and their significance against AR(1) surrogates.
* Daphnia magna in chemostat H6 of Drake & Griffen (2010, Nature 467:456), whose food supply was cut
  step by step until the population collapsed: 16 weekly counts, too short for rolling windows. The
  model-based test of Boettiger & Hastings (2012, J R Soc Interface 9:2527) asks instead whether an
  approaching fold (LSN) fits the record better than a stationary OU process, and how well the test
  could tell the two apart at this record's length (the ROC curve).

The records are public; they are not bundled: `ews.datasets.fetch` reads them from EWS_DATA_DIR, its cache,
or a mirror (EWS_DATA_URL); see `ews.datasets`. In the project's checkout the shared copy is used.

Run:  python examples/real_records.py      (about 15 s; writes real_records.png and real_records_lr.png)
"""
import os
import sys
from pathlib import Path

import numpy as np

import ews

HERE = Path(__file__).resolve().parent
if not os.environ.get("EWS_DATA_DIR") and (HERE.parents[1] / "shared" / "datasets").is_dir():
    os.environ["EWS_DATA_DIR"] = str(HERE.parents[1] / "shared" / "datasets")  # the project's own copy
try:
    vostok = ews.datasets.fetch("vostok", window=True)      # 270-242 kyr BP, the window Dakos et al. 2008 used
    chemostats = ews.datasets.fetch("daphnia_deteriorating")
except ews.InputError as e:
    print(e)
    sys.exit(0)

# --- Vostok, glaciation III --------------------------------------------------------------------------
# the record is unevenly spaced in age; interpolate to its median step (as warningsignals did: 121 steps)
vostok = vostok.regularize()
pipeline = ews.Pipeline(detrend="gaussian", bandwidth=0.1, window=0.5, indicators=["variance", "ar1"])
result = pipeline.run(vostok)
test = pipeline.test(vostok, null="ar1", n_surrogates=999, seed=1)
print(f"Vostok, glaciation III ({vostok.n} steps of {vostok.step:.0f} years):")
print(test.summary()[["indicator", "statistic", "p_value", "n_surrogates"]].to_string(index=False))
fig = result.plot()
fig.axes[-1].set_xlabel("years (negative: before present)")
fig.savefig(HERE / "real_records.png", dpi=110)

# --- Daphnia, chemostat H6 --------------------------------------------------------------------------------
daphnia = chemostats.sel(chemostat="H6")
lr = ews.likelihood.lr_test(daphnia, n_boot=200, seed=1)
print(f"\nDaphnia chemostat H6: deviance {float(np.ravel(lr.observed)[0]):.2f}, "
      f"p = {float(np.ravel(lr.p_value)[0]):.3f}, AUC of the test at this length {float(np.ravel(lr.auc)[0]):.2f}")
fig = lr.plot()
fig.savefig(HERE / "real_records_lr.png", dpi=110)
print("wrote", HERE / "real_records.png", "and", HERE / "real_records_lr.png")
