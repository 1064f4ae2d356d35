"""Parity with the R package ``earlywarnings`` 1.1.29 (Dakos & Lahti), quirks included.

Every analysis function the R package exports has a counterpart here: ``generic_ews``,
``surrogates_ews``, ``sensitivity_ews``, ``qda_ews``, ``ch_ews``, ``bdstest_ews``, ``ddjnonparam_ews``,
``livpotential_ews`` and ``movpotential_ews``. R's helper ``find.optima`` runs inside the potential
functions; ``PlotPotential`` (a ggplot) and ``UnivariateGrouping`` are not ported. Each module's docstring
lists the quirks it reproduces; ``docs/compat.md`` collects them.

These functions reproduce what the R functions compute, *on purpose including their quirks*, so that R
users can migrate and numbers can be checked against published analyses. ews's own functions
(:class:`ews.Pipeline`, :mod:`ews.indicators`) use corrected definitions; the differences are listed in
``docs/compat.md``.

``generic_ews`` quirks reproduced
----------------------------------
* window ``mw = round(n * winsize / 100)`` (R rounds half to even), taken from the *original* length
  even after first-differencing;
* ``sk`` is the **absolute** moment skewness |m3 / m2^1.5|; ``kurt`` is the raw moment kurtosis
  m4 / m2^2 (about 3 for a normal sample, not excess);
* ``cv = sd / mean`` of the window of the *residuals* (meaningless after detrending, but returned);
* ``returnrate = 1 / ar1`` (the R documentation says 1 - ar1);
* ``densratio`` is the AR(1) (Yule-Walker, coefficient r = acf1) spectrum at frequency 0.5/(mw-1) over
  the spectrum at 0.5: (1 + r)^2 / (1 - 2 r cos(pi/(mw-1)) + r^2);
* gaussian detrending: R ``ksmooth(kernel="normal")``: sd = 0.3706506 bw, weights truncated at
  |dt| <= 4 sd, bw = round(n * bandwidth / 100) or, by default, ``round(bw.nrd0(timeindex))``
  (Silverman's rule applied to the *time index*); the trend comes back in sorted time order, so for a
  decreasing time index it is misaligned with the data (reproduced);
* ``interpolate=True`` puts Y on an equally spaced grid but keeps the old time index;
* the Kendall tau of each indicator is taken against the window index 1..nwin (R shows it only on the
  plot; here it is returned, with R's ``cor.test`` p-value).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import InputError
from ._r import bw_nrd0, ksmooth, prepare, r_round
from ._bds import BDSTestEWSResult, bdstest_ews  # R's bdstest_ews, returning what R only prints
from ._ch_ddj import ChEWSResult, DDJNonparamEWSResult, ch_ews, ddjnonparam_ews  # R's ch_ews, ddjnonparam_ews
from ._potential import (  # R's livpotential_ews and movpotential_ews, re-exported
    LivPotentialResult,
    MovPotentialResult,
    livpotential_ews,
    movpotential_ews,
)
from ._qda import QDAEWSResult, qda_ews  # R's qda_ews (its three analyses returned)
from ._surrogates_ews import _kendall_rows
from ._surrogates_ews import (  # R's surrogates_ews and sensitivity_ews, re-exported
    SensitivityEWSResult,
    SurrogatesEWSResult,
    sensitivity_ews,
    surrogates_ews,
)

_COLUMNS = ["ar1", "sd", "sk", "kurt", "cv", "returnrate", "densratio", "acf1"]


@dataclass
class GenericEWSResult:
    """What ``generic_ews`` computes.

    Attributes
    ----------
    table : pandas.DataFrame
        R's return value: ``timeindex, ar1, sd, sk, kurt, cv, returnrate, densratio, acf1``.
    kendall : pandas.DataFrame
        Per indicator: ``tau`` (Kendall tau-b against the window index) and R's ``p_value``
        (exact below 50 windows without ties, else the normal approximation). The p-value is the
        textbook one and is NOT valid for rolling indicators (overlapping windows).
    detrended : pandas.DataFrame
        ``nsmY`` (the series that goes into the windows) and ``smY`` (the trend, where there is one).
    """

    table: pd.DataFrame
    kendall: pd.DataFrame
    detrended: pd.DataFrame

    def __getitem__(self, key):
        return self.table[key]


def generic_ews(timeseries, winsize=50, detrending="no", bandwidth=None, span=None, degree=None,
                logtransform=False, interpolate=False, AR_n=False, powerspectrum=False) -> GenericEWSResult:
    """R ``earlywarnings::generic_ews``, numbers and quirks included (see the module docstring).

    Parameters are R's: ``winsize`` and ``bandwidth`` in % of the series length, ``span`` in %
    (default 25), ``degree`` (default 2), ``detrending`` one of ``"no", "gaussian", "loess", "linear",
    "first-diff"``. ``AR_n`` and ``powerspectrum`` only draw plots in R and are ignored here.

    Examples
    --------
    >>> import numpy as np
    >>> from ews.compat.earlywarnings import generic_ews
    >>> y = np.cumsum(np.random.default_rng(0).standard_normal(100))
    >>> list(generic_ews(y, winsize=50).table.columns)
    ['timeindex', 'ar1', 'sd', 'sk', 'kurt', 'cv', 'returnrate', 'densratio', 'acf1']
    """
    from .. import trend as _trend
    from .._kernels import rolling as K
    from .._kernels.smooth import linear_fit

    if detrending not in ("no", "gaussian", "loess", "linear", "first-diff"):
        raise InputError("detrending must be one of 'no', 'gaussian', 'loess', 'linear', 'first-diff'; "
                         f"got {detrending!r}.")
    if not (0 < winsize <= 100):
        raise InputError(f"winsize is a percentage of the series length in (0, 100], got {winsize}.")
    timeindex, Y = prepare(timeseries, logtransform, interpolate)
    n = len(Y)

    smY = None
    if detrending == "no":
        nsmY = Y.copy()
        smY = Y.copy()  # R sets smY <- Y
    elif detrending == "gaussian":
        bw = r_round(bw_nrd0(timeindex)) if bandwidth is None else r_round(n * bandwidth / 100)
        if bw <= 0:
            raise InputError(f"the gaussian bandwidth rounds to {bw} points; use a larger bandwidth.")
        smY = ksmooth(timeindex, Y, bw, timeindex)  # in sorted time order (misaligned if decreasing)
        nsmY = Y - smY
    elif detrending == "loess":
        from ._rloess import r_loess

        s = 25.0 if span is None else float(span)
        d = 2 if degree is None else int(degree)
        smY = r_loess(timeindex, Y, span=s / 100.0, degree=d)
        nsmY = Y - smY
    elif detrending == "linear":
        smY = linear_fit(timeindex, Y[None, :].copy(), np.array([n], dtype=np.int64))[0]
        nsmY = Y - smY
    else:
        nsmY = np.diff(Y)

    mw = r_round(n * winsize / 100)
    m = len(nsmY)
    if mw < 4 or mw > m:
        raise InputError(f"the window is {mw} points for {m} values; choose winsize so that 4 <= window <= {m}.")
    X = nsmY[None, :].copy()
    L = np.array([m], dtype=np.int64)
    W = np.array([mw], dtype=np.int64)
    mom = K.rolling_moments(X, L, W, np.array([K.MEAN, K.STD, K.SKEW, K.KURT_RAW]))[:, 0, mw - 1:]
    lag = K.rolling_lag(X, L, W, 1, np.array([K.AR_OLS, K.ACF]))[:, 0, mw - 1:]
    mean, sd, sk, kurt = mom
    ar1, acf1 = lag
    r = acf1
    densratio = (1 + r) ** 2 / (1 - 2 * r * np.cos(np.pi / (mw - 1)) + r * r)
    table = pd.DataFrame({
        "timeindex": timeindex[mw - 1:m],
        "ar1": ar1, "sd": sd, "sk": np.abs(sk), "kurt": kurt, "cv": sd / mean,
        "returnrate": 1.0 / ar1, "densratio": densratio, "acf1": acf1,
    })
    idx = np.arange(1, len(table) + 1, dtype=np.float64)
    taus = _kendall_rows(table[_COLUMNS].to_numpy().T.copy())  # R: NA for a flat indicator
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pvals = [_trend.textbook_pvalue("kendall", idx, table[c].to_numpy()) for c in _COLUMNS]
    kendall = pd.DataFrame({"indicator": _COLUMNS, "tau": taus, "p_value": pvals})
    detrended = pd.DataFrame({"nsmY": nsmY})
    if smY is not None:
        detrended["smY"] = smY
    return GenericEWSResult(table=table, kendall=kendall, detrended=detrended)
