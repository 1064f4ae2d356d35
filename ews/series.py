"""`TimeSeries`: the one object every layer of ews takes and gives.

A TimeSeries holds numpy arrays that share the dimensions ``(..., "time")`` and shows them as an
:class:`xarray.Dataset` on demand (:meth:`TimeSeries.to_xarray`, built once and cached):

``state``
    the observed (or simulated) series;
``trend``, ``residuals``
    present after :meth:`TimeSeries.detrend` (``residuals = state - trend``).

Any leading dimensions (``series``, ``replicate``, ``surrogate``, ``lat``, ``lon`` ...) ride along: every
computation treats each position of the leading dimensions as one row.

Ragged rows
-----------
Rows may have different lengths (for example after :meth:`TimeSeries.before_transition`). The
coordinate ``length`` (over the leading dimensions) then holds each row's number of valid leading
points; values after a row's end are padding (stored as NaN, never read).

Validation happens here, once, at construction (the constructor, :meth:`TimeSeries.from_xarray`,
:meth:`TimeSeries.isel` / :meth:`TimeSeries.sel`). Everything downstream assumes clean input. Rebuilding
a series with new values (:meth:`TimeSeries.with_values`, :meth:`TimeSeries.residuals_as_state`) keeps
the validated time axis and coordinates and costs no more than the arrays themselves: a plain numpy
series never builds an xarray object unless asked to.
"""
from __future__ import annotations

import copy as _copy
import datetime as _dt
import functools
import json
import math
import numbers
import warnings
from typing import Any, Iterable

import numpy as np
import pandas as pd
import xarray as xr

from . import _checks
from ._errors import InputError
from ._validate import show

TIME = "time"
LENGTH = "length"
_MISSING_POLICIES = ("raise", "interpolate", "drop")
_REL_TOL_REGULAR = 1e-6
_MAX_REGULAR_CELLS = 2 ** 28  # regularize refuses grids beyond 2 GiB of float64 values


# ----------------------------------------------------------------------------------------------------
# conversion at the door
# ----------------------------------------------------------------------------------------------------
def _positions_text(mask: np.ndarray, time_values: np.ndarray, limit: int = 5) -> str:
    """'first at ...' text for the True entries of ``mask`` (shape (..., n))."""
    idx = np.argwhere(mask)
    shown = []
    for pos in idx[:limit]:
        tpos = int(pos[-1])
        lead = tuple(int(p) for p in pos[:-1])
        tval = time_values[tpos]
        where = f"time index {tpos} (t={tval})"
        if lead:
            where = f"row {lead if len(lead) > 1 else lead[0]}, " + where
        shown.append(where)
    more = "" if len(idx) <= limit else ", ..."
    return "; ".join(shown) + more


def _to_float_values(values: np.ndarray, what: str, columns=None) -> np.ndarray:
    """float64 copy of ``values``: booleans as 0/1, integers (with a PrecisionWarning beyond 2**53),
    numeric strings and None (as NaN) in object arrays; anything else an InputError naming the first
    offender (by column when ``columns`` names the rows of a DataFrame)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "biu":
        return _checks.int_to_float(arr, what)
    if arr.dtype.kind == "f":
        return arr.astype(np.float64, copy=False)
    if arr.dtype.kind == "c":
        raise InputError(f"{what} are complex numbers; pass the real part (np.real) or the modulus (np.abs).")
    if arr.dtype.kind in "mM":
        raise InputError(f"{what} are dates/durations, not numbers. Pass them as the time axis (time=...).")
    # object or string: try a numeric conversion, report the first offender
    flat = arr.reshape(-1)
    out = np.empty(flat.shape, dtype=np.float64)
    for i, v in enumerate(flat):
        try:
            if isinstance(v, (bool, np.bool_)):
                out[i] = float(v)
            elif v is None or v is pd.NA or v is pd.NaT:
                out[i] = np.nan
            else:
                out[i] = float(v)
        except (TypeError, ValueError, OverflowError):
            pos = tuple(int(p) for p in np.unravel_index(i, arr.shape))
            if columns is not None and len(pos) == 2:
                where = f"column {show(columns[pos[0]])}, row {pos[1]}"
            else:
                where = f"element {pos[0] if len(pos) == 1 else pos}"
            if type(v).__module__.split(".")[0] == "cftime":
                raise InputError(
                    f"{what}: {where} is a cftime date ({v}), of calendar {getattr(v, 'calendar', '?')!r}. Convert "
                    "the time axis to numbers (e.g. years: da['time'].dt.year + da['time'].dt.dayofyear / 365) or "
                    "to the standard calendar (da.convert_calendar('standard', align_on='date'))."
                ) from None
            if isinstance(v, (pd.Timestamp, pd.Period, np.datetime64, np.timedelta64)) or hasattr(v, "year"):
                raise InputError(
                    f"{what} must be numbers, but {where} is a date ({v}). Dates belong on the time axis: "
                    "pass them as time=... (or set the date column as the DataFrame's index)."
                ) from None
            if what == "time stamps":
                raise InputError(
                    f"time stamps must be numbers or dates, but {where} is {show(v)} ({type(v).__name__}) and "
                    "cannot be read as either. Pass numbers (e.g. years) or datetimes "
                    "(pandas.to_datetime(..., format=...))."
                ) from None
            raise InputError(
                f"{what} must be numeric, but {where} is {show(v)} ({type(v).__name__}). Convert the column "
                "to numbers first (e.g. pandas.to_numeric(..., errors='coerce') and choose a missing= policy)."
            ) from None
    return out.reshape(arr.shape)


def numeric_time(time_values: np.ndarray) -> np.ndarray:
    """Numeric time: float as given, or days since 1970-01-01 for datetimes (and days for durations)."""
    if np.issubdtype(time_values.dtype, np.datetime64):
        return (time_values.astype("datetime64[ns]").astype(np.int64) / 86400e9).astype(np.float64)
    if np.issubdtype(time_values.dtype, np.timedelta64):
        return (time_values.astype("timedelta64[ns]").astype(np.int64) / 86400e9).astype(np.float64)
    return _to_float_values(time_values, "time stamps")


class _Raw:
    """What the door extracts from any input: values (..., n), time stamps (n,) or None, dims, coords
    (name -> (dims, values, attrs), time excluded) and attrs."""

    __slots__ = ("values", "time", "dims", "coords", "attrs")

    def __init__(self, values, time, dims, coords=None, attrs=None):
        self.values = values
        self.time = time
        self.dims = tuple(dims)
        self.coords = coords or {}
        self.attrs = attrs or {}


def _index_values(idx: pd.Index) -> np.ndarray:
    """Time stamps of a pandas index: numbers, or datetime64[ns] (timezone-aware stamps converted to UTC,
    periods to their start times)."""
    if isinstance(idx, pd.RangeIndex):
        return idx.to_numpy().astype(np.float64)
    if isinstance(idx, pd.MultiIndex):
        raise InputError(
            f"the index has {idx.nlevels} levels {list(idx.names)}; a time series needs one time index. "
            "Unstack the other levels into columns (e.g. df.unstack(level=0)) or select one group."
        )
    return _datetime_like(idx.to_numpy() if not isinstance(idx, (pd.PeriodIndex, pd.DatetimeIndex)) else idx)


def _datetime_like(tvals):
    """datetime64[ns] (naive UTC) for timezone-aware stamps and periods; anything else unchanged.

    Timezone-aware stamps (in one zone or mixed) are converted to UTC; periods become the timestamp of
    their start. Stamps that coincide after the conversion are reported as such."""
    converted = None
    if isinstance(tvals, pd.PeriodIndex) or isinstance(getattr(tvals, "dtype", None), pd.PeriodDtype):
        converted, how = pd.PeriodIndex(tvals).to_timestamp(), "as the start of each period"
    elif isinstance(tvals, pd.DatetimeIndex):
        if tvals.tz is None:
            return tvals.to_numpy()
        converted, how = tvals.tz_convert("UTC").tz_localize(None), "to UTC"
    elif isinstance(tvals, np.ndarray) and tvals.dtype == object and tvals.size:
        first = next((v for v in tvals if v is not None and v is not pd.NaT), None)
        if isinstance(first, pd.Period):
            try:
                converted, how = pd.PeriodIndex(list(tvals)).to_timestamp(), "as the start of each period"
            except (TypeError, ValueError):
                raise InputError("the time stamps mix periods of different frequencies; "
                                 "convert them to timestamps first (p.to_timestamp()).") from None
        elif getattr(first, "tzinfo", None) is not None:
            try:
                converted = pd.to_datetime(list(tvals), utc=True).tz_localize(None)
            except (TypeError, ValueError):
                raise InputError("the time stamps mix timezone-aware and naive datetimes; give every stamp a "
                                 "timezone (or none).") from None
            how = "to UTC"
    if converted is None:
        return tvals
    out = np.asarray(converted.to_numpy(), dtype="datetime64[ns]")
    dup = pd.Index(out).duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(
            f"{int(dup.sum())} time stamp(s) coincide once converted {how} (first at index {i}, {out[i]}), "
            "for example an hour recorded twice at a daylight-saving change. Average or drop the duplicates "
            "first (e.g. series.groupby(level=0).mean() after converting the index)."
        )
    return out


#: Column names read as a time axis when a DataFrame has one (case-insensitive).
TIME_COLUMN_NAMES = ("time", "date", "datetime", "date_time", "timestamp", "year", "years", "yr", "day", "month")


def _time_column(df: pd.DataFrame, time_given: bool):
    """The DataFrame's time-like column (named as in TIME_COLUMN_NAMES, or holding datetimes), or None.

    With the default RangeIndex and no ``time=``, one increasing (or datetime) time-like column becomes
    the time axis; otherwise the column is refused with the way to say what is meant."""
    named = [c for c in df.columns if isinstance(c, str) and c.strip().lower() in TIME_COLUMN_NAMES]
    dated = [c for c in df.columns if c not in named and (
        pd.api.types.is_datetime64_any_dtype(df[c]) or isinstance(df[c].dtype, pd.PeriodDtype))]
    cand = named + dated
    if not cand:
        return None
    c = cand[0]
    if len(cand) > 1:
        raise InputError(
            f"the DataFrame has several columns that look like time {[str(x) for x in cand]}; set the time axis "
            f"with df.set_index({show(c)}) and drop the others (df.drop(columns=[...]))."
        )
    if time_given or not isinstance(df.index, pd.RangeIndex):
        how = "time= is given" if time_given else f"the DataFrame already has an index ({df.index.name or 'unnamed'})"
        raise InputError(
            f"column {show(c)} looks like time but {how}; a time column is not a series. Drop it "
            f"(df.drop(columns={show(c)})) or make it the time axis (df.set_index({show(c)}))."
        )
    col = df[c]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        v = col.to_numpy()
        if not np.isfinite(v.astype(np.float64)).all():
            bad = int(np.flatnonzero(~np.isfinite(v.astype(np.float64)))[0])
            raise InputError(
                f"column {show(c)} looks like time but has a missing value (first at row {bad}); drop those "
                f"rows (df.dropna(subset=[{show(c)}])) and make it the time axis (df.set_index({show(c)}))."
            )
        if not (np.diff(v.astype(np.float64)) > 0).all():
            raise InputError(
                f"column {show(c)} looks like time but is not increasing; a time column is not a series. "
                f"Make it the time axis (df.set_index({show(c)}).sort_index()) or drop it "
                f"(df.drop(columns={show(c)}))."
            )
        return c
    if pd.api.types.is_datetime64_any_dtype(col) or isinstance(col.dtype, pd.PeriodDtype):
        return c
    if col.dtype == object or pd.api.types.is_string_dtype(col):
        try:
            pd.to_datetime(col.iloc[:5])
            return c
        except (TypeError, ValueError):
            pass
    raise InputError(
        f"column {show(c)} looks like time but holds neither numbers nor dates (first value {show(col.iloc[0])}); "
        f"convert it (df[{show(c)}] = pandas.to_datetime(df[{show(c)}])) and make it the time axis "
        f"(df.set_index({show(c)})), or drop it."
    )


def _clean_attrs(attrs: dict) -> dict:
    """A fresh attrs dict: JSON-encoded values (written by ``to_netcdf``) decoded, and ``history`` a new
    list of records (a string history, as CF files carry, becomes one ``{"step": "source"}`` record)."""
    a = decode_attrs(dict(attrs))
    h = a.get("history", [])
    if isinstance(h, str):
        h = [{"step": "source", "history": h}]
    elif not isinstance(h, (list, tuple)):
        h = [{"step": "source", "history": str(h)}]
    a["history"] = list(h)
    return a


def _clean_lengths(coords: dict, dims: tuple, shape: tuple) -> dict:
    """Validate a ``length`` coordinate (each row's number of valid points) and store a read-only copy.

    The kernels read ``length`` points of each row, so a length outside 0..n (or not a whole number,
    or not over the leading dimensions) would read past the array: refused here, at the door."""
    if LENGTH not in coords:
        return coords
    cdims, vals, cattrs = coords[LENGTH]
    lead = tuple(dims[:-1])
    n = shape[-1]
    if tuple(cdims) != lead:
        raise InputError(f"the {LENGTH!r} coordinate marks each row's number of valid points and must lie "
                         f"along the leading dimensions {lead}, but lies along {tuple(cdims)}; rename it "
                         "(it is reserved) or drop it.")
    v = np.asarray(vals)
    if v.dtype.kind not in "iuf" or (v.dtype.kind == "f" and not (np.isfinite(v).all() and (v == np.round(v)).all())):
        raise InputError(f"the {LENGTH!r} coordinate must hold whole numbers of points (each row's number of "
                         f"valid points); got {show(v.reshape(-1)[:3].tolist())}... Rename it if it means "
                         "something else.")
    v = np.array(v, dtype=np.int64).reshape(shape[:-1])
    if v.size and (v.min() < 0 or v.max() > n):
        raise InputError(f"the {LENGTH!r} coordinate gives rows {int(v.min())}..{int(v.max())} valid points, "
                         f"but the series have {n}; each row's length must lie in 0..{n}.")
    v.flags.writeable = False
    out = dict(coords)
    out[LENGTH] = (lead, v, dict(cattrs))
    return out


def _from_dataarray(da: xr.DataArray, time, time_dim: str) -> _Raw:
    if time_dim not in da.dims:
        if da.ndim == 1:
            da = da.rename({da.dims[0]: TIME})
        else:
            raise InputError(
                f"the DataArray has dims {da.dims} and none is named {time_dim!r}; "
                "pass time_dim='<name of the time dimension>'."
            )
    elif time_dim != TIME:
        if TIME in da.dims:
            raise InputError(f"the DataArray already has a dimension named {TIME!r}; rename it first.")
        da = da.rename({time_dim: TIME})
    da = da.transpose(..., TIME)
    coords = {k: (tuple(v.dims), np.asarray(v.values), dict(v.attrs)) for k, v in da.coords.items() if k != TIME}
    tvals = np.asarray(da.coords[TIME].values) if (time is None and TIME in da.coords) else time
    return _Raw(np.asarray(da.values), tvals, da.dims, coords, _clean_attrs(da.attrs))


def _door(data, time, time_dim: str) -> _Raw:
    """Turn any supported input into arrays with ``time`` as the last dimension."""
    if isinstance(data, TimeSeries):
        coords = {k: v for k, v in data._coords.items()}
        return _Raw(data._vars["state"], data._time if time is None else time, data._dims, coords,
                    dict(data._attrs))
    if isinstance(data, xr.Dataset):
        raise InputError(
            "got an xarray Dataset; pass one DataArray (e.g. ds['x']) or build a TimeSeries per variable."
        )
    if isinstance(data, xr.DataArray):
        return _from_dataarray(data, time, time_dim)
    if isinstance(data, pd.Series):
        tvals = _index_values(data.index) if time is None else time
        return _Raw(data.to_numpy(), tvals, (TIME,))
    if isinstance(data, pd.DataFrame):
        if data.shape[1] == 0:
            raise InputError("the DataFrame has no columns; each column should be one series.")
        if data.columns.duplicated().any():
            dup = [str(c) for c in data.columns[data.columns.duplicated()]]
            raise InputError(f"the DataFrame has duplicated column names {dup}; each series needs its own name "
                             "(rename them, e.g. df.columns = [...]).")
        attrs = {}
        tcol = _time_column(data, time is not None)
        if tcol is not None:
            time = data[tcol]
            time = _datetime_like(pd.PeriodIndex(time) if isinstance(time.dtype, pd.PeriodDtype)
                                  else pd.DatetimeIndex(time) if isinstance(time.dtype, pd.DatetimeTZDtype)
                                  else time.to_numpy())
            data = data.drop(columns=[tcol])
            if data.shape[1] == 0:
                raise InputError(f"the DataFrame has only the time column {show(tcol)}; add a value column.")
            attrs = {"history": [{"step": "time_column", "column": str(tcol)}]}
        tvals = _index_values(data.index) if time is None else time
        cols = np.array([str(c) for c in data.columns], dtype=object)
        return _Raw(data.to_numpy().T, tvals, ("series", TIME), {"series": (("series",), cols, {})}, attrs)
    if data is None or isinstance(data, (str, bytes, dict, set, frozenset)) or (
            not isinstance(data, (numbers.Number, np.generic, np.ndarray))
            and not hasattr(data, "__len__") and not hasattr(data, "__array__")):
        hint = {"dict": " (for several named series pass pandas.DataFrame(the_dict))",
                "str": " (to read a file use ews.read_csv(path))"}.get(type(data).__name__, "")
        raise InputError(
            f"got {type(data).__name__}{' ' + show(data) if isinstance(data, (str, bytes)) and len(data) < 60 else ''}"
            f" where a time series was expected; pass a 1-D sequence of numbers, a 2-D array (series, time), "
            f"a pandas Series/DataFrame or an xarray DataArray{hint}."
        )
    if isinstance(data, np.ma.MaskedArray):  # masked entries are missing values, not their hidden numbers
        data = np.ma.filled(data.astype(np.float64) if data.dtype.kind in "biuf" else data, np.nan)
    try:
        arr = np.asarray(data)
    except ValueError:  # ragged nested sequences
        lens = sorted({len(r) for r in data if hasattr(r, "__len__")})
        raise InputError(
            f"the rows of the nested list have different lengths ({', '.join(map(str, lens[:6]))}); a 2-D input "
            "needs rows of equal length. Pad the short rows with NaN (and pass missing=...), or build one "
            "TimeSeries per row."
        ) from None
    if arr.ndim == 0:
        raise InputError(f"got a single number ({show(data)}); a time series needs a 1-D (time) or 2-D "
                         "(series, time) array.")
    if arr.dtype == object and arr.size and any(isinstance(v, (list, tuple, np.ndarray, dict)) for v in arr.flat):
        raise InputError("the input nests sequences of different lengths (or dicts) inside a list; pass a "
                         "1-D sequence of numbers or a rectangular 2-D array (series, time).")
    if arr.ndim == 1:
        dims: tuple = (TIME,)
    elif arr.ndim == 2:
        if arr.shape[1] == 1 and arr.shape[0] > 1:
            raise InputError(
                f"got a column vector of shape {arr.shape}: as rows are series, that is {arr.shape[0]} series "
                "of one point each. For one series pass x.ravel() (or x[:, 0]); for several series stored "
                "as columns pass x.T."
            )
        dims = ("series", TIME)
    else:
        dims = tuple(f"dim_{i}" for i in range(arr.ndim - 1)) + (TIME,)
    return _Raw(arr, time, dims)


def _interp_row(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    ok = np.isfinite(y)
    if ok.all():
        return y
    return np.interp(t, t[ok], y[ok])  # constant extension at the ends


def _clean_time(tvals, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Validated time stamps (as given: float64 or datetime64[ns]) and their numeric form."""
    if tvals is None:
        t = _default_time(n)
        return t, t
    if isinstance(tvals, (pd.Index, pd.Series)):
        tvals = _index_values(pd.Index(tvals))
    tvals = _datetime_like(np.asarray(tvals) if not isinstance(tvals, pd.Index) else tvals)
    tvals = np.asarray(tvals)
    if tvals.ndim != 1 or tvals.shape[0] != n:
        shape = f"shape {tvals.shape}" if tvals.ndim != 1 else f"{tvals.size} stamps"
        raise InputError(
            f"time has {shape} but the data have {n} time points; pass one time stamp per observation "
            "(a 1-D sequence)."
        )
    if tvals.dtype.kind == "b":
        raise InputError("time stamps are True/False values; pass numbers or datetimes as the time axis.")
    if tvals.dtype.kind in "USO":
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # pandas' "could not infer format"
                tvals = _datetime_like(pd.to_datetime(pd.Index(tvals.astype(object))))
        except (TypeError, ValueError, OverflowError):
            tvals = _to_float_values(tvals, "time stamps")
    elif tvals.dtype.kind not in "fiumM":
        raise InputError(f"time stamps must be numbers or datetimes, got dtype {tvals.dtype}.")
    if tvals.dtype.kind in "iu":
        tvals = _checks.int_to_float(tvals, "time stamps")
    elif tvals.dtype.kind == "M" and tvals.dtype != np.dtype("datetime64[ns]"):
        try:
            ok = tvals[~np.isnat(tvals)]
            if ok.size and (ok.min() < np.datetime64("1678-01-01") or ok.max() > np.datetime64("2262-04-11")):
                raise OverflowError  # astype would wrap around silently
            tvals = tvals.astype("datetime64[ns]")
        except (OverflowError, ValueError):
            raise InputError("the time stamps lie outside the years 1678-2262 that datetime64[ns] can hold; "
                             "pass numeric time (e.g. years as numbers).") from None
    if tvals.dtype.kind == "M" and np.isnat(tvals).any():
        bad = np.flatnonzero(np.isnat(tvals))
        raise InputError(
            f"{bad.size} time stamp(s) are missing (NaT), first at index {bad[0]}; "
            "remove those observations or fill the time stamps."
        )
    tvals = np.array(tvals)  # a copy: later edits of the caller's array cannot reach the series
    tnum = numeric_time(tvals)
    if not np.isfinite(tnum).all():
        bad = np.flatnonzero(~np.isfinite(tnum))
        raise InputError(
            f"{bad.size} time stamp(s) are missing or infinite (first at index {bad[0]}); "
            "remove those observations or fill the time stamps."
        )
    return tvals, tnum


def _read_only(a: np.ndarray) -> np.ndarray:
    """A read-only view (the series' time axis is shared by every series rebuilt on it)."""
    if a.flags.writeable:
        a = a.view()
        a.flags.writeable = False
    return a


@functools.lru_cache(maxsize=8)
def _default_time(n: int) -> np.ndarray:
    """The default time axis 0, 1, ..., n-1 (read-only and shared: series of one length reuse it)."""
    t = np.arange(n, dtype=np.float64)
    t.flags.writeable = False
    return t


def _check_order(tvals, tnum, what="time stamps") -> None:
    """Strictly increasing time, or an InputError naming the first offender."""
    d = np.diff(tnum)
    if d.size and not (d > 0).all():
        if np.any(d == 0):
            dup = np.flatnonzero(d == 0)
            raise InputError(
                f"{dup.size} duplicate time stamp(s), first at index {dup[0] + 1} (t={tvals[dup[0] + 1]}); "
                "average or drop duplicates before building the TimeSeries "
                "(e.g. series.groupby(level=0).mean())."
            )
        first = int(np.flatnonzero(d < 0)[0]) + 1
        raise InputError(
            f"{what} are not increasing (first decrease at index {first}, t={tvals[first]}); "
            "sort the data by time (TimeSeries(..., sort=True)) and select in time order."
        )


def _check_finite(values, coords, tvals) -> None:
    """Every value inside each row's length is finite (padding after a ragged row's end is not read)."""
    finite = np.isfinite(values)
    if finite.all():
        return
    bad = ~finite
    if LENGTH in coords:
        bad &= np.arange(values.shape[-1]) < np.asarray(coords[LENGTH][1], dtype=np.int64)[..., None]
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} missing (NaN) or infinite value(s), first at {_positions_text(bad, tvals)}. "
            "Build the series with ews.TimeSeries(..., missing='interpolate' or 'drop')."
        )


def _take_time(coords: dict, dims_of_time_axis: str, index) -> dict:
    """Coordinates with the time dimension subset by ``index``."""
    out = {}
    for k, (dims, vals, attrs) in coords.items():
        if TIME in dims:
            ax = dims.index(TIME)
            vals = np.take(vals, index, axis=ax)
        out[k] = (dims, vals, attrs)
    return out


class TimeSeries:
    """One or many time series on a common time axis (the last dimension, ``time``).

    Parameters
    ----------
    data : array-like, pandas Series/DataFrame, xarray DataArray or TimeSeries
        1-D array: one series. 2-D array: rows are series (dims ``("series", "time")``).
        Series: the index is the time axis (numeric or DatetimeIndex). DataFrame: each column is a
        series. DataArray: must have a dimension named ``time`` (or pass ``time_dim``); other
        dimensions ride along.
    time : array-like, optional
        Time stamps (numeric or datetime64), overriding the index/coordinate. Default ``0, 1, ..., n-1``.
    name, units : str, optional
        Stored in ``attrs``.
    missing : {"raise", "interpolate", "drop"}
        What to do with NaN or infinite values. ``"raise"`` (default) reports their count and first
        positions. ``"interpolate"`` fills them by linear interpolation in time (constant extension
        at the ends). ``"drop"`` removes the time points where any row has a missing value.
    sort : bool
        Sort unsorted time stamps (duplicates are always an error).
    time_dim : str
        Name of the time dimension of a DataArray input.
    attrs : dict, optional
        Extra metadata (JSON-serialisable values).

    Raises
    ------
    InputError
        For empty or non-numeric input, missing values under ``missing="raise"``, duplicate or
        unsorted time stamps. The message names the problem and the fix.

    Examples
    --------
    >>> import numpy as np, ews
    >>> ts = ews.TimeSeries(np.sin(np.arange(100) / 5), name="x")
    >>> ts.n
    100
    """

    __slots__ = ("_vars", "_time", "_t", "_dims", "_coords", "_attrs", "_ds", "_regular", "_row_lengths", "_step")

    def __init__(
        self,
        data: Any,
        time: Iterable | None = None,
        *,
        name: str | None = None,
        units: str | None = None,
        missing: str = "raise",
        sort: bool = False,
        time_dim: str = TIME,
        attrs: dict | None = None,
    ):
        if missing not in _MISSING_POLICIES:
            raise InputError(f"missing must be one of {_MISSING_POLICIES}, got {missing!r}.")
        if isinstance(data, (list, tuple)) and len(data) == 0:
            raise InputError("the input is empty; pass at least a few observations.")
        raw = _door(data, None if time is None else np.asarray(time), time_dim)
        values = raw.values
        if values.size == 0 or values.shape[-1] == 0:
            raise InputError("the input is empty (no time points); pass at least a few observations.")
        n = values.shape[-1]
        tvals, tnum = _clean_time(raw.time, n)
        coords = raw.coords

        # time order (the default time axis 0..n-1 is increasing and regular by construction)
        d = np.diff(tnum) if raw.time is not None else np.ones(0)
        if d.size and not (d > 0).all():
            if sort and not np.any(d == 0) and np.unique(tnum).size == n:
                order = np.argsort(tnum, kind="stable")
                values = np.take(values, order, axis=-1)
                coords = _take_time(coords, TIME, order)
                tvals, tnum = tvals[order], tnum[order]
            else:
                _check_order(tvals, tnum)

        values = _to_float_values(values, "values",
                                  columns=coords["series"][1] if isinstance(data, pd.DataFrame) else None)
        coords = _clean_lengths(coords, raw.dims, values.shape)
        length = coords.get(LENGTH)
        step = None
        # max and min propagate NaN and show inf: all finite iff both are (one pass each, no mask)
        extremes = (float(values.max()), float(values.min()))
        if not (math.isfinite(extremes[0]) and math.isfinite(extremes[1])):
            extremes = None
            bad = ~np.isfinite(values)
            if length is not None:  # padding after each row's end is not missing data
                lens = np.asarray(length[1], dtype=np.int64)
                bad &= np.arange(n) < lens[..., None]
            if bad.any():
                if bad.all(axis=-1).any():
                    rows = np.argwhere(bad.all(axis=-1))
                    first = tuple(int(r) for r in rows[0])
                    raise InputError(
                        f"{len(rows)} series contain no finite value at all (first: row "
                        f"{first[0] if len(first) == 1 else first}); remove them before the analysis."
                    )
                nbad = int(bad.sum())
                if missing == "raise":
                    raise InputError(
                        f"{nbad} missing (NaN) or infinite value(s), first at {_positions_text(bad, tvals)}. "
                        "Pass missing='interpolate' to fill them by linear interpolation in time, "
                        "or missing='drop' to remove those time points."
                    )
                if missing == "interpolate":
                    flat = values.reshape(-1, n).copy()
                    flat[~np.isfinite(flat)] = np.nan
                    for i in range(flat.shape[0]):
                        flat[i] = _interp_row(tnum, flat[i])
                    values = flat.reshape(values.shape)
                else:  # drop
                    keep = ~bad.reshape(-1, n).any(axis=0)
                    if keep.sum() == 0:
                        raise InputError("every time point has a missing value in some series; "
                                         "nothing left to drop to.")
                    idx = np.flatnonzero(keep)
                    values = np.take(values, idx, axis=-1)
                    coords = _take_time(coords, TIME, idx)
                    tvals, tnum = tvals[idx], tnum[idx]
                step = {"step": "missing", "policy": missing, "count": nbad}

        coords = _clean_lengths(coords, raw.dims, values.shape)
        a = _clean_attrs(raw.attrs)
        a.update(attrs or {})
        if name is not None:
            a["name"] = name
        if units is not None:
            a["units"] = units
        a["history"] = _clean_attrs({"history": a.get("history", [])})["history"]
        if step is not None:
            a["history"].append(step)
        _checks.check_magnitude(values, extremes)
        self._init(values, tvals, raw.dims, coords, a, t=tnum)
        if raw.time is None:
            self._regular, self._step = True, 1.0

    # ------------------------------------------------------------------------------------------------
    # constructors
    # ------------------------------------------------------------------------------------------------
    def _init(self, state, time, dims, coords, attrs, *, trend=None, residuals=None, t=None):
        values = state if state.flags.writeable else state.copy()
        self._vars = {"state": np.ascontiguousarray(values, dtype=np.float64)}
        if residuals is not None:
            self._vars["trend"] = trend
            self._vars["residuals"] = residuals
        self._time = _read_only(time)
        self._t = None if t is None else _read_only(t)
        self._dims = tuple(dims)
        self._coords = coords
        self._attrs = attrs
        self._ds = None
        self._regular = None
        self._row_lengths = None
        self._step = None

    @classmethod
    def _make(cls, state, time, dims, coords, attrs, *, trend=None, residuals=None, t=None) -> "TimeSeries":
        obj = cls.__new__(cls)
        obj._init(state, time, dims, coords, attrs, trend=trend, residuals=residuals, t=t)
        return obj

    def _on_axis(self, state, dims, coords, attrs, *, trend=None, residuals=None) -> "TimeSeries":
        """A new series on this one's validated time axis, with what is known about that axis (numeric
        time, regularity, step) carried over instead of recomputed."""
        out = TimeSeries._make(state, self._time, dims, coords, attrs, trend=trend, residuals=residuals, t=self._t)
        out._regular, out._step = self._regular, self._step
        return out

    @classmethod
    def from_xarray(cls, obj) -> "TimeSeries":
        """A validated TimeSeries from an xarray Dataset or DataArray.

        A Dataset holds ``state`` and optionally ``trend`` and ``residuals`` (as written by
        :meth:`to_xarray`), and for ragged rows a ``length`` coordinate; a DataArray is the state.
        The time axis is checked (strictly increasing, finite); ``time`` becomes the last dimension.
        """
        if isinstance(obj, xr.DataArray):
            return cls(obj)
        if not isinstance(obj, xr.Dataset):
            raise InputError(f"from_xarray takes an xarray Dataset or DataArray, got {type(obj).__name__}.")
        if "state" not in obj:
            raise InputError(f"the Dataset has no 'state' variable (it has {list(obj.data_vars)}); "
                             "pass ds['<variable>'] or rename it to 'state'.")
        if TIME not in obj["state"].dims:
            raise InputError(f"the 'state' variable has dims {obj['state'].dims}; none is named 'time'.")
        if obj.sizes[TIME] == 0:
            raise InputError("the selection leaves no time point; select at least a few observations.")
        state = obj["state"].transpose(..., TIME)
        raw = _from_dataarray(state, None, TIME)
        tvals, tnum = _clean_time(raw.time, state.shape[-1])
        _check_order(tvals, tnum)
        attrs = _clean_attrs(obj.attrs)
        have = [v for v in ("trend", "residuals") if v in obj]
        if len(have) == 1:
            raise InputError(f"the Dataset has {have[0]!r} without its partner; a detrended series holds "
                             "both 'trend' and 'residuals'.")
        extra = {}
        if have:
            extra = {v: np.ascontiguousarray(obj[v].transpose(*state.dims).values, dtype=np.float64)
                     for v in have}
        values = _to_float_values(raw.values, "values")
        coords = _clean_lengths(raw.coords, raw.dims, values.shape)
        _check_finite(values, coords, tvals)
        _checks.check_magnitude(values)
        return cls._make(values, tvals, raw.dims, coords, attrs, t=tnum, **extra)

    def with_values(self, state, *, trend=None, residuals=None, lengths=None, prepend: dict | None = None,
                    step: dict | None = None) -> "TimeSeries":
        """The same time axis, coordinates and attrs with new values.

        Parameters
        ----------
        state : array
            Shape ``ts.shape``, or ``(n_rows, n)``, or with ``prepend`` the new leading dimensions in front:
            ``(*sizes of prepend, *ts.shape)``.
        trend, residuals : array, optional
            Give both (a detrended series) or neither.
        lengths : array, optional
            New per-row lengths (shape of the new leading dimensions). Default: this series' lengths
            (broadcast over ``prepend``).
        prepend : dict, optional
            New leading dimensions and their coordinate values, e.g. ``{"surrogate": np.arange(99)}``.
        step : dict, optional
            A provenance record appended to ``history``.
        """
        prepend = prepend or {}
        new_lead = tuple(len(v) for v in prepend.values())
        shape = new_lead + self.shape
        dims = tuple(prepend) + self._dims
        clash = set(prepend) & set(self._dims)
        if clash:
            raise InputError(f"dimension(s) {sorted(clash)} already exist; choose other names.")

        def shaped(a, what):
            a = np.asarray(a, dtype=np.float64)
            if a.size != math.prod(shape):
                raise InputError(f"{what} has {a.size} values; expected the shape {shape}.")
            return np.ascontiguousarray(a.reshape(shape))

        if (trend is None) != (residuals is None):
            raise InputError("give both trend and residuals, or neither.")
        coords = dict(self._coords)
        for k, v in prepend.items():
            coords[k] = ((k,), np.asarray(v), {})
        if lengths is not None:
            coords[LENGTH] = (dims[:-1], np.asarray(lengths).reshape(shape[:-1]), {})
            coords = _clean_lengths(coords, dims, shape)
        elif LENGTH in self._coords and prepend:
            coords[LENGTH] = (dims[:-1], _read_only(np.broadcast_to(self.lengths, shape[:-1]).copy()), {})
        attrs = dict(self._attrs)
        attrs["history"] = self.history + ([step] if step is not None else [])
        return self._on_axis(shaped(state, "state"), dims, coords, attrs,
                             trend=None if trend is None else shaped(trend, "trend"),
                             residuals=None if residuals is None else shaped(residuals, "residuals"))

    def residuals_as_state(self) -> "TimeSeries":
        """A series whose state is this one's residuals (its state before detrending); lengths,
        coordinates and attrs are kept."""
        attrs = dict(self._attrs)
        attrs["history"] = self.history
        return self._on_axis(self.residuals_values, self._dims, self._coords, attrs)

    # ------------------------------------------------------------------------------------------------
    # views
    # ------------------------------------------------------------------------------------------------
    @property
    def state(self) -> xr.DataArray:
        """The series as observed (DataArray, dims ``(..., time)``)."""
        return self.to_xarray()["state"]

    @property
    def trend(self) -> xr.DataArray | None:
        """The trend removed by :meth:`detrend`, or None."""
        return self.to_xarray()["trend"] if "trend" in self._vars else None

    @property
    def residuals(self) -> xr.DataArray:
        """``state - trend`` after :meth:`detrend`; the state itself before."""
        return self.to_xarray()["residuals" if "residuals" in self._vars else "state"]

    @property
    def residuals_values(self) -> np.ndarray:
        """Residuals (the state before detrending) as a numpy array (..., n)."""
        return self._vars.get("residuals", self._vars["state"])

    @property
    def trend_values(self) -> np.ndarray | None:
        return self._vars.get("trend")

    @property
    def is_detrended(self) -> bool:
        return "residuals" in self._vars

    @property
    def values(self) -> np.ndarray:
        """State values as a numpy array (..., n)."""
        return self._vars["state"]

    @property
    def time(self) -> np.ndarray:
        """Time stamps as given (numeric or datetime64)."""
        return self._time

    @property
    def t(self) -> np.ndarray:
        """Numeric time (float64): as given, or days since 1970-01-01 for datetime stamps."""
        if self._t is None:
            self._t = numeric_time(self._time)
        return self._t

    @property
    def n(self) -> int:
        """Number of time points (of the longest row)."""
        return self._time.shape[0]

    @property
    def dims(self) -> tuple:
        return self._dims

    @property
    def leading_dims(self) -> tuple:
        return self._dims[:-1]

    @property
    def shape(self) -> tuple:
        return self._vars["state"].shape

    @property
    def n_rows(self) -> int:
        return math.prod(self.shape[:-1])

    @property
    def coords(self) -> dict:
        """Coordinates other than time: name -> (dims, values)."""
        return {k: (d, v) for k, (d, v, _) in self._coords.items()}

    @property
    def attrs(self) -> dict:
        return self._attrs

    @property
    def name(self) -> str | None:
        return self._attrs.get("name")

    @property
    def units(self) -> str | None:
        return self._attrs.get("units")

    @property
    def history(self) -> list:
        """Provenance: every transform applied, with its parameters, in order."""
        return list(self._attrs.get("history", []))

    @property
    def ground_truth(self) -> dict | None:
        """Ground truth of a simulated series (model, bifurcation, parameters), or None."""
        return self._attrs.get("ground_truth")

    @property
    def is_dask(self) -> bool:
        """False: a dask-backed input is computed when the TimeSeries is built."""
        return False

    @property
    def lengths(self) -> np.ndarray:
        """Number of valid points of each row (shape: the leading dimensions)."""
        if LENGTH in self._coords:
            return np.asarray(self._coords[LENGTH][1], dtype=np.int64)
        return np.full(self.shape[:-1], self.n, dtype=np.int64)

    @property
    def is_ragged(self) -> bool:
        return LENGTH in self._coords

    @property
    def step(self) -> float:
        """Median time step (numeric time units)."""
        if self._step is None:
            t = self.t
            self._step = float(np.median(np.diff(t))) if t.size > 1 else float("nan")
        return self._step

    @property
    def is_regular(self) -> bool:
        """True when the time stamps are equally spaced (calendar-regular for datetimes)."""
        if self._regular is None:
            self._regular = self._check_regular()
        return self._regular

    def _check_regular(self) -> bool:
        t = self.t
        if t.size < 3:
            return True
        if np.issubdtype(self._time.dtype, np.datetime64):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # pandas 3 deprecates the string return type
                    if pd.infer_freq(pd.DatetimeIndex(self._time)) is not None:
                        return True
            except (TypeError, ValueError):
                pass
        d = np.diff(t)
        lo, hi = d.min(), d.max()  # regular iff every step is within the tolerance of the median
        # stamps stored in a narrower float (float32 in netCDF files) are rounded to their own precision
        floor = 0.0
        if self._time.dtype.kind == "f":
            floor = 4 * float(np.finfo(self._time.dtype).eps) * float(np.abs(t).max())
        if hi - lo <= max(_REL_TOL_REGULAR * abs(lo), 2 * floor):
            return True
        med = np.median(d)
        return bool(np.all(np.abs(d - med) <= max(_REL_TOL_REGULAR * abs(med), floor)))

    def require_regular(self, what: str) -> None:
        """Raise InputError if the spacing is irregular (``what`` needs regular spacing)."""
        if not self.is_regular:
            d = np.diff(self.t)
            raise InputError(
                f"{what} needs equally spaced observations, but the time steps vary from {d.min():g} "
                f"to {d.max():g}. Interpolate onto a regular grid explicitly with ts.regularize() "
                "(or ts.regularize(step=...))."
            )

    def to_xarray(self) -> xr.Dataset:
        """The series as a Dataset (state, and trend/residuals when detrended), built once on demand.

        The Dataset is a view for reading and writing out; its attrs are refreshed from
        :attr:`attrs` on every call, so change metadata through ``ts.attrs``, and values by building a
        new series (:meth:`with_values`, :meth:`from_xarray`)."""
        if self._ds is None:
            coords = {k: xr.Variable(d, v, attrs=a) for k, (d, v, a) in self._coords.items()}
            coords[TIME] = self._time
            self._ds = xr.Dataset({k: (self._dims, v) for k, v in self._vars.items()}, coords=coords)
        self._ds.attrs = dict(self._attrs)
        return self._ds

    def to_pandas(self, variable: str = "state"):
        """A pandas Series (one row) or DataFrame (time x rows) of ``variable``."""
        da = self.to_xarray()[variable]
        if da.ndim == 1:
            return da.to_series()
        flat = da.stack(_row=self.leading_dims).transpose(TIME, "_row")
        df = pd.DataFrame(flat.values, index=pd.Index(self.time, name=TIME))
        df.columns = flat.indexes["_row"] if len(self.leading_dims) > 1 else flat["_row"].values
        return df

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        lead = ", ".join(f"{d}: {s}" for d, s in zip(self.leading_dims, self.shape[:-1]))
        parts = [f"n={self.n}"] + ([lead] if lead else [])
        if self.name:
            parts.insert(0, repr(self.name))
        if self.is_detrended:
            parts.append("detrended")
        if self.is_ragged:
            parts.append("ragged")
        return f"<ews.TimeSeries {' '.join(parts)}>"

    def copy(self) -> "TimeSeries":
        out = TimeSeries._make(self._vars["state"].copy(), self._time.copy(), self._dims,
                               _copy.deepcopy(self._coords), _copy.deepcopy(self._attrs),
                               trend=None if "trend" not in self._vars else self._vars["trend"].copy(),
                               residuals=None if "residuals" not in self._vars else self._vars["residuals"].copy())
        return out

    def isel(self, **indexers) -> "TimeSeries":
        """Select by position along any dimension (like xarray's isel); the result is validated."""
        return self._select("isel", indexers)

    def sel(self, **indexers) -> "TimeSeries":
        """Select by label along any dimension (like xarray's sel); the result is validated."""
        return self._select("sel", indexers)

    def _select(self, how: str, indexers: dict) -> "TimeSeries":
        unknown = sorted(set(indexers) - set(self._dims))
        if unknown:
            raise InputError(f"{how}: no dimension(s) {unknown}; this series has dimensions {list(self._dims)}.")
        ds = self.to_xarray().copy()
        if self.is_ragged:  # carry each row's valid points through the selection
            ds["_valid"] = (self._dims, np.arange(self.n) < self.lengths[..., None])
        try:
            ds = getattr(ds, how)(**indexers)
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise InputError(f"{how}({', '.join(f'{k}={show(v)}' for k, v in indexers.items())}) does not select "
                             f"from this series: {str(exc).splitlines()[0][:200]}. Check the positions or "
                             f"labels (time runs from {self._time[0]} to {self._time[-1]}, {self.n} points).") from None
        if TIME not in ds.dims:
            raise InputError("the selection drops the time dimension; select a range of times "
                             "(e.g. time=slice(a, b)) or keep a list of positions (time=[i]).")
        if "_valid" in ds:
            valid = ds["_valid"].transpose(..., TIME).values
            lengths = valid.sum(axis=-1)
            if not (valid == (np.arange(valid.shape[-1]) < lengths[..., None])).all():
                raise InputError("the selection keeps points after the end of a ragged row (rows are valid up to "
                                 "their length); select a contiguous range of times, or crop the rows after "
                                 "selecting.")
            lead = tuple(d for d in ds["_valid"].transpose(..., TIME).dims[:-1])
            ds = ds.drop_vars("_valid").assign_coords({LENGTH: (lead, lengths)})
        return TimeSeries.from_xarray(ds)

    # ------------------------------------------------------------------------------------------------
    # rows: the bridge to the kernels
    # ------------------------------------------------------------------------------------------------
    def rows(self, variable: str = "residuals") -> np.ndarray:
        """C-contiguous float64 array (n_rows, n) of ``variable`` (``state``/``trend``/``residuals``)."""
        if variable == "residuals":
            arr = self.residuals_values
        elif variable in self._vars:
            arr = self._vars[variable]
        else:
            raise InputError(f"this series has no {variable!r}; detrend it first.")
        return arr.reshape(-1, self.n)

    def row_lengths(self) -> np.ndarray:
        """Each row's number of valid points, flat (n_rows,) int64 (computed once; do not modify)."""
        if self._row_lengths is None:
            self._row_lengths = np.ascontiguousarray(self.lengths.reshape(-1), dtype=np.int64)
        return self._row_lengths

    def from_rows(self, arr: np.ndarray) -> xr.DataArray:
        """A DataArray shaped like ``state`` (sharing its coordinates) from an (n_rows, n) array."""
        return self.state.copy(deep=False, data=np.asarray(arr).reshape(self.shape))

    # ------------------------------------------------------------------------------------------------
    # transforms
    # ------------------------------------------------------------------------------------------------
    def regularize(self, step: float | str | None = None, method: str = "linear") -> "TimeSeries":
        """Interpolate onto an equally spaced grid from the first to the last time stamp.

        Parameters
        ----------
        step : float or str, optional
            Grid spacing in time units (a pandas offset/timedelta string such as ``"1D"`` for datetime
            stamps). Default: the median spacing.
        method : {"linear"}
            Interpolation method (linear in time).
        """
        if method != "linear":
            raise InputError(f"regularize supports method='linear' only, got {method!r}.")
        if self.is_ragged:
            raise InputError("regularize a series before cropping it into ragged rows.")
        t = self.t
        if t.size < 2:
            raise InputError("regularize needs at least 2 time points.")
        dated = np.issubdtype(self.time.dtype, np.datetime64)
        if step is None:
            step_days = float(np.median(np.diff(t)))
        elif dated:
            if isinstance(step, (bool, np.bool_)) or not isinstance(step, (str, pd.Timedelta, np.timedelta64,
                                                                           _dt.timedelta)):
                raise InputError(f"the time stamps are dates, so step must be a duration such as '1D', '6h' or "
                                 f"pandas.Timedelta(days=1); got {show(step)}.")
            try:
                step_days = pd.Timedelta(step).total_seconds() / 86400.0
            except (TypeError, ValueError):
                raise InputError(f"cannot read step={show(step)} as a duration; use e.g. '1D', '6h', '30min' "
                                 "or pandas.Timedelta(days=1).") from None
        else:
            if isinstance(step, (str, pd.Timedelta, np.timedelta64, _dt.timedelta)):
                raise InputError(f"the time stamps are numbers, so step must be a number in their units "
                                 f"(e.g. step=1.0); got {show(step)}. Durations such as '1D' apply to dates.")
            if isinstance(step, (bool, np.bool_)) or not isinstance(step, numbers.Real):
                raise InputError(f"step must be a positive number in the time units; got {show(step)}.")
            step_days = float(step)
        if not (math.isfinite(step_days) and step_days > 0):
            raise InputError(f"step must be a positive finite spacing, got {show(step)}.")
        count_f = (t[-1] - t[0]) / step_days
        cells = (count_f + 1) * self.n_rows
        if cells > _MAX_REGULAR_CELLS:
            raise InputError(
                f"step={show(step)} would make {count_f + 1:.3g} time points from {t[0]:g} to {t[-1]:g} "
                f"({8 * cells / 2**30:.3g} GiB for {self.n_rows} series). Use a step near the data's own "
                f"spacing (median {float(np.median(np.diff(t))):g}), or regularize() for exactly that."
            )
        count = int(np.floor(count_f + 1e-9)) + 1
        new_t = t[0] + step_days * np.arange(count)
        flat = self.rows("state")
        out = np.empty((flat.shape[0], count))
        for i in range(flat.shape[0]):
            out[i] = np.interp(new_t, t, flat[i])
        if np.issubdtype(self.time.dtype, np.datetime64):
            new_time = (new_t * 86400e9).astype(np.int64).astype("datetime64[ns]")
        else:
            new_time = new_t
        coords = {k: v for k, v in self._coords.items() if TIME not in v[0]}
        attrs = _copy.deepcopy(self._attrs)
        attrs["history"] = self.history + [
            {"step": "regularize", "method": method, "step_size": step_days, "n_before": self.n, "n_after": count}
        ]
        return TimeSeries._make(out.reshape(self.shape[:-1] + (count,)), new_time, self._dims, coords, attrs,
                                t=new_t)

    def with_lengths(self, lengths: np.ndarray) -> "TimeSeries":
        """Crop each row to its first ``lengths[row]`` points (rows become ragged; padding is NaN)."""
        lengths = np.array(lengths, dtype=np.int64)  # a copy: the caller's array may change later
        if lengths.shape != self.shape[:-1]:
            raise InputError(f"lengths must have shape {self.shape[:-1]}, got {lengths.shape}.")
        if np.any(lengths < 0) or np.any(lengths > self.n):
            raise InputError(f"lengths must lie in 0..{self.n}.")
        keep = np.arange(self.n) < lengths[..., None]
        crop = {k: np.where(keep, v, np.nan) for k, v in self._vars.items()}
        coords = dict(self._coords)
        coords[LENGTH] = (self.leading_dims, _read_only(lengths), {})
        return self._on_axis(crop["state"], self._dims, coords, dict(self._attrs),
                             trend=crop.get("trend"), residuals=crop.get("residuals"))

    def before_transition(self, margin: float = 0.0) -> "TimeSeries":
        """Crop each replicate to the part before its transition (``t < transition_time - margin``).

        Uses the ``transition_time`` coordinate attached by the simulators (NaN: no transition, the
        whole record is kept). Rows become ragged; the analysis then treats each row as its own record
        (window and bandwidth fractions refer to each row's own length).
        """
        if "transition_time" not in self._coords:
            raise InputError(
                "this series has no 'transition_time' coordinate; before_transition() works on "
                "series made by ews.simulate (or attach transition times with "
                "ts.to_xarray().assign_coords(transition_time=...))."
            )
        tt = np.asarray(self._coords["transition_time"][1], dtype=np.float64)
        tt = np.broadcast_to(tt, self.shape[:-1]) if tt.shape != self.shape[:-1] else tt
        t = self.t
        cut = np.where(np.isnan(tt), np.inf, tt - margin)
        lengths = np.searchsorted(t, cut, side="left").astype(np.int64)
        lengths = np.minimum(lengths, self.lengths)
        out = self.with_lengths(lengths)
        out._attrs = _copy.deepcopy(self._attrs)
        out._attrs["history"] = self.history + [{"step": "before_transition", "margin": margin}]
        return out

    # ------------------------------------------------------------------------------------------------
    # storage
    # ------------------------------------------------------------------------------------------------
    def to_netcdf(self, path, **kwargs) -> None:
        """Write to netCDF (non-scalar attrs are stored as JSON strings)."""
        ds = self.to_xarray().copy()
        ds.attrs = encode_attrs(ds.attrs)
        ds.to_netcdf(path, **kwargs)


def encode_attrs(attrs: dict) -> dict:
    """Attrs safe for netCDF: dicts, lists, bools and None become JSON strings (prefixed 'json:')."""
    out = {}
    for k, v in attrs.items():
        if isinstance(v, (str, int, float, np.integer, np.floating)) and not isinstance(v, bool):
            out[k] = v
        else:
            out[k] = "json:" + json.dumps(v, default=_json_default)
    return out


def decode_attrs(attrs: dict) -> dict:
    out = {}
    for k, v in attrs.items():
        if isinstance(v, str) and v.startswith("json:"):
            out[k] = json.loads(v[5:])
        else:
            out[k] = v
    return out


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.bool_):
        return bool(o)
    return str(o)


def as_timeseries(data, **kwargs) -> TimeSeries:
    """Convert at the door: a TimeSeries passes through; anything else goes through the constructor."""
    if isinstance(data, TimeSeries):
        if kwargs:
            warnings.warn("keyword arguments are ignored when a TimeSeries is passed", stacklevel=3)
        return data
    return TimeSeries(data, **kwargs)
