"""Surrogate tests (null distributions with the observed statistic) and sensitivity grids (heatmaps)."""
from __future__ import annotations

import numpy as np

from .._errors import InputError
from ._base import NULL, PALETTE, figure


def plot_surrogate_test(result, *, row: int = 0):
    """One panel per indicator of an :class:`ews.SurrogateTestResult`: the histogram of the trend
    statistic over the surrogates (the null distribution), the observed statistic as a vertical line,
    and the p-value, the tail tested and the number of surrogates in the title. ``row``: which series."""
    stat = result.statistic
    labels = [str(v) for v in stat["indicator"].values]
    S = np.asarray(stat.values).reshape(len(labels), -1)
    N = np.asarray(result.null_distribution.transpose("indicator", "surrogate", ...).values)
    N = N.reshape(len(labels), N.shape[1], -1)
    P = np.asarray(result.p_value.values).reshape(len(labels), -1)
    n_rows = S.shape[1]
    if isinstance(row, bool) or not isinstance(row, (int, np.integer)) or not 0 <= row < n_rows:
        raise InputError(f"row must be a row number from 0 to {n_rows - 1}, got {row!r}.")
    fig, axes = figure(1, len(labels), width=min(3.3 * len(labels), 10), row_height=2.8)
    name = getattr(result, "statistic_name", "statistic")
    symbol = {"kendall": "Kendall τ", "spearman": "Spearman ρ", "ols": "OLS slope"}.get(str(name), str(name))
    for k, lab in enumerate(labels):
        ax = axes[0, k]
        null = N[k, :, row]
        null = null[np.isfinite(null)]
        ax.hist(null, bins=min(30, max(5, null.size // 10)), color=NULL, edgecolor="white", linewidth=0.4,
                label=f"surrogates (B = {null.size})")
        obs = S[k, row]
        ax.axvline(obs, color=PALETTE[1], lw=2.0, label=f"observed {obs:.2f}")
        tail = result.alternative.get(lab, "") if isinstance(result.alternative, dict) else result.alternative
        nul = result.null
        null_name = nul if isinstance(nul, str) else (nul.get("name", "?") if isinstance(nul, dict)
                                                      else getattr(nul, "name", type(nul).__name__))
        ax.set_title(f"{lab.replace('_', ' ')}: p = {P[k, row]:.3g}\n(tail: {tail}; null: {null_name})", fontsize=8)
        ax.set_xlabel(f"{symbol} of the indicator")
        ax.legend(fontsize=7, loc="upper left", framealpha=0.9, edgecolor="none")
    axes[0, 0].set_ylabel("number of surrogates")
    return fig


def plot_sensitivity(ds, *, indicator=None):
    """Heatmaps of the trend statistic (and, when computed, its surrogate p-value) over window x bandwidth
    for the Dataset returned by :func:`ews.sensitivity`; one row of panels per indicator."""
    if "statistic" not in getattr(ds, "data_vars", {}):
        raise InputError("plot_sensitivity takes the Dataset returned by ews.sensitivity(...).")
    inds = [str(v) for v in ds["indicator"].values]
    if indicator is not None:
        sel = [indicator] if isinstance(indicator, str) else list(indicator)
        bad = [i for i in sel if i not in inds]
        if bad:
            raise InputError(f"no indicator {bad} in this grid; it has {inds}.")
        inds = sel
    has_p = "p_value" in ds.data_vars
    has_bw = "bandwidth" in ds.dims
    extra = [d for d in ds["statistic"].dims if d not in ("indicator", "bandwidth", "window")]
    if any(ds.sizes[d] > 1 for d in extra):
        raise InputError(f"the grid has several series ({extra}); select one first, e.g. ds.isel({extra[0]}=0).")
    ncol = 2 if has_p else 1
    fig, axes = figure(len(inds), ncol, width=4.2 * ncol, row_height=2.9)
    win = ds["window"].values
    bws = ds["bandwidth"].values if has_bw else np.array([np.nan])
    for r, ind in enumerate(inds):
        panels = [("statistic", "RdBu_r", (-1, 1))] + ([("p_value", "viridis_r", (0, 1))] if has_p else [])
        for c, (var, cmap, lim) in enumerate(panels):
            ax = axes[r, c]
            Z = ds[var].sel(indicator=ind)
            Z = Z.squeeze([d for d in extra]) if extra else Z
            Z = np.asarray(Z.transpose("bandwidth", "window").values if has_bw else Z.values[None, :])
            im = ax.imshow(Z, origin="lower", aspect="auto", cmap=cmap, vmin=lim[0], vmax=lim[1])
            ax.set_xticks(range(len(win)), [f"{w:g}" for w in win], fontsize=7)
            ax.set_yticks(range(len(bws)), [f"{b:g}" for b in bws] if has_bw else [""], fontsize=7)
            ax.set_xlabel("window")
            ax.set_ylabel(ds.attrs.get("grid_parameter", "bandwidth") if has_bw else "")
            if Z.size <= 48:
                for (i, j), v in np.ndenumerate(Z):
                    if np.isfinite(v):
                        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6,
                                color="white" if (v > 0.5 if var == "p_value" else abs(v) > 0.6) else "black")
            fig.colorbar(im, ax=ax, shrink=0.85,
                         label="trend statistic" if var == "statistic" else "surrogate p-value")
            ax.set_title(f"{ind.replace('_', ' ')}: {'trend' if var == 'statistic' else 'p-value'}", fontsize=8)
    return fig
