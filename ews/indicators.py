"""Rolling indicators: a registry of name -> estimator, expected direction before a fold, formula.

Windows
-------
``window`` is a fraction of each row's length (``0 < window <= 1``: ``w = floor(window * n)``, with a
1e-9 tolerance so that 0.29 * 100 gives 29) or a whole number of points (an ``int``). Windows are
right-aligned: the value of the window ``x[j-w+1], ..., x[j]`` is stamped at ``t[j]``; the first
``w - 1`` time points have no value (NaN). Windows must have at least 3 points and fit in the series.

Estimators (window values x_1..x_w, mean m, z_t = x_t - m)
---------------------------------------------------------
mean          m
variance      sum z^2 / (w - 1)
std           sqrt(variance)
cv            std(residuals) / mean(state): the spread of the residuals relative to the level of the
              undetrended state (equal to std/mean without detrending)
skewness      g1 = (sum z^3 / w) / (sum z^2 / w)^(3/2); ``adjusted=True``: G1 = g1 sqrt(w(w-1)) / (w-2)
              (pandas, Excel)
kurtosis      excess g2 = (sum z^4 / w) / (sum z^2 / w)^2 - 3; ``excess=False``: b2 = g2 + 3;
              ``adjusted=True``: G2 = ((w+1) g2 + 6)(w-1) / ((w-2)(w-3)) (pandas), plus 3 if not excess
ar1           OLS AR(1) coefficient on the demeaned window, sum_{t=2..w} z_t z_{t-1} / sum_{t=1..w-1} z_t^2
              (R's ``ar.ols(demean=TRUE, intercept=FALSE)``)
autocorrelation  lag-k Pearson correlation of the pairs (x_t, x_{t+k}), t = 1..w-k, each member of the pair
              centred on its own mean (pandas ``Series.autocorr``; ewstools' ``ac1`` for k = 1)
acf1          biased sample autocorrelation at lag 1, sum_{t=2..w} z_t z_{t-1} / sum_{t=1..w} z_t^2 (R's acf)
return_rate   1 - ar1 (the recovery rate per step of a linearised AR(1) process; falls before a fold)
density_ratio S(f_low) / S(f_high) of the AR(1) spectrum fitted by Yule-Walker (r = acf1),
              S(f) = sigma^2 / (1 - 2 r cos(2 pi f) + r^2), f in cycles per time step; default
              f_low = 0.05, f_high = 0.5 (the Nyquist frequency). A monotone function of acf1 (so its Kendall
              tau equals acf1's); reported because the field uses it (R earlywarnings uses
              f_low = 0.5/(w-1), see ews.compat.earlywarnings).

bimodality    Sarle's bimodality coefficient BC = (G1^2 + 1) / (G2 + 3 (w-1)^2 / ((w-2)(w-3))) with G1, G2 the
              adjusted sample skewness and excess kurtosis above (SAS; Pfister et al. 2013);
              ``adjusted=False``: (g1^2 + 1) / (g2 + 3). BC > 5/9 (the value of a uniform distribution)
              suggests two modes; a Gaussian gives 1/3. Skewness alone also raises it, so a skewed
              unimodal window can pass 5/9: read it with ``dip`` and ``wells``.

dip           Hartigan's dip: the sup distance between the window's empirical CDF and the closest unimodal
              CDF (Hartigan & Hartigan 1985), equal to ``diptest.dipstat``; ``dip_pvalue`` its p-value
              from diptest's table of uniform-null quantiles (``diptest.diptest(x)[1]``). A constant
              window has dip 0 and p 1 (diptest's convention: one value is unimodal). Ties (counts,
              rounded data) inflate the dip: more than 10 % repeated values in a series give a warning

wells         number of wells of the potential U = -(sigma^2/2) log p, p the Gaussian KDE of the window's
              residuals (like every indicator; the state without detrending; ``on_state=True``: the
              undetrended state even after detrending) on ``grid_size`` points over
              [min - h, max + h]: the maxima of p whose prominence is at least ``threshold`` x max p
              (Livina et al. 2010); see ``ews.potential.potential_analysis`` for positions, depths and
              the landscape
permutation_entropy  -sum_k p_k log p_k / log m! over the window's ordinal patterns of order m (default 3),
              delay d (default 1); ties rank by position (Bandt & Pompe 2002); O(1) per step
conditional_heteroskedasticity  R^2 of the regression of the squared residuals of an AR(p) filter (OLS with
              intercept, p chosen by AIC up to min(floor(10 log10 w), floor(w/10))) on their own lag
              (Seekell et al. 2011); see ``ews.nonlinear.ch_test`` for the test against chi2_1(1-alpha)/(L-1)

Directions (expected change before a fold bifurcation): +1 rising, -1 falling, 0 either way.

Constant windows give variance 0 and NaN for every ratio (with a ``DegenerateWindowWarning``).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import xarray as xr

from . import _checks
from ._errors import DegenerateWindowWarning, EWSWarning, InputError
from ._registry import Registry
from .series import TimeSeries, as_timeseries


# ----------------------------------------------------------------------------------------------------
# windows
# ----------------------------------------------------------------------------------------------------
def check_window(window) -> None:
    """Validate the form of ``window`` (a fraction in (0, 1] or an int >= 3)."""
    _checks.check_window(window)


resolve_windows = _checks.resolve_windows  # the one window rule, shared with ews.nonlinear


# ----------------------------------------------------------------------------------------------------
# registry
# ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IndicatorDef:
    """A registered indicator.

    ``kernel`` says what the indicator needs from the streaming kernels:
    ``("moments", input, code)``, ``("lag", input, code, lag)``, or ``("custom", func, *args)`` where
    ``func(ts, windows, *args) -> (n_rows, n)`` (args hashable: the indicator's parameters) reads the rows it needs with ``ts.rows(input)`` and
    ``ts.row_lengths()``. ``finalize(values_dict, **params)`` combines
    kernel outputs (e.g. cv = std / mean).
    """

    name: str
    direction: int
    summary: str
    formula: str
    reference: str = ""
    defaults: dict = field(default_factory=dict)
    requests: Callable[..., list] = None  # params -> list of kernel request keys
    finalize: Callable[..., np.ndarray] = None  # (outputs: dict key->array, **params) -> array
    min_window: int = 3

    def info(self) -> dict:
        return {"direction": self.direction, "summary": self.summary, "formula": self.formula,
                "reference": self.reference, "defaults": self.defaults}


REGISTRY: Registry[IndicatorDef] = Registry("indicator")
names, get, table = REGISTRY.names, REGISTRY.get, REGISTRY.table


def register(defn: IndicatorDef, *, replace: bool = False) -> IndicatorDef:
    """Add an indicator to the registry (one definition, one registration)."""
    return REGISTRY.register(defn, replace=replace)


def unregister(name: str) -> None:
    REGISTRY.unregister(name)


def register_window_function(name: str, func: Callable[[np.ndarray], float], *, direction: int = 0,
                             summary: str = "", input: str = "residuals") -> IndicatorDef:
    """Register any function ``window values (1-D array) -> number`` as an indicator.

    This is the general (slow, O(n w) with a Python call per row) path, for trying new indicators;
    built-in indicators use O(n) streaming kernels.

    Examples
    --------
    >>> import numpy as np, ews
    >>> _ = ews.indicators.register_window_function("range", lambda v: v.max() - v.min(), direction=1)
    >>> "range" in ews.indicators.names()
    True
    >>> ews.indicators.unregister("range")
    """
    if input not in ("residuals", "state"):
        raise InputError("input must be 'residuals' or 'state'.")

    def _custom(ts, windows):
        X = ts.rows(input)
        lengths = ts.row_lengths()
        out = np.full(X.shape, np.nan)
        from numpy.lib.stride_tricks import sliding_window_view

        for i in range(X.shape[0]):
            w, L = int(windows[i]), int(lengths[i])
            if w == 0:
                continue
            sw = sliding_window_view(X[i, :L], w)
            out[i, w - 1 : L] = [func(v) for v in sw]
        return out

    return register(IndicatorDef(
        name=name, direction=direction, summary=summary or f"user function {getattr(func, '__name__', '')}",
        formula="user-defined", requests=lambda: [("custom", _custom)],
        finalize=lambda out: out[("custom", _custom)],
    ))


@dataclass(frozen=True)
class Indicator:
    """An indicator with its parameters, e.g. ``Indicator("autocorrelation", lag=2)``.

    Hashable and comparable, so pipelines holding them are frozen values. ``label`` names its output
    (the registry name, with non-default parameters appended: ``autocorrelation_lag2``).
    """

    name: str
    params: tuple = ()

    def __init__(self, name: str, **params):
        defn = get(name)
        unknown = sorted(set(params) - set(defn.defaults))
        if unknown:
            raise InputError(
                f"indicator {name!r} has no parameter(s) {unknown}; its parameters are "
                f"{sorted(defn.defaults) or 'none'}."
            )
        full = {**defn.defaults, **params}
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "params", tuple(sorted(full.items())))
        _validate_params(name, full)
        extra = [(k, v) for k, v in self.params if defn.defaults.get(k) != v]
        object.__setattr__(self, "_label", name + "".join(f"_{k}{_fmt(v)}" for k, v in extra))

    @property
    def definition(self) -> IndicatorDef:
        return get(self.name)

    @property
    def kwargs(self) -> dict:
        return dict(self.params)

    @property
    def direction(self) -> int:
        return self.definition.direction

    @property
    def label(self) -> str:
        return self._label

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self.params)
        return f"Indicator({self.name!r}{args})"


def _fmt(v):
    if isinstance(v, bool):
        return "" if v else "False"
    return str(v).replace(".", "p")


def _validate_params(name, p):
    _checks.check_indicator_params(name, p, get(name).defaults)
    if "lag" in p:
        lag = p["lag"]
        if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or lag < 1:
            raise InputError(f"lag must be a positive integer, got {lag!r}.")
    if "order" in p and not (2 <= p["order"] <= 7):
        raise InputError(f"order is the length of the ordinal patterns, from 2 to 7 (7! = 5040 patterns), got {p['order']!r}.")
    if "delay" in p and p["delay"] < 1:
        raise InputError(f"delay is a whole number of steps >= 1, got {p['delay']!r}.")
    if "grid_size" in p:
        _checks.check_grid_size(p["grid_size"])
    if "threshold" in p and not (0 <= p["threshold"] < 1):
        raise InputError(f"threshold is a fraction of the highest density in [0, 1), got {p['threshold']!r}.")
    if "bw_adjust" in p and not p["bw_adjust"] > 0:
        raise InputError(f"bw_adjust multiplies the bandwidth and must be > 0, got {p['bw_adjust']!r}.")
    for key in ("low", "high"):
        if key in p and not (0 < p[key] <= 0.5):
            raise InputError(f"{key} must be a frequency in (0, 0.5] cycles per step, got {p[key]!r}.")
    if "low" in p and p["low"] >= p["high"]:
        raise InputError(f"low ({p['low']}) must be below high ({p['high']}).")


_BY_NAME: dict[str, tuple] = {}


def as_indicator(spec) -> Indicator:
    """'variance', ('autocorrelation', {'lag': 2}), or an Indicator -> Indicator."""
    if isinstance(spec, Indicator):
        return spec
    if isinstance(spec, str):  # the same name gives the same (immutable) Indicator while its entry stands
        defn = get(spec)
        hit = _BY_NAME.get(spec)
        if hit is None or hit[0] is not defn:
            hit = _BY_NAME[spec] = (defn, Indicator(spec))
        return hit[1]
    if isinstance(spec, (tuple, list)) and len(spec) == 2 and isinstance(spec[0], str) and isinstance(spec[1], dict):
        return Indicator(spec[0], **spec[1])
    raise InputError(
        f"cannot read {spec!r} as an indicator; pass a name ('variance'), a (name, params) pair "
        "(('autocorrelation', {'lag': 2})) or ews.indicators.Indicator(...)."
    )


def as_indicators(specs) -> tuple[Indicator, ...]:
    if isinstance(specs, (str, Indicator)):
        specs = [specs]
    _checks.check_indicators_arg(specs)
    out = tuple(as_indicator(s) for s in specs)
    if not out:
        raise InputError("no indicators given; choose from " + ", ".join(names()) + ".")
    labels = [i.label for i in out]
    dup = {l for l in labels if labels.count(l) > 1}
    if dup:
        raise InputError(f"indicator(s) {sorted(dup)} requested twice.")
    return out


# ----------------------------------------------------------------------------------------------------
# built-in indicators
# ----------------------------------------------------------------------------------------------------
def _mom(inp, code):
    return ("moments", inp, code)


def _lag(inp, code, lag):
    return ("lag", inp, code, lag)


def _window_sizes(ts, windows):
    """The window length (points) of each row, broadcast over time (for finalizers that need w)."""
    return np.broadcast_to(np.asarray(windows, dtype=float)[:, None], (ts.n_rows, ts.n))


_WINDOW_KEY = ("custom", _window_sizes)


def _dip_both(ts, windows):
    """Hartigan's dip and its table p-value in one pass: (2, n_rows, n)."""
    from ._kernels.dip import MAX_TABLE_N, rolling_dip

    if (windows > MAX_TABLE_N).any():
        warnings.warn(f"windows longer than {MAX_TABLE_N} points: the dip p-value uses the table's last row "
                      f"(n = {MAX_TABLE_N}), as diptest does.", UserWarning, stacklevel=5)
    X, lengths = ts.rows("residuals"), ts.row_lengths()
    tied = _tied_share(X, lengths)
    if tied.max(initial=0.0) > DIP_TIE_SHARE:
        i = int(np.argmax(tied))
        warnings.warn(
            f"{int((tied > DIP_TIE_SHARE).sum())} series hold many tied values (first: row {i}, {tied[i]:.0%} of its "
            "values repeat an earlier one). The dip's p-value assumes a continuous distribution: ties (counts, "
            "rounded values) make each repeated value a step of the empirical CDF, which the dip reads as "
            "multimodality, so dip_pvalue rejects unimodality far too often there. Prefer 'wells' or "
            "'bimodality' for such data, or jitter the values by less than their resolution.",
            EWSWarning, stacklevel=5)
    return np.stack(rolling_dip(X, lengths, np.asarray(windows, dtype=np.int64)))


DIP_TIE_SHARE = 0.1
"""Share of repeated values in a series above which the dip warns about ties."""


def _tied_share(X, lengths) -> np.ndarray:
    """Per row: the share of its values equal to an earlier one (0 for continuous data)."""
    S = np.sort(np.where(np.arange(X.shape[1])[None, :] < lengths[:, None], X, np.nan), axis=1)
    same = S[:, 1:] == S[:, :-1]  # NaN padding never compares equal
    return same.sum(axis=1) / np.maximum(lengths, 1)


_DIP_KEY = ("custom", _dip_both)


def _wells(ts, windows, grid_size, threshold, bw_adjust, on_state):
    """Number of potential wells per window (n_rows, n): see ews.potential."""
    from ._kernels.potential import rolling_wells

    X = ts.rows("state" if on_state else "residuals")
    return rolling_wells(np.ascontiguousarray(X), ts.row_lengths(), np.ascontiguousarray(windows, dtype=np.int64),
                         int(grid_size), float(threshold), float(bw_adjust))


def _perm_entropy(ts, windows, order, delay):
    """Rolling normalised permutation entropy (n_rows, n)."""
    from ._kernels.entropy import rolling_permutation_entropy

    return rolling_permutation_entropy(ts.rows("residuals"), ts.row_lengths(), windows, order, delay)


def _ch_r2(ts, windows, max_order):
    """Rolling R^2 of the conditional-heteroskedasticity regression (n_rows, n)."""
    from ._kernels.chet import rolling_ch

    windows = np.ascontiguousarray(windows, dtype=np.int64)
    r2, _ = rolling_ch(ts.rows("residuals"), ts.row_lengths(), windows, _checks.ch_max_orders(max_order, windows))
    return r2


def _builtin():
    from ._kernels import rolling as K

    def moment(name, code, direction, summary, formula, inp="residuals", reference=""):
        register(IndicatorDef(name=name, direction=direction, summary=summary, formula=formula, reference=reference,
                              requests=lambda: [_mom(inp, code)], finalize=lambda out: out[_mom(inp, code)]))

    moment("mean", K.MEAN, 0, "window mean of the residuals", "m = sum x / w")
    moment("variance", K.VAR, +1, "sample variance (ddof=1)", "sum (x - m)^2 / (w - 1)",
           reference="Carpenter & Brock 2006, Ecol Lett 9:311")
    moment("std", K.STD, +1, "sample standard deviation (ddof=1)", "sqrt(sum (x - m)^2 / (w - 1))")

    register(IndicatorDef(
        name="cv", direction=+1, summary="std of the residuals over the mean of the undetrended state",
        formula="sd(residuals) / mean(state)", reference="Dakos et al. 2012, PLoS ONE 7:e41010",
        requests=lambda: [_mom("residuals", K.STD), _mom("state", K.MEAN)],
        finalize=lambda out: out[_mom("residuals", K.STD)] / out[_mom("state", K.MEAN)],
    ))

    def skew_req(adjusted):
        return [_mom("residuals", K.SKEW_ADJ if adjusted else K.SKEW)]

    register(IndicatorDef(
        name="skewness", direction=0, summary="skewness (moment coefficient; adjusted=True: pandas' G1)",
        formula="g1 = m3 / m2^1.5; G1 = g1 sqrt(w(w-1))/(w-2)", reference="Guttal & Jayaprakash 2008, Ecol Lett 11:450",
        defaults={"adjusted": False}, requests=skew_req,
        finalize=lambda out, adjusted: out[skew_req(adjusted)[0]],
    ))

    def kurt_req(excess, adjusted):
        code = K.KURT_ADJ if adjusted else (K.KURT if excess else K.KURT_RAW)
        return [_mom("residuals", code)]

    def kurt_fin(out, excess, adjusted):
        v = out[kurt_req(excess, adjusted)[0]]
        return v + 3.0 if (adjusted and not excess) else v

    register(IndicatorDef(
        name="kurtosis", direction=+1, summary="kurtosis (excess by default; raw with excess=False)",
        formula="g2 = m4 / m2^2 - 3; G2 = ((w+1) g2 + 6)(w-1)/((w-2)(w-3))",
        reference="Biggs et al. 2009, PNAS 106:826", defaults={"excess": True, "adjusted": False},
        requests=kurt_req, finalize=kurt_fin, min_window=4,
    ))

    register(IndicatorDef(
        name="ar1", direction=+1, summary="OLS AR(1) coefficient on the demeaned window",
        formula="sum_{t>=2} z_t z_{t-1} / sum_{t<=w-1} z_t^2", reference="Held & Kleinen 2004, GRL 31:L23207",
        requests=lambda: [_lag("residuals", K.AR_OLS, 1)], finalize=lambda out: out[_lag("residuals", K.AR_OLS, 1)],
    ))
    register(IndicatorDef(
        name="autocorrelation", direction=+1, summary="lag-k Pearson autocorrelation of the window's pairs",
        formula="corr((x_1..x_{w-k}), (x_{1+k}..x_w))", reference="Dakos et al. 2008, PNAS 105:14308",
        defaults={"lag": 1}, requests=lambda lag: [_lag("residuals", K.PEARSON, lag)],
        finalize=lambda out, lag: out[_lag("residuals", K.PEARSON, lag)],
    ))
    register(IndicatorDef(
        name="acf1", direction=+1, summary="biased sample autocorrelation at lag 1 (R acf)",
        formula="sum_{t>=2} z_t z_{t-1} / sum_t z_t^2", reference="Dakos et al. 2012, PLoS ONE 7:e41010",
        requests=lambda: [_lag("residuals", K.ACF, 1)], finalize=lambda out: out[_lag("residuals", K.ACF, 1)],
    ))
    register(IndicatorDef(
        name="return_rate", direction=-1, summary="1 - ar1: recovery rate per step",
        formula="1 - ar1", reference="van Nes & Scheffer 2007, Am Nat 169:738",
        requests=lambda: [_lag("residuals", K.AR_OLS, 1)], finalize=lambda out: 1.0 - out[_lag("residuals", K.AR_OLS, 1)],
    ))

    def bc_req(adjusted):
        return ([_mom("residuals", K.SKEW_ADJ), _mom("residuals", K.KURT_ADJ)] if adjusted
                else [_mom("residuals", K.SKEW), _mom("residuals", K.KURT)])

    def bc_fin(out, adjusted):
        g1, g2 = (out[r] for r in bc_req(adjusted))
        w = out[_WINDOW_KEY]
        with np.errstate(divide="ignore", invalid="ignore"):
            if adjusted:
                return (g1 * g1 + 1.0) / (g2 + 3.0 * (w - 1.0) ** 2 / ((w - 2.0) * (w - 3.0)))
            return (g1 * g1 + 1.0) / (g2 + 3.0)

    register(IndicatorDef(
        name="bimodality", direction=+1,
        summary="Sarle's bimodality coefficient (> 5/9 suggests two modes; adjusted=False: population moments)",
        formula="BC = (G1^2 + 1) / (G2 + 3 (w-1)^2 / ((w-2)(w-3))), G1, G2 the adjusted sample skewness and "
                "excess kurtosis; adjusted=False: (g1^2 + 1) / (g2 + 3) = (g1^2 + 1) / b2",
        reference="SAS Institute 1990 (SAS/STAT User's Guide, PROC CLUSTER); Pfister et al. 2013, Front Psychol "
                  "4:700; Dakos, van Nes & Scheffer 2013, Theor Ecol 6:309 (flickering)",
        defaults={"adjusted": True}, requests=lambda adjusted: bc_req(adjusted) + [_WINDOW_KEY],
        finalize=bc_fin, min_window=4,
    ))

    register(IndicatorDef(
        name="dip", direction=+1,
        summary="Hartigan's dip statistic of unimodality (large: more than one mode)",
        formula="dip = min over unimodal G of sup_x |F_w(x) - G(x)| (F_w the window's empirical CDF); "
                "O(w) per step on the incrementally sorted window",
        reference="Hartigan & Hartigan 1985, Ann Stat 13:70; diptest (Maechler; Urlus & Kolyvakis)",
        requests=lambda: [_DIP_KEY], finalize=lambda out: out[_DIP_KEY][0], min_window=4,
    ))
    register(IndicatorDef(
        name="dip_pvalue", direction=-1,
        summary="p-value of Hartigan's dip test against the uniform (least favourable unimodal) null",
        formula="p = 1 - F_n(dip), F_n interpolated in diptest's table of dip quantiles of uniform samples",
        reference="Hartigan & Hartigan 1985, Ann Stat 13:70; Maechler, R package diptest (qDiptab)",
        requests=lambda: [_DIP_KEY], finalize=lambda out: out[_DIP_KEY][1], min_window=4,
    ))

    wells_keys = ("grid_size", "threshold", "bw_adjust", "on_state")
    register(IndicatorDef(
        name="wells", direction=+1,
        summary="number of potential wells (density modes) of the window: 2 or more while flickering",
        formula="Gaussian KDE p on G points over [min - h, max + h], h = bw_adjust 1.06 min(sd, IQR/1.34) w^-0.2; "
                "U = -(sigma^2/2) log p; wells = maxima of p with prominence >= threshold max p",
        reference="Livina et al. 2010, Clim Past 6:77; Hirota et al. 2011, Science 334:232",
        defaults={"grid_size": 100, "threshold": 0.1, "bw_adjust": 1.0, "on_state": False},
        requests=lambda **p: [("custom", _wells, *(p[k] for k in wells_keys))],
        finalize=lambda out, **p: out[("custom", _wells, *(p[k] for k in wells_keys))], min_window=3,
    ))
    register(IndicatorDef(
        name="permutation_entropy", direction=-1,
        summary="normalised permutation entropy of the window's ordinal patterns (falls as memory grows)",
        formula="PE = -sum_k p_k log p_k / log m!, p_k the share of the w-(m-1)d ordinal patterns of order m, "
                "delay d that are pattern k (ties rank by position)",
        reference="Bandt & Pompe 2002, Phys Rev Lett 88:174102",
        defaults={"order": 3, "delay": 1},
        requests=lambda order, delay: [("custom", _perm_entropy, order, delay)],
        finalize=lambda out, order, delay: out[("custom", _perm_entropy, order, delay)], min_window=4,
    ))
    register(IndicatorDef(
        name="conditional_heteroskedasticity", direction=+1,
        summary="R^2 of the squared AR(p) residuals on their lag (p by AIC): volatility clustering",
        formula="AR(p) by OLS with intercept, p <= min(floor(10 log10 w), floor(w/10)) chosen by AIC on a common "
                "sample; R^2 of e_t^2 = a + b e_{t-1}^2 + u_t (max_order=-1: that default cap)",
        reference="Seekell, Carpenter & Pace 2011, Am Nat 178:442",
        defaults={"max_order": -1}, requests=lambda max_order: [("custom", _ch_r2, max_order)],
        finalize=lambda out, max_order: out[("custom", _ch_r2, max_order)], min_window=10,
    ))

    def dens_fin(out, low, high):
        r = out[_lag("residuals", K.ACF, 1)]
        return (1 - 2 * r * np.cos(2 * np.pi * high) + r * r) / (1 - 2 * r * np.cos(2 * np.pi * low) + r * r)

    register(IndicatorDef(
        name="density_ratio", direction=+1,
        summary="AR(1)-spectrum power ratio S(low)/S(high), frequencies in cycles per step",
        formula="(1 - 2 r cos(2 pi high) + r^2) / (1 - 2 r cos(2 pi low) + r^2), r = acf1",
        reference="Biggs et al. 2009, PNAS 106:826; Kefi et al. 2013, PLoS ONE 8:e62033",
        defaults={"low": 0.05, "high": 0.5}, requests=lambda low, high: [_lag("residuals", K.ACF, 1)],
        finalize=dens_fin,
    ))


_builtin()


# ----------------------------------------------------------------------------------------------------
# computation
# ----------------------------------------------------------------------------------------------------
def compute_rows(ts: TimeSeries, indicators: tuple[Indicator, ...], windows: np.ndarray) -> dict[str, np.ndarray]:
    """Run the kernels for ``indicators`` on the rows of ``ts``: label -> (n_rows, n) array."""
    from ._kernels import rolling as K

    requests: dict[tuple, None] = {}
    for ind in indicators:
        for r in ind.definition.requests(**ind.kwargs):
            requests[r] = None
    outputs: dict[tuple, np.ndarray] = {}
    lengths = ts.row_lengths()
    # group moment requests per input, lag requests per (input, lag): one pass each
    groups: dict[tuple, list] = {}
    for r in requests:
        if r[0] == "moments":
            groups.setdefault(("moments", r[1]), []).append(r)
        elif r[0] == "lag":
            groups.setdefault(("lag", r[1], r[3]), []).append(r)
        else:  # ("custom", func, *args): func(ts, windows, *args) -> (n_rows, n)
            outputs[r] = r[1](ts, windows, *r[2:])
    for g, reqs in groups.items():
        X = ts.rows(g[1])
        codes = np.array([r[2] for r in reqs], dtype=np.int64)
        if g[0] == "moments":
            res = K.rolling_moments(X, lengths, windows, codes)
        else:
            res = K.rolling_lag(X, lengths, windows, int(g[2]), codes)
        for r, arr in zip(reqs, res):
            outputs[r] = arr
    return {ind.label: ind.definition.finalize(outputs, **ind.kwargs) for ind in indicators}


def _degenerate_counts(values: np.ndarray, lengths: np.ndarray, windows: np.ndarray) -> int:
    """NaN values where every window was full (positions w-1 .. L-1 of each active row)."""
    expected = int(np.where(windows > 0, lengths - windows + 1, 0).sum())
    return expected - (values.size - int(np.count_nonzero(np.isnan(values))))


def evaluate(ts: TimeSeries, inds: tuple[Indicator, ...], windows: np.ndarray,
             stacklevel: int = 3) -> dict[str, np.ndarray]:
    """Check the windows against the indicators' needs, run the kernels, warn about degenerate windows."""
    active = windows > 0
    need = max(i.definition.min_window for i in inds)
    if (active & (windows < need)).any():
        raise InputError(f"the window is {int(windows[active].min())} points; "
                         f"{[i.label for i in inds if i.definition.min_window == need]} need at least {need}.")
    for ind in inds:
        kw = ind.kwargs
        if "order" in kw and (active & (windows < (kw["order"] - 1) * kw["delay"] + 2)).any():
            raise InputError(f"{ind.label} needs windows of at least (order - 1) delay + 2 = "
                             f"{(kw['order'] - 1) * kw['delay'] + 2} points (two ordinal patterns).")
        if "lag" in ind.kwargs and (active & (windows < ind.kwargs["lag"] + 2)).any():
            raise InputError(f"{ind.label} needs windows of at least lag + 2 = {ind.kwargs['lag'] + 2} points.")
    values = compute_rows(ts, inds, windows)
    lengths = ts.row_lengths()
    bad = {label: _degenerate_counts(v, lengths, windows) for label, v in values.items()}
    bad = {k: v for k, v in bad.items() if v}
    if bad:
        warnings.warn(
            "some windows are constant or degenerate (zero spread), so these indicators are NaN there: "
            + ", ".join(f"{k}: {v} window(s)" for k, v in bad.items()),
            DegenerateWindowWarning,
            stacklevel=stacklevel,
        )
    return values


class IndicatorResult:
    """Rolling indicators of every row: numpy arrays inside, an xarray Dataset on demand.

    ``result[label]`` is a DataArray (dims as the input); :meth:`to_numpy` gives the array itself;
    :meth:`to_xarray` the Dataset (one variable per indicator, coordinate ``window`` in points), built
    once on first use. ``len(result)``, ``label in result`` and ``list(result)`` count, test and list
    the indicators (as a Dataset's data variables).

    ``compute`` used to return that Dataset. Other attributes (``result.sizes``, ``result.isel(...)``)
    still fall through to it, with a DeprecationWarning: call ``result.to_xarray()`` first. Equality is
    identity (``a == b`` only for the same object; compare ``a.to_xarray()`` for values), and xarray
    functions (``xr.merge``, ``xr.concat``) need ``result.to_xarray()``.
    """

    def __init__(self, timeseries: TimeSeries, indicators: tuple[Indicator, ...], values: dict, windows):
        self.timeseries = timeseries
        self.indicators = indicators
        self._values = values
        self.windows = np.asarray(windows).reshape(timeseries.shape[:-1])
        self._ds = None

    @property
    def labels(self) -> list[str]:
        return [i.label for i in self.indicators]

    def to_numpy(self, label: str) -> np.ndarray:
        """Indicator ``label`` as an array shaped like the input (..., time)."""
        if label not in self._values:
            raise InputError(f"no indicator {label!r} here; the indicators are {self.labels}.")
        return self._values[label].reshape(self.timeseries.shape)

    def to_xarray(self) -> xr.Dataset:
        if self._ds is None:
            ts = self.timeseries
            base = ts.to_xarray()
            ds = xr.Dataset({i.label: (ts.dims, self.to_numpy(i.label), indicator_attrs(i))
                             for i in self.indicators},
                            coords={k: v for k, v in base.coords.items()})
            ds.coords["window"] = (ts.leading_dims, self.windows)
            self._ds = ds
        return self._ds

    def __getitem__(self, label):
        return self.to_xarray()[label]

    def __contains__(self, label) -> bool:
        return label in self._values

    def __iter__(self):
        return iter(self.labels)

    def __len__(self) -> int:
        """The number of indicators (as ``len`` of a Dataset counts its data variables)."""
        return len(self.indicators)

    __eq__ = object.__eq__  # identity, on purpose (see the class docstring)
    __hash__ = object.__hash__

    def __getattr__(self, name):
        """Deprecated fall-through to the Dataset (``compute`` used to return one)."""
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self.to_xarray(), name)  # an AttributeError here: no warning (hasattr stays quiet)
        warnings.warn(
            f"IndicatorResult.{name} reaches the xarray Dataset that indicators.compute used to return; "
            f"this fall-through is deprecated: use result.to_xarray().{name}.", DeprecationWarning, stacklevel=2)
        return value

    def __repr__(self):
        return f"<ews.IndicatorResult {self.labels} rows={self.timeseries.n_rows} n={self.timeseries.n}>"


def compute(data, indicators=("variance", "ar1"), window=0.5, *, strict: bool | None = None) -> IndicatorResult:
    """Rolling indicators of ``data`` (its residuals if detrended, else its state).

    Parameters
    ----------
    data : TimeSeries or anything TimeSeries accepts
    indicators : names, (name, params) pairs or Indicator objects
    window : float in (0, 1] (fraction of each row's length) or int (points)
    strict : bool, optional
        Raise when a row is too short for the window. Default: True for a single series; for several
        rows, too-short rows get NaN and a warning instead (a batch never loses its good rows).

    Returns
    -------
    IndicatorResult
        ``result["variance"]`` is a DataArray with the input's dims; ``result.to_numpy("variance")`` the
        array; ``result.to_xarray()`` a Dataset with one variable per indicator (named by its label).

    Examples
    --------
    >>> import numpy as np, ews
    >>> x = np.random.default_rng(1).standard_normal(500)
    >>> res = ews.indicators.compute(x, ["variance", "ar1"], window=100)
    >>> v = res.to_numpy("variance")
    >>> bool(np.isnan(v[98]) and np.isfinite(v[99]))
    True
    """
    ts = as_timeseries(data)
    inds = as_indicators(indicators)
    ts.require_regular("rolling indicators (windows of a fixed number of points)")
    if strict is None:
        strict = ts.n_rows == 1
    check_label_clash([i.label for i in inds], ts)
    windows = resolve_windows(window, ts.row_lengths(), strict=strict)
    return IndicatorResult(ts, inds, evaluate(ts, inds, windows), windows)


def check_label_clash(labels, ts: TimeSeries) -> None:
    """Refuse an indicator label equal to a dimension or coordinate name of ``ts`` (or ``window``, the
    windows' coordinate): the Dataset could not hold both, and one would be lost."""
    taken = set(ts.dims) | set(ts.coords) | {"window"}
    clash = [lab for lab in labels if lab in taken]
    if clash:
        raise InputError(
            f"indicator label(s) {clash} are also the name of a dimension or coordinate of the data "
            f"(dims {list(ts.dims)}, coords {sorted(ts.coords)}), so the results could not hold both; register "
            f"the indicator under another name (e.g. ews.indicators.register_window_function("
            f"{clash[0] + '_indicator'!r}, func)), or rename that dimension of the data."
        )


def indicator_attrs(ind: Indicator) -> dict:
    return {"indicator": ind.name, "direction": ind.direction, "formula": ind.definition.formula,
            **{f"param_{k}": v for k, v in ind.params}}
