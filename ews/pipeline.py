"""Pipeline: detrend -> rolling window -> indicators -> trend statistic, as one frozen value.

The same Pipeline is applied to the data and, in the significance tests, to every surrogate: no test
re-implements a step. ``Pipeline.run`` works on any number of rows at once (series, replicates,
surrogates, grid cells are all rows), so 1,000 surrogates are one call through each kernel.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from . import _checks
from . import indicators as _ind
from . import trend as _trend
from ._errors import InputError, OverlappingWindowsWarning
from .detrend import Detrender, get_detrender
from .series import TimeSeries, as_timeseries, encode_attrs

# names of the result's own variables, dimensions and coordinates: an indicator labelled so would be lost
_RESERVED = {"state", "trend", "residuals", "statistic", "time", "window", "indicator", "length", "surrogate"}
_PIPELINE_SETTINGS = ("detrend", "window", "indicators", "trend")


@dataclass(frozen=True, init=False)
class Pipeline:
    """A frozen analysis recipe.

    Parameters
    ----------
    detrend : str or Detrender
        Detrending method name (``"gaussian"``, ``"lowess"``, ``"linear"``, ``"first_difference"``,
        ``"none"``) with its parameters given as keywords here (``bandwidth=0.2``, ``span=0.3`` ...), or a
        detrender object (``ews.detrend.Gaussian(bandwidth=0.2)``).
    window : float or int
        Rolling window: a fraction of each series' length in (0, 1], or a number of points (int).
    indicators : sequence
        Indicator names, ``(name, params)`` pairs, or :class:`ews.indicators.Indicator` objects.
    trend : {"kendall", "spearman", "ols"}
        Trend statistic of each indicator against time.
    **detrend_params
        Parameters of the detrending method.

    Examples
    --------
    >>> import numpy as np, ews
    >>> p = ews.Pipeline(detrend="gaussian", bandwidth=0.2, window=0.5, indicators=["variance", "ar1"])
    >>> x = np.cumsum(np.random.default_rng(0).standard_normal(400)) * 0.1
    >>> res = p.run(x)
    >>> list(res.summary()["indicator"])
    ['variance', 'ar1']
    """

    detrender: Detrender
    window: float | int
    indicators: tuple
    trend: str

    def __init__(self, detrend="gaussian", *, window=0.5, indicators=("variance", "ar1"), trend="kendall",
                 **detrend_params):
        det = get_detrender(detrend, **detrend_params)
        _ind.check_window(window)
        inds = _ind.as_indicators(indicators)
        clash = {i.label for i in inds} & _RESERVED
        if clash:
            raise InputError(
                f"indicator name(s) {sorted(clash)} are reserved (the result uses {sorted(_RESERVED)} for its "
                "own variables and dimensions); register the indicator under another name, e.g. "
                f"ews.indicators.register_window_function({sorted(clash)[0] + '_indicator'!r}, func)."
            )
        _trend.get(trend)
        object.__setattr__(self, "detrender", det)
        object.__setattr__(self, "window", window)
        object.__setattr__(self, "indicators", inds)
        object.__setattr__(self, "trend", trend)

    def replace(self, **changes) -> "Pipeline":
        """A copy with some settings changed: ``window``, ``indicators``, ``trend``, ``detrend`` and the
        detrending parameters.

        Detrending parameters alone change the current detrender's (``replace(bandwidth=0.2)``); with
        ``detrend=`` the detrender is built afresh, exactly as in the constructor (``detrend=None`` is
        no detrending, and parameters not given take their defaults).
        """
        det_params = {k: changes.pop(k) for k in list(changes) if k not in _PIPELINE_SETTINGS}
        try:
            if "detrend" in changes:
                det = get_detrender(changes.pop("detrend"), **det_params)
            elif det_params:
                det = self.detrender.replace(**det_params)
            else:
                det = self.detrender
        except InputError as e:
            raise InputError(f"{e} Pipeline.replace takes {list(_PIPELINE_SETTINGS)} and the detrending "
                             "method's parameters (to switch method, pass detrend= with its parameters).") from None
        return Pipeline(det, window=changes.get("window", self.window),
                        indicators=changes.get("indicators", self.indicators), trend=changes.get("trend", self.trend))

    def describe(self) -> dict:
        return {
            "detrend": self.detrender.describe(),
            "window": self.window,
            "indicators": [{"name": i.name, **i.kwargs} for i in self.indicators],
            "trend": self.trend,
        }

    @property
    def labels(self) -> list[str]:
        return [i.label for i in self.indicators]

    # ------------------------------------------------------------------------------------------------
    def run(self, data, *, strict: bool | None = None) -> "PipelineResult":
        """Detrend, compute the rolling indicators and their trend statistic for every row of ``data``.

        ``strict``: raise when a row is too short for the window (default: for a single series only;
        in a batch such rows get NaN and a warning).
        """
        ts = as_timeseries(data)
        _ind.check_label_clash(self.labels, ts)
        det = self.detrender.apply(ts)
        _checks.check_residuals(det)
        det.require_regular("rolling indicators (windows of a fixed number of points)")
        if strict is None:
            strict = det.n_rows == 1
        windows = _ind.resolve_windows(self.window, det.row_lengths(), strict=strict)
        _checks.check_value_counts(windows, det.row_lengths())
        values = _ind.evaluate(det, self.indicators, windows)
        stats = self._statistics(det.t, values)
        return PipelineResult(self, det, values, stats, windows)

    def _statistics(self, t: np.ndarray, values: dict[str, np.ndarray]) -> np.ndarray:
        """(K, n_rows) trend statistics: one kernel call per indicator over all rows (joining the
        indicators first would copy K x rows x n values for nothing)."""
        return np.stack([_trend.statistic(self.trend, t, values[lab]) for lab in self.labels])


class PipelineResult:
    """Everything a pipeline run produced, for every row: numpy arrays inside, xarray on demand.

    Attributes
    ----------
    pipeline : Pipeline
    timeseries : TimeSeries
        The detrended series (state, trend, residuals).
    statistic_values : numpy.ndarray
        Trend statistic per indicator, shape ``(K, *leading shape)``.
    windows : numpy.ndarray
        Each row's window in points (leading shape).

    ``result.dataset`` (= :meth:`to_xarray`) is built on first use: ``state``, ``trend``, ``residuals``,
    one variable per indicator (named by its label, dims ``(..., time)``) and ``statistic`` (dims
    ``("indicator", ...)``); coordinate ``window`` holds each row's window in points.
    """

    def __init__(self, pipeline: Pipeline, timeseries: TimeSeries, values: dict, statistics, windows):
        self.pipeline = pipeline
        self.timeseries = timeseries
        lead_shape = timeseries.shape[:-1]
        self.indicators = _ind.IndicatorResult(timeseries, pipeline.indicators, values, windows)
        self.statistic_values = np.asarray(statistics).reshape((len(pipeline.labels),) + lead_shape)
        self.windows = self.indicators.windows
        self._ds = None

    # ------------------------------------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        return self.pipeline.labels

    @property
    def dataset(self) -> xr.Dataset:
        return self.to_xarray()

    @property
    def statistic(self) -> xr.DataArray:
        """Trend statistic per indicator (dims ``("indicator", ...)``)."""
        return self.to_xarray()["statistic"]

    def __getitem__(self, label: str) -> xr.DataArray:
        return self.to_xarray()[label]

    def to_numpy(self, label: str) -> np.ndarray:
        """Indicator ``label`` as an array shaped like the series (..., time)."""
        return self.indicators.to_numpy(label)

    def to_xarray(self) -> xr.Dataset:
        """One variable per indicator (named as in the registry), plus state, trend, residuals and
        ``statistic``. Built once, on first use."""
        if self._ds is None:
            det = self.timeseries
            ds = det.to_xarray().copy()
            ds.update(self.indicators.to_xarray())
            ds["statistic"] = xr.DataArray(self.statistic_values, dims=("indicator",) + det.leading_dims,
                                           coords={"indicator": self.labels})
            ds["statistic"].attrs.update({"trend_statistic": self.pipeline.trend,
                                          "description": _trend.get(self.pipeline.trend).summary})
            ds.attrs = dict(det.attrs)
            ds.attrs["pipeline"] = self.pipeline.describe()
            self._ds = ds
        return self._ds

    def to_netcdf(self, path, **kwargs) -> None:
        ds = self.to_xarray().copy()
        ds.attrs = encode_attrs(ds.attrs)
        for v in ds.variables.values():
            v.attrs = encode_attrs(v.attrs)
        ds.to_netcdf(path, **kwargs)

    def summary(self) -> pd.DataFrame:
        """A tidy table: one row per indicator (and per series), columns ``indicator``, the coordinates of
        each series, ``statistic``, ``trend``, ``direction`` and ``window`` (points)."""
        return self.tidy({"statistic": self.statistic_values}, trend=self.pipeline.trend)

    def tidy(self, columns: dict, **constants) -> pd.DataFrame:
        """One row per (indicator, series): ``columns`` maps a column name to an array of shape
        ``(K, *leading shape)``; ``constants`` are repeated on every row."""
        ts = self.timeseries
        lead = ts.leading_dims
        n = ts.n_rows
        if lead:
            coords = ts.coords
            levels = [coords[d][1] if d in coords and coords[d][0] == (d,) else np.arange(s)
                      for d, s in zip(lead, ts.shape[:-1])]
            index = pd.MultiIndex.from_product(levels, names=list(lead)).to_frame(index=False)
        else:
            index = pd.DataFrame(index=range(1))
        windows = self.windows.reshape(-1)
        K = len(self.pipeline.indicators)
        blocks = []
        for k, ind in enumerate(self.pipeline.indicators):
            block = index.copy()
            block.insert(0, "indicator", ind.label)
            for name, arr in columns.items():
                block[name] = np.asarray(arr).reshape(K, n)[k]
            for name, value in constants.items():
                block[name] = value
            block["direction"] = ind.direction
            block["window"] = np.broadcast_to(windows, (n,))
            blocks.append(block)
        return pd.concat(blocks, ignore_index=True)

    def textbook_pvalues(self, alternative: str = "two-sided") -> xr.DataArray:
        """Textbook p-values of the trend statistics (with an OverlappingWindowsWarning: for comparison
        only; they are not valid for rolling indicators)."""
        t = self.timeseries.t
        out = np.empty(self.statistic_values.shape)
        flat = out.reshape(len(self.labels), -1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for k, lab in enumerate(self.labels):
                Y = self.indicators.to_numpy(lab).reshape(-1, self.timeseries.n)
                for i in range(Y.shape[0]):
                    flat[k, i] = _trend.textbook_pvalue(self.pipeline.trend, t, Y[i], alternative)
        warnings.warn(
            "textbook p-values of trends in rolling indicators are invalid (overlapping windows); "
            "use a surrogate test.", OverlappingWindowsWarning, stacklevel=2)
        return self.statistic.copy(data=out).rename("textbook_pvalue")

    def __repr__(self):
        rows = self.timeseries.n_rows
        return f"<ews.PipelineResult {self.labels} trend={self.pipeline.trend} rows={rows}>"


def analyze(data, *, null: str | None = None, n_surrogates: int = 1000, seed=None, **pipeline_args):
    """One line: build a :class:`Pipeline` from ``pipeline_args`` and run it on ``data``.

    Options of the :class:`~ews.TimeSeries` door (``time``, ``missing``, ``sort``, ``name``, ``units``,
    ``time_dim``, ``attrs``) build the series first; the rest build the Pipeline.

    With ``null`` (e.g. ``"ar1"``), also run the surrogate test and return its result.

    Examples
    --------
    >>> import numpy as np, ews
    >>> x = np.random.default_rng(2).standard_normal(300)
    >>> ews.analyze(x, detrend="none", window=0.5).summary().shape[0]
    2
    """
    door = _checks.split_door_options(pipeline_args)
    if door:
        data = TimeSeries(data, **door)
    pipeline = Pipeline(**pipeline_args)
    if null is not None:
        return pipeline.test(data, null=null, n_surrogates=n_surrogates, seed=seed)
    return pipeline.run(data)
