"""4. False positives: warnings with no catastrophic shift.

Critical slowing down is a property of the linearisation, not of catastrophes. Before a supercritical
Hopf bifurcation (the system starts to oscillate, smoothly) and along a smooth, non-bifurcating response
to a slowly changing driver (here up to the point where its recovery is slowest, t = 400, after which the
indicators fall again), the indicators rise just as before a fold. A rising indicator says the
system is losing stability in some direction; it does not say that a collapse is coming.

Run:  python examples/false_positives.py      (about 10 s; writes false_positives.png next to this file)
"""
from pathlib import Path

import numpy as np

import ews

HERE = Path(__file__).resolve().parent

pipeline = ews.Pipeline(detrend="gaussian", bandwidth=0.1, window=0.5, indicators=["variance", "ar1"])
for name in ("fold", "hopf", "smooth_response"):
    ts = ews.simulate(name, replicates=30, seed=2)
    if name == "fold":
        ts = ts.before_transition()
    if name == "smooth_response":
        # the recovery rate is slowest near t = 400, where variance and ar1 peak, and then they fall again;
        # a monitor looking at the record up to there sees a "warning", though nothing will ever shift
        ts = ts.with_lengths(np.full(ts.n_rows, 400))
    if ts.values.ndim == 3:                                 # 2-D models: analyse the first variable
        ts = ts.isel(variable=0)
    t = pipeline.run(ts).statistic_values
    print(f"{name:16s} share of runs with rising variance {np.mean(t[0] > 0):.2f}, rising ar1 {np.mean(t[1] > 0):.2f}"
          f"  ({ts.ground_truth['bifurcation']})")

hopf = ews.simulate("hopf", replicates=1, seed=2)
if hopf.values.ndim == 3:
    hopf = hopf.isel(variable=0)
fig = pipeline.run(hopf).plot()
fig.suptitle("Hopf bifurcation: indicators rise, but no catastrophic shift follows")
fig.savefig(HERE / "false_positives.png", dpi=110)
print("wrote", HERE / "false_positives.png")
