"""Rolling-window moment and autocorrelation kernels, O(n) per row.

Streaming scheme (the same in every kernel of this module)
----------------------------------------------------------
The window's sums are kept about a *shift* ``c`` (``z = x - c``): ``s1 = sum z``, ``s2 = sum z^2`` ...
Adding the entering point and removing the leaving one costs O(1). Centered sums are formed from the
shifted ones, e.g. ``M2 = sum (x - mean)^2 = s2 - s1^2 / w``; with ``c`` close to the window mean this
is free of the catastrophic cancellation of raw sums (a series at 1e6 + unit noise is no problem).

The sums are recomputed from scratch (two-pass, with ``c`` = the window's mean) when
  * the window has moved ``w`` points since the last recomputation (bounds the accumulated rounding
    error to ``w`` updates; amortised cost O(1) per point), or
  * ``M2 < RECOMPUTE_RATIO * peak``, where ``peak`` is the largest ``s2`` seen since the last
    recomputation: the centered sum has become small compared with what was added and removed (a large
    value has just left the window, or the mean has drifted far from the shift), so the subtraction
    would lose digits.
Exactly constant windows are detected by counting the changes ``x[k] != x[k-1]`` inside the window (also
O(1) per point); they give exact zero variance and NaN for every ratio-based statistic.

Outputs are right-aligned: the window ``x[j-w+1 .. j]`` is stamped at ``j``.
"""
import numpy as np
from numba import njit

from . import rows

RECOMPUTE_RATIO = 1e-2

# codes of the moment statistics (see ``finalize_moment``)
MEAN = 0
VAR = 1
STD = 2
SKEW = 3  # moment coefficient g1 = m3 / m2^1.5
SKEW_ADJ = 4  # adjusted Fisher-Pearson G1 = g1 sqrt(w(w-1))/(w-2)
KURT = 5  # excess kurtosis g2 = m4 / m2^2 - 3
KURT_RAW = 6  # b2 = m4 / m2^2
KURT_ADJ = 7  # bias-adjusted excess G2 = ((w+1) g2 + 6)(w-1)/((w-2)(w-3))

# codes of the lag statistics (see ``finalize_lag``)
PEARSON = 0  # Pearson correlation of the pairs (x_t, x_{t+k}) inside the window
AR_OLS = 1  # OLS AR coefficient on demeaned data: sum z_t z_{t-k} / sum_{t<=w-k} z_t^2
ACF = 2  # biased sample ACF: sum z_t z_{t+k} / sum z_t^2


@njit(cache=True)
def _finalize_moments(code, w, L, mean, m2, m3, m4, const, out_row):
    """Write statistic ``code`` for window ends w-1..L-1 from the centred sums (one tight loop)."""
    fw = float(w)
    for j in range(w - 1, L):
        if code == MEAN:
            out_row[j] = mean[j]
            continue
        if const[j]:
            out_row[j] = 0.0 if (code == VAR or code == STD) else np.nan
            continue
        if code == VAR:
            out_row[j] = m2[j] / (fw - 1.0)
        elif code == STD:
            out_row[j] = np.sqrt(m2[j] / (fw - 1.0))
        else:
            mm2 = m2[j] / fw
            if mm2 <= 0.0:
                out_row[j] = np.nan
            elif code == SKEW or code == SKEW_ADJ:
                g1 = (m3[j] / fw) / mm2**1.5
                out_row[j] = g1 if code == SKEW else g1 * np.sqrt(fw * (fw - 1.0)) / (fw - 2.0)
            else:
                b2 = (m4[j] / fw) / (mm2 * mm2)
                if code == KURT_RAW:
                    out_row[j] = b2
                elif code == KURT:
                    out_row[j] = b2 - 3.0
                else:
                    out_row[j] = ((fw + 1.0) * (b2 - 3.0) + 6.0) * (fw - 1.0) / ((fw - 2.0) * (fw - 3.0))


@rows("X")
def _moments_row(row, X, lengths, windows, codes, order, out):
    """Rolling moments of one row (x = X[row, :L], window w); writes out[k, row, :] for each code k.

    Pass 1 streams the centred sums of every window into scratch arrays; pass 2 turns them into
    each requested statistic."""
    x = X[row]
    L = lengths[row]
    w = windows[row]
    n_out = codes.shape[0]
    n = out.shape[2]
    for k in range(n_out):
        for j in range(n):
            out[k, row, j] = np.nan
    if w > L or w < 1:
        return
    mean = np.empty(L)
    m2a = np.empty(L)
    m3a = np.empty(L if order >= 3 else 0)
    m4a = np.empty(L if order >= 3 else 0)
    const = np.empty(L, dtype=np.bool_)
    inv_w = 1.0 / w
    c = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    s4 = 0.0
    peak = 0.0
    nchg = 0
    for j in range(1, w):
        if x[j] != x[j - 1]:
            nchg += 1
    last = -1  # window end at the last recomputation
    for j in range(w - 1, L):
        if j > w - 1:
            # slide: x[j] enters, x[j-w] leaves
            if x[j] != x[j - 1]:
                nchg += 1
            if x[j - w + 1] != x[j - w]:
                nchg -= 1
        need = last < 0 or j - last >= w
        if not need:
            zi = x[j] - c
            zo = x[j - w] - c
            zi2 = zi * zi
            zo2 = zo * zo
            s1 += zi - zo
            s2 += zi2 - zo2
            if order >= 3:
                s3 += zi2 * zi - zo2 * zo
                s4 += zi2 * zi2 - zo2 * zo2
            if s2 > peak:
                peak = s2
            if s2 - s1 * s1 * inv_w < RECOMPUTE_RATIO * peak:
                need = True
        if need:
            start = j - w + 1
            acc = 0.0
            for i in range(start, j + 1):
                acc += x[i]
            c = acc * inv_w
            s1 = 0.0
            s2 = 0.0
            s3 = 0.0
            s4 = 0.0
            for i in range(start, j + 1):
                z = x[i] - c
                z2 = z * z
                s1 += z
                s2 += z2
                if order >= 3:
                    s3 += z2 * z
                    s4 += z2 * z2
            peak = s2
            last = j
        mu = s1 * inv_w
        m2 = s2 - s1 * mu
        mean[j] = c + mu
        m2a[j] = m2 if m2 > 0.0 else 0.0
        const[j] = nchg == 0
        if order >= 3:
            m3a[j] = s3 - 3.0 * mu * s2 + 2.0 * w * mu * mu * mu
            m4a[j] = s4 - 4.0 * mu * s3 + 6.0 * mu * mu * s2 - 3.0 * w * mu * mu * mu * mu
    for k in range(n_out):
        _finalize_moments(codes[k], w, L, mean, m2a, m3a, m4a, const, out[k, row])


def rolling_moments(X, lengths, windows, codes):
    """Rolling moment statistics.

    X (B, n), lengths (B,), windows (B,), codes (K,) int64 from the MEAN..KURT_ADJ constants.
    Returns (K, B, n).
    """
    codes = np.asarray(codes, dtype=np.int64)
    out = np.empty((codes.shape[0],) + X.shape)
    order = 4 if (codes >= SKEW).any() else 2
    _moments_row(X, lengths, windows, codes, order, out)
    return out


@njit(cache=True, inline="always")
def _lag_from_sums(code, w, k, S1, S2, Sp, H1, H2, T1, T2):
    """Lag statistic from the window's shifted sums. Returns (value, conditioning).

    ``conditioning`` is the smallest centered sum of squares involved (of the pair subsets ``a`` and
    ``b``); the caller compares it with the magnitude of the raw sums to detect cancellation."""
    npair = w - k
    # a = first w-k points of the window, b = last w-k points
    sa = S1 - T1
    sb = S1 - H1
    saa = S2 - T2
    sbb = S2 - H2
    caa = saa - sa * sa / npair
    cbb = sbb - sb * sb / npair
    cond = min(caa, cbb)
    if code == PEARSON:
        cab = Sp - sa * sb / npair
        if caa <= 0.0 or cbb <= 0.0:
            return np.nan, cond
        return cab / np.sqrt(caa * cbb), cond
    m = S1 / w
    num = Sp - m * (sa + sb) + npair * m * m
    if code == AR_OLS:
        den = saa - 2.0 * m * sa + npair * m * m
    else:
        den = S2 - S1 * m
    if den <= 0.0:
        return np.nan, cond
    return num / den, cond


@njit(cache=True)
def _lag_direct(x, start, end, k, code):
    """Two-pass evaluation of one window x[start..end] (used only when the streaming sums cancel)."""
    w = end - start + 1
    c = 0.0
    for i in range(start, end + 1):
        c += x[i]
    c /= w
    c2 = 0.0
    for i in range(start, end + 1):
        c2 += x[i] - c
    c += c2 / w
    S1 = 0.0
    S2 = 0.0
    Sp = 0.0
    H1 = 0.0
    H2 = 0.0
    T1 = 0.0
    T2 = 0.0
    if code == PEARSON:
        # center each pair subset on its own mean, carried as hi + lo (the rounded mean and the mean of
        # the residuals about it): a mean off by d adds (w-k) d^2 to caa, which matters when a subset's
        # spread is tiny compared with its level (1e6 and steps of 1e-8)
        ma = 0.0
        mb = 0.0
        for i in range(start, end + 1 - k):
            ma += x[i]
            mb += x[i + k]
        ma /= w - k
        mb /= w - k
        la = 0.0
        lb = 0.0
        for i in range(start, end + 1 - k):
            la += x[i] - ma
            lb += x[i + k] - mb
        la /= w - k
        lb /= w - k
        caa = 0.0
        cbb = 0.0
        cab = 0.0
        for i in range(start, end + 1 - k):
            da = (x[i] - ma) - la
            db = (x[i + k] - mb) - lb
            caa += da * da
            cbb += db * db
            cab += da * db
        if caa <= 0.0 or cbb <= 0.0:
            return np.nan
        return cab / np.sqrt(caa * cbb)
    for i in range(start, end + 1):
        z = x[i] - c
        S1 += z
        S2 += z * z
        if i - k >= start:
            Sp += z * (x[i - k] - c)
    for i in range(k):
        zh = x[start + i] - c
        zt = x[end - i] - c
        H1 += zh
        H2 += zh * zh
        T1 += zt
        T2 += zt * zt
    v, cond = _lag_from_sums(code, float(w), float(k), S1, S2, Sp, H1, H2, T1, T2)
    return v


@rows("X")
def _lag_row(row, X, lengths, windows, k, codes, out):
    """Rolling lag-k statistics of one row; writes out[q, row, :] for each code q."""
    x = X[row]
    L = lengths[row]
    w = windows[row]
    n_out = codes.shape[0]
    n = out.shape[2]
    for q in range(n_out):
        for j in range(n):
            out[q, row, j] = np.nan
    if w > L or w < k + 2:
        return
    c = 0.0
    S1 = 0.0
    S2 = 0.0
    Sp = 0.0
    peak = 0.0
    nchg = 0
    for j in range(1, w):
        if x[j] != x[j - 1]:
            nchg += 1
    last = -1
    j = w - 1
    while j < L:
        start = j - w + 1
        if j > w - 1:
            if x[j] != x[j - 1]:
                nchg += 1
            if x[start] != x[start - 1]:
                nchg -= 1
        need = last < 0 or j - last >= w
        if not need:
            zi = x[j] - c
            zo = x[j - w] - c
            S1 += zi - zo
            S2 += zi * zi - zo * zo
            # product pairs: (x[j-k], x[j]) enters, (x[j-w], x[j-w+k]) leaves
            Sp += (x[j - k] - c) * zi - zo * (x[j - w + k] - c)
            if S2 > peak:
                peak = S2
            if S2 - S1 * S1 / w < RECOMPUTE_RATIO * peak:
                need = True
        if need:
            acc = 0.0
            for i in range(start, j + 1):
                acc += x[i]
            c = acc / w
            S1 = 0.0
            S2 = 0.0
            Sp = 0.0
            for i in range(start, j + 1):
                z = x[i] - c
                S1 += z
                S2 += z * z
                if i - k >= start:
                    Sp += z * (x[i - k] - c)
            peak = S2
            last = j
        # edges: first k and last k points of the window (O(k))
        H1 = 0.0
        H2 = 0.0
        T1 = 0.0
        T2 = 0.0
        for i in range(k):
            zh = x[start + i] - c
            zt = x[j - i] - c
            H1 += zh
            H2 += zh * zh
            T1 += zt
            T2 += zt * zt
        constant = nchg == 0
        # exact constancy of the pair subsets: a = x[start..j-k], b = x[start+k..j]
        chg_tail = 0
        chg_head = 0
        for i in range(k):
            if x[j - i] != x[j - i - 1]:
                chg_tail += 1
            if x[start + 1 + i] != x[start + i]:
                chg_head += 1
        subset_constant = nchg - chg_tail == 0 or nchg - chg_head == 0
        for q in range(n_out):
            if constant or (codes[q] == PEARSON and subset_constant):
                out[q, row, j] = np.nan
                continue
            v, cond = _lag_from_sums(codes[q], float(w), float(k), S1, S2, Sp, H1, H2, T1, T2)
            if cond < RECOMPUTE_RATIO * peak:
                # a pair subset has a tiny spread compared with the magnitude of the sums
                # (e.g. one huge value at the window's edge): evaluate this window directly
                v = _lag_direct(x, start, j, k, codes[q])
            out[q, row, j] = v
        j += 1


def rolling_lag(X, lengths, windows, lag, codes):
    """Rolling lag-``lag`` statistics (PEARSON, AR_OLS, ACF codes). Returns (K, B, n)."""
    codes = np.asarray(codes, dtype=np.int64)
    out = np.empty((codes.shape[0],) + X.shape)
    _lag_row(X, lengths, windows, int(lag), codes, out)
    return out
