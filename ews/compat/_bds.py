r"""R's ``bdstest_ews`` (earlywarnings 1.1.29), returning the numbers R only prints.

What R computes (QUIRKS.md 2.6), reproduced here
------------------------------------------------
Y = the series (after R's optional interpolation and log(Y + 1)). Three stages, each run by R's
``BDSboot``:

1. E = diff(Y), labelled "Detrended data";
2. E = residuals of ``arima(Y, order = c(p, 0, q), include.mean = TRUE)`` (CSS-ML, R's BFGS; the
   residuals are R's standardised innovations v_t / sqrt(F_t), F_t in units of sigma^2), labelled
   "ARMA model residuals";
3. E = ``tseries::garch(Y, order = GARCHorder)$residuals[-1]`` fitted on the **raw Y** (the label says
   "detrended data"; a quirk), labelled "GARCH(0,1) model residuals" whatever the order (a quirk).
   tseries' GARCH(p, q) has **no mean**: h_t = a0 + sum_{j<=q} a_j Y_{t-j}^2 + sum_{j<=p} b_j h_{t-j}
   (p GARCH lags, q ARCH lags), maximising -1/2 sum_{t > max(p,q)} (log h_t + Y_t^2 / h_t) with the
   pre-sample h = mean(Y^2), a0 > 0, a_j, b_j >= 0, start (var(Y)(1 - 0.05 (p+q)), 0.05, ..);
   residuals Y_t / sqrt(h_t) with h's pre-sample values a0 / (1 - sum a - sum b).

In each stage eps = round(sd(E) * epsilon, 6) (absolute), the statistics are ``tseries::bds.test``'s
(``ews.nonlinear._bds``, convention "tseries": <=, C_1, K and every C_m on the first n - M + 1 points)
with the two-sided normal p, and the bootstrap P = #{W*_b > W} / boots from ``boots`` resamples of E
with replacement (the same eps; one-sided, never 1/(B+1) at the smallest: a P of 0 is possible).

The ARMA fit is a port of R's ``arima`` with ``include.mean = TRUE``: the mean enters as a regressor
with start ``mean(Y)`` and optim ``parscale`` 10 * its lm standard error; CSS (``ncond = p``) gives the
start of the exact-likelihood (Kalman, Gardner et al. 1980 initial covariance) ML fit; both minimised
by the port of R's BFGS in :mod:`ews.compat._arima` (no restarts: R's single run). The GARCH fit
minimises tseries' likelihood with scipy's L-BFGS-B and the analytic gradient of tseries' ``calcg``
(R uses the PORT library's ``dsumsl``; both are quasi-Newton, so the coefficients agree to what the
data determine, not digit for digit).

R bugs fixed here (documented, on purpose)
------------------------------------------
* ``ARMAoptim = TRUE`` (R's default) always errors in R: the best-AIC choice runs *inside* the grid
  loop while the 4 x 5 AIC matrix is still mostly NA, so ``which(arma == min(arma))`` is empty and
  ``arima(order = c(NA, 0, NA))`` fails. Here the whole grid (p = 1..4, q = 0..4, each
  ``arima(Y, c(p, 0, q), method = "ML", include.mean = TRUE)`` as in R's loop) is fitted first, then the
  smallest AIC is chosen and refitted with R's default CSS-ML, as R's code intends. An order whose fit
  fails is skipped with a warning (R would stop).
* A plain vector input errors in R (``ts(x)`` has no ``dim``); it is accepted here as R intends.
* With max(p, q) > 1 in ``GARCHorder``, ``residuals[-1]`` keeps NA values and R's ``bds.test`` stops
  ("NAs in x"); here all max(p, q) undefined leading residuals are dropped, with a warning.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from .._errors import EWSWarning, InputError
from .._random import seed_sequence
from .._validate import check_bool, show
from ..nonlinear import bds_statistics, check_epsilon, check_max_dim, stage_seed
from ._arima import (_ar_check, _ma_invert, _rlog, arima_css, arima_like, arima_like_resid, getq0, invpartrans,
                     partrans, vmmin)
from ._r import prepare

STAGE_NAMES = ("Detrended data", "ARMA model residuals", "GARCH(0,1) model residuals")
COLUMNS = ["stage", "stage_name", "m", "epsilon_multiplier", "epsilon", "bds_statistic", "p_normal", "p_boot"]


# ----------------------------------------------------------------------------------------------------
# R's arima(x, c(p, 0, q), include.mean = TRUE)
# ----------------------------------------------------------------------------------------------------
def arima_residuals(y, phi, theta, Pn0):
    """R ``ARIMA_Like(..., useResid = TRUE)`` for d = 0: the standardised innovations
    resid_t / sqrt(gain_t), and ssq (R's ``sigma2 = ssq / n`` after the fit)."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    res = np.empty(y.size)
    ssq, _, _ = arima_like_resid(y, phi, theta, Pn0, res)
    return res, float(ssq)


def r_arima_mean(x, p: int, q: int, method: str = "CSS-ML") -> dict:
    """R ``arima(x, order = c(p, 0, q), include.mean = TRUE, method = method)`` (``"CSS-ML"`` or ``"ML"``).

    Returns ``coef`` (R's names: ar1.., ma1.., intercept), ``sigma2``, ``loglik``, ``aic``,
    ``residuals`` (n,), ``code`` (optim's convergence). Raises ``ValueError`` where R stops
    ("non-stationary AR part from CSS") and ``FloatingPointError`` where R's optim fails.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    n = x.size
    narma = p + q
    empty = np.zeros(0)
    mu0 = float(np.mean(x))
    se = float(np.std(x, ddof=1) / math.sqrt(n))  # lm(x ~ 1)'s standard error of the intercept
    scale = np.r_[np.ones(narma), 10.0 * se] if se > 0 else np.ones(narma + 1)
    init = np.r_[np.zeros(narma), mu0]

    def css(par):
        w = x - par[narma]
        return 0.5 * _rlog(arima_css(w, par[:p].copy(), par[p:narma].copy(), p))

    def armafn(par):
        phi = partrans(par[:p].copy()) if p > 0 else empty
        theta = par[p:narma].copy()
        ssq, sumlog, nu = arima_like(x - par[narma], phi, theta, getq0(phi, theta))
        with np.errstate(all="ignore"):
            s2 = np.float64(ssq) / np.float64(nu)
            return 0.5 * (_rlog(float(s2)) + float(np.float64(sumlog) / np.float64(nu)))

    def optim(fn, b):  # optim(method = "BFGS", control = list(parscale = scale))
        u, value, code = vmmin(lambda v: fn(v * scale), np.asarray(b, float) / scale)
        return u * scale, value, code

    if method == "CSS-ML":
        par, _, conv = optim(css, init)
        if conv == 0:
            init = par.copy()
        if p > 0 and not _ar_check(init[:p]):
            raise ValueError("non-stationary AR part from CSS")
    elif method != "ML":
        raise InputError(f"method must be 'CSS-ML' or 'ML', got {show(method)}.")
    if p > 0:
        init[:p] = invpartrans(init[:p].copy())
    if q > 0:
        init[p:narma] = _ma_invert(init[p:narma])
    coef, value, code = optim(armafn, init)
    if q > 0:
        newma = _ma_invert(coef[p:narma])
        if np.any(newma != coef[p:narma]):
            coef = coef.copy()
            coef[p:narma] = newma
            value = armafn(coef)  # R: optim(..., maxit = 0)
    phi = partrans(coef[:p].copy()) if p > 0 else empty
    theta = coef[p:narma].copy()
    mu = float(coef[narma])
    resid, ssq = arima_residuals(x - mu, phi, theta, getq0(phi, theta))
    val = 2 * n * value + n + n * math.log(2 * math.pi)
    names = [f"ar{i + 1}" for i in range(p)] + [f"ma{i + 1}" for i in range(q)] + ["intercept"]
    coefs = dict(zip(names, [float(v) for v in np.r_[phi, theta, mu]]))
    return {"coef": coefs, "p": p, "q": q, "sigma2": ssq / n, "loglik": -0.5 * val,
            "aic": val + 2 * (narma + 1) + 2, "residuals": resid, "code": code}


def arma_aic_grid(Y):
    """R's (intended) ARMAoptim: AIC of ``arima(Y, c(p, 0, q), method = "ML", include.mean = TRUE)``
    for p = 1..4, q = 0..4 (a 4 x 5 DataFrame, NaN where the fit fails) and the chosen (p, q)."""
    aic = np.full((4, 5), np.nan)
    failed = []
    for p in range(1, 5):
        for q in range(5):
            try:
                aic[p - 1, q] = r_arima_mean(Y, p, q, method="ML")["aic"]
            except (ValueError, FloatingPointError) as exc:
                failed.append(f"ARMA({p},{q}): {exc}")
    if failed:
        warnings.warn("bdstest_ews: R's arima fails on " + "; ".join(failed) + " (R would stop); those "
                      "orders are skipped.", EWSWarning, stacklevel=3)
    if not np.isfinite(aic).any():
        raise InputError("bdstest_ews: no ARMA(p, q), p = 1..4, q = 0..4, could be fitted to the series.")
    i, j = np.unravel_index(np.nanargmin(aic), aic.shape)
    table = pd.DataFrame(aic, index=pd.Index(range(1, 5), name="p"), columns=pd.Index(range(5), name="q"))
    return table, (int(i) + 1, int(j))


# ----------------------------------------------------------------------------------------------------
# tseries::garch
# ----------------------------------------------------------------------------------------------------
def _garch_h(y, par, p, q, h0):
    """Conditional variances h (tseries' recursion) with pre-sample value h0, and dh/dpar."""
    n = y.size
    k = p + q + 1
    m = max(p, q)
    h = np.empty(n)
    dh = np.zeros((n, k))
    h[:m] = h0
    dh[:m, 0] = 1.0
    y2 = y * y
    for i in range(m, n):
        t = par[0]
        g = np.zeros(k)
        g[0] = 1.0
        for j in range(1, q + 1):
            t += par[j] * y2[i - j]
            g[j] = y2[i - j]
        for j in range(1, p + 1):
            t += par[q + j] * h[i - j]
            g[q + j] = h[i - j]
        for j in range(1, p + 1):
            g += par[q + j] * dh[i - j]
        h[i] = t
        dh[i] = g
    return h, dh


def garch_nll(y, par, p, q):
    """tseries' ``calcf``/``calcg``: 0.5 sum_{t >= max(p,q)} (log h_t + y_t^2 / h_t) and its gradient
    (h pre-sample = mean(y^2)); 1e10 where a0 <= 0 or another coefficient < 0."""
    par = np.asarray(par, float)
    if par[0] <= 0 or np.any(par[1:] < 0):
        return 1e10, np.zeros(par.size)
    m = max(p, q)
    h, dh = _garch_h(y, par, p, q, np.mean(y * y))
    hh, yy = h[m:], y[m:] ** 2
    f = 0.5 * np.sum(np.log(hh) + yy / hh)
    w = 0.5 * (1.0 - yy / hh) / hh
    return float(f), w @ dh[m:]


def garch_ophess(y, par, p, q):
    """tseries' ``ophess_garch``: the outer-product approximation of the Hessian (its inverse is
    ``vcov`` of the fit)."""
    par = np.asarray(par, float)
    m = max(p, q)
    h, dh = _garch_h(y, par, p, q, np.mean(y * y))
    w = 0.5 * (1.0 - y[m:] ** 2 / h[m:]) / h[m:]
    G = w[:, None] * dh[m:]
    return G.T @ G


def garch_residuals(Y, par, order=(0, 1)) -> np.ndarray:
    """tseries' ``residuals``: Y_t / sqrt(h_t) at coefficients ``par`` (a0, a1.., b1..), h's pre-sample
    values a0 / (1 - sum of the other coefficients) (``tseries_pred_garch``); NaN for t < max(p, q)."""
    y = np.ascontiguousarray(Y, dtype=np.float64)
    par = np.asarray(par, float)
    p, q = int(order[0]), int(order[1])
    with np.errstate(all="ignore"):
        h0 = par[0] / (1.0 - np.sum(par[1:]))
        h, _ = _garch_h(y, par, p, q, h0)
        e = y / np.sqrt(h)
    e[: max(p, q)] = np.nan
    return e


def r_garch(Y, order=(0, 1)) -> dict:
    """``tseries::garch(Y, order = c(p, q))`` (p GARCH lags, q ARCH lags, no mean), see the module
    docstring. Returns ``coef`` (a0, a1.., b1..), ``nll``, ``se`` (from the outer-product Hessian),
    ``residuals`` (n,; NaN for the first max(p, q)) and the optimiser's ``message``."""
    from scipy.optimize import minimize

    y = np.ascontiguousarray(Y, dtype=np.float64)
    p, q = int(order[0]), int(order[1])
    k = p + q + 1
    start = np.r_[np.var(y, ddof=1) * (1.0 - 0.05 * (k - 1)), np.full(k - 1, 0.05)]
    tiny = 1e-12 * max(float(np.mean(y * y)), 1e-300)
    res = minimize(lambda v: garch_nll(y, v, p, q), start, jac=True, method="L-BFGS-B",
                   bounds=[(tiny, None)] + [(0.0, None)] * (k - 1),
                   options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 2000, "maxcor": 20})
    par = np.asarray(res.x, float)
    e = garch_residuals(y, par, (p, q))
    try:
        se = np.sqrt(np.diag(np.linalg.inv(garch_ophess(y, par, p, q))))
    except np.linalg.LinAlgError:
        se = np.full(k, np.nan)
    names = ["a0"] + [f"a{j}" for j in range(1, q + 1)] + [f"b{j}" for j in range(1, p + 1)]
    return {"coef": dict(zip(names, par.tolist())), "se": dict(zip(names, se.tolist())),
            "nll": float(res.fun), "residuals": e, "message": str(res.message), "success": bool(res.success)}


# ----------------------------------------------------------------------------------------------------
# the R function
# ----------------------------------------------------------------------------------------------------
class BDSTestEWSResult:
    """What ``bdstest_ews`` computes (R prints it and returns NULL).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per stage x m x epsilon: stage (1, 2, 3), stage_name, m, epsilon_multiplier, epsilon
        (absolute, R's rounding), bds_statistic, p_normal, p_boot (R's #{boot > obs} / boots).
    residuals : dict
        {1: diff(Y), 2: ARMA residuals, 3: GARCH residuals[-1]} (the series each stage tested).
    arma : dict
        R's ``armafit``: ``coef`` (ar1.., ma1.., intercept), ``sigma2``, ``loglik``, ``aic``, ``p``, ``q``,
        and with ``ARMAoptim=True`` the ``aic_grid`` (4 x 5 DataFrame, ML fits, rows p = 1..4, columns
        q = 0..4).
    garch : dict
        ``coef`` (a0, a1.., b1..), ``se``, ``nll`` (tseries' objective at the fit).
    boot_statistics : dict
        {stage: (boots, m, epsilon) bootstrap statistics}.
    """

    def __init__(self, table, residuals, arma, garch, boot_statistics, boots):
        self.table, self.residuals, self.arma, self.garch = table, residuals, arma, garch
        self.boot_statistics, self.boots = boot_statistics, boots

    def __getitem__(self, key):
        return self.table[key]

    def statistic(self, stage: int) -> pd.DataFrame:
        """R's printed matrix of one stage: rows m, columns epsilon."""
        t = self.table[self.table.stage == stage]
        return t.pivot(index="m", columns="epsilon", values="bds_statistic")

    def __repr__(self) -> str:
        ar = ", ".join(f"{k}={v:.4g}" for k, v in self.arma["coef"].items())
        ga = ", ".join(f"{k}={v:.4g}" for k, v in self.garch["coef"].items())
        return (f"BDSTestEWSResult(ARMA({self.arma['p']},{self.arma['q']}): {ar}; garch: {ga}; "
                f"{len(self.table)} statistics, boots={self.boots})")


def _r_round6(v: float) -> float:
    return float(round(float(v), 6))


def _stage(E, epsilon, embdim, boots, rng):
    sd = float(np.std(E, ddof=1))
    eps = np.array([_r_round6(sd * e) for e in epsilon])
    if not np.all(eps > 0):
        raise InputError(f"bdstest_ews: eps = round(sd(E) * epsilon, 6) = {eps.tolist()} is not positive "
                         "(a constant or nearly constant series); R's bds.test stops with 'invalid eps'.")
    w = bds_statistics(E[None, :], eps[None, :], embdim, "tseries")[0].T  # (m, eps)
    from scipy.special import ndtr

    pn = 2.0 * ndtr(-np.abs(w))
    if boots:
        idx = rng.integers(0, E.size, size=(boots, E.size))
        null = np.transpose(bds_statistics(E[idx], eps, embdim, "tseries"), (0, 2, 1))  # (B, m, eps)
        P = np.sum(null > w[None], axis=0) / boots
    else:
        null = np.zeros((0,) + w.shape)
        P = np.full(w.shape, np.nan)
    return eps, w, pn, P, null


def bdstest_ews(timeseries, ARMAoptim=True, ARMAorder=(1, 0), GARCHorder=(0, 1), embdim=3,
                epsilon=(0.5, 0.75, 1), boots=1000, logtransform=False, interpolate=False,
                seed=None) -> BDSTestEWSResult:
    """R ``bdstest_ews``: BDS tests on diff(Y), ARMA residuals and GARCH residuals (see the module
    docstring for what is computed and which R bugs are fixed). Returns a :class:`BDSTestEWSResult`
    (R returns NULL and prints). The bootstrap uses numpy's generator (``seed``), not R's RNG."""
    ARMAoptim = check_bool(ARMAoptim, "ARMAoptim")
    logtransform = check_bool(logtransform, "logtransform")
    interpolate = check_bool(interpolate, "interpolate")
    embdim = check_max_dim(embdim, "embdim")
    epsilon = check_epsilon(epsilon)
    if isinstance(boots, bool) or not isinstance(boots, (int, np.integer)) or boots < 0:
        raise InputError(f"boots must be a whole number >= 0, got {show(boots)}.")
    orders = []
    for name, order in (("ARMAorder", ARMAorder), ("GARCHorder", GARCHorder)):
        try:
            a, b = (int(v) for v in order)
            ok = all(float(v) == int(v) and v >= 0 for v in order)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise InputError(f"{name} must be a pair of whole numbers >= 0, got {show(order)}.")
        orders.append((a, b))
    (ap, aq), (gp, gq) = orders
    if gp + gq == 0:
        raise InputError("GARCHorder = (0, 0) is not a GARCH model; tseries::garch needs at least one lag, "
                         "e.g. GARCHorder=(0, 1).")
    root = seed_sequence(seed)
    _, Y = prepare(timeseries, logtransform, interpolate)
    if not np.all(np.isfinite(Y)):
        raise InputError("bdstest_ews: the series has NaN or infinite values after logtransform "
                         "(log(Y + 1) needs Y > -1).")
    if Y.size < embdim + 10:
        raise InputError(f"bdstest_ews: the series has {Y.size} points; the BDS test needs at least "
                         f"{embdim + 10} for embdim={embdim}.")
    if ARMAoptim:
        grid, (ap, aq) = arma_aic_grid(Y)
    try:
        arma = r_arima_mean(Y, ap, aq)
    except (ValueError, FloatingPointError) as exc:
        raise InputError(f"bdstest_ews: R's arima(Y, c({ap}, 0, {aq}), include.mean = TRUE) fails: {exc}. "
                         "Choose another ARMAorder.") from None
    if ARMAoptim:
        arma["aic_grid"] = grid
    garch = r_garch(Y, (gp, gq))
    E3 = garch["residuals"][1:]
    if np.isnan(E3).any():
        warnings.warn(f"bdstest_ews: GARCHorder={tuple(GARCHorder)} leaves {int(np.isnan(E3).sum())} undefined "
                      "residuals after R's residuals[-1] (R's bds.test would stop on them); they are dropped.",
                      EWSWarning, stacklevel=2)
        E3 = E3[~np.isnan(E3)]
    series = {1: np.diff(Y), 2: arma["residuals"], 3: E3}
    rows, nulls = [], {}
    for s in (1, 2, 3):
        eps, w, pn, P, null = _stage(series[s], epsilon, embdim, int(boots), stage_seed(root, 0, s - 1))
        nulls[s] = null
        for im in range(embdim - 1):
            for ie, e in enumerate(epsilon):
                rows.append((s, STAGE_NAMES[s - 1], im + 2, e, eps[ie], w[im, ie], pn[im, ie], P[im, ie]))
    table = pd.DataFrame(rows, columns=COLUMNS)
    return BDSTestEWSResult(table, series, arma, garch, nulls, int(boots))
