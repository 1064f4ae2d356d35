"""Deliberately simple reference smoothers for tests/test_lowess.py.

Textbook formulas, one point at a time, numpy least squares. Nothing is shared with the fast code in
``ews._kernels.lowess`` or ``ews.compat._rloess``.
"""
import math

import numpy as np


def _wls_value(dx, y, w, degree):
    """Weighted least-squares polynomial in dx; returns (value, slope) at dx = 0."""
    sw = np.sqrt(w)
    A = np.vander(dx, degree + 1, increasing=True) * sw[:, None]
    beta = np.linalg.lstsq(A, y * sw, rcond=None)[0]
    return beta[0], (beta[1] if degree >= 1 else 0.0)


def naive_lowess(t, y, span, iterations):
    """Cleveland's (1979) robust LOWESS with statsmodels' conventions, one point at a time.

    k = int(span*n + 1e-10) clipped to [2, n] nearest neighbours (equal distances: the earlier point
    wins), tricube weights on distance / (largest distance among them), local line by lstsq (a point
    with fewer than 2 weights above 1e-12 keeps y), then `iterations` bisquare passes with
    residuals scaled by 6 * median (median 0: weight 1 for zero residuals, 0 otherwise).
    """
    t = np.asarray(t, float)
    y = np.asarray(y, float)
    n = len(t)
    k = min(max(int(span * n + 1e-10), 2), n)
    rw = np.ones(n)
    fit = np.empty(n)
    for it in range(iterations + 1):
        for i in range(n):
            d = np.abs(t - t[i])
            idx = np.argsort(d, kind="stable")[:k]
            h = d[idx].max()
            w = (1 - (d[idx] / h) ** 3) ** 3 * rw[idx]
            if np.count_nonzero(w > 1e-12) < 2:
                fit[i] = y[i]
            else:
                fit[i] = _wls_value(t[idx] - t[i], y[idx], w, 1)[0]
        if it < iterations:
            e = np.abs(y - fit)
            m = np.median(e)
            if m == 0:
                rw = (e == 0).astype(float)
            else:
                u = np.minimum(e / (6 * m), 1.0)
                rw = (1 - u**2) ** 2
    return fit


def naive_loess_local(t, y, q, span, degree):
    """R loess's local fit at q: floor(n*span) nearest points, tricube on distance / radius where the
    radius is the floor(n*span)-th smallest distance times sqrt(max(1, span)); returns (value, slope)."""
    t = np.asarray(t, float)
    y = np.asarray(y, float)
    n = len(t)
    nf = min(n, math.floor(n * span))
    d = np.abs(t - q)
    radius = np.sort(d)[nf - 1] * math.sqrt(max(1.0, span))
    w = np.where(d < radius, (1 - (d / radius) ** 3) ** 3, 0.0)
    return _wls_value(t - q, y, w, degree)


def naive_loess_direct(t, y, span, degree):
    """R ``loess(..., surface="direct")``: the local fit at every data point."""
    return np.array([naive_loess_local(t, y, q, span, degree)[0] for q in t])


def naive_loess_interpolate(t, y, span, degree, cell=0.2):
    """R ``loess`` default surface for distinct t: recursive median splits, cubic Hermite in each leaf.

    The box is [min - mu, max + mu] with mu = 0.5 % of the range; a cell with more than
    floor(n*span*cell) points is split at the value of its floor((l+u)/2)-th point (1-based ranks),
    which joins the left cell. Assumes distinct t and a small tree (no ties, no size limits).
    """
    t = np.asarray(t, float)
    y = np.asarray(y, float)
    n = len(t)
    ts = np.sort(t)
    fc = math.floor(n * (span * cell))
    mu = 0.005 * (ts[-1] - ts[0])
    leaves = []  # (v0, v1)

    def split(lo_rank, hi_rank, v0, v1):  # 1-based inclusive ranks
        if hi_rank - lo_rank + 1 <= fc:
            leaves.append((v0, v1))
            return
        m = (lo_rank + hi_rank) // 2
        s = ts[m - 1]
        split(lo_rank, m, v0, s)
        split(m + 1, hi_rank, s, v1)

    split(1, n, ts[0] - mu, ts[-1] + mu)
    out = np.empty(n)
    for i, z in enumerate(t):
        v0, v1 = next(c for c in leaves if c[0] < z <= c[1] or (c[0] == ts[0] - mu and z == c[0]))
        g0, s0 = naive_loess_local(t, y, v0, span, degree)
        g1, s1 = naive_loess_local(t, y, v1, span, degree)
        h = (z - v0) / (v1 - v0)
        out[i] = (
            (1 - h) ** 2 * (1 + 2 * h) * g0
            + h**2 * (3 - 2 * h) * g1
            + (h * (1 - h) ** 2 * s0 + h**2 * (h - 1) * s1) * (v1 - v0)
        )
    return out
