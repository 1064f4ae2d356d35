"""3. Flickering: two states before the final shift.

With strong noise, the May grazing model jumps back and forth between its vegetated and overgrazed
states while the grazing pressure crosses the bistable range. Variance and autocorrelation rise, but they
rise before an ordinary fold too: their trends cannot say which is happening. The bimodality coefficient,
Hartigan's dip and the number of potential wells look at the shape of the distribution and see the two
states; the potential landscape shows the second well appear.

Run:  python examples/flickering.py      (about 10 s; writes flickering.png and flickering_potential.png)
"""
from pathlib import Path

import numpy as np

import ews

HERE = Path(__file__).resolve().parent

ts = ews.simulate("flickering", replicates=1, seed=7)
x = ts.rows("state")[0]
last_upper = int(np.flatnonzero(x > 3.0)[-1]) + 1          # the last visit to the upper state
record = ts.with_lengths(np.array([last_upper]))

pipeline = ews.Pipeline(detrend="gaussian", bandwidth=0.1, window=200,
                        indicators=["variance", "ar1", "bimodality", "dip_pvalue", "wells"])
result = pipeline.run(record)
print(result.summary().to_string(index=False))
fig = result.plot()
fig.savefig(HERE / "flickering.png", dpi=110)

landscape = ews.potential_analysis(record, window=200)
fig = landscape.plot()
fig.savefig(HERE / "flickering_potential.png", dpi=110)
print("wrote", HERE / "flickering.png", "and", HERE / "flickering_potential.png")
