"""Surrogate tests (null distributions with the observed statistic) and sensitivity grids (heatmaps)."""
from __future__ import annotations

import json

import numpy as np

from .._errors import InputError
from ._base import NULL, PALETTE, figure
from ._pipeline import TREND_NAMES, indicator_label, select_rows

OBSERVED = PALETTE[1]  # vermilion
TAIL = PALETTE[0]  # blue: the surrogates counted in p


def _null_name(nul) -> str:
    if isinstance(nul, str):
        return nul
    if isinstance(nul, dict):
        return str(nul.get("name", "?"))
    return str(getattr(nul, "name", type(nul).__name__))


def _tail_mask(null, obs, tail):
    """Surrogates counted in the p-value's numerator (for two-sided: the smaller tail, which is doubled)."""
    if tail == "greater":
        return null >= obs
    if tail == "less":
        return null <= obs
    ge, le = null >= obs, null <= obs
    return ge if ge.sum() <= le.sum() else le


def plot_surrogate_test(result, *, row: int = 0):
    """One panel per indicator of an :class:`ews.SurrogateTestResult`.

    Each panel: the histogram of the trend statistic over the surrogates (the null distribution), the
    surrogates counted in the p-value (at or beyond the observed value in the tested tail; for a two-sided
    test, the smaller tail, whose count is doubled) in a second colour, the observed statistic as a
    vertical line, and the p-value, the tail tested and the number of surrogates B in the title.

    Parameters
    ----------
    result : ews.SurrogateTestResult
    row : int
        Which series (flat row number over the data's leading dimensions).

    Examples
    --------
    >>> import ews
    >>> x = ews.simulate("fold", seed=1).before_transition()
    >>> t = ews.Pipeline(bandwidth=0.1, window=0.5).test(x, n_surrogates=99, seed=1)
    >>> fig = t.plot()
    """
    stat = result.statistic
    labels = [str(v) for v in stat["indicator"].values]
    S = np.asarray(stat.values, dtype=float).reshape(len(labels), -1)
    N = np.asarray(result.null_distribution.transpose("indicator", "surrogate", ...).values, dtype=float)
    N = N.reshape(len(labels), N.shape[1], -1)
    P = np.asarray(result.p_value.values, dtype=float).reshape(len(labels), -1)
    n_rows = S.shape[1]
    if isinstance(row, bool) or not isinstance(row, (int, np.integer)) or not 0 <= row < n_rows:
        raise InputError(f"row must be a row number from 0 to {n_rows - 1} (this test has {n_rows} series), "
                         f"got {row!r}.")
    row = int(row)
    K = len(labels)
    fig, axes = figure(1, K, width=min(3.4 * K, 10.5), row_height=3.0)
    name = str(getattr(result, "statistic_name", "statistic"))
    full = TREND_NAMES.get(name, (name,))[0]
    B_total = int(result.null_distribution.sizes["surrogate"])
    for k, lab in enumerate(labels):
        ax = axes[0, k]
        null = N[k, :, row]
        null = null[np.isfinite(null)]
        obs = S[k, row]
        tail = result.alternative.get(lab, "") if isinstance(result.alternative, dict) else str(result.alternative)
        if null.size:
            lo, hi = float(null.min()), float(null.max())
            if np.isfinite(obs):
                lo, hi = min(lo, obs), max(hi, obs)
            nb = min(30, max(6, null.size // 8))
            h = (hi - lo) / nb if hi > lo else 1e-3
            if np.isfinite(obs):  # the observed value on a bin edge: no bar straddles it
                k0, k1 = int(np.floor((lo - obs) / h)), int(np.floor((hi - obs) / h)) + 1
                edges = obs + h * np.arange(k0, k1 + 1)
            else:
                edges = lo + h * np.arange(nb + 1)
            counted = _tail_mask(null, obs, tail) if np.isfinite(obs) else np.zeros(null.size, bool)
            m = int(counted.sum())
            what = {"greater": f"≥ observed ({m})", "less": f"≤ observed ({m})"}.get(
                tail, f"smaller tail ({m}, doubled)")
            ax.hist([null[~counted], null[counted]], bins=edges, stacked=True, color=[NULL, TAIL],
                    edgecolor="white", linewidth=0.4, label=["surrogates", what])
        if np.isfinite(obs):
            ax.axvline(obs, color=OBSERVED, lw=2.0, label=f"observed {obs:.2f}")
        top = ax.get_ylim()[1]
        ax.set_ylim(0, top * 1.45)  # the legend sits above the bars
        p = P[k, row]
        where = {"greater": "upper tail", "less": "lower tail", "two-sided": "two-sided"}.get(tail, tail)
        ax.set_title(f"{indicator_label(lab)}: p = {p:.3g} ({where})\nB = {null.size}"
                     + (f" of {B_total}" if null.size < B_total else "") + " surrogates", fontsize=8)
        ax.set_xlabel(f"{full} of {indicator_label(lab)}")
        ax.legend(fontsize=7, loc="upper left", frameon=False)
    axes[0, 0].set_ylabel("number of surrogates")
    head = f"surrogate test (null model: {_null_name(result.null)})"
    obs_ts = getattr(result.observed, "timeseries", None)
    if obs_ts is not None and obs_ts.n_rows > 1:
        _, names = select_rows(obs_ts, row)
        head += f" ({names[0] or f'row {row}'})"
    fig.suptitle(head, fontsize=9, x=0.01, ha="left")
    return fig


def _attr_dict(v):
    if isinstance(v, str):
        try:
            v = json.loads(v)
        except ValueError:
            return {}
    return v if isinstance(v, dict) else {}


def _ink(rgba) -> str:
    """Black or white text, whichever reads on this cell colour."""
    r, g, b = rgba[:3]
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def plot_sensitivity(ds, *, indicator=None):
    """Heatmaps of the trend statistic (and, when computed, its surrogate p-value) over window x bandwidth
    for the Dataset returned by :func:`ews.sensitivity`: one row of panels per indicator, each with its
    colour bar; the cells carry their values when the grid is small (<= 48 cells), and cells that could not
    be computed are grey.

    ``indicator``: one label or a list of labels to draw (default: all).

    Examples
    --------
    >>> import ews
    >>> x = ews.simulate("fold", seed=1).before_transition()
    >>> g = ews.sensitivity(x, windows=(0.25, 0.5, 0.75), bandwidths=(0.05, 0.1, 0.2))
    >>> fig = ews.plot.plot_sensitivity(g)
    """
    import matplotlib

    if "statistic" not in getattr(ds, "data_vars", {}) or "window" not in getattr(ds, "dims", {}):
        raise InputError("plot_sensitivity takes the Dataset returned by ews.sensitivity(...).")
    inds = [str(v) for v in ds["indicator"].values]
    if indicator is not None:
        sel = [indicator] if isinstance(indicator, str) else list(indicator)
        bad = [i for i in sel if i not in inds]
        if bad or not sel:
            raise InputError(f"no indicator {bad or sel} in this grid; it has {inds}.")
        inds = sel
    has_p = "p_value" in ds.data_vars
    has_bw = "bandwidth" in ds.dims
    extra = [d for d in ds["statistic"].dims if d not in ("indicator", "bandwidth", "window")]
    if any(ds.sizes[d] > 1 for d in extra):
        raise InputError(f"the grid has several series ({extra}); select one first, e.g. ds.isel({extra[0]}=0).")
    trend = str(ds.attrs.get("trend", ""))
    full = TREND_NAMES.get(trend, (trend or "trend statistic",))[0]
    grid = ds.attrs.get("grid_parameter") or "bandwidth"
    det = _attr_dict(ds.attrs.get("detrend"))
    win = ds["window"].values
    bws = ds["bandwidth"].values if has_bw else np.array([np.nan])
    win_label = "window (points)" if np.issubdtype(win.dtype, np.integer) else "window (fraction of the record)"
    bw_unit = det.get("units")
    bw_label = f"{grid} (fraction of the record)" if bw_unit == "fraction" or grid == "span" else (
        f"{grid} ({bw_unit})" if bw_unit else grid)
    ncol = 2 if has_p else 1
    fig, axes = figure(len(inds), ncol, width=4.4 * ncol, row_height=2.9)
    B = int(ds.attrs.get("n_surrogates", 0) or 0)
    lim_stat = (-1.0, 1.0) if trend in ("kendall", "spearman") else None
    for r, ind in enumerate(inds):
        panels = [("statistic", "RdBu_r", lim_stat)] + ([("p_value", "viridis_r", (0.0, 1.0))] if has_p else [])
        for c, (var, cmap_name, lim) in enumerate(panels):
            ax = axes[r, c]
            Z = ds[var].sel(indicator=ind)
            Z = Z.squeeze(extra) if extra else Z
            Z = np.asarray(Z.transpose("bandwidth", "window").values if has_bw else Z.values[None, :], dtype=float)
            if lim is None:
                m = np.nanmax(np.abs(Z)) if np.isfinite(Z).any() else 1.0
                lim = (-m, m)
            cmap = matplotlib.colormaps[cmap_name].with_extremes(bad="0.85")
            im = ax.imshow(np.ma.masked_invalid(Z), origin="lower", aspect="auto", cmap=cmap, vmin=lim[0], vmax=lim[1])
            ax.set_xticks(range(len(win)), [f"{w:g}" for w in win], fontsize=7)
            ax.set_yticks(range(len(bws)), [f"{b:g}" for b in bws] if has_bw else [""], fontsize=7)
            ax.set_xlabel(win_label, fontsize=8)
            ax.set_ylabel(bw_label if has_bw else "", fontsize=8)
            if Z.size <= 48:
                for (i, j), v in np.ndenumerate(Z):
                    if np.isfinite(v):
                        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6.5,
                                color=_ink(im.cmap(im.norm(v))))
                    else:
                        ax.text(j, i, "n/a", ha="center", va="center", fontsize=6, color="0.4")
            label = full if var == "statistic" else ("surrogate p-value" + (f" (B = {B})" if B else ""))
            cb = fig.colorbar(im, ax=ax, shrink=0.9)
            cb.set_label(label, fontsize=8)
            cb.ax.tick_params(labelsize=7)
            ax.set_title(f"{indicator_label(ind)}: {full if var == 'statistic' else 'p-value'}", fontsize=8)
    return fig
