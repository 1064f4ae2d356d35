"""R ``earlywarnings`` 1.1.29 ``ch_ews`` and ``ddjnonparam_ews``, numbers and quirks included.

``ch_ews`` (conditional heteroskedasticity, Seekell et al. 2011)
----------------------------------------------------------------
``w = round(winsize * n / 100)`` (half to even); windows end at ``i2 = w..n`` (not detrended). In each
window R calls ``ar(x, method="ols")``, i.e. ``ar.ols`` with its defaults, reproduced here step by step:

* ``x`` is divided by its sd (``sc = sd(x)``, 1 if zero) and demeaned;
* for ``m = 0..order.max`` (``order.max = min(w - 1, floor(10 log10 w))``; with ``optim=False`` only
  ``m = lags``) the design is ``X = [1, x_{t-1}, .., x_{t-m}]`` over ``t = m+1..w`` (``N = w - m``
  rows: **each order on its own sample**); ``XX = X'X``; if ``qr(XX)$rank < m + 1`` (LINPACK
  ``dqrdc2`` with tol 1e-7: a column whose norm after the previous Householder steps is below 1e-7 times
  its original norm counts as dependent) R warns "model order m singularities in the computation of
  the projection matrix" and **stops**: orders >= m are never considered (on 20 points the design of
  order 10 has 10 rows and 11 columns, so R stops there and nearly always picks 9, the highest
  non-singular order, because the residual variance of a near-interpolating fit is tiny);
* otherwise ``P = solve(XX)``, ``A = (Y X) P``, ``E = Y - A X'``, ``varE = E'E / N`` and
  ``AIC(m) = w log(varE) + 2 (m + 1)`` (``w``, not ``N``; log(0) = -Inf);
* the order is the first minimum of AIC; the residuals are ``E * sc`` with NA for the first ``m``.

Then ``e2 = na.omit(resid)^2`` (``L = w - m`` values), ``R^2 = summary(lm(e2[2:L] ~ e2[1:(L-1)]))
$r.squared`` (0 when lm drops the regressor as aliased, NaN when everything is constant),
``critical = qchisq(1 - alpha, 1) / (L - 1)``, ``test.result = R^2 > critical``.

``ddjnonparam_ews`` (drift-diffusion-jump, Carpenter & Brock 2011)
------------------------------------------------------------------
**logtransform=True by default** (R's documentation says FALSE). ``X = Y``, ``dX = diff(Y)``, ``nx = n-1``,
``DT = t_2 - t_1`` (from the time index: 1 for a 1-column input), ``h = bandwidth * sd(X)``, grid
``avec = seq(min X, max X, length = na)``; kernel ``K[a, i] = phi((X_i - a)/h)/h``, ``i = 1..nx``.
``M_k(a) = (1/DT) sum_i K dX_i^k / sum_i K`` (k = 1, 2, 4, 6);
``S2(a) = sum K X_{i+1}^2 / sum K - (sum K X_{i+1} / sum K)^2`` (one-pass, as R);
``sigma2_Z = mean_a(M6/M4) / 5``; ``lambda(a) = M4 / (3 sigma2_Z^2)``;
``diffusion(a) = max(0, M2 - lambda sigma2_Z)``; total variance = ``M2``. The time courses are R's
``approx(avec, ., xout = X)``. R returns 10 parts (``c(df, df)``); the drift ``M1`` is computed but
dropped (returned here as ``drift``).

Differences from R (input only): R's ``ch_ews`` and ``ddjnonparam_ews`` refuse a plain vector
(``ts(x)`` has no second dimension: "argument is of length zero"); here a vector is read as R reads a
1-column matrix. Nothing is plotted.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import EWSWarning, InputError
from ._r import prepare, r_round

_CH_COLUMNS = ["time", "r.squared", "critical.value", "test.result", "ar.fit.order"]
_DDJ_X = ["avec", "S2.vec", "TotVar.dx.vec", "Diff2.vec", "LamdaZ.vec"]
_DDJ_T = ["Tvec1", "S2.t", "TotVar.t", "Diff2.t", "Lamda.t"]


# --------------------------------------------------------------------------------------------------
# R's linear algebra: LINPACK dqrdc2 rank, ar.ols, lm's R^2, seq, approx

def dqrdc2_rank(x, tol: float = 1e-7) -> int:
    """Rank of ``x`` as R's ``qr(x)$rank`` (LINPACK ``dqrdc2`` with limited column pivoting)."""
    x = np.array(x, dtype=np.float64)
    n, p = x.shape
    qraux = np.sqrt(np.einsum("ij,ij->j", x, x))
    work1 = qraux.copy()
    work2 = np.where(qraux == 0.0, 1.0, qraux)
    k = p + 1
    for l in range(min(n, p)):
        # move negligible columns to the right edge (at most k - l - 1 times)
        while not (l + 1 >= k or qraux[l] >= work2[l] * tol):
            x[:, l:] = np.roll(x[:, l:], -1, axis=1)
            qraux[l:] = np.roll(qraux[l:], -1)
            work1[l:] = np.roll(work1[l:], -1)
            work2[l:] = np.roll(work2[l:], -1)
            k -= 1
        if l + 1 == n:
            continue
        nrmxl = np.sqrt(x[l:, l] @ x[l:, l])
        if nrmxl == 0.0:
            continue
        if x[l, l] != 0.0:
            nrmxl = np.copysign(nrmxl, x[l, l])
        x[l:, l] *= 1.0 / nrmxl
        x[l, l] += 1.0
        if l + 1 < p:
            t = -(x[l:, l] @ x[l:, l + 1:]) / x[l, l]
            x[l:, l + 1:] += np.outer(x[l:, l], t)
            nz = qraux[l + 1:] != 0.0
            with np.errstate(divide="ignore", invalid="ignore"):
                tt = np.maximum(1.0 - (np.abs(x[l, l + 1:]) / qraux[l + 1:]) ** 2, 0.0)
            for jj in np.flatnonzero(nz):
                j = l + 1 + jj
                if abs(tt[jj]) >= 1e-6:
                    qraux[j] = qraux[j] * np.sqrt(tt[jj])
                else:
                    qraux[j] = np.sqrt(x[l + 1:, j] @ x[l + 1:, j])
                    work1[j] = qraux[j]
        qraux[l] = x[l, l]
        x[l, l] = -nrmxl
    return min(k - 1, n)


@dataclass
class _ArOls:
    order: int
    resid: np.ndarray  # the L = n - order residuals (R's na.omit(resid))
    singular_at: int | None  # the order at which R warned "singularities" (None: no warning)


def ar_ols(x, aic: bool = True, order_max: int | None = None) -> _ArOls:
    """R ``ar.ols(x, aic, order.max, demean=TRUE, intercept=TRUE)``: order and residuals (see the
    module docstring). Raises InputError where R stops with an error."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    sc = float(np.sqrt(np.var(x, ddof=1))) if n > 1 else 0.0
    if sc == 0.0 or not np.isfinite(sc):
        sc = 1.0
    x = x / sc
    x = x - x.mean()
    if order_max is None:
        order_max = min(n - 1, int(np.floor(10.0 * np.log10(n))))
    else:
        order_max = r_round(order_max)
    if order_max < 0:
        raise InputError("'order.max' must be >= 0 (R's ar.ols stops here); pass lags >= 0.")
    if order_max >= n:
        raise InputError(f"'order.max' must be < 'n.used' (R's ar.ols stops here): the AR order "
                         f"{order_max} needs a window of more than {order_max} points, the window has {n}. "
                         "Use a larger winsize or fewer lags.")
    omin = 0 if aic else order_max
    xaic = np.full(order_max - omin + 1, np.inf)
    resid = {}
    singular_at = None
    for m in range(omin, order_max + 1):
        N = n - m
        Y = x[m:]
        X = np.empty((N, m + 1))
        X[:, 0] = 1.0
        for k in range(1, m + 1):
            X[:, k] = x[m - k: n - k]
        XX = X.T @ X
        if dqrdc2_rank(XX) != m + 1:
            singular_at = m
            break
        P = np.linalg.solve(XX, np.eye(m + 1))
        A = (Y @ X) @ P
        E = Y - X @ A
        varE = (E @ E) / N
        with np.errstate(divide="ignore"):
            xaic[m - omin] = n * np.log(max(0.0, varE)) + 2.0 * (m + 1)
        resid[m] = E
    if not resid:
        raise InputError(f"the AR({order_max}) design of a {n}-point window is singular, so R's ar.ols "
                         "fails ('subscript out of bounds'). Use fewer lags or a larger winsize.")
    m = int(np.argmin(xaic)) + omin  # the first minimum, as which(xaic == min(xaic))[1]
    return _ArOls(m, resid[m] * sc, singular_at)


def lm_r_squared(y, x) -> float:
    """``summary(lm(y ~ x))$r.squared`` for one regressor: mss / (mss + rss); 0 when lm drops ``x`` as
    aliased (dqrls rank check, tol 1e-7) and the response varies; NaN for 0/0."""
    y = np.asarray(y, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    yc = y - y.mean()
    syy = yc @ yc
    if y.size < 2 or dqrdc2_rank(np.column_stack([np.ones(x.size), x])) < 2:
        return 0.0 if syy > 0 else np.nan
    xc = x - x.mean()
    sxy = xc @ yc
    sxx = xc @ xc
    mss = sxy * sxy / sxx
    rss = max(syy - mss, 0.0)
    den = mss + rss
    return mss / den if den > 0 else np.nan


def r_seq(start: float, stop: float, n: int) -> np.ndarray:
    """R ``seq(start, stop, length.out = n)``: ``start + k * by``, the last point exactly ``stop``."""
    if n == 1:
        return np.array([start], dtype=np.float64)
    by = (stop - start) / (n - 1)
    out = start + np.arange(n) * by
    out[-1] = stop
    return out


def r_approx(x, y, xout) -> np.ndarray:
    """R ``approx(x, y, xout)$y`` (linear, ``rule = 1``: NA outside), with R's arithmetic
    ``y_i + (y_j - y_i) * ((v - x_i) / (x_j - x_i))`` on sorted, distinct ``x``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    v = np.asarray(xout, dtype=np.float64)
    n = x.size
    out = np.full(v.shape, np.nan)
    inside = (v >= x[0]) & (v <= x[-1])
    j = np.clip(np.searchsorted(x, v, side="right"), 1, n - 1)  # x[j-1] <= v < x[j] (bisection's i, j)
    i = j - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        lin = y[i] + (y[j] - y[i]) * ((v - x[i]) / (x[j] - x[i]))
    res = np.where(v == x[j], y[j], np.where(v == x[i], y[i], lin))
    out[inside] = res[inside]
    return out


# --------------------------------------------------------------------------------------------------
# ch_ews

@dataclass
class ChEWSResult:
    """What ``ch_ews`` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        R's data frame: ``time`` (time index at the window end), ``r.squared``, ``critical.value``,
        ``test.result`` (1 = R^2 > critical), ``ar.fit.order``.
    singular_orders : numpy.ndarray
        Per window, the AR order at which R's ``ar.ols`` warned "singularities" and stopped (-1: no
        warning). R prints one warning per such window.
    winsize_points : int
        The window in points, ``round(winsize * n / 100)``.
    """

    table: pd.DataFrame
    singular_orders: np.ndarray
    winsize_points: int

    def __getitem__(self, key):
        return self.table[key]

    def __repr__(self) -> str:
        t = self.table
        return (f"ChEWSResult({len(t)} windows of {self.winsize_points} points, "
                f"{int(t['test.result'].sum())} significant, AR orders "
                f"{int(t['ar.fit.order'].min())}..{int(t['ar.fit.order'].max())})")


def ch_ews(timeseries, winsize=10, alpha=0.1, optim=True, lags=4, logtransform=False,
           interpolate=False) -> ChEWSResult:
    """R ``earlywarnings::ch_ews``: rolling conditional heteroskedasticity with R's ``ar.ols`` filter
    (see the module docstring for the exact algorithm and its quirks).

    Parameters are R's: ``winsize`` in % of the series length, ``alpha`` the test level, ``optim``
    (AIC order choice, else the fixed order ``lags``), ``logtransform`` (log(Y + 1)), ``interpolate``.

    Examples
    --------
    >>> import numpy as np
    >>> from ews.compat.earlywarnings import ch_ews  # doctest: +SKIP
    >>> r = ch_ews(np.random.default_rng(1).normal(size=200))  # doctest: +SKIP
    >>> list(r.table.columns)  # doctest: +SKIP
    ['time', 'r.squared', 'critical.value', 'test.result', 'ar.fit.order']
    """
    from scipy.stats import chi2

    timeindex, Y = prepare(timeseries, logtransform, interpolate)
    for v, what in ((winsize, "winsize"), (alpha, "alpha")):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v):
            raise InputError(f"{what} must be a finite number, got {v!r}.")
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be in (0, 1), got {alpha!r}.")
    n = Y.size
    w = r_round(winsize * n / 100.0)
    if w < 3 or w > n:
        raise InputError(f"winsize={winsize}% of {n} points gives windows of {w} points; ch_ews needs "
                         f"3 to {n}. Choose winsize between {300.0 / n:.3g} and 100.")
    q = float(chi2.ppf(1.0 - alpha, 1))
    rows = []
    sing = []
    for i2 in range(w, n + 1):
        fit = ar_ols(Y[i2 - w:i2], aic=True) if optim else ar_ols(Y[i2 - w:i2], aic=False, order_max=lags)
        e2 = fit.resid ** 2
        L = e2.size
        r2 = lm_r_squared(e2[1:], e2[:-1]) if L >= 2 else np.nan
        crit = q / (L - 1) if L > 1 else np.nan
        rows.append((timeindex[i2 - 1], r2, crit, 1 if r2 > crit else 0, fit.order))
        sing.append(-1 if fit.singular_at is None else fit.singular_at)
    table = pd.DataFrame(rows, columns=_CH_COLUMNS)
    table["test.result"] = table["test.result"].astype(np.int64)
    table["ar.fit.order"] = table["ar.fit.order"].astype(np.int64)
    return ChEWSResult(table, np.asarray(sing, dtype=np.int64), w)


# --------------------------------------------------------------------------------------------------
# ddjnonparam_ews

@dataclass
class DDJNonparamEWSResult:
    """What ``ddjnonparam_ews`` returns, plus the drift R computes and drops.

    Attributes
    ----------
    avec, S2_vec, TotVar_dx_vec, Diff2_vec, LamdaZ_vec : numpy.ndarray
        On the grid of ``na`` states: the grid, conditional variance, total variance of dx, diffusion,
        jump intensity.
    Tvec1, S2_t, TotVar_t, Diff2_t, Lamda_t : numpy.ndarray
        The time index and the same quantities interpolated at the observed states (R ``approx``).
    drift : numpy.ndarray
        The drift ``M1`` on the grid (computed by R, not returned).
    sigma2_Z : float
        The jump variance; ``bw`` the kernel bandwidth ``bandwidth * sd(X)``; ``DT`` the time step.
    """

    avec: np.ndarray
    S2_vec: np.ndarray
    TotVar_dx_vec: np.ndarray
    Diff2_vec: np.ndarray
    LamdaZ_vec: np.ndarray
    Tvec1: np.ndarray
    S2_t: np.ndarray
    TotVar_t: np.ndarray
    Diff2_t: np.ndarray
    Lamda_t: np.ndarray
    drift: np.ndarray
    sigma2_Z: float
    bw: float
    DT: float

    _R_NAMES = dict(zip(_DDJ_X + _DDJ_T, ["avec", "S2_vec", "TotVar_dx_vec", "Diff2_vec", "LamdaZ_vec",
                                          "Tvec1", "S2_t", "TotVar_t", "Diff2_t", "Lamda_t"]))

    def __getitem__(self, key):
        """R's names: ``res["S2.vec"]``, ``res["Lamda.t"]``, ... (and ``"drift"``)."""
        if key in self._R_NAMES:
            return getattr(self, self._R_NAMES[key])
        if key == "drift":
            return self.drift
        raise KeyError(f"{key!r}; R's parts are {list(self._R_NAMES)} (and 'drift').")

    def keys(self):
        return list(self._R_NAMES)

    @property
    def x_table(self) -> pd.DataFrame:
        """R's first data frame (the grid part) with the drift appended as ``drift_M1``."""
        df = pd.DataFrame({k: self[k] for k in _DDJ_X})
        df["drift_M1"] = self.drift
        return df

    @property
    def t_table(self) -> pd.DataFrame:
        """R's second data frame (the time part)."""
        return pd.DataFrame({k: self[k] for k in _DDJ_T})

    def __repr__(self) -> str:
        return (f"DDJNonparamEWSResult({self.avec.size} grid points, {self.Tvec1.size} times, "
                f"sigma2_Z={self.sigma2_Z:.4g}, bw={self.bw:.4g}, DT={self.DT:g})")


def ddjnonparam_ews(timeseries, bandwidth=0.6, na=500, logtransform=True,
                    interpolate=False) -> DDJNonparamEWSResult:
    """R ``earlywarnings::ddjnonparam_ews`` (see the module docstring), plus the drift R drops.

    Examples
    --------
    >>> import numpy as np
    >>> from ews.compat.earlywarnings import ddjnonparam_ews  # doctest: +SKIP
    >>> r = ddjnonparam_ews(np.exp(np.random.default_rng(1).normal(size=200)))  # doctest: +SKIP
    >>> r["S2.vec"].shape  # doctest: +SKIP
    (500,)
    """
    timeindex, Y = prepare(timeseries, logtransform, interpolate)
    if isinstance(bandwidth, bool) or not isinstance(bandwidth, (int, float, np.integer, np.floating)) \
            or not (np.isfinite(bandwidth) and bandwidth > 0):
        raise InputError(f"bandwidth must be a positive number (a multiple of sd(X)), got {bandwidth!r}.")
    if isinstance(na, bool) or not isinstance(na, (int, np.integer)) or na < 2:
        raise InputError(f"na (the number of grid points) must be an integer >= 2, got {na!r}.")
    if not np.all(np.isfinite(Y)):
        raise InputError("log(Y + 1) is not finite for some values (Y <= -1); pass logtransform=False "
                         "or shift the series.")
    n = Y.size
    if n < 3:
        raise InputError(f"ddjnonparam_ews needs at least 3 points, got {n}.")
    X = Y
    dx = np.diff(X)
    DT = float(timeindex[1] - timeindex[0])
    bw = bandwidth * float(np.std(X, ddof=1))
    if not bw > 0:
        raise InputError("the series is constant, so the kernel bandwidth bandwidth * sd(X) is 0; "
                         "DDJ needs a series that varies.")
    if DT == 0:
        raise InputError("the first two time stamps are equal, so R's DT = t[2] - t[1] is 0.")
    avec = r_seq(float(X.min()), float(X.max()), int(na))
    x0 = X[:-1]
    SF = 1.0 / (bw * np.sqrt(2.0 * np.pi))
    d = x0[None, :] - avec[:, None]
    K = SF * np.exp(-0.5 * d * d / (bw * bw))
    Ks = K.sum(axis=1)
    dx2 = dx * dx
    dx4 = dx2 * dx2
    dx6 = dx2 * dx4
    with np.errstate(invalid="ignore", divide="ignore"):
        M1 = (1.0 / DT) * (K @ dx) / Ks
        M2 = (1.0 / DT) * (K @ dx2) / Ks
        M4 = (1.0 / DT) * (K @ dx4) / Ks
        M6 = (1.0 / DT) * (K @ dx6) / Ks
        ratio = M6 / M4
        mean_a = (K @ X[1:]) / Ks
        SS = (K @ (X[1:] * X[1:])) / Ks
        S2 = SS - mean_a * mean_a
        sigma2_Z = float(np.mean(ratio)) / 5.0
        lam = M4 / (3.0 * sigma2_Z * sigma2_Z)
        s2dx = M2 - lam * sigma2_Z
    diff = np.where(s2dx > 0, s2dx, 0.0)
    if not np.all(np.isfinite(Ks) & (Ks > 0)) or not np.isfinite(sigma2_Z):
        warnings.warn("some grid points have no kernel weight (zero sum of weights) or zero M4; R gives "
                      "NaN there as well.", EWSWarning, stacklevel=2)
    return DDJNonparamEWSResult(
        avec=avec, S2_vec=S2, TotVar_dx_vec=M2, Diff2_vec=diff, LamdaZ_vec=lam,
        Tvec1=timeindex, S2_t=r_approx(avec, S2, X), TotVar_t=r_approx(avec, M2, X),
        Diff2_t=r_approx(avec, diff, X), Lamda_t=r_approx(avec, lam, X),
        drift=M1, sigma2_Z=sigma2_Z, bw=bw, DT=DT)
