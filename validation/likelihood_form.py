"""Which LSN form should ews.likelihood use by default?  Calibration and power of the bootstrap
likelihood-ratio test (OU null vs LSN), for form="legacy" and form="consistent", default method.

    python validation/likelihood_form.py [--nulls 200] [--folds 100] [--n-boot 19] [--seed 2026]

Data (all seeded; both forms see the same series and the same bootstrap streams):

* OU / AR(1) nulls: ``nulls`` series of n = 50 points, x_k = 10 + phi (x_{k-1} - 10) + sqrt(1 -
  phi^2) e_k, phi = 0.7 (an OU with a = -log 0.7 per unit time, stationary sd 1, level 10), x_0
  from the stationary law.  H0 is true: the rejection rate estimates the false-positive rate.
* Folds: ``ews.simulate("fold", replicates=folds, seed, dt_record=20)`` (May's grazing model ramped
  through the fold, Dakos et al. 2012 settings, sampled every 20 time units), cropped before the
  transition with ``.before_transition()`` (~48 points): the rejection rate is the power.
* Their null twins: the same call with ``forced=False`` (grazing frozen at its start value, same
  noise), each cropped to the length of its forced partner: a realistic non-OU null.
* Early folds (the discriminating case: the cropped folds above are detected every time by both
  forms): ``early`` replicates sampled every 5 time units and cropped 850 time units before the
  transition (``.before_transition(margin=850)``, ~25 points, grazing from 1.0 to ~1.2 of the
  fold's 2.60), with their null twins cropped alike.

Test: ``likelihood.lr_test(rows, n_boot=B, seed, form=..., power=False)`` on every row in one call;
reject when p <= alpha = 0.05.  With B = 19, p = (1 + #{D_null >= D_obs}) / 20, so "p <= 0.05"
means "the observed deviance exceeds all 19 bootstrap deviances": an exact-level test when the
bootstrap null is right.  Standard errors are binomial, sqrt(r (1 - r) / N).

Runtime: about 7 minutes on 2 busy cores (load average 3) for the defaults; ``--nulls 100
--folds 50 --early 100`` halves it.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ews  # noqa: E402
from ews import likelihood as L  # noqa: E402

ALPHA = 0.05


def ar1_nulls(n_series, n=50, phi=0.7, level=10.0, seed=0):
    rng = np.random.default_rng(seed)
    X = np.empty((n_series, n))
    X[:, 0] = level + rng.standard_normal(n_series)
    s = np.sqrt(1.0 - phi * phi)
    for k in range(1, n):
        X[:, k] = level + phi * (X[:, k - 1] - level) + s * rng.standard_normal(n_series)
    return ews.TimeSeries(X, time=np.arange(n, dtype=float))


def folds(n_series, seed, dt_record=20.0, margin=0.0):
    forced = ews.simulate("fold", replicates=n_series, seed=seed, dt_record=dt_record)
    forced = forced.before_transition(margin=margin)
    twins = ews.simulate("fold", replicates=n_series, seed=seed, dt_record=dt_record, forced=False)
    twins = twins.with_lengths(forced.lengths)
    return forced, twins


def rate(p):
    p = np.asarray(p, dtype=float)
    p = p[np.isfinite(p)]
    r = float(np.mean(p <= ALPHA))
    return r, float(np.sqrt(r * (1 - r) / p.size)), p.size


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nulls", type=int, default=200)
    ap.add_argument("--folds", type=int, default=100)
    ap.add_argument("--early", type=int, default=200)
    ap.add_argument("--n-boot", type=int, default=19)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}; B = {args.n_boot}, "
          f"alpha = {ALPHA}, method = 'mle'")
    data = {"OU/AR(1) null (phi 0.7, n 50)": ar1_nulls(args.nulls, seed=args.seed)}
    fz, tw = folds(args.folds, args.seed + 1)
    data["fold null twin (forced=False)"] = tw
    data["fold before transition (power)"] = fz
    ez, etw = folds(args.early, args.seed + 2, dt_record=5.0, margin=850.0)
    data["early fold null twin"] = etw
    data["early fold, 850 before (power)"] = ez
    for name, f in (("fold", fz), ("early fold", ez)):
        print(f"{name} lengths: median {int(np.median(f.lengths))} (min {f.lengths.min()}, "
              f"max {f.lengths.max()})")
    rows = []
    for name, ts in data.items():
        for form in ("legacy", "consistent"):
            t0 = time.perf_counter()
            res = L.lr_test(ts, n_boot=args.n_boot, seed=args.seed + 7, form=form, power=False)
            el = time.perf_counter() - t0
            r, se, N = rate(res.p_value)
            dev = np.asarray(res.observed, dtype=float)
            rows.append((name, form, N, r, se, float(np.median(dev)), float(np.mean(dev < 0)),
                         int(np.sum(res.n_failed)), el))
            print(f"  {name:32s} {form:10s} rejected {r:.3f} +- {se:.3f} (N = {N}), "
                  f"{el:.0f} s", flush=True)
    print()
    print("| data | form | N | rejection rate at 0.05 | SE | median deviance | "
          "deviance < 0 | failed refits | time (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, form, N, r, se, med, neg, nf, el in rows:
        print(f"| {name} | {form} | {N} | {r:.3f} | {se:.3f} | {med:.2f} | {neg:.2f} | {nf} | "
              f"{el:.0f} |")


if __name__ == "__main__":
    main()
