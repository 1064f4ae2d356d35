"""Numeric-trust and argument checks: where the numbers or the arguments cannot give a trustworthy answer,
say so (an :class:`ews.InputError`, or a warning naming the fix) instead of returning a number.

These checks are small and cheap (one or two passes over the values). The door of
:class:`ews.TimeSeries` calls :func:`check_magnitude` and :func:`int_to_float`; the pipeline calls
:func:`check_residuals` after detrending and :func:`check_value_counts` once the windows are known;
the indicator registry calls :func:`check_indicator_params` and :func:`check_window`.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ._errors import DegenerateWindowWarning, FewValuesWarning, InputError, PrecisionWarning
from ._validate import show

EPS = float(np.finfo(np.float64).eps)
#: Largest / smallest magnitude whose 4th powers, summed over a window, stay normal float64 numbers
#: (kurtosis needs sum z^4; 1e60^4 = 1e240, (1e-60)^4 = 1e-240).
MAX_MAGNITUDE = 1e60
MIN_MAGNITUDE = 1e-60
#: Residuals smaller than this many rounding steps of the state are rounding noise.
ROUNDING_STEPS = 1e4
#: Integers beyond this lose digits as float64.
INT_EXACT = 2 ** 53


# ----------------------------------------------------------------------------------------------------
# at the door
# ----------------------------------------------------------------------------------------------------
def int_to_float(arr: np.ndarray, what: str = "values") -> np.ndarray:
    """Integer array -> float64, warning (values) or refusing (time stamps) when digits are lost.

    Integers beyond 2**53 are rounded to float64 (at 2**62 to multiples of 1024): values then carry a
    :class:`ews.PrecisionWarning`; time stamps that become equal, or whose spacing changes, are refused.
    """
    out = arr.astype(np.float64)
    if arr.size == 0 or arr.dtype.kind == "b":
        return out
    hi = int(arr.max())
    lo = int(arr.min())
    if max(abs(hi), abs(lo)) <= INT_EXACT:
        return out
    if what == "time stamps":
        d_int = np.diff(arr.astype(object) if arr.dtype.kind == "u" else arr)
        d_flt = np.diff(out)
        if arr.size > 1 and not np.allclose(d_flt, d_int.astype(np.float64), rtol=1e-6, atol=0):
            raise InputError(
                f"integer time stamps up to {hi} lie beyond 2**53, where float64 cannot hold them exactly: "
                "converted, their spacing changes or they coincide. Subtract a reference first "
                "(time = t - t[0]), or pass datetimes (e.g. pandas.to_datetime(t, unit='ns'))."
            )
        return out
    spread = hi - lo  # exact (Python ints)
    warnings.warn(
        f"{what}: integers up to {max(abs(hi), abs(lo))} lie beyond 2**53 and lose digits as float64 "
        f"(rounded to multiples of {2.0 ** (math.frexp(float(max(abs(hi), abs(lo))))[1] - 53):g}, while "
        f"they span {spread}). Subtract a reference in integer arithmetic first (e.g. x - x.min()) so "
        "that the numbers fit in 53 bits.",
        PrecisionWarning, stacklevel=4)
    return out


def check_magnitude(values: np.ndarray, extremes: tuple | None = None) -> None:
    """Refuse values whose magnitude makes the indicators' sums of squares and 4th powers overflow
    (above 1e60) or underflow (nonzero but below 1e-60): variance would come out 0 or inf, the
    ratios NaN. The fix is a rescaling, which the message gives. ``extremes``: (max, min) of
    ``values`` when the caller has them already."""
    if values.size == 0:
        return
    hi, lo = extremes if extremes is not None else (float(values.max()), float(values.min()))
    if math.isnan(hi) or math.isnan(lo):  # ragged padding
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            hi, lo = float(np.nanmax(values)), float(np.nanmin(values))
        if math.isnan(hi):
            return
    big = max(abs(hi), abs(lo))
    if big > MAX_MAGNITUDE:
        scale = 10.0 ** math.floor(math.log10(big))
        raise InputError(
            f"values reach {big:.3g}: their squares and 4th powers overflow float64, so variance and the "
            f"other indicators would come out 0, inf or NaN. Rescale the series first (e.g. x / {scale:.0e}; "
            f"variance then scales by ({scale:.0e})**2, autocorrelation, skewness and kurtosis are unchanged)."
        )
    if 0 < big < MIN_MAGNITUDE:
        scale = 10.0 ** math.floor(math.log10(big))
        raise InputError(
            f"values are at most {big:.3g}: their squares and 4th powers underflow float64, so the indicators "
            f"would come out 0 or NaN. Rescale the series first (e.g. x / {scale:.0e}; variance then scales by "
            f"({scale:.0e})**2, autocorrelation, skewness and kurtosis are unchanged)."
        )


# ----------------------------------------------------------------------------------------------------
# after detrending
# ----------------------------------------------------------------------------------------------------
def check_residuals(det, stacklevel: int = 3) -> None:
    """Warn (:class:`ews.PrecisionWarning`) when a detrended series' residuals are rounding noise.

    For each row, the largest residual is compared with the rounding step of the state,
    ``eps * max|state|``: below ``ROUNDING_STEPS`` steps (while the state itself varies) the
    indicators describe rounding, not the system. The usual causes are a detrending bandwidth below
    one sample (the smoother reproduces the data) and a series that varies less than float64
    resolves at its level (``1 + 1e-16 * noise``, integers near 2**62).

    ``det`` is a detrended TimeSeries (anything with ``rows()``, ``history``).
    """
    if not getattr(det, "is_detrended", False):
        return
    R = det.rows("residuals")
    X = det.rows("state")
    if det.is_ragged:  # NaN padding after each row's end
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            rhi, rlo, hi, lo = (np.nanmax(R, axis=1), np.nanmin(R, axis=1), np.nanmax(X, axis=1),
                                np.nanmin(X, axis=1))
    else:
        rhi, rlo, hi, lo = R.max(axis=1), R.min(axis=1), X.max(axis=1), X.min(axis=1)
    if rhi.size == 1:  # one row: plain floats are cheaper than array operations
        r, h, l = max(float(rhi[0]), -float(rlo[0])), float(hi[0]), float(lo[0])
        if not (r <= ROUNDING_STEPS * EPS * max(h, -l) and h > l):
            return
    res = np.maximum(rhi, -rlo)  # max |residual|, without a temporary array
    level = np.maximum(hi, -lo)
    spread = hi - lo
    bad = (res <= ROUNDING_STEPS * EPS * level) & (spread > 0)
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    step = next((h for h in reversed(det.history) if h.get("step") == "detrend"), {})
    sig = step.get("sigma_points")
    sig = sig if isinstance(sig, (int, float)) else (sig.get("min") if isinstance(sig, dict) else None)
    where = f"{int(bad.sum())} of {bad.size} series" if bad.size > 1 else "the series"
    head = (f"the residuals of {where} are rounding noise (largest residual {res[i]:.3g} against values up "
            f"to {level[i]:.3g}, float64 resolves {EPS * level[i]:.3g} there): the indicators would describe "
            "rounding, not the system.")
    if sig is not None and sig < 1:
        fix = (f" The detrending kernel is narrower than one sample (sigma = {sig:.3g} points), so the trend "
               "reproduces the data: use a wider bandwidth (e.g. bandwidth=0.1, a fraction of the record, "
               "or units='points' with bandwidth >= 2).")
    elif spread[i] <= ROUNDING_STEPS * EPS * level[i]:
        fix = (" The series varies less than float64 resolves at its level: subtract the level in higher "
               "precision before building the TimeSeries (e.g. x - x[0] on the original integers or decimals).")
    else:
        fix = (f" The detrending ({step.get('method', '?')}) follows the data almost exactly: use a smoother "
               "trend (a wider bandwidth or span) or detrend='none'.")
    warnings.warn(head + fix, PrecisionWarning, stacklevel=stacklevel)


def check_value_counts(windows: np.ndarray, lengths: np.ndarray, stacklevel: int = 3) -> None:
    """Warn (:class:`ews.FewValuesWarning`) when a window leaves fewer than 3 indicator values in a
    row (``length - window + 1 < 3``): the trend statistic is then NaN (one value) or +-1 by
    construction (two values)."""
    windows = np.asarray(windows, dtype=np.int64).reshape(-1)
    lengths = np.asarray(lengths, dtype=np.int64).reshape(-1)
    counts = lengths - windows + 1
    if counts.min() >= 3:  # the usual case, in one pass
        return
    lengths = np.broadcast_to(lengths, windows.shape)
    few = (windows > 0) & (counts < 3)
    if not few.any():
        return
    i = int(np.flatnonzero(few)[0])
    k, w, n = int(counts[i]), int(windows[i]), int(lengths[i])
    where = f"{int(few.sum())} of {few.size} series: first, " if few.size > 1 else ""
    outcome = "is NaN" if k < 2 else "is +-1 whatever the data"
    warnings.warn(
        f"{where}a window of {w} points in a series of {n} points leaves {k} indicator value(s), so the trend "
        f"statistic {outcome}. Use a smaller window (e.g. window=0.5, half the record) or a longer series.",
        FewValuesWarning, stacklevel=stacklevel)


# ----------------------------------------------------------------------------------------------------
# arguments
# ----------------------------------------------------------------------------------------------------
def check_window(window) -> None:
    """Validate the form of ``window``: a fraction in (0, 1] or a whole number of points >= 3."""
    if isinstance(window, (bool, np.bool_)) or not isinstance(window, numbers.Real):
        raise InputError(f"window must be a fraction in (0, 1] (e.g. 0.5) or a whole number of points "
                         f"(e.g. 100); got {show(window)}.")
    if isinstance(window, numbers.Integral):
        if window < 3:
            raise InputError(f"window={show(window)} points is too small; windows need at least 3 points.")
        if window > 2 ** 62:
            raise InputError(f"window={show(window)} points is longer than any series; pass a fraction "
                             "(e.g. 0.5) or a number of points below the series length.")
        return
    if not (math.isfinite(window) and 0 < window <= 1):
        hint = " (for a number of points pass an int, e.g. window=100)" if window > 1 else ""
        raise InputError(f"window as a fraction must satisfy 0 < window <= 1, got {show(window)}{hint}.")


def resolve_windows(window, lengths: np.ndarray, strict: bool = True) -> np.ndarray:
    """Window in points for every row.

    ``w = floor(window * n + 1e-9)`` for a fraction, ``window`` for an int. Rows whose window is under
    3 points or longer than the row get 0 (no output) — an error when ``strict`` or when no row is
    usable.
    """
    check_window(window)
    lengths = np.asarray(lengths, dtype=np.int64)
    if isinstance(window, (int, np.integer)):
        w = np.full(lengths.shape, int(window), dtype=np.int64)
    else:
        w = np.floor(float(window) * lengths + 1e-9).astype(np.int64)
    bad_small = w < 3
    bad_long = w > lengths
    bad = bad_small | bad_long
    if bad.any():
        i = int(np.flatnonzero(bad.reshape(-1))[0])
        li, wi = int(lengths.reshape(-1)[i]), int(w.reshape(-1)[i])
        if bad_small.reshape(-1)[i]:
            msg = (f"the window is {wi} point(s) for a series of {li} points; windows need at least 3 points. "
                   "Use a larger window fraction or a longer series.")
        else:
            msg = (f"the series has {li} points but the window needs {wi}; "
                   "use a smaller window or a longer series.")
        if strict or bad.all():
            if bad.size > 1:
                msg = f"{int(bad.sum())} of {bad.size} series are too short for the window; first: " + msg
            raise InputError(msg)
        warnings.warn(
            f"{int(bad.sum())} of {bad.size} series are too short for the window; their indicators are NaN. "
            f"First: {msg}",
            DegenerateWindowWarning,
            stacklevel=3,
        )
        w = np.where(bad, 0, w)
    return w


def ch_max_orders(max_order, windows) -> np.ndarray:
    """Per-row cap on the AR order of the conditional-heteroskedasticity filter: ``None`` or -1 give the
    default ``min(floor(10 log10 w), floor(w / 10))``; a whole number >= 0 is checked against the
    largest order the windows can take, ``(w - 3) // 2``."""
    from ._kernels.chet import default_max_order, max_order_limit

    windows = np.asarray(windows, dtype=np.int64)
    if max_order is None or (isinstance(max_order, numbers.Integral) and not isinstance(max_order, (bool, np.bool_))
                             and max_order == -1):
        return np.ascontiguousarray(default_max_order(windows), dtype=np.int64)
    if isinstance(max_order, (bool, np.bool_)) or not isinstance(max_order, numbers.Integral) or max_order < 0:
        raise InputError(f"max_order must be -1 or None (the default cap min(floor(10 log10 w), floor(w/10))) or "
                         f"a whole number >= 0, got {show(max_order)}.")
    used = windows[windows > 0]
    lim = min((max_order_limit(w) for w in used), default=0)
    if used.size and max_order > lim:
        raise InputError(f"max_order={int(max_order)} is too high for windows of {int(used.min())} points: the "
                         f"AIC comparison needs w - max_order >= max_order + 3, so at most {lim}. Use a lower "
                         "max_order or a larger window.")
    return np.full(windows.shape, int(max_order), dtype=np.int64)


MAX_GRID = 20_000
"""Largest state grid of a density / potential (points): finer than any KDE bandwidth resolves, small enough
that one window's grid costs < 1 MB."""

LANDSCAPE_BYTES = 2 * 2**30
"""Largest landscape (density and potential of every window on its grid) built in memory: 2 GiB."""


def check_grid_size(grid_size, what: str = "grid_size") -> int:
    """A state grid of 3 .. MAX_GRID points."""
    if isinstance(grid_size, (bool, np.bool_)) or not isinstance(grid_size, numbers.Integral) or not (
            3 <= grid_size <= MAX_GRID):
        raise InputError(f"{what} must be a whole number of grid points from 3 to {MAX_GRID}, got {show(grid_size)}.")
    return int(grid_size)


def check_indicator_params(name: str, params: dict, defaults: dict) -> None:
    """Each parameter has the type of its default: bool for a bool default, a whole number for an int
    default, a finite real number for a float default (bools refused where numbers are expected)."""
    for key, value in params.items():
        if key not in defaults:
            continue
        d = defaults[key]
        if isinstance(d, bool):
            ok = isinstance(value, (bool, np.bool_))
            need = "True or False"
        elif isinstance(d, numbers.Integral):
            ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
            need = "a whole number (e.g. 2)"
        elif isinstance(d, numbers.Real):
            ok = (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
                  and math.isfinite(value))
            need = f"a finite number (e.g. {d})"
        else:
            continue
        if not ok:
            raise InputError(f"indicator {name!r}: parameter {key} must be {need}, got {show(value)} "
                             f"({type(value).__name__}); e.g. ({name!r}, {{{key!r}: {d!r}}}).")


def check_indicators_arg(specs) -> None:
    """``indicators`` is a name, an Indicator, or a list/tuple of them (or of (name, params) pairs)."""
    if isinstance(specs, (str, list, tuple)) or type(specs).__name__ == "Indicator":
        return
    raise InputError(
        f"indicators must be a name or a list of names, e.g. ['variance', 'ar1'] or "
        f"[('autocorrelation', {{'lag': 2}})]; got {show(specs)} ({type(specs).__name__})."
    )


#: Keyword arguments of the TimeSeries door (and read_csv) that one-call functions may receive.
DOOR_OPTIONS = ("time", "missing", "sort", "name", "units", "time_dim", "attrs")


def split_door_options(kwargs: dict) -> dict:
    """Remove and return the TimeSeries door options (``missing=``, ``time=``, ``sort=`` ...) from
    ``kwargs``, so that ``analyze(x, missing="interpolate", ...)`` builds the series with them instead of
    handing them to the detrender."""
    return {k: kwargs.pop(k) for k in DOOR_OPTIONS if k in kwargs}
