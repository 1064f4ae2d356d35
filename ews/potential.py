"""Potential analysis: the number, positions and depths of the wells of a series' potential landscape.

References: Livina, Kwasniok & Lenton (2010) Potential analysis reveals changing number of climate states
during the last 60 kyr, Clim. Past 6:77-82; Hirota, Holmgren, van Nes & Scheffer (2011) Global resilience
of tropical forest and savanna to critical transitions, Science 334:232-235.

Model: dx = -U'(x) dt + sigma dW has the stationary density p(x) proportional to exp(-2 U(x) / sigma^2),
so U(x) = -(sigma^2 / 2) log p(x) (up to a constant) and the wells of U (its local minima: the system's
stable states) are the modes of p. The density is estimated by a Gaussian kernel density estimate (KDE)
and its modes are counted with a prominence rule.

Formulas (window values x_1..x_w; ews._kernels.potential implements them)
---------------------------------------------------------------------------
bandwidth   h = bw_adjust * 1.06 * min(sd, IQR / 1.34) * w^(-1/5)      (R's bw.nrd; Scott's rule of thumb)
            sd with ddof = 1, IQR from type-7 quantiles; IQR = 0 -> min(...) replaced by sd. A constant
            window has no density: its results are NaN.
density     p(y) = 1 / (w h sqrt(2 pi)) * sum_i exp(-(y - x_i)^2 / (2 h^2)), exact (every term within 9h
            of y; the dropped ones are < 2.6e-18 of a kernel's peak). No FFT, no binning: it equals
            scipy.stats.gaussian_kde with the same bandwidth to a few 1e-14 of the peak density.
grid        counting grid of each window: G = grid_size points from min(x) - h to max(x) + h. (The KDE is
            monotone outside [min x, max x], so every mode is inside.)
potential   U(y) = -(sigma^2 / 2) log p(y).
wells       a grid point y_k is a well (density peak) when it is a local maximum of p on the grid (a flat
            run counts once, at its middle) and its prominence is at least ``threshold`` times the
            highest density of the window:
                prom_k = p(y_k) - max(min of p between y_k and the nearest higher point on the left
                                      (or the grid's left end),
                                      min of p between y_k and the nearest higher point on the right
                                      (or the grid's right end))
                y_k counts  <=>  prom_k >= threshold * max_y p(y)
            (topographic prominence, as scipy.signal.peak_prominences). Two peaks without a deep enough
            minimum between them merge into the higher one; the highest peak always counts, so a
            non-constant window has at least one well.
            The default threshold = 0.1 keeps false wells rare in a *rolling* analysis, where hundreds
            of windows are read: measured on 2,000 Gaussian samples, two or more wells in 0.30 % /
            0 % / 0 % of samples of 50 / 100 / 200 points (threshold 0.05: 1.05 % / 0.30 % / 0.05 %);
            two wells found for the double well U = x^4/4 - x^2/2 sampled from p ~ exp(-2 U / s^2),
            s = 0.7 (a shallow barrier against the noise), in 69 % / 91 % / 100 % of 500 samples of
            50 / 100 / 200 points (threshold 0.05: 83 % / 97 % / 100 %). Lower it for short windows
            when missing a second state costs more than a false one.
depth       of well k (wells in increasing order), in potential units: the climb from the well bottom over
            the lower of the two barriers that separate it from its neighbouring wells (or the grid ends):
                b_k = max(min p between well k-1 (or the grid start) and well k,
                          min p between well k and well k+1 (or the grid end))
                depth_k = U(b_k) - U(y_k) = (sigma^2 / 2) log(p(y_k) / b_k).
            For a single well this is the climb to the lower grid end (which lies one bandwidth beyond
            the data), so it depends on the grid; between wells it is the escape barrier.

Rolling mode (``window``, one or several sizes): each right-aligned window x[j-w+1..j] is analysed as
above and stamped at t[j]. Wells are counted on the window's own grid (so a window's count does not
depend on the rest of the series); the landscape for drawing (``density``, ``potential``) is the same
KDE evaluated on a state grid common to all windows and window sizes of a row: G points from
min(row) - h_row to max(row) + h_row, h_row the bandwidth rule applied to the whole row with w = the
smallest window. The ``well`` mask marks the common-grid point nearest each well.

Along a parameter (``along=param``, an array like the series, as R's movpotential_ews): n_steps
centres c_k = min(param) + (k + 1/2) * step, step = (max(param) - min(param)) / n_steps (over all rows'
valid points); weights v_i = exp(-0.5 ((c_k - param_i) / step)^2) (weights below exp(-40) times the
step's largest are dropped); the weighted KDE of the whole row,
    p_k(y) = sum_i v_i phi_h((y - x_i)) / sum_i v_i,
with the weighted bandwidth rule: sd_w^2 = n_eff / (n_eff - 1) * sum v (x - m_w)^2 / sum v, n_eff =
(sum v)^2 / sum v^2, IQR_w from the weighted type-7 quantile (the k-th sorted value at cumulative
position (S_k - v_k) / (S - v_last), S_k the cumulative weight; equal weights give type 7), and n_eff in
place of w. Wells are counted on the row's common grid (G points from min(row) - h_row to
max(row) + h_row, h_row the rule on the whole row). A centre whose total weight sum_i v_i is below 3
(fewer than the weight of three points at the centre) has no estimate (NaN).

Not reproduced from R (see ews.compat for R's livpotential_ews / movpotential_ews): R's binned FFT
density, its detection limit in units of a kernel height divided by the grid size, and its
movpotential_ews dropping the detection threshold.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd
import xarray as xr

from ._checks import LANDSCAPE_BYTES, check_grid_size
from ._errors import DegenerateWindowWarning, InputError
from ._kernels import potential as _kp
from ._validate import show
from .indicators import check_window, resolve_windows
from .series import as_timeseries

__all__ = ["potential_analysis", "PotentialResult", "DEFAULT_THRESHOLD"]

DEFAULT_THRESHOLD = 0.1
"""Default prominence threshold, as a fraction of the highest density (see the module docstring)."""
MIN_WEIGHT = 3.0
"""Along a parameter: a centre needs a total weight of at least this (points at the centre count 1)."""
_FIRST_K = 8  # wells stored per window on the first pass (a second pass stores more when needed)


# --------------------------------------------------------------------------------------------------
# checks at the door

def _check_real(value, what: str, *, lo=None, lo_open=True, hi=None, hi_open=True) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise InputError(f"{what} must be a finite number, got {show(value)}.")
    v = float(value)
    if lo is not None and (v <= lo if lo_open else v < lo):
        raise InputError(f"{what} must be {'>' if lo_open else '>='} {lo}, got {show(value)}.")
    if hi is not None and (v >= hi if hi_open else v > hi):
        raise InputError(f"{what} must be {'<' if hi_open else '<='} {hi}, got {show(value)}.")
    return v


def _check_int(value, what: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InputError(f"{what} must be a whole number >= {minimum}, got {show(value)}.")
    return int(value)


def _window_list(window) -> list:
    if isinstance(window, (list, tuple, np.ndarray)):
        sizes = list(np.asarray(window).tolist()) if isinstance(window, np.ndarray) else list(window)
        if not sizes:
            raise InputError("window is an empty list; pass a fraction (e.g. 0.5), a number of points, or a "
                             "non-empty list of them.")
    else:
        sizes = [window]
    for s in sizes:
        check_window(s)
    if len(set(sizes)) != len(sizes):
        raise InputError(f"window lists a size twice ({sizes}); list each window size once.")
    return sizes


def _row_bandwidth(x: np.ndarray, w: int, bw_adjust: float) -> float:
    s = np.sort(x)
    return float(_kp.nrd_bandwidth(s, s.size, bw_adjust)) * (w / s.size) ** -0.2 if s.size >= 2 else 0.0


def _row_grids(X, lengths, w_smallest, bw_adjust):
    """Common state grid ends of every row: min - h_row, max + h_row (NaN for rows without output)."""
    B = X.shape[0]
    lo = np.full(B, np.nan)
    hi = np.full(B, np.nan)
    for i in range(B):
        L = int(lengths[i])
        if L < 2 or w_smallest[i] < 3:
            continue
        x = X[i, :L]
        h = _row_bandwidth(x, int(w_smallest[i]), bw_adjust)
        a, b = float(x.min()), float(x.max())
        if not h > 0:
            h = 0.5 if a == b else 0.0
        lo[i], hi[i] = a - h, b + h
    return lo, hi


# --------------------------------------------------------------------------------------------------
# result

class PotentialResult:
    """Result of :func:`potential_analysis`. Plain arrays; xarray and pandas views on demand.

    Array attributes (``R`` = number of series rows, flat; ``A`` = window sizes, 1 along a parameter;
    ``T`` = time points, or parameter centres along a parameter; ``K`` = most wells in any window;
    ``G`` = grid_size):

    ``n_wells`` (R, A, T) float (NaN: no window / constant window); ``well_position``, ``well_depth``,
    ``well_potential`` (R, A, T, K), NaN-padded, wells in increasing state order;
    ``bandwidth`` (R, A, T); ``density``, ``potential`` (R, A, T, G) on ``state_grid`` (R, G) (None when
    ``landscape=False``); ``window_points`` (R, A) (rolling mode); ``parameter`` (T,) (along mode).
    """

    def __init__(self, *, ts, mode, n_wells, position, depth, well_potential, bandwidth, density, state_grid,
                 sigma, params, windows=None, window_points=None, parameter=None):
        self.timeseries = ts
        self.mode = mode
        self.n_wells = n_wells
        self.well_position = position
        self.well_depth = depth
        self.well_potential = well_potential
        self.bandwidth = bandwidth
        self.density = density
        self.state_grid = state_grid
        self.sigma = sigma
        self.params = params
        self.windows = windows
        self.window_points = window_points
        self.parameter = parameter

    # ------------------------------------------------------------------ helpers
    @property
    def potential(self):
        """U = -(sigma^2 / 2) log(density) on the state grid (inf where the density underflows to 0)."""
        if self.density is None:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            return -0.5 * self.sigma ** 2 * np.log(self.density)

    def _axis(self):
        if self.mode == "rolling":
            return "time", self.timeseries.time
        return "parameter", self.parameter

    def _lead(self):
        ts = self.timeseries
        return ts.leading_dims, ts.shape[:-1]

    def _window_index(self, window) -> int:
        if self.mode != "rolling":
            if window is not None:
                raise InputError("this result is along a parameter; it has no window sizes (pass window=None).")
            return 0
        if window is None:
            return 0
        for a, s in enumerate(self.windows):
            if isinstance(s, numbers.Integral) == isinstance(window, numbers.Integral) and s == window:
                return a
        raise InputError(f"window={show(window)} is not one of this result's window sizes {self.windows}.")

    # ------------------------------------------------------------------ views
    def landscape(self, row: int = 0, window=None, what: str = "potential") -> xr.DataArray:
        """The (time or parameter) x state array of one series for drawing, as a DataArray with the state
        values as coordinate ``state``. ``row`` is the flat row index; ``window`` one of the window sizes
        as passed (default: the first); ``what`` is ``"potential"`` or ``"density"``."""
        if self.density is None:
            raise InputError("this result was computed with landscape=False; rerun potential_analysis with "
                             "landscape=True to draw the landscape.")
        if what not in ("potential", "density"):
            raise InputError(f"what must be 'potential' or 'density', got {show(what)}.")
        R = self.n_wells.shape[0]
        if isinstance(row, (bool, np.bool_)) or not isinstance(row, numbers.Integral) or not -R <= row < R:
            raise InputError(f"row must be a whole number in [0, {R}) (the flat row index), got {show(row)}.")
        a = self._window_index(window)
        arr = (self.potential if what == "potential" else self.density)[row, a]
        name, values = self._axis()
        return xr.DataArray(arr, dims=(name, "state"), coords={name: values, "state": self.state_grid[row]},
                            name=what, attrs={"sigma": self.sigma, **self._attrs()})

    def _attrs(self) -> dict:
        out = {"method": "potential analysis (Livina et al. 2010; Hirota et al. 2011)", "mode": self.mode}
        out.update({k: v for k, v in self.params.items() if v is not None})
        if self.windows is not None:
            out["windows"] = str(list(self.windows))
        return out

    def to_xarray(self) -> xr.Dataset:
        """Dataset with ``n_wells``, ``bandwidth`` (dims: leading dims, ``window``, ``time``; or leading
        dims, ``parameter``), ``well_position``, ``well_depth``, ``well_potential`` (plus ``well_index``),
        ``density``, ``potential`` and the boolean ``well`` mask (plus ``state``), and the coordinate
        ``state_value`` (leading dims, ``state``): the state grid of each row."""
        lead, shape = self._lead()
        name, values = self._axis()
        R, A, T = self.n_wells.shape
        K = self.well_position.shape[-1]
        rolling = self.mode == "rolling"
        mid = ("window", name) if rolling else (name,)

        def shaped(arr, extra=()):
            core = arr.shape[3:] if arr.ndim > 3 else ()
            full = tuple(shape) + ((A, T) if rolling else (T,)) + core
            return arr.reshape(full)

        dims3 = tuple(lead) + mid
        data = {
            "n_wells": (dims3, shaped(self.n_wells)),
            "bandwidth": (dims3, shaped(self.bandwidth)),
            "well_position": (dims3 + ("well_index",), shaped(self.well_position)),
            "well_depth": (dims3 + ("well_index",), shaped(self.well_depth)),
            "well_potential": (dims3 + ("well_index",), shaped(self.well_potential)),
        }
        if self.density is not None:
            data["density"] = (dims3 + ("state",), shaped(self.density))
            data["potential"] = (dims3 + ("state",), shaped(self.potential))
            data["well"] = (dims3 + ("state",), shaped(self._well_mask()))
        coords = {name: values, "well_index": np.arange(K)}
        if rolling:
            kinds = {isinstance(s, numbers.Integral) for s in self.windows}
            coords["window"] = list(self.windows) if len(kinds) == 1 else [str(s) for s in self.windows]
            coords["window_points"] = (tuple(lead) + ("window",), self.window_points.reshape(tuple(shape) + (A,)))
        coords["state_value"] = (tuple(lead) + ("state",), self.state_grid.reshape(tuple(shape) + (-1,)))
        for cname, (cdims, cvals) in self.timeseries.coords.items():
            if set(cdims) <= set(lead):
                coords[cname] = (cdims, cvals)
        ds = xr.Dataset(data, coords=coords, attrs=self._attrs())
        ds["n_wells"].attrs["description"] = "number of potential wells (density peaks) in the window"
        ds["well_depth"].attrs["description"] = "U(barrier) - U(well), potential units (sigma^2/2 log p ratio)"
        return ds

    def _well_mask(self) -> np.ndarray:
        R, A, T, G = self.density.shape
        mask = np.zeros((R, A, T, G), dtype=bool)
        grid = self.state_grid
        for r in range(R):
            if not np.isfinite(grid[r, 0]):
                continue
            lo, dy = grid[r, 0], grid[r, 1] - grid[r, 0]
            pos = self.well_position[r]
            ok = np.isfinite(pos)
            idx = np.clip(np.rint((pos[ok] - lo) / dy).astype(np.int64), 0, G - 1)
            a, t, _ = np.nonzero(ok)
            mask[r, a, t, idx] = True
        return mask

    def table(self) -> pd.DataFrame:
        """Tidy table: one row per (series, window size, window end, well), the wells in increasing state
        order; a window with no well (never for a non-constant window) or a NaN count (constant window)
        gives one row with ``well`` = -1 and NaN well columns. Windows that do not exist (before the first
        full window) are left out.

        Columns: the leading dimensions of the data (none for one series), then ``window`` (as passed) and
        ``window_points`` and ``time`` (rolling), or ``parameter`` (along a parameter), then ``n_wells``,
        ``well`` (0, 1, ...), ``position`` (state value), ``depth`` and ``potential`` (at the well bottom),
        and ``bandwidth``."""
        lead, shape = self._lead()
        name, values = self._axis()
        R, A, T = self.n_wells.shape
        K = self.well_position.shape[-1]
        if lead:
            coords = self.timeseries.coords
            levels = [coords[d][1] if d in coords and coords[d][0] == (d,) else np.arange(s)
                      for d, s in zip(lead, shape)]
            index = pd.MultiIndex.from_product(levels, names=list(lead)).to_frame(index=False)
        else:
            index = pd.DataFrame(index=range(1))
        exists = np.ones((R, A, T), dtype=bool)  # every parameter step; in rolling mode every full window
        if self.mode == "rolling":
            exists[:] = False
            lengths = self.timeseries.row_lengths()
            for r in range(R):
                for a in range(A):
                    w = int(self.window_points[r, a])
                    if w >= 3:
                        exists[r, a, w - 1:int(lengths[r])] = True
        r_idx, a_idx, t_idx = np.nonzero(exists)
        cnt = self.n_wells[r_idx, a_idx, t_idx]
        reps = np.where(np.isfinite(cnt) & (cnt > 0), np.minimum(np.nan_to_num(cnt), K), 1).astype(np.int64)
        rr = np.repeat(r_idx, reps)
        aa = np.repeat(a_idx, reps)
        tt = np.repeat(t_idx, reps)
        starts = np.cumsum(reps) - reps
        kk = np.arange(rr.size) - np.repeat(starts, reps)
        has = np.repeat(np.isfinite(cnt) & (cnt > 0), reps)
        out = index.iloc[rr].reset_index(drop=True) if lead else pd.DataFrame(index=range(rr.size))
        if self.mode == "rolling":
            out["window"] = np.asarray([self.windows[a] for a in aa], dtype=object) if aa.size else []
            out["window_points"] = self.window_points[rr, aa]
            out["time"] = np.asarray(values)[tt]
        else:
            out["parameter"] = np.asarray(values)[tt]
        out["n_wells"] = self.n_wells[rr, aa, tt]
        kk_safe = np.where(has, kk, 0)
        out["well"] = np.where(has, kk, -1)
        for col, arr in (("position", self.well_position), ("depth", self.well_depth),
                         ("potential", self.well_potential)):
            out[col] = np.where(has, arr[rr, aa, tt, kk_safe] if K else np.nan, np.nan)
        out["bandwidth"] = self.bandwidth[rr, aa, tt]
        return out

    def __repr__(self) -> str:
        R, A, T = self.n_wells.shape
        finite = self.n_wells[np.isfinite(self.n_wells)]
        counts = ", ".join(f"{int(k)}: {int((finite == k).sum())}" for k in np.unique(finite)[:6])
        what = (f"windows={list(self.windows)}" if self.mode == "rolling"
                else f"along a parameter, {T} steps")
        return f"<PotentialResult {what}, rows={R}, windows by number of wells {{{counts}}}>"


# --------------------------------------------------------------------------------------------------
# the function

def potential_analysis(data, window=None, *, grid_size: int = 100, sigma: float = 1.0, bw_adjust: float = 1.0,
                       threshold: float = DEFAULT_THRESHOLD, along=None, n_steps: int = 50,
                       input: str = "state", landscape: bool = True) -> PotentialResult:
    """Potential analysis in rolling windows or along a parameter (see the module docstring).

    Parameters
    ----------
    data : TimeSeries or anything :func:`ews.series.as_timeseries` accepts
        One or many series (any leading dimensions, ragged rows allowed); each row is analysed alone.
    window : float, int or list of them, optional
        Rolling mode: window size(s) as a fraction of each row (0 < w <= 1) or a number of points (>= 3).
        Default 0.5. Not allowed with ``along``.
    grid_size : int
        G >= 3 points of the state grids (the counting grid of each window and the common grid).
    sigma : float > 0
        Noise level in U = -(sigma^2/2) log p (scales potentials and depths, not the wells).
    bw_adjust : float > 0
        Multiplies the bandwidth rule.
    threshold : float in [0, 1)
        Prominence a density peak needs, as a fraction of the highest density (default 0.1).
    along : array, optional
        A parameter with the series' shape (or one 1-D array of its length shared by all rows): the
        landscape is estimated along it at ``n_steps`` parameter values (movpotential_ews).
    n_steps : int >= 1
        Parameter values along ``along``.
    input : "state" or "residuals"
        The values analysed (the state by default: wells are states).
    landscape : bool
        Keep the density / potential on the common grid (R x A x T x G floats); False keeps only the
        wells (for large batches).

    Returns
    -------
    PotentialResult

    Raises
    ------
    InputError
        Bad window (too long for every row, < 3 points), grid_size < 3, sigma or bw_adjust <= 0,
        threshold outside [0, 1), ``along`` of the wrong shape or not finite, ``window`` with ``along``.
    """
    grid_size = check_grid_size(grid_size)
    sigma = _check_real(sigma, "sigma", lo=0.0)
    bw_adjust = _check_real(bw_adjust, "bw_adjust", lo=0.0)
    threshold = _check_real(threshold, "threshold", lo=0.0, lo_open=False, hi=1.0)
    if input not in ("state", "residuals"):
        raise InputError(f"input must be 'state' or 'residuals', got {show(input)}.")
    if not isinstance(landscape, (bool, np.bool_)):
        raise InputError(f"landscape must be True or False, got {show(landscape)}.")
    ts = as_timeseries(data)
    X = np.ascontiguousarray(ts.rows(input), dtype=np.float64)
    lengths = ts.row_lengths()
    params = {"grid_size": grid_size, "sigma": sigma, "bw_adjust": bw_adjust, "threshold": threshold,
              "input": input}
    if along is not None:
        if window is not None:
            raise InputError("pass either window (rolling windows) or along (a parameter), not both.")
        n_steps = _check_int(n_steps, "n_steps", 1)
        return _along(ts, X, lengths, along, n_steps, grid_size, sigma, bw_adjust, threshold, landscape, params)
    sizes = _window_list(0.5 if window is None else window)
    ts.require_regular("rolling potential analysis (windows of a fixed number of points); along= does not need it")
    need = 2 * 8 * X.shape[0] * len(sizes) * X.shape[1] * grid_size  # density and potential, float64
    if landscape and need > LANDSCAPE_BYTES:
        raise InputError(f"the landscape of {X.shape[0]} series x {len(sizes)} window size(s) x {X.shape[1]} "
                         f"time points x {grid_size} grid points would take {need / 2**30:.1f} GiB; pass "
                         "landscape=False (wells, positions and depths only), fewer rows, or a smaller grid_size.")
    return _rolling(ts, X, lengths, sizes, grid_size, sigma, bw_adjust, threshold, landscape, params)


def _finish_wells(peakd, barrier, sigma):
    """Depth and potential at the wells from the densities at the peak and at its barrier."""
    with np.errstate(divide="ignore", invalid="ignore"):
        depth = 0.5 * sigma ** 2 * np.log(peakd / barrier)
        upot = -0.5 * sigma ** 2 * np.log(peakd)
    return depth, upot


def _rolling(ts, X, lengths, sizes, G, sigma, bw_adjust, threshold, landscape, params):
    B, n = X.shape
    A = len(sizes)
    wins = np.stack([resolve_windows(s, lengths, strict=False) for s in sizes], axis=1)  # (B, A)
    w_small = np.where(wins > 0, wins, np.iinfo(np.int64).max).min(axis=1)
    w_small = np.where(w_small == np.iinfo(np.int64).max, 0, w_small)
    lo, hi = _row_grids(X, lengths, w_small, bw_adjust)
    Gc = G if landscape else 0
    lo_k = np.nan_to_num(lo)
    hi_k = np.where(np.isfinite(hi), hi, lo_k + 1.0)
    outs = []
    K = _FIRST_K
    for a in range(A):
        w = np.ascontiguousarray(wins[:, a])
        res = _kp.rolling_potential(X, lengths, w, G, threshold, bw_adjust, lo_k, hi_k, K, Gc)
        if np.nanmax(res[0], initial=0) > K:  # more wells than stored: store them all
            res = _kp.rolling_potential(X, lengths, w, G, threshold, bw_adjust, lo_k, hi_k,
                                        int(np.nanmax(res[0])), Gc)
        outs.append(res)
    Kmax = max(int(np.nanmax(o[0], initial=0)) for o in outs)
    Kmax = max(Kmax, 1)

    def pad(arr):
        out = np.full(arr.shape[:2] + (Kmax,), np.nan)
        k = min(Kmax, arr.shape[2])
        out[:, :, :k] = arr[:, :, :k]
        return out

    n_wells = np.stack([o[0] for o in outs], axis=1)
    bandwidth = np.stack([o[1] for o in outs], axis=1)
    pos = np.stack([pad(o[2]) for o in outs], axis=1)
    peakd = np.stack([pad(o[4]) for o in outs], axis=1)
    barrier = np.stack([pad(o[5]) for o in outs], axis=1)
    depth, upot = _finish_wells(peakd, barrier, sigma)
    density = np.stack([o[6] for o in outs], axis=1) if landscape else None
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, G)[None, :]
    _warn_constant(n_wells, wins, lengths)
    return PotentialResult(ts=ts, mode="rolling", n_wells=n_wells, position=pos, depth=depth, well_potential=upot,
                           bandwidth=bandwidth, density=density, state_grid=grid, sigma=sigma, params=params,
                           windows=list(sizes), window_points=wins)


def _warn_constant(n_wells, wins, lengths):
    R, A, _ = n_wells.shape
    bad = 0
    for r in range(R):
        for a in range(A):
            w = wins[r, a]
            if w >= 3:
                bad += int(np.isnan(n_wells[r, a, w - 1:lengths[r]]).sum())
    if bad:
        warnings.warn(f"{bad} window(s) are constant (no spread, so no density): their number of wells is NaN.",
                      DegenerateWindowWarning, stacklevel=3)


def _along(ts, X, lengths, along, n_steps, G, sigma, bw_adjust, threshold, landscape, params):
    B, n = X.shape
    try:
        P = np.asarray(along, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("along must be an array of numbers (a parameter value for every time point).") from None
    if P.ndim == 1:
        if P.shape[0] != n:
            raise InputError(f"along has {P.shape[0]} values but the series has {n} time points; pass one "
                             "parameter value per time point.")
        P = np.broadcast_to(P, (B, n))
    elif P.shape == tuple(ts.shape):
        P = P.reshape(B, n)
    else:
        raise InputError(f"along has shape {P.shape}; it must have the series' shape {tuple(ts.shape)} or be "
                         f"1-D with {n} values (one per time point).")
    valid = np.arange(n)[None, :] < lengths[:, None]
    pv = P[valid]
    if not np.isfinite(pv).all():
        raise InputError("along contains NaN or infinite values; pass a finite parameter value for every "
                         "(valid) time point.")
    pmin, pmax = float(pv.min()), float(pv.max())
    if not pmax > pmin:
        raise InputError("along is constant; it needs at least two different values to move along.")
    step = (pmax - pmin) / n_steps
    centers = pmin + (np.arange(n_steps) + 0.5) * step
    P = np.ascontiguousarray(P)
    short = lengths < 3
    if short.all():
        raise InputError("every series has fewer than 3 points; potential analysis needs longer series.")
    if short.any():
        warnings.warn(f"{int(short.sum())} of {B} series have fewer than 3 points: their results are NaN.",
                      DegenerateWindowWarning, stacklevel=3)
    use = np.where(short, 0, lengths).astype(np.int64)
    lo, hi = _row_grids(X, use, use, bw_adjust)
    lo_k = np.nan_to_num(lo)
    hi_k = np.where(np.isfinite(hi), hi, lo_k + 1.0)
    bandwidth, total, density = _kp.along_density(X, P, use, centers, step, G, bw_adjust, MIN_WEIGHT, lo_k, hi_k)
    dy = (hi_k - lo_k) / (G - 1)
    coarse = np.isfinite(bandwidth) & (bandwidth < 2.0 * dy[:, None])
    if coarse.any():
        warnings.warn(f"the state grid is coarse against the bandwidth at {int(coarse.sum())} of {coarse.size} "
                      f"parameter steps (grid spacing > h / 2); raise grid_size for reliable wells there.",
                      DegenerateWindowWarning, stacklevel=3)
    nan_steps = int(np.isnan(bandwidth).sum())
    if nan_steps:
        warnings.warn(f"{nan_steps} of {bandwidth.size} parameter steps have no estimate (total weight below "
                      f"{MIN_WEIGHT:g}, or constant values there): NaN.", DegenerateWindowWarning, stacklevel=3)
    Kcap = G // 2 + 1
    n_wells = np.empty((B, n_steps))
    peaks = np.empty((B, n_steps, Kcap), dtype=np.int64)
    proms = np.empty((B, n_steps, Kcap))
    bars = np.empty((B, n_steps, Kcap))
    _kp.wells_of_densities(density, threshold, Kcap, n_wells, peaks, proms, bars)
    Kmax = max(int(np.nanmax(n_wells, initial=0)), 1)
    peaks, bars = peaks[:, :, :Kmax], bars[:, :, :Kmax]
    ok = peaks >= 0
    pos = np.where(ok, lo_k[:, None, None] + peaks * dy[:, None, None], np.nan)
    idx = np.where(ok, peaks, 0)
    peakd = np.where(ok, np.take_along_axis(density, idx, axis=2), np.nan)
    depth, upot = _finish_wells(peakd, bars, sigma)
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, G)[None, :]
    params = dict(params, n_steps=n_steps, step=step)
    return PotentialResult(ts=ts, mode="along", n_wells=n_wells[:, None], position=pos[:, None],
                           depth=depth[:, None], well_potential=upot[:, None], bandwidth=bandwidth[:, None],
                           density=density[:, None] if landscape else None, state_grid=grid, sigma=sigma,
                           params=params, parameter=centers)
