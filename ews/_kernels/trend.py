"""Trend statistics of an indicator against time, one value per row.

Only the finite values of a row enter (the leading NaN of a rolling indicator, padding, and NaN from
degenerate windows are skipped). Time is strictly increasing, so it has no ties.

Kendall tau-b, O(m log m): with m finite values, n0 = m(m-1)/2 pairs, D the number of discordant
pairs (i < j, y_i > y_j: the inversions of y, counted by merge sort) and T the number of pairs tied in y,
    tau_b = (n0 - T - 2 D) / sqrt(n0 (n0 - T)).

Ties within a relative tolerance ``rtol`` (see ews.trend.TIE_RTOL): sort the values; a tie group is a
maximal run of sorted values in which each value is within ``rtol * max(|a|, |b|)`` of the one before
(chained). Every value of a group counts as equal to the group's smallest value. Kendall first counts on
the raw values (the merge sort leaves them sorted); only if the sorted values hold a pair that is tied
by the tolerance but not exactly equal does it snap the values to their groups and count again, so the
common case costs one extra linear scan.
"""
import numpy as np
from numba import njit

from . import rows


_RUN = 32


@njit(cache=True)
def _count_inversions(a, buf):
    """Sort ``a`` in place (bottom-up merge sort) and return the number of pairs i < j with a_i > a_j."""
    n = a.shape[0]
    inv = 0
    # runs of RUN points by insertion sort: each shift past a strictly greater value is one inversion
    for lo in range(0, n, _RUN):
        hi = min(lo + _RUN, n)
        for i in range(lo + 1, hi):
            key = a[i]
            j = i - 1
            while j >= lo and a[j] > key:
                a[j + 1] = a[j]
                j -= 1
                inv += 1
            a[j + 1] = key
    width = _RUN
    src = a
    dst = buf
    while width < n:
        i = 0
        while i < n:
            mid = min(i + width, n)
            hi = min(i + 2 * width, n)
            p = i
            q = mid
            k = i
            while p < mid and q < hi:
                if src[p] <= src[q]:
                    dst[k] = src[p]
                    p += 1
                else:
                    dst[k] = src[q]
                    inv += mid - p
                    q += 1
                k += 1
            while p < mid:
                dst[k] = src[p]
                p += 1
                k += 1
            while q < hi:
                dst[k] = src[q]
                q += 1
                k += 1
            i += 2 * width
        tmp = src
        src = dst
        dst = tmp
        width *= 2
    if src is not a:
        for i in range(n):
            a[i] = src[i]
    return inv


@njit(cache=True)
def _finite(y):
    m = 0
    for j in range(y.shape[0]):
        if np.isfinite(y[j]):
            m += 1
    v = np.empty(m)
    m = 0
    for j in range(y.shape[0]):
        if np.isfinite(y[j]):
            v[m] = y[j]
            m += 1
    return v


@njit(cache=True, inline="always")
def _near(a, b, rtol):
    """a <= b (sorted neighbours) tied by the relative tolerance?"""
    return b - a <= rtol * max(abs(a), abs(b))


@njit(cache=True)
def snap_ties(v, rtol):
    """Each value replaced by the smallest value of its tie group (groups chained over the sorted
    values, see the module docstring). Returns a new array."""
    m = v.shape[0]
    out = v.copy()
    if m < 2:
        return out
    order = np.argsort(v, kind="mergesort")
    rep = v[order[0]]
    for k in range(1, m):
        a = v[order[k - 1]]
        b = v[order[k]]
        if not _near(a, b, rtol):
            rep = b
        out[order[k]] = rep
    return out


@njit(cache=True)
def _kendall_counts(v, buf):
    """(discordant pairs, tied pairs) of v against its index, exact equality; sorts v in place."""
    m = v.shape[0]
    d = _count_inversions(v, buf)  # v is now sorted
    ties = 0.0
    run = 1
    for j in range(1, m):
        if v[j] == v[j - 1]:
            run += 1
        else:
            ties += run * (run - 1) / 2.0
            run = 1
    ties += run * (run - 1) / 2.0
    return d, ties


@njit(cache=True)
def kendall_row(y, rtol):
    v = _finite(y)
    m = v.shape[0]
    if m < 2:
        return np.nan
    buf = np.empty(m)
    d, ties = _kendall_counts(v, buf)
    if rtol > 0.0:
        near = False
        for j in range(1, m):
            if v[j] != v[j - 1] and _near(v[j - 1], v[j], rtol):
                near = True
                break
        if near:  # values tied by the tolerance but not exactly: count again on the snapped values
            v = snap_ties(_finite(y), rtol)
            d, ties = _kendall_counts(v, buf)
    n0 = m * (m - 1) / 2.0
    den = np.sqrt(n0 * (n0 - ties))
    if den == 0.0:
        return np.nan
    return (n0 - ties - 2.0 * d) / den


@rows("Y")
def _kendall_rows(i, Y, rtol, out):
    out[i] = kendall_row(Y[i], rtol)


def kendall(Y, rtol=0.0):
    """Kendall tau-b of each row of Y (B, n) against time, values within ``rtol`` tied. Returns (B,)."""
    out = np.empty(Y.shape[0])
    _kendall_rows(Y, float(rtol), out)
    return out


@njit(cache=True)
def _ranks_avg(v, rtol):
    """Average ranks (1-based) of v, ties (within rtol, chained) sharing the mean rank."""
    m = v.shape[0]
    order = np.argsort(v, kind="mergesort")
    r = np.empty(m)
    j = 0
    while j < m:
        k = j
        while k + 1 < m and (v[order[k + 1]] == v[order[k]] or _near(v[order[k]], v[order[k + 1]], rtol)):
            k += 1
        avg = 0.5 * (j + k) + 1.0
        for q in range(j, k + 1):
            r[order[q]] = avg
        j = k + 1
    return r


@njit(cache=True)
def spearman_row(y, rtol):
    v = _finite(y)
    m = v.shape[0]
    if m < 2:
        return np.nan
    r = _ranks_avg(v, rtol)
    mr = (m + 1) / 2.0
    sxy = 0.0
    sxx = 0.0
    syy = 0.0
    for j in range(m):
        dx = (j + 1) - mr
        dy = r[j] - mr
        sxy += dx * dy
        sxx += dx * dx
        syy += dy * dy
    if syy == 0.0:
        return np.nan
    return sxy / np.sqrt(sxx * syy)


@rows("Y")
def _spearman_rows(i, Y, rtol, out):
    out[i] = spearman_row(Y[i], rtol)


def spearman(Y, rtol=0.0):
    """Spearman rank correlation of each row of Y against time, values within ``rtol`` tied.
    Returns (B,)."""
    out = np.empty(Y.shape[0])
    _spearman_rows(Y, float(rtol), out)
    return out


@njit(cache=True)
def ols_row(t, y):
    # two-pass on the finite values
    m = 0
    st = 0.0
    sy = 0.0
    for j in range(y.shape[0]):
        if np.isfinite(y[j]):
            m += 1
            st += t[j]
            sy += y[j]
    if m < 2:
        return np.nan
    mt = st / m
    my = sy / m
    sxy = 0.0
    sxx = 0.0
    for j in range(y.shape[0]):
        if np.isfinite(y[j]):
            dt = t[j] - mt
            sxy += dt * (y[j] - my)
            sxx += dt * dt
    return sxy / sxx


@rows("Y")
def _ols_rows(i, t, Y, out):
    out[i] = ols_row(t, Y[i])


def ols_slope(t, Y):
    """OLS slope of each row of Y on time t (per unit time). Returns (B,)."""
    out = np.empty(Y.shape[0])
    _ols_rows(t, Y, out)
    return out
