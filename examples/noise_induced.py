"""2. A noise-induced transition: a shift with no warning, and why.

A double-well system with fixed parameters can still jump to the other well: a large enough kick of
noise carries it over the barrier. Nothing changes in the system beforehand, so nothing slows down and
the indicators have no trend to show. The forced fold (same pipeline) is shown for contrast: its
indicators rise; the noise-induced runs' taus scatter around zero.

Run:  python examples/noise_induced.py      (about 5 s; writes noise_induced.png next to this file)
"""
from pathlib import Path

import numpy as np

import ews

HERE = Path(__file__).resolve().parent

pipeline = ews.Pipeline(detrend="gaussian", bandwidth=0.1, window=0.5, indicators=["variance", "ar1"])
noise = ews.simulate("noise_induced", replicates=50, seed=3).before_transition()
noise = noise.isel(replicate=np.flatnonzero(noise.row_lengths() >= 100))  # runs that jumped at once have no record
fold = ews.simulate("fold", replicates=50, seed=3).before_transition()
taus = {name: pipeline.run(ts).statistic_values for name, ts in (("noise-induced", noise), ("fold", fold))}
for name, t in taus.items():
    print(f"{name:14s} mean Kendall tau: variance {np.nanmean(t[0]):+.2f}, ar1 {np.nanmean(t[1]):+.2f}")

fig = pipeline.run(noise.isel(replicate=0)).plot()
fig.suptitle("noise-induced transition: no critical slowing down before the jump")
fig.savefig(HERE / "noise_induced.png", dpi=110)
print("wrote", HERE / "noise_induced.png")
