"""Drift-diffusion-jump nonparametrics (Carpenter & Brock 2011): kernel conditional moments of the
increments, split into drift, diffusion and jumps.

References: Carpenter, S. R. & Brock, W. A. (2011) Early warnings of unknown nonlinear shifts: a
nonparametric approach. Ecology 92:2196-2201. Bandi, F. M. & Nguyen, T. H. (2003) On the functional
estimation of jump-diffusion models. J Econometrics 116:293-328. Johannes, M. (2004) The statistical
and economic role of jumps in continuous-time interest rate models. J Finance 59:227-260.

Model: ``dx = mu(x) dt + sigma(x) dW + Z dN``, jumps ``Z ~ N(0, sigma_Z^2)`` arriving at rate
``lambda(x)``. Its conditional moments of the increments per unit time, as dt -> 0, are
``M1 = mu``, ``M2 = sigma^2 + lambda sigma_Z^2``, ``M4 = 3 lambda sigma_Z^4``,
``M6 = 15 lambda sigma_Z^6``, so ``sigma_Z^2 = M6 / (5 M4)`` and ``lambda = M4 / (3 sigma_Z^4)``.

Estimator, for each series ``x_1..x_n`` (the state; time step ``dt``) and each state ``a`` on a grid of
``grid`` equally spaced points from ``min x`` to ``max x``:

* ``h = bandwidth * sd(x)`` (sd with n - 1), ``K_i(a) = exp(-(x_i - a)^2 / (2 h^2))`` for the regressors
  ``x_1..x_{n-1}`` (normalising constants cancel in the ratios), ``dx_i = x_{i+1} - x_i``;
* ``M_k(a) = (1/dt) sum_i K_i dx_i^k / sum_i K_i`` for k = 1, 2, 4, 6 (``drift = M1``,
  ``total variance = M2``);
* conditional variance of the next value: ``S2(a) = sum_i K_i (x_{i+1} - m(a))^2 / sum_i K_i``,
  ``m(a) = sum_i K_i x_{i+1} / sum_i K_i``;
* jump variance ``sigma_Z^2 = mean_a(M6(a) / M4(a)) / 5`` (one number per series, the grid average),
  jump intensity ``lambda(a) = M4(a) / (3 sigma_Z^4)``, diffusion
  ``sigma^2(a) = max(0, M2(a) - lambda(a) sigma_Z^2)``;
* time courses: each quantity interpolated linearly on the grid at the observed states ``x_t``.

Reading the numbers: the split rests on the jumps being large next to the diffusion increments over
one step. On a pure diffusion sampled at step dt the increments are Gaussian with variance
``sigma^2 dt``, and the estimator reads them as jumps of that size arriving every step:
``sigma_Z^2 -> sigma^2 dt``, ``lambda -> 1 / dt``, diffusion -> 0 (``M2 = sigma^2`` is still right).
With rare large jumps (``sigma_Z^2 >> sigma^2 dt``), ``sigma_Z^2`` and ``lambda`` estimate the jumps
and the diffusion estimates ``sigma^2``. Compare ``jump_variance`` with ``total_variance * dt`` to tell
the two apart.

What R ``earlywarnings::ddjnonparam_ews`` computes (QUIRKS 2.7; reproduced by
``ews.compat.earlywarnings.ddjnonparam_ews``) and where this differs: R log-transforms ``log(x + 1)`` by
default (here: no transform; pass the logged series to compare), drops the drift, takes
``DT = t_2 - t_1`` (here: the time axis' regular step, or ``dt``), and computes ``S2`` in one pass as
``E[x^2] - E[x]^2`` (here two-pass); the kernel weights here are scaled by the largest weight of each
grid point, so a grid point far from every observation still gets the values of its nearest
observations instead of 0/0.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd

from .._errors import EWSWarning, InputError
from .._validate import show
from ._ch import leading, row_labels

REFERENCE = ("Carpenter & Brock 2011, Ecology 92:2196; Bandi & Nguyen 2003, J Econometrics 116:293; "
             "Johannes 2004, J Finance 59:227")
GRID_VARS = ("drift", "m2", "m4", "m6", "conditional_variance", "total_variance", "diffusion",
             "jump_intensity")
TIME_VARS = ("drift", "conditional_variance", "total_variance", "diffusion", "jump_intensity")
_CHUNK = 2_000_000  # kernel values held at once


def _row_ddj(x, bandwidth, grid, dt):
    """DDJ of one series (1-D float64, >= 3 points, not constant): dict of grid arrays and scalars."""
    n = x.size
    dx = np.diff(x)
    x0 = x[:-1]
    x1 = x[1:]
    h = bandwidth * float(np.std(x, ddof=1))
    lo, hi = float(x.min()), float(x.max())
    by = (hi - lo) / (grid - 1)
    states = lo + np.arange(grid) * by
    states[-1] = hi
    dx2 = dx * dx
    P = np.stack([np.ones(n - 1), dx, dx2, dx2 * dx2, dx2 * dx2 * dx2, x1])  # (6, n-1)
    sums = np.empty((grid, 6))
    s2 = np.empty(grid)
    step = max(1, _CHUNK // max(n - 1, 1))
    for g0 in range(0, grid, step):
        a = states[g0:g0 + step]
        u = (x0[None, :] - a[:, None]) / h
        e = -0.5 * u * u
        K = np.exp(e - e.max(axis=1, keepdims=True))  # the largest weight of each grid point is 1
        S = K @ P.T
        sums[g0:g0 + step] = S
        m = S[:, 5] / S[:, 0]
        d = x1[None, :] - m[:, None]
        s2[g0:g0 + step] = np.einsum("gi,gi->g", K, d * d) / S[:, 0]
    W = sums[:, 0]
    M1, M2, M4, M6 = (sums[:, k] / W / dt for k in (1, 2, 3, 4))
    with np.errstate(invalid="ignore", divide="ignore"):
        sz2 = float(np.mean(M6 / M4)) / 5.0
        lam = M4 / (3.0 * sz2 * sz2)
    diff = np.maximum(M2 - lam * sz2, 0.0)
    return {"states": states, "drift": M1, "m2": M2, "m4": M4, "m6": M6, "conditional_variance": s2,
            "total_variance": M2, "diffusion": diff, "jump_intensity": lam,
            "jump_variance": sz2, "bandwidth": h}


class DDJResult:
    """Result of :func:`ddj`.

    Attributes (leading dims of the input first)
    ----------
    states : (..., grid) the state grid of each series.
    drift, m2, m4, m6, conditional_variance, total_variance, diffusion, jump_intensity : (..., grid).
    jump_variance : (...) sigma_Z^2 per series; bandwidth : (...) kernel bandwidth h; dt : time step.
    drift_t, conditional_variance_t, total_variance_t, diffusion_t, jump_intensity_t : (..., time)
        the time courses (each quantity at the observed state; NaN past a row's length or for a failed
        row).
    """

    def __init__(self, ts, out, dt, bandwidth_factor, grid, input):
        self._lead_shape, self._lead_dims, self._coords = leading(ts)
        ls = self._lead_shape
        for k in ("states",) + GRID_VARS:
            setattr(self, k, out[k].reshape(ls + (grid,)))
        for k in TIME_VARS:
            setattr(self, k + "_t", out[k + "_t"].reshape(ts.shape))
        self.jump_variance = out["jump_variance"].reshape(ls)
        self.bandwidth = out["bandwidth"].reshape(ls)
        self.dt = dt
        self.time = ts.time
        self.grid = grid
        self._params = {"bandwidth": bandwidth_factor, "grid": grid, "dt": dt, "input": input}

    def table(self, kind: str = "grid") -> pd.DataFrame:
        """Tidy table. ``kind="grid"``: one row per series x grid point (``state`` and the grid
        quantities, ``jump_variance``, ``bandwidth``); ``kind="time"``: one row per series x time point
        (``time`` and the time courses; only the points inside each row's length)."""
        if kind not in ("grid", "time"):
            raise InputError(f"kind must be 'grid' or 'time', got {show(kind)}.")
        labels = row_labels(self._lead_shape, self._lead_dims, self._coords)
        nrow = len(labels)
        if kind == "grid":
            ri = np.repeat(np.arange(nrow), self.grid)
            df = labels.iloc[ri].reset_index(drop=True) if self._lead_shape else pd.DataFrame(index=range(ri.size))
            df["state"] = self.states.reshape(-1)
            for k in GRID_VARS:
                df[k] = getattr(self, k).reshape(-1)
            df["jump_variance"] = self.jump_variance.reshape(-1)[ri]
            df["bandwidth"] = self.bandwidth.reshape(-1)[ri]
            return df
        n = self.time.shape[0]
        keep = ~np.isnan(self.total_variance_t.reshape(-1, n))
        ri, ti = np.nonzero(keep)
        df = labels.iloc[ri].reset_index(drop=True) if self._lead_shape else pd.DataFrame(index=range(ri.size))
        df["time"] = self.time[ti]
        for k in TIME_VARS:
            df[k] = getattr(self, k + "_t").reshape(-1, n)[ri, ti]
        return df

    def to_xarray(self):
        """xarray Dataset: the grid quantities over (..., ``grid``) with ``states``, the time courses
        over (..., ``time``) named ``<quantity>_t``, ``jump_variance`` and ``bandwidth`` per series."""
        import xarray as xr

        L = self._lead_dims
        data = {k: (L + ("grid",), getattr(self, k)) for k in ("states",) + GRID_VARS}
        data.update({k + "_t": (L + ("time",), getattr(self, k + "_t")) for k in TIME_VARS})
        data["jump_variance"] = (L, self.jump_variance)
        data["bandwidth"] = (L, self.bandwidth)
        ds = xr.Dataset(data, coords={"time": ("time", self.time), "grid": ("grid", np.arange(self.grid)),
                                      **self._coords})
        ds.attrs.update({"method": "drift-diffusion-jump kernel moments (Bandi-Nguyen / Johannes)",
                         "reference": REFERENCE, "bandwidth_factor": self._params["bandwidth"],
                         "grid_points": self.grid, "dt": self.dt, "input": self._params["input"]})
        return ds

    def __repr__(self) -> str:
        where = f"{int(np.prod(self._lead_shape))} series" if self._lead_shape else "1 series"
        jv = self.jump_variance
        extra = f", jump_variance={float(jv):.4g}" if np.ndim(jv) == 0 else ""
        return f"DDJResult({where}, {self.grid} grid points, dt={self.dt:g}{extra})"


def ddj(data, *, bandwidth: float = 0.6, grid: int = 500, dt: float | None = None,
        input: str = "state") -> DDJResult:
    """Drift, diffusion and jumps of each series by kernel conditional moments (see the module
    docstring for the formulas).

    Parameters
    ----------
    data : TimeSeries or anything ``ews.as_timeseries`` accepts (each row one series).
    bandwidth : kernel bandwidth as a multiple of each series' sd (R's default 0.6).
    grid : number of grid states from min to max of each series (>= 2).
    dt : time step; default: the step of the (regular) time axis.
    input : ``"state"`` (default) or ``"residuals"``.

    Returns
    -------
    DDJResult. A series that is constant or shorter than 3 points gives NaN and a warning naming it.

    Examples
    --------
    >>> import numpy as np
    >>> from ews.nonlinear._ddj import ddj
    >>> res = ddj(np.cumsum(np.random.default_rng(0).normal(size=300)), grid=50)
    >>> res.drift.shape, res.diffusion_t.shape
    ((50,), (300,))
    """
    from ..series import as_timeseries

    if isinstance(bandwidth, (bool, np.bool_)) or not isinstance(bandwidth, numbers.Real) \
            or not (np.isfinite(bandwidth) and bandwidth > 0):
        raise InputError(f"bandwidth must be a positive number (a multiple of the series' sd, e.g. 0.6); "
                         f"got {show(bandwidth)}.")
    if isinstance(grid, (bool, np.bool_)) or not isinstance(grid, numbers.Integral) or grid < 2:
        raise InputError(f"grid must be a whole number of states >= 2 (e.g. 500); got {show(grid)}.")
    if input not in ("residuals", "state"):
        raise InputError(f"input must be 'state' or 'residuals', got {show(input)}.")
    ts = as_timeseries(data)
    if dt is None:
        if ts.n < 2:
            raise InputError("a series of one point has no time step; DDJ needs at least 3 points.")
        if not ts.is_regular:
            raise InputError("the time axis is not regular, so it has no single time step; pass dt=... or "
                             "regularize the series first (ts.regularize()).")
        dt = float(ts.step)
    elif isinstance(dt, (bool, np.bool_)) or not isinstance(dt, numbers.Real) or not (np.isfinite(dt) and dt > 0):
        raise InputError(f"dt must be a positive number (the time step), got {show(dt)}.")
    dt = float(dt)
    grid = int(grid)
    X = ts.rows(input)
    lengths = ts.row_lengths()
    nrow, n = X.shape
    out = {k: np.full((nrow, grid), np.nan) for k in ("states",) + GRID_VARS}
    out.update({k + "_t": np.full((nrow, n), np.nan) for k in TIME_VARS})
    out["jump_variance"] = np.full(nrow, np.nan)
    out["bandwidth"] = np.full(nrow, np.nan)
    failed = []
    for i in range(nrow):
        x = np.asarray(X[i, :lengths[i]], dtype=np.float64)
        if x.size < 3 or x.min() == x.max():
            failed.append(i)
            continue
        r = _row_ddj(x, float(bandwidth), grid, dt)
        for k in ("states",) + GRID_VARS:
            out[k][i] = r[k]
        for k in TIME_VARS:
            out[k + "_t"][i, :x.size] = np.interp(x, r["states"], r[k])
        out["jump_variance"][i] = r["jump_variance"]
        out["bandwidth"][i] = r["bandwidth"]
    if failed:
        what = "the series is" if nrow == 1 else f"{len(failed)} of {nrow} series (first: row {failed[0]}) are"
        if len(failed) == nrow and nrow == 1:
            raise InputError("the series is constant or shorter than 3 points; DDJ needs a series that varies.")
        warnings.warn(f"{what} constant or shorter than 3 points; their DDJ values are NaN.",
                      EWSWarning, stacklevel=2)
    return DDJResult(ts, out, dt, float(bandwidth), grid, input)
