"""Numba kernels for the surrogate null models.

Random draws use one xoshiro256** state per output row (see :mod:`ews._random`): row ``i`` of a draw
only ever reads its own state, so the numbers do not depend on the number of threads or on how the
rows are chunked.

Drawing kernels (float64 in, float64 out, rows in parallel)
    ``ar1_draw``, ``arma_draw``, ``shuffle_draw``, ``block_draw``, ``fill_uniform``, ``fill_normal``.
    Output row ``i`` belongs to data row ``i % n_data_rows`` (surrogate-major order).

R's ARIMA kernels (used only by ``ews.compat``) are in :mod:`ews.compat._arima`; the per-row seeding
kernel is :func:`ews._kernels.rng.seed_states`.
"""
import math

import numpy as np
from numba import njit, prange

from .rng import next_double, next_normal


# ----------------------------------------------------------------------------------------------------
# uniform / normal fills
# ----------------------------------------------------------------------------------------------------
@njit(cache=True, parallel=True)
def fill_uniform(states, out):
    """out[i, :] = uniforms on [0, 1) from state i."""
    for i in prange(out.shape[0]):
        s = states[i]
        for j in range(out.shape[1]):
            out[i, j] = next_double(s)


@njit(cache=True, parallel=True)
def fill_normal(states, out):
    """out[i, :] = standard normals from state i."""
    for i in prange(out.shape[0]):
        s = states[i]
        for j in range(out.shape[1]):
            out[i, j] = next_normal(s)


@njit(cache=True, inline="always")
def _randint(s, m):
    """Uniform integer in 0..m-1 (53-bit float method; bias < m / 2^53)."""
    k = int(next_double(s) * m)
    return k if k < m else m - 1


# ----------------------------------------------------------------------------------------------------
# AR(1) and ARMA draws
# ----------------------------------------------------------------------------------------------------
@njit(cache=True, parallel=True)
def ar1_draw(states, mu, phi, sigma, lengths, out):
    """AR(1) rows started in the stationary distribution.

    x_0 = mu + sigma / sqrt(1 - phi^2) e_0,  x_t = mu + phi (x_{t-1} - mu) + sigma e_t.
    Parameters are per data row (length R); output row i uses data row i % R. Padding is NaN.
    """
    B, n = out.shape
    R = mu.shape[0]
    for i in prange(B):
        r = i % R
        s = states[i]
        L = lengths[r]
        ph = phi[r]
        sg = sigma[r]
        m = mu[r]
        sd0 = sg / math.sqrt(1.0 - ph * ph) if abs(ph) < 1.0 else sg
        z = sd0 * next_normal(s)
        if L > 0:
            out[i, 0] = m + z
        for t in range(1, L):
            z = ph * z + sg * next_normal(s)
            out[i, t] = m + z
        for t in range(max(L, 0), n):
            out[i, t] = np.nan


@njit(cache=True, parallel=True)
def arma_draw(states, mu, ar, ma, sigma, factor, burn, lengths, out):
    """Stationary ARMA(p, q) rows, simulated in state-space form.

    y_t = sum_j ar_j y_{t-j} + e_t + sum_j ma_j e_{t-j},  e_t ~ N(0, sigma^2),  x_t = mu + y_t.
    State a_t (r = max(p, q + 1)): a_t[i] = ar_i a_{t-1}[0] + a_{t-1}[i+1] + R_i e_t with
    R = (1, ma_1, ..., ma_{r-1}) and y_t = a_t[0]. The first state is drawn from the stationary
    distribution, a_0 = sigma * factor @ z, z ~ N(0, I) (``factor @ factor.T`` = the stationary state
    covariance for unit innovations), so no transient is left; ``burn[r]`` further steps are discarded.
    ``ar``/``ma``/``factor`` are zero-padded per data row to (R, r_max) / (R, r_max, r_max).
    """
    B, n = out.shape
    R = mu.shape[0]
    rmax = factor.shape[1]
    for i in prange(B):
        d = i % R
        s = states[i]
        L = lengths[d]
        sg = sigma[d]
        a = np.zeros(rmax)
        anew = np.zeros(rmax)
        z = np.zeros(rmax)
        for k in range(rmax):
            z[k] = next_normal(s)
        for k in range(rmax):
            v = 0.0
            for j in range(rmax):
                v += factor[d, k, j] * z[j]
            a[k] = sg * v
        nb = burn[d]
        for t in range(nb + L):
            if t > 0:
                e = sg * next_normal(s)
                a0 = a[0]
                for k in range(rmax):
                    v = ar[d, k] * a0 + (a[k + 1] if k < rmax - 1 else 0.0)
                    rk = 1.0 if k == 0 else ma[d, k - 1]
                    anew[k] = v + rk * e
                for k in range(rmax):
                    a[k] = anew[k]
            if t >= nb:
                out[i, t - nb] = mu[d] + a[0]
        for t in range(max(L, 0), n):
            out[i, t] = np.nan


# ----------------------------------------------------------------------------------------------------
# resampling draws
# ----------------------------------------------------------------------------------------------------
@njit(cache=True, parallel=True)
def shuffle_draw(states, X, lengths, out):
    """Random permutation (Fisher-Yates) of the first L values of data row i % R."""
    B, n = out.shape
    R = X.shape[0]
    for i in prange(B):
        r = i % R
        s = states[i]
        L = lengths[r]
        for t in range(L):
            out[i, t] = X[r, t]
        for t in range(L - 1, 0, -1):
            k = _randint(s, t + 1)
            tmp = out[i, t]
            out[i, t] = out[i, k]
            out[i, k] = tmp
        for t in range(max(L, 0), n):
            out[i, t] = np.nan


@njit(cache=True, parallel=True)
def block_draw(states, X, lengths, block, stationary, out):
    """Block bootstrap of the first L values of data row i % R.

    Moving blocks (Kuensch 1989, ``stationary=False``): blocks of ``block[r]`` consecutive values
    starting uniformly in 0..L-l, concatenated and cut to L. Stationary bootstrap (Politis & Romano
    1994, ``stationary=True``): start uniformly in 0..L-1, continue circularly, and at each step start
    a new block with probability 1/block[r] (geometric block lengths with mean ``block[r]``).
    """
    B, n = out.shape
    R = X.shape[0]
    for i in prange(B):
        r = i % R
        s = states[i]
        L = lengths[r]
        lb = block[r]
        if stationary:
            pnew = 1.0 / lb
            pos = _randint(s, L)
            for t in range(L):
                if t > 0:
                    if next_double(s) < pnew:
                        pos = _randint(s, L)
                    else:
                        pos = pos + 1
                        if pos >= L:
                            pos = 0
                out[i, t] = X[r, pos]
        else:
            bl = int(lb)
            if bl > L:
                bl = L
            if bl < 1:
                bl = 1
            t = 0
            while t < L:
                start = _randint(s, L - bl + 1)
                for k in range(bl):
                    if t >= L:
                        break
                    out[i, t] = X[r, start + k]
                    t += 1
        for t in range(max(L, 0), n):
            out[i, t] = np.nan
