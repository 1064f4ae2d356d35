"""BDS correlation-integral statistics over rows (see ews.nonlinear._bds for the definitions and the two
conventions). O(n^2) per series and eps: one walk along each diagonal of the pair matrix, no n x n matrix."""
import math

import numpy as np
from numba import njit

from . import rows


@njit(cache=True)
def _sigma2(c, k, m):
    s = 0.0
    for j in range(1, m):
        s += 2.0 * k ** (m - j) * c ** (2 * j)
    s += k**m + (m - 1) ** 2 * c ** (2 * m) - m * m * k * c ** (2 * m - 2)
    return 4.0 * s


@rows("X")
def _bds_row(row, X, lengths, eps, max_dim, convention, out):
    """BDS statistics of row ``row``: out[row, e, m - 2] for eps[row, e], m = 2..max_dim.

    convention 0 = statsmodels, 1 = tseries (see the module docstring). NaN where undefined.
    """
    n = lengths[row]
    ne = eps.shape[1]
    M = max_dim
    x = X[row]
    for e in range(ne):
        for m in range(M - 1):
            out[row, e, m] = np.nan
    if n < M + 3:
        return
    N = n - M + 1  # tseries: the one set of points
    lim = N - 1 if convention == 1 else n - 1  # largest index that enters C_1 and K
    deg = np.zeros((ne, n), dtype=np.int64)
    ones = np.zeros(ne, dtype=np.int64)  # close pairs among the points that enter C_1 / K
    low = np.zeros((ne, M), dtype=np.int64)  # statsmodels: close pairs (s, t), s = 0..M-2 (for end-aligned C_1)
    hist = np.zeros((ne, M + 1), dtype=np.int64)  # history pairs by min(run, M)
    tail = np.zeros((ne, M + 1), dtype=np.int64)  # tseries: history pairs ending beyond N - 1, by m
    run = np.zeros(ne, dtype=np.int64)
    for d in range(1, n):
        for e in range(ne):
            run[e] = 0
        for s in range(n - d):
            t = s + d
            dist = abs(x[s] - x[t])
            for e in range(ne):
                if convention == 1:
                    close = dist <= eps[row, e]
                else:
                    close = dist < eps[row, e]
                if not close:
                    run[e] = 0
                    continue
                r = run[e] + 1
                run[e] = r
                if t <= lim:
                    ones[e] += 1
                    deg[e, s] += 1
                    deg[e, t] += 1
                if convention == 0:
                    if s < M - 1:
                        low[e, s] += 1
                    hist[e, min(r, M)] += 1
                else:
                    # the m-history pair starting at (s - m + 1, t - m + 1) counts if t - m + 1 <= N - 1
                    if t <= N - 1:
                        hist[e, min(r, M)] += 1
                    else:
                        for m in range(t - N + 2, min(r, M) + 1):
                            if m >= 2:
                                tail[e, m] += 1
    npts = N if convention == 1 else n
    fn = float(npts)
    for e in range(ne):
        kk = 0.0
        for i in range(npts):
            kk += float(deg[e, i]) * float(deg[e, i] - 1)
        k = kk / (fn * (fn - 1.0) * (fn - 2.0))
        c = 2.0 * ones[e] / (fn * (fn - 1.0))
        # cumulative: pairs with run >= m
        above = 0
        cum = np.zeros(M + 1, dtype=np.int64)
        for m in range(M, 0, -1):
            above += hist[e, m]
            cum[m] = above
        for m in range(2, M + 1):
            if convention == 1:
                nm = float(N)
                cm = 2.0 * (cum[m] + tail[e, m]) / (nm * (nm - 1.0))
                c1 = c
            else:
                nm = float(n - m + 1)
                cm = 2.0 * cum[m] / (nm * (nm - 1.0))
                # close pairs among points m-1..n-1: all close pairs minus those with s < m - 1
                drop = 0
                for s in range(m - 1):
                    drop += low[e, s]
                c1 = 2.0 * (ones[e] - drop) / (nm * (nm - 1.0))
            v = _sigma2(c, k, m)
            if v > 0.0 and math.isfinite(v):
                out[row, e, m - 2] = math.sqrt(nm) * (cm - c1**m) / math.sqrt(v)
