"""Rolling permutation entropy (Bandt & Pompe 2002, Phys Rev Lett 88:174102), O(1) per step.

Each position t carries the ordinal pattern of (x_t, x_{t+d}, .., x_{t+(m-1)d}) (order m, delay d), coded by
its Lehmer code sum_i #{j > i: v_j < v_i} (m-1-i)! in 0..m!-1; equal values rank by position (the earlier
is smaller, as a stable argsort), so ties never make a pattern ambiguous. The window x[j-w+1..j] holds the
N = w - (m-1) d patterns that start at t = j-w+1 .. j-(m-1)d; with c_k the count of pattern k,

    PE = -(1 / log m!) sum_k (c_k / N) log(c_k / N) = (log N - S / N) / log m!,   S = sum_k c_k log c_k,

and S is updated in O(1) when one pattern enters and one leaves (and summed afresh from the counts every
w steps, which bounds the rounding). PE is 0 for a monotone window and tends to 1 for white noise; it
falls as autocorrelation rises (fewer zigzag patterns).
"""
import math

import numpy as np
from numba import njit

from . import rows


@njit(cache=True)
def _xlogx(c):
    return c * math.log(c) if c > 0 else 0.0


@njit(cache=True)
def _code(x, t, m, d, fact):
    code = 0
    for i in range(m):
        vi = x[t + i * d]
        less = 0
        for j in range(i + 1, m):
            if x[t + j * d] < vi:
                less += 1
        code += less * fact[m - 1 - i]
    return code


@rows("X")
def _perm_entropy_row(row, X, lengths, windows, order, delay, out):
    """Rolling normalised permutation entropy of row ``row`` (see the module docstring)."""
    x = X[row]
    L = lengths[row]
    w = windows[row]
    n = out.shape[1]
    for j in range(n):
        out[row, j] = np.nan
    span = (order - 1) * delay
    if w <= span + 1 or w > L:
        return
    fact = np.ones(order + 1, dtype=np.int64)
    for k in range(1, order + 1):
        fact[k] = fact[k - 1] * k
    counts = np.zeros(fact[order], dtype=np.int64)
    N = w - span
    norm = math.log(fact[order])
    S = 0.0
    for t in range(N):  # the first window's patterns start at 0 .. N-1
        k = _code(x, t, order, delay, fact)
        S += _xlogx(counts[k] + 1.0) - _xlogx(float(counts[k]))
        counts[k] += 1
    out[row, w - 1] = (math.log(N) - S / N) / norm
    for j in range(w, L):
        if (j - w + 1) % w == 0:  # re-sum S from the counts every w steps: bounded rounding, O(m!/w) per step
            S = 0.0
            for k in range(counts.shape[0]):
                S += _xlogx(float(counts[k]))
        t_in = j - span
        k = _code(x, t_in, order, delay, fact)
        S += _xlogx(counts[k] + 1.0) - _xlogx(float(counts[k]))
        counts[k] += 1
        t_out = j - w
        k = _code(x, t_out, order, delay, fact)
        S += _xlogx(counts[k] - 1.0) - _xlogx(float(counts[k]))
        counts[k] -= 1
        v = (math.log(N) - S / N) / norm
        out[row, j] = v if v > 0.0 else 0.0  # S is a sum of updates: clip the rounding below 0


def rolling_permutation_entropy(X, lengths, windows, order=3, delay=1):
    """Rolling normalised permutation entropy, (rows, n) float64, NaN where there is no window."""
    out = np.empty(X.shape)
    _perm_entropy_row(X, np.ascontiguousarray(lengths, dtype=np.int64), np.ascontiguousarray(windows, dtype=np.int64),
                      int(order), int(delay), out)
    return out
