"""Smoothers for detrending: Gaussian kernel regression (direct and irregular-time forms), linear fit.

Nadaraya-Watson with edge renormalisation: for row x[0..L-1] and symmetric weights w[-R..R],
    trend[i] = sum_{|d|<=R, 0<=i+d<L} w[d] x[i+d] / sum_{|d|<=R, 0<=i+d<L} w[d].
The FFT form of the numerator lives in ews.detrend (scipy.fft); this module holds the direct O(n R)
loops used for narrow kernels, for irregular time stamps, and as the reference.
"""
import numpy as np
from numba import njit

from . import rows


def nw_direct(X, lengths, weights):
    """Direct Nadaraya-Watson on regular rows; ``weights`` has length 2R+1 (centre at R)."""
    out = np.empty(X.shape)
    _nw_direct_row(X, lengths, weights, out)
    return out


@rows("X")
def _nw_direct_row(i, X, lengths, weights, out):
    n = X.shape[1]
    R = (weights.shape[0] - 1) // 2
    L = lengths[i]
    x = X[i]
    # remove the row mean first (NW is affine-equivariant; this keeps large offsets exact)
    mu = 0.0
    for j in range(L):
        mu += x[j]
    mu /= max(L, 1)
    for j in range(n):
        if j >= L:
            out[i, j] = np.nan
            continue
        lo = max(0, j - R)
        hi = min(L - 1, j + R)
        num = 0.0
        den = 0.0
        for q in range(lo, hi + 1):
            wq = weights[q - j + R]
            num += wq * (x[q] - mu)
            den += wq
        out[i, j] = mu + num / den


@njit(cache=True)
def edge_denominators(weights, L):
    """sum of the weights that fall inside 0..L-1, for every position (O(L + R))."""
    R = (weights.shape[0] - 1) // 2
    cum = np.empty(weights.shape[0] + 1)
    cum[0] = 0.0
    for k in range(weights.shape[0]):
        cum[k + 1] = cum[k] + weights[k]
    den = np.empty(L)
    for j in range(L):
        lo = max(-R, -j)  # smallest offset d with j + d >= 0
        hi = min(R, L - 1 - j)
        den[j] = cum[hi + R + 1] - cum[lo + R]
    return den


def nw_irregular(t, X, lengths, sigmas, cutoff):
    """Gaussian Nadaraya-Watson in time units: weights exp(-(t_q - t_j)^2 / (2 sigma^2)),
    |t_q - t_j| <= cutoff * sigma. ``sigmas`` per row. O(n k) with a sliding neighbourhood."""
    out = np.empty(X.shape)
    _nw_irregular_row(t, X, lengths, sigmas, float(cutoff), out)
    return out


@rows("X")
def _nw_irregular_row(i, t, X, lengths, sigmas, cutoff, out):
    n = X.shape[1]
    L = lengths[i]
    x = X[i]
    s = sigmas[i]
    h = cutoff * s
    mu = 0.0
    for j in range(L):
        mu += x[j]
    mu /= max(L, 1)
    lo = 0
    for j in range(n):
        if j >= L:
            out[i, j] = np.nan
            continue
        while t[lo] < t[j] - h:
            lo += 1
        num = 0.0
        den = 0.0
        q = lo
        while q < L and t[q] <= t[j] + h:
            d = (t[q] - t[j]) / s
            wq = np.exp(-0.5 * d * d)
            num += wq * (x[q] - mu)
            den += wq
            q += 1
        out[i, j] = mu + num / den


def linear_fit(t, X, lengths):
    """Least-squares line a + b t through each row (two-pass); returns the fitted values."""
    out = np.empty(X.shape)
    _linear_fit_row(t, X, lengths, out)
    return out


@rows("X")
def _linear_fit_row(i, t, X, lengths, out):
    n = X.shape[1]
    L = lengths[i]
    x = X[i]
    mt = 0.0
    mx = 0.0
    for j in range(L):
        mt += t[j]
        mx += x[j]
    mt /= L
    mx /= L
    sxy = 0.0
    sxx = 0.0
    for j in range(L):
        dt = t[j] - mt
        sxy += dt * (x[j] - mx)
        sxx += dt * dt
    b = sxy / sxx if sxx > 0.0 else 0.0
    for j in range(n):
        out[i, j] = mx + b * (t[j] - mt) if j < L else np.nan
