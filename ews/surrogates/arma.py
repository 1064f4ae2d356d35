"""ARMA maths for the ``ar1`` and ``arma`` null models: fitting (conditional least squares, statsmodels'
exact ML over an order grid), R's burn-in rule, and the stationary state covariance for drawing.

R's own ARIMA fitting (for ``ews.compat``'s ``surrogates_ews``) is in :mod:`ews.compat._arima`.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .._errors import InputError


def fit_ar1_rows(X: np.ndarray, L: np.ndarray):
    """Per row: mean, conditional-least-squares AR(1) coefficient and innovation sd (see ``ar1``)."""
    R = X.shape[0]
    mu = np.empty(R)
    phi = np.empty(R)
    sigma = np.empty(R)
    for i in range(R):
        x = X[i, : L[i]]
        m = x.mean()
        z = x - m
        den = np.dot(z[:-1], z[:-1])
        ph = np.dot(z[1:], z[:-1]) / den if den > 0 else 0.0
        e = z[1:] - ph * z[:-1]
        mu[i], phi[i], sigma[i] = m, ph, math.sqrt(np.dot(e, e) / (len(x) - 1))
    return mu, phi, sigma


def arma_burn_in(ar, q: int) -> int:
    """R ``arima.sim``'s burn-in: p + q + ceil(6 / log(min |root|)) (p + q without an AR part)."""
    ar = np.asarray(ar, float)
    p = ar.size
    extra = 0
    if p > 0 and np.any(ar != 0):
        roots = np.roots(np.r_[1.0, -ar][::-1])
        minroot = float(np.min(np.abs(roots))) if roots.size else math.inf
        if minroot == math.inf:
            extra = 0
        elif minroot > 1:
            extra = int(math.ceil(6.0 / math.log(minroot)))
        else:  # not stationary: no burn-in is long enough
            extra = 10**9
    return int(p + q + extra)


def arma_state_factor(ar, ma) -> np.ndarray:
    """F with F F^T = the stationary covariance of the ARMA state vector (unit innovation variance).

    State-space form of R's ``makeARIMA``: r = max(p, q + 1), T = [ar | superdiagonal ones],
    R = (1, ma_1, ..., ma_{r-1}); the covariance solves Q = T Q T' + R R' (a discrete Lyapunov
    equation). F comes from the eigendecomposition (negative rounding eigenvalues set to 0).
    """
    from scipy.linalg import solve_discrete_lyapunov

    ar = np.asarray(ar, float)
    ma = np.asarray(ma, float)
    p, q = ar.size, ma.size
    r = max(p, q + 1)
    T = np.zeros((r, r))
    T[:p, 0] = ar
    T[np.arange(r - 1), np.arange(1, r)] = 1.0
    Rv = np.zeros(r)
    Rv[0] = 1.0
    Rv[1 : q + 1] = ma
    Q = solve_discrete_lyapunov(T, np.outer(Rv, Rv))
    Q = 0.5 * (Q + Q.T)
    w, V = np.linalg.eigh(Q)
    return V * np.sqrt(np.clip(w, 0.0, None))


def arma_draw_arrays(models: list[tuple]) -> tuple:
    """Padded (ar, ma, factor) arrays for :func:`ews._kernels.surrogates.arma_draw` from [(ar, ma), ...]."""
    rmax = max(max(len(a), len(m) + 1) for a, m in models)
    R = len(models)
    AR = np.zeros((R, rmax))
    MA = np.zeros((R, rmax))
    F = np.zeros((R, rmax, rmax))
    for i, (a, m) in enumerate(models):
        AR[i, : len(a)] = a
        MA[i, : len(m)] = m
        f = arma_state_factor(a, m)
        F[i, : f.shape[0], : f.shape[1]] = f
    return AR, MA, F


def fit_arma_row(x: np.ndarray, max_p: int, max_q: int, criterion: str = "aic") -> dict:
    """Fit every ARMA(p, q), 0 <= p <= max_p, 0 <= q <= max_q, with constant; return the best by ``criterion``."""
    from statsmodels.tsa.arima.model import ARIMA as _SMARIMA

    table = np.full((max_p + 1, max_q + 1), np.nan)
    fits = {}
    x = np.asarray(x, float)
    for p in range(max_p + 1):
        for q in range(max_q + 1):
            if p == 0 and q == 0:
                m = x.mean()
                s2 = np.mean((x - m) ** 2)
                ll = -0.5 * x.size * (math.log(2 * math.pi * s2) + 1) if s2 > 0 else math.inf
                k = 2
                val = -2 * ll + (2 * k if criterion == "aic" else k * math.log(x.size))
                fits[(0, 0)] = {"ar": np.zeros(0), "ma": np.zeros(0), "mean": m, "sigma2": s2}
                table[0, 0] = val
                continue
            res = None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for method in ("innovations_mle", "statespace"):
                    try:
                        res = _SMARIMA(x, order=(p, 0, q), trend="c").fit(method=method, cov_type="none")
                        if not np.isfinite(getattr(res, criterion)):
                            res = None
                            continue
                        break
                    except Exception:  # noqa: BLE001 - any failed fit is skipped
                        res = None
            if res is None:
                continue
            table[p, q] = getattr(res, criterion)
            prm = dict(zip(res.model.param_names, np.asarray(res.params, float)))
            fits[(p, q)] = {"ar": np.array([prm[f"ar.L{j}"] for j in range(1, p + 1)]),
                            "ma": np.array([prm[f"ma.L{j}"] for j in range(1, q + 1)]),
                            "mean": prm.get("const", 0.0), "sigma2": prm["sigma2"]}
    if not np.isfinite(table).any():
        raise InputError("no ARMA model could be fitted to the series (all fits failed).")
    p, q = np.unravel_index(np.nanargmin(table), table.shape)
    best = fits[(int(p), int(q))]
    return {"p": int(p), "q": int(q), "table": table, **best}
