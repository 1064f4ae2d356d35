r"""R earlywarnings 1.1.29 ``surrogates_ews`` and ``sensitivity_ews``, quirks included.

Re-exported by :mod:`ews.compat.earlywarnings`. These reproduce what the R functions compute so that R
users can migrate and numbers can be checked; ews's own :func:`ews.significance.surrogate_test` and
:func:`ews.significance.sensitivity` use corrected definitions.

What is reproduced (R source read and checked against the reference outputs in
``tests/data/earlywarnings/``)
-------------------------------------------------------------------------------------------------------
Indicators (the *surrogates* versions, which differ from ``generic_ews``), per window x of the
residuals, m = mean(x), z = x - m, w = window length:

=============  ==========================================================================================
``ar1``        :math:`\sum_{t\ge2} z_t z_{t-1} / \sum_{t\le w-1} z_t^2` (``ar.ols``; R's ``dmean=FALSE`` typo
               is swallowed, so the window is demeaned)
``sd``         :math:`\sqrt{\sum z^2/(w-1)}`
``acf1``       :math:`r = \sum_{t\ge2} z_t z_{t-1} / \sum z_t^2` (``acf``)
``sk``         **signed** :math:`m_3/m_2^{3/2}` (``moments::skewness``; generic_ews takes the absolute value)
``kurt``       :math:`m_4/m_2^2` (raw, about 3 for a normal sample)
``cv``         sd / mean of the window of residuals
``returnrate`` :math:`1 - r` (generic_ews uses 1/ar1)
``densratio``  ``spec.ar(x, n.freq = omw, order = 1)``: ``spec[6] / spec[omw]``, i.e. the AR(1)
               (Yule-Walker, coefficient r) spectrum
               :math:`S(f) \propto 1/(1 - 2r\cos 2\pi f + r^2)` at :math:`f_6 = 5 \cdot 0.5/(N-1)` over
               :math:`f_{omw} = (\lfloor omw\rfloor - 1) \cdot 0.5/(N-1)`, :math:`N = \lceil omw \rceil`
               frequencies; ``omw`` is the *number of windows*, not the window length
=============  ==========================================================================================

``surrogates_ews``

* gaussian detrending: ``bw = round(bw.nrd0(timeindex))`` or ``round(n * bandwidth) / 100`` (not rounded
  to an integer), ``ksmooth(timeindex, Y, "normal", bw, n.points = n)`` evaluated on an equally spaced
  grid over the range of the time index (the data points for 1..n);
* ``mw = round(n * winsize) / 100`` and ``omw = length(nsmY) - mw + 1`` may be fractional: R uses windows of
  :math:`\lfloor mw\rfloor` points and only the first :math:`\lfloor omw\rfloor` of them;
* Kendall tau-b of the indicator against the window index 1..omw (``cor.test``), the textbook p-value;
* null model: ``arima(nsmY, order = c(p, 0, q), include.mean = FALSE)`` for p = 1..4, q = 0..4 (R's
  ``CSS-ML``: conditional sum of squares, then exact Gaussian likelihood by the Kalman filter with
  Gardner et al.'s initial covariance, both minimised with R's BFGS ``optim``), the one with minimum
  AIC refitted and simulated ``boots`` times. R's ``arima.sim`` starts from zeros with a burn-in of
  :math:`p + q + \lceil 6/\log \rho\rceil` steps (:math:`\rho` the smallest AR root modulus: about
  6 / (1 - rho) steps, hundreds of thousands for the near-unit roots fitted to undetrended series,
  which is why R takes 23 s for 100 surrogates); here each surrogate starts from the exact stationary
  distribution of the ARMA state, then runs min(R's burn-in, 1000) steps, so it has R's (stationary)
  distribution without the cost. The ARMA
  fits here are a line-by-line port of R's ``arima`` (CSS, ``ARIMA_Like``, ``getQ0``, the PACF
  transform, ``maInvert``, ``optim``'s ``vmmin`` with central-difference gradients, ``ndeps = 1e-3``,
  ``reltol = 1.49e-8``, ``maxit = 100``), with one addition: where that single BFGS run stalls on a
  flat ridge, it is restarted from its own solution until a restart gains nothing (not for fits at
  the AR unit root; see ``ews/compat/_arima.py``). Where R's run converged the result is R's bit for
  bit: on the reference series the path-stable AICs agree with R to R's printed precision (one, where
  R's own run stopped 4.7e-4 short, is lower); the others are over-parametrised fits on flat ridges
  where a 1e-12 change of the input moves R's own optimiser. The chosen model is R's in every
  reference run and in perturbed copies of the data (300 of 300 after gaussian detrending, where R's
  single run picks another order in 16; 299 of 300 undetrended). p = 0 is never tried (as in R).
  **R's crash when the best model is a pure AR (q = 0)** (``ma = coef[(p+1):p]`` counts down) is not
  reproduced: the pure AR is simulated.
* p-value: ``p_formula="ews"`` (default) :math:`(1 + \#\{\tau_b \ge \tau_{orig}\})/(B + 1)`;
  ``p_formula="R"``: R's ``(boots + 1 - K)/boots`` with K the number of surrogate taus below
  tau_orig, i.e. :math:`(1 + \#\{\tau_b \ge \tau_{orig}\})/B`, which can exceed 1, and is ``inf`` when
  tau_orig is below every surrogate (R's ``max(integer(0)) = -Inf``).
* The surrogate draws use ews's random streams, not R's RNG: they agree with R in distribution only.

``sensitivity_ews``

* window sizes ``tw = seq(floor(winsizerange[1] n/100), floor(winsizerange[2] n/100), by = incrwinsize)``,
  **the step in points** (the R documentation says %);
* gaussian: ``width = seq(floor(bandwidthrange[1] n/100), floor(bandwidthrange[2] n/100), by =
  incrbandwidth)`` in points, passed to ksmooth as above;
* loess: ``width = seq(floor(spanrange[1] n/100), floor(spanrange[2] n/100), by = incrspanrange)`` in
  points, **passed to loess(span = width)** although loess expects a fraction (R's bug: a span above 1
  gives an almost global fit); reproduced with :func:`ews.compat._rloess.r_loess`;
* indicators as above with ``omw`` the number of windows of each size; Kendall tau against the window
  index; R returns only tau (p-values are only plotted; here they are returned too), and R crashes in
  its plotting code when the p-values are constant: not here.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._errors import InputError
from .._random import fast_row_states
from .._validate import check_count
from ._arima import arima_sim_burn, fit_arma_grid, r_arima
from ._r import bw_nrd0, ksmooth, prepare

INDICATORS = ("ar1", "sd", "acf1", "sk", "kurt", "cv", "returnrate", "densratio")
_DETRENDING = ("no", "gaussian", "loess", "linear", "first-diff")


# ----------------------------------------------------------------------------------------------------
# R's input handling and detrending (surrogates/sensitivity variants)
# ----------------------------------------------------------------------------------------------------
def _r_seq_by(a: float, b: float, by: float) -> np.ndarray:
    """R ``seq(a, b, by = by)``."""
    if by == 0 or (b - a) / by < 0:
        if a == b:
            return np.array([a], dtype=float)
        raise InputError(f"wrong sign in 'by' (seq({a}, {b}, by={by})).")
    n = int(math.floor((b - a) / by + 1e-10))
    return a + by * np.arange(n + 1)


def _detrend_surrogates(timeindex, Y, detrending, bandwidth, span, degree):
    """surrogates_ews' detrending: (nsmY, smY or None)."""
    from .._kernels.smooth import linear_fit

    n = len(Y)
    if detrending == "gaussian":
        bw = round(bw_nrd0(timeindex)) if bandwidth is None else round(n * bandwidth) / 100
        grid = np.linspace(timeindex.min(), timeindex.max(), n)
        smY = ksmooth(timeindex, Y, bw, grid)
        return Y - smY, smY
    if detrending == "loess":
        from ._rloess import r_loess

        s = 0.25 if span is None else span / 100.0
        d = 2 if degree is None else int(degree)
        smY = r_loess(timeindex, Y, span=s, degree=d)
        return Y - smY, smY
    if detrending == "linear":
        smY = linear_fit(np.ascontiguousarray(timeindex), Y[None, :].copy(), np.array([n], dtype=np.int64))[0]
        return Y - smY, smY
    if detrending == "first-diff":
        return np.diff(Y), None
    return Y.copy(), Y.copy()


# ----------------------------------------------------------------------------------------------------
# R-quirk indicators over many rows at once
# ----------------------------------------------------------------------------------------------------
def _quirk_indicator(X: np.ndarray, indicator: str, w: int, n_windows: int, omw: float) -> np.ndarray:
    """(rows, n_windows) values of ``indicator`` over the windows X[:, i:i+w], i < n_windows."""
    from .._kernels import rolling as K

    X = np.ascontiguousarray(np.atleast_2d(X), dtype=np.float64)
    R, m = X.shape
    L = np.full(R, m, dtype=np.int64)
    W = np.full(R, w, dtype=np.int64)
    sl = slice(w - 1, w - 1 + n_windows)
    if indicator in ("sd", "sk", "kurt", "cv"):
        codes = {"sd": [K.STD], "sk": [K.SKEW], "kurt": [K.KURT_RAW], "cv": [K.STD, K.MEAN]}[indicator]
        res = K.rolling_moments(X, L, W, np.array(codes, dtype=np.int64))[:, :, sl]
        return res[0] / res[1] if indicator == "cv" else res[0]
    if indicator == "ar1":
        return K.rolling_lag(X, L, W, 1, np.array([K.AR_OLS], dtype=np.int64))[0][:, sl]
    r = K.rolling_lag(X, L, W, 1, np.array([K.ACF], dtype=np.int64))[0][:, sl]
    if indicator == "acf1":
        return r
    if indicator == "returnrate":
        return 1.0 - r
    # densratio: spec.ar(n.freq = omw)$spec[6] / $spec[omw]
    N = int(math.ceil(omw))
    hi_idx = int(math.floor(omw))
    if N < 6 or hi_idx < 1:
        return np.full(r.shape, np.nan)
    f_lo = 5 * 0.5 / (N - 1)
    f_hi = (hi_idx - 1) * 0.5 / (N - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (1 - 2 * r * np.cos(2 * np.pi * f_hi) + r * r) / (1 - 2 * r * np.cos(2 * np.pi * f_lo) + r * r)


def _kendall_rows(V: np.ndarray) -> np.ndarray:
    """R's ``cor.test(1:nwin, v, method = "kendall")$estimate`` per row: NA for a flat indicator (ews's own
    trend statistic gives 0 there)."""
    from .. import trend as _trend

    V = np.atleast_2d(V)
    tau = _trend.statistic("kendall", np.arange(1, V.shape[1] + 1, dtype=float), V)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        flat = np.nanmax(V, axis=1) == np.nanmin(V, axis=1)
    return np.where(flat, np.nan, tau)


def _kendall_p(v: np.ndarray) -> float:
    from .. import trend as _trend

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _trend.textbook_pvalue("kendall", np.arange(1, v.size + 1, dtype=float), v)


# ----------------------------------------------------------------------------------------------------
# surrogates_ews
# ----------------------------------------------------------------------------------------------------
@dataclass
class SurrogatesEWSResult:
    """What ``surrogates_ews`` computes.

    Attributes
    ----------
    table : pandas.DataFrame
        R's return value, one row per surrogate: ``tau_orig``, ``p_orig`` (repeated), ``tau_surrogate``,
        ``p_surrogate`` (textbook Kendall p of each surrogate), ``significance_p`` (repeated).
    tau_orig, p_orig : float
        Kendall tau of the indicator against the window index, and its textbook p-value (not valid for
        rolling indicators).
    p_value : float
        The surrogate p-value (``p_formula``).
    arma : dict
        The chosen model: ``p``, ``q``, ``coef`` (``{"ar1": ..., "ma1": ...}`` as R names them),
        ``sigma2``, ``aic`` (4 x 5 DataFrame, rows p = 1..4, columns q = 0..4).
    mw, omw : float
        R's window size and number of windows (possibly fractional).
    indicator : pandas.DataFrame
        The observed indicator per window (``window``: 1-based index; ``timeindex`` at the window end).
    detrended : pandas.DataFrame
        ``nsmY`` (residuals) and, where R has one, ``smY`` (trend).
    """

    table: pd.DataFrame
    tau_orig: float
    p_orig: float
    p_value: float
    arma: dict
    mw: float
    omw: float
    indicator: pd.DataFrame
    detrended: pd.DataFrame
    p_formula: str = "ews"
    tau_surrogates: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __getitem__(self, key):
        return self.table[key]


def _check_common(indicator, detrending, winsize):
    if indicator not in INDICATORS:
        raise InputError(f"indicator must be one of {INDICATORS}, got {indicator!r}.")
    if detrending not in _DETRENDING:
        raise InputError(f"detrending must be one of {_DETRENDING}, got {detrending!r}.")
    if winsize is not None and not (0 < winsize <= 100):
        raise InputError(f"winsize is a percentage of the series length in (0, 100], got {winsize}.")


def surrogates_ews(timeseries, indicator="ar1", winsize=50, detrending="no", bandwidth=None, span=None, degree=None,
                   boots=100, logtransform=False, interpolate=False, *, seed=None, p_formula="ews",
                   surrogate_pvalues=True) -> SurrogatesEWSResult:
    r"""R ``earlywarnings::surrogates_ews``: the trend of one indicator against ARMA surrogates.

    Parameters are R's (``winsize``, ``bandwidth`` and ``span`` in % of the series length,
    ``detrending`` one of ``"no", "gaussian", "loess", "linear", "first-diff"``), plus:

    seed : None, int, SeedSequence or Generator
        Seed of the surrogate draws (one stream per surrogate).
    p_formula : {"ews", "R"}
        ``"ews"``: :math:`(1 + \#\{\tau_b \ge \tau_{orig}\})/(B+1)`; ``"R"``: R's
        :math:`(B + 1 - K)/B`, K = #{tau_b < tau_orig} (``inf`` when K = 0).
    surrogate_pvalues : bool
        Compute the textbook Kendall p-value of every surrogate (R's ``p_surrogate`` column); False
        leaves NaN there (faster for large ``boots``).

    Returns
    -------
    SurrogatesEWSResult

    Notes
    -----
    See the module docstring for every quirk reproduced. The ARMA(p, q) choice and coefficients, and
    tau_orig, match R; the surrogates are drawn with ews's generator, so the surrogate taus and the
    p-value agree with R only in distribution. Unlike R, a best model with q = 0 (a pure AR) works.

    Examples
    --------
    >>> import numpy as np
    >>> from ews.compat.earlywarnings import surrogates_ews
    >>> rng = np.random.default_rng(1)
    >>> y = np.zeros(200)
    >>> for t in range(1, 200):
    ...     y[t] = 0.5 * y[t - 1] + rng.standard_normal()
    >>> res = surrogates_ews(y, indicator="sd", boots=20, seed=1)
    >>> list(res.table.columns)
    ['tau_orig', 'p_orig', 'tau_surrogate', 'p_surrogate', 'significance_p']
    """
    from .._kernels.surrogates import arma_draw
    from ..surrogates.arma import arma_draw_arrays

    _check_common(indicator, detrending, winsize)
    if p_formula not in ("ews", "R"):
        raise InputError(f"p_formula must be 'ews' or 'R', got {p_formula!r}.")
    boots = check_count(boots, "boots")

    timeindex, Y = prepare(timeseries, logtransform, interpolate)
    n = len(Y)
    nsmY, smY = _detrend_surrogates(timeindex, Y, detrending, bandwidth, span, degree)
    mw = round(n * winsize) / 100
    m = len(nsmY)
    omw = m - mw + 1
    w = int(math.floor(mw))
    n_windows = int(math.floor(omw))
    if w < 3 or n_windows < 2 or w > m:
        raise InputError(f"the window is {mw:g} points for {m} values; choose winsize so that the window has at "
                         f"least 3 points and there are at least 2 windows.")
    ind_orig = _quirk_indicator(nsmY, indicator, w, n_windows, omw)[0]
    tau_orig = float(_kendall_rows(ind_orig)[0])
    p_orig = _kendall_p(ind_orig)

    aic, p, q, fit = fit_arma_grid(nsmY)
    burn = min(arima_sim_burn(fit["ar"], q), 1000)
    states = fast_row_states(seed, boots)
    sims = np.empty((int(boots), m))
    AR, MA, F = arma_draw_arrays([(np.asarray(fit["ar"], float), np.asarray(fit["ma"], float))])
    arma_draw(states, np.zeros(1), AR, MA, np.array([math.sqrt(fit["sigma2"])]), F,
              np.array([burn], dtype=np.int64), np.array([m], dtype=np.int64), sims)
    ind_surr = _quirk_indicator(sims, indicator, w, n_windows, omw)
    tau_surr = _kendall_rows(ind_surr)
    p_surr = np.array([_kendall_p(v) for v in ind_surr]) if surrogate_pvalues else np.full(int(boots), np.nan)
    pval = surrogate_pvalue_r(tau_orig, tau_surr) if p_formula == "R" else _ews_p(tau_orig, tau_surr)
    coef = {**{f"ar{j + 1}": float(v) for j, v in enumerate(fit["ar"])},
            **{f"ma{j + 1}": float(v) for j, v in enumerate(fit["ma"])}}
    arma = {"p": p, "q": q, "coef": coef, "sigma2": float(fit["sigma2"]), "loglik": float(fit["loglik"]),
            "aic": pd.DataFrame(aic.copy(), index=pd.Index(range(1, 5), name="p"),
                                columns=pd.Index(range(5), name="q")),
            "burn_in": burn}
    table = pd.DataFrame({"tau_orig": tau_orig, "p_orig": p_orig, "tau_surrogate": tau_surr, "p_surrogate": p_surr,
                          "significance_p": pval})
    tend = timeindex[w - 1 : w - 1 + n_windows] if detrending != "first-diff" else timeindex[w : w + n_windows]
    ind_df = pd.DataFrame({"window": np.arange(1, n_windows + 1), "timeindex": tend[:n_windows], indicator: ind_orig})
    det = pd.DataFrame({"nsmY": nsmY})
    if smY is not None:
        det["smY"] = smY
    return SurrogatesEWSResult(table=table, tau_orig=tau_orig, p_orig=p_orig, p_value=pval, arma=arma, mw=mw, omw=omw,
                               indicator=ind_df, detrended=det, p_formula=p_formula, tau_surrogates=tau_surr)


def _ews_p(obs, null) -> float:
    null = np.asarray(null, float)
    ok = np.isfinite(null)
    if not math.isfinite(obs) or not ok.any():
        return math.nan
    return float((1 + np.sum(null[ok] >= obs)) / (ok.sum() + 1))


def surrogate_pvalue_r(tau_orig: float, tau_surrogates) -> float:
    """R surrogates_ews' p: ``q = sort(tau)``, ``K = max(which(tau_orig > q))``, ``(boots + 1 - K) / boots``.

    ``boots`` counts every surrogate (NaN ones included, as in R); ``inf`` when no surrogate tau is
    below ``tau_orig`` (R: ``max(integer(0)) = -Inf``).
    """
    t = np.asarray(tau_surrogates, float)
    boots = t.size
    K = int(np.sum(np.isfinite(t) & (t < tau_orig)))
    if K == 0:
        return math.inf
    return (boots + 1 - K) / boots


# ----------------------------------------------------------------------------------------------------
# sensitivity_ews
# ----------------------------------------------------------------------------------------------------
@dataclass
class SensitivityEWSResult:
    """What ``sensitivity_ews`` computes.

    Attributes
    ----------
    tau : pandas.DataFrame
        R's return value: for gaussian/loess a bandwidth-or-span (rows, in points) x window size
        (columns, in points) table of Kendall taus; otherwise one column (``Ktauestind``) indexed by
        window size.
    p_value : pandas.DataFrame
        The textbook Kendall p-values of the same cells (R only plots them; not valid for rolling
        indicators).
    windows, widths : numpy arrays
        The grids in points (``widths`` empty without gaussian/loess).
    """

    tau: pd.DataFrame
    p_value: pd.DataFrame
    windows: np.ndarray
    widths: np.ndarray

    def to_long(self) -> pd.DataFrame:
        """One row per cell: ``bandwidth_or_span_points``, ``winsize_points``, ``tau``, ``p_value``."""
        if self.widths.size:
            tau = self.tau.stack()
            p = self.p_value.stack()
            return pd.DataFrame({"bandwidth_or_span_points": tau.index.get_level_values(0).astype(float),
                                 "winsize_points": tau.index.get_level_values(1).astype(float),
                                 "tau": tau.to_numpy(), "p_value": p.to_numpy()})
        return pd.DataFrame({"bandwidth_or_span_points": np.nan, "winsize_points": self.tau.index.astype(float),
                             "tau": self.tau.iloc[:, 0].to_numpy(), "p_value": self.p_value.iloc[:, 0].to_numpy()})


def sensitivity_ews(timeseries, indicator="ar1", winsizerange=(25, 75), incrwinsize=25, detrending="no",
                    bandwidthrange=(5, 100), spanrange=(5, 100), degree=None, incrbandwidth=20, incrspanrange=10,
                    logtransform=False, interpolate=False) -> SensitivityEWSResult:
    """R ``earlywarnings::sensitivity_ews``: Kendall tau of one indicator over window sizes x bandwidths.

    Parameters are R's; see the module docstring for the quirks reproduced (window step in points,
    loess span in points, the surrogates_ews indicator definitions). Cells that cannot be computed
    (a window longer than the series, a zero bandwidth ...) are NaN; constant p-values are fine (R
    crashes plotting them).

    Examples
    --------
    >>> import numpy as np
    >>> from ews.compat.earlywarnings import sensitivity_ews
    >>> y = np.cumsum(np.random.default_rng(0).standard_normal(200))
    >>> sensitivity_ews(y, indicator="sd").tau.shape
    (5, 1)
    """
    from .._kernels.smooth import linear_fit

    _check_common(indicator, detrending, None)

    timeindex, Y = prepare(timeseries, logtransform, interpolate)
    n = len(Y)
    tw = _r_seq_by(math.floor(winsizerange[0] * n / 100), math.floor(winsizerange[1] * n / 100), incrwinsize)
    if detrending == "gaussian":
        widths = _r_seq_by(math.floor(bandwidthrange[0] * n / 100), math.floor(bandwidthrange[1] * n / 100),
                           incrbandwidth)
        grid = np.linspace(timeindex.min(), timeindex.max(), n)
        residuals = [Y - ksmooth(timeindex, Y, wd, grid) for wd in widths]
    elif detrending == "loess":
        from ._rloess import r_loess

        widths = _r_seq_by(math.floor(spanrange[0] * n / 100), math.floor(spanrange[1] * n / 100), incrspanrange)
        d = 2 if degree is None else int(degree)
        residuals = []
        for wd in widths:
            try:
                residuals.append(Y - r_loess(timeindex, Y, span=float(wd), degree=d))
            except InputError:
                residuals.append(np.full(n, np.nan))
    else:
        widths = np.zeros(0)
        if detrending == "linear":
            residuals = [Y - linear_fit(np.ascontiguousarray(timeindex), Y[None, :].copy(),
                                        np.array([n], dtype=np.int64))[0]]
        elif detrending == "first-diff":
            residuals = [np.diff(Y)]
        else:
            residuals = [Y.copy()]
    tau = np.full((len(residuals), tw.size), np.nan)
    pv = np.full_like(tau, np.nan)
    for a, nsmY in enumerate(residuals):
        for b, w in enumerate(tw):
            w = int(w)
            n_windows = len(nsmY) - w + 1
            if w < 3 or n_windows < 2 or not np.all(np.isfinite(nsmY)):
                continue
            v = _quirk_indicator(nsmY, indicator, w, n_windows, float(n_windows))[0]
            if np.sum(np.isfinite(v)) < 2:
                continue
            tau[a, b] = _kendall_rows(v)[0]
            pv[a, b] = _kendall_p(v)
    cols = pd.Index(tw.astype(int), name="winsize_points")
    if widths.size:
        idx = pd.Index(widths.astype(int), name="bandwidth_or_span_points")
        return SensitivityEWSResult(tau=pd.DataFrame(tau, index=idx, columns=cols),
                                    p_value=pd.DataFrame(pv, index=idx, columns=cols), windows=tw, widths=widths)
    idx = pd.Index(tw.astype(int), name="winsize_points")
    return SensitivityEWSResult(tau=pd.DataFrame({"Ktauestind": tau[0]}, index=idx),
                                p_value=pd.DataFrame({"Ktaupind": pv[0]}, index=idx), windows=tw, widths=widths)


__all__ = ["surrogates_ews", "sensitivity_ews", "SurrogatesEWSResult", "SensitivityEWSResult", "r_arima", "ksmooth",
           "surrogate_pvalue_r"]
