"""`TimeSeries`: the one object every layer of ews takes and gives.

A TimeSeries wraps an :class:`xarray.Dataset` whose variables share the dimensions ``(..., "time")``:

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

Validation happens here, once, at construction. Everything downstream assumes clean input.
"""
from __future__ import annotations

import copy as _copy
import json
import warnings
from typing import Any, Iterable

import numpy as np
import pandas as pd
import xarray as xr

from ._errors import InputError

TIME = "time"
LENGTH = "length"
_MISSING_POLICIES = ("raise", "interpolate", "drop")
_REL_TOL_REGULAR = 1e-6


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


def _to_float_values(values: np.ndarray, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
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
            elif v is None:
                out[i] = np.nan
            else:
                out[i] = float(v)
        except (TypeError, ValueError):
            raise InputError(
                f"{what} must be numeric, but element {np.unravel_index(i, arr.shape)} is {v!r} "
                f"({type(v).__name__}). Convert the column to numbers first "
                "(e.g. pandas.to_numeric(..., errors='coerce') and choose a missing= policy)."
            ) from None
    return out.reshape(arr.shape)


def numeric_time(time_values: np.ndarray) -> np.ndarray:
    """Numeric time: float as given, or days since 1970-01-01 for datetimes (and days for durations)."""
    if np.issubdtype(time_values.dtype, np.datetime64):
        return (time_values.astype("datetime64[ns]").astype(np.int64) / 86400e9).astype(np.float64)
    if np.issubdtype(time_values.dtype, np.timedelta64):
        return (time_values.astype("timedelta64[ns]").astype(np.int64) / 86400e9).astype(np.float64)
    return _to_float_values(time_values, "time stamps")


def _as_dataarray(data, time, time_dim: str) -> xr.DataArray:
    """Turn any supported input into a DataArray with ``time`` as last dimension."""
    if isinstance(data, TimeSeries):
        return data.state
    if isinstance(data, xr.Dataset):
        raise InputError(
            "got an xarray Dataset; pass one DataArray (e.g. ds['x']) or build a TimeSeries per variable."
        )
    if isinstance(data, xr.DataArray):
        da = data
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
        if time is not None:
            da = da.assign_coords({TIME: np.asarray(time)})
        elif TIME not in da.coords:
            da = da.assign_coords({TIME: np.arange(da.sizes[TIME], dtype=np.float64)})
        return da
    if isinstance(data, pd.Series):
        idx = data.index if time is None else pd.Index(np.asarray(time))
        vals = data.to_numpy()
        tvals = idx.to_numpy() if not isinstance(idx, pd.RangeIndex) else idx.to_numpy().astype(np.float64)
        return xr.DataArray(vals, dims=(TIME,), coords={TIME: tvals}, name=data.name)
    if isinstance(data, pd.DataFrame):
        if data.shape[1] == 0:
            raise InputError("the DataFrame has no columns; each column should be one series.")
        idx = data.index if time is None else pd.Index(np.asarray(time))
        tvals = idx.to_numpy() if not isinstance(idx, pd.RangeIndex) else idx.to_numpy().astype(np.float64)
        vals = data.to_numpy().T
        cols = [str(c) for c in data.columns]
        return xr.DataArray(vals, dims=("series", TIME), coords={"series": cols, TIME: tvals})
    arr = np.asarray(data)
    if arr.ndim == 0:
        raise InputError("got a single number; a time series needs a 1-D (time) or 2-D (series, time) array.")
    if arr.ndim == 1:
        dims: tuple = (TIME,)
    elif arr.ndim == 2:
        dims = ("series", TIME)
    else:
        dims = tuple(f"dim_{i}" for i in range(arr.ndim - 1)) + (TIME,)
    n = arr.shape[-1]
    tvals = np.arange(n, dtype=np.float64) if time is None else np.asarray(time)
    return xr.DataArray(arr, dims=dims, coords={TIME: tvals} if n == len(tvals) else None)


def _interp_row(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    ok = np.isfinite(y)
    if ok.all():
        return y
    return np.interp(t, t[ok], y[ok])  # constant extension at the ends


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

    __slots__ = ("_ds", "_regular")

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
        src_attrs = dict(data.attrs) if isinstance(data, (TimeSeries, xr.DataArray)) else {}
        if time is not None:
            time = np.asarray(time)
        da = _as_dataarray(data, time, time_dim)
        if da.size == 0 or da.sizes[TIME] == 0:
            raise InputError("the input is empty (no time points); pass at least a few observations.")
        if TIME not in da.coords or da.coords[TIME].size != da.sizes[TIME]:
            raise InputError(
                f"time has {np.size(time)} stamps but the data have {da.sizes[TIME]} time points; "
                "pass one time stamp per observation."
            )
        tvals = np.asarray(da.coords[TIME].values)
        if tvals.dtype.kind not in "fiumM" and tvals.dtype != object:
            raise InputError("time stamps must be numbers or datetimes.")
        if tvals.dtype == object:
            try:
                tvals = pd.to_datetime(tvals).to_numpy()
            except (TypeError, ValueError):
                tvals = _to_float_values(tvals, "time stamps")
        if tvals.dtype.kind in "iub":
            tvals = tvals.astype(np.float64)
        tnum = numeric_time(tvals)
        if not np.all(np.isfinite(tnum)):
            bad = np.flatnonzero(~np.isfinite(tnum))
            raise InputError(
                f"{bad.size} time stamp(s) are missing or infinite (first at index {bad[0]}); "
                "remove those observations or fill the time stamps."
            )
        if tvals is not da.coords[TIME].values and not np.array_equal(tvals, da.coords[TIME].values):
            da = da.assign_coords({TIME: tvals})
        elif tvals.dtype != da.coords[TIME].dtype:
            da = da.assign_coords({TIME: tvals})

        # time order
        d = np.diff(tnum)
        if np.any(d == 0):
            dup = np.flatnonzero(d == 0)
            raise InputError(
                f"{dup.size} duplicate time stamp(s), first at index {dup[0] + 1} (t={tvals[dup[0] + 1]}); "
                "average or drop duplicates before building the TimeSeries "
                "(e.g. series.groupby(level=0).mean())."
            )
        if np.any(d < 0):
            if not sort:
                first = int(np.flatnonzero(d < 0)[0]) + 1
                raise InputError(
                    f"time stamps are not increasing (first decrease at index {first}, t={tvals[first]}); "
                    "sort the data by time or pass sort=True."
                )
            order = np.argsort(tnum, kind="stable")
            da = da.isel({TIME: order})
            tvals, tnum = tvals[order], tnum[order]

        values = _to_float_values(da.values, "values")
        if values is not da.values:
            da = da.copy(deep=False, data=values)

        # missing values
        if not np.isfinite(values).all():
            bad = ~np.isfinite(values)
            if bad.all(axis=-1).any():
                rows = np.argwhere(bad.all(axis=-1))
                raise InputError(
                    f"{len(rows)} series contain no finite value at all (first: row {tuple(rows[0])}); "
                    "remove them before the analysis."
                )
            nbad = int(bad.sum())
            if missing == "raise":
                raise InputError(
                    f"{nbad} missing (NaN) or infinite value(s), first at {_positions_text(bad, tvals)}. "
                    "Pass missing='interpolate' to fill them by linear interpolation in time, "
                    "or missing='drop' to remove those time points."
                )
            if missing == "interpolate":
                flat = values.reshape(-1, values.shape[-1]).copy()
                flat[~np.isfinite(flat)] = np.nan
                for i in range(flat.shape[0]):
                    flat[i] = _interp_row(tnum, flat[i])
                da = da.copy(data=flat.reshape(values.shape))
            else:  # drop
                keep = ~bad.reshape(-1, values.shape[-1]).any(axis=0)
                if keep.sum() == 0:
                    raise InputError("every time point has a missing value in some series; nothing left to drop to.")
                da = da.isel({TIME: np.flatnonzero(keep)})
            step = {"step": "missing", "policy": missing, "count": nbad}
        else:
            step = None

        da.name = None
        ds = xr.Dataset({"state": da})
        ds.attrs = dict(src_attrs)
        ds.attrs.update(attrs or {})
        if name is not None:
            ds.attrs["name"] = name
        if units is not None:
            ds.attrs["units"] = units
        ds.attrs.setdefault("history", [])
        ds.attrs["history"] = list(ds.attrs["history"])
        if step is not None:
            ds.attrs["history"].append(step)
        self._ds = ds

    # ------------------------------------------------------------------------------------------------
    # internal constructors
    # ------------------------------------------------------------------------------------------------
    @classmethod
    def _wrap(cls, ds: xr.Dataset) -> "TimeSeries":
        """Wrap an already clean Dataset (no validation). Internal."""
        obj = cls.__new__(cls)
        obj._ds = ds
        return obj

    # ------------------------------------------------------------------------------------------------
    # views
    # ------------------------------------------------------------------------------------------------
    @property
    def state(self) -> xr.DataArray:
        """The series as observed (DataArray, dims ``(..., time)``)."""
        return self._ds["state"]

    @property
    def trend(self) -> xr.DataArray | None:
        """The trend removed by :meth:`detrend`, or None."""
        return self._ds["trend"] if "trend" in self._ds else None

    @property
    def residuals(self) -> xr.DataArray:
        """``state - trend`` after :meth:`detrend`; the state itself before."""
        return self._ds["residuals"] if "residuals" in self._ds else self._ds["state"]

    @property
    def is_detrended(self) -> bool:
        return "residuals" in self._ds

    @property
    def values(self) -> np.ndarray:
        """State values as a numpy array (..., n)."""
        return self.state.values

    @property
    def time(self) -> np.ndarray:
        """Time stamps as given (numeric or datetime64)."""
        return self._ds[TIME].values

    @property
    def t(self) -> np.ndarray:
        """Numeric time (float64): as given, or days since 1970-01-01 for datetime stamps."""
        return numeric_time(self.time)

    @property
    def n(self) -> int:
        """Number of time points (of the longest row)."""
        return int(self._ds.sizes[TIME])

    @property
    def dims(self) -> tuple:
        return tuple(self.state.dims)

    @property
    def leading_dims(self) -> tuple:
        return tuple(self.state.dims[:-1])

    @property
    def shape(self) -> tuple:
        return tuple(self.state.shape)

    @property
    def n_rows(self) -> int:
        return int(np.prod(self.shape[:-1], dtype=np.int64))

    @property
    def attrs(self) -> dict:
        return self._ds.attrs

    @property
    def name(self) -> str | None:
        return self._ds.attrs.get("name")

    @property
    def units(self) -> str | None:
        return self._ds.attrs.get("units")

    @property
    def history(self) -> list:
        """Provenance: every transform applied, with its parameters, in order."""
        return list(self._ds.attrs.get("history", []))

    @property
    def ground_truth(self) -> dict | None:
        """Ground truth of a simulated series (model, bifurcation, parameters), or None."""
        return self._ds.attrs.get("ground_truth")

    @property
    def is_dask(self) -> bool:
        return self.state.chunks is not None

    @property
    def lengths(self) -> np.ndarray:
        """Number of valid points of each row (shape: the leading dimensions)."""
        if LENGTH in self._ds.coords:
            return np.asarray(self._ds.coords[LENGTH].values, dtype=np.int64)
        return np.full(self.shape[:-1], self.n, dtype=np.int64)

    @property
    def is_ragged(self) -> bool:
        return LENGTH in self._ds.coords

    @property
    def step(self) -> float:
        """Median time step (numeric time units)."""
        t = self.t
        return float(np.median(np.diff(t))) if t.size > 1 else float("nan")

    @property
    def is_regular(self) -> bool:
        """True when the time stamps are equally spaced (calendar-regular for datetimes)."""
        cached = getattr(self, "_regular", None)
        if cached is None:
            cached = self._regular = self._check_regular()
        return cached

    def _check_regular(self) -> bool:
        t = self.t
        if t.size < 3:
            return True
        if np.issubdtype(self.time.dtype, np.datetime64):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # pandas 3 deprecates the string return type
                    if pd.infer_freq(pd.DatetimeIndex(self.time)) is not None:
                        return True
            except (TypeError, ValueError):
                pass
        d = np.diff(t)
        lo, hi = d.min(), d.max()  # regular iff every step is within the tolerance of the median
        if hi - lo <= _REL_TOL_REGULAR * abs(lo):
            return True
        med = np.median(d)
        return bool(np.all(np.abs(d - med) <= _REL_TOL_REGULAR * abs(med)))

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
        """The underlying Dataset (state, and trend/residuals when detrended)."""
        return self._ds

    def to_pandas(self, variable: str = "state"):
        """A pandas Series (one row) or DataFrame (time x rows) of ``variable``."""
        da = self._ds[variable]
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
        return TimeSeries._wrap(self._ds.copy(deep=True))

    def isel(self, **indexers) -> "TimeSeries":
        """Select by position along any dimension (like xarray's isel)."""
        return TimeSeries._wrap(self._ds.isel(**indexers))

    def sel(self, **indexers) -> "TimeSeries":
        """Select by label along any dimension (like xarray's sel)."""
        return TimeSeries._wrap(self._ds.sel(**indexers))

    # ------------------------------------------------------------------------------------------------
    # rows: the bridge to the kernels
    # ------------------------------------------------------------------------------------------------
    def rows(self, variable: str = "residuals") -> np.ndarray:
        """C-contiguous float64 array (n_rows, n) of ``variable`` (``state``/``trend``/``residuals``)."""
        da = self.residuals if variable == "residuals" else self._ds[variable]
        arr = np.ascontiguousarray(da.values.reshape(-1, self.n), dtype=np.float64)
        # kernels get writeable arrays: a read-only one (pandas 3 hands those out) would make numba
        # compile a second specialisation of every kernel
        return arr if arr.flags.writeable else arr.copy()

    def row_lengths(self) -> np.ndarray:
        return np.ascontiguousarray(self.lengths.reshape(-1), dtype=np.int64)

    def from_rows(self, arr: np.ndarray) -> xr.DataArray:
        """A DataArray shaped like ``state`` (sharing its coordinates) from an (n_rows, n) array."""
        return self.state.copy(deep=False, data=np.asarray(arr).reshape(self.shape))

    # ------------------------------------------------------------------------------------------------
    # transforms
    # ------------------------------------------------------------------------------------------------
    def detrend(self, method: Any = "gaussian", **params) -> "TimeSeries":
        """Remove a trend: returns a TimeSeries holding ``state``, ``trend`` and ``residuals``.

        ``method`` is a name from :func:`ews.detrend.methods` (``"gaussian"``, ``"lowess"``,
        ``"linear"``, ``"first_difference"``, ``"none"``) with its parameters as keywords, or a
        detrender object such as ``ews.detrend.Gaussian(bandwidth=0.1)``. The step and its parameters
        are recorded in :attr:`history`.
        """
        from .detrend import get_detrender

        return get_detrender(method, **params).apply(self)

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
        if np.issubdtype(self.time.dtype, np.datetime64):
            if step is None:
                step_days = float(np.median(np.diff(t)))
            else:
                step_days = pd.Timedelta(step).total_seconds() / 86400.0
        else:
            step_days = float(np.median(np.diff(t))) if step is None else float(step)
        if not step_days > 0:
            raise InputError(f"step must be positive, got {step}.")
        count = int(np.floor((t[-1] - t[0]) / step_days + 1e-9)) + 1
        new_t = t[0] + step_days * np.arange(count)
        flat = self.rows("state")
        out = np.empty((flat.shape[0], count))
        for i in range(flat.shape[0]):
            out[i] = np.interp(new_t, t, flat[i])
        if np.issubdtype(self.time.dtype, np.datetime64):
            new_time = (new_t * 86400e9).astype(np.int64).astype("datetime64[ns]")
        else:
            new_time = new_t
        lead = {d: self._ds.coords[d] for d in self.leading_dims if d in self._ds.coords}
        other = {k: v for k, v in self._ds.coords.items() if TIME not in v.dims and k not in lead}
        da = xr.DataArray(
            out.reshape(self.shape[:-1] + (count,)),
            dims=self.dims,
            coords={**lead, **other, TIME: new_time},
        )
        ds = xr.Dataset({"state": da}, attrs=_copy.deepcopy(self._ds.attrs))
        ds.attrs["history"] = self.history + [
            {"step": "regularize", "method": method, "step_size": step_days, "n_before": self.n, "n_after": count}
        ]
        return TimeSeries._wrap(ds)

    def with_lengths(self, lengths: np.ndarray) -> "TimeSeries":
        """Crop each row to its first ``lengths[row]`` points (rows become ragged; padding is NaN)."""
        lengths = np.asarray(lengths, dtype=np.int64)
        if lengths.shape != self.shape[:-1]:
            raise InputError(f"lengths must have shape {self.shape[:-1]}, got {lengths.shape}.")
        if np.any(lengths < 0) or np.any(lengths > self.n):
            raise InputError(f"lengths must lie in 0..{self.n}.")
        ds = self._ds.copy()
        keep = np.arange(self.n) < lengths[..., None]
        for v in ("state", "trend", "residuals"):
            if v in ds:
                ds[v] = ds[v].where(xr.DataArray(keep, dims=self.dims))
        ds = ds.assign_coords({LENGTH: (self.leading_dims, lengths)})
        return TimeSeries._wrap(ds)

    def before_transition(self, margin: float = 0.0) -> "TimeSeries":
        """Crop each replicate to the part before its transition (``t < transition_time - margin``).

        Uses the ``transition_time`` coordinate attached by the simulators (NaN: no transition, the
        whole record is kept). Rows become ragged; the analysis then treats each row as its own record
        (window and bandwidth fractions refer to each row's own length).
        """
        if "transition_time" not in self._ds.coords:
            raise InputError(
                "this series has no 'transition_time' coordinate; before_transition() works on "
                "series made by ews.simulate (or attach transition times with "
                "ts.to_xarray().assign_coords(transition_time=...))."
            )
        tt = np.asarray(self._ds.coords["transition_time"].values, dtype=np.float64)
        tt = np.broadcast_to(tt, self.shape[:-1]) if tt.shape != self.shape[:-1] else tt
        t = self.t
        cut = np.where(np.isnan(tt), np.inf, tt - margin)
        lengths = np.searchsorted(t, cut, side="left").astype(np.int64)
        lengths = np.minimum(lengths, self.lengths)
        out = self.with_lengths(lengths)
        out._ds.attrs = _copy.deepcopy(self._ds.attrs)
        out._ds.attrs["history"] = self.history + [{"step": "before_transition", "margin": margin}]
        return out

    # ------------------------------------------------------------------------------------------------
    # storage
    # ------------------------------------------------------------------------------------------------
    def to_netcdf(self, path, **kwargs) -> None:
        """Write to netCDF (non-scalar attrs are stored as JSON strings)."""
        ds = self._ds.copy()
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
