r"""LOWESS (Cleveland 1979) over rows, bit-for-bit the algorithm of ``statsmodels.nonparametric.lowess``.

The kernel reproduces ``statsmodels.nonparametric.lowess(y, t, frac=span, it=iterations, delta=0.0,
return_sorted=False)`` (statsmodels 0.14/0.15, ``_smoothers_lowess.pyx``) operation for operation, in
the same floating-point order, so that the two agree to the last bit on strictly increasing ``t``
(the tests check ``<= 1e-12`` relative; in practice the difference is exactly zero).

Algorithm (one row of length :math:`n`, time points :math:`t_0 < \dots < t_{n-1}`)
-------------------------------------------------------------------------------------
* Neighbours: :math:`k = \lfloor \mathrm{span}\cdot n + 10^{-10}\rfloor`, clipped to :math:`2 \le k \le n`.
* Window: for the point :math:`t_i` the neighbourhood is the :math:`k` consecutive points
  :math:`t_l,\dots,t_{l+k-1}` where :math:`l` is the smallest index with
  :math:`t_i \le (t_l + t_{l+k})/2` (the window slides right while its right neighbour is strictly
  closer than its left end; a tie keeps the left point), or :math:`l = n-k` when there is none.
  statsmodels slides the window point by point; since :math:`(t_l+t_{l+k})/2` is non-decreasing in
  :math:`l` the same :math:`l` is found here by bisection, so every point can be fitted independently.
* Radius: :math:`h_i = \max(t_i - t_l,\; t_{l+k-1} - t_i)`.
* Tricube weights: :math:`d_j = |t_j - t_i| / h_i`, :math:`w_j = (1 - d_j^3)^3\, r_j` where
  :math:`r_j` is the robustness weight (1 in the first pass). No clipping is needed: :math:`d_j \le 1`
  inside the window, and the farthest neighbour gets weight 0.
  If fewer than two weights exceed :math:`10^{-12}` the fit is skipped and :math:`\hat y_i = y_i`.
  Otherwise the weights are normalised, :math:`\tilde w_j = w_j / \sum_j w_j` (the sum is numpy's
  pairwise summation, reproduced exactly).
* Local linear fit, written as a projection:
  :math:`\bar t = \sum_j \tilde w_j t_j`, :math:`S = \max(\sum_j \tilde w_j (t_j - \bar t)^2,\; 10^{-12})`,

  .. math:: \hat y_i = \sum_j \tilde w_j \Bigl(1 + \frac{(t_i - \bar t)(t_j - \bar t)}{S}\Bigr) y_j .

  The floor :math:`10^{-12}` on the weighted variance is absolute (not relative to the scale of
  :math:`t`), as in statsmodels: with time units so small that the weighted variance of :math:`t`
  falls below :math:`10^{-12}` the slope is shrunk towards 0. Rescale time if that matters.
  Only local linear fits exist (statsmodels has no ``degree`` option), so there is none here.
* Robustness (``iterations`` extra passes): residuals :math:`e_j = |y_j - \hat y_j|`,
  :math:`m = \mathrm{median}(e)` (mean of the two middle values for even :math:`n`);
  if :math:`m = 0` then :math:`r_j = 1` where :math:`e_j = 0` and :math:`r_j = 0` elsewhere
  (statsmodels' rule for all-zero median residuals); else :math:`u_j = \min(e_j / (6m), 1)` and
  :math:`r_j = (1 - u_j^2)^2` (bisquare; residuals beyond :math:`6m` get weight 0).
  Each pass refits every point with weights :math:`(1-d_j^3)^3 r_j`.
* Tied time points (not expected; ``t`` should be strictly increasing) copy the fit of the first
  point of the tie, as statsmodels does with ``delta=0``.

Cost: :math:`O(n k)` per row per pass, i.e. :math:`O(n^2\,\mathrm{span}\,(\mathrm{iterations}+1))`
(plus :math:`O(n \log n)` for the window search and the medians). statsmodels has the same fits but
also clears a length-:math:`n` weight vector for every point, which makes it :math:`O(n^2)` per pass
whatever the span.

References
----------
Cleveland, W. S. (1979). Robust locally weighted regression and smoothing scatterplots.
*Journal of the American Statistical Association* 74(368), 829-836.
"""
import numpy as np
from numba import njit, prange

_WEIGHT_TOL = 1e-12  # a weight counts as non-zero above this (statsmodels)
_VAR_FLOOR = 1e-12  # absolute floor of the weighted variance of t (statsmodels)
_MIN_TASKS = 32  # from this many rows on, one task per row; below, long rows are split into chunks
_SERIAL_WORK = 1_000_000  # below this many neighbour evaluations per pass (~5 ms), no parallel region


@njit(cache=True)
def n_neighbours(span, n):
    """Number of neighbours k of a LOWESS fit on n points: ``int(span*n + 1e-10)`` clipped to [2, n]."""
    k = int(span * n + 1e-10)
    if k < 2:
        k = 2
    if k > n:
        k = n
    return k


@njit(cache=True)
def _block_sum(a, lo, n):
    """numpy's pairwise-sum leaf (n <= 128): 8 interleaved accumulators, then the remainder."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0 = a[lo]
    r1 = a[lo + 1]
    r2 = a[lo + 2]
    r3 = a[lo + 3]
    r4 = a[lo + 4]
    r5 = a[lo + 5]
    r6 = a[lo + 6]
    r7 = a[lo + 7]
    i = 8
    stop = n - (n % 8)
    while i < stop:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def pairwise_sum(a, lo, n, istack, fstack):
    """Sum of ``a[lo:lo+n]`` in exactly numpy's pairwise order (``np.sum`` of a contiguous float64 array).

    Blocks of fewer than 8 are summed left to right; blocks of up to 128 use 8 interleaved
    accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the remainder; larger blocks
    are split at n/2 rounded down to a multiple of 8 and the two halves added. The recursion is run
    on an explicit stack (numba cannot reload recursive functions from its cache): ``istack`` is an
    int64 work array of shape (64, 3) and ``fstack`` a float64 work array of length 64.
    """
    if n <= 128:
        return _block_sum(a, lo, n)
    # frame: (lo, n, state) with state 0 = left half pending, 1 = right half pending (left sum in fstack)
    top = 0
    istack[0, 0] = lo
    istack[0, 1] = n
    istack[0, 2] = 0
    val = 0.0
    while True:
        flo = istack[top, 0]
        fn = istack[top, 1]
        if fn <= 128:
            val = _block_sum(a, flo, fn)
            top -= 1
            # hand the value up until a frame still needs its right half
            while top >= 0:
                if istack[top, 2] == 0:
                    fstack[top] = val
                    istack[top, 2] = 1
                    n2 = istack[top, 1] // 2
                    n2 -= n2 % 8
                    istack[top + 1, 0] = istack[top, 0] + n2
                    istack[top + 1, 1] = istack[top, 1] - n2
                    istack[top + 1, 2] = 0
                    top += 1
                    break
                val = fstack[top] + val
                top -= 1
            if top < 0:
                return val
        else:
            n2 = fn // 2
            n2 -= n2 % 8
            istack[top + 1, 0] = flo
            istack[top + 1, 1] = n2
            istack[top + 1, 2] = 0
            top += 1


@njit(cache=True, error_model="numpy")
def _fit_point(t, y, rw, n, k, i, wbuf, istack, fstack):
    """Local linear fit at t[i] from t[:n], y[:n] with robustness weights rw (statsmodels' operations)."""
    xval = t[i]
    # smallest left with xval <= (t[left] + t[left+k]) / 2, else n - k
    lo = 0
    hi = n - k
    while lo < hi:
        mid = (lo + hi) // 2
        if xval > (t[mid] + t[mid + k]) / 2.0:
            lo = mid + 1
        else:
            hi = mid
    left = lo
    a = xval - t[left]
    b = t[left + k - 1] - xval
    radius = a if a > b else b
    nnz = 0
    for j in range(k):
        d = abs(t[left + j] - xval) / radius
        c = d * d * d
        w = 1.0 - c
        w = w * w * w
        w = w * rw[left + j]
        wbuf[j] = w
        if w > _WEIGHT_TOL:
            nnz += 1
    if nnz < 2:
        return y[i]
    s = pairwise_sum(wbuf, 0, k, istack, fstack)
    swx = 0.0
    for j in range(k):
        wbuf[j] = wbuf[j] / s
    for j in range(k):
        swx += wbuf[j] * t[left + j]
    sdx = 0.0
    for j in range(k):
        dx = t[left + j] - swx
        sdx += wbuf[j] * (dx * dx)
    if not (sdx > _VAR_FLOOR):  # fmax(sdx, 1e-12)
        sdx = _VAR_FLOOR
    bx = xval - swx
    acc = 0.0
    for j in range(k):
        p = wbuf[j] * (1.0 + bx * (t[left + j] - swx) / sdx)
        acc += p * y[left + j]
    return acc


@njit(cache=True, error_model="numpy")
def _robustness_weights(y, fit, n, rw, work):
    """Bisquare weights from the residuals |y - fit| scaled by 6 * median (statsmodels' rules)."""
    for j in range(n):
        work[j] = abs(y[j] - fit[j])
    med = np.median(work[:n])
    if med == 0.0:
        for j in range(n):
            rw[j] = 1.0 if not (work[j] > 0.0) else 0.0
    else:
        scale = 6.0 * med
        for j in range(n):
            u = work[j] / scale
            if u > 1.0:
                u = 1.0
            v = 1.0 - u * u
            rw[j] = v * v


@njit(cache=True)
def _copy_ties(t, fit, n):
    """A point tied with the previous one takes its fit (statsmodels with delta=0)."""
    for i in range(1, n):
        if t[i] == t[i - 1]:
            fit[i] = fit[i - 1]


@njit(cache=True, error_model="numpy")
def _lowess_row(t, y, n, k, iterations, out):
    """All passes of LOWESS on one row (t[:n], y[:n]) into out[:n]."""
    if n == 0:
        return
    rw = np.ones(n)
    res = np.empty(n)
    wbuf = np.empty(k)
    istack = np.empty((64, 3), np.int64)
    fstack = np.empty(64)
    for it in range(iterations + 1):
        for i in range(n):
            out[i] = _fit_point(t, y, rw, n, k, i, wbuf, istack, fstack)
        _copy_ties(t, out, n)
        if it < iterations:
            _robustness_weights(y, out, n, rw, res)


@njit(cache=True, parallel=True, error_model="numpy")
def lowess_rows(t, X, lengths, span, iterations):
    r"""Robust LOWESS trend of each row, identical to statsmodels' ``lowess(..., delta=0)``.

    Parameters
    ----------
    t : ndarray, float64, shape (n,)
        Strictly increasing time points shared by all rows.
    X : ndarray, float64, C-contiguous, shape (B, n)
        One series per row. Row ``i`` uses only ``t[:lengths[i]]`` and ``X[i, :lengths[i]]``;
        the rest is padding and is never read.
    lengths : ndarray, int64, shape (B,)
        Number of valid leading points of each row (0 <= lengths[i] <= n).
    span : float
        Fraction of the row's points in each local fit (statsmodels' ``frac``), 0 <= span <= 1;
        :math:`k = \mathrm{int}(\mathrm{span}\, n_i + 10^{-10})` clipped to [2, n_i].
    iterations : int
        Number of robustness (bisquare reweighting) passes after the first fit
        (statsmodels' ``it``; ewstools uses 3). 0 gives plain locally weighted linear regression.

    Returns
    -------
    trend : ndarray, float64, shape (B, n)
        Fitted values at the data points; NaN in the padding.

    Notes
    -----
    The fitted value is :math:`\hat y_i = \sum_j \tilde w_j (1 + (t_i-\bar t)(t_j-\bar t)/S)\, y_j`
    over the :math:`k` nearest neighbours, with normalised tricube-times-robustness weights
    :math:`\tilde w_j`, :math:`\bar t = \sum \tilde w_j t_j` and
    :math:`S = \max(\sum \tilde w_j (t_j-\bar t)^2, 10^{-12})` (see the module docstring for every
    rule). Cost :math:`O(n k)` per row per pass. With 32 rows or more the rows are fitted in
    parallel; with fewer, long rows are split into chunks of points fitted in parallel (pass by
    pass), and small problems (fewer than 1,000,000 neighbour evaluations per pass) run serially.
    The result is the same bit for bit in every case and for any number of threads.
    Pass writeable arrays (a read-only array, e.g. from pandas' ``to_numpy``, makes numba compile
    a second specialisation). Input is not validated (float64, finite, ``t`` strictly increasing).

    References
    ----------
    Cleveland, W. S. (1979). Robust locally weighted regression and smoothing scatterplots.
    JASA 74(368), 829-836.
    """
    B = X.shape[0]
    n = X.shape[1]
    out = np.empty((B, n))
    ks = np.empty(B, np.int64)
    work = 0  # neighbour evaluations per pass, all rows
    for b in range(B):
        ks[b] = n_neighbours(span, lengths[b])
        work += lengths[b] * ks[b]
        for j in range(lengths[b], n):
            out[b, j] = np.nan
    if B >= _MIN_TASKS:
        # many rows: one task per row, all passes inside the task
        for b in prange(B):
            _lowess_row(t, X[b], lengths[b], ks[b], iterations, out[b])
    elif work < _SERIAL_WORK:
        # small problem: a parallel region would cost more than it saves
        for b in range(B):
            _lowess_row(t, X[b], lengths[b], ks[b], iterations, out[b])
    else:
        # few long rows: every pass is split into chunks of points (a barrier between passes)
        per_row = (_MIN_TASKS + B - 1) // B
        ntasks = B * per_row
        rw = np.ones((B, n))
        for it in range(iterations + 1):
            for task in prange(ntasks):
                b = task // per_row
                c = task - b * per_row
                L = lengths[b]
                i0 = (L * c) // per_row
                i1 = (L * (c + 1)) // per_row
                if i1 > i0:
                    k = ks[b]
                    wbuf = np.empty(k)
                    istack = np.empty((64, 3), np.int64)
                    fstack = np.empty(64)
                    y = X[b]
                    r = rw[b]
                    o = out[b]
                    for i in range(i0, i1):
                        o[i] = _fit_point(t, y, r, L, k, i, wbuf, istack, fstack)
            for b in range(B):  # cheap (O(n log n)); serial saves a parallel region per pass
                L = lengths[b]
                o = out[b]
                _copy_ties(t, o, L)
                if it < iterations and L > 0:
                    res = np.empty(L)
                    _robustness_weights(X[b], o, L, rw[b], res)
    return out
