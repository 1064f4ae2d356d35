r"""Surrogate tests of early-warning trends, and sensitivity grids.

The textbook p-value of a Kendall tau computed on a rolling indicator is meaningless: consecutive
windows share all but one point, so the indicator values are far from independent (see
:func:`ews.trend.textbook_pvalue`). The answer is a null model whose surrogates go through **the same
pipeline** as the data, every step included, and a p-value read off the surrogates' statistics.

Surrogate test (``mode="pipeline"``, the default)
--------------------------------------------------
1. Run the pipeline on the data: trend :math:`\hat m_t`, residuals :math:`r_t = x_t - \hat m_t`,
   indicators, and the observed statistic :math:`T_{obs}` of each indicator (per series).
2. Fit the null model (:mod:`ews.surrogates`) to each series' residuals (``fit_to="residuals"``,
   default) or to its raw state (``fit_to="state"``).
3. Draw B surrogates. With ``fit_to="residuals"`` a surrogate *state* is
   :math:`x^{(b)}_t = \hat m_t + r^{(b)}_t` (the observed trend plus a surrogate residual series); for
   first-difference detrending, where the "trend" is the previous value, it is the integrated series
   :math:`x^{(b)}_0 = x_0`, :math:`x^{(b)}_t = x^{(b)}_{t-1} + r^{(b)}_t`, whose first differences
   are exactly :math:`r^{(b)}`. With ``fit_to="state"`` the surrogates are states.
4. Run the **whole** pipeline (detrending included) on all surrogates in one batch: statistics
   :math:`T_1, \dots, T_B`.
5. p-value (ties count against the signal; :math:`B'` = number of finite :math:`T_b`):

   * ``"greater"``: :math:`p = (1 + \#\{b: T_b \ge T_{obs}\}) / (B' + 1)`
   * ``"less"``: :math:`p = (1 + \#\{b: T_b \le T_{obs}\}) / (B' + 1)`
   * ``"two-sided"``: :math:`p = \min(1, 2 \min(p_{greater}, p_{less}))` (the doubled smaller tail;
     it does not assume the null distribution is centred at 0, which it is often not after detrending
     and windowing).

   ``alternative="auto"`` (default) takes each indicator's expected direction before a fold
   (``Indicator.direction``): +1 -> ``"greater"``, -1 -> ``"less"``, 0 -> ``"two-sided"``. The smallest
   attainable p is :math:`1/(B'+1)`; under the null, :math:`P(p \le \alpha) \le \alpha` for every
   :math:`\alpha` (Davison & Hinkley 1997, ch. 4; Phipson & Smyth 2010).

Indicator mode (``mode="indicator"``, Boers 2021)
-------------------------------------------------
Surrogates of each *indicator series itself* (its finite part, after the first ``w - 1`` points),
by default phase-randomised (``null="phase"``), which keeps the indicator's own autocorrelation
(inflated by the overlapping windows) but destroys any trend carried by phase coherence. The statistic
is the trend statistic of the surrogate indicator series, by default the pipeline's; Boers uses the
least-squares slope (``statistic="ols"``). p-values as above. Fast (no pipeline re-runs), but **not
calibrated** on rolling indicators: phase surrogates are circular and cannot reproduce the large
end-to-end excursions of an indicator series whose low-frequency power comes from the overlapping
windows, so the null distribution is too narrow. On stationary AR(1) noise (phi 0.5, n 400, window
0.5) it rejects about 26 % of series at alpha = 0.05 (``validation/significance.py``). Provided because
the method is published; prefer the pipeline mode. Shortcut: :func:`indicator_trend_test`.

Sensitivity grid
----------------
:func:`sensitivity` runs the pipeline (and optionally the surrogate test) for every window size x
detrending bandwidth and returns an xarray Dataset; cells that cannot be computed (window too short
or too long, constant data ...) are NaN with a note, never an error.

References
----------
Dakos, V. et al. (2008). Slowing down as an early warning signal for abrupt climate change. *PNAS*
105, 14308-14312.
Dakos, V. et al. (2012). Methods for detecting early warnings of critical transitions in time series
illustrated using simulated ecological data. *PLoS ONE* 7, e41010.
Boers, N. (2021). Observation-based early-warning signals for a collapse of the Atlantic Meridional
Overturning Circulation. *Nature Climate Change* 11, 680-688.
Davison, A. C. and Hinkley, D. V. (1997). *Bootstrap Methods and their Application*. Cambridge UP.
Phipson, B. and Smyth, G. K. (2010). Permutation p-values should never be zero. *Stat. Appl. Genet.
Mol. Biol.* 9, 39.
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import xarray as xr

from . import detrend as _detrend
from . import indicators as _ind
from . import surrogates as _sur
from ._errors import EWSWarning, InputError
from ._random import seed_sequence
from .pvalues import ALTERNATIVES, pvalue
from ._validate import check_count, show
from .detrend import get_detrender
from .pipeline import Pipeline, PipelineResult
from .series import LENGTH, TIME, TimeSeries, as_timeseries, encode_attrs

_DIRECTION_ALT = {1: "greater", -1: "less", 0: "two-sided"}
# elements (surrogates x rows x time) per pipeline call before the batch is split
_MAX_BATCH_ELEMENTS = 10_000_000


# ----------------------------------------------------------------------------------------------------
# p-values
# ----------------------------------------------------------------------------------------------------
def _alternatives(pipeline, alternative) -> dict:
    labels = pipeline.labels
    dirs = {i.label: i.direction for i in pipeline.indicators}
    if isinstance(alternative, dict):
        unknown = sorted(set(alternative) - set(labels))
        if unknown:
            raise InputError(f"alternative names indicator(s) {unknown} that are not in the pipeline {labels}.")
        out = {lab: alternative.get(lab, "auto") for lab in labels}
    else:
        out = {lab: alternative for lab in labels}
    for lab, alt in out.items():
        if alt == "auto":
            out[lab] = _DIRECTION_ALT[int(np.sign(dirs[lab]))]
        elif alt not in ALTERNATIVES:
            raise InputError(f"alternative must be 'auto' or one of {ALTERNATIVES} (or a dict of them per "
                             f"indicator), got {alt!r}.")
    return out


# ----------------------------------------------------------------------------------------------------
# result
# ----------------------------------------------------------------------------------------------------
class SurrogateTestResult:
    """The outcome of a surrogate test: observed statistics, the null distribution and p-values.

    Attributes
    ----------
    observed : ews.PipelineResult
        The pipeline's result on the data (indicator series, detrended series ...).
    statistic : xarray.DataArray
        Observed statistic, dims ``("indicator", <data's leading dims>...)``.
    null_distribution : xarray.DataArray
        Surrogate statistics, dims ``("indicator", "surrogate", <data's leading dims>...)``.
    p_value : xarray.DataArray
        p-values, dims as ``statistic``.
    n_valid : xarray.DataArray
        Number of finite surrogate statistics behind each p-value.
    alternative : dict
        Tail used for each indicator.
    null : dict
        The null model, its settings and a summary of the fitted parameters.
    fitted_null : ews.surrogates.FittedNull
        The fitted null model (per-series parameters: ``fitted_null.params_dataset()``).
    surrogates : ews.PipelineResult or None
        The pipeline's result on the surrogates (``keep_surrogates=True`` only).
    """

    def __init__(self, *, observed, statistic, null_distribution, alternative, null, fitted_null, mode,
                 fit_to, statistic_name, seed_entropy, surrogates=None):
        self.observed = observed
        self.statistic = statistic
        self.null_distribution = null_distribution
        self.alternative = alternative
        self.null = null
        self.fitted_null = fitted_null
        self.mode = mode
        self.fit_to = fit_to
        self.statistic_name = statistic_name
        self.seed_entropy = seed_entropy
        self.surrogates = surrogates
        labels = [str(v) for v in statistic["indicator"].values]
        p = np.empty(statistic.shape)
        nvalid = np.empty(statistic.shape, dtype=np.int64)
        for k, lab in enumerate(labels):
            nul = null_distribution.sel(indicator=lab).values
            p[k] = pvalue(statistic.sel(indicator=lab).values, nul, alternative[lab], axis=0)
            nvalid[k] = np.isfinite(nul).sum(axis=0)
        self.p_value = statistic.copy(data=p).rename("p_value")
        self.p_value.attrs = {"description": "surrogate p-value", "alternative": json.dumps(alternative)}
        self.n_valid = statistic.copy(data=nvalid).rename("n_surrogates")
        B = int(null_distribution.sizes["surrogate"])
        short = (nvalid < B) & np.isfinite(p)
        if short.any():
            k = [labels[i] for i in sorted(set(np.nonzero(short)[0].tolist()))]
            warnings.warn(
                f"some surrogates gave no trend statistic (too few finite indicator values) and were left out: "
                f"as few as {int(nvalid[short].min())} of {B} count for {k}; those p-values rest on fewer "
                "surrogates (result.n_valid gives the count per series). A longer record or a smaller window "
                "leaves more windows per surrogate.", EWSWarning, stacklevel=3)

    @property
    def pipeline(self):
        return self.observed.pipeline

    @property
    def n_surrogates(self) -> int:
        return int(self.null_distribution.sizes["surrogate"])

    @property
    def labels(self) -> list[str]:
        return [str(v) for v in self.statistic["indicator"].values]

    def summary(self) -> pd.DataFrame:
        """Tidy table, one row per indicator and series: ``indicator``, the series' coordinates,
        ``statistic``, ``p_value``, ``null``, ``n_surrogates`` (finite surrogate statistics), then
        ``alternative``, ``trend`` (the statistic), ``direction`` and ``window`` (points)."""
        df = self.observed.tidy({"statistic": self.statistic.values, "p_value": self.p_value.values,
                                 "n_surrogates": self.n_valid.values},
                                null=self.null["name"], trend=self.statistic_name)
        df["alternative"] = df["indicator"].map(self.alternative)
        lead = [c for c in df.columns if c not in ("indicator", "statistic", "p_value", "null", "n_surrogates",
                                                   "alternative", "trend", "direction", "window")]
        order = ["indicator", *lead, "statistic", "p_value", "null", "n_surrogates", "alternative", "trend",
                 "direction", "window"]
        return df[order]

    def to_xarray(self) -> xr.Dataset:
        """``statistic``, ``p_value``, ``null_distribution``, ``n_surrogates`` and the fitted null's
        parameters (``null_<name>``), with the pipeline, null model, mode and seed in ``attrs``."""
        ds = xr.Dataset({"statistic": self.statistic, "p_value": self.p_value,
                         "null_distribution": self.null_distribution, "n_surrogates": self.n_valid})
        ds = ds.assign_coords(window=(self.observed.timeseries.leading_dims, self.observed.windows))
        if self.fitted_null is not None:
            try:
                prm = self.fitted_null.params_dataset()
                for k, v in prm.data_vars.items():
                    if self.mode == "pipeline":
                        ds[f"null_{k}"] = v
            except (ValueError, KeyError):  # pragma: no cover - parameters that do not align
                pass
        ds.attrs = {
            "pipeline": self.pipeline.describe(),
            "null": self.null,
            "alternative": self.alternative,
            "mode": self.mode,
            "fit_to": self.fit_to,
            "statistic": self.statistic_name,
            "n_surrogates": self.n_surrogates,
            "seed_entropy": str(self.seed_entropy),
        }
        return ds

    def to_netcdf(self, path, **kwargs) -> None:
        """Write :meth:`to_xarray` to netCDF (dict attrs stored as JSON strings)."""
        ds = self.to_xarray().copy()
        ds.attrs = encode_attrs(ds.attrs)
        for v in ds.variables.values():
            v.attrs = encode_attrs(v.attrs)
        ds.to_netcdf(path, **kwargs)

    def __repr__(self):
        return (f"<ews.SurrogateTestResult {self.labels} null={self.null['name']} B={self.n_surrogates} "
                f"mode={self.mode} rows={int(np.prod(self.statistic.shape[1:], dtype=np.int64))}>")


# ----------------------------------------------------------------------------------------------------
# surrogate test
# ----------------------------------------------------------------------------------------------------
def surrogate_test(pipeline, data, null="ar1", n_surrogates: int = 1000, seed=None, *, fit_to: str = "residuals",
                   alternative="auto", mode: str = "pipeline", statistic: str | None = None,
                   keep_surrogates: bool = False, null_params: dict | None = None) -> SurrogateTestResult:
    r"""Test every indicator's trend statistic against surrogates run through the same pipeline.

    Parameters
    ----------
    pipeline : ews.Pipeline
    data : TimeSeries or anything TimeSeries accepts
        One or many series (any leading dimensions; ragged rows allowed).
    null : str or ews.surrogates.NullModel
        Null model name (``"ar1"``, ``"arma"``, ``"phase"``, ``"aaft"``, ``"iaaft"``,
        ``"block_bootstrap"``, ``"shuffle"``) or a configured object, e.g.
        ``ews.surrogates.BlockBootstrap(block_length=20, kind="stationary")``.
    n_surrogates : int
        B, the number of surrogates per series. The smallest possible p-value is 1/(B+1).
    seed : None, int, SeedSequence or Generator
        Same seed, same p-values (one independent stream per surrogate and series, whatever the
        number of threads). ``result.seed_entropy`` records the seed actually used.
    fit_to : {"residuals", "state"}
        Fit the null to the detrended residuals (surrogate state = observed trend + surrogate
        residuals) or to the raw state (surrogates are states). Ignored in indicator mode.
    alternative : "auto", "greater", "less", "two-sided", or dict
        Tail of the test (see the module docstring); a dict maps indicator labels to tails.
    mode : {"pipeline", "indicator"}
        ``"pipeline"``: surrogates of the data through the whole pipeline. ``"indicator"``: Boers-style
        surrogates of each indicator series (use ``null="phase"``).
    statistic : {"kendall", "spearman", "ols"}, optional
        Indicator mode only: trend statistic of the indicator series (default: the pipeline's).
    keep_surrogates : bool
        Keep the pipeline's result on all surrogates (``result.surrogates``; memory: B x the data).
    null_params : dict, optional
        Parameters of the null model given by name (e.g. ``{"max_p": 2}`` for ``"arma"``).

    Returns
    -------
    SurrogateTestResult

    Examples
    --------
    >>> import numpy as np, ews
    >>> rng = np.random.default_rng(3)
    >>> x = np.zeros(400)
    >>> for t in range(1, 400):
    ...     x[t] = 0.5 * x[t - 1] + (1 + t / 200) * rng.standard_normal()
    >>> p = ews.Pipeline(detrend="gaussian", bandwidth=0.2, window=0.5, indicators=["variance", "ar1"])
    >>> res = p.test(x, null="ar1", n_surrogates=99, seed=1)
    >>> float(res.p_value.sel(indicator="variance")) <= 0.05
    True
    """
    if not isinstance(pipeline, Pipeline):
        raise InputError("surrogate_test needs an ews.Pipeline as first argument.")
    B = check_count(n_surrogates, "n_surrogates")
    if fit_to not in ("residuals", "state"):
        raise InputError(f"fit_to must be 'residuals' or 'state', got {fit_to!r}.")
    if mode not in ("pipeline", "indicator"):
        raise InputError(f"mode must be 'pipeline' or 'indicator', got {mode!r}.")
    if not isinstance(keep_surrogates, bool):
        raise InputError("keep_surrogates must be True or False.")
    if null_params is not None and not isinstance(null_params, dict):
        raise InputError(f"null_params must be a dict of the null model's parameters, got {show(null_params)}; "
                         "e.g. null_params={'max_p': 2} for null='arma'.")
    model = _sur.get(null, **(null_params or {}))
    alts = _alternatives(pipeline, alternative)
    ts = as_timeseries(data)
    if _sur.SURROGATE in ts.leading_dims:
        raise InputError(f"the data have a dimension named {_sur.SURROGATE!r}; rename it "
                         "(ts.to_xarray().rename(...)) before testing.")
    root = seed_sequence(seed)
    observed = pipeline.run(ts)
    if mode == "indicator":
        return _indicator_mode(pipeline, observed, model, B, root, alts, statistic)
    if statistic is not None and statistic != pipeline.trend:
        raise InputError("statistic= applies to mode='indicator'; in pipeline mode the statistic is the "
                         "pipeline's trend (build the Pipeline with trend=...).")

    det = observed.timeseries
    base = det.residuals_as_state() if fit_to == "residuals" else ts.with_values(ts.values)
    fitted = model.fit(base)
    R = base.n_rows
    per_chunk = max(1, _MAX_BATCH_ELEMENTS // max(1, R * base.n))
    stats = []
    kept = []
    for start in range(0, B, per_chunk):
        nb = min(per_chunk, B - start)
        surr = fitted.draw(nb, root, offset=start)
        states = _surrogate_states(ts, det, surr, fit_to, pipeline)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = pipeline.run(states, strict=False)
        _relay(caught, "surrogates")
        stats.append(res.statistic_values)  # (K, nb, *lead)
        if keep_surrogates:
            kept.append(res)
    statistic = observed.statistic
    null_stats = xr.DataArray(np.concatenate(stats, axis=1),
                              dims=("indicator", _sur.SURROGATE) + det.leading_dims,
                              coords={**statistic.coords, _sur.SURROGATE: np.arange(B)}, name="null_distribution")
    return SurrogateTestResult(
        observed=observed, statistic=statistic, null_distribution=null_stats, alternative=alts,
        null=fitted.describe(), fitted_null=fitted, mode="pipeline", fit_to=fit_to,
        statistic_name=pipeline.trend, seed_entropy=root.entropy,
        surrogates=_concat_results(det, kept) if keep_surrogates else None)


def _surrogate_states(ts: TimeSeries, det: TimeSeries, surr: TimeSeries, fit_to: str, pipeline) -> TimeSeries:
    """Surrogate states (surrogate, *lead, time) ready for the pipeline: the detrender recomposes each
    surrogate residual series with the observed trend (``fit_to="residuals"``)."""
    if fit_to == "state":
        return surr
    states = pipeline.detrender.recompose(ts, det, surr.values)
    return ts.with_values(states, prepend={_sur.SURROGATE: surr.coords[_sur.SURROGATE][1]})


def _relay(caught, where: str) -> None:
    """Re-emit warnings raised while processing surrogates once each, saying where they came from."""
    seen = set()
    for w in caught:
        key = (w.category, str(w.message))
        if key in seen:
            continue
        seen.add(key)
        warnings.warn(f"(in the {where}) {w.message}", w.category, stacklevel=3)


def _concat_results(det: TimeSeries, results: list):
    """The pipeline results of all surrogate chunks as one PipelineResult (surrogate dimension first)."""
    if len(results) == 1:
        return results[0]
    parts = [r.timeseries for r in results]
    cat = lambda arrays: np.concatenate(arrays, axis=0)  # noqa: E731
    series = det.with_values(
        cat([p.values for p in parts]), trend=cat([p.trend_values for p in parts]),
        residuals=cat([p.residuals_values for p in parts]),
        lengths=cat([p.lengths for p in parts]) if det.is_ragged else None,
        prepend={_sur.SURROGATE: cat([p.coords[_sur.SURROGATE][1] for p in parts])})
    first = results[0]
    values = {lab: cat([r.to_numpy(lab) for r in results]).reshape(-1, det.n) for lab in first.labels}
    stats = np.concatenate([r.statistic_values for r in results], axis=1)
    return PipelineResult(first.pipeline, series, values, stats, cat([r.windows for r in results]))


# ----------------------------------------------------------------------------------------------------
# indicator (Boers) mode
# ----------------------------------------------------------------------------------------------------
def _indicator_mode(pipeline, observed, model, B, root, alts, statistic):
    from . import trend as _trend

    stat_name = statistic or pipeline.trend
    _trend.get(stat_name)
    det = observed.timeseries
    lead = det.leading_dims
    lead_shape = det.shape[:-1]
    labels = pipeline.labels
    K = len(labels)
    windows = observed.windows.reshape(-1)
    lengths = det.row_lengths()
    R = lengths.size
    n = det.n
    m = np.maximum(lengths - np.maximum(windows, 1) + 1, 0)
    m = np.where(windows > 0, m, 0)
    m_max = int(max(m.max(), 3))
    rows = np.full((K, R, m_max), np.nan)
    usable = np.zeros((K, R), dtype=bool)
    for k, lab in enumerate(labels):
        V = observed.to_numpy(lab).reshape(R, n)
        for i in range(R):
            if m[i] < 3:
                continue
            seg = V[i, windows[i] - 1 : lengths[i]]
            if np.all(np.isfinite(seg)):
                rows[k, i, : m[i]] = seg
                usable[k, i] = True
    # rows that cannot be tested get a dummy constant series (their p-values are set to NaN below)
    fill_len = np.where(usable, np.broadcast_to(m, (K, R)), 3)
    for k in range(K):
        for i in range(R):
            if not usable[k, i]:
                rows[k, i, :3] = 0.0
    t = det.t
    step = float(np.median(np.diff(t))) if n > 1 else 1.0
    tgrid = np.arange(m_max) * step
    lead_coords = {d: det.state.coords[d] for d in lead if d in det.state.coords}
    da = xr.DataArray(rows.reshape((K,) + lead_shape + (m_max,)), dims=("indicator",) + lead + (TIME,),
                      coords={"indicator": labels, TIME: tgrid, **lead_coords})
    ind_ts = TimeSeries.from_xarray(xr.Dataset({"state": da}).assign_coords(
        {LENGTH: (("indicator",) + lead, fill_len.reshape((K,) + lead_shape))}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EWSWarning)
        fitted = model.fit(ind_ts)
    obs = _trend.statistic(stat_name, tgrid, rows.reshape(K * R, m_max)).reshape((K,) + lead_shape)
    obs = np.where(usable.reshape((K,) + lead_shape), obs, np.nan)
    per_chunk = max(1, _MAX_BATCH_ELEMENTS // max(1, K * R * m_max))
    null_parts = []
    for start in range(0, B, per_chunk):
        nb = min(per_chunk, B - start)
        surr = fitted.draw(nb, root, offset=start).values.reshape(nb * K * R, m_max)
        null_parts.append(_trend.statistic(stat_name, tgrid, surr).reshape((nb, K) + lead_shape))
    nul = np.concatenate(null_parts, axis=0)
    nul = np.where(usable.reshape((1, K) + lead_shape), nul, np.nan)
    nul = np.moveaxis(nul, 0, 1)  # (K, B, *lead)
    coords = {"indicator": labels, **lead_coords}
    statistic = xr.DataArray(obs, dims=("indicator",) + lead, coords=coords, name="statistic")
    null_da = xr.DataArray(nul, dims=("indicator", _sur.SURROGATE) + lead,
                           coords={**coords, _sur.SURROGATE: np.arange(B)}, name="null_distribution")
    desc = fitted.describe()
    desc.pop("fitted_mean", None)
    return SurrogateTestResult(observed=observed, statistic=statistic, null_distribution=null_da, alternative=alts,
                               null=desc, fitted_null=fitted, mode="indicator", fit_to="indicator",
                               statistic_name=stat_name, seed_entropy=root.entropy)


def indicator_trend_test(pipeline, data, n_surrogates: int = 1000, seed=None, *, null="phase", statistic="ols",
                         alternative="auto") -> SurrogateTestResult:
    """Boers-style test: surrogates of each indicator series (phase-randomised), linear-slope statistic.

    Equivalent to ``surrogate_test(pipeline, data, null=null, n_surrogates=n_surrogates, seed=seed,
    mode="indicator", statistic=statistic)``. Not calibrated on rolling indicators (about 26 % false
    positives at alpha = 0.05 on AR(1) noise; see the module docstring); prefer :func:`surrogate_test`.
    Boers (2021), Nature Climate Change 11:680.
    """
    return surrogate_test(pipeline, data, null=null, n_surrogates=n_surrogates, seed=seed, mode="indicator",
                          statistic=statistic, alternative=alternative)


# ----------------------------------------------------------------------------------------------------
# sensitivity grid
# ----------------------------------------------------------------------------------------------------
def sensitivity(data, windows=(0.25, 0.5, 0.75), bandwidths=None, *, indicators=("variance", "ar1"),
                detrend="gaussian", trend: str = "kendall", null=None, n_surrogates: int = 200, seed=None,
                fit_to: str = "residuals", alternative="auto", **detrend_params) -> xr.Dataset:
    r"""The trend statistic (and optionally its surrogate p-value) over a grid of window sizes x bandwidths.

    Every cell runs ``Pipeline(detrend, window=w, indicators, trend, <bandwidth parameter>=b,
    **detrend_params)``; with ``null`` it also runs :func:`surrogate_test` with that null. A cell that
    cannot be computed on these data (window too long for the series, a span that leaves too few
    neighbours, every window constant ...) gets NaN and a note in ``attrs["skipped"]``; nothing raises
    for such a cell, and constant p-values across the grid are not a problem (no plotting here).
    A grid value that is wrong whatever the data (a negative bandwidth, a window of 2 points, a
    fraction above 10) is a typo, not a result: it raises :class:`ews.InputError` before any cell runs.

    Parameters
    ----------
    data : TimeSeries or anything TimeSeries accepts
    windows : sequence
        Window sizes: fractions in (0, 1] or whole numbers of points (ints), as in :class:`ews.Pipeline`.
    bandwidths : sequence, optional
        Values of the detrender's smoothing parameter: ``bandwidth`` for ``"gaussian"``, ``span`` for
        ``"lowess"``. Leave None for detrenders without one (``"linear"``, ``"first_difference"``,
        ``"none"``); the result then has no ``bandwidth`` dimension.
    indicators, detrend, trend, **detrend_params
        As in :class:`ews.Pipeline`.
    null : str or NullModel, optional
        Also compute surrogate p-values with this null model (``n_surrogates`` each).
    seed
        Root seed; cell ``c`` (in row-major order over bandwidth x window) uses the child stream
        ``c`` of it, so the cells' surrogates are independent and reproducible.
    fit_to, alternative
        As in :func:`surrogate_test`.

    Returns
    -------
    xarray.Dataset
        ``statistic`` (and ``p_value``), dims ``("indicator", "bandwidth", "window", <data's leading
        dims>...)`` (no ``bandwidth`` without bandwidths); ``window_points`` (the window in points);
        ``valid`` (bool per cell); attrs: the grid parameter's name, the pipeline settings, skipped
        cells and why (dicts and lists: before ``to_netcdf`` encode them with
        ``ds.attrs = ews.series.encode_attrs(ds.attrs)``).

    Examples
    --------
    >>> import numpy as np, ews
    >>> x = np.cumsum(np.random.default_rng(0).standard_normal(300)) * 0.1
    >>> ds = ews.significance.sensitivity(x, windows=[0.25, 0.5], bandwidths=[0.1, 0.2])
    >>> dict(ds["statistic"].sizes)
    {'indicator': 2, 'bandwidth': 2, 'window': 2}
    """
    import dataclasses

    ts = as_timeseries(data)
    windows = list(windows) if not isinstance(windows, (int, float, np.integer, np.floating)) else [windows]
    if not windows:
        raise InputError("windows is empty; give at least one window size.")
    for w in windows:
        _ind.check_window(w)
    det0 = get_detrender(detrend, **detrend_params)
    grid_param = det0.grid_param
    if bandwidths is not None:
        if grid_param is None:
            with_grid = [d.name for d in _detrend.REGISTRY if d.grid_param]
            raise InputError(f"detrending method {det0.name!r} has no bandwidth; leave bandwidths=None "
                             f"(bandwidth grids apply to {with_grid}).")
        if isinstance(bandwidths, (int, float, np.integer, np.floating)):
            bandwidths = [bandwidths]
        bandwidths = list(bandwidths)
        if not bandwidths:
            raise InputError("bandwidths is empty; give at least one value or None.")
        detrenders = []
        for bw in bandwidths:  # validated before any cell runs (see the docstring)
            try:
                detrenders.append(dataclasses.replace(det0, **{grid_param: bw}))
            except InputError as e:
                raise InputError(f"bandwidths contains {show(bw)}, which the {det0.name!r} detrender refuses: {e} "
                                 "Fix or drop that value of the grid.") from None
    else:
        detrenders = [det0]
    if null is not None:
        _sur.get(null)
    root = seed_sequence(seed)
    n_bw, n_w = len(detrenders), len(windows)
    labels = Pipeline(det0, window=0.5, indicators=indicators, trend=trend).labels
    lead = ts.leading_dims
    lead_shape = ts.shape[:-1]
    stat = np.full((len(labels), n_bw, n_w) + lead_shape, np.nan)
    pval = np.full_like(stat, np.nan) if null is not None else None
    wpts = np.zeros((n_bw, n_w) + lead_shape, dtype=np.int64)
    valid = np.zeros((n_bw, n_w), dtype=bool)
    skipped = []
    n_warn = 0
    for ib, det in enumerate(detrenders):
        for iw, w in enumerate(windows):
            cell = ib * n_w + iw
            where = {"window": w} if bandwidths is None else {grid_param: bandwidths[ib], "window": w}
            try:
                pipe = Pipeline(det, window=w, indicators=indicators, trend=trend)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    if null is None:
                        res = pipe.run(ts)
                        st = res.statistic_values
                        wp = res.windows
                    else:
                        child = np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (cell,))
                        tr = surrogate_test(pipe, ts, null=null, n_surrogates=n_surrogates, seed=child,
                                            fit_to=fit_to, alternative=alternative)
                        st = tr.statistic.values
                        pval[:, ib, iw] = tr.p_value.values
                        wp = tr.observed.windows
                n_warn += len(caught)
                stat[:, ib, iw] = st
                wpts[ib, iw] = wp
                valid[ib, iw] = bool(np.isfinite(st).any())
                if not valid[ib, iw]:
                    skipped.append({**where, "reason": "every statistic is NaN (degenerate windows)"})
            except (InputError, FloatingPointError, np.linalg.LinAlgError) as exc:
                skipped.append({**where, "reason": str(exc)})
    if n_warn:
        warnings.warn(f"{n_warn} warning(s) while computing the sensitivity grid (degenerate windows or "
                      "fitting problems in some cells); see the NaN cells of the result.", EWSWarning, stacklevel=2)
    dims = ("indicator", "bandwidth", "window") + lead
    bw_coord = np.asarray(bandwidths if bandwidths is not None else [np.nan], dtype=float)
    coords = {"indicator": labels, "bandwidth": bw_coord,
              "window": _window_coord(windows),
              **{d: ts.state.coords[d] for d in lead if d in ts.state.coords}}
    ds = xr.Dataset({"statistic": (dims, stat), "window_points": (dims[1:], wpts),
                     "valid": (("bandwidth", "window"), valid)}, coords=coords)
    if pval is not None:
        ds["p_value"] = (dims, pval)
    if bandwidths is None:
        ds = ds.isel(bandwidth=0, drop=True)
    detrend_attrs = det0.describe() if bandwidths is None else {**det0.describe(), grid_param: "grid"}
    ds.attrs = {"detrend": detrend_attrs, "grid_parameter": grid_param or "", "trend": trend,
                "indicators": labels, "null": "" if null is None else (null if isinstance(null, str) else null.name),
                "n_surrogates": int(n_surrogates) if null is not None else 0,
                "seed_entropy": str(root.entropy), "skipped": skipped}
    ds["statistic"].attrs["description"] = f"{trend} trend statistic of each indicator"
    return ds


def _window_coord(windows):
    if all(isinstance(w, (int, np.integer)) and not isinstance(w, bool) for w in windows):
        return np.asarray(windows, dtype=np.int64)
    return np.asarray(windows, dtype=float)


__all__ = ["surrogate_test", "indicator_trend_test", "sensitivity", "pvalue", "SurrogateTestResult", "ALTERNATIVES"]


def _test_method(self: Pipeline, data, null: str = "ar1", n_surrogates: int = 1000, seed=None, **kwargs):
    """Surrogate test of every indicator's trend statistic; see :func:`ews.significance.surrogate_test`.

    (Attached to Pipeline here, so that pipeline.py, below this module, never imports it.)
    """
    return surrogate_test(self, data, null=null, n_surrogates=n_surrogates, seed=seed, **kwargs)


Pipeline.test = _test_method
