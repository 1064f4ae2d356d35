"""The potential landscape of a potential analysis: position (time or parameter) x state, wells marked."""
from __future__ import annotations

import numpy as np

from .._errors import InputError
from ._base import PALETTE, figure


def plot_potential(result, *, row: int = 0, window=None, what: str = "potential", cutoff: float | None = 0.5):
    """The landscape of an :class:`ews.PotentialResult` as an image (x: window end time, or the parameter;
    y: state; colour: the potential U, low = wells), the wells of each window as dots, and a thin panel
    below with the number of wells.

    ``cutoff`` caps U at ``max_x min_y U + cutoff * |max_x min_y U|`` above each column's minimum range (as R's
    ``plot.cutoff``), so the wells keep their contrast where the density is nearly 0 (U very large);
    ``None`` draws U uncapped.
    """
    land = result.landscape(row=row, window=window, what=what)  # validates row, window, what
    axis = land.dims[0]
    x = np.asarray(land[axis].values)
    y = np.asarray(land["state"].values)
    Z = np.array(land.values, dtype=float)
    if what == "potential":
        Z[~np.isfinite(Z)] = np.nan
        if cutoff is not None:
            if isinstance(cutoff, bool) or not np.isfinite(cutoff) or cutoff < 0:
                raise InputError(f"cutoff must be a number >= 0 or None, got {cutoff!r}.")
            rows_ok = np.isfinite(Z).any(axis=1)
            col_min = np.nanmin(Z[rows_ok], axis=1) if rows_ok.any() else np.array([0.0])
            top = np.nanmax(col_min) if np.isfinite(col_min).any() else 0.0
            cap = top + cutoff * max(abs(top), 1e-12) + (np.nanmax(col_min) - np.nanmin(col_min))
            Z = np.minimum(Z, cap)
    fig, axes = figure(2, 1, sharex=True, row_height=2.2, gridspec_kw={"height_ratios": [3, 1]})
    ax, nax = axes[0, 0], axes[1, 0]
    xnum = x.astype("datetime64[ns]").astype(float) if np.issubdtype(x.dtype, np.datetime64) else x.astype(float)
    ok = np.isfinite(Z).any(axis=1)
    if not ok.any():
        raise InputError("this row has no window with a density (too short or constant); nothing to draw.")
    mesh = ax.pcolormesh(xnum, y, Z.T, shading="nearest", cmap="magma" if what == "potential" else "viridis")
    fig.colorbar(mesh, ax=[ax, nax], shrink=0.8,
                 label="potential U = −(σ²/2) log p" if what == "potential" else "density p")
    a = result._window_index(window)
    pos = result.well_position[row, a]  # (T, K)
    T, K = pos.shape
    xs = np.repeat(xnum[:, None], K, axis=1)
    good = np.isfinite(pos)
    ax.scatter(xs[good], pos[good], s=7, color="white", edgecolors="black", linewidths=0.25, label="wells")
    ax.set_ylabel("state")
    ax.legend(fontsize=7, loc="upper right", framealpha=0.6, edgecolor="none")
    n = result.n_wells[row, a]
    nax.step(xnum, n, where="mid", color=PALETTE[0], lw=1.2)
    top = np.nanmax(n) if np.isfinite(n).any() else 1
    nax.set_ylim(0.5, max(2.5, top + 0.5))
    nax.set_yticks(range(1, int(max(2, top)) + 1))
    nax.set_ylabel("wells")
    nax.set_xlabel(axis)
    if result.mode == "rolling":
        w = result.windows[a]
        ax.set_title(f"potential landscape, rolling windows of {w}" +
                     (" points" if isinstance(w, (int, np.integer)) else " of the record") +
                     " (stamped at each window's end)", fontsize=9, loc="left")
    else:
        ax.set_title("potential landscape along the parameter", fontsize=9, loc="left")
    return fig
