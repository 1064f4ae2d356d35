"""6. How much does the answer depend on the window and the bandwidth?

Every early-warning analysis makes two arbitrary choices: the rolling window and the detrending
bandwidth. Report the trend over a grid of both (Dakos et al. 2012, PLoS ONE 7:e41010), with a surrogate
p-value in every cell, so that a reader sees whether the conclusion survives other reasonable choices.

Run:  python examples/sensitivity.py      (about 15 s; writes sensitivity.png next to this file)
"""
from pathlib import Path

import ews

HERE = Path(__file__).resolve().parent

fold = ews.simulate("fold", replicates=1, seed=4).before_transition()
grid = ews.sensitivity(fold, windows=(0.25, 0.375, 0.5, 0.625, 0.75), bandwidths=(0.05, 0.1, 0.15, 0.2),
                       indicators=("variance", "ar1"), null="ar1", n_surrogates=99, seed=1)
print(grid)
fig = ews.plot.plot_sensitivity(grid)
fig.savefig(HERE / "sensitivity.png", dpi=110)
print("wrote", HERE / "sensitivity.png")
