"""Timings of ews.likelihood (not part of the tests).

Target: the likelihood-ratio bootstrap with 500 + 500 simulated series (each refitted with both
models: 2,000 fits) on the 40-point ``ibm_critical`` series in < 30 s on a 2-core machine.
Also times many rows in one call: fits and the bootstrap test on ``--rows`` OU replicates of
``--points`` points (default 1,000 x 200), every row in one batched kernel call.

    python benchmarks/bench_likelihood.py [--n-boot 500] [--rows 1000] [--points 200]
                                          [--rows-boot 9] [--data-dir DIR]

Prints the load average too: the numbers scale with the free cores.
"""
import argparse
import os
import time
from pathlib import Path

import numpy as np


def _load(data_dir):
    import pandas as pd

    f = Path(data_dir) / "cboettig_earlywarning" / "ibm_critical.csv"
    if f.exists():
        d = pd.read_csv(f)
        return d["time"].to_numpy(float), d["population"].to_numpy(float), "ibm_critical"
    rng = np.random.default_rng(0)          # stand-in with the same shape
    t = np.linspace(0, 1000, 40)
    return t, 730 - 0.2 * t + rng.normal(0, 40, 40), "synthetic (ibm_critical not found)"


def _per_call(fn, n):
    fn()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-boot", type=int, default=500)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--rows-boot", type=int, default=9,
                    help="bootstrap replicates per row in the many-rows lr_test")
    here = Path(__file__).resolve()
    ap.add_argument("--data-dir", default=os.environ.get(
        "EWS_DATA_DIR", str(here.parents[2] / "shared" / "datasets")))
    args = ap.parse_args()
    t, x, name = _load(args.data_dir)
    print(f"series: {name}, n = {t.size};  cores: {os.cpu_count()};  "
          f"load average: {os.getloadavg()[0]:.2f}")

    t0 = time.perf_counter()
    from ews import likelihood as L
    from ews._kernels import likelihood as K
    print(f"import ews.likelihood: {time.perf_counter() - t0:.2f} s")

    t0 = time.perf_counter()
    L.lr_test(t, x, n_boot=2, seed=0, method="published")
    L.lr_test(t, x, n_boot=2, seed=0)
    print(f"first calls (numba compile, or load from the on-disk cache): "
          f"{time.perf_counter() - t0:.1f} s")

    n = t.size
    al, be, va = np.empty(n - 1), np.empty(n - 1), np.empty(n - 1)
    for label, model, p, c in [
        ("OU", 0, np.array([1.06, 599.0, 121.0]), 2.0),
        ("LSN legacy, published fit", 1, np.array([1.619, -0.0016062, 625.44, 3.84]), 2.0),
        ("LSN legacy, MLE", 1, np.array([2.411e5, -193.97, 230.9, 31.37]), 2.0),
        ("LSN consistent, published fit", 1, np.array([1.619, -0.0016062, 625.44, 3.84]), 1.0),
    ]:
        s = _per_call(lambda: K.coefficients(model, p, c, t, False, al, be, va), 3000)
        print(f"transition moments, {label:32s}: {s * 1e6:7.1f} us per likelihood")

    for method in ("published", "mle"):
        for model in ("ou", "lsn"):
            s = _per_call(lambda: L.fit(t, x, model, method=method), 3)
            print(f"fit {model:3s} ({method:9s}): {s * 1e3:7.1f} ms")

    for method in ("published", "mle"):
        for jobs in (None, 1):
            t0 = time.perf_counter()
            r = L.lr_test(t, x, n_boot=args.n_boot, seed=1, method=method, n_jobs=jobs)
            el = time.perf_counter() - t0
            print(f"lr_test {method:9s} n_boot={args.n_boot} ({2 * args.n_boot} simulated series, "
                  f"{4 * args.n_boot} refits, n_jobs={jobs or 'all'}): {el:6.1f} s   "
                  f"D={r.observed:.3f} p={r.p_value:.4f} power={r.power:.3f} "
                  f"AUC={r.roc.auc:.3f} redrawn={r.n_redrawn} failed={r.n_failed}")

    # many rows in one call: OU replicates (AR(1) 0.7 around 10, sd 1)
    import ews

    R, n = args.rows, args.points
    rng = np.random.default_rng(0)
    X = np.empty((R, n))
    X[:, 0] = 10 + rng.standard_normal(R)
    for k in range(1, n):
        X[:, k] = 10 + 0.7 * (X[:, k - 1] - 10) + np.sqrt(1 - 0.49) * rng.standard_normal(R)
    ts = ews.TimeSeries(X, time=np.arange(n, dtype=float))
    L.fit(ts.isel(series=slice(0, 2)), model="lsn")         # compile the batch signatures
    L.lr_test(ts.isel(series=slice(0, 2)), n_boot=2, seed=0, method="published", power=False)
    for method in ("published", "mle"):
        t0 = time.perf_counter()
        f = L.fit(ts, model="lsn", method=method)
        el = time.perf_counter() - t0
        print(f"fit OU + LSN ({method:9s}) on {R} rows x {n} points in one call: {el:7.1f} s  "
              f"({el / R * 1e3:.1f} ms per row, {int(np.sum(f.converged))} converged)")
    B = args.rows_boot
    t0 = time.perf_counter()
    r = L.lr_test(ts, n_boot=B, seed=1, method="published", power=False)
    el = time.perf_counter() - t0
    print(f"lr_test published, {R} rows x {n} points, n_boot={B} per row (power=False: "
          f"{R * (B + 1)} series fitted with both models) in one call: {el:7.1f} s; "
          f"rejected at 0.1: {np.mean(r.p_value <= 0.1):.3f}")


if __name__ == "__main__":
    main()
