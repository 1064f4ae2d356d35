r"""The BDS test of independence (Brock, Dechert, Scheinkman & LeBaron 1996, Econometric Reviews
15:197-235) on first differences, ARMA residuals and GARCH-standardised residuals, with an iid bootstrap.

The statistic
-------------
For a series x_1..x_n and a distance eps, the pair (s, t) is *close* when |x_s - x_t| < eps. The
m-histories x_t^m = (x_t, .., x_{t+m-1}), t = 1..n-m+1, are close when every one of their m pairs is.
The correlation sum C_m is the fraction of the N_m (N_m - 1)/2 pairs of histories (s < t) that are close.
Under iid, C_m = C_1^m, and

    W_m = sqrt(N_m) (C_m - C_1^m) / sigma_m,
    sigma_m^2 = 4 [K^m + 2 sum_{j=1}^{m-1} K^{m-j} C^{2j} + (m-1)^2 C^{2m} - m^2 K C^{2m-2}],
    K = sum_t d_t (d_t - 1) / (n (n-1) (n-2)),  d_t = #{s != t: |x_s - x_t| < eps},

is asymptotically N(0, 1) (BDS 1996, Theorem 2.1; K is Dechert's U-statistic for the triple
probability). The p-value from the normal is two-sided, 2 Phi(-|W_m|).

Which points enter which sum (two conventions, both asymptotically equivalent)
-----------------------------------------------------------------------------
``"statsmodels"`` (the ews default; identical to ``statsmodels.tsa.stattools.bds``):
    strict ``<``; for each m, N_m = n - m + 1; C_1 in the effect is counted on the *last* N_m points
    (x_m..x_n, Kanzler 1999's matching of points); C and K in sigma_m on all n points.
``"tseries"`` (R ``tseries::bds.test``, LeBaron's C code, used by ``ews.compat``):
    ``<=``; one N = n - M + 1 for every m (M the largest dimension); C_1, K and every C_m on the
    *first* N points; W_m = (C_m - C_1^m) / sqrt(sigma_m^2 / N).
The two give different numbers for the same data and eps (on R's devfold first differences, m = 2,
eps = 0.5 sd: -1.88 against -1.14): the effect C_m - C_1^m is O(n^-1/2) and dropping the first rather
than the last m - 1 points from C_1 moves it by O(1/n), i.e. W by O(n^-1/2) times the local density
difference at the two ends, which is large in a series whose spread drifts.

Computation: one walk along each diagonal d = t - s of the pair matrix counts, for each eps at once,
the close pairs, each point's neighbours d_t, and the length of the run of consecutive close pairs
ending at (s, t); a run of length >= m closes the m-history pair starting m - 1 steps back. O(n^2) per
series and eps, no n x n matrix. Counts are integers, so the statistic equals statsmodels' to rounding.

The test (:func:`bds_test`)
---------------------------
Stages (each row of the input separately, each with its own fits):

``"diff"``  E = x_{t+1} - x_t.
``"arma"``  E = standardised one-step forecast errors v_t / sqrt(F_t) of an ARMA(p, q) with a constant,
            fitted by exact Gaussian maximum likelihood (statsmodels ``ARIMA(order=(p, 0, q),
            trend="c")``). With ``arma_order=None`` (p, q) minimises the AIC over p = 0..3, q = 0..3,
            not both 0 (15 fits).
``"garch"`` E = z_t / sigma_t, the standardised residuals of a zero-mean GARCH(p, q) (``arch``:
            ``arch_model(z, mean="Zero", vol="GARCH", p=p, q=q)``, p lags of z^2, q lags of sigma^2)
            fitted to the ARMA stage's residuals z (scaled to unit sd, which leaves z / sigma unchanged).
            Fitted to the ARMA residuals, not to the series (R's ``bdstest_ews`` fits the raw level Y):
            a GARCH describes the conditional variance of *innovations*; fitted to a level whose mean
            is far from zero it models the level, and its residuals are not iid under any null.

For each stage, m = 2..max_dim and each eps = epsilon * sd(E) (sd with ddof = 1, absolute units):
W_m, its normal p-value, and a bootstrap p-value from ``boots`` resamples of E with replacement
(iid under the null, same length, same absolute eps):

    p_bootstrap = (1 + #{W*_b >= W}) / (B + 1)

(one-sided: BDS statistics of dependent series are positive; :func:`ews.pvalues.pvalue`).
Randomness: the resamples of row i, stage k come from ``SeedSequence(seed entropy, spawn_key=(i, k))``
(k = 0 diff, 1 arma, 2 garch), so a row's numbers do not depend on the other rows or stages.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .._errors import EWSWarning, InputError
from .._kernels.bds import _bds_row
from .._random import seed_sequence
from .._validate import show
from ..pvalues import pvalue

CONVENTIONS = ("statsmodels", "tseries")
STAGES = ("diff", "arma", "garch")
ARMA_GRID = tuple((p, q) for p in range(4) for q in range(4) if p or q)
MIN_POINTS = 10
"""A stage's series needs at least ``max_dim + MIN_POINTS`` points (fewer: NaN and a warning)."""


# ----------------------------------------------------------------------------------------------------
# kernel
# ----------------------------------------------------------------------------------------------------
def bds_statistics(X, eps, max_dim: int, convention: str = "statsmodels", lengths=None) -> np.ndarray:
    """BDS statistics of the rows of ``X`` (rows, n) for the absolute distances ``eps`` (rows, ne) or (ne,).

    Returns (rows, ne, max_dim - 1): ``out[i, e, m - 2]`` is W_m of row i at eps[i, e]. No validation
    (the public functions validate); NaN where undefined (a row shorter than max_dim + 3, a zero
    variance estimate).
    """
    X = np.ascontiguousarray(np.atleast_2d(X), dtype=np.float64)
    nr = X.shape[0]
    eps = np.asarray(eps, dtype=np.float64)
    if eps.ndim == 1:
        eps = np.broadcast_to(eps, (nr, eps.size))
    eps = np.ascontiguousarray(eps)
    if lengths is None:
        lengths = np.full(nr, X.shape[1], dtype=np.int64)
    lengths = np.ascontiguousarray(lengths, dtype=np.int64)
    out = np.empty((nr, eps.shape[1], max_dim - 1))
    _bds_row(X, lengths, eps, int(max_dim), CONVENTIONS.index(convention), out)
    return out


def bootstrap_statistics(E, eps, max_dim: int, boots: int, rng: np.random.Generator,
                         convention: str = "statsmodels") -> np.ndarray:
    """W_m of ``boots`` resamples of ``E`` with replacement (same length, same absolute ``eps``), in one
    batched kernel call. Returns (boots, ne, max_dim - 1)."""
    E = np.asarray(E, dtype=np.float64)
    idx = rng.integers(0, E.size, size=(boots, E.size))
    return bds_statistics(E[idx], np.asarray(eps, float), max_dim, convention)


# ----------------------------------------------------------------------------------------------------
# BLAS threads: statsmodels' small state-space solves run ~8x slower with OpenBLAS threads on a busy
# machine (measured: 15 ARMA fits 3.2 s -> 0.4 s); the fits run with one BLAS thread (threadpoolctl).
# ----------------------------------------------------------------------------------------------------
def one_blas_thread():
    """Context manager: the block runs with one BLAS thread (restored afterwards)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


# ----------------------------------------------------------------------------------------------------
# the fits (statsmodels ARIMA, arch GARCH)
# ----------------------------------------------------------------------------------------------------
def fit_arma(y, order=None):
    """Exact-ML ARMA(p, q) with a constant (statsmodels ARIMA); ``order=None``: the smallest AIC over
    :data:`ARMA_GRID`. Returns (standardised forecast errors (n,), (p, q), params dict, aic)."""
    from statsmodels.tsa.arima.model import ARIMA

    y = np.asarray(y, dtype=np.float64)
    orders = ARMA_GRID if order is None else (tuple(order),)
    best = None
    with one_blas_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p, q in orders:
            try:
                res = ARIMA(y, order=(p, 0, q), trend="c").fit(cov_type="none", low_memory=True)
            except (ValueError, np.linalg.LinAlgError):
                continue
            aic = float(res.aic)
            if math.isfinite(aic) and (best is None or aic < best[2]):
                best = ((p, q), res, aic)
        if best is None:
            raise ValueError("no ARMA order could be fitted")
        (p, q), res, aic = best
        model = ARIMA(y, order=(p, 0, q), trend="c")
        filt = model.filter(res.params)
        z = np.asarray(filt.filter_results.standardized_forecasts_error[0], dtype=np.float64)
        params = {k: float(v) for k, v in zip(model.param_names, np.asarray(res.params, float))}
    return z, (p, q), params, aic


def fit_garch(z, order=(1, 1)):
    """Zero-mean GARCH(p, q) (arch) on ``z`` scaled to unit sd; returns (z / sigma, params dict)."""
    from arch import arch_model

    z = np.asarray(z, dtype=np.float64)
    s = np.std(z, ddof=1)
    with one_blas_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        am = arch_model(z / s, mean="Zero", vol="GARCH", p=int(order[0]), q=int(order[1]), rescale=False)
        res = am.fit(disp="off", show_warning=False)
    if res.convergence_flag != 0:
        raise ValueError(f"the GARCH fit did not converge (optimizer flag {res.convergence_flag})")
    std = np.asarray(res.std_resid, dtype=np.float64)
    return std, {k: float(v) for k, v in res.params.items()}


# ----------------------------------------------------------------------------------------------------
# result
# ----------------------------------------------------------------------------------------------------
class BDSResult:
    """Result of :func:`bds_test`.

    Arrays have the input's leading shape first (nothing for one series), then
    ``(stage, m, epsilon)``:

    statistic, p_normal, p_bootstrap : W_m, 2 Phi(-|W_m|), (1 + #{W* >= W}) / (B + 1)
    eps : (…, stage, epsilon) absolute distances (epsilon * sd(E))
    n_obs : (…, stage) points in each stage's series
    arma_order : (…, 2) the (p, q) used (-1 where no ARMA was fitted)
    residuals : {stage: list (one 1-D array per row)} the series each stage tested
    fits : list (one dict per row) of the fitted parameters ("arma", "garch", "arma_aic")
    """

    def __init__(self, statistic, p_normal, p_bootstrap, eps, n_obs, arma_order, residuals, fits, *,
                 stages, max_dim, epsilon, boots, garch_order, arma_order_given, lead_shape, lead_dims,
                 coords, seed):
        self._stat, self._pn, self._pb = statistic, p_normal, p_bootstrap
        self._eps, self._nobs, self._order = eps, n_obs, arma_order
        self.residuals, self.fits = residuals, fits
        self.stages, self.max_dim, self.epsilon = tuple(stages), int(max_dim), tuple(epsilon)
        self.boots, self.garch_order = int(boots), tuple(garch_order)
        self.arma_order_given = arma_order_given
        self._lead_shape, self._lead_dims, self._coords = tuple(lead_shape), tuple(lead_dims), coords
        self.seed = seed
        self.m = np.arange(2, self.max_dim + 1)

    def _out(self, a):
        a = np.asarray(a)
        return a.reshape(self._lead_shape + a.shape[1:])

    statistic = property(lambda self: self._out(self._stat), doc="W_m, (…, stage, m, epsilon)")
    p_normal = property(lambda self: self._out(self._pn), doc="two-sided normal p, (…, stage, m, epsilon)")
    p_bootstrap = property(lambda self: self._out(self._pb), doc="bootstrap p, (…, stage, m, epsilon)")
    eps = property(lambda self: self._out(self._eps), doc="absolute eps, (…, stage, epsilon)")
    n_obs = property(lambda self: self._out(self._nobs), doc="points per stage, (…, stage)")
    arma_order = property(lambda self: self._out(self._order), doc="(p, q) per row, (…, 2)")

    @property
    def n_rows(self) -> int:
        return self._stat.shape[0]

    def table(self):
        """Tidy DataFrame: row, stage, m, epsilon, eps, n_obs, statistic, p_normal, p_bootstrap (one row
        per series x stage x m x epsilon; ``row`` is the flat row index, the leading coordinates follow
        when the input had leading dimensions)."""
        import pandas as pd

        R, S, Mm, ne = self._stat.shape
        ri, si, mi, ei = np.meshgrid(np.arange(R), np.arange(S), np.arange(Mm), np.arange(ne), indexing="ij")
        ri, si, mi, ei = (a.reshape(-1) for a in (ri, si, mi, ei))
        df = pd.DataFrame({
            "row": ri,
            "stage": np.asarray(self.stages, dtype=object)[si],
            "m": self.m[mi],
            "epsilon": np.asarray(self.epsilon, float)[ei],
            "eps": self._eps[ri, si, ei],
            "n_obs": self._nobs[ri, si],
            "statistic": self._stat.reshape(-1),
            "p_normal": self._pn.reshape(-1),
            "p_bootstrap": self._pb.reshape(-1),
        })
        if self._lead_dims:
            pos = np.unravel_index(ri, self._lead_shape)
            for j, d in enumerate(self._lead_dims):
                vals = np.arange(self._lead_shape[j])
                c = self._coords.get(d)
                if c is not None and tuple(c[0]) == (d,):
                    vals = np.asarray(c[1])
                df.insert(1 + j, d, vals[pos[j]])
        return df

    def to_xarray(self):
        """xarray Dataset: statistic, p_normal, p_bootstrap (…, stage, m, epsilon); eps (…, stage,
        epsilon); n_obs (…, stage); arma_p, arma_q (…); attrs name the method and parameters."""
        import xarray as xr

        L = self._lead_dims
        coords = {"stage": list(self.stages), "m": self.m, "epsilon": np.asarray(self.epsilon, float)}
        for k, (dims, v) in self._coords.items():
            if set(dims) <= set(L):
                coords[k] = (dims, v)
        ds = xr.Dataset(
            {
                "statistic": (L + ("stage", "m", "epsilon"), self.statistic),
                "p_normal": (L + ("stage", "m", "epsilon"), self.p_normal),
                "p_bootstrap": (L + ("stage", "m", "epsilon"), self.p_bootstrap),
                "eps": (L + ("stage", "epsilon"), self.eps),
                "n_obs": (L + ("stage",), self.n_obs),
                "arma_p": (L, self.arma_order[..., 0]),
                "arma_q": (L, self.arma_order[..., 1]),
            },
            coords=coords,
        )
        ds.attrs.update({
            "method": "BDS test (Brock, Dechert, Scheinkman & LeBaron 1996), statsmodels convention",
            "stages": ", ".join(self.stages),
            "max_dim": self.max_dim,
            "epsilon_in_sd": list(self.epsilon),
            "boots": self.boots,
            "p_bootstrap": "(1 + #{W* >= W}) / (B + 1), iid resamples of each stage's series",
            "arma_order": "AIC over p, q = 0..3" if self.arma_order_given is None else str(self.arma_order_given),
            "garch_order": f"GARCH(p={self.garch_order[0]}, q={self.garch_order[1]}) (arch) on the ARMA residuals",
            "seed_entropy": str(self.seed.entropy),
        })
        return ds

    def __repr__(self) -> str:
        what = "1 series" if not self._lead_shape else f"{self.n_rows} rows {self._lead_shape}"
        if not self._lead_shape and self.n_rows == 1:
            parts = []
            for si, s in enumerate(self.stages):
                parts.append(f"{s}: W={np.array2string(self._stat[0, si], precision=2)}")
            body = "; ".join(parts)
            return (f"BDSResult({what}, m=2..{self.max_dim}, epsilon={list(self.epsilon)} sd, boots={self.boots}; "
                    f"{body})")
        return (f"BDSResult({what}, stages={list(self.stages)}, m=2..{self.max_dim}, "
                f"epsilon={list(self.epsilon)} sd, boots={self.boots})")


# ----------------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------------
def _check_int(v, what, lo):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < lo:
        raise InputError(f"{what} must be a whole number >= {lo}, got {show(v)}.")
    return int(v)


def check_epsilon(epsilon, what="epsilon") -> tuple:
    vals = np.atleast_1d(np.asarray(epsilon, dtype=object))
    out = []
    for v in vals.reshape(-1):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not (math.isfinite(v) and v > 0):
            raise InputError(f"{what} must be positive numbers (distances in units of the series' sd), "
                             f"got {show(v)} in {show(epsilon)}.")
        out.append(float(v))
    if not out:
        raise InputError(f"{what} must hold at least one distance, e.g. (0.5, 0.75, 1.0).")
    return tuple(out)


def check_max_dim(max_dim, what="max_dim") -> int:
    return _check_int(max_dim, what, 2)


def _check_order(order, what, p_min=0):
    try:
        p, q = order
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a pair (p, q) of whole numbers, got {show(order)}.") from None
    p = _check_int(p, f"{what}[0]", p_min)
    q = _check_int(q, f"{what}[1]", 0)
    return p, q


def _check_stages(on) -> tuple:
    if isinstance(on, str):
        on = (on,)
    try:
        on = tuple(on)
    except TypeError:
        raise InputError(f"on must be a stage name or a sequence of them from {STAGES}, got {show(on)}.") from None
    if not on:
        raise InputError(f"on must name at least one stage from {STAGES}.")
    for s in on:
        if s not in STAGES:
            raise InputError(f"on: unknown stage {show(s)}; choose from {STAGES}.")
    if len(set(on)) != len(on):
        raise InputError(f"on names a stage twice: {show(on)}.")
    return on


def stage_seed(root: np.random.SeedSequence, row: int, stage: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (int(row), int(stage)))))


# ----------------------------------------------------------------------------------------------------
# the test
# ----------------------------------------------------------------------------------------------------
def bds_test(data, *, on=STAGES, max_dim: int = 3, epsilon=(0.5, 0.75, 1.0), boots: int = 1000,
             arma_order=None, garch_order=(1, 1), seed=None) -> BDSResult:
    """BDS test of iid-ness on first differences, ARMA residuals and GARCH-standardised residuals.

    Parameters
    ----------
    data : TimeSeries or anything :func:`ews.series.as_timeseries` accepts
        Each row is one series (its residuals if detrended, else its state). Every row gets its own fits.
    on : sequence of {"diff", "arma", "garch"}
        Stages to test, in this order in the result (see the module docstring).
    max_dim : int >= 2
        Largest embedding dimension; statistics for m = 2..max_dim.
    epsilon : float or sequence of float
        Distances in units of each stage's sd (ddof = 1).
    boots : int >= 0
        Bootstrap resamples per stage (0: no bootstrap, ``p_bootstrap`` NaN).
    arma_order : (p, q) or None
        ARMA order (with a constant); None chooses it by AIC over p = 0..3, q = 0..3 (not both 0).
    garch_order : (p, q)
        arch's GARCH(p, q): p >= 1 lags of the squared residual, q >= 0 lags of the variance.
    seed : None, int, SeedSequence or Generator

    Returns
    -------
    BDSResult
        ``statistic``, ``p_normal``, ``p_bootstrap`` of shape (leading…, stage, m, epsilon);
        ``.table()``, ``.to_xarray()``.

    Cost: O(n^2 (boots + 1)) per row and stage (n = 300, boots = 1000, three eps: ~0.3 s per stage on
    one core), plus 15 ARMA fits per row when ``arma_order`` is None.
    """
    from ..series import as_timeseries

    stages = _check_stages(on)
    max_dim = check_max_dim(max_dim)
    eps_mult = check_epsilon(epsilon)
    boots = _check_int(boots, "boots", 0)
    if arma_order is not None:
        arma_order = _check_order(arma_order, "arma_order")  # (0, 0): a constant only
    garch_order = _check_order(garch_order, "garch_order", p_min=1)
    root = seed_sequence(seed)
    ts = as_timeseries(data)
    ts.require_regular("the BDS test (first differences and ARMA fits assume one time step)")
    X = ts.rows("residuals")
    lengths = ts.row_lengths()
    R, S, ne = X.shape[0], len(stages), len(eps_mult)
    stat = np.full((R, S, max_dim - 1, ne), np.nan)
    pn = np.full_like(stat, np.nan)
    pb = np.full_like(stat, np.nan)
    eps_abs = np.full((R, S, ne), np.nan)
    nobs = np.zeros((R, S), dtype=np.int64)
    order_out = np.full((R, 2), -1, dtype=np.int64)
    residuals = {s: [] for s in stages}
    fits = []
    need_arma = "arma" in stages or "garch" in stages
    mult = np.asarray(eps_mult)
    for i in range(R):
        x = np.asarray(X[i, : lengths[i]], dtype=np.float64)
        fit_info = {}
        series = {}
        problems = []
        if "diff" in stages:
            series["diff"] = np.diff(x)
        if need_arma:
            try:
                z, pq, params, aic = fit_arma(x, arma_order)
                series["arma"] = z
                order_out[i] = pq
                fit_info.update(arma=params, arma_order=pq, arma_aic=aic)
            except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
                problems.append(f"ARMA fit failed ({exc})")
            if "garch" in stages and "arma" in series:
                try:
                    g, gparams = fit_garch(series["arma"], garch_order)
                    series["garch"] = g
                    fit_info["garch"] = gparams
                except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
                    problems.append(f"GARCH fit failed ({exc})")
        fits.append(fit_info)
        for si, s in enumerate(stages):
            E = series.get(s)
            residuals[s].append(E if E is not None else np.zeros(0))
            if E is None:
                continue
            nobs[i, si] = E.size
            sd = float(np.std(E, ddof=1)) if E.size > 1 else 0.0
            if E.size < max_dim + MIN_POINTS or not (sd > 0 and math.isfinite(sd)):
                problems.append(f"stage {s!r}: {E.size} points, sd {sd:.3g} (needs >= {max_dim + MIN_POINTS} "
                                "points and a positive sd)")
                continue
            e_abs = mult * sd
            eps_abs[i, si] = e_abs
            w = bds_statistics(E[None, :], e_abs[None, :], max_dim)[0]  # (ne, M-1)
            stat[i, si] = w.T
            pn[i, si] = 2.0 * _norm_sf(np.abs(w.T))
            if boots:
                null = bootstrap_statistics(E, e_abs, max_dim, boots, stage_seed(root, i, STAGES.index(s)))
                pb[i, si] = pvalue(w.T, np.transpose(null, (0, 2, 1)), "greater", axis=0)
        if problems:
            where = f"row {i}" if R > 1 else "the series"
            warnings.warn(f"bds_test: {where}: " + "; ".join(problems) + "; its statistics are NaN.",
                          EWSWarning, stacklevel=2)
    return BDSResult(stat, pn, pb, eps_abs, nobs, order_out, residuals, fits, stages=stages, max_dim=max_dim,
                     epsilon=eps_mult, boots=boots, garch_order=garch_order, arma_order_given=arma_order,
                     lead_shape=tuple(ts.shape[:-1]), lead_dims=tuple(ts.leading_dims), coords=_lead_coords(ts),
                     seed=root)


def _norm_sf(z):
    from scipy.special import ndtr

    return ndtr(-np.asarray(z, dtype=np.float64))


def _lead_coords(ts) -> dict:
    out = {}
    try:
        coords = ts.coords
    except Exception:  # noqa: BLE001
        return out
    lead = set(ts.leading_dims)
    for k, v in dict(coords).items():
        try:
            dims, vals = v
        except (TypeError, ValueError):
            continue
        if isinstance(dims, str):
            dims = (dims,)
        dims = tuple(dims)
        if dims and set(dims) <= lead and k != "length":
            out[k] = (dims, np.asarray(vals))
    return out
