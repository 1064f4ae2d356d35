"""R's helpers shared by the compat functions: input handling, ``bw.nrd0``, ``ksmooth``, rounding.

One copy, imported by :mod:`ews.compat.earlywarnings` (``generic_ews``) and
:mod:`ews.compat._surrogates_ews` (``surrogates_ews``, ``sensitivity_ews``), so that neither imports
the other.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import InputError

KSMOOTH_SD = 0.3706506  # R ksmooth: bw *= 0.3706506 for the normal kernel


def read_input(timeseries):
    """R's input handling: 1 column -> timeindex 1..n; 2 columns -> (timeindex, Y)."""
    if isinstance(timeseries, pd.Series):
        arr = timeseries.to_numpy()[:, None]
    elif isinstance(timeseries, pd.DataFrame):
        arr = timeseries.to_numpy()
    else:
        arr = np.asarray(timeseries)
        if arr.ndim == 1:
            arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] not in (1, 2) or arr.shape[0] == 0:
        raise InputError("timeseries must be a vector, or a 2-column table (time index, values).")
    try:
        arr = arr.astype(np.float64)
    except (TypeError, ValueError):
        raise InputError("timeseries must be numeric.") from None
    if not np.all(np.isfinite(arr)):
        raise InputError("timeseries contains NaN or infinite values; R's generic_ews would fail too. "
                         "Remove or interpolate them first.")
    if arr.shape[1] == 1:
        return np.arange(1, arr.shape[0] + 1, dtype=np.float64), arr[:, 0].copy()
    return arr[:, 0].copy(), arr[:, 1].copy()


def bw_nrd0(x: np.ndarray) -> float:
    """R's ``bw.nrd0``: 0.9 min(sd, IQR/1.34) n^(-1/5), with R's fallbacks for a zero spread."""
    x = np.asarray(x, float)
    hi = np.std(x, ddof=1)
    q75, q25 = np.quantile(x, [0.75, 0.25])
    lo = min(hi, (q75 - q25) / 1.34)
    if not lo > 0:
        lo = hi if hi > 0 else (abs(x[0]) if x[0] != 0 else 1.0)
    return 0.9 * lo * len(x) ** (-0.2)


def prepare(timeseries, logtransform, interpolate):
    """R's preprocessing, shared by every function: read, interpolate (keeping the old time index,
    a quirk), then log(Y + 1)."""
    timeindex, Y = read_input(timeseries)
    if interpolate:
        order = np.argsort(timeindex, kind="stable")
        grid = np.linspace(timeindex.min(), timeindex.max(), len(Y))
        Y = np.interp(grid, timeindex[order], Y[order])  # timeindex deliberately not updated (R quirk)
    if logtransform:
        Y = np.log(Y + 1.0)
    return timeindex, Y


def r_round(v: float) -> int:
    return int(round(v))  # Python rounds half to even, as R does


def ksmooth(x, y, bandwidth, points) -> np.ndarray:
    """R ``ksmooth(x, y, "normal", bandwidth, x.points = points)`` (values at the sorted points).

    Gaussian weights :math:`\\exp(-\\tfrac12 (d/s)^2)`, :math:`s = 0.3706506\\,\\mathrm{bandwidth}`, over the
    points with :math:`|d| \\le 4 s`; NaN where no point falls in range (R: NA).
    """
    order = np.argsort(x, kind="stable")
    xs, ys = np.asarray(x, float)[order], np.asarray(y, float)[order]
    pts = np.sort(np.asarray(points, float))
    bw = KSMOOTH_SD * float(bandwidth)
    cut = 4.0 * bw
    lo = np.searchsorted(xs, pts - cut, side="left")
    hi = np.searchsorted(xs, pts + cut, side="right")
    out = np.full(pts.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        for j in range(pts.size):
            d = (xs[lo[j]:hi[j]] - pts[j]) / bw
            w = np.exp(-0.5 * d * d)
            den = w.sum()
            if den > 0:
                out[j] = np.dot(w, ys[lo[j]:hi[j]]) / den
    return out
