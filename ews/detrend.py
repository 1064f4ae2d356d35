"""Detrending: residual = state - trend.

Every detrender is a small frozen object with a ``name``; :func:`get_detrender` turns a name and keyword
parameters into one, :func:`methods` lists them. ``detrender.apply(ts)`` returns a TimeSeries holding
``state``, ``trend`` and ``residuals`` and records the step and its parameters in ``history``.

Gaussian kernel (``"gaussian"``)
    Nadaraya-Watson regression with a Gaussian kernel of standard deviation sigma,
    ``trend_i = sum_j K(t_j - t_i) x_j / sum_j K(t_j - t_i)``, ``K(u) = exp(-u^2 / (2 sigma^2))``, the sum
    running over the points with ``|t_j - t_i| <= truncate * sigma`` *that exist*: near the ends of the
    record the weights are renormalised over the available points (``edge="renormalise"``, the default;
    R's ``ksmooth`` does the same). ``edge="reflect"`` instead pads the series by reflection and uses
    normalised weights on the padded series (``scipy.ndimage.gaussian_filter1d(mode="reflect")``, as
    ewstools does).

    sigma comes from ``bandwidth``:
      * ``units="fraction"`` (default): ``bandwidth * n`` points, n the row's number of points
        (times the time step, in time units);
      * ``units="points"``: ``bandwidth`` points;
      * ``units="time"``: ``bandwidth`` in the series' time units (days for datetime stamps).
    and ``convention``:
      * ``"sigma"`` (default): sigma = bandwidth (the kernel's standard deviation);
      * ``"quartile"``: R ``ksmooth``'s convention, the kernel's quartiles at +-bandwidth/4, so
        sigma = 0.25 / 0.6744898 * bandwidth = 0.3706506 * bandwidth;
      * ``"ewstools"``: ewstools 2.1.3's rounding of the same, sigma = 0.25 / 0.675 * bandwidth.
    Cost: O(n R) directly for narrow kernels (R = truncation radius in points), O(n log n) by FFT for
    wide ones; irregular time stamps use the direct form in time units.

LOWESS (``"lowess"``)
    Cleveland's (1979) locally weighted linear regression on the ``span * n`` nearest neighbours with
    tricube weights and ``iterations`` robustifying (bisquare) passes; identical to
    ``statsmodels.nonparametric.lowess(x, t, frac=span, it=iterations, delta=0)``. O(n span n) per pass.

Linear (``"linear"``): least-squares line in time. First difference (``"first_difference"``):
``residual_i = x_i - x_{i-1}``, stamped at t_i, so the result has one point fewer; its trend is the
previous value (state = trend + residuals still holds). None (``"none"``): trend 0, residuals = state.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._errors import InputError
from ._registry import Registry
from ._validate import check_choice as _check_choice, check_positive as _check_positive, show as _show
from .series import TimeSeries, as_timeseries

QUARTILE_FACTOR = 0.25 / 0.6744897501960817  # R ksmooth: bw *= 0.3706506
EWSTOOLS_FACTOR = 0.25 / 0.675
_CONVENTIONS = {"sigma": 1.0, "quartile": QUARTILE_FACTOR, "ewstools": EWSTOOLS_FACTOR}
_FFT_MIN_WIDTH = 33  # kernels wider than this (2R+1 points) use the FFT
_MAX_TRUNCATE = 40.0  # exp(-0.5 * 39**2) is 0.0 in float64: wider truncation changes nothing
_MAX_REFLECT_RADIUS = 2**20  # edge="reflect": a wider kernel (and wider than 16 rows) is refused


class Detrender:
    """Base class of the detrending methods (the entries of the detrender registry).

    An entry carries what its callers need to know, so no caller branches on its type:

    ``name``, ``summary``
        registry name and one-line description;
    ``grid_param``
        the smoothing parameter a sensitivity grid varies (``"bandwidth"``, ``"span"``), or None;
    ``recompose(ts, detrended, residuals)``
        the state whose detrending gives back ``residuals`` (with the observed trend): the surrogate
        tests use it to turn surrogate residuals into surrogate states.

    Subclasses set ``name`` and implement ``_trend(ts) -> ((n_rows, n) array, provenance dict)``.
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    grid_param: ClassVar[str | None] = None

    def params(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def describe(self) -> dict:
        return {"method": self.name, **self.params()}

    def replace(self, **params) -> "Detrender":
        """A copy with some parameters changed (an InputError naming the valid ones for any other)."""
        return _build(type(self), self.name, {**self.params(), **params}, given=params)

    @classmethod
    def info(cls) -> dict:
        return {"summary": cls.summary, "parameters": [f.name for f in dataclasses.fields(cls)],
                "grid_param": cls.grid_param}

    def apply(self, ts) -> TimeSeries:
        """Detrend ``ts`` (anything TimeSeries accepts); returns a TimeSeries with trend and residuals."""
        ts = as_timeseries(ts)
        trend, extra = self._trend(ts)
        trend = trend.reshape(ts.shape)
        return ts.with_values(ts.values, trend=trend, residuals=ts.values - trend,
                              step={"step": "detrend", **self.describe(), **extra})

    def recompose(self, ts: TimeSeries, detrended: TimeSeries, residuals: np.ndarray) -> np.ndarray:
        """States (..., n) whose detrended residuals are ``residuals`` around the observed trend:
        ``trend + residuals`` (``residuals`` may carry extra leading dimensions in front)."""
        return residuals + detrended.trend_values

    def _trend(self, ts: TimeSeries):  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class Gaussian(Detrender):
    """Gaussian kernel smoother (Nadaraya-Watson). See the module docstring for the exact definition.

    Parameters
    ----------
    bandwidth : float
        Size of the kernel, read with ``units`` and ``convention``. Default 0.1: sigma = 10 % of the
        record.
    units : {"fraction", "points", "time"}
    convention : {"sigma", "quartile", "ewstools"}
    edge : {"renormalise", "reflect"}
    truncate : float
        Weights beyond ``truncate * sigma`` are zero (default 4, as R ksmooth and scipy).

    Examples
    --------
    >>> import numpy as np, ews
    >>> t = np.arange(400.0)
    >>> ts = ews.TimeSeries(np.sin(t / 60) + np.random.default_rng(0).standard_normal(400) * 0.1)
    >>> det = ts.detrend("gaussian", bandwidth=0.03)      # sigma = 12 points
    >>> bool(np.abs(det.trend - np.sin(t / 60))[40:-40].max() < 0.05)   # the slow part is recovered
    True
    >>> bool(np.allclose(det.state, det.trend + det.residuals))
    True

    Nadaraya-Watson is a local-constant fit: near the ends of a steep trend it is biased towards the
    interior (use ``"lowess"`` or ``"linear"`` there).
    """

    name: ClassVar[str] = "gaussian"
    summary: ClassVar[str] = "Gaussian kernel smoother (Nadaraya-Watson)"
    grid_param: ClassVar[str] = "bandwidth"
    bandwidth: float = 0.1
    units: str = "fraction"
    convention: str = "sigma"
    edge: str = "renormalise"
    truncate: float = 4.0

    def __post_init__(self):
        _check_positive(self.bandwidth, "bandwidth")
        _check_positive(self.truncate, "truncate")
        _check_choice(self.units, ("fraction", "points", "time"), "units")
        _check_choice(self.convention, tuple(_CONVENTIONS), "convention")
        _check_choice(self.edge, ("renormalise", "reflect"), "edge")
        if self.units == "fraction" and self.bandwidth > 10:
            raise InputError(
                f"bandwidth={self.bandwidth} with units='fraction' means sigma = {self.bandwidth} x the record "
                "length; pass a fraction (e.g. 0.1), or units='points' / units='time'."
            )

    def sigma(self, length: int, step: float) -> float:
        """Kernel standard deviation in time units for a row of ``length`` points spaced ``step``."""
        f = _CONVENTIONS[self.convention]
        if self.units == "fraction":
            return f * self.bandwidth * length * step
        if self.units == "points":
            return f * self.bandwidth * step
        return f * self.bandwidth

    def _trend(self, ts):
        X = ts.rows("state")
        L = ts.row_lengths()
        t = ts.t
        if ts.n < 2:
            raise InputError("gaussian detrending needs at least 2 points.")
        regular = ts.is_regular
        if not regular:
            if self.edge == "reflect" or self.units == "points":
                ts.require_regular(f"gaussian detrending with edge={self.edge!r}, units={self.units!r}")
            from ._kernels.smooth import nw_irregular

            span = np.array([t[max(l, 2) - 1] - t[0] for l in L])
            steps = span / np.maximum(L - 1, 1)
            sig = np.array([self.sigma(int(l), s) for l, s in zip(L, steps)])
            trend = nw_irregular(t, X, L, sig, min(float(self.truncate), _MAX_TRUNCATE))
            return trend, {"sigma": _summ(sig), "sigma_units": "time"}
        step = ts.step
        unique = np.unique(L) if ts.is_ragged else np.array([ts.n])
        if unique.size == 1 and unique[0] == ts.n:  # the common case: full rows, no gather/scatter
            sig_pts = self.sigma(ts.n, step) / step
            out = self._smooth_rows(X, sig_pts)
            sigmas = [sig_pts]
        else:
            out = np.full_like(X, np.nan)
            sigmas = []
            for length in unique:
                rows = np.flatnonzero(L == length)
                length = int(length)
                sig_pts = self.sigma(length, step) / step
                sigmas.append(sig_pts)
                out[rows, :length] = self._smooth_rows(np.ascontiguousarray(X[rows, :length]), sig_pts)
        return out, {"sigma": _summ(np.array(sigmas) * step), "sigma_units": "time",
                     "sigma_points": _summ(np.array(sigmas))}

    def _smooth_rows(self, X, sig_pts):
        """Smooth full rows X (b, L) with a Gaussian of sd ``sig_pts`` points.

        The kernel radius is bounded without changing the result: beyond ``_MAX_TRUNCATE`` sigmas the
        weights are exactly 0.0 in float64, and with edge renormalisation a weight further than
        ``L - 1`` points never meets a point of the row. So a huge ``bandwidth`` or ``truncate`` costs
        O(L), not O(bandwidth) (it used to allocate the whole kernel: 60 GiB for 1e9 points).
        """
        L = X.shape[-1]
        truncate = min(float(self.truncate), _MAX_TRUNCATE)
        if self.edge == "reflect":
            from scipy.ndimage import gaussian_filter1d

            radius = truncate * sig_pts
            if radius > max(_MAX_REFLECT_RADIUS, 16 * L):
                raise InputError(
                    f"bandwidth={_show(self.bandwidth)} (units={self.units!r}) gives a Gaussian of sigma = "
                    f"{sig_pts:.4g} points, so with edge='reflect' the kernel ({radius:.4g} points each side) "
                    f"wraps around a row of {L} points {radius / L:.3g} times; the trend is then "
                    "essentially the row mean. Use edge='renormalise' (it handles any bandwidth), "
                    f"or a bandwidth giving sigma below {max(_MAX_REFLECT_RADIUS, 16 * L) / truncate:.4g} points."
                )
            return gaussian_filter1d(X, sig_pts, axis=-1, mode="reflect", truncate=truncate)
        R = int(min(math.floor(truncate * sig_pts * (1 + 1e-12)), L - 1))
        d = np.arange(-R, R + 1, dtype=np.float64)
        w = np.exp(-0.5 * (d / sig_pts) ** 2)
        return nw_rows(X, w)


def nw_rows(X: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Edge-renormalised Nadaraya-Watson on full rows X (b, L); direct for narrow kernels, FFT else."""
    from ._kernels.smooth import edge_denominators, nw_direct

    b, L = X.shape
    if weights.shape[0] <= _FFT_MIN_WIDTH:
        return nw_direct(np.ascontiguousarray(X), np.full(b, L, dtype=np.int64), weights)
    from scipy import fft as sfft

    R = (weights.shape[0] - 1) // 2
    # circular convolution of length N >= L + R: the outputs R .. R+L-1 never wrap around
    N = sfft.next_fast_len(L + R, real=True)
    mu = X.mean(axis=1, keepdims=True)
    spec = sfft.rfft(X - mu, N, axis=1, workers=-1)
    spec *= _weights_spectrum(weights.tobytes(), N)
    num = sfft.irfft(spec, N, axis=1, workers=-1)[:, R : R + L]
    num /= edge_denominators(weights, L)
    num += mu
    return num


@functools.lru_cache(maxsize=16)
def _weights_spectrum(weights_bytes: bytes, N: int) -> np.ndarray:
    """rfft of the kernel weights (cached: surrogate batches reuse the same kernel)."""
    from scipy import fft as sfft

    return sfft.rfft(np.frombuffer(weights_bytes, dtype=np.float64), N)


def _summ(a: np.ndarray):
    """A scalar if all equal, else a list (for the provenance record)."""
    a = np.asarray(a, dtype=float).reshape(-1)
    if a.size > 1:
        a = np.unique(a)
    return float(a[0]) if a.size == 1 else [float(v) for v in a]


@dataclass(frozen=True)
class Lowess(Detrender):
    """LOWESS (Cleveland 1979): local linear fits on the ``span * n`` nearest points, tricube weights,
    ``iterations`` robustifying passes. Equal to statsmodels' ``lowess(frac=span, it=iterations,
    delta=0)``.
    """

    name: ClassVar[str] = "lowess"
    summary: ClassVar[str] = "LOWESS (Cleveland 1979), equal to statsmodels' lowess"
    grid_param: ClassVar[str] = "span"
    span: float = 0.2
    iterations: int = 3

    def __post_init__(self):
        _check_positive(self.span, "span")
        if self.span > 1:
            raise InputError(f"span is a fraction of the points (0 < span <= 1), got {self.span}.")
        if isinstance(self.iterations, bool) or not isinstance(self.iterations, (int, np.integer)) or self.iterations < 0:
            raise InputError(f"iterations must be a non-negative integer, got {self.iterations!r}.")

    def _trend(self, ts):
        from ._kernels.lowess import lowess_rows

        L = ts.row_lengths()
        if np.any(np.floor(self.span * L + 1e-10) < 2):
            raise InputError(
                f"span={self.span} leaves fewer than 2 neighbours for a series of {int(L.min())} points; "
                "increase span."
            )
        return lowess_rows(ts.t, ts.rows("state"), L, float(self.span), int(self.iterations)), {}


@dataclass(frozen=True)
class Linear(Detrender):
    """Least-squares straight line in time."""

    name: ClassVar[str] = "linear"
    summary: ClassVar[str] = "least-squares straight line in time"

    def _trend(self, ts):
        from ._kernels.smooth import linear_fit

        return linear_fit(ts.t, ts.rows("state"), ts.row_lengths()), {}


@dataclass(frozen=True)
class NoDetrend(Detrender):
    """No detrending: trend 0, residuals = state."""

    name: ClassVar[str] = "none"
    summary: ClassVar[str] = "no detrending: trend 0, residuals = state"

    def _trend(self, ts):
        X = ts.rows("state")
        return np.where(np.isnan(X), np.nan, 0.0), {}


@dataclass(frozen=True)
class FirstDifference(Detrender):
    """First differences: residual_i = x_i - x_{i-1} at t_i (one point fewer); trend_i = x_{i-1}."""

    name: ClassVar[str] = "first_difference"
    summary: ClassVar[str] = "first differences (one point fewer)"

    def apply(self, ts) -> TimeSeries:
        ts = as_timeseries(ts)
        if ts.n < 3:
            raise InputError("first differencing needs at least 3 points.")
        x = ts.values
        prev, new_state = x[..., :-1], x[..., 1:]
        out = ts.isel(time=slice(1, None))
        lengths = np.maximum(ts.lengths - 1, 0) if ts.is_ragged else None
        return out.with_values(new_state, trend=prev, residuals=new_state - prev, lengths=lengths,
                               step={"step": "detrend", **self.describe()})

    def recompose(self, ts, detrended, residuals):
        """The integrated series x_0, x_0 + r_1, x_0 + r_1 + r_2, ... (its first differences are r)."""
        x0 = ts.values[..., 0]
        out = np.empty(residuals.shape[:-1] + (ts.n,))
        out[..., 0] = x0
        with np.errstate(invalid="ignore"):
            np.cumsum(residuals, axis=-1, out=out[..., 1:])
        out[..., 1:] += np.asarray(x0)[..., None]
        return out


REGISTRY: Registry[type[Detrender]] = Registry("detrending method")
register, names, table = REGISTRY.register, REGISTRY.names, REGISTRY.table
for _cls in (Gaussian, Lowess, Linear, FirstDifference, NoDetrend):
    register(_cls)

_ALIASES = {"first-diff": "first_difference", "firstdiff": "first_difference", "diff": "first_difference",
            "no": "none", None: "none"}


def methods() -> dict[str, str]:
    """Detrending methods: name -> one-line description."""
    return {cls.name: cls.summary for cls in REGISTRY}


def get_detrender(method="gaussian", **params) -> Detrender:
    """A detrender from a name and keyword parameters (or pass a Detrender object through)."""
    if isinstance(method, Detrender):
        if params:
            raise InputError(f"parameters {sorted(params)} given together with a detrender object; "
                             "put them in the object instead.")
        return method
    key = _ALIASES.get(method, method) if isinstance(method, (str, type(None))) else method
    if method == "loess":
        raise InputError("unknown detrending method 'loess' (R's loess is ews.compat.earlywarnings; ews has "
                         f"'lowess'); choose one of {names()}.")
    return _build(REGISTRY.get(key), key, params, given=params)


def _build(cls, key, params: dict, *, given: dict) -> Detrender:
    """``cls(**params)``, refusing the names in ``given`` that ``cls`` has no parameter for."""
    valid = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(given) - set(valid))
    if unknown:
        raise InputError(
            f"detrending method {key!r} has no parameter(s) {unknown}; its parameters are {valid or 'none'}."
        )
    return cls(**params)


def _detrend_method(self: TimeSeries, method="gaussian", **params) -> TimeSeries:
    """Remove a trend: returns a TimeSeries holding ``state``, ``trend`` and ``residuals``.

    ``method`` is a name from :func:`ews.detrend.names` (``"gaussian"``, ``"lowess"``, ``"linear"``,
    ``"first_difference"``, ``"none"``) with its parameters as keywords, or a detrender object such as
    ``ews.detrend.Gaussian(bandwidth=0.1)``. The step and its parameters are recorded in
    :attr:`~ews.TimeSeries.history`. (Attached to TimeSeries here, so that series.py, below this
    module, never imports it.)
    """
    return get_detrender(method, **params).apply(self)


TimeSeries.detrend = _detrend_method
