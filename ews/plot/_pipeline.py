"""The standard figure (state, residuals, indicators), indicators alone, and series with their ground truth."""
from __future__ import annotations

import numpy as np

from .._errors import InputError
from ._base import PALETTE, STATE, TREND, figure


def _rows(ts, rows, max_rows):
    """Flat row indices to draw and a label for each (from the leading coordinates)."""
    n = ts.n_rows
    if rows is None:
        idx = list(range(min(n, max_rows)))
    else:
        idx = [rows] if isinstance(rows, (int, np.integer)) else list(rows)
        bad = [i for i in idx if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n]
        if bad or not idx:
            raise InputError(f"rows must be row numbers from 0 to {n - 1} (the series has {n} row(s)), got {rows!r}.")
    lead = ts.leading_dims
    if not lead:
        return idx, [None for _ in idx]
    shape = ts.shape[:-1]
    labels = []
    coords = ts.coords
    for i in idx:
        pos = np.unravel_index(i, shape)
        parts = []
        for d, k in zip(lead, pos):
            c = coords.get(d)
            val = c[1][k] if c is not None and tuple(c[0]) == (d,) else k
            parts.append(f"{d} {val}")
        labels.append(", ".join(parts))
    return idx, labels


def _time(ts):
    t = np.asarray(ts.time)
    return t


def _time_label(ts):
    return "time" if np.issubdtype(np.asarray(ts.time).dtype, np.datetime64) else "time"


def _value_label(ts):
    name = ts.name or "state"
    return f"{name} ({ts.units})" if ts.units else name


def _window_bar(ax, t, w_points, L):
    """The rolling window drawn as a bar at the start of the record, above the data."""
    if w_points <= 0 or w_points > L:
        return
    lo, hi = ax.get_ylim()
    y = lo + 0.08 * (hi - lo)  # lower left: the first window-1 points have no value, so that corner is free
    ax.plot([t[0], t[w_points - 1]], [y, y], color="0.45", lw=3, solid_capstyle="butt")
    ax.text(t[0], y + 0.04 * (hi - lo), f"window ({w_points} points)", fontsize=7, color="0.35", va="bottom")


def plot_pipeline(result, rows=None, *, indicators=None, max_rows: int = 5):
    """The standard figure of an early-warning analysis (:class:`ews.PipelineResult`).

    Panels sharing the time axis: the state and its trend; the residuals (when detrended); one panel per
    indicator, with the rolling window as a bar and the trend statistic (e.g. Kendall tau) in the legend.
    ``rows``: a row number or a list of them (default: the first ``max_rows``), overlaid.
    """
    ts = result.timeseries
    labels = list(result.labels) if indicators is None else list(indicators)
    unknown = [lab for lab in labels if lab not in result.labels]
    if unknown:
        raise InputError(f"no indicator {unknown} in this result; its indicators are {list(result.labels)}.")
    idx, names = _rows(ts, rows, max_rows)
    det = ts.is_detrended
    n_top = 2 if det else 1
    fig, axes = figure(n_top + len(labels), 1, sharex=True, row_height=1.6)
    axes = axes[:, 0]
    t = _time(ts)
    state, lengths = ts.rows("state"), ts.row_lengths()
    trend = ts.rows("trend") if det else None
    resid = ts.rows("residuals") if det else None
    stat = np.asarray(result.statistic_values).reshape(len(result.labels), -1)
    wins = np.asarray(result.windows).reshape(-1)
    trend_name = getattr(result.pipeline, "trend", "trend")
    trend_name = getattr(trend_name, "name", trend_name)
    symbol = {"kendall": "τ", "spearman": "ρ", "ols": "slope"}.get(str(trend_name), str(trend_name))
    single = len(idx) == 1
    for c, (i, name) in enumerate(zip(idx, names)):
        L = int(lengths[i])
        col = STATE if single else PALETTE[c % len(PALETTE)]
        axes[0].plot(t[:L], state[i, :L], color=col, lw=0.8, label=name if name and not single else None)
        if det:
            axes[0].plot(t[:L], trend[i, :L], color=TREND if single else col, lw=1.6, ls="-" if single else "--",
                         label="trend" if single else None)
            axes[1].plot(t[:L], resid[i, :L], color=col, lw=0.7)
        for k, lab in enumerate(labels):
            kk = list(result.labels).index(lab)
            y = result.to_numpy(lab).reshape(-1, ts.n)[i, :L]
            s = stat[kk, i]
            axes[n_top + k].plot(t[:L], y, color=PALETTE[(k if single else c) % len(PALETTE)], lw=1.3,
                                 label=f"{symbol} = {s:.2f}" + ("" if single or not name else f" ({name})"))
    axes[0].set_ylabel(_value_label(ts))
    if det:
        axes[1].axhline(0.0, color="0.6", lw=0.6)
        axes[1].set_ylabel("residuals")
    for k, lab in enumerate(labels):
        ax = axes[n_top + k]
        ax.set_ylabel(lab.replace("_", " "))
        ax.legend(loc="upper left", fontsize=7, frameon=False)
    for k in range(len(labels)):  # after the data set the limits
        _window_bar(axes[n_top + k], t, int(wins[idx[0]]), int(lengths[idx[0]]))
    if (single and det) or (not single and names[0]):
        axes[0].legend(loc="best", fontsize=7, frameon=False)
    axes[-1].set_xlabel(_time_label(ts))
    detr = getattr(result.pipeline, "detrender", None)
    title = "early-warning indicators"
    if detr is not None:
        title += f" (detrending: {getattr(detr, 'name', detr)})"
    axes[0].set_title(title, fontsize=9, loc="left")
    return fig


def plot_indicators(result, rows=None, *, max_rows: int = 5):
    """Each indicator of an :class:`ews.indicators.IndicatorResult` in its own panel."""
    ts = result.timeseries
    idx, names = _rows(ts, rows, max_rows)
    labels = list(result.labels)
    fig, axes = figure(len(labels), 1, sharex=True, row_height=1.6)
    t = _time(ts)
    lengths = ts.row_lengths()
    for k, lab in enumerate(labels):
        ax = axes[k, 0]
        Y = result.to_numpy(lab).reshape(-1, ts.n)
        for c, (i, name) in enumerate(zip(idx, names)):
            L = int(lengths[i])
            ax.plot(t[:L], Y[i, :L], color=PALETTE[(c if len(idx) > 1 else k) % len(PALETTE)], lw=1.2, label=name)
        ax.set_ylabel(lab.replace("_", " "))
        if len(idx) > 1 and k == 0:
            ax.legend(fontsize=7, frameon=False)
    axes[-1, 0].set_xlabel(_time_label(ts))
    return fig


def plot_series(ts, rows=None, *, max_rows: int = 5):
    """Rows of a :class:`ews.TimeSeries` overlaid; for simulations, each replicate's transition time
    (vertical line) and the ramped parameter with the bifurcation value (lower panel)."""
    if len(ts.shape) != 2:
        raise InputError(f"plot_series draws series with dims (rows, time); this one has dims {ts.dims}. "
                         "Select one variable first, e.g. ts.isel(variable=0).")
    idx, names = _rows(ts, rows, max_rows)
    truth = ts.ground_truth or {}
    par = truth.get("bifurcation_parameter")
    has_par = par is not None and par in ts.coords and tuple(ts.coords[par][0]) == ("time",)
    fig, axes = figure(2 if has_par else 1, 1, sharex=True, row_height=2.2,
                       gridspec_kw={"height_ratios": [3, 1]} if has_par else None)
    ax = axes[0, 0]
    t = _time(ts)
    X, lengths = ts.rows("state"), ts.row_lengths()
    tt = ts.coords.get("transition_time")
    tt = np.broadcast_to(np.asarray(tt[1], dtype=float), ts.shape[:-1]).reshape(-1) if tt is not None else None
    for c, (i, name) in enumerate(zip(idx, names)):
        col = PALETTE[c % len(PALETTE)]
        L = int(lengths[i])
        ax.plot(t[:L], X[i, :L], color=col, lw=0.8, label=name)
        if tt is not None and np.isfinite(tt[i]):
            ax.axvline(tt[i], color=col, ls=":", lw=1.2)
    ax.set_ylabel(_value_label(ts))
    title = truth.get("model")
    if title:
        bif = truth.get("bifurcation")
        ax.set_title(f"{title}" + (f" (bifurcation: {bif})" if bif else "") +
                     ("; dotted: transitions" if tt is not None and np.isfinite(tt).any() else ""),
                     fontsize=9, loc="left")
    if any(names):
        ax.legend(fontsize=7, frameon=False, ncol=min(3, len(idx)))
    if has_par:
        pa = axes[1, 0]
        pa.plot(t, np.asarray(ts.coords[par][1], dtype=float), color="0.2", lw=1.2)
        val = truth.get("bifurcation_value")
        if val is not None and np.isfinite(val):
            pa.axhline(val, color=TREND, ls="--", lw=1.0, label=f"bifurcation {par} = {val:.3g}")
            pa.legend(fontsize=7, frameon=False, loc="lower right")
        pa.set_ylabel(par)
    axes[-1, 0].set_xlabel(_time_label(ts))
    return fig
