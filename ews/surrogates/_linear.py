"""The ``ar1`` and ``arma`` null models (Gaussian linear processes fitted to each row)."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .._errors import EWSWarning, InputError
from ._base import REGISTRY, FittedNull, NullModel, _lead_shape
from .arma import arma_burn_in, arma_draw_arrays, fit_ar1_rows, fit_arma_row

register = REGISTRY.register


@register
@dataclass(frozen=True)
class AR1(NullModel):
    """AR(1) red noise (mean, lag-1 coefficient, innovation variance), stationary start.

    Parameters
    ----------
    max_phi : float
        Cap on :math:`|\\hat\\phi|` (a warning says when it is applied).
    """

    name: ClassVar[str] = "ar1"
    summary: ClassVar[str] = "AR(1) red noise: x_t = m + phi (x_{t-1} - m) + sigma e_t, stationary start"
    preserves: ClassVar[str] = "mean, lag-1 autocorrelation, variance (Gaussian)"
    reference: ClassVar[str] = "Dakos et al. 2008, PNAS 105:14308; Boettiger & Hastings 2012, Proc R Soc B 279:4734"
    max_phi: float = 0.999

    def __post_init__(self):
        if not (0 < self.max_phi < 1):
            raise InputError(f"max_phi must lie in (0, 1), got {self.max_phi}.")

    def _fit(self, ts, X, L):
        mu, phi, sigma = fit_ar1_rows(X, L)
        big = np.abs(phi) > self.max_phi
        if big.any():
            warnings.warn(f"{int(big.sum())} series have a fitted AR(1) coefficient beyond +-{self.max_phi} "
                          f"(largest {float(np.abs(phi).max()):.4f}); capped. The AR(1) null is a poor model for "
                          "them (detrend more, or use another null).", EWSWarning, stacklevel=3)
            phi = np.clip(phi, -self.max_phi, self.max_phi)

        def drawer(states, n):
            from .._kernels.surrogates import ar1_draw

            out = np.empty((states.shape[0], n))
            ar1_draw(states, mu, phi, sigma, L, out)
            return out

        shp = _lead_shape(ts)
        return FittedNull(self, ts, {"mean": mu.reshape(shp), "phi": phi.reshape(shp), "sigma": sigma.reshape(shp)},
                          drawer)


@register
@dataclass(frozen=True)
class ARMA(NullModel):
    """Best ARMA(p, q) with constant by AIC (statsmodels exact ML), simulated with burn-in.

    Parameters
    ----------
    max_p, max_q : int
        Orders searched: 0..max_p x 0..max_q (p = q = 0, white noise, included).
    criterion : {"aic", "bic"}
    max_burn_in : int
        Cap on R's burn-in rule (the start is already stationary, so the burn-in only adds safety).
    """

    name: ClassVar[str] = "arma"
    summary: ClassVar[str] = "best ARMA(p,q) with constant by AIC over 0<=p,q<=4 (statsmodels ML), burn-in"
    preserves: ClassVar[str] = "mean and the autocovariance of the fitted ARMA (Gaussian)"
    reference: ClassVar[str] = "Dakos et al. 2012, PLoS ONE 7:e41010 (earlywarnings' surrogates_ews)"
    max_p: int = 4
    max_q: int = 4
    criterion: str = "aic"
    max_burn_in: int = 1000

    def __post_init__(self):
        for k in ("max_p", "max_q"):
            v = getattr(self, k)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v <= 10:
                raise InputError(f"{k} must be an integer in 0..10, got {v!r}.")
        if isinstance(self.max_burn_in, bool) or not isinstance(self.max_burn_in, (int, np.integer)) \
                or self.max_burn_in < 0:
            raise InputError(f"max_burn_in must be a non-negative integer, got {self.max_burn_in!r}.")
        if self.criterion not in ("aic", "bic"):
            raise InputError(f"criterion must be 'aic' or 'bic', got {self.criterion!r}.")

    def _fit(self, ts, X, L):
        R = X.shape[0]
        P, Q = self.max_p, self.max_q
        ar = np.zeros((R, max(P, 1)))
        ma = np.zeros((R, max(Q, 1)))
        p_ = np.zeros(R, dtype=np.int64)
        q_ = np.zeros(R, dtype=np.int64)
        mu = np.zeros(R)
        sigma = np.zeros(R)
        ic = np.full((R, P + 1, Q + 1), np.nan)
        burn = np.zeros(R, dtype=np.int64)
        models = []
        for i in range(R):
            best = fit_arma_row(X[i, : L[i]], P, Q, self.criterion)
            ic[i] = best["table"]
            p_[i], q_[i] = best["p"], best["q"]
            ar[i, : best["p"]] = best["ar"]
            ma[i, : best["q"]] = best["ma"]
            mu[i], sigma[i] = best["mean"], math.sqrt(best["sigma2"])
            burn[i] = min(arma_burn_in(best["ar"], best["q"]), self.max_burn_in)
            models.append((best["ar"], best["ma"]))
        AR, MA, F = arma_draw_arrays(models)

        def drawer(states, n):
            from .._kernels.surrogates import arma_draw

            out = np.empty((states.shape[0], n))
            arma_draw(states, mu, AR, MA, sigma, F, burn, L, out)
            return out

        shp = _lead_shape(ts)
        params = {"p": p_.reshape(shp), "q": q_.reshape(shp), "mean": mu.reshape(shp), "sigma": sigma.reshape(shp),
                  "ar": ar.reshape(shp + ar.shape[1:]), "ma": ma.reshape(shp + ma.shape[1:]),
                  self.criterion: ic.reshape(shp + ic.shape[1:])}
        return FittedNull(self, ts, params, drawer)
