"""The standard figure (state, residuals, indicators), the indicators alone, and series with their ground truth.

Helpers shared with the other figure modules of this part (row selection, axis labels, the window bar)
live here too; they read only the result objects they are given.
"""
from __future__ import annotations

import numpy as np

from .._errors import InputError
from ._base import PALETTE, STATE, TREND, figure

#: trend statistics: (name for a legend on its own, short symbol)
TREND_NAMES = {"kendall": ("Kendall τ", "τ"), "spearman": ("Spearman ρ", "ρ"), "ols": ("OLS slope", "slope")}
#: simulators use this placeholder when the state has no physical unit
_NO_UNITS = {"", "state", "none", "dimensionless"}


# ----------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------
def _check_max_rows(max_rows) -> int:
    if isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)) or max_rows < 1:
        raise InputError(f"max_rows must be a positive whole number, got {max_rows!r}.")
    return int(max_rows)


def select_rows(ts, rows, max_rows: int = 5):
    """Flat row numbers to draw, and a label for each from the leading coordinates (``replicate 0``).

    ``rows``: None (the first ``max_rows``), a row number, or a list of row numbers (flat, in C order
    over the leading dimensions)."""
    n = ts.n_rows
    if rows is None:
        idx = list(range(min(n, _check_max_rows(max_rows))))
    else:
        idx = [rows] if isinstance(rows, (int, np.integer)) and not isinstance(rows, bool) else rows
        try:
            idx = list(idx)
        except TypeError:
            idx = [idx]
        bad = [i for i in idx if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n]
        if bad or not idx:
            raise InputError(f"rows must be a row number or a list of row numbers from 0 to {n - 1} (this "
                             f"result has {n} row(s)), got {rows!r}.")
        idx = [int(i) for i in idx]
    lead = ts.leading_dims
    if not lead:
        return idx, [None for _ in idx]
    shape = ts.shape[:-1]
    coords = ts.coords
    labels = []
    for i in idx:
        parts = []
        for d, k in zip(lead, np.unravel_index(i, shape)):
            c = coords.get(d)
            val = c[1][k] if c is not None and tuple(c[0]) == (d,) else k
            parts.append(f"{d} {val}")
        labels.append(", ".join(parts))
    return idx, labels


def units_of(ts):
    """The state's units, or None for a placeholder (simulators say "state")."""
    u = ts.units
    return None if u is None or str(u).strip().lower() in _NO_UNITS else str(u)


def value_label(ts, what: str | None = None) -> str:
    """Axis label of the state (``δD (permil)``); ``what`` replaces the series' name (``residuals``)."""
    truth = ts.ground_truth or {}
    name = ts.name
    if what is not None:
        base = what
    elif not name or name == truth.get("model"):  # a simulation: the model is named in the title
        base = "state"
    else:
        base = str(name)
    u = units_of(ts)
    return f"{base} ({u})" if u and u.lower() not in base.lower() else base


def time_label(ts) -> str:
    """``time (<units>)`` from the series' ``time_units`` attribute; ``date`` for calendar stamps."""
    if np.issubdtype(np.asarray(ts.time).dtype, np.datetime64):
        return "date"
    tu = ts.attrs.get("time_units")
    if not tu:
        return "time"
    return f"time, {tu}" if "(" in str(tu) else f"time ({tu})"


def time_axis(ax, ts) -> None:
    """Label the time axis; calendar stamps get concise date ticks (no overlapping labels)."""
    ax.set_xlabel(time_label(ts))
    if np.issubdtype(np.asarray(ts.time).dtype, np.datetime64):
        import matplotlib.dates as mdates

        loc = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def indicator_label(label: str) -> str:
    return label.replace("_", " ")


def window_band(ax, t, bars, *, max_bars: int = 3):
    """Draw the rolling window(s) as horizontal bar(s) from the start of the record, in a band added below
    the data (the first ``w - 1`` points have no indicator value, so a bar ends exactly where the first
    value is stamped). ``bars``: list of (window in points, colour), one per row drawn; equal windows are
    drawn once. More than ``max_bars`` different windows (ragged rows) are drawn as one grey bar to the
    shortest window, extended in light grey to the longest. Returns the bar lines."""
    from matplotlib.ticker import MaxNLocator

    seen, uniq = set(), []
    for w, col in bars:
        w = int(w)
        if 1 < w <= len(t) and w not in seen:
            seen.add(w)
            uniq.append((w, col))
    if not uniq:
        return []
    ws = sorted(seen)
    n_bars = len(uniq) if len(uniq) <= max_bars else 1
    lo, hi = ax.get_ylim()
    span = (hi - lo) or 1.0
    text_h, gap = 0.16, 0.06  # fractions of the data span
    ticks = [v for v in MaxNLocator(nbins=4).tick_values(lo, hi) if lo <= v <= hi]  # none beside the bars
    ax.set_ylim(lo - span * (text_h + gap * (n_bars + 0.5)), hi)
    if ticks:
        ax.set_yticks(ticks)
    style = dict(lw=3, solid_capstyle="butt", zorder=3)
    lines = []
    if n_bars == 1 and len(uniq) > 1:
        y = lo - span * text_h
        lines += ax.plot([t[0], t[ws[0] - 1]], [y, y], color="0.45", **style)
        lines += ax.plot([t[ws[0] - 1], t[ws[-1] - 1]], [y, y], color="0.8", **style)
    else:
        for k, (w, col) in enumerate(uniq):
            y = lo - span * (text_h + gap * k)
            lines += ax.plot([t[0], t[w - 1]], [y, y], color=col, **style)
    what = f"window ({ws[0]} points)" if len(ws) == 1 else f"windows ({ws[0]}–{ws[-1]} points)"
    ax.text(t[0], lo - span * 0.015, what, fontsize=7, color="0.3", va="top", ha="left")
    return lines


def _legend(ax, t, first_value_index, **kw):
    """A legend in the upper left when the first window leaves room there (no indicator value before the
    window's end), else where it hides the fewest data."""
    try:
        frac = (float(np.asarray(t[first_value_index] - t[0], dtype=float)) /
                float(np.asarray(t[-1] - t[0], dtype=float)))
    except (TypeError, ValueError, ZeroDivisionError):
        frac = 0.0
    loc = "upper left" if frac >= 0.3 else "best"
    return ax.legend(loc=loc, fontsize=7, frameon=False, **kw)


def _detrend_text(det) -> tuple[str, bool, bool]:
    """(description, shows a trend line, shows a residual panel)."""
    d = det.describe()
    method = d.get("method", getattr(det, "name", str(det)))
    if method == "none":
        return "no detrending", False, False
    grid = getattr(det, "grid_param", None)
    text = f"{method.replace('_', ' ')} detrending"
    if grid and grid in d:
        unit = d.get("units")
        text += f" ({grid} {d[grid]:g}" + (" of the record" if unit == "fraction" else
                                            f" {unit}" if unit else "") + ")"
    return text, method != "first_difference", True


def _window_text(window) -> str:
    if isinstance(window, (int, np.integer)):
        return f"window {int(window)} points"
    return f"window {float(window):g} of the record"


# ----------------------------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------------------------
def plot_pipeline(result, rows=None, *, indicators=None, max_rows: int = 5):
    """The standard figure of an early-warning analysis (:class:`ews.PipelineResult`).

    Panels sharing the time axis: (1) the state and its trend; (2) the residuals (not drawn without
    detrending); (3) one panel per indicator, with the rolling window drawn as a bar at the start of the
    record and the trend statistic (e.g. Kendall τ) in the legend. Ragged rows are drawn up to their
    length.

    Parameters
    ----------
    result : ews.PipelineResult
    rows : int or list of int, optional
        Rows (flat numbers over the leading dimensions) to overlay; default the first ``max_rows``.
    indicators : list of str, optional
        Indicator labels to draw (default: all, in the pipeline's order).
    max_rows : int
        How many rows to draw when ``rows`` is not given.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import ews
    >>> x = ews.simulate("fold", replicates=3, seed=1).before_transition()
    >>> res = ews.Pipeline(bandwidth=0.1, window=0.5).run(x)
    >>> fig = res.plot(rows=0)          # one replicate
    >>> fig = res.plot(rows=[0, 1, 2])  # three replicates overlaid
    """
    ts = result.timeseries
    all_labels = list(result.labels)
    if indicators is None:
        labels = all_labels
    else:
        labels = [indicators] if isinstance(indicators, str) else list(indicators)
        unknown = [lab for lab in labels if lab not in all_labels]
        if unknown or not labels:
            raise InputError(f"no indicator {unknown or labels} in this result; its indicators are {all_labels}.")
    idx, names = select_rows(ts, rows, max_rows)
    det_text, show_trend, show_resid = _detrend_text(result.pipeline.detrender)
    show_resid = show_resid and ts.is_detrended
    n_top = 2 if show_resid else 1
    fig, axes = figure(n_top + len(labels), 1, sharex=True, row_height=1.6)
    axes = axes[:, 0]
    t = np.asarray(ts.time)
    lengths = ts.row_lengths()
    state = ts.rows("state")
    trend = ts.rows("trend") if ts.is_detrended else None
    resid = ts.rows("residuals")
    stat = np.asarray(result.statistic_values).reshape(len(all_labels), -1)
    wins = np.asarray(result.windows).reshape(-1)
    full, sym = TREND_NAMES.get(str(result.pipeline.trend), (str(result.pipeline.trend),) * 2)
    single = len(idx) == 1
    for c, (i, name) in enumerate(zip(idx, names)):
        L = int(lengths[i])
        col = STATE if single else PALETTE[c % len(PALETTE)]
        axes[0].plot(t[:L], state[i, :L], color=col, lw=0.8, label="observed" if single else name)
        if show_trend and trend is not None:
            axes[0].plot(t[:L], trend[i, :L], color=TREND if single else col, lw=1.8 if single else 1.4,
                         ls="-" if single else "--", label="trend" if single else None)
        if show_resid:
            axes[1].plot(t[:L], resid[i, :L], color=col, lw=0.7)
        for k, lab in enumerate(labels):
            kk = all_labels.index(lab)
            y = result.to_numpy(lab).reshape(-1, ts.n)[i, :L]
            s = stat[kk, i]
            text = f"{full} = {s:.2f}" if single else f"{name or f'row {i}'}: {sym} = {s:.2f}"
            axes[n_top + k].plot(t[:L], y, color=PALETTE[(k if single else c) % len(PALETTE)], lw=1.3, label=text)
    axes[0].set_ylabel(value_label(ts))
    if show_resid:
        axes[1].axhline(0.0, color="0.6", lw=0.6, zorder=0)
        axes[1].set_ylabel(value_label(ts, "first differences" if not show_trend else "residuals"))
    bars = [(wins[i], "0.45" if single else PALETTE[c % len(PALETTE)]) for c, i in enumerate(idx)]
    first = min(int(wins[i]) for i in idx) - 1
    for k, lab in enumerate(labels):
        ax = axes[n_top + k]
        ax.set_ylabel(indicator_label(lab))
        window_band(ax, t, bars)
        _legend(ax, t, max(0, min(first, len(t) - 1)))
    if show_trend or not single:
        axes[0].legend(loc="best", fontsize=7, frameon=False, ncol=1 if single else min(3, len(idx)))
    time_axis(axes[-1], ts)
    truth = ts.ground_truth or {}
    head = f"{truth['model']} — " if truth.get("model") else (f"{ts.name} — " if ts.name else "")
    axes[0].set_title(f"{head}{det_text}, {_window_text(result.pipeline.window)}, trend: {full}",
                      fontsize=8, loc="left")
    return fig


def plot_indicators(result, rows=None, *, max_rows: int = 5):
    """Each indicator of an :class:`ews.indicators.IndicatorResult` in its own panel, sharing the time
    axis (the whole record), with the rolling window drawn as a bar at the start.

    ``rows``: a row number or a list of them (default: the first ``max_rows``), overlaid and named in the
    legend of the first panel."""
    ts = result.timeseries
    idx, names = select_rows(ts, rows, max_rows)
    labels = list(result.labels)
    fig, axes = figure(len(labels), 1, sharex=True, row_height=1.6)
    axes = axes[:, 0]
    t = np.asarray(ts.time)
    lengths = ts.row_lengths()
    wins = np.asarray(result.windows).reshape(-1)
    single = len(idx) == 1
    for k, lab in enumerate(labels):
        ax = axes[k]
        Y = result.to_numpy(lab).reshape(-1, ts.n)
        for c, (i, name) in enumerate(zip(idx, names)):
            L = int(lengths[i])
            ax.plot(t[:L], Y[i, :L], color=PALETTE[(k if single else c) % len(PALETTE)], lw=1.2, label=name)
        ax.set_ylabel(indicator_label(lab))
        window_band(ax, t, [(wins[i], "0.45" if single else PALETTE[c % len(PALETTE)]) for c, i in enumerate(idx)])
    if not single and any(names):
        _legend(axes[0], t, max(0, min(int(wins[i]) for i in idx) - 1))
    time_axis(axes[-1], ts)
    return fig


def _row_coordinate(ts, name: str):
    """A coordinate over the leading dimensions, broadcast to every row (flat), or None."""
    ds = ts.to_xarray()
    if name not in ds.coords or "time" in ds[name].dims:
        return None
    ref = ds["state"].isel(time=0, drop=True)
    return np.asarray(ds[name].broadcast_like(ref).transpose(*ts.leading_dims).values, dtype=float).reshape(-1)


def plot_series(ts, rows=None, *, max_rows: int = 5):
    """Rows of a :class:`ews.TimeSeries` overlaid.

    For simulations (``ts.ground_truth``): each replicate's transition time (coordinate
    ``transition_time``) as a dotted vertical line in its colour, and, in a thin lower panel, the ramped
    parameter (a coordinate along time, e.g. ``c``) with its bifurcation value (dashed) and the time it
    is reached. A plain series gets just its lines.

    Examples
    --------
    >>> import ews
    >>> fig = ews.simulate("fold", replicates=5, seed=1).plot()
    """
    from matplotlib.lines import Line2D

    idx, names = select_rows(ts, rows, max_rows)
    truth = ts.ground_truth or {}
    par = truth.get("bifurcation_parameter") or ts.attrs.get("parameter")
    has_par = par is not None and par in ts.coords and tuple(ts.coords[par][0]) == ("time",)
    fig, axes = figure(2 if has_par else 1, 1, sharex=True, row_height=2.0,
                       gridspec_kw={"height_ratios": [3, 1]} if has_par else None)
    ax = axes[0, 0]
    t = np.asarray(ts.time)
    X, lengths = ts.rows("state"), ts.row_lengths()
    tt = _row_coordinate(ts, "transition_time")
    marked = False
    for c, (i, name) in enumerate(zip(idx, names)):
        col = PALETTE[c % len(PALETTE)]
        L = int(lengths[i])
        ax.plot(t[:L], X[i, :L], color=col, lw=0.8, label=name)
        if tt is not None and np.isfinite(tt[i]):
            ax.axvline(tt[i], color=col, ls=":", lw=1.3)
            marked = True
    ax.set_ylabel(value_label(ts))
    model = truth.get("model") or ts.name
    if model:
        bif = truth.get("bifurcation")
        title = str(model) + (f" ({bif} bifurcation)" if bif and bif != "none" else "")
        if tt is not None and not marked:
            title += "; no transition in the rows shown"
        ax.set_title(title, fontsize=9, loc="left")
    handles, labs = ax.get_legend_handles_labels()
    if marked:
        handles.append(Line2D([], [], color="0.3", ls=":", lw=1.3))
        labs.append("transition time")
    if handles:
        # outside, to the right: with many overlaid rows no corner is free
        ax.legend(handles, labs, fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if has_par:
        pa = axes[1, 0]
        q = np.asarray(ts.coords[par][1], dtype=float)
        pa.plot(t, q, color="0.2", lw=1.2, label=f"{par} (ramped)")
        val = truth.get("bifurcation_value")
        if val is not None and np.isfinite(val):
            pa.axhline(val, color=TREND, ls="--", lw=1.0, label=f"bifurcation: {par} = {val:.3g}")
            tb = truth.get("bifurcation_time")
            if tb is not None and np.isfinite(tb) and t[0] <= tb <= t[-1]:
                pa.axvline(tb, color=TREND, ls=":", lw=1.0)
                pa.plot([tb], [val], "o", color=TREND, ms=4, label=f"reached at time {tb:.4g}")
            lo, hi = pa.get_ylim()  # room for the legend above the ramp
            pa.set_ylim(lo, hi + 0.6 * (hi - lo))
        pa.legend(fontsize=7, frameon=False, loc="upper left", ncol=3)
        pa.set_ylabel(par)
    time_axis(axes[-1, 0], ts)
    return fig
