"""Rolling conditional heteroskedasticity (Seekell et al. 2011): AR filter by AIC, then the R^2 of the
squared residuals on their lag. O(w p_max^2) per window.

In each right-aligned window ``x[j-w+1 .. j]`` (centred on its mean ``z = x - mean``):

1. **Order choice** on a common sample. With ``P = p_max`` every order ``p = 0..P`` is fitted by OLS with
   an intercept on the same ``N0 = w - P`` responses ``z_t, t = P+1..w``:
   ``z_t = c + a_1 z_{t-1} + ... + a_p z_{t-p} + e_t``, and scored by
   ``AIC(p) = N0 log(RSS_p / N0) + 2 (p + 1)`` (Gaussian likelihood with sigma^2 = RSS/N0, constants
   dropped). The smallest AIC wins (ties: the smaller order). One Householder QR of the
   ``N0 x (P+1)`` design ``[1, z_{t-1}, .., z_{t-P}]`` with the response appended gives every nested
   ``RSS_p`` at once: ``RSS_p = sum_{k > p} (Q'z)_k^2``. A lag column whose norm left after the
   previous reflections is below ``RANK_TOL`` times its own norm is collinear with the columns before
   it; that order and all higher ones are not considered (R's ``ar.ols`` stops at such an order too).
2. **Residuals**: the chosen AR(p) is refitted by OLS with intercept on its own full sample
   ``t = p+1..w`` (``L = w - p`` residuals ``e_t``), again by Householder QR; the residuals are
   ``Q (0, .., 0, (Q'z)_{p+1..})``, free of the normal equations' squared condition number.
3. **R^2**: the OLS regression of ``e_t^2`` on ``e_{t-1}^2`` with intercept over the ``L - 1`` pairs:
   ``R^2 = S_ab^2 / (S_aa S_bb)`` (centred sums, two-pass), ``a = e^2_{1..L-1}``, ``b = e^2_{2..L}``.
   NaN when either squared-residual series is constant (a constant window, or residuals that are all
   equal) or when the residuals are rounding noise (``sum e^2 <= (1e-12)^2 sum z^2``: the AR model
   reproduces the window exactly).

The chosen order is returned as a float (NaN where there is no window).
"""
import numpy as np
from numba import njit

from . import rows

RANK_TOL = 1e-8
"""A column is collinear with the previous ones when its norm after their reflections falls below
``RANK_TOL`` times its norm (sqrt of machine epsilon)."""

EXACT_FIT = 1e-24
"""``sum e^2 <= EXACT_FIT * sum z^2``: the residuals are rounding noise; R^2 is NaN."""


def default_max_order(windows):
    """The default cap on the AR order for windows of ``w`` points:
    ``p_max = min(floor(10 log10 w), floor(w / 10))`` (0 for w < 10).

    ``floor(10 log10 w)`` is R's ``ar`` default; alone it lets short windows spend almost all their
    degrees of freedom on the filter (R picks order 9 of 20 points). ``floor(w / 10)`` keeps at least
    ten observations per AR coefficient, so the squared residuals keep ~90 % of the window."""
    w = np.asarray(windows, dtype=np.int64)
    with np.errstate(divide="ignore"):
        a = np.floor(10.0 * np.log10(np.maximum(w, 1)) + 1e-9).astype(np.int64)
    return np.maximum(0, np.minimum(a, w // 10))


def max_order_limit(w):
    """The largest AR order a window of ``w`` points can take: ``(w - 3) // 2`` (so the common sample
    keeps ``N0 = w - p_max >= p_max + 3`` responses, two more than the parameters)."""
    return max(0, (int(w) - 3) // 2)



@njit(cache=True)
def _householder(A, m, ncol, beta):
    """In-place Householder QR of the first ``ncol`` columns of ``A[:m]``, applied to column ``ncol``
    too (the response). Stops at the first collinear column; returns the number of usable leading
    columns. Reflection k is ``I - beta[k] v v'`` with ``v`` stored in ``A[k:m, k]``."""
    for k in range(ncol):
        orig = 0.0
        rest = 0.0
        # the column's norm before any reflection is not kept; use the norm of its entries now plus
        # what the previous reflections moved into rows < k (their R entries)
        for r in range(k):
            orig += A[r, k] * A[r, k]
        for r in range(k, m):
            rest += A[r, k] * A[r, k]
        orig += rest
        if orig == 0.0 or rest <= RANK_TOL * RANK_TOL * orig:
            return k
        norm = np.sqrt(rest)
        alpha = A[k, k]
        s = -norm if alpha >= 0.0 else norm
        A[k, k] = alpha - s
        vv = 0.0
        for r in range(k, m):
            vv += A[r, k] * A[r, k]
        b = 2.0 / vv
        beta[k] = b
        for c in range(k + 1, ncol + 1):
            t = 0.0
            for r in range(k, m):
                t += A[r, k] * A[r, c]
            t *= b
            for r in range(k, m):
                A[r, c] -= t * A[r, k]
        # R_kk = s; the v vector stays in A[k:m, k]
    return ncol


@njit(cache=True)
def _fill(A, z, w, p, P):
    """Design rows t = P..w-1 (0-based in the window): [1, z_{t-1}, .., z_{t-p}, z_t] in columns 0..p+1."""
    m = w - P
    for r in range(m):
        t = P + r
        A[r, 0] = 1.0
        for k in range(1, p + 1):
            A[r, k] = z[t - k]
        A[r, p + 1] = z[t]
    return m


@rows("X")
def _ch_row(row, X, lengths, windows, max_orders, r2_out, order_out):
    """Rolling AR-filtered conditional-heteroskedasticity R^2 of one row (see the module docstring)."""
    x = X[row]
    L = lengths[row]
    w = windows[row]
    n = r2_out.shape[1]
    for j in range(n):
        r2_out[row, j] = np.nan
        order_out[row, j] = np.nan
    if w < 3 or w > L:
        return
    P = max_orders[row]
    lim = (w - 3) // 2
    if P > lim:
        P = lim
    if P < 0:
        P = 0
    A = np.empty((w, P + 2))
    beta = np.empty(P + 1)
    z = np.empty(w)
    e = np.empty(w)
    tail = np.empty(w + 1)
    for j in range(w - 1, L):
        start = j - w + 1
        acc = 0.0
        for k in range(w):
            acc += x[start + k]
        c = acc / w
        acc = 0.0
        for k in range(w):
            z[k] = x[start + k] - c
            acc += z[k]
        c2 = acc / w
        tss = 0.0
        for k in range(w):
            z[k] -= c2
            tss += z[k] * z[k]
        # 1. order by AIC on the common sample t = P..w-1
        p = 0
        if P > 0:
            m0 = _fill(A, z, w, P, P)
            usable = _householder(A, m0, P + 1, beta)
            # tail[k] = sum_{r >= k} (Q'z)_r^2
            tail[m0] = 0.0
            for r in range(m0 - 1, -1, -1):
                tail[r] = tail[r + 1] + A[r, P + 1] * A[r, P + 1]
            best = np.inf
            for q in range(usable):
                rss = tail[q + 1]
                if rss <= 0.0:
                    a = -np.inf
                else:
                    a = m0 * np.log(rss / m0) + 2.0 * (q + 1)
                if a < best:
                    best = a
                    p = q
        # 2. residuals of AR(p) on t = p..w-1
        m = _fill(A, z, w, p, p)
        if _householder(A, m, p + 1, beta) < p + 1:
            continue
        for r in range(p + 1):
            e[r] = 0.0
        for r in range(p + 1, m):
            e[r] = A[r, p + 1]
        for k in range(p, -1, -1):
            t = 0.0
            for r in range(k, m):
                t += A[r, k] * e[r]
            t *= beta[k]
            for r in range(k, m):
                e[r] -= t * A[r, k]
        order_out[row, j] = p
        # 3. R^2 of e_t^2 on e_{t-1}^2
        ss = 0.0
        for r in range(m):
            e[r] = e[r] * e[r]
            ss += e[r]
        if ss <= EXACT_FIT * tss or m < 3:
            continue
        ma = 0.0
        mb = 0.0
        for r in range(m - 1):
            ma += e[r]
            mb += e[r + 1]
        ma /= m - 1
        mb /= m - 1
        saa = 0.0
        sbb = 0.0
        sab = 0.0
        for r in range(m - 1):
            da = e[r] - ma
            db = e[r + 1] - mb
            saa += da * da
            sbb += db * db
            sab += da * db
        if saa > 0.0 and sbb > 0.0:
            r2_out[row, j] = (sab * sab) / (saa * sbb)


def rolling_ch(X, lengths, windows, max_order=None):
    """Rolling conditional-heteroskedasticity R^2 and AR order (see the module docstring).

    X (B, n) float64 C-contiguous, lengths (B,), windows (B,) int64 (0 = no output), max_order: None
    (:func:`default_max_order` of each row's window), an int, or an int64 array (B,). Orders above
    :func:`max_order_limit` of the window are lowered to it. Returns ``(r2, order)``, each (B, n)
    float64, right-aligned, NaN where there is no window.
    """
    lengths = np.ascontiguousarray(lengths, dtype=np.int64)
    windows = np.ascontiguousarray(windows, dtype=np.int64)
    if max_order is None:
        mo = default_max_order(windows)
    else:
        mo = np.broadcast_to(np.asarray(max_order, dtype=np.int64), windows.shape)
    mo = np.ascontiguousarray(mo, dtype=np.int64)
    r2 = np.empty(X.shape)
    order = np.empty(X.shape)
    _ch_row(X, lengths, windows, mo, r2, order)
    return r2, order
