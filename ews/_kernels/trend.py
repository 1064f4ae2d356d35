"""Trend statistics of an indicator against time, one value per row.

Only the finite values of a row enter (the leading NaN of a rolling indicator, padding, and NaN from
degenerate windows are skipped). Time is strictly increasing, so it has no ties.

Kendall tau-b, O(m log m): with m finite values, n0 = m(m-1)/2 pairs, D the number of discordant
pairs (i < j, y_i > y_j: the inversions of y, counted by merge sort) and T the number of pairs tied in y,
    tau_b = (n0 - T - 2 D) / sqrt(n0 (n0 - T)).

Ties (see ews.trend, "Ties"): the rule lives in one function, :func:`tie_groups`, which numbers the
tie groups of a row's sorted finite values; :func:`snap_ties` (also behind ``ews.trend.snap_ties``),
Kendall and Spearman all call it. With sc = median |v| over the row's finite values, a group starts at
its smallest value a0 (its anchor) and holds every following sorted value b with
b - a0 <= rtol * max(|a0|, |b|, sc); the first value beyond starts the next group. Every value of a group
counts as equal to a0. Kendall first counts on the raw values (the merge sort leaves them sorted); only
if a group holds values that are not exactly equal does it snap the values to their groups and count
again, so the common case costs two extra linear scans.
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


@njit(cache=True)
def median_abs_sorted(s):
    """Median of |v| over the values ``s`` sorted ascending, in O(m) without a copy: walk outwards from the
    sign change, smallest |v| first. (For an even count, the mean of the two middle ones.)"""
    m = s.shape[0]
    if m == 0:
        return np.nan
    hi = np.searchsorted(s, 0.0)  # first index with s >= 0
    lo = hi - 1
    k1 = (m - 1) // 2
    k2 = m // 2
    a = 0.0
    b = 0.0
    for k in range(k2 + 1):
        if lo >= 0 and (hi >= m or -s[lo] <= s[hi]):
            x = -s[lo]
            lo -= 1
        else:
            x = abs(s[hi])
            hi += 1
        if k == k1:
            a = x
        b = x
    return a + 0.5 * (b - a)


@njit(cache=True)
def tie_groups(s, rtol):
    """The tie rule, the only implementation of it. ``s``: a row's finite values sorted ascending.
    Returns the group number (0, 1, ...; non-decreasing) of each position. With the row's scale
    sc = median |v| (:func:`median_abs_sorted`), a group starts at its smallest value a0 and holds every
    following value b with b - a0 <= rtol * max(|a0|, |b|, sc); the first value beyond starts the next
    group. Exactly equal values always share a group (also for rtol = 0), a group spans at most the
    tolerance, and the groups depend only on the values, not on their order in the row."""
    m = s.shape[0]
    g = np.empty(m, np.int64)
    if m == 0:
        return g
    sc = median_abs_sorted(s)
    anchor = s[0]
    gid = 0
    g[0] = 0
    for k in range(1, m):
        b = s[k]
        if not (b == anchor or b - anchor <= rtol * max(abs(anchor), abs(b), sc)):
            gid += 1
            anchor = b
        g[k] = gid
    return g


@njit(cache=True)
def snap_ties(v, rtol):
    """Each of the finite values ``v`` replaced by the smallest value (anchor) of its tie group
    (:func:`tie_groups`). Returns a new array."""
    m = v.shape[0]
    out = v.copy()
    if m < 2:
        return out
    order = np.argsort(v, kind="mergesort")
    s = v[order]
    g = tie_groups(s, rtol)
    rep = s[0]
    for k in range(1, m):
        if g[k] != g[k - 1]:
            rep = s[k]
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
        g = tie_groups(v, rtol)  # v is sorted: its tie groups, by the one implementation of the rule
        near = False
        for j in range(1, m):
            if g[j] == g[j - 1] and v[j] != v[j - 1]:
                near = True
                break
        if near:  # a group holds values that are not exactly equal: count again on the snapped values
            v = snap_ties(_finite(y), rtol)
            d, ties = _kendall_counts(v, buf)
    n0 = m * (m - 1) / 2.0
    den = np.sqrt(n0 * (n0 - ties))
    if den == 0.0:  # every value tied (time has no ties): a flat indicator has no trend
        return 0.0
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
    """Average ranks (1-based) of v, each tie group (:func:`tie_groups`) sharing its mean rank."""
    m = v.shape[0]
    order = np.argsort(v, kind="mergesort")
    g = tie_groups(v[order], rtol)
    r = np.empty(m)
    j = 0
    while j < m:
        k = j
        while k + 1 < m and g[k + 1] == g[j]:
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
    if syy == 0.0:  # every value tied: a flat indicator has no trend
        return 0.0
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
