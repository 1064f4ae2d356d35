"""The potential landscape of a potential analysis: position (time or parameter) x state, wells marked."""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._errors import InputError
from ._base import PALETTE, pyplot
from ._pipeline import select_rows, time_axis, time_label, value_label

WELLS = PALETTE[0]
POTENTIAL_CMAP = "magma"   # perceptually uniform; dark = low potential = wells
DENSITY_CMAP = "viridis"   # perceptually uniform; bright = high density = wells
DEFAULT_CUTOFF_RATIO = 100.0
"""Default cap: densities down to 1/100 of the peak of the flattest window are drawn; lower ones share the top
colour (the cap is ``(sigma^2 / 2) ln 100`` above the highest well bottom of the landscape)."""


def _check_cutoff(cutoff, what: str):
    if cutoff is None:
        return None
    if what != "potential":
        raise InputError(f"cutoff caps the potential; it has no meaning with what={what!r} (leave it None).")
    if isinstance(cutoff, (bool, np.bool_)) or not isinstance(cutoff, numbers.Real) or np.isnan(cutoff) \
            or cutoff <= 0:
        raise InputError(f"cutoff must be a number > 0 (in potential units above the highest well bottom; "
                         f"float('inf') draws U uncapped) or None (automatic), got {cutoff!r}.")
    return float(cutoff)


def _edges(c):
    """Cell edges around centres ``c`` (increasing): midpoints, the ends half a step out."""
    c = np.asarray(c, dtype=float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = 0.5 * (c[1:] + c[:-1])
    return np.r_[c[0] - (mid[0] - c[0]), mid, c[-1] + (c[-1] - mid[-1])]


def _parameter_name(ts, centres, step):
    """The name of the series' coordinate along time that the analysis moved along (its range is the
    range of the steps), or None."""
    if not step or centres.size == 0:
        return None
    lo, hi = centres[0] - 0.5 * step, centres[-1] + 0.5 * step
    for name, (dims, values) in ts.coords.items():
        if tuple(dims) != ("time",) or name == "time":
            continue
        v = np.asarray(values)[:int(np.max(ts.row_lengths()))]    # the valid times (rows may be cut)
        if v.size == 0 or not np.issubdtype(v.dtype, np.number) or not np.isfinite(v).any():
            continue
        tol = 1e-9 * max(abs(hi - lo), 1e-300)
        if abs(np.nanmin(v) - lo) <= tol + 1e-9 * abs(lo) and abs(np.nanmax(v) - hi) <= tol + 1e-9 * abs(hi):
            return str(name)
    return None


def plot_potential(result, *, row: int = 0, window=None, what: str = "potential", cutoff=None):
    """The landscape of an :class:`ews.PotentialResult` as an image, the wells of each window as dots, and
    a thin panel below with the number of wells.

    x: the end time of each rolling window (rolling mode), or the parameter value at the centre of each
    step (``along=`` mode); y: the state; colour: the potential ``U = -(sigma^2/2) ln p`` (dark = low
    potential = wells; ``what="density"``: the density ``p``, bright = wells).

    Parameters
    ----------
    result : ews.PotentialResult
    row : int
        Which series (flat row number over the data's leading dimensions), default 0.
    window : int or float, optional
        One of the result's window sizes, as passed (rolling mode; default the first).
    what : "potential" or "density"
    cutoff : float > 0, optional
        Caps the colour scale of the potential (as ``plot.cutoff`` of R's ``movpotential_ews``: every
        well bottom stays visible): U is drawn up to ``max_x min_y U + cutoff``, the highest well bottom
        over the landscape plus ``cutoff`` potential units, and higher values (where the density is
        nearly 0, U up to infinity) share the top colour (the colour bar's triangle). R's rule multiplies
        ``|max_x min_y U|`` instead, which depends on the arbitrary zero of U (the units of the state), so
        a number is here in potential units. Default None: ``(sigma^2 / 2) ln 100``, densities down to
        1/100 of the peak of the flattest window. ``float("inf")`` draws U uncapped (where the density
        underflows to 0 the cell is blank).

    Examples
    --------
    >>> import ews
    >>> x = ews.simulate("flickering", replicates=1, seed=7)
    >>> fig = ews.potential_analysis(x, window=200).plot()
    """
    cut = _check_cutoff(cutoff, what)
    land = result.landscape(row=row, window=window, what=what)  # validates row, window, what
    R = result.n_wells.shape[0]
    row = int(row) % R
    a = result._window_index(window)
    axis = land.dims[0]
    ts = result.timeseries
    x = np.asarray(land[axis].values)
    y = np.asarray(land["state"].values, dtype=float)
    Z = np.array(land.values, dtype=float)                      # (x, state)
    has = np.isfinite(Z).any(axis=1) | (np.isposinf(Z).any(axis=1))
    if not has.any() or not np.isfinite(y).all():
        raise InputError(f"row {row} has no window with a density (too short or constant); nothing to draw.")
    extend = "neither"
    if what == "potential":
        finite = np.where(np.isfinite(Z), Z, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)      # a column with no finite U (all inf)
            col_min = np.nanmin(finite[has], axis=1)
        top = float(np.nanmax(col_min)) if np.isfinite(col_min).any() else 0.0
        step = 0.5 * result.sigma ** 2 * np.log(DEFAULT_CUTOFF_RATIO) if cut is None else cut
        cap = top + step
        if np.isfinite(cap):
            extend = "max" if np.nanmax(np.where(np.isfinite(Z), Z, np.inf)[has]) > cap else "neither"
            Z = np.minimum(Z, cap)                               # +inf (density 0) -> the cap
        else:
            Z[~np.isfinite(Z)] = np.nan
            cap = float(np.nanmax(Z))
        vmin, vmax = float(np.nanmin(Z)), cap
    else:
        vmin, vmax = 0.0, float(np.nanmax(Z))
    dates = np.issubdtype(x.dtype, np.datetime64)
    if dates:
        import matplotlib.dates as mdates

        xnum = mdates.date2num(x)
    else:
        xnum = x.astype(float)
    keep = np.flatnonzero(has)
    i0, i1 = keep[0], keep[-1] + 1                              # the columns with a density
    xe = _edges(xnum)
    ye = _edges(y)

    plt = pyplot()
    fig = plt.figure(figsize=(7.0, 4.6), layout="constrained")
    gs = fig.add_gridspec(2, 2, height_ratios=[3.2, 1], width_ratios=[1, 0.028])
    ax = fig.add_subplot(gs[0, 0])
    nax = fig.add_subplot(gs[1, 0], sharex=ax)
    cax = fig.add_subplot(gs[0, 1])
    import matplotlib

    cmap = matplotlib.colormaps[POTENTIAL_CMAP if what == "potential" else DENSITY_CMAP]
    mesh = ax.pcolormesh(xe, ye, np.ma.masked_invalid(Z.T), shading="flat", cmap=cmap, vmin=vmin,
                         vmax=vmax, rasterized=True)
    cb = fig.colorbar(mesh, cax=cax, extend=extend)
    sig = f"{result.sigma:g}"
    cb.set_label(f"potential U = −(σ²/2) ln p   (σ = {sig})" if what == "potential"
                 else "density p (per unit of state)", fontsize=8)
    cb.ax.tick_params(labelsize=7)

    pos = result.well_position[row, a]                          # (T, K)
    good = np.isfinite(pos)
    xs = np.repeat(xnum[:, None], pos.shape[1], axis=1)
    T = pos.shape[0]
    dot = 9 if T <= 120 else 4
    ax.scatter(xs[good], pos[good], s=dot, color="white", edgecolors="black", linewidths=0.3, zorder=3,
               label="wells (density peaks)")
    ax.set_ylim(ye[0], ye[-1])
    ax.set_ylabel(value_label(ts, "residuals" if result.params.get("input") == "residuals" else None))
    ax.tick_params(labelbottom=False)
    ax.legend(fontsize=7, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False, borderaxespad=0.2,
              handletextpad=0.3)

    n = result.n_wells[row, a]
    nax.step(xnum, n, where="mid", color=WELLS, lw=1.2)
    top_n = int(np.nanmax(n)) if np.isfinite(n).any() else 1
    nax.set_ylim(0.4, max(2, top_n) + 0.6)
    nax.set_yticks(range(1, max(2, top_n) + 1))
    nax.grid(True, axis="y", color="0.9", lw=0.6)
    nax.set_ylabel("wells")
    nax.set_xlim(xe[i0], xe[i1])                                # where there is a landscape

    _, names = select_rows(ts, row)
    where = f" ({names[0]})" if names[0] and R > 1 else ""
    head = "potential landscape" if what == "potential" else "density landscape"
    if result.mode == "rolling":
        w = result.windows[a]
        pts = int(result.window_points[row, a])
        size = f"{pts} points" if isinstance(w, numbers.Integral) else f"{w:g} of the record, {pts} points"
        title = f"{head}, rolling windows of {size}{where}"
        if dates:
            time_axis(nax, ts)
        nax.set_xlabel(f"{time_label(ts)} at each window's end")
    else:
        step = result.params.get("step")
        name = _parameter_name(ts, x, step)
        title = f"{head} along {name or 'the parameter'}, {x.size} steps" + (
            f" of width {step:.3g}" if step else "") + where
        nax.set_xlabel(f"{name or 'parameter'} (centre of each step)")
    fig.suptitle(title, fontsize=9, x=0.01, ha="left")
    return fig
