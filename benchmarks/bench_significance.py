"""Benchmark of the surrogate test (prints numbers; not part of the test suite).

Run:  python benchmarks/bench_significance.py [--ewstools N] [--repeat R]

Target (issue #4): 1,000 AR(1) surrogates of a 1,000-point series through gaussian detrending +
variance + ar1 + Kendall tau in < 0.25 s after compilation on the project's 2-core machine.

Compared with ewstools 2.1.3 used the way its users do it: a Python loop over surrogates, each one
``ewstools.TimeSeries(series)`` -> ``detrend("Gaussian", bandwidth)`` -> ``compute_var`` ->
``compute_auto`` -> ``compute_ktau``. ewstools has no surrogate generator, so its loop is fed the same
AR(1) surrogates (drawn by ews, not timed); only N of them are run (default 20) and the time is
extrapolated linearly to 1,000 (every surrogate costs the same).

The script also reports where the time goes (drawing the surrogates, building their states, the
pipeline's detrending / indicators / trend statistic) and the machine's load average: on a shared
machine the wall time is inflated by other processes, so the CPU time is printed next to it.
"""
from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

import ews  # before numba: ews chooses numba's thread count (two per core) when it is imported first
from ews import surrogates as S

import numba  # noqa: E402

N = 1000
B = 1000
BANDWIDTH = 0.2  # ews: sigma = 0.2 n ... see ``convention`` below
WINDOW = 0.5


def _series(seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros(N)
    for t in range(1, N):
        x[t] = 0.5 * x[t - 1] + rng.standard_normal()
    return x


def _best(fn, repeat):
    fn()  # compile / warm up
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), float(np.median(walls)), min(cpus)


def _breakdown(pipe, x, repeat):
    """Wall time of each stage of one surrogate test (best of ``repeat``)."""
    ts = ews.TimeSeries(x)
    stages = {}

    def timed(name, fn):
        best = float("inf")
        out = None
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t0)
        stages[name] = best
        return out

    obs = timed("pipeline on the data", lambda: pipe.run(ts))
    base = obs.timeseries.residuals_as_state()
    fitted = timed("fit AR(1)", lambda: S.get("ar1").fit(base))
    surr = timed("draw 1,000 surrogates", lambda: fitted.draw(B, seed=1))
    states = timed("surrogate states (trend + residuals)",
                   lambda: ts.with_values(pipe.detrender.recompose(ts, obs.timeseries, surr.values),
                                          prepend={"surrogate": np.arange(B)}))
    det = timed("  detrend (gaussian) 1,000 rows", lambda: pipe.detrender.apply(states))
    from ews import indicators as _ind

    wins = _ind.resolve_windows(pipe.window, det.row_lengths(), strict=False)
    vals = timed("  indicators (variance, ar1) 1,000 rows", lambda: _ind.evaluate(det, pipe.indicators, wins))
    timed("  Kendall tau 2,000 rows", lambda: pipe._statistics(det.t, vals))
    timed("pipeline on the surrogates (all of it)", lambda: pipe.run(states, strict=False))
    return stages


def _ewstools_loop(surrogates, n_run):
    import pandas as pd
    from ewstools import TimeSeries as ETS

    t0 = time.perf_counter()
    taus = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(n_run):
            ts = ETS(pd.Series(surrogates[k], index=np.arange(N, dtype=float)))
            ts.detrend(method="Gaussian", bandwidth=BANDWIDTH)
            ts.compute_var(rolling_window=WINDOW)
            ts.compute_auto(rolling_window=WINDOW, lag=1)
            taus.append(ts.compute_ktau())
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ewstools", type=int, default=20, help="surrogates run through ewstools (0: skip)")
    ap.add_argument("--repeat", type=int, default=7, help="timed repetitions of the ews test")
    args = ap.parse_args(argv)

    x = _series()
    # ewstools' Gaussian filter: sigma = (0.25 / 0.675) * bandwidth * n; the same sigma in ews:
    pipe = ews.Pipeline(detrend="gaussian", bandwidth=BANDWIDTH, convention="ewstools", window=WINDOW,
                        indicators=["variance", "ar1"], trend="kendall")
    print(f"machine: {os.cpu_count()} cores, numba threads {numba.get_num_threads()}, "
          f"load average {os.getloadavg()[0]:.2f} (1 min)")
    sigma = 0.25 / 0.675 * BANDWIDTH
    print(f"task: {B} AR(1) surrogates of a {N}-point series, gaussian detrending (sigma = {sigma:.3f} n)"
          f" + variance + ar1 (window {WINDOW}) + Kendall tau, p-values\n")

    best, median, cpu = _best(lambda: pipe.test(x, null="ar1", n_surrogates=B, seed=1), args.repeat)
    print(f"ews  pipeline.test(null='ar1', n_surrogates={B}): best {best:.3f} s, median {median:.3f} s wall; "
          f"{cpu:.3f} s CPU (all threads)   target < 0.25 s")
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    best1, _, _ = _best(lambda: pipe.test(x, null="ar1", n_surrogates=B, seed=1), max(3, args.repeat // 2))
    numba.set_num_threads(before)
    print(f"     on 1 thread: best {best1:.3f} s")

    print("\nwhere the time goes (best of 5, wall):")
    for name, t in _breakdown(pipe, x, 5).items():
        print(f"  {name:<45s} {t * 1000:8.1f} ms")

    if args.ewstools > 0:
        try:
            import ewstools
        except ImportError:
            print("\newstools is not installed; skipped.")
            return
        print(f"\newstools module: {ewstools.__file__}")
        surr = S.get("ar1").fit(x).draw(args.ewstools, seed=2).values
        _ewstools_loop(surr, 1)  # imports, first-call overheads
        t_e = _ewstools_loop(surr, args.ewstools)
        per = t_e / args.ewstools
        total = per * B
        print(f"\newstools 2.1.3, Python loop over surrogates: {args.ewstools} surrogates in {t_e:.2f} s "
              f"({per * 1000:.1f} ms each) -> {total:.1f} s for {B} (extrapolated linearly from {args.ewstools})")
        print(f"ratio ewstools / ews: {total / best:.0f}x (best wall times), {total / median:.0f}x (median)")


if __name__ == "__main__":
    main()
