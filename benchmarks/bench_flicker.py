"""Benchmark of issue 8: the flickering and nonlinearity indicators over a batch, against the naive loop.

Run:  python benchmarks/bench_flicker.py [--rows 1000] [--n 1000] [--window 100] [--naive-rows 2]

For each rolling indicator of issue 8 (``bimodality``, ``dip``, ``wells``,
``conditional_heteroskedasticity``) and ``permutation_entropy`` (issue 9) it prints the wall time of ONE ``ews.indicators.compute`` call on
``rows`` series x ``n`` points (window ``window`` points; kernels compiled or loaded from the cache
before timing), and the time of the naive per-window loop that a user would write with the reference
package (scipy / diptest / scipy KDE / statsmodels OLS) measured on ``naive-rows`` rows and scaled to
``rows`` rows; the ratio naive / ews is printed. Both run in this process, on this machine.
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np


def _naive_bimodality(v):
    from scipy import stats

    n = len(v)
    g1, g2 = stats.skew(v, bias=False), stats.kurtosis(v, bias=False)
    return (g1 * g1 + 1) / (g2 + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def _naive_dip(v):
    import diptest

    return diptest.diptest(v)[1]


def _naive_wells(v, grid_size=100, threshold=0.1):
    """scipy KDE on the window's grid, then scipy's peak prominences (the rule of ews.potential)."""
    from scipy import signal, stats

    sd = np.std(v, ddof=1)
    q75, q25 = np.percentile(v, [75, 25])
    s = min(sd, (q75 - q25) / 1.34) if q75 > q25 else sd
    h = 1.06 * s * len(v) ** -0.2
    grid = np.linspace(v.min() - h, v.max() + h, grid_size)
    p = stats.gaussian_kde(v, bw_method=h / sd)(grid)
    peaks, _ = signal.find_peaks(p)
    prom = signal.peak_prominences(p, peaks)[0]
    return int(np.sum(prom >= threshold * p.max()))


def _naive_ch(v):
    """AR(p) by least squares for every p <= cap on a common sample, AIC, then R^2 of e^2 on its lag."""
    w = len(v)
    cap = min(int(np.floor(10 * np.log10(w) + 1e-9)), w // 10)
    z = v - v.mean()
    best = None
    for p in range(cap + 1):
        X = np.column_stack([np.ones(w - cap)] + [z[cap - k: w - k] for k in range(1, p + 1)])
        y = z[cap:]
        beta, *_ = np.linalg.lstsq(X, y, rcond=None)
        rss = np.sum((y - X @ beta) ** 2)
        aic = (w - cap) * np.log(rss / (w - cap)) + 2 * (p + 1)
        if best is None or aic < best[0]:
            best = (aic, p)
    p = best[1]
    X = np.column_stack([np.ones(w - p)] + [z[p - k: w - k] for k in range(1, p + 1)])
    e = z[p:] - X @ np.linalg.lstsq(X, z[p:], rcond=None)[0]
    e2 = e * e
    return np.corrcoef(e2[1:], e2[:-1])[0, 1] ** 2


def _naive_pe(v, order=3):
    import math

    n = len(v) - order + 1
    pats = {}
    for t in range(n):
        key = tuple(np.argsort(v[t: t + order], kind="stable"))
        pats[key] = pats.get(key, 0) + 1
    p = np.array(list(pats.values()), dtype=float) / n
    return -np.sum(p * np.log(p)) / math.log(math.factorial(order))


CASES = [
    ("bimodality", _naive_bimodality),
    ("dip", _naive_dip),
    ("wells", _naive_wells),
    ("conditional_heteroskedasticity", _naive_ch),
    ("permutation_entropy", _naive_pe),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--window", type=int, default=100)
    ap.add_argument("--naive-rows", type=int, default=2)
    ap.add_argument("--only", nargs="*", default=None)
    a = ap.parse_args()

    import warnings

    import ews

    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    # AR(1) noise with a few level switches, so every indicator has work to do
    X = np.empty((a.rows, a.n))
    e = rng.standard_normal((a.rows, a.n))
    X[:, 0] = e[:, 0]
    for t in range(1, a.n):
        X[:, t] = 0.6 * X[:, t - 1] + e[:, t]
    X += 3.0 * (np.sin(np.arange(a.n) / 37.0) > 0.6)
    ts = ews.TimeSeries(X)
    print(f"# issue 8 indicators: {a.rows} series x {a.n} points, window {a.window} points; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores\n")
    print(f"| indicator | ews, one call | naive loop (scaled from {a.naive_rows} rows) | naive / ews |")
    print("|---|---|---|---|")
    for name, naive in CASES:
        if a.only and name not in a.only:
            continue
        if name not in ews.indicators.names():
            print(f"| {name} | not registered | | |")
            continue
        t0 = time.perf_counter()
        ews.indicators.compute(X[:2, :200], [name], window=50)  # compile / load the serial twin
        ews.indicators.compute(X[:40, :1000], [name], window=a.window)  # ... and the parallel one (> 20,000 values)
        t_compile = time.perf_counter() - t0
        t0 = time.perf_counter()
        ews.indicators.compute(ts, [name], window=a.window)
        t_ews = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(a.naive_rows):
            x = X[i]
            [naive(x[j - a.window + 1: j + 1]) for j in range(a.window - 1, a.n)]
        t_naive = (time.perf_counter() - t0) * a.rows / a.naive_rows
        print(f"| {name} | {t_ews:.2f} s | {t_naive:.1f} s | {t_naive / t_ews:.0f}x |"
              f"  (compile/load {t_compile:.1f} s)")


if __name__ == "__main__":
    main()
