r"""Null models for surrogate tests: a registry of ``fit(ts) -> FittedNull`` and ``draw(n, seed)``.

A null model describes what a series looks like *without* a warning signal. Fitting it to a
:class:`~ews.TimeSeries` estimates its parameters separately for every row (series, replicate, grid
cell ...); drawing from the fitted model returns a TimeSeries with a leading ``surrogate`` dimension,
dims ``("surrogate", <the data's leading dims>..., "time")``, on the data's time axis. Ragged rows
(see :attr:`ews.TimeSeries.lengths`) are fitted on their valid points and drawn with the same lengths.

>>> import numpy as np, ews
>>> x = np.random.default_rng(0).standard_normal(300)
>>> fitted = ews.surrogates.get("ar1").fit(x)
>>> fitted.draw(5, seed=1).dims
('surrogate', 'time')

Models (``ews.surrogates.table()`` lists them)
--------------------------------------------------
``ar1``
    Red noise fitted by conditional least squares on the row's mean-removed values
    :math:`z_t = x_t - \bar x`: :math:`\hat\phi = \sum_{t\ge 2} z_t z_{t-1} / \sum_{t\le L-1} z_t^2` (the
    ``ar1`` indicator's estimator), innovation variance
    :math:`\hat\sigma^2 = \sum_{t\ge2}(z_t - \hat\phi z_{t-1})^2/(L-1)`. Surrogates
    :math:`x_t = \bar x + \hat\phi (x_{t-1} - \bar x) + \hat\sigma \varepsilon_t` start in the stationary
    distribution :math:`N(\bar x, \hat\sigma^2/(1-\hat\phi^2))`, so there is no burn-in transient.
    :math:`|\hat\phi|` is capped at ``max_phi`` (0.999, with a warning).
``arma``
    The ARMA(p, q) with constant that minimises the AIC over :math:`0 \le p \le` ``max_p``,
    :math:`0 \le q \le` ``max_q`` (default 4 and 4, p = q = 0 included), each fitted by exact Gaussian
    maximum likelihood with statsmodels (``ARIMA(order=(p, 0, q), trend="c")``, innovations MLE,
    stationarity and invertibility enforced). Surrogates follow
    :math:`y_t = \sum_j \phi_j y_{t-j} + \varepsilon_t + \sum_j \theta_j \varepsilon_{t-j}`,
    :math:`x_t = \mu + y_t`, simulated in state-space form from an initial state drawn from its exact
    stationary distribution (covariance :math:`Q = TQT' + RR'`), then a burn-in of
    :math:`\min(1000, p + q + \lceil 6/\log \rho\rceil)` steps, :math:`\rho` the smallest modulus of the
    AR polynomial's roots (R's ``arima.sim`` rule, capped: from a stationary start it only adds safety,
    whereas from zeros, as in R, a near-unit root needs hundreds of thousands of steps).
``phase``
    Fourier phase randomisation (Theiler et al. 1992): :math:`X_k = \mathrm{rfft}(x)_k`, surrogate
    :math:`\mathrm{irfft}(X_k e^{i\varphi_k})` with independent :math:`\varphi_k \sim U(0, 2\pi)` for
    :math:`1 \le k < L/2`; the mean (:math:`k = 0`) is kept and, for even :math:`L`, the Nyquist term
    :math:`k = L/2` is kept as it is (real). The periodogram :math:`|X_k|^2` is preserved exactly (to
    rounding), hence the autocovariance; the distribution becomes Gaussian.
``aaft``
    Amplitude-adjusted Fourier transform (Theiler et al. 1992): rank-order Gaussian noise like the data,
    phase-randomise it, then give the data's values the ranks of the result. The surrogate is a
    permutation of the data (its sorted values equal the data's exactly).
``iaaft``
    Iterative AAFT (Schreiber & Schmitz 1996): from a random shuffle, alternate (i) imposing the data's
    Fourier amplitudes :math:`|X_k|` keeping the current phases and (ii) rank-ordering the data's values
    like the result, until the ranks stop changing, the relative spectral misfit
    :math:`\lVert |S_k| - |X_k| \rVert / \lVert X_k \rVert` improves by less than ``tol`` (relative), or
    ``max_iter`` iterations. Returned after step (ii): a permutation of the data.
``block_bootstrap``
    Moving-block bootstrap (Kuensch 1989; blocks of ``block_length`` consecutive values starting
    uniformly at random) or stationary bootstrap (Politis & Romano 1994; ``kind="stationary"``,
    circular, geometric block lengths with mean ``block_length``). Default block length
    :math:`\lceil L^{1/3}\rceil`. Every value is one of the data's.
``shuffle``
    A random permutation of the values (white-noise null: destroys all serial dependence).

Randomness
----------
``draw(n, seed, offset=0)``: surrogate ``s`` of data row ``r`` (R data rows) is output row
``i = s * R + r`` and uses the stream of global row ``offset * R + i`` of ``seed`` (see
:mod:`ews._random`), so a draw of surrogates 0..999 equals the concatenation of draws of 0..499 and
500..999 with ``offset=500``, on any number of threads.

References
----------
Theiler, J., Eubank, S., Longtin, A., Galdrikian, B. and Farmer, J. D. (1992). Testing for
nonlinearity in time series: the method of surrogate data. *Physica D* 58, 77-94.
Schreiber, T. and Schmitz, A. (1996). Improved surrogate data for nonlinearity tests. *Phys. Rev.
Lett.* 77, 635-638.
Kuensch, H. R. (1989). The jackknife and the bootstrap for general stationary observations. *Ann.
Stat.* 17, 1217-1241.
Politis, D. N. and Romano, J. P. (1994). The stationary bootstrap. *JASA* 89, 1303-1313.
Dakos, V. et al. (2012). Methods for detecting early warnings of critical transitions in time series
illustrated using simulated ecological data. *PLoS ONE* 7, e41010 (ARMA surrogates for EWS).
"""
from __future__ import annotations

import copy as _copy
import dataclasses
import math
import warnings
from dataclasses import dataclass
from typing import Callable, ClassVar

import numpy as np
import xarray as xr

from ._errors import EWSWarning, InputError
from ._random import row_states, seed_sequence
from .series import LENGTH, TIME, TimeSeries, as_timeseries

SURROGATE = "surrogate"
_EXTRA_DIMS = {"ar": ("ar_lag",), "ma": ("ma_lag",), "aic": ("ar_order", "ma_order"), "bic": ("ar_order", "ma_order")}


# ----------------------------------------------------------------------------------------------------
# fitted model
# ----------------------------------------------------------------------------------------------------
class FittedNull:
    """A null model fitted to every row of a TimeSeries; :meth:`draw` makes surrogates.

    Attributes
    ----------
    model : NullModel
        The (unfitted) model and its settings.
    params : dict of numpy arrays
        Fitted parameters, each of shape ``(<leading shape of the data>)`` (or with extra trailing
        axes, e.g. ARMA coefficients).
    """

    def __init__(self, model: "NullModel", ts: TimeSeries, params: dict, drawer: Callable, info: dict | None = None):
        self.model = model
        self.params = params
        self.info = info or {}
        self._ts = ts
        self._drawer = drawer  # (states (B*R, 4), n_time) -> (B*R, n) array

    @property
    def n_rows(self) -> int:
        return self._ts.n_rows

    def describe(self) -> dict:
        """Name, settings, and a short summary of the fitted parameters (for attrs / provenance)."""
        out = {"name": self.model.name, **self.model.params()}
        for k, v in self.params.items():
            v = np.asarray(v)
            if v.dtype.kind in "fiu" and v.size:
                flat = v.reshape(-1)
                out[f"fitted_{k}"] = float(flat[0]) if v.size == 1 else [float(np.nanmin(v)), float(np.nanmax(v))]
        out.update(self.info)
        return out

    def params_dataset(self) -> xr.Dataset:
        """Fitted parameters as an xarray Dataset over the data's leading dimensions."""
        lead = self._ts.leading_dims
        shape = self._ts.shape[:-1]
        data = {}
        for k, v in self.params.items():
            v = np.asarray(v)
            extra = v.shape[len(shape):] if v.shape[: len(shape)] == shape else None
            if extra is None:
                continue
            names = _EXTRA_DIMS.get(k, tuple(f"{k}_dim{j}" for j in range(len(extra))))
            data[k] = (lead + names[: len(extra)], v)
        coords = {d: self._ts.state.coords[d] for d in lead if d in self._ts.state.coords}
        return xr.Dataset(data, coords=coords)

    def draw(self, n: int, seed=None, *, offset: int = 0) -> TimeSeries:
        """Draw ``n`` surrogates of every row: a TimeSeries with dims ``("surrogate", *lead, "time")``.

        Parameters
        ----------
        n : int
            Number of surrogates per data row.
        seed : None, int, SeedSequence or Generator
            Root of the random streams (one independent stream per surrogate and data row).
        offset : int
            Global index of the first surrogate (for drawing a large set in chunks; the surrogate
            coordinate runs ``offset .. offset + n - 1``).
        """
        n = _check_count(n, "n")
        if isinstance(offset, bool) or not isinstance(offset, (int, np.integer)) or offset < 0:
            raise InputError(f"offset must be a non-negative whole number, got {offset!r}.")
        R = self.n_rows
        states = fast_row_states(seed_sequence(seed), n * R, offset=int(offset) * R)
        flat = self._drawer(states, self._ts.n)
        return _wrap_draws(self._ts, flat.reshape((n,) + self._ts.shape), offset, self.describe())

    def __repr__(self):
        return f"<ews.surrogates.FittedNull {self.model.name} rows={self.n_rows}>"


_FAST_SEEDING: bool | None = None


def _seed_prefix(root: np.random.SeedSequence) -> np.ndarray:
    """The uint32 words numpy assembles from ``root.entropy`` and ``root.spawn_key`` (before a child index)."""
    from numpy.random.bit_generator import _coerce_to_uint32_array

    run = _coerce_to_uint32_array(root.entropy)
    if len(run) < root.pool_size:
        run = np.concatenate([run, np.zeros(root.pool_size - len(run), dtype=np.uint32)])
    key = _coerce_to_uint32_array(tuple(root.spawn_key)) if len(root.spawn_key) else np.zeros(0, dtype=np.uint32)
    return np.ascontiguousarray(np.concatenate([run, key]), dtype=np.uint32)


def fast_row_states(root: np.random.SeedSequence, n_rows: int, offset: int = 0) -> np.ndarray:
    """:func:`ews._random.row_states` computed in a numba kernel (bit-identical; verified once per session,
    falling back to ``row_states`` if numpy's SeedSequence ever differs)."""
    global _FAST_SEEDING
    if _FAST_SEEDING is None:
        try:
            from ._kernels.surrogates import seed_states

            probe = np.random.SeedSequence(20261125, spawn_key=(7,))
            _FAST_SEEDING = bool(np.array_equal(seed_states(_seed_prefix(probe), 3, 4), row_states(probe, 4, offset=3)))
        except Exception:  # noqa: BLE001 - any problem: use the reference implementation
            _FAST_SEEDING = False
    if _FAST_SEEDING:
        from ._kernels.surrogates import seed_states

        return seed_states(_seed_prefix(root), int(offset), int(n_rows))
    return row_states(root, n_rows, offset=offset)


def _check_count(n, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"{what} must be a positive whole number, got {n!r}.")
    return int(n)


def _wrap_draws(template: TimeSeries, arr: np.ndarray, offset: int, description: dict) -> TimeSeries:
    """A TimeSeries (surrogate, *lead, time) holding ``arr`` on ``template``'s axes."""
    return template.with_values(arr, prepend={SURROGATE: np.arange(offset, offset + arr.shape[0])},
                                step={"step": "surrogates", **_jsonable(description)})


def _jsonable(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, (np.integer,)):
            v = int(v)
        elif isinstance(v, (np.floating,)):
            v = float(v)
        elif isinstance(v, np.ndarray):
            v = v.tolist()
        out[k] = v
    return out


# ----------------------------------------------------------------------------------------------------
# base class and registry
# ----------------------------------------------------------------------------------------------------
class NullModel:
    """Base class: subclasses set ``name``, ``summary``, ``reference`` and implement ``_fit``."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    reference: ClassVar[str] = ""
    preserves: ClassVar[str] = ""

    def params(self) -> dict:
        return dataclasses.asdict(self)

    def fit(self, data) -> FittedNull:
        """Fit the model to every row of ``data`` (a TimeSeries or anything it accepts).

        The rows' ``residuals`` are used when ``data`` is detrended, else their ``state``.
        """
        ts = as_timeseries(data)
        if SURROGATE in ts.leading_dims:
            raise InputError(f"the data already have a {SURROGATE!r} dimension; rename it before drawing surrogates.")
        if ts.is_detrended:
            ts = ts.residuals_as_state()
        X = ts.rows("state")
        L = ts.row_lengths()
        if np.any(L < 3):
            raise InputError(f"null model {self.name!r} needs at least 3 points per series; "
                             f"the shortest row has {int(L.min())}.")
        return self._fit(ts, X, L)

    def _fit(self, ts: TimeSeries, X: np.ndarray, L: np.ndarray) -> FittedNull:  # pragma: no cover
        raise NotImplementedError


_REGISTRY: dict[str, type] = {}


def register(cls: type) -> type:
    """Register a NullModel subclass under its ``name`` (usable as a class decorator)."""
    if not cls.name:
        raise InputError("a null model needs a name.")
    if cls.name in _REGISTRY:
        raise InputError(f"a null model named {cls.name!r} is already registered.")
    _REGISTRY[cls.name] = cls
    return cls


def names() -> list[str]:
    """Registered null models."""
    return list(_REGISTRY)


def table():
    """The registry as a pandas DataFrame (name, summary, what it preserves, reference, defaults)."""
    import pandas as pd

    rows = []
    for name, cls in _REGISTRY.items():
        rows.append({"name": name, "summary": cls.summary, "preserves": cls.preserves, "reference": cls.reference,
                     "defaults": dataclasses.asdict(cls())})
    return pd.DataFrame(rows).set_index("name")


def get(null="ar1", **params) -> NullModel:
    """A null model from a name and keyword parameters (a NullModel object passes through)."""
    if isinstance(null, NullModel):
        if params:
            raise InputError(f"parameters {sorted(params)} given with a null model object; put them in the object.")
        return null
    if null not in _REGISTRY:
        raise InputError(f"unknown null model {null!r}; choose one of {names()} "
                         "(or pass an ews.surrogates.NullModel object).")
    cls = _REGISTRY[null]
    valid = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise InputError(f"null model {null!r} has no parameter(s) {unknown}; its parameters are {valid or 'none'}.")
    return cls(**params)


def generate(data, null="ar1", n: int = 100, seed=None, **params) -> TimeSeries:
    """Fit ``null`` to ``data`` and draw ``n`` surrogates of every row (dims ``("surrogate", ..., "time")``).

    Examples
    --------
    >>> import numpy as np, ews
    >>> x = np.random.default_rng(0).standard_normal(128)
    >>> s = ews.surrogates.generate(x, "shuffle", n=3, seed=0)
    >>> bool(np.all(np.sort(s.values, axis=-1) == np.sort(x)))
    True
    """
    return get(null, **params).fit(data).draw(n, seed)


# ----------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------
def _lead_shape(ts):
    return ts.shape[:-1]


def _by_length(L: np.ndarray):
    """Yield (length, row indices) groups."""
    for length in np.unique(L):
        yield int(length), np.flatnonzero(L == length)


def _states_view(states: np.ndarray, rows: np.ndarray, R: int, B: int) -> np.ndarray:
    """States of output rows s*R + r for r in ``rows`` (s = 0..B-1), in (s, r) order."""
    idx = (np.arange(B)[:, None] * R + rows[None, :]).reshape(-1)
    return np.ascontiguousarray(states[idx])


# ----------------------------------------------------------------------------------------------------
# ar1
# ----------------------------------------------------------------------------------------------------
@register
@dataclass(frozen=True)
class AR1(NullModel):
    """AR(1) red noise (mean, lag-1 coefficient, innovation variance), stationary start.

    Parameters
    ----------
    max_phi : float
        Cap on :math:`|\\hat\\phi|` (a warning says when it is applied).
    """

    name: ClassVar[str] = "ar1"
    summary: ClassVar[str] = "AR(1) red noise: x_t = m + phi (x_{t-1} - m) + sigma e_t, stationary start"
    preserves: ClassVar[str] = "mean, lag-1 autocorrelation, variance (Gaussian)"
    reference: ClassVar[str] = "Dakos et al. 2008, PNAS 105:14308; Boettiger & Hastings 2012, Proc R Soc B 279:4734"
    max_phi: float = 0.999

    def __post_init__(self):
        if not (0 < self.max_phi < 1):
            raise InputError(f"max_phi must lie in (0, 1), got {self.max_phi}.")

    def _fit(self, ts, X, L):
        mu, phi, sigma = fit_ar1_rows(X, L)
        big = np.abs(phi) > self.max_phi
        if big.any():
            warnings.warn(f"{int(big.sum())} series have a fitted AR(1) coefficient beyond +-{self.max_phi} "
                          f"(largest {float(np.abs(phi).max()):.4f}); capped. The AR(1) null is a poor model for "
                          "them (detrend more, or use another null).", EWSWarning, stacklevel=3)
            phi = np.clip(phi, -self.max_phi, self.max_phi)

        def drawer(states, n):
            from ._kernels.surrogates import ar1_draw

            out = np.empty((states.shape[0], n))
            ar1_draw(states, mu, phi, sigma, L, out)
            return out

        shp = _lead_shape(ts)
        return FittedNull(self, ts, {"mean": mu.reshape(shp), "phi": phi.reshape(shp), "sigma": sigma.reshape(shp)},
                          drawer)


def fit_ar1_rows(X: np.ndarray, L: np.ndarray):
    """Per row: mean, conditional-least-squares AR(1) coefficient and innovation sd (see ``ar1``)."""
    R = X.shape[0]
    mu = np.empty(R)
    phi = np.empty(R)
    sigma = np.empty(R)
    for i in range(R):
        x = X[i, : L[i]]
        m = x.mean()
        z = x - m
        den = np.dot(z[:-1], z[:-1])
        ph = np.dot(z[1:], z[:-1]) / den if den > 0 else 0.0
        e = z[1:] - ph * z[:-1]
        mu[i], phi[i], sigma[i] = m, ph, math.sqrt(np.dot(e, e) / (len(x) - 1))
    return mu, phi, sigma


# ----------------------------------------------------------------------------------------------------
# arma
# ----------------------------------------------------------------------------------------------------
@register
@dataclass(frozen=True)
class ARMA(NullModel):
    """Best ARMA(p, q) with constant by AIC (statsmodels exact ML), simulated with burn-in.

    Parameters
    ----------
    max_p, max_q : int
        Orders searched: 0..max_p x 0..max_q (p = q = 0, white noise, included).
    criterion : {"aic", "bic"}
    max_burn_in : int
        Cap on R's burn-in rule (the start is already stationary, so the burn-in only adds safety).
    """

    name: ClassVar[str] = "arma"
    summary: ClassVar[str] = "best ARMA(p,q) with constant by AIC over 0<=p,q<=4 (statsmodels ML), burn-in"
    preserves: ClassVar[str] = "mean and the autocovariance of the fitted ARMA (Gaussian)"
    reference: ClassVar[str] = "Dakos et al. 2012, PLoS ONE 7:e41010 (earlywarnings' surrogates_ews)"
    max_p: int = 4
    max_q: int = 4
    criterion: str = "aic"
    max_burn_in: int = 1000

    def __post_init__(self):
        for k in ("max_p", "max_q"):
            v = getattr(self, k)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v <= 10:
                raise InputError(f"{k} must be an integer in 0..10, got {v!r}.")
        if isinstance(self.max_burn_in, bool) or not isinstance(self.max_burn_in, (int, np.integer)) \
                or self.max_burn_in < 0:
            raise InputError(f"max_burn_in must be a non-negative integer, got {self.max_burn_in!r}.")
        if self.criterion not in ("aic", "bic"):
            raise InputError(f"criterion must be 'aic' or 'bic', got {self.criterion!r}.")

    def _fit(self, ts, X, L):
        R = X.shape[0]
        P, Q = self.max_p, self.max_q
        ar = np.zeros((R, max(P, 1)))
        ma = np.zeros((R, max(Q, 1)))
        p_ = np.zeros(R, dtype=np.int64)
        q_ = np.zeros(R, dtype=np.int64)
        mu = np.zeros(R)
        sigma = np.zeros(R)
        ic = np.full((R, P + 1, Q + 1), np.nan)
        burn = np.zeros(R, dtype=np.int64)
        models = []
        for i in range(R):
            best = fit_arma_row(X[i, : L[i]], P, Q, self.criterion)
            ic[i] = best["table"]
            p_[i], q_[i] = best["p"], best["q"]
            ar[i, : best["p"]] = best["ar"]
            ma[i, : best["q"]] = best["ma"]
            mu[i], sigma[i] = best["mean"], math.sqrt(best["sigma2"])
            burn[i] = min(arma_burn_in(best["ar"], best["q"]), self.max_burn_in)
            models.append((best["ar"], best["ma"]))
        AR, MA, F = arma_draw_arrays(models)

        def drawer(states, n):
            from ._kernels.surrogates import arma_draw

            out = np.empty((states.shape[0], n))
            arma_draw(states, mu, AR, MA, sigma, F, burn, L, out)
            return out

        shp = _lead_shape(ts)
        params = {"p": p_.reshape(shp), "q": q_.reshape(shp), "mean": mu.reshape(shp), "sigma": sigma.reshape(shp),
                  "ar": ar.reshape(shp + ar.shape[1:]), "ma": ma.reshape(shp + ma.shape[1:]),
                  self.criterion: ic.reshape(shp + ic.shape[1:])}
        return FittedNull(self, ts, params, drawer)


def arma_burn_in(ar, q: int) -> int:
    """R ``arima.sim``'s burn-in: p + q + ceil(6 / log(min |root|)) (p + q without an AR part)."""
    ar = np.asarray(ar, float)
    p = ar.size
    extra = 0
    if p > 0 and np.any(ar != 0):
        roots = np.roots(np.r_[1.0, -ar][::-1])
        minroot = float(np.min(np.abs(roots))) if roots.size else math.inf
        if minroot == math.inf:
            extra = 0
        elif minroot > 1:
            extra = int(math.ceil(6.0 / math.log(minroot)))
        else:  # not stationary: no burn-in is long enough
            extra = 10**9
    return int(p + q + extra)


def arma_state_factor(ar, ma) -> np.ndarray:
    """F with F F^T = the stationary covariance of the ARMA state vector (unit innovation variance).

    State-space form of R's ``makeARIMA``: r = max(p, q + 1), T = [ar | superdiagonal ones],
    R = (1, ma_1, ..., ma_{r-1}); the covariance solves Q = T Q T' + R R' (a discrete Lyapunov
    equation). F comes from the eigendecomposition (negative rounding eigenvalues set to 0).
    """
    from scipy.linalg import solve_discrete_lyapunov

    ar = np.asarray(ar, float)
    ma = np.asarray(ma, float)
    p, q = ar.size, ma.size
    r = max(p, q + 1)
    T = np.zeros((r, r))
    T[:p, 0] = ar
    T[np.arange(r - 1), np.arange(1, r)] = 1.0
    Rv = np.zeros(r)
    Rv[0] = 1.0
    Rv[1 : q + 1] = ma
    Q = solve_discrete_lyapunov(T, np.outer(Rv, Rv))
    Q = 0.5 * (Q + Q.T)
    w, V = np.linalg.eigh(Q)
    return V * np.sqrt(np.clip(w, 0.0, None))


def arma_draw_arrays(models: list[tuple]) -> tuple:
    """Padded (ar, ma, factor) arrays for :func:`ews._kernels.surrogates.arma_draw` from [(ar, ma), ...]."""
    rmax = max(max(len(a), len(m) + 1) for a, m in models)
    R = len(models)
    AR = np.zeros((R, rmax))
    MA = np.zeros((R, rmax))
    F = np.zeros((R, rmax, rmax))
    for i, (a, m) in enumerate(models):
        AR[i, : len(a)] = a
        MA[i, : len(m)] = m
        f = arma_state_factor(a, m)
        F[i, : f.shape[0], : f.shape[1]] = f
    return AR, MA, F


def fit_arma_row(x: np.ndarray, max_p: int, max_q: int, criterion: str = "aic") -> dict:
    """Fit every ARMA(p, q), 0 <= p <= max_p, 0 <= q <= max_q, with constant; return the best by ``criterion``."""
    from statsmodels.tsa.arima.model import ARIMA as _SMARIMA

    table = np.full((max_p + 1, max_q + 1), np.nan)
    fits = {}
    x = np.asarray(x, float)
    for p in range(max_p + 1):
        for q in range(max_q + 1):
            if p == 0 and q == 0:
                m = x.mean()
                s2 = np.mean((x - m) ** 2)
                ll = -0.5 * x.size * (math.log(2 * math.pi * s2) + 1) if s2 > 0 else math.inf
                k = 2
                val = -2 * ll + (2 * k if criterion == "aic" else k * math.log(x.size))
                fits[(0, 0)] = {"ar": np.zeros(0), "ma": np.zeros(0), "mean": m, "sigma2": s2}
                table[0, 0] = val
                continue
            res = None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for method in ("innovations_mle", "statespace"):
                    try:
                        res = _SMARIMA(x, order=(p, 0, q), trend="c").fit(method=method, cov_type="none")
                        if not np.isfinite(getattr(res, criterion)):
                            res = None
                            continue
                        break
                    except Exception:  # noqa: BLE001 - any failed fit is skipped
                        res = None
            if res is None:
                continue
            table[p, q] = getattr(res, criterion)
            prm = dict(zip(res.model.param_names, np.asarray(res.params, float)))
            fits[(p, q)] = {"ar": np.array([prm[f"ar.L{j}"] for j in range(1, p + 1)]),
                            "ma": np.array([prm[f"ma.L{j}"] for j in range(1, q + 1)]),
                            "mean": prm.get("const", 0.0), "sigma2": prm["sigma2"]}
    if not np.isfinite(table).any():
        raise InputError("no ARMA model could be fitted to the series (all fits failed).")
    p, q = np.unravel_index(np.nanargmin(table), table.shape)
    best = fits[(int(p), int(q))]
    return {"p": int(p), "q": int(q), "table": table, **best}


# ----------------------------------------------------------------------------------------------------
# Fourier surrogates
# ----------------------------------------------------------------------------------------------------
def _phase_randomise(F: np.ndarray, U: np.ndarray, L: int) -> np.ndarray:
    """Multiply the rfft coefficients F (..., L//2+1) by exp(2 pi i U) on 1 <= k < L/2 and invert."""
    from scipy import fft as sfft

    K = (L - 1) // 2
    G = F.copy()
    if K > 0:
        G[..., 1 : K + 1] = F[..., 1 : K + 1] * np.exp(2j * np.pi * U[..., :K])
    return sfft.irfft(G, n=L, axis=-1, workers=-1)


@register
@dataclass(frozen=True)
class Phase(NullModel):
    """Fourier phase randomisation (Theiler et al. 1992): DC kept, Nyquist kept (real)."""

    name: ClassVar[str] = "phase"
    summary: ClassVar[str] = "Fourier phase randomisation: periodogram (autocovariance) and mean kept"
    preserves: ClassVar[str] = "periodogram exactly (hence mean, variance, circular autocovariance); Gaussian values"
    reference: ClassVar[str] = "Theiler et al. 1992, Physica D 58:77"

    def _fit(self, ts, X, L):
        from scipy import fft as sfft

        R = X.shape[0]
        spectra = {length: sfft.rfft(X[rows, :length], axis=-1) for length, rows in _by_length(L)}

        def drawer(states, n):
            from ._kernels.surrogates import fill_uniform

            B = states.shape[0] // R
            out = np.full((B * R, n), np.nan)
            for length, rows in _by_length(L):
                K = (length - 1) // 2
                st = _states_view(states, rows, R, B)
                U = np.empty((st.shape[0], max(K, 1)))
                fill_uniform(st, U)
                F = np.broadcast_to(spectra[length], (B,) + spectra[length].shape)
                S = _phase_randomise(F, U.reshape(B, rows.size, -1), length)
                idx = (np.arange(B)[:, None] * R + rows[None, :]).reshape(-1)
                out[idx, :length] = S.reshape(-1, length)
            return out

        means = np.array([X[i, : L[i]].mean() for i in range(R)]).reshape(_lead_shape(ts))
        return FittedNull(self, ts, {"mean": means}, drawer)


def _rank_remap(sorted_vals: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Give the sorted values (rows, L) the ranks of Y (rows, L)."""
    order = np.argsort(Y, axis=-1, kind="stable")
    out = np.empty_like(Y)
    np.put_along_axis(out, order, sorted_vals, axis=-1)
    return out


@register
@dataclass(frozen=True)
class AAFT(NullModel):
    """Amplitude-adjusted Fourier transform surrogates (Theiler et al. 1992)."""

    name: ClassVar[str] = "aaft"
    summary: ClassVar[str] = "amplitude-adjusted phase randomisation: values kept exactly, spectrum approximately"
    preserves: ClassVar[str] = "the values exactly (a permutation), the periodogram approximately"
    reference: ClassVar[str] = "Theiler et al. 1992, Physica D 58:77"

    def _fit(self, ts, X, L):
        R = X.shape[0]
        sorted_rows = {length: np.sort(X[rows, :length], axis=-1) for length, rows in _by_length(L)}
        ranks = {length: np.argsort(np.argsort(X[rows, :length], axis=-1, kind="stable"), axis=-1)
                 for length, rows in _by_length(L)}

        def drawer(states, n):
            from scipy import fft as sfft

            from ._kernels.surrogates import fill_normal, fill_uniform

            B = states.shape[0] // R
            out = np.full((B * R, n), np.nan)
            for length, rows in _by_length(L):
                K = (length - 1) // 2
                st = _states_view(states, rows, R, B)
                Z = np.empty((st.shape[0], length))
                fill_normal(st, Z)
                U = np.empty((st.shape[0], max(K, 1)))
                fill_uniform(st, U)
                Z.sort(axis=-1)
                rk = np.broadcast_to(ranks[length], (B,) + ranks[length].shape).reshape(-1, length)
                G = np.take_along_axis(Z, rk, axis=-1)  # Gaussian values ordered like the data
                S = _phase_randomise(sfft.rfft(G, axis=-1), U, length)
                srt = np.broadcast_to(sorted_rows[length], (B,) + sorted_rows[length].shape).reshape(-1, length)
                idx = (np.arange(B)[:, None] * R + rows[None, :]).reshape(-1)
                out[idx, :length] = _rank_remap(srt, S)
            return out

        return FittedNull(self, ts, {}, drawer)


@register
@dataclass(frozen=True)
class IAAFT(NullModel):
    """Iterative AAFT surrogates (Schreiber & Schmitz 1996).

    Parameters
    ----------
    max_iter : int
        Iteration cap.
    tol : float
        Stop when the relative spectral misfit improves by less than ``tol`` (relative) in one iteration.
    """

    name: ClassVar[str] = "iaaft"
    summary: ClassVar[str] = "iterative AAFT: values exactly, Fourier amplitudes as close as the iteration gets"
    preserves: ClassVar[str] = "the values exactly (a permutation), the periodogram closely"
    reference: ClassVar[str] = "Schreiber & Schmitz 1996, Phys Rev Lett 77:635"
    max_iter: int = 200
    tol: float = 1e-8

    def __post_init__(self):
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise InputError(f"max_iter must be a positive integer, got {self.max_iter!r}.")
        if not (self.tol >= 0):
            raise InputError(f"tol must be >= 0, got {self.tol!r}.")

    def _fit(self, ts, X, L):
        from scipy import fft as sfft

        R = X.shape[0]
        sorted_rows = {length: np.sort(X[rows, :length], axis=-1) for length, rows in _by_length(L)}
        amps = {length: np.abs(sfft.rfft(X[rows, :length], axis=-1)) for length, rows in _by_length(L)}
        model = self
        stats = {"iterations_max": 0, "iterations_mean": 0.0, "misfit_max": 0.0}

        def drawer(states, n):
            from ._kernels.surrogates import shuffle_draw

            B = states.shape[0] // R
            out = np.full((B * R, n), np.nan)
            its_all, mis_all = [], []
            for length, rows in _by_length(L):
                st = _states_view(states, rows, R, B)
                srt = np.ascontiguousarray(np.broadcast_to(sorted_rows[length], (B,) + sorted_rows[length].shape)
                                           .reshape(-1, length))
                A = np.broadcast_to(amps[length], (B,) + amps[length].shape).reshape(-1, amps[length].shape[-1])
                S = np.empty((st.shape[0], length))
                shuffle_draw(st, srt, np.full(srt.shape[0], length, dtype=np.int64), S)
                S, its, mis = iaaft_iterate(S, srt, A, model.max_iter, model.tol)
                idx = (np.arange(B)[:, None] * R + rows[None, :]).reshape(-1)
                out[idx, :length] = S
                its_all.append(its)
                mis_all.append(mis)
            its = np.concatenate(its_all)
            mis = np.concatenate(mis_all)
            stats.update(iterations_max=int(its.max()), iterations_mean=float(its.mean()), misfit_max=float(mis.max()))
            return out

        return FittedNull(self, ts, {}, drawer, info=stats)


def iaaft_iterate(S: np.ndarray, sorted_vals: np.ndarray, A: np.ndarray, max_iter: int, tol: float):
    """Schreiber-Schmitz iteration on rows S (M, L) towards amplitudes A (M, L//2+1) and values sorted_vals.

    Returns (surrogates, iterations per row, final relative spectral misfit per row).
    """
    from scipy import fft as sfft

    M, L = S.shape
    S = S.copy()
    norm = np.sqrt(np.sum(A * A, axis=-1))
    norm[norm == 0] = 1.0
    active = np.arange(M)
    its = np.zeros(M, dtype=np.int64)
    prev = np.full(M, np.inf)
    misfit = np.zeros(M)
    ranks = np.argsort(S, axis=-1, kind="stable")
    for _ in range(max_iter):
        if active.size == 0:
            break
        F = sfft.rfft(S[active], axis=-1, workers=-1)
        absF = np.abs(F)
        err = np.sqrt(np.sum((absF - A[active]) ** 2, axis=-1)) / norm[active]
        misfit[active] = err
        with np.errstate(invalid="ignore", divide="ignore"):
            phase = np.where(absF > 0, F / np.where(absF > 0, absF, 1.0), 1.0)
        Y = sfft.irfft(A[active] * phase, n=L, axis=-1, workers=-1)
        new_ranks = np.argsort(Y, axis=-1, kind="stable")
        newS = np.empty_like(Y)
        np.put_along_axis(newS, new_ranks, sorted_vals[active], axis=-1)
        its[active] += 1
        same = np.all(new_ranks == ranks[active], axis=-1)
        small = np.isfinite(prev[active]) & (np.abs(prev[active] - err) <= tol * prev[active])
        S[active] = newS
        ranks[active] = new_ranks
        prev[active] = err
        active = active[~(same | small)]
    return S, its, misfit


# ----------------------------------------------------------------------------------------------------
# resampling
# ----------------------------------------------------------------------------------------------------
@register
@dataclass(frozen=True)
class BlockBootstrap(NullModel):
    """Moving-block (Kuensch 1989) or stationary (Politis & Romano 1994) bootstrap.

    Parameters
    ----------
    block_length : int or float, optional
        Block length in points (mean block length for ``kind="stationary"``). Default
        :math:`\\lceil L^{1/3}\\rceil` per row.
    kind : {"moving", "stationary"}
    """

    name: ClassVar[str] = "block_bootstrap"
    summary: ClassVar[str] = "moving-block or stationary bootstrap of the values"
    preserves: ClassVar[str] = "the values (resampled with replacement), serial dependence within blocks"
    reference: ClassVar[str] = "Kuensch 1989, Ann Stat 17:1217; Politis & Romano 1994, JASA 89:1303"
    block_length: float | None = None
    kind: str = "moving"

    def __post_init__(self):
        if self.kind not in ("moving", "stationary"):
            raise InputError(f"kind must be 'moving' or 'stationary', got {self.kind!r}.")
        if self.block_length is not None and not (self.block_length >= 1):
            raise InputError(f"block_length must be >= 1 point, got {self.block_length!r}.")

    def _fit(self, ts, X, L):
        if self.block_length is None:
            bl = np.ceil(L.astype(float) ** (1.0 / 3.0))
        else:
            bl = np.full(L.shape, float(self.block_length))
        bl = np.minimum(bl, L.astype(float))
        stationary = self.kind == "stationary"

        def drawer(states, n):
            from ._kernels.surrogates import block_draw

            out = np.empty((states.shape[0], n))
            block_draw(states, X, L, bl, stationary, out)
            return out

        return FittedNull(self, ts, {"block_length": bl.reshape(_lead_shape(ts))}, drawer)


@register
@dataclass(frozen=True)
class Shuffle(NullModel):
    """Random permutation of the values (white-noise null)."""

    name: ClassVar[str] = "shuffle"
    summary: ClassVar[str] = "random permutation of the values (white-noise null)"
    preserves: ClassVar[str] = "the values exactly; no serial dependence"
    reference: ClassVar[str] = "Theiler et al. 1992, Physica D 58:77 (algorithm 0)"

    def _fit(self, ts, X, L):
        def drawer(states, n):
            from ._kernels.surrogates import shuffle_draw

            out = np.empty((states.shape[0], n))
            shuffle_draw(states, X, L, out)
            return out

        return FittedNull(self, ts, {}, drawer)


__all__ = ["NullModel", "FittedNull", "register", "names", "table", "get", "generate", "AR1", "ARMA", "Phase",
           "AAFT", "IAAFT", "BlockBootstrap", "Shuffle", "fit_ar1_rows", "fit_arma_row"]
