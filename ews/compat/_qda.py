r"""R earlywarnings 1.1.29 ``qda_ews`` ("quick detection analysis"), quirks included; parts returned.

Re-exported by :mod:`ews.compat.earlywarnings`. R's ``qda_ews`` runs three analyses, draws three figures
and returns ``list(indicators, trends = NULL, potential.plot)``. Here the same three analyses are
computed and **returned** (nothing is drawn):

1. ``indicators``: R's internal ``generic_RShiny`` (ar1 and sd only). It is ``generic_ews``'s ar1 and
   sd (``ar.ols`` on the demeaned window, ``sd`` with ddof 1) after the same preprocessing, with two
   differences: ``detrending`` is one of ``"no", "gaussian", "linear", "first-diff"`` (no loess), and for
   a *decreasing* time index the gaussian trend is reversed (``rev()``), which fixes the misalignment
   that ``generic_ews`` has. R plots ``sqrt(sd)`` under the label "variance" (a bug) but returns sd;
   the Kendall taus it prints on the figure (against the window index) are returned here.
2. ``trends``: R's internal ``surrogates_RShiny``, which returns NULL and only *prints* two p-values.
   It is ``surrogates_ews`` for two indicators at once on the **same** surrogates: ``ar1`` and the
   variance ``var`` (not sd), with ``surrogates_ews``' preprocessing (gaussian bandwidth
   ``round(n * bandwidth) / 100`` on an equally spaced grid; ``mw = round(n * winsize) / 100``, possibly
   fractional), the ARMA(p, q) null fitted by AIC over p = 1..4, q = 0..4 on the residuals, and R's
   p-value ``(boots + 1 - K) / boots`` with K = #{surrogate tau < observed tau} (``inf`` when K = 0).
   Here both that p and ews's ``(1 + #{tau_b >= tau})/(B + 1)`` are returned.
3. ``potential``: ``movpotential_ews(timeseries[, 1], param, detection.threshold, grid.size,
   plot.cutoff = cutoff)``. **Column 1 is the time index when the input has two columns** (R's bug,
   reproduced: the potential is then that of the time axis); it is the raw column (before ``logtransform``
   and ``interpolate``). ``movpotential_ews`` itself does not pass ``detection.threshold`` on (see
   :func:`ews.compat.earlywarnings.movpotential_ews`).

The surrogate draws use ews's random streams, not R's RNG: the p-values agree with R in distribution.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import InputError
from .._random import fast_row_states
from .._validate import check_count
from ._r import bw_nrd0, ksmooth, prepare, r_round, read_input
from ._surrogates_ews import (
    _detrend_surrogates,
    _ews_p,
    _kendall_p,
    _kendall_rows,
    _quirk_indicator,
    surrogate_pvalue_r,
)

_DETRENDING = ("no", "gaussian", "linear", "first-diff")


@dataclass
class QDAEWSResult:
    """What ``qda_ews`` computes (R draws it; here it is returned).

    Attributes
    ----------
    indicators : pandas.DataFrame
        R's ``indicators`` element: ``timeindex`` (window end), ``ar1``, ``sd``.
    indicator_kendall : pandas.DataFrame
        Kendall tau-b of ar1 and sd against the window index and the textbook p-value (R shows the tau on
        its figure; the p-value is not valid for rolling indicators).
    trends : pandas.DataFrame
        One row per indicator (``ar1``, ``variance``): ``tau_orig``, ``p_R`` (what R prints),
        ``p_ews`` (1 + #{tau_b >= tau}) / (B + 1), ``boots``. R returns NULL here.
    tau_surrogates : pandas.DataFrame
        The surrogate taus (columns ``ar1``, ``variance``), one row per surrogate.
    arma : dict
        The ARMA null: ``p``, ``q``, ``coef``, ``sigma2``, ``aic`` (4 x 5 table).
    potential : MovPotentialEWSResult
        ``movpotential_ews`` of column 1 of the input (R's ``potential.plot`` element).
    """

    indicators: pd.DataFrame
    indicator_kendall: pd.DataFrame
    trends: pd.DataFrame
    tau_surrogates: pd.DataFrame
    arma: dict
    potential: object

    def __repr__(self):
        t = self.trends.set_index("indicator")
        return (f"<QDAEWSResult {len(self.indicators)} windows; tau ar1 {t.loc['ar1', 'tau_orig']:.3f} "
                f"(p_R {t.loc['ar1', 'p_R']:g}), tau variance {t.loc['variance', 'tau_orig']:.3f} "
                f"(p_R {t.loc['variance', 'p_R']:g})>")


def _generic_rshiny(timeindex, Y, winsize, detrending, bandwidth):
    """R's internal generic_RShiny: (timeindex at window ends, ar1, sd)."""
    from .._kernels import rolling as K
    from .._kernels.smooth import linear_fit

    n = len(Y)
    if detrending == "gaussian":
        bw = r_round(bw_nrd0(timeindex)) if bandwidth is None else r_round(n * bandwidth / 100)
        if bw <= 0:
            raise InputError(f"the gaussian bandwidth rounds to {bw} points; use a larger bandwidth.")
        smY = ksmooth(timeindex, Y, bw, timeindex)  # sorted time order
        if timeindex[0] > timeindex[-1]:
            smY = smY[::-1]  # generic_RShiny's rev() (generic_ews lacks it)
        nsmY = Y - smY
    elif detrending == "linear":
        nsmY = Y - linear_fit(np.ascontiguousarray(timeindex), Y[None, :].copy(), np.array([n], dtype=np.int64))[0]
    elif detrending == "first-diff":
        nsmY = np.diff(Y)
    else:
        nsmY = Y.copy()
    mw = r_round(n * winsize / 100)
    m = len(nsmY)
    if mw < 3 or mw > m:
        raise InputError(f"the window is {mw} points for {m} values; choose winsize so that 3 <= window <= {m}.")
    X = nsmY[None, :].copy()
    L, W = np.array([m], dtype=np.int64), np.array([mw], dtype=np.int64)
    sd = K.rolling_moments(X, L, W, np.array([K.STD], dtype=np.int64))[0, 0, mw - 1:]
    ar1 = K.rolling_lag(X, L, W, 1, np.array([K.AR_OLS], dtype=np.int64))[0, 0, mw - 1:]
    return timeindex[mw - 1:m], ar1, sd


def qda_ews(timeseries, param=None, winsize=50, detrending="no", bandwidth=None, boots=100, s_level=0.05,
            cutoff=0.05, detection_threshold=0.002, grid_size=50, logtransform=False, interpolate=False, *,
            seed=None) -> QDAEWSResult:
    """R ``earlywarnings::qda_ews``: indicators, their surrogate significance and the moving potential.

    Parameters are R's (``winsize`` and ``bandwidth`` in % of the series length; ``detection.threshold``
    and ``grid.size`` spelled with underscores). ``s_level`` only sets where R draws lines on its
    histogram and is accepted for compatibility. ``seed`` seeds the surrogate draws.

    Returns
    -------
    QDAEWSResult
        ``indicators`` (R's return value), ``trends`` (the p-values R prints), ``potential`` (the
        ``movpotential_ews`` result), and the surrogate taus and ARMA null behind the p-values.

    Examples
    --------
    >>> import numpy as np
    >>> from ews.compat.earlywarnings import qda_ews
    >>> e = np.random.default_rng(0).standard_normal(120)
    >>> y = np.zeros(120)
    >>> for t in range(1, 120):
    ...     y[t] = 0.6 * y[t - 1] + e[t]
    >>> res = qda_ews(y, detrending="linear", boots=5, seed=1)
    >>> list(res.indicators.columns), list(res.trends["indicator"])
    (['timeindex', 'ar1', 'sd'], ['ar1', 'variance'])
    """
    from .._kernels.surrogates import arma_draw
    from ..surrogates.arma import arma_draw_arrays
    from ._arima import arima_sim_burn, fit_arma_grid
    from ._potential import movpotential_ews

    if detrending not in _DETRENDING:
        raise InputError(f"detrending must be one of {_DETRENDING} (qda_ews has no loess), got {detrending!r}.")
    if not (0 < winsize <= 100):
        raise InputError(f"winsize is a percentage of the series length in (0, 100], got {winsize}.")
    boots = check_count(boots, "boots")
    if not (0 < s_level < 1):
        raise InputError(f"s_level is a significance level in (0, 1), got {s_level}.")

    raw_time, raw_y = read_input(timeseries)
    timeindex, Y = prepare(timeseries, logtransform, interpolate)

    # 1. generic_RShiny
    tend, ar1, sd = _generic_rshiny(timeindex, Y, winsize, detrending, bandwidth)
    indicators = pd.DataFrame({"timeindex": tend, "ar1": ar1, "sd": sd})
    taus = _kendall_rows(np.vstack([ar1, sd]))
    indicator_kendall = pd.DataFrame({"indicator": ["ar1", "sd"], "tau": taus,
                                      "p_value": [_kendall_p(ar1), _kendall_p(sd)]})

    # 2. surrogates_RShiny: ar1 and var on the same ARMA surrogates
    n = len(Y)
    nsmY, _ = _detrend_surrogates(timeindex, Y, detrending, bandwidth, None, None)
    mw = round(n * winsize) / 100
    m = len(nsmY)
    omw = m - mw + 1
    w, n_windows = int(math.floor(mw)), int(math.floor(omw))
    if w < 3 or n_windows < 2 or w > m:
        raise InputError(f"the window is {mw:g} points for {m} values; choose winsize so that the window has at "
                         "least 3 points and there are at least 2 windows.")

    def two(X):
        a = _quirk_indicator(X, "ar1", w, n_windows, omw)
        v = _quirk_indicator(X, "sd", w, n_windows, omw) ** 2
        return _kendall_rows(a), _kendall_rows(v)

    t_ar1, t_var = (float(t[0]) for t in two(nsmY))
    aic, p, q, fit = fit_arma_grid(nsmY)
    burn = min(arima_sim_burn(fit["ar"], q), 1000)
    sims = np.empty((int(boots), m))
    AR, MA, F = arma_draw_arrays([(np.asarray(fit["ar"], float), np.asarray(fit["ma"], float))])
    arma_draw(fast_row_states(seed, boots), np.zeros(1), AR, MA, np.array([math.sqrt(fit["sigma2"])]), F,
              np.array([burn], dtype=np.int64), np.array([m], dtype=np.int64), sims)
    s_ar1, s_var = two(sims)
    trends = pd.DataFrame({
        "indicator": ["ar1", "variance"], "tau_orig": [t_ar1, t_var],
        "p_R": [surrogate_pvalue_r(t_ar1, s_ar1), surrogate_pvalue_r(t_var, s_var)],
        "p_ews": [_ews_p(t_ar1, s_ar1), _ews_p(t_var, s_var)], "boots": int(boots),
    })
    arma = {"p": p, "q": q,
            "coef": {**{f"ar{j + 1}": float(v) for j, v in enumerate(fit["ar"])},
                     **{f"ma{j + 1}": float(v) for j, v in enumerate(fit["ma"])}},
            "sigma2": float(fit["sigma2"]),
            "aic": pd.DataFrame(aic.copy(), index=pd.Index(range(1, 5), name="p"), columns=pd.Index(range(5), name="q"))}

    # 3. movpotential_ews on column 1 of the raw input (the time index for 2-column input: R's bug)
    arr = np.asarray(timeseries.to_numpy() if hasattr(timeseries, "to_numpy") else timeseries, dtype=float)
    col1 = raw_y if (arr.ndim == 1 or arr.shape[1] == 1) else raw_time
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        potential = movpotential_ews(col1, param, detection_threshold=detection_threshold, grid_size=grid_size,
                                     plot_cutoff=cutoff)
    return QDAEWSResult(indicators=indicators, indicator_kendall=indicator_kendall, trends=trends,
                        tau_surrogates=pd.DataFrame({"ar1": s_ar1, "variance": s_var}), arma=arma,
                        potential=potential)
