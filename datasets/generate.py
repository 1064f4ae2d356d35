"""Regenerate the canonical simulated datasets of ews (one per simulator, a few replicates each).

Run from the repository root:  python datasets/generate.py

Every series is made by ``ews.simulate`` with a fixed seed, so the files are reproducible on any machine
(same numbers for the same ews version, whatever the number of threads). Each dataset is written as
``<name>.csv`` + ``<name>.json`` (format: datasets/README.md). Total size is kept under 2 MB.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # use the checkout's ews

import ews.simulate as simulate  # noqa: E402
from ews.datasets import _write  # noqa: E402

# name -> (description, model, keyword arguments of ews.simulate)
DATASETS = {
    "fold": ("May grazing model, c ramped 1 -> 2.6771 through the fold at 2.6044 (Dakos et al. 2012): "
             "the README's main example",
             "fold", dict(replicates=5, seed=20130501)),
    "fold_null": ("null twin of 'fold': c frozen at 1 (no approach to the fold)",
                  "fold", dict(replicates=5, seed=20130501, forced=False)),
    "fold_bury2021": ("May grazing model, Bury et al. 2021 scaling (K=1, h=0.1, c 0.15 -> 0.27, sigma=0.01)",
                      "fold", dict(replicates=3, seed=20210001, preset="bury2021")),
    "saddle_node": ("saddle-node normal form, r ramped 1 -> -0.25", "saddle_node", dict(replicates=3, seed=2)),
    "double_well": ("double well, c ramped 0 -> 0.5 through the fold at 0.385", "double_well",
                    dict(replicates=3, seed=3)),
    "noise_induced": ("double well at c = 0: noise-induced escapes, no bifurcation", "noise_induced",
                      dict(replicates=3, seed=4, sigma=0.35)),
    "flickering": ("May grazing model with strong noise, c ramped 1.5 -> 2.8: flickering", "flickering",
                   dict(replicates=3, seed=5)),
    "chaotic_crisis": ("Schreiber map, m ramped 14 -> 10 through the boundary crisis at 10.29",
                       "chaotic_crisis", dict(replicates=3, seed=6)),
    "rate_induced": ("rate-induced tipping (Ashwin et al. 2012), rate 2 > critical 4/3", "rate_induced",
                     dict(replicates=3, seed=7)),
    "hopf": ("supercritical Hopf normal form, mu ramped -1 -> 0", "hopf", dict(replicates=3, seed=8)),
    "rosenzweig_macarthur": ("Rosenzweig-MacArthur model, a ramped 12 -> 16 through the Hopf at 15.69",
                             "rosenzweig_macarthur", dict(replicates=3, seed=9)),
    "rosenzweig_macarthur_transcritical": ("Rosenzweig-MacArthur model, a ramped 2 -> 6 through the "
                                           "transcritical at 5.88", "rosenzweig_macarthur",
                                           dict(replicates=3, seed=10, preset="transcritical")),
    "transcritical": ("transcritical normal form, mu ramped 1 -> -0.25, additive noise", "transcritical",
                      dict(replicates=3, seed=11)),
    "transcritical_demographic": ("transcritical normal form with demographic sqrt(x) noise (extinction)",
                                  "transcritical", dict(replicates=3, seed=12, noise="demographic", sigma=0.1)),
    "smooth_response": ("May model with K=3, h=1: no fold, yet indicators peak (false positive)",
                        "smooth_response", dict(replicates=3, seed=13)),
    "ou": ("stationary Ornstein-Uhlenbeck (AR(1) with phi = exp(-1))", "ou", dict(replicates=3, seed=14)),
    "birth_death": ("exact Gillespie birth-death IBM, a ramped 100 -> 190 (Boettiger & Hastings 2012)",
                    "birth_death", dict(replicates=3, seed=15)),
    "birth_death_constant": ("the same IBM at constant a = 180 (prosecutor's fallacy runs), 50,000 time units",
                             "birth_death", dict(replicates=3, seed=16, preset="constant")),
    "may_map": ("discrete-time May map with lognormal noise, a = 1.55 constant (prosecutor's fallacy)",
                "may_map", dict(replicates=3, seed=17)),
}


def main() -> None:
    total = 0
    for name, (description, model, kwargs) in DATASETS.items():
        ts = simulate(model, **kwargs)
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        call = f"ews.simulate({model!r}, {args})"
        csv, js = _write(ts, name, HERE, call, description)
        size = csv.stat().st_size + js.stat().st_size
        total += size
        print(f"{name:38s} {ts.shape!s:18s} {size / 1024:7.1f} kB  transitions: "
              f"{ts.ground_truth['n_transitions']}/{kwargs['replicates']}")
    print(f"total {total / 1024:.1f} kB")
    if total > 2 * 1024 * 1024:
        raise SystemExit("datasets exceed 2 MB; reduce replicates or lengths")


if __name__ == "__main__":
    main()
