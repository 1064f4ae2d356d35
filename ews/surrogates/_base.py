"""The pieces every null model shares: :class:`NullModel` (an entry of the registry), :class:`FittedNull`
(a model fitted to every row, which draws surrogates) and the registry itself."""
from __future__ import annotations

import dataclasses
import numbers
from typing import Callable, ClassVar

import numpy as np
import xarray as xr

from .._errors import InputError
from .._random import fast_row_states
from .._registry import Registry
from .._validate import check_count, show
from ..series import TimeSeries, as_timeseries

SURROGATE = "surrogate"
_EXTRA_DIMS = {"ar": ("ar_lag",), "ma": ("ma_lag",), "aic": ("ar_order", "ma_order"), "bic": ("ar_order", "ma_order")}

REGISTRY: Registry[type] = Registry("null model")


class FittedNull:
    """A null model fitted to every row of a TimeSeries; :meth:`draw` makes surrogates.

    Attributes
    ----------
    model : NullModel
        The (unfitted) model and its settings.
    params : dict of numpy arrays
        Fitted parameters, each of shape ``(<leading shape of the data>)`` (or with extra trailing
        axes, e.g. ARMA coefficients).
    """

    def __init__(self, model: "NullModel", ts: TimeSeries, params: dict, drawer: Callable, info: dict | None = None):
        self.model = model
        self.params = params
        self.info = info or {}
        self._ts = ts
        self._drawer = drawer  # (states (B*R, 4), n_time) -> (B*R, n) array

    @property
    def n_rows(self) -> int:
        return self._ts.n_rows

    def describe(self) -> dict:
        """Name, settings, and a short summary of the fitted parameters, JSON-safe (plain Python
        numbers, lists and strings: for attrs, provenance and result summaries)."""
        out = {"name": self.model.name, **self.model.params()}
        for k, v in self.params.items():
            v = np.asarray(v)
            if v.dtype.kind in "fiu" and v.size:
                flat = v.reshape(-1)
                out[f"fitted_{k}"] = float(flat[0]) if v.size == 1 else [float(np.nanmin(v)), float(np.nanmax(v))]
        out.update(self.info)
        return _jsonable(out)

    def params_dataset(self) -> xr.Dataset:
        """Fitted parameters as an xarray Dataset over the data's leading dimensions."""
        lead = self._ts.leading_dims
        shape = self._ts.shape[:-1]
        data = {}
        for k, v in self.params.items():
            v = np.asarray(v)
            extra = v.shape[len(shape):] if v.shape[: len(shape)] == shape else None
            if extra is None:
                continue
            names = _EXTRA_DIMS.get(k, tuple(f"{k}_dim{j}" for j in range(len(extra))))
            data[k] = (lead + names[: len(extra)], v)
        coords = {d: self._ts.state.coords[d] for d in lead if d in self._ts.state.coords}
        return xr.Dataset(data, coords=coords)

    def draw(self, n: int, seed=None, *, offset: int = 0) -> TimeSeries:
        """Draw ``n`` surrogates of every row: a TimeSeries with dims ``("surrogate", *lead, "time")``.

        Parameters
        ----------
        n : int
            Number of surrogates per data row.
        seed : None, int, SeedSequence or Generator
            Root of the random streams (one independent stream per surrogate and data row).
        offset : int
            Global index of the first surrogate (for drawing a large set in chunks; the surrogate
            coordinate runs ``offset .. offset + n - 1``).
        """
        n = check_count(n, "n")
        if isinstance(offset, bool) or not isinstance(offset, numbers.Integral) or offset < 0:
            raise InputError(f"offset must be a non-negative whole number, got {show(offset)}.")
        offset = int(offset)
        R = self.n_rows
        states = fast_row_states(seed, n * R, offset=offset * R)
        flat = self._drawer(states, self._ts.n)
        return self._ts.with_values(flat.reshape((n,) + self._ts.shape),
                                    prepend={SURROGATE: np.arange(offset, offset + n)},
                                    step={"step": "surrogates", **self.describe()})

    def __repr__(self):
        return f"<ews.surrogates.FittedNull {self.model.name} rows={self.n_rows}>"


def _jsonable(d: dict) -> dict:
    """Plain Python values (numpy scalars and arrays converted), recursively through dicts."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            v = _jsonable(v)
        elif isinstance(v, np.integer):
            v = int(v)
        elif isinstance(v, np.floating):
            v = float(v)
        elif isinstance(v, np.bool_):
            v = bool(v)
        elif isinstance(v, np.ndarray):
            v = v.tolist()
        out[k] = v
    return out


class NullModel:
    """Base class of the registry's entries: a frozen dataclass whose fields are the model's parameters.

    A subclass sets ``name``, ``summary`` (one line), ``preserves`` (what a surrogate keeps of the data)
    and ``reference``, and implements ``_fit(ts, X, L) -> FittedNull``; registering it
    (``@ews.surrogates.register``) makes it available by name everywhere (``get``, ``generate``, the
    significance tests, the command line).
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    reference: ClassVar[str] = ""
    preserves: ClassVar[str] = ""

    def params(self) -> dict:
        """This model's parameter values."""
        return dataclasses.asdict(self)

    @classmethod
    def parameters(cls) -> dict:
        """The model's parameters and their defaults."""
        return {f.name: f.default for f in dataclasses.fields(cls)}

    @classmethod
    def info(cls) -> dict:
        """What :func:`ews.surrogates.table` shows: summary, what is preserved, reference, defaults."""
        return {"summary": cls.summary, "preserves": cls.preserves, "reference": cls.reference,
                "defaults": cls.parameters()}

    @classmethod
    def with_params(cls, **params) -> "NullModel":
        """An instance with ``params`` (an InputError names unknown ones and lists the valid ones)."""
        valid = list(cls.parameters())
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise InputError(f"null model {cls.name!r} has no parameter(s) {unknown}; "
                             f"its parameters are {valid or 'none'}.")
        return cls(**params)

    def fit(self, data) -> FittedNull:
        """Fit the model to every row of ``data`` (a TimeSeries or anything it accepts).

        The rows' ``residuals`` are used when ``data`` is detrended, else their ``state``.
        """
        ts = as_timeseries(data)
        if SURROGATE in ts.leading_dims:
            raise InputError(f"the data already have a {SURROGATE!r} dimension; rename it before drawing surrogates.")
        if ts.is_detrended:
            ts = ts.residuals_as_state()
        X = ts.rows("state")
        L = ts.row_lengths()
        if np.any(L < 3):
            raise InputError(f"null model {self.name!r} needs at least 3 points per series; "
                             f"the shortest row has {int(L.min())}.")
        return self._fit(ts, X, L)

    def _fit(self, ts: TimeSeries, X: np.ndarray, L: np.ndarray) -> FittedNull:  # pragma: no cover
        raise NotImplementedError


def _lead_shape(ts):
    return ts.shape[:-1]


def _by_length(L: np.ndarray):
    """Yield (length, row indices) groups."""
    for length in np.unique(L):
        yield int(length), np.flatnonzero(L == length)


def _states_view(states: np.ndarray, rows: np.ndarray, R: int, B: int) -> np.ndarray:
    """States of output rows s*R + r for r in ``rows`` (s = 0..B-1), in (s, r) order."""
    idx = (np.arange(B)[:, None] * R + rows[None, :]).reshape(-1)
    return np.ascontiguousarray(states[idx])
