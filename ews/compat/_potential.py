r"""R earlywarnings 1.1.29 ``livpotential_ews`` and ``movpotential_ews`` (potential analysis), quirks included.

Re-exported by :mod:`ews.compat.earlywarnings`. Livina et al. (2010) potential analysis: the stationary
density f of a one-dimensional diffusion dx = -U'(x) dt + s dW is f ~ exp(-2 U / s^2), so the potential is
recovered from a kernel density estimate as U = -log(f) s^2 / 2; the wells of U (the maxima of f) are
the stable states. ``movpotential_ews`` (Hirota et al. 2011) repeats this along a driver (parameter or
time) with Gaussian weights, giving a potential landscape.

References: Livina, V.N., Kwasniok, F. & Lenton, T.M. (2010) Potential analysis reveals changing number
of climate states during the last 60 kyr. Climate of the Past 6, 77-82. Hirota, M., Holmgren, M., van
Nes, E.H. & Scheffer, M. (2011) Global resilience of tropical forest and savanna to critical
transitions. Science 334, 232-235. Dakos, V. et al. (2012) PLoS ONE 7(7): e41010.

What is computed (R source of earlywarnings 1.1.29, R/potential_ews.R, and R 4.2.2's ``density.default``)
---------------------------------------------------------------------------------------------------------
``livpotential_ews(x, std, bw, weights, grid_size, detection_threshold, bw_adjust, density_smoothing,
detection_limit)``, n = len(x), G = grid_size (default floor(0.2 n)):

1. Density: R's ``density(x, bw, adjust = bw_adjust, kernel = "gaussian", weights, n = G,
   from = min(x), to = max(x))``, the *binned FFT estimator*, reproduced step by step:

   * bandwidth ``bw = "nrd"``: h = 1.06 min(sd(x), IQR(x)/1.34) n^(-1/5) (``bw.nrd``; quantiles of type
     7; the weights are ignored), ``"nrd0"``: 0.9 min(sd, IQR/1.34) n^(-1/5) (``bw.nrd0``), or a number;
     then h = bw_adjust * h;
   * M = max(512, G), rounded up to a power of two when above 512; lo = min(x) - 4h, up = max(x) + 4h;
   * linear binning (C ``BinDist``): each point with weight w_i (1/n without weights) at position
     p = (x_i - lo)/delta, delta = (up - lo)/(M - 1), puts w_i (1 - frac p) on bin floor(p) and w_i frac p
     on the next, into a zero-padded vector y of length 2M;
   * circular convolution with the kernel sampled at k_j = j (2 (up-lo) / (2M - 1)) for j = 0..M and at
     -k_{2M-j} for j > M: g = Re(IFFT(FFT(y) conj(FFT(K(k))))) (R's unnormalised inverse divided by 2M),
     clipped at 0, first M values on xords = seq(lo, up, length = M);
   * linear interpolation (``approx``) to the G output points seq(min(x), max(x), length = G).

   If that call fails (in practice: the "nrd" bandwidth is 0 because more than half of the values
   are tied, IQR = 0), R silently (a warning) falls back to ``density(x)`` with every default: bandwidth
   nrd0, no weights, 512 points from min(x) - 3h to max(x) + 3h; reproduced with a warning.
2. f = (f + density_smoothing / (max - min of the grid)), then f = f / sum(f dx) (dx the grid step), and
   U = -log(f) std^2 / 2 (+inf where R's clipped density is exactly 0).
3. Optima (R's ``find.optima``), with the kernel height kh = dnorm(0, sd = h) / G (G = length(f)):

   * raw maxima: scanning c(inf, -f, inf), the last point of each run where f does not decrease that is
     followed by a strict decrease (a plateau maximum is its *last* point); raw minima likewise on -f;
   * maxima with f < detection_limit * kh are dropped; R fails if none is left (an InputError here);
   * between each pair of consecutive maxima one minimum is kept: the lowest raw minimum in
     [max_{i-1}, max_i] (ties: the rounded mean of their indices, R rounding half to even), keeping
     only those strictly inside (min max, max max);
   * for each maximum, the nearest kept minimum on each side (one side copied to the other when the
     other is missing, minima already deleted skipped): if min(f_max - f_left, f_max - f_right) <
     detection_threshold * kh the maximum is marked for deletion and the larger of the two minima
     (the right one on a tie) deleted;
   * "merging" maxima with no minimum in between, R's loop, quirks included: for each i < L (L maxima),
     the run i..i+c-1 up to the first later maximum with a minimum in between contributes the
     rounded mean index of its highest points (so one entry per i: duplicates occur, and the last
     maximum of a run that reaches the end is never merged); the last maximum is appended if not
     already there;
   * then the marked maxima are removed with the mark vector of the *unmerged* maxima: the merged
     vector has the same length L (one entry per i plus the last), so each mark removes the merged
     entry at its position, which is not always the maximum it was computed for (R's code,
     reproduced; the duplicates that merging makes are kept unless a mark falls on them).

4. Returned, as in R: grid_points, pot, density, min_inds (density minima = potential maxima),
   max_inds (density maxima = potential minima, the stable states), bw (h after adjust), min_points,
   max_points and ``detection_threshold`` which is **always None** (R reads ``ops$detection.threshold``
   but ``find.optima`` returns ``detection.density``). Indices are 0-based here: R's ``min.inds`` and
   ``max.inds`` are ``min_inds + 1`` and ``max_inds + 1`` (same order, duplicates included).

Precision: every step is R's arithmetic except the FFT (numpy's pocketfft for R's Singleton
mixed-radix FFT), whose round-off differs. The density then differs from R's by far less than the
FFT's round-off bound eps log2(2M) dnorm(0, h) (some 1e-15; measured at most 0.11 of it), i.e. by
about 1e-14 relative at the modes and 1e-16 / f relative at a density value f. In the far tails of a
weighted (movpotential) density both R's and these values are round-off: R may clip one to exactly 0
(potential +inf) where this one is 1e-17 (potential about 19), or the other way round. The optima
are unaffected unless the density between two modes falls to that level.

``movpotential_ews(X, param=None (1..n), bw, bw_adjust, detection_threshold, std, grid_size=50,
plot_cutoff)``: step = (max(param) - min(param)) / G; for i = 1..G, par_i = min(param) + (i - 1/2) step
and weights w_j = exp(-((par_i - param_j)/step)^2 / 2) / sum(...); row i is
``livpotential_ews(X, std, bw, bw_adjust, weights = w, grid_size = G)``. Every row's grid covers the full
range of X, and the bandwidth comes from all of X (unweighted).
**detection_threshold is not passed on** (R bug): livpotential's default 1 is used, whatever is given.
NaN pairs in (X, param) are removed with a warning, as in R. ``plot_cutoff`` and the contour arguments
only concern R's plot and are ignored.

Deviations from R (all at the door, where R would fail or silently do something else): non-finite
values of x, fewer than 2 points or fewer than 2 grid points, invalid weights (R falls back to the
unweighted default density with a warning), an unknown bandwidth rule or a non-positive bandwidth,
and a constant ``param`` raise :class:`ews.InputError`.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import EWSWarning, InputError
from ._r import bw_nrd0

__all__ = ["livpotential_ews", "movpotential_ews", "LivPotentialResult", "MovPotentialResult"]

_M_1_SQRT_2PI = 0.398942280401432677939946059934
_DNORM_ZERO = math.sqrt(-2.0 * math.log(2.0) * (-1021 + 1 - 53))  # R: DBL_MIN_EXP + 1 - DBL_MANT_DIG


# ---------------------------------------------------------------------------------------------------
# R's numerics
# ---------------------------------------------------------------------------------------------------
def _r_seq(start: float, stop: float, n: int) -> np.ndarray:
    """R ``seq.int(from, to, length.out = n)``: the first half counted from ``from``, the second from ``to``."""
    out = np.empty(n)
    if n == 0:
        return out
    out[0] = start
    if n > 1:
        out[-1] = stop
    if n > 2:
        by = (stop - start) / (n - 1)
        i = np.arange(1, n - 1)
        out[1:-1] = np.where(i < n // 2, start + i * by, stop - (n - 1 - i) * by)
    return out


def _r_dnorm(x: np.ndarray, sd: float) -> np.ndarray:
    """R ``dnorm(x, sd = sd)`` (nmath dnorm4: the split x = x1 + x2 for |x| >= 5, zero beyond 38.6)."""
    z = np.abs(np.asarray(x, float) / sd)
    out = _M_1_SQRT_2PI * np.exp(-0.5 * z * z) / sd
    big = z >= 5
    if big.any():
        zb = z[big]
        x1 = np.ldexp(np.rint(np.ldexp(zb, 16)), -16)
        x2 = zb - x1
        out[big] = _M_1_SQRT_2PI / sd * (np.exp(-0.5 * x1 * x1) * np.exp((-0.5 * x2 - x1) * x2))
        out[big & (z > _DNORM_ZERO)] = 0.0
    return out


def _r_quantile7(x: np.ndarray, probs) -> np.ndarray:
    """R ``quantile(x, probs)`` of type 7 with R's own arithmetic."""
    xs = np.sort(x)
    n = xs.size
    out = []
    for p in probs:
        index = (n - 1) * p  # 0-based: R's 1 + (n - 1) p
        lo = math.floor(index)
        hi = math.ceil(index)
        q = xs[lo]
        h = index - lo
        if index > lo and xs[hi] != q:
            q = (1 - h) * q + h * xs[hi]
        out.append(q)
    return np.array(out)


def _r_var(x: np.ndarray) -> float:
    return float(np.var(x, ddof=1))


def _bw_nrd(x: np.ndarray) -> float:
    """R ``bw.nrd``: 1.06 min(sd, IQR/1.34) n^(-1/5), no fallback for a zero spread."""
    q = _r_quantile7(x, (0.25, 0.75))
    h = (q[1] - q[0]) / 1.34
    return 1.06 * min(math.sqrt(_r_var(x)), h) * x.size ** (-0.2)


def _bin_dist(x: np.ndarray, w: np.ndarray, lo: float, up: float, n: int) -> np.ndarray:
    """R's C ``BinDist``: linear binning of weights on n points over [lo, up], padded with zeros to 2n."""
    delta = (up - lo) / (n - 1)
    pos = (x - lo) / delta
    ix = np.floor(pos).astype(np.int64)
    fx = pos - ix
    y = np.zeros(2 * n)
    inner = (ix >= 0) & (ix <= n - 2)
    y += np.bincount(ix[inner], weights=w[inner] * (1 - fx[inner]), minlength=2 * n)
    y += np.bincount(ix[inner] + 1, weights=w[inner] * fx[inner], minlength=2 * n)
    left = ix == -1
    y[0] += np.sum(w[left] * fx[left])
    right = ix == n - 1
    y[n - 1] += np.sum(w[right] * (1 - fx[right]))
    return y


def _r_approx(xp: np.ndarray, fp: np.ndarray, v: np.ndarray) -> np.ndarray:
    """R ``approx(xp, fp, v)$y`` (linear, rule 1) with R's interpolation formula; xp strictly increasing."""
    m = xp.size
    i = np.clip(np.searchsorted(xp, v, side="right") - 1, 0, m - 2)
    j = i + 1
    out = fp[i] + (fp[j] - fp[i]) * ((v - xp[i]) / (xp[j] - xp[i]))
    out = np.where(v == xp[j], fp[j], out)
    out = np.where(v == xp[i], fp[i], out)
    out = np.where((v < xp[0]) | (v > xp[-1]), np.nan, out)
    return out


def _r_density(x, bw: float, n_user: int, start: float, stop: float, weights=None):
    """R 4.2.2 ``density.default`` (gaussian kernel, bandwidth already chosen): returns (grid, y)."""
    nx = x.size
    w = np.full(nx, 1.0 / nx) if weights is None else weights
    n = max(n_user, 512)
    if n > 512:
        n = 2 ** int(math.ceil(math.log2(n)))
    lo = start - 4 * bw
    up = stop + 4 * bw
    y = _bin_dist(x, w, lo, up, n)
    kords = _r_seq(0.0, 2 * (up - lo), 2 * n)
    kords[n + 1:] = -kords[n - 1:0:-1]
    kords = _r_dnorm(kords, bw)
    conv = np.fft.ifft(np.fft.fft(y) * np.conj(np.fft.fft(kords)))  # == R's fft(inverse=TRUE) / (2n)
    dens = np.maximum(0.0, conv.real[:n])
    xords = _r_seq(lo, up, n)
    grid = _r_seq(start, stop, n_user)
    return grid, _r_approx(xords, dens, grid)


def _r_round(v: float) -> int:
    return int(round(v))  # half to even, as R


# ---------------------------------------------------------------------------------------------------
# R's find.optima (1-based indices, Python lists)
# ---------------------------------------------------------------------------------------------------
def _find_maxima(f: np.ndarray) -> list:
    """R ``find.maxima`` (1-based): scans c(Inf, -f, Inf)."""
    f2 = np.concatenate(([np.inf], -f, [np.inf]))
    L = f2.size
    ops = []
    cnt = 1  # R's 1-based position in f2
    while cnt < L:
        if f2[cnt] - f2[cnt - 1] <= 0:
            while f2[cnt] - f2[cnt - 1] <= 0:
                cnt += 1
            ind1 = cnt - 1
            while f2[cnt] - f2[cnt - 1] == 0:  # never runs: the loop above consumed the ties (as in R)
                cnt += 1
            if f2[cnt] - f2[cnt - 1] > 0:
                ind2 = cnt - 1
                ops.append(_r_round((ind1 + ind2) / 2))
        cnt += 1
    return ops


def _find_minima(f: np.ndarray) -> list:
    return _find_maxima(-f)


def _remove_obsolete_minima(f: np.ndarray, maxima: list, minima: list) -> list:
    if len(maxima) > 1:
        kept = []
        for i in range(1, len(maxima)):
            mins = [m for m in minima if maxima[i - 1] <= m <= maxima[i]]
            if mins:
                vals = f[np.array(mins) - 1]
                low = [m for m, v in zip(mins, vals) if v == vals.min()]
                kept.append(_r_round(sum(low) / len(low)))
            # R: NULL (dropped by sapply's simplification); cannot happen between two maxima
        minima = kept
    else:
        minima = []
    if maxima:
        lo, hi = min(maxima), max(maxima)
        minima = [m for m in minima if lo < m < hi]
    return minima


def _find_optima(f: np.ndarray, detection_threshold: float, bw: float, detection_limit: float):
    """R ``find.optima``: returns (minima, maxima) as 1-based lists."""
    kernel_height = _r_dnorm(np.array([0.0]), bw)[0] / f.size
    deth = detection_threshold * kernel_height
    detl = detection_limit * kernel_height
    maxima = _find_maxima(f)
    minima = _find_minima(f)
    maxima = [m for m in maxima if f[m - 1] >= detl]
    if not maxima:
        raise InputError(
            f"no maximum of the density reaches detection_limit x kernel height ({detl:.3g}); R's "
            "find.optima fails here ('subscript out of bounds'). Lower detection_limit.")
    minima = _remove_obsolete_minima(f, maxima, minima)
    delmini = [False] * len(minima)
    delmaxi = [False] * len(maxima)
    for j, mj in enumerate(maxima):
        live = [m for m, d in zip(minima, delmini) if not d]
        pos = [m for m in live if m > mj]
        neg = [m for m in live if m < mj]
        i1 = min(pos) if pos else None
        i2 = max(neg) if neg else None
        if i1 is None and i2 is not None:
            i1 = i2
        elif i2 is None and i1 is not None:
            i2 = i1
        if i1 is not None:
            fm = f[mj - 1]
            if min(fm - f[i1 - 1], fm - f[i2 - 1]) < deth:
                delmaxi[j] = True
                target = i1 if f[i1 - 1] > f[i2 - 1] else i2
                delmini = [d or (m == target) for m, d in zip(minima, delmini)]
    if minima and any(delmini):
        minima = [m for m, d in zip(minima, delmini) if not d]
    L = len(maxima)
    if L > 1:
        maxima2 = []
        for i in range(L - 1):  # R's i = 1..L-1, here 0-based
            nominima = True
            cnt = 0
            while nominima and (i + cnt) < L - 1:
                cnt += 1
                a, b = maxima[i], maxima[i + cnt]
                nominima = sum(1 for m in minima if a < m < b) == 0
            maxs = maxima[i:i + cnt]
            vals = f[np.array(maxs) - 1]
            top = [m for m, v in zip(maxs, vals) if v == vals.max()]
            maxima2.append(_r_round(sum(top) / len(top)))
        if maxima[-1] not in maxima2:
            maxima2.append(maxima[-1])
        maxima = maxima2
    if maxima and any(delmaxi):
        # R: maxima[!delmaxi], the mask of the unmerged maxima applied by position to the merged ones
        # (same length L: the runs never include the last maximum, which is always appended)
        maxima = [m for m, d in zip(maxima, delmaxi) if not d]
    return minima, maxima


# ---------------------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------------------
def _as_vector(x, what: str) -> np.ndarray:
    try:
        from ..series import TimeSeries
    except ImportError:  # pragma: no cover
        TimeSeries = ()
    if isinstance(x, TimeSeries):
        if x.n_rows != 1:
            raise InputError(f"{what} takes one series; this TimeSeries holds {x.n_rows}. "
                             "Select one with .isel(...).")
        arr = np.asarray(x.values, dtype=float).reshape(-1)
    elif isinstance(x, pd.DataFrame):
        if x.shape[1] != 1:
            raise InputError(f"{what} takes one numeric vector (R refuses a data.frame); got a table with "
                             f"{x.shape[1]} columns. Pass the column of values, e.g. df['x'].")
        arr = x.iloc[:, 0].to_numpy()
    elif isinstance(x, pd.Series):
        arr = x.to_numpy()
    else:
        arr = np.asarray(x)
        if arr.ndim == 2 and 1 in arr.shape:
            arr = arr.reshape(-1)
        if arr.ndim != 1:
            raise InputError(f"{what} takes one numeric vector; got an array of shape {arr.shape}. "
                             "Pass a 1-D array of values.")
    try:
        arr = np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be numeric.") from None
    return arr.copy()


def _check_finite(x: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        first = np.flatnonzero(bad)[:5].tolist()
        raise InputError(f"{what} contains {int(bad.sum())} NaN or infinite values (first at positions "
                         f"{first}); R's density() fails on them. Remove or interpolate them first.")


def _number(v, name: str, positive=False, nonneg=False) -> float:
    try:
        v = float(v)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number; got {v!r}.") from None
    if not math.isfinite(v) or (positive and v <= 0) or (nonneg and v < 0):
        need = "a positive" if positive else ("a non-negative" if nonneg else "a finite")
        raise InputError(f"{name} must be {need} number; got {v!r}.")
    return v


def _grid_size(grid_size, n: int) -> int:
    if grid_size is None:
        g = math.floor(0.2 * n)
        if g < 2:
            raise InputError(f"the series has {n} points, so the default grid_size floor(0.2 n) = {g} is "
                             "below 2 and R's livpotential_ews fails. Give at least 10 points or "
                             "grid_size >= 2.")
        return g
    from .._checks import MAX_GRID

    if isinstance(grid_size, bool) or not float(grid_size).is_integer() or not (2 <= grid_size <= MAX_GRID):
        raise InputError(f"grid_size must be a whole number from 2 to {MAX_GRID}; got {grid_size!r}.")
    return int(grid_size)


def _bandwidth(x: np.ndarray, bw, bw_adjust: float):
    """The bandwidth R's density() uses (before/after adjust) or None when R's call fails (bw 0)."""
    if isinstance(bw, str):
        rule = bw.lower()
        if rule == "nrd":
            h = _bw_nrd(x)
        elif rule == "nrd0":
            h = bw_nrd0(x)
        else:
            raise InputError(f"bw must be 'nrd', 'nrd0' or a positive number; got {bw!r} (R's 'ucv', "
                             "'bcv' and 'SJ' rules are not implemented).")
    else:
        h = _number(bw, "bw", positive=True)
    h = bw_adjust * h
    if not (math.isfinite(h) and h > 0):
        return None
    return h


# ---------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------
def _inds(v: list) -> np.ndarray:
    return np.array(v, dtype=np.int64) - 1  # R's 1-based -> 0-based


@dataclass(repr=False)
class LivPotentialResult:
    """What R's ``livpotential_ews`` returns (see :mod:`ews.compat._potential`).

    ``min_inds`` / ``max_inds`` are 0-based indices into ``grid_points`` of the density minima
    (potential maxima) and density maxima (potential minima: the stable states), in R's order
    (R's ``min.inds`` is ``min_inds + 1``). ``detection_threshold`` is always None, as in R (a bug of
    the package). ``fallback`` is True when R's call with the
    given arguments fails and the default ``density(x)`` was used instead.
    """

    grid_points: np.ndarray
    pot: np.ndarray
    density: np.ndarray
    min_inds: np.ndarray
    max_inds: np.ndarray
    bw: float
    min_points: np.ndarray
    max_points: np.ndarray
    detection_threshold: None = None
    std: float = 1.0
    fallback: bool = False

    def table(self) -> pd.DataFrame:
        """One row per grid point: ``grid_point`` (0-based), ``x``, ``pot``, ``density``, ``is_min`` and
        ``is_max`` (density minimum / maximum, as R's ``min.inds`` / ``max.inds``)."""
        g = self.grid_points.size
        is_min = np.zeros(g, bool)
        is_max = np.zeros(g, bool)
        is_min[self.min_inds] = True
        is_max[self.max_inds] = True
        return pd.DataFrame({"grid_point": np.arange(g), "x": self.grid_points, "pot": self.pot,
                             "density": self.density, "is_min": is_min, "is_max": is_max})

    def optima(self) -> pd.DataFrame:
        """The optima in R's order: ``kind`` ("density_max" = potential minimum, "density_min"),
        ``index`` (0-based) and ``point``."""
        rows = [("density_max", int(i), float(self.grid_points[i])) for i in self.max_inds]
        rows += [("density_min", int(i), float(self.grid_points[i])) for i in self.min_inds]
        return pd.DataFrame(rows, columns=["kind", "index", "point"])

    def to_xarray(self):
        import xarray as xr

        t = self.table()
        return xr.Dataset(
            {k: ("state", t[k].to_numpy()) for k in ("pot", "density", "is_min", "is_max")},
            coords={"state": self.grid_points},
            attrs={"method": "earlywarnings::livpotential_ews (R 1.1.29, compat)", "bw": self.bw,
                   "std": self.std, "fallback": int(self.fallback),
                   "max_points": self.max_points.tolist(), "min_points": self.min_points.tolist()},
        )

    def __repr__(self) -> str:
        return (f"LivPotentialResult(grid_size={self.grid_points.size}, bw={self.bw:.6g}, "
                f"stable states (density maxima) at {np.round(self.max_points, 4).tolist()}, "
                f"density minima at {np.round(self.min_points, 4).tolist()})")


@dataclass(repr=False)
class MovPotentialResult:
    """What R's ``movpotential_ews`` returns in ``res``: ``pars``, ``xis``, ``pots`` (grid_size x
    grid_size, row i = parameter step i, column j = grid point j), ``mins`` / ``maxs`` (boolean:
    density minima / maxima, i.e. potential maxima / minima) and ``std``."""

    pars: np.ndarray
    xis: np.ndarray
    pots: np.ndarray
    mins: np.ndarray
    maxs: np.ndarray
    std: float
    bw: float = float("nan")

    def table(self) -> pd.DataFrame:
        """Long form, R's column-major order (the parameter step varies fastest): ``param_step`` and
        ``grid_point`` (0-based), ``par``, ``xi``, ``pot``, ``is_min``, ``is_max``."""
        g1, g2 = self.pots.shape
        rows, cols = np.meshgrid(np.arange(g1), np.arange(g2), indexing="ij")
        f = lambda a: np.asarray(a).ravel(order="F")  # noqa: E731
        return pd.DataFrame({"param_step": f(rows), "grid_point": f(cols), "par": f(self.pars),
                             "xi": f(self.xis), "pot": f(self.pots), "is_min": f(self.mins),
                             "is_max": f(self.maxs)})

    def to_xarray(self):
        import xarray as xr

        return xr.Dataset(
            {"pot": (("parameter", "state"), self.pots),
             "is_min": (("parameter", "state"), self.mins),
             "is_max": (("parameter", "state"), self.maxs)},
            coords={"parameter": self.pars[:, 0], "state": self.xis[0]},
            attrs={"method": "earlywarnings::movpotential_ews (R 1.1.29, compat)", "std": self.std,
                   "bw": self.bw,
                   "detection_threshold_used": 1.0},
        )

    def __repr__(self) -> str:
        g1, g2 = self.pots.shape
        return (f"MovPotentialResult({g1} parameter steps x {g2} grid points, parameter "
                f"{self.pars[0, 0]:.4g}..{self.pars[-1, 0]:.4g}, state {self.xis[0, 0]:.4g}.."
                f"{self.xis[0, -1]:.4g}, {int(self.maxs.sum())} density maxima)")


# ---------------------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------------------
def _livpotential(x, std, bw, weights, grid_size, detection_threshold, bw_adjust, density_smoothing,
                  detection_limit) -> LivPotentialResult:
    """Core on clean input (x finite float64, n >= 2, grid_size >= 2, weights validated or None)."""
    h = _bandwidth(x, bw, bw_adjust)
    fallback = h is None
    if fallback:
        warnings.warn(
            "livpotential_ews: R's density() fails with these arguments (the bandwidth is 0: more than "
            "half of the values are tied, so the IQR is 0); as R does, the default density(x) is used "
            "instead (bandwidth nrd0, no weights, 512 points over min - 3 bw .. max + 3 bw).",
            EWSWarning, stacklevel=3)
        h = bw_nrd0(x)
        grid, y = _r_density(x, h, 512, float(x.min()) - 3 * h, float(x.max()) + 3 * h, None)
    else:
        grid, y = _r_density(x, h, grid_size, float(x.min()), float(x.max()), weights)
    f = y + density_smoothing * 1.0 / (grid.max() - grid.min())
    f = f / np.sum((grid[1] - grid[0]) * f)
    with np.errstate(divide="ignore"):
        pot = -np.log(f) * std ** 2 / 2
    minima, maxima = _find_optima(f, detection_threshold, h, detection_limit)
    min_inds, max_inds = _inds(minima), _inds(maxima)
    return LivPotentialResult(
        grid_points=grid, pot=pot, density=f, min_inds=min_inds, max_inds=max_inds, bw=float(h),
        min_points=grid[min_inds], max_points=grid[max_inds], detection_threshold=None, std=float(std),
        fallback=fallback)


def livpotential_ews(x, std=1, bw="nrd", weights=None, grid_size=None, detection_threshold=1, bw_adjust=1,
                     density_smoothing=0, detection_limit=1) -> LivPotentialResult:
    """R ``earlywarnings::livpotential_ews``: potential analysis of one series (Livina et al. 2010).

    Parameters (R's, in Python spelling: ``grid_size`` is R's ``grid.size`` and so on)
    ----------
    x : 1-D array-like (also a pandas Series, a 1-column DataFrame or a one-row TimeSeries)
    std : noise standard deviation s; U = -log(f) s^2 / 2.
    bw : "nrd" (default), "nrd0" or a positive number; multiplied by ``bw_adjust``.
    weights : optional non-negative weights, one per point (R warns when they do not sum to 1).
    grid_size : number of grid points over [min(x), max(x)]; default floor(0.2 n).
    detection_threshold, detection_limit : multiples of the kernel height dnorm(0, sd=bw)/grid_size
        (see the module docstring for ``find.optima``'s rules).
    bw_adjust, density_smoothing : as in R.

    Returns
    -------
    LivPotentialResult
        ``grid_points, pot, density`` (grid_size,), ``min_inds, max_inds`` (0-based), ``bw``,
        ``min_points, max_points``, ``detection_threshold`` (always None, as in R), plus ``.table()``,
        ``.optima()``, ``.to_xarray()``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> x = np.concatenate([rng.normal(-2, 0.5, 500), rng.normal(2, 0.5, 500)])
    >>> res = livpotential_ews(x)
    >>> len(res.max_inds)
    2
    """
    xv = _as_vector(x, "livpotential_ews: x")
    _check_finite(xv, "x")
    if xv.size < 2:
        raise InputError(f"x has {xv.size} point(s); R's density() needs at least 2 to choose a "
                         "bandwidth. Give a longer series.")
    g = _grid_size(grid_size, xv.size)
    std = _number(std, "std")
    bw_adjust = _number(bw_adjust, "bw_adjust", positive=True)
    density_smoothing = _number(density_smoothing, "density_smoothing", nonneg=True)
    detection_threshold = _number(detection_threshold, "detection_threshold")
    detection_limit = _number(detection_limit, "detection_limit")
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=float).reshape(-1)
        if w.size == 0:
            w = None  # R: weights = c() is NULL
    if w is not None:
        if w.size != xv.size:
            raise InputError(f"weights has {w.size} values for {xv.size} points; give one weight per point "
                             "(R would silently fall back to the unweighted default density).")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise InputError("weights must be finite and non-negative (R would silently fall back to the "
                             "unweighted default density).")
        wsum = float(w.sum())
        if not abs(1.0 - wsum) < 1.5e-8:  # R: isTRUE(all.equal(1, sum(weights)))
            warnings.warn("sum(weights) != 1  -- will not get true density (R's warning; the density is "
                          "normalised afterwards anyway)", EWSWarning, stacklevel=2)
    return _livpotential(xv, std, bw, w, g, detection_threshold, bw_adjust, density_smoothing,
                         detection_limit)


def movpotential_ews(X, param=None, bw="nrd", bw_adjust=1, detection_threshold=0.1, std=1, grid_size=50,
                     plot_cutoff=0.5, plot_contours=True, binwidth=0.2, bins=None) -> MovPotentialResult:
    """R ``earlywarnings::movpotential_ews``: the potential landscape along a driver (Hirota et al. 2011).

    Row i (of ``grid_size``) is ``livpotential_ews(X, std, bw, bw_adjust, weights_i, grid_size)`` with
    Gaussian weights of sd = step centred at par_i = min(param) + (i - 1/2) step, step = range(param) /
    grid_size. **detection_threshold is not used** (R does not pass it on; livpotential's default 1
    applies): reproduced. ``plot_cutoff``, ``plot_contours``, ``binwidth`` and ``bins`` only shape R's
    plot and are ignored (no plotting).

    Returns
    -------
    MovPotentialResult
        ``pars, xis, pots`` (grid_size, grid_size) float, ``mins, maxs`` (grid_size, grid_size) bool
        (density minima / maxima), ``std``; ``.table()`` (long form) and ``.to_xarray()`` (dims
        parameter x state).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> X = np.concatenate([rng.normal(0, 1, 300), rng.normal(-2, 1, 300), rng.normal(2, 1, 300)])
    >>> res = movpotential_ews(X, np.linspace(0, 5, 900), grid_size=20)
    >>> res.pots.shape
    (20, 20)
    """
    xv = _as_vector(X, "movpotential_ews: X")
    if param is None:
        pv = np.arange(1, xv.size + 1, dtype=float)
    else:
        pv = _as_vector(param, "movpotential_ews: param")
        if pv.size != xv.size:
            raise InputError(f"param has {pv.size} values for {xv.size} observations; give one per "
                             "observation.")
    nas = np.isnan(xv) | np.isnan(pv)
    if nas.any():
        warnings.warn("The data contains NAs, removing the associated samples from X and param input "
                      f"arguments ({int(nas.sum())} samples; R's warning).", EWSWarning, stacklevel=2)
        xv, pv = xv[~nas], pv[~nas]
    _check_finite(xv, "X")
    _check_finite(pv, "param")
    if xv.size < 2:
        raise InputError(f"X has {xv.size} usable point(s); at least 2 are needed.")
    g = _grid_size(grid_size, xv.size)
    std = _number(std, "std")
    bw_adjust = _number(bw_adjust, "bw_adjust", positive=True)
    _number(detection_threshold, "detection_threshold")  # accepted, unused: R's bug
    minparam, maxparam = float(pv.min()), float(pv.max())
    step = (maxparam - minparam) / g
    if not step > 0:
        raise InputError("param is constant, so the moving-window step is 0 and R's weights are NaN. "
                         "Give a param that varies.")
    if _bandwidth(xv, bw, bw_adjust) is None:
        raise InputError("the bandwidth of X is 0 (more than half of the values are tied, IQR = 0): R's "
                         "livpotential_ews then falls back to a 512-point density and movpotential_ews "
                         "fails. Give bw as a positive number.")
    pars = np.zeros((g, g))
    xis = np.zeros((g, g))
    pots = np.zeros((g, g))
    mins = np.zeros((g, g), bool)
    maxs = np.zeros((g, g), bool)
    h = float("nan")
    for i in range(g):
        par = minparam + (i + 0.5) * step
        w = np.exp(-0.5 * (np.abs(par - pv) / step) ** 2)
        w = w / w.sum()
        tmp = _livpotential(xv, std, bw, w, g, 1.0, bw_adjust, 0.0, 1.0)  # detection.threshold not passed
        pots[i] = tmp.pot
        xis[i] = tmp.grid_points
        pars[i] = par
        mins[i, tmp.min_inds] = True
        maxs[i, tmp.max_inds] = True
        h = tmp.bw
    return MovPotentialResult(pars=pars, xis=xis, pots=pots, mins=mins, maxs=maxs, std=float(std), bw=h)
