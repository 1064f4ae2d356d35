"""Model-based early-warning test: Ornstein-Uhlenbeck null against a linearised saddle-node.

Boettiger & Hastings (2012) replace "does an indicator trend upwards?" by a likelihood-ratio test
between two explicit stochastic models fitted to the series itself:

**OU (null, no approach to a bifurcation)**, parameters ``a, theta, sigma``::

    dX = a (theta - X) dt + sigma dW

with the exact Gaussian transition density over any step ``dt`` (uneven sampling allowed)::

    X(t+dt) | X(t) = x0  ~  N( theta + (x0 - theta) e^{-a dt},  sigma^2 (1 - e^{-2 a dt}) / (2 a) ).

**LSN (linearised saddle-node)**, parameters ``R0, m, theta, sigma``: the normal form
``dx = (r - (x - theta)^2) dt`` linearised around its stable point ``theta + sqrt(r)`` while the
bifurcation parameter drifts linearly, ``R(t) = R0 + m t`` (``t`` in the units and origin of the
data), noise intensity ``sigma^2 (sqrt(R) + theta)``.  Transition moments (``E(t0) = x0``,
``V(t0) = 0``)::

    legacy     (default):  dE/dt = 2 sqrt(R) (sqrt(R) + theta - E)
    consistent          :  dE/dt =   sqrt(R) (sqrt(R) + theta - E)
    both                :  dV/dt = -2 sqrt(R) V + sigma^2 (sqrt(R) + theta)

"legacy" is what the published software (R package ``earlywarning``, ``LSN()``) integrates and
reproduces its numbers; its mean relaxes at rate ``2 sqrt(R)`` while its variance relaxes at rate
``2 sqrt(R)`` too, which no single linear SDE does.  "consistent" uses the rate ``sqrt(R)`` in the
mean, so the pair is the exact moment system of
``dX = sqrt(R) (sqrt(R) + theta - X) dt + sigma sqrt(sqrt(R) + theta) dW`` (the variance relaxes at
twice the mean's rate, as for any linear SDE), and with ``m = 0`` it is exactly an OU process.
The transition density is Gaussian with these moments.  The moment ODEs are linear and are solved
in closed form up to a one-dimensional quadrature (see ``ews/_kernels/likelihood.py``; relative error
below 1e-9 against a tight-tolerance reference).

The log-likelihood conditions on the first observation (as the published software)::

    l = sum_{k=1}^{n-1} log phi( x_k ; E_k(x_{k-1}), V_k ).

The test statistic is the deviance ``D = -2 (l_OU - l_LSN)``; its distribution under each model is
obtained by a parametric bootstrap (:func:`lr_test`).

Optimisers (``method``)
-----------------------
``"mle"`` (default)
    Multi-start Nelder-Mead on transformed parameters (``log a``, ``log sqrt R`` at both ends of the
    record, ``theta / sd(x)``, ``log sigma``), each start polished by restarts.  OU starts: the
    published ``(a = 1/span, theta = mean, sigma = sd)`` and one from the lag-1 autocorrelation.
    LSN starts, all built from the OU fit: the LSN with ``m = 0`` that follows the OU mean, the
    published map, and two whose equilibrium follows the least-squares line of the data.  Returns
    the best of all: this is what "maximum likelihood" means.
``"published"``
    Reproduces ``earlywarning::stability_model``: one Nelder-Mead run of R's ``optim`` (same
    algorithm, reflection 1, contraction 0.5, expansion 2, ``reltol = 1.49e-8``, ``maxit = 500``,
    initial simplex ``0.1 max|p|`` on every raw parameter), OU from ``(1/max(t), mean, sd)``, LSN
    from the package's map of the OU fit ``(R0 = a^2, m = 0, theta = theta + a,
    sigma = |sigma / sqrt(2a + theta)|)``; bootstrap refits start from the fitted parameters (R's
    ``update``), and a simulation whose refits did not both converge is redrawn (R's ``compare``).
    The package's parameter check ``theta >= 0`` applies.

The two can differ a lot.  On ``ibm_critical`` (the paper's example) the published procedure gives
``l_OU = -227.661``, ``l_LSN = -225.116``, ``D = 5.09`` (cached reference: 5.097), while the maximum
likelihood is ``l_OU = -193.54`` (slow OU, a = 0.0045) and ``l_LSN = -186.01`` (R falls from 2.4e5
to 4.7e4, the equilibrium tracks the decline), ``D = 15.06``: the published fits stop in a region
where samples are effectively independent (the first simplex step is 0.1 x mean(x), applied to
``a`` too).

Reference
---------
Boettiger, C. & Hastings, A. (2012). Quantifying limits to detection of early warning for critical
transitions. J. R. Soc. Interface 9, 2527-2539. doi:10.1098/rsif.2012.0125.  Software:
github.com/cboettig/earlywarning.
"""
from __future__ import annotations

import math
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ._errors import EWSWarning, InputError
from ._random import row_states, seed_sequence
from .roc import ROCResult, roc

__all__ = ["fit", "loglik", "evaluate", "lr_test", "ModelFit", "LikelihoodRatioTest", "MODELS",
           "FORMS", "METHODS", "PARAMETERS", "MIN_POINTS"]

MODELS = ("ou", "lsn")
FORMS = {"legacy": 2.0, "consistent": 1.0}
METHODS = ("mle", "published")
PARAMETERS = {"ou": ("a", "theta", "sigma"), "lsn": ("R0", "m", "theta", "sigma")}
MIN_POINTS = 5

_R_MAXIT = 500            # R optim default for Nelder-Mead
_MLE_MAXIT = 2000         # per Nelder-Mead run of the "mle" optimiser
_MLE_RESTARTS = 3
# "mle" optimiser: (evaluations of the screening run per start, starts polished, relative tolerance)
_MLE_TUNE = np.array([200.0, 1.0, 1e-9])        # lr_test: the data and every bootstrap series
_MLE_TUNE_FIT = np.array([2000.0, 8.0, 1e-10])  # fit(): every start run to convergence
_PUBLISHED_REDRAWS = 100  # R's compare() redraws until both refits converge (without limit)
_CHUNK = 4                # rows per task when fitting in threads


def _kernels():
    from ._kernels import likelihood as K   # numba compiles lazily, on first call
    return K


def _w(a) -> np.ndarray:
    """C-contiguous, writable float64 (read-only or strided arrays would compile new kernels)."""
    return np.require(a, dtype=np.float64, requirements=["C", "W"])


# ------------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------------
def _check_choice(value, name: str, choices) -> str:
    if not isinstance(value, str) or value.lower() not in choices:
        raise InputError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; "
                         f"got {value!r}.")
    return value.lower()


def _series_from_single(obj):
    """(t, x) from a TimeSeries, pandas Series, 1-D DataArray, or 1-D array (t = 0..n-1)."""
    from .series import TimeSeries, numeric_time as _time_to_numeric

    if isinstance(obj, TimeSeries):
        if obj.n_rows != 1:
            raise InputError(
                f"the likelihood test takes one series, got a TimeSeries with {obj.n_rows} rows; "
                "select one row first (e.g. ts.isel(series=0))."
            )
        return np.asarray(obj.t, dtype=float), np.asarray(obj.values, dtype=float).ravel()
    try:
        import pandas as pd
        if isinstance(obj, pd.Series):
            return _time_to_numeric(np.asarray(obj.index)), np.asarray(obj.values)
    except ImportError:  # pragma: no cover
        pass
    try:
        import xarray as xr
        if isinstance(obj, xr.DataArray):
            if obj.ndim != 1:
                raise InputError(f"expected a 1-D DataArray, got dims {obj.dims}.")
            dim = obj.dims[0]
            tt = obj[dim].values if dim in obj.coords else np.arange(obj.size)
            return _time_to_numeric(np.asarray(tt)), np.asarray(obj.values)
    except ImportError:  # pragma: no cover
        pass
    x = np.asarray(obj)
    return np.arange(x.size, dtype=float), x


def _validate(t, x) -> tuple[np.ndarray, np.ndarray]:
    """Float64 copies of (t, x) after every check; InputError naming the problem and the fix."""
    if x is None:
        t, x = _series_from_single(t)
    else:
        from .series import numeric_time as _time_to_numeric
        t = np.asarray(t)
        if np.issubdtype(t.dtype, np.datetime64) or np.issubdtype(t.dtype, np.timedelta64):
            t = _time_to_numeric(t)
    try:
        t = np.asarray(t, dtype=float)
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"t and x must be numeric arrays: {exc}.") from None
    if t.ndim != 1 or x.ndim != 1:
        raise InputError(f"t and x must be 1-D (one series), got shapes {t.shape} and {x.shape}.")
    if t.size != x.size:
        raise InputError(f"t and x must have the same length, got {t.size} and {x.size}.")
    if x.size < MIN_POINTS:
        raise InputError(f"need at least {MIN_POINTS} observations to fit the models, got {x.size}.")
    for name, a in (("t", t), ("x", x)):
        bad = ~np.isfinite(a)
        if bad.any():
            raise InputError(
                f"{name} has {int(bad.sum())} NaN/infinite value(s) (first at positions "
                f"{np.flatnonzero(bad)[:5].tolist()}); remove or interpolate them first "
                "(e.g. ews.TimeSeries(..., missing='drop'))."
            )
    dt = np.diff(t)
    if not (dt > 0).all():
        k = int(np.flatnonzero(~(dt > 0))[0])
        raise InputError(
            f"t must be strictly increasing, but t[{k + 1}] = {t[k + 1]!r} <= t[{k}] = {t[k]!r}; "
            "sort the series by time and remove duplicate time stamps."
        )
    if np.ptp(x) == 0:
        raise InputError("x is constant; the models need a series that varies.")
    return np.array(t, dtype=np.float64), np.array(x, dtype=np.float64)   # fresh, writable


def _param_vector(model: str, params) -> np.ndarray:
    names = PARAMETERS[model]
    if isinstance(params, dict):
        missing = [k for k in names if k not in params]
        extra = [k for k in params if k not in names]
        if missing or extra:
            raise InputError(f"{model} parameters are {names}; missing {missing}, unknown {extra}.")
        v = [params[k] for k in names]
    else:
        v = list(np.asarray(params, dtype=float).ravel())
        if len(v) != len(names):
            raise InputError(f"{model} needs {len(names)} parameters {names}, got {len(v)}.")
    try:
        v = np.array(v, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{model} parameters must be numbers, got {params!r}.") from None
    if not np.isfinite(v).all():
        raise InputError(f"{model} parameters must be finite, got {dict(zip(names, v))}.")
    return v


def _warn_level(x: np.ndarray) -> None:
    if np.mean(x) <= 0:
        warnings.warn(
            "the LSN model assumes a positive level (equilibrium theta + sqrt(R) and noise intensity "
            "sigma^2 (sqrt(R) + theta) must be positive); this series has a non-positive mean, so "
            "the LSN fit is degenerate and the deviance meaningless. Analyse the undetrended, "
            "positive-valued series.", EWSWarning, stacklevel=3)


def _n_jobs(n_jobs) -> int:
    if n_jobs is None:
        try:
            import numba
            return max(1, int(numba.get_num_threads()))
        except Exception:  # pragma: no cover
            return max(1, os.cpu_count() or 1)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise InputError(f"n_jobs must be a positive integer or None, got {n_jobs!r}.")
    return int(n_jobs)


# ------------------------------------------------------------------------------------------------
# the engine: fit OU (+ LSN) on many rows, in threads
# ------------------------------------------------------------------------------------------------
def _fit_rows(tk, X, c, published, both, ou_start=None, lsn_start=None, n_jobs=1,
              maxit=None, n_restarts=_MLE_RESTARTS, tune=None):
    """Kernel-time fits on every row of X.  Returns P (rows, 7) and RES (rows, 6)."""
    K = _kernels()
    X = _w(X)
    tk = _w(tk)
    rows = X.shape[0]
    P = np.empty((rows, 7))
    RES = np.empty((rows, 6))
    have_ou = ou_start is not None
    have_lsn = lsn_start is not None
    os_ = _w(ou_start if have_ou else np.zeros(3))
    ls_ = _w(lsn_start if have_lsn else np.zeros(4))
    if maxit is None:
        maxit = _R_MAXIT if published else _MLE_MAXIT
    tune_ = _w(_MLE_TUNE if tune is None else tune)

    def run(lo, hi):
        K.fit_rows(tk, X[lo:hi], float(c), bool(published), bool(both), os_, have_ou, ls_,
                   have_lsn, int(maxit), int(n_restarts), tune_, P[lo:hi], RES[lo:hi])

    if n_jobs <= 1 or rows <= _CHUNK:
        run(0, rows)
    else:
        bounds = [(lo, min(lo + _CHUNK, rows)) for lo in range(0, rows, _CHUNK)]
        with ThreadPoolExecutor(max_workers=n_jobs) as ex:
            list(ex.map(lambda b: run(*b), bounds))
    return P, RES


def _kernel_time(t: np.ndarray, method: str) -> np.ndarray:
    # "mle" works with t - t[0] (better conditioned); "published" with t as given, as R does.
    return t - t[0] if method == "mle" else t


def _lsn_to_user(p: np.ndarray, t0: float, method: str) -> np.ndarray:
    q = np.array(p, dtype=float)
    if method == "mle":
        q[0] = p[0] - p[1] * t0
    return q


def _lsn_to_kernel(p: np.ndarray, t0: float, method: str) -> np.ndarray:
    q = np.array(p, dtype=float)
    if method == "mle":
        q[0] = p[0] + p[1] * t0
    return q


_FAIL_TEXT = {0: "converged", 1: "maximum number of function evaluations reached",
              10: "degenerate simplex", 2: "objective not finite at every start"}


# ------------------------------------------------------------------------------------------------
# fitted model
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ModelFit:
    """A maximum-likelihood fit of the OU or LSN model (returned by :func:`fit`).

    Attributes
    ----------
    model : {"ou", "lsn"}
    form : {"legacy", "consistent"}
        LSN moment equations (recorded for OU too; it does not affect the OU).
    method : {"mle", "published"}
        Optimiser used.
    params : dict
        OU: ``a, theta, sigma``; LSN: ``R0, m, theta, sigma`` with ``R(t) = R0 + m t`` in the time
        units *and origin* of ``t``.
    loglik : float
        Log-likelihood conditional on the first observation (-inf if the fit failed).
    converged : bool
        The optimiser stopped on its tolerance (not on the evaluation limit, a degenerate simplex
        or a failure).
    n_obs : int
        Number of observations (``n_obs - 1`` transitions enter the likelihood).
    n_evals : int
        Objective evaluations used.
    status : str
        Optimiser outcome in words.
    t, x : numpy.ndarray
        The data (read-only copies).
    """

    model: str
    form: str
    method: str
    params: dict
    loglik: float
    converged: bool
    n_obs: int
    n_evals: int
    status: str
    t: np.ndarray = field(repr=False)
    x: np.ndarray = field(repr=False)

    @property
    def n_params(self) -> int:
        return len(self.params)

    @property
    def aic(self) -> float:
        """``2 k - 2 l``."""
        return 2.0 * self.n_params - 2.0 * self.loglik

    def _vector(self) -> np.ndarray:
        return np.array([self.params[k] for k in PARAMETERS[self.model]], dtype=float)

    def transition_moments(self, t=None):
        """Coefficients of the Gaussian transitions on the time grid ``t`` (default: the data's).

        Returns ``(alpha, beta, var)``, arrays of length ``len(t) - 1``, with
        ``X(t[k+1]) | X(t[k]) = x ~ N(alpha[k] x + beta[k], var[k])``.
        """
        t = self.t if t is None else _validate_times(t)
        K = _kernels()
        n = t.size
        al, be, va = np.empty(n - 1), np.empty(n - 1), np.empty(n - 1)
        ok = K.coefficients(0 if self.model == "ou" else 1, self._vector(), FORMS[self.form],
                            _w(t), self.method == "published", al, be, va)
        if not ok:
            raise InputError(
                f"the fitted {self.model.upper()} is not defined on this time grid (R(t) = R0 + m t "
                "must stay >= 0 and the variance positive); use times within the fitted range."
            )
        return al, be, va

    def simulate(self, t=None, n: int = 1, seed=None, x0=None) -> np.ndarray:
        """Simulate ``n`` series from the fitted model with its exact (OU) or moment-matched
        Gaussian (LSN) transitions, as the published software does.

        Parameters
        ----------
        t : array-like, optional
            Sampling times (strictly increasing); default the observed times.
        n : int
            Number of series.
        seed : None, int, SeedSequence or Generator
            Row ``i`` uses its own stream derived from ``(seed, i)``.
        x0 : float, optional
            Value at ``t[0]``; default the first observation.

        Returns
        -------
        numpy.ndarray, shape ``(n, len(t))``.
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InputError(f"n must be a positive integer, got {n!r}.")
        al, be, va = self.transition_moments(t)
        x0 = float(self.x[0]) if x0 is None else float(x0)
        if not math.isfinite(x0):
            raise InputError(f"x0 must be finite, got {x0!r}.")
        states = row_states(seed, int(n))
        out = np.empty((int(n), al.size + 1))
        _kernels().simulate_rows(al, be, va, x0, states, out)
        return out

    def to_dict(self) -> dict:
        return {"model": self.model, "form": self.form, "method": self.method,
                "params": dict(self.params), "loglik": self.loglik, "converged": self.converged,
                "n_obs": self.n_obs, "n_evals": self.n_evals, "status": self.status}

    def __repr__(self) -> str:
        ps = ", ".join(f"{k}={v:.6g}" for k, v in self.params.items())
        return (f"ModelFit({self.model.upper()}, {ps}; loglik={self.loglik:.6g}, "
                f"converged={self.converged}, method={self.method!r}, form={self.form!r})")


def _validate_times(t) -> np.ndarray:
    t = np.asarray(t, dtype=float).ravel()
    if t.size < 2 or not np.isfinite(t).all() or not (np.diff(t) > 0).all():
        raise InputError("t must hold at least 2 finite, strictly increasing times.")
    return np.ascontiguousarray(t)


def _make_fit(model, form, method, pvec, nll, code, nfev, t, x) -> ModelFit:
    code = int(code) if np.isfinite(code) else 2
    ok = math.isfinite(nll)
    tr, xr_ = t.copy(), x.copy()
    tr.setflags(write=False)
    xr_.setflags(write=False)
    return ModelFit(
        model=model, form=form, method=method,
        params={k: float(v) for k, v in zip(PARAMETERS[model], pvec)},
        loglik=float(-nll) if ok else -math.inf,
        converged=bool(ok and code == 0), n_obs=int(t.size),
        n_evals=int(nfev) if np.isfinite(nfev) else 0,
        status=_FAIL_TEXT.get(code, f"optimiser code {code}") if ok else _FAIL_TEXT[2],
        t=tr, x=xr_,
    )


def _fit_both(t, x, form, method, maxit=None, tune=None):
    tk = _kernel_time(t, method)
    P, RES = _fit_rows(tk, x[None, :], FORMS[form], method == "published", True, maxit=maxit,
                       tune=_MLE_TUNE_FIT if tune is None else tune)
    ou = _make_fit("ou", form, method, P[0, :3], RES[0, 0], RES[0, 1], RES[0, 2], t, x)
    lsn = _make_fit("lsn", form, method, _lsn_to_user(P[0, 3:], t[0], method), RES[0, 3],
                    RES[0, 4], RES[0, 5], t, x)
    return ou, lsn


def fit(t, x=None, model: str = "ou", form: str = "legacy", *, method: str = "mle",
        start=None, maxit: int | None = None) -> ModelFit:
    """Maximum-likelihood fit of the OU null or the linearised saddle-node (LSN) model.

    OU: ``dX = a (theta - X) dt + sigma dW``.  LSN: ``R(t) = R0 + m t`` and transition moments
    ``dE/dt = c sqrt(R) (sqrt(R) + theta - E)``, ``dV/dt = -2 sqrt(R) V + sigma^2 (sqrt(R) + theta)``
    with ``c = 2`` (``form="legacy"``, the published software) or ``c = 1`` (``"consistent"``).
    The log-likelihood is ``sum_k log phi(x_k; E_k(x_{k-1}), V_k)`` (first observation conditioned
    on); see the module documentation.

    Parameters
    ----------
    t : array-like, or a TimeSeries / pandas Series / 1-D DataArray when ``x`` is None
        Sampling times, strictly increasing (uneven spacing allowed).  A TimeSeries contributes its
        numeric time and its (undetrended) state; a 1-D array alone is taken as ``x`` with
        ``t = 0, 1, ...``.
    x : array-like
        Observations (at least 5, finite, not constant).
    model : {"ou", "lsn"}
    form : {"legacy", "consistent"}
        LSN moment equations (default "legacy", which reproduces the published numbers).
    method : {"mle", "published"}
        ``"mle"``: multi-start search for the maximum (default).  ``"published"``: the single
        Nelder-Mead run of ``earlywarning::stability_model`` (reproduces its numbers, often a
        local optimum).  For LSN both first fit the OU and start from it.
    start : dict or sequence, optional
        Starting parameters.  ``"published"``: replaces the package's start (R's ``update``);
        ``"mle"``: added to the starts.
    maxit : int, optional
        Function evaluations per Nelder-Mead run (default 500 for "published", as R; 2000 for "mle").

    Returns
    -------
    ModelFit
        ``.params`` (dict), ``.loglik``, ``.converged``, ``.model``, ``.form``, ``.method``,
        ``.n_obs``, ``.simulate(t, n, seed)``.

    Raises
    ------
    InputError
        Bad ``t``/``x`` (length < 5, NaN/inf, not strictly increasing, constant ``x``, different
        lengths), unknown ``model``/``form``/``method``, or a bad ``start``.

    References
    ----------
    Boettiger, C. & Hastings, A. (2012). Quantifying limits to detection of early warning for
    critical transitions. J. R. Soc. Interface 9, 2527-2539. doi:10.1098/rsif.2012.0125

    Examples
    --------
    >>> import numpy as np
    >>> from ews import likelihood
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(200.0)
    >>> x = 10 + np.sin(t / 7) + rng.normal(0, 0.3, 200)
    >>> f = likelihood.fit(t, x, model="ou")
    >>> sorted(f.params), f.converged
    (['a', 'sigma', 'theta'], True)
    >>> g = likelihood.fit(t, x, model="lsn")
    >>> sims = g.simulate(n=3, seed=1)          # three series at the observed times
    >>> sims.shape
    (3, 200)
    """
    model = _check_choice(model, "model", MODELS)
    form = _check_choice(form, "form", tuple(FORMS))
    method = _check_choice(method, "method", METHODS)
    t, x = _validate(t, x)
    if maxit is not None and (isinstance(maxit, bool) or not isinstance(maxit, (int, np.integer))
                              or maxit < 10):
        raise InputError(f"maxit must be an integer >= 10, got {maxit!r}.")
    sv = None if start is None else _param_vector(model, start)
    if model == "lsn":
        _warn_level(x)
    tk = _kernel_time(t, method)
    c = FORMS[form]
    published = method == "published"
    if model == "ou":
        P, RES = _fit_rows(tk, x[None, :], c, published, False, ou_start=sv, maxit=maxit,
                           tune=_MLE_TUNE_FIT)
        return _make_fit("ou", form, method, P[0, :3], RES[0, 0], RES[0, 1], RES[0, 2], t, x)
    ls = None if sv is None else _lsn_to_kernel(sv, t[0], method)
    P, RES = _fit_rows(tk, x[None, :], c, published, True, lsn_start=ls, maxit=maxit,
                       tune=_MLE_TUNE_FIT)
    return _make_fit("lsn", form, method, _lsn_to_user(P[0, 3:], t[0], method), RES[0, 3],
                     RES[0, 4], RES[0, 5], t, x)


def loglik(t, x, model: str, params, form: str = "legacy") -> float:
    """Log-likelihood of OU or LSN parameters, conditional on the first observation.

    ``l = sum_{k=1}^{n-1} log phi(x_k; E_k, V_k)`` with the transition moments of the module
    documentation; ``-inf`` outside the model (``a <= 0``, ``sigma <= 0``, ``R(t) < 0`` at a sampling
    time, ``sqrt(R) + theta <= 0``).

    Parameters
    ----------
    t, x : array-like
        Times and observations (validated as in :func:`fit`).
    model : {"ou", "lsn"}
    params : dict or sequence
        OU ``(a, theta, sigma)``; LSN ``(R0, m, theta, sigma)``.
    form : {"legacy", "consistent"}

    Returns
    -------
    float

    Examples
    --------
    >>> from ews import likelihood
    >>> t = [0.0, 1.0, 2.5, 3.0, 4.0]
    >>> x = [1.0, 0.8, 1.1, 0.9, 1.0]
    >>> round(likelihood.loglik(t, x, "ou", {"a": 1.0, "theta": 1.0, "sigma": 0.2}), 4)
    1.7819
    """
    model = _check_choice(model, "model", MODELS)
    form = _check_choice(form, "form", tuple(FORMS))
    t, x = _validate(t, x)
    p = _param_vector(model, params)
    K = _kernels()
    n = t.size
    al, be, va = np.empty(n - 1), np.empty(n - 1), np.empty(n - 1)
    if not K.coefficients(0 if model == "ou" else 1, _w(p), FORMS[form], _w(t), False, al, be, va):
        return -math.inf
    r = x[1:] - al * x[:-1] - be
    return float(-0.5 * np.sum(np.log(2.0 * np.pi * va) + r * r / va))


def evaluate(t, x, model: str, params, form: str = "legacy", method: str = "mle") -> ModelFit:
    """A :class:`ModelFit` with given parameters (no optimisation), e.g. published estimates.

    ``loglik`` is evaluated at ``params``; ``converged`` is False and ``status`` says the parameters
    were given.  Useful to simulate from, or bootstrap (``lr_test(..., fits=...)``), a published fit.

    Examples
    --------
    >>> from ews import likelihood
    >>> t, x = [0.0, 1.0, 2.0, 3.0, 4.0], [5.0, 5.2, 4.9, 5.1, 5.3]
    >>> f = likelihood.evaluate(t, x, "ou", {"a": 0.5, "theta": 5.0, "sigma": 0.3})
    >>> f.simulate(n=2, seed=0).shape
    (2, 5)
    """
    model = _check_choice(model, "model", MODELS)
    form = _check_choice(form, "form", tuple(FORMS))
    method = _check_choice(method, "method", METHODS)
    t, x = _validate(t, x)
    p = _param_vector(model, params)
    ll = loglik(t, x, model, p, form=form)
    tr, xr_ = t.copy(), x.copy()
    tr.setflags(write=False)
    xr_.setflags(write=False)
    return ModelFit(model=model, form=form, method=method,
                    params={k: float(v) for k, v in zip(PARAMETERS[model], p)}, loglik=ll,
                    converged=False, n_obs=int(t.size), n_evals=0,
                    status="parameters given, not optimised", t=tr, x=xr_)


# ------------------------------------------------------------------------------------------------
# likelihood-ratio test with parametric bootstrap
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LikelihoodRatioTest:
    """Result of :func:`lr_test`.

    Attributes
    ----------
    observed : float
        Observed deviance ``D = -2 (l_OU - l_LSN)`` (also ``.deviance``).
    ou_fit, lsn_fit : ModelFit
        The two fits to the data.
    null_deviances : numpy.ndarray, shape (n_boot,)
        ``D`` refitted on series simulated from ``ou_fit`` (NaN where the refit failed).
    test_deviances : numpy.ndarray, shape (n_boot,)
        ``D`` refitted on series simulated from ``lsn_fit``.
    p_value : float
        ``(1 + #{null >= observed}) / (B + 1)``, ``B`` = number of finite null deviances.
    power : float
        Fraction of finite test deviances above the ``1 - alpha`` quantile of the null deviances
        (numpy's default linear quantile).
    alpha : float
    roc : ROCResult
        :func:`ews.roc.roc` of the finite null against the finite test deviances.
    n_failed : int
        Bootstrap deviances that are NaN (null + test) after redraws.
    n_failed_null, n_failed_test : int
    n_redrawn : int
        Extra simulations drawn because a refit failed (or, for ``method="published"``, did not
        converge -- R's ``compare`` loop).
    n_nonconverged : int
        Kept refits whose optimiser stopped on the evaluation limit or a degenerate simplex.
    method, form : str
    n_boot : int
    seed_entropy : int
        Entropy of the root SeedSequence: ``lr_test(..., seed=seed_entropy)`` repeats the run.
    boot_params : dict
        ``{"ou": (2, n_boot, 3), "lsn": (2, n_boot, 4)}`` refitted parameters; first axis
        simulation (0 null/OU, 1 test/LSN).
    boot_loglik : numpy.ndarray, shape (2, 2, n_boot)
        Refit log-likelihoods [simulation, fitted model (0 OU, 1 LSN), replicate].
    boot_status : numpy.ndarray, shape (2, 2, n_boot)
        Optimiser codes (0 converged, 1 evaluation limit, 10 degenerate simplex, 2 failed).
    boot_draws : numpy.ndarray, shape (2, n_boot)
        Simulations drawn per replicate (1 unless redrawn).
    """

    observed: float
    ou_fit: ModelFit
    lsn_fit: ModelFit
    null_deviances: np.ndarray
    test_deviances: np.ndarray
    p_value: float
    power: float
    alpha: float
    roc: ROCResult | None
    n_failed: int
    n_failed_null: int
    n_failed_test: int
    n_redrawn: int
    n_nonconverged: int
    method: str
    form: str
    n_boot: int
    seed_entropy: int
    boot_params: dict = field(repr=False)
    boot_loglik: np.ndarray = field(repr=False)
    boot_status: np.ndarray = field(repr=False)
    boot_draws: np.ndarray = field(repr=False)

    @property
    def deviance(self) -> float:
        return self.observed

    def summary(self):
        """One-row DataFrame: deviance, p-value, power, AUCs, log-likelihoods, counts, settings."""
        import pandas as pd

        row = {
            "deviance": self.observed, "p_value": self.p_value, "power": self.power,
            "alpha": self.alpha,
            "auc": self.roc.auc if self.roc else np.nan,
            "legacy_auc": self.roc.legacy_auc if self.roc else np.nan,
            "loglik_ou": self.ou_fit.loglik, "loglik_lsn": self.lsn_fit.loglik,
            "n_boot": self.n_boot, "n_failed": self.n_failed, "n_redrawn": self.n_redrawn,
            "n_nonconverged": self.n_nonconverged, "method": self.method, "form": self.form,
        }
        for name, f in (("ou", self.ou_fit), ("lsn", self.lsn_fit)):
            for k, v in f.params.items():
                row[f"{name}_{k}"] = v
        return pd.DataFrame([row])

    def to_pandas(self):
        """Long table of the bootstrap: ``simulation (null/test), replicate, deviance``."""
        import pandas as pd

        B = self.n_boot
        return pd.DataFrame({
            "simulation": np.repeat(["null", "test"], B),
            "replicate": np.tile(np.arange(B), 2),
            "deviance": np.concatenate([self.null_deviances, self.test_deviances]),
        })

    def to_xarray(self):
        """Everything as an xarray Dataset (netCDF-ready attrs).

        Variables: ``deviance (simulation, replicate)``, ``loglik (simulation, model, replicate)``,
        ``status``, ``draws``, ``ou_params (simulation, replicate, ou_parameter)``,
        ``lsn_params (simulation, replicate, lsn_parameter)``, ``roc_fpr/roc_tpr/roc_threshold
        (roc_point)``.  Attrs: observed deviance, p-value, power, AUCs, fitted parameters, settings.
        """
        import xarray as xr

        sims = ["null", "test"]
        ds = xr.Dataset(
            {
                "deviance": (("simulation", "replicate"),
                             np.stack([self.null_deviances, self.test_deviances])),
                "loglik": (("simulation", "model", "replicate"), self.boot_loglik),
                "status": (("simulation", "model", "replicate"), self.boot_status),
                "draws": (("simulation", "replicate"), self.boot_draws),
                "ou_params": (("simulation", "replicate", "ou_parameter"), self.boot_params["ou"]),
                "lsn_params": (("simulation", "replicate", "lsn_parameter"),
                               self.boot_params["lsn"]),
            },
            coords={"simulation": sims, "model": ["ou", "lsn"],
                    "replicate": np.arange(self.n_boot),
                    "ou_parameter": list(PARAMETERS["ou"]),
                    "lsn_parameter": list(PARAMETERS["lsn"])},
        )
        if self.roc is not None:
            ds["roc_fpr"] = ("roc_point", self.roc.fpr)
            ds["roc_tpr"] = ("roc_point", self.roc.tpr)
            ds["roc_threshold"] = ("roc_point", self.roc.thresholds)
        attrs = {
            "observed_deviance": self.observed, "p_value": self.p_value, "power": self.power,
            "alpha": self.alpha, "auc": self.roc.auc if self.roc else np.nan,
            "auc_trapezoid": self.roc.auc_trapezoid if self.roc else np.nan,
            "legacy_auc": self.roc.legacy_auc if self.roc else np.nan,
            "loglik_ou": self.ou_fit.loglik, "loglik_lsn": self.lsn_fit.loglik,
            "converged_ou": int(self.ou_fit.converged), "converged_lsn": int(self.lsn_fit.converged),
            "n_boot": self.n_boot, "n_failed": self.n_failed, "n_redrawn": self.n_redrawn,
            "n_nonconverged": self.n_nonconverged, "method": self.method, "form": self.form,
            "seed_entropy": str(self.seed_entropy),
            "reference": "Boettiger & Hastings 2012, J R Soc Interface 9:2527",
        }
        for name, f in (("ou", self.ou_fit), ("lsn", self.lsn_fit)):
            for k, v in f.params.items():
                attrs[f"{name}_{k}"] = v
        ds.attrs.update(attrs)
        return ds

    def __repr__(self) -> str:
        auc = f"{self.roc.auc:.3f}" if self.roc else "nan"
        return (f"LikelihoodRatioTest(deviance={self.observed:.4g}, p_value={self.p_value:.4g}, "
                f"power={self.power:.3g} at alpha={self.alpha}, auc={auc}, n_boot={self.n_boot}, "
                f"n_failed={self.n_failed}, method={self.method!r}, form={self.form!r})")


def lr_test(t, x=None, n_boot: int = 500, seed=None, *, form: str = "legacy", method: str = "mle",
            alpha: float = 0.05, max_redraws: int | None = None, n_jobs: int | None = None,
            maxit: int | None = None, fits: tuple | None = None) -> LikelihoodRatioTest:
    """Likelihood-ratio test of OU (null) against LSN, calibrated by a parametric bootstrap.

    1. Fit OU and LSN to ``(t, x)``; ``D_obs = -2 (l_OU - l_LSN)``.
    2. For ``b = 1..B``: simulate a series from the OU fit and one from the LSN fit at the observed
       times, each starting at the observed ``x[0]`` (as ``simulate.gauss`` in the published
       software); refit both models to each (the fitted parameters are used as starts, as R's
       ``update``) and record the deviances ``D_null[b]``, ``D_test[b]``.
    3. ``p = (1 + #{D_null >= D_obs}) / (B + 1)``; power at ``alpha`` = fraction of ``D_test`` above
       the ``1 - alpha`` quantile of ``D_null``; ROC of ``D_null`` vs ``D_test``.

    A refit that fails (non-finite likelihood at every start) does not stop the bootstrap: the
    series is redrawn up to ``max_redraws`` times, then its deviance is NaN and counted in
    ``n_failed``; NaNs are left out of the p-value, power and ROC.

    Parameters
    ----------
    t, x : see :func:`fit`.
    n_boot : int, default 500
        Bootstrap replicates ``B`` (each gives one null and one test deviance: 4 B refits).
    seed : None, int, SeedSequence or Generator
        Replicate ``b`` uses its own random stream derived from ``(seed, b)``: the result does not
        depend on ``n_jobs``.
    form : {"legacy", "consistent"}
        LSN moment equations (default "legacy").
    method : {"mle", "published"}
        Optimiser (see :func:`fit`).  ``"mle"`` uses a faster setting than :func:`fit` (a short
        screening run from every start, then the best one polished), the same for the data and for
        every bootstrap series, so the statistic is computed identically on both; the fitted
        parameters are added as refit starts.  ``"published"`` uses only the fitted parameters as
        refit starts (R's ``update``) and redraws simulations whose two refits did not both
        converge (R's ``compare``).
    alpha : float, default 0.05
        Level for ``power``.
    max_redraws : int, optional
        Default 100 for "published" (R: unlimited), 0 for "mle".
    n_jobs : int, optional
        Threads (default: numba's thread count).  Does not change the numbers.
    maxit : int, optional
        Function evaluations per Nelder-Mead run (see :func:`fit`).
    fits : (ModelFit, ModelFit), optional
        Use these OU and LSN models (e.g. from :func:`evaluate` with published parameters) instead
        of fitting the data; the bootstrap simulates from them and refits with ``method``.

    Returns
    -------
    LikelihoodRatioTest
        ``.observed``, ``.ou_fit``, ``.lsn_fit``, ``.null_deviances``, ``.test_deviances``,
        ``.p_value``, ``.power``, ``.roc``, ``.n_failed``, ``.summary()``, ``.to_xarray()``.

    Raises
    ------
    InputError
        Bad data or arguments, or a model that cannot be fitted to the data at all.

    References
    ----------
    Boettiger, C. & Hastings, A. (2012). Quantifying limits to detection of early warning for
    critical transitions. J. R. Soc. Interface 9, 2527-2539. doi:10.1098/rsif.2012.0125

    Examples
    --------
    >>> import numpy as np
    >>> from ews import likelihood
    >>> rng = np.random.default_rng(3)
    >>> t = np.arange(40.0)
    >>> x = 100 + np.cumsum(rng.normal(0, 1, 40)) * 0.3 + rng.normal(0, 2, 40)
    >>> res = likelihood.lr_test(t, x, n_boot=20, seed=1)
    >>> 0 < res.p_value <= 1 and res.null_deviances.shape
    (20,)
    """
    form = _check_choice(form, "form", tuple(FORMS))
    method = _check_choice(method, "method", METHODS)
    t, x = _validate(t, x)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise InputError(f"n_boot must be a positive integer, got {n_boot!r}.")
    n_boot = int(n_boot)
    try:
        alpha = float(alpha)
    except (TypeError, ValueError):
        raise InputError(f"alpha must be a number in (0, 1), got {alpha!r}.") from None
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha must be in (0, 1), got {alpha}.")
    published = method == "published"
    if max_redraws is None:
        max_redraws = _PUBLISHED_REDRAWS if published else 0
    if isinstance(max_redraws, bool) or not isinstance(max_redraws, (int, np.integer)) \
            or max_redraws < 0:
        raise InputError(f"max_redraws must be a non-negative integer, got {max_redraws!r}.")
    if maxit is not None and (isinstance(maxit, bool) or not isinstance(maxit, (int, np.integer))
                              or maxit < 10):
        raise InputError(f"maxit must be an integer >= 10, got {maxit!r}.")
    jobs = _n_jobs(n_jobs)
    root = seed_sequence(seed)
    _warn_level(x)
    entropy = int(root.entropy) if isinstance(root.entropy, (int, np.integer)) else 0

    if fits is None:
        ou_fit, lsn_fit = _fit_both(t, x, form, method, maxit=maxit, tune=_MLE_TUNE)
    else:
        if (not isinstance(fits, (tuple, list)) or len(fits) != 2
                or not all(isinstance(f, ModelFit) for f in fits)
                or (fits[0].model, fits[1].model) != ("ou", "lsn")):
            raise InputError("fits must be a pair (OU ModelFit, LSN ModelFit), e.g. from "
                             "likelihood.evaluate(t, x, 'ou', params) and ...('lsn', params).")
        ou_fit, lsn_fit = fits
        if ou_fit.n_obs != t.size or not np.array_equal(ou_fit.t, t) \
                or not np.array_equal(lsn_fit.t, t):
            raise InputError("fits were made on other sampling times than t; refit or pass the "
                             "same t.")
    for f in (ou_fit, lsn_fit):
        if not math.isfinite(f.loglik):
            extra = (" The LSN needs a positive level: its equilibrium theta + sqrt(R) and its noise "
                     "intensity sigma^2 (sqrt(R) + theta) must be positive; analyse the undetrended, "
                     "positive-valued series." if f.model == "lsn" else "")
            raise InputError(f"the {f.model.upper()} model could not be fitted to these data.{extra}")

    K = _kernels()
    c = FORMS[form]
    tk = _kernel_time(t, method)
    ou_k = ou_fit._vector()
    lsn_k = _lsn_to_kernel(lsn_fit._vector(), t[0], method)
    n = t.size
    coef = []
    for model, p in ((0, ou_k), (1, lsn_k)):
        al, be, va = np.empty(n - 1), np.empty(n - 1), np.empty(n - 1)
        if not K.coefficients(model, _w(p), c, _w(tk), published, al, be, va):  # pragma: no cover
            raise InputError("the fitted model cannot be simulated on the observed times.")
        coef.append((al, be, va))

    states = row_states(root, n_boot)
    dev = np.full((2, n_boot), np.nan)
    ll = np.full((2, 2, n_boot), np.nan)
    status = np.full((2, 2, n_boot), 2, dtype=np.int64)
    draws = np.zeros((2, n_boot), dtype=np.int64)
    pars = {"ou": np.full((2, n_boot, 3), np.nan), "lsn": np.full((2, n_boot, 4), np.nan)}
    x0 = float(x[0])
    for sim in (0, 1):
        al, be, va = coef[sim]
        todo = np.arange(n_boot)
        for attempt in range(max_redraws + 1):
            sub = states[todo]
            X = np.empty((todo.size, n))
            K.simulate_rows(al, be, va, x0, sub, X)   # sub: a copy (fancy indexing), writable
            states[todo] = sub                      # streams continue on a redraw
            P, RES = _fit_rows(tk, X, c, published, True, ou_start=ou_k, lsn_start=lsn_k,
                               n_jobs=jobs, maxit=maxit)
            draws[sim, todo] += 1
            ok = np.isfinite(RES[:, 0]) & np.isfinite(RES[:, 3])
            dev[sim, todo] = np.where(ok, 2.0 * (RES[:, 0] - RES[:, 3]), np.nan)
            ll[sim, 0, todo] = -RES[:, 0]
            ll[sim, 1, todo] = -RES[:, 3]
            status[sim, 0, todo] = np.where(np.isfinite(RES[:, 1]), RES[:, 1], 2).astype(np.int64)
            status[sim, 1, todo] = np.where(np.isfinite(RES[:, 4]), RES[:, 4], 2).astype(np.int64)
            pars["ou"][sim, todo] = P[:, :3]
            lp = P[:, 3:].copy()
            if method == "mle":
                lp[:, 0] = lp[:, 0] - lp[:, 1] * t[0]
            pars["lsn"][sim, todo] = lp
            redo = ~ok
            if published:
                redo |= (RES[:, 1] != 0) | (RES[:, 4] != 0)
            todo = todo[redo]
            if todo.size == 0 or attempt == max_redraws:
                break

    null_d, test_d = dev[0], dev[1]
    nv = null_d[np.isfinite(null_d)]
    tv = test_d[np.isfinite(test_d)]
    obs = 2.0 * (lsn_fit.loglik - ou_fit.loglik)
    p_value = (1.0 + np.sum(nv >= obs)) / (nv.size + 1.0)
    if nv.size and tv.size:
        thr = float(np.quantile(nv, 1.0 - alpha))
        power = float(np.mean(tv > thr))
        roc_res = roc(nv, tv)
    else:  # pragma: no cover - every refit failed
        power = float("nan")
        roc_res = None
    kept = np.isfinite(dev)[:, None, :] & (status != 0)
    for a in (null_d, test_d):
        a.setflags(write=False)
    return LikelihoodRatioTest(
        observed=float(obs), ou_fit=ou_fit, lsn_fit=lsn_fit,
        null_deviances=null_d, test_deviances=test_d, p_value=float(p_value), power=power,
        alpha=alpha, roc=roc_res,
        n_failed=int((~np.isfinite(dev)).sum()),
        n_failed_null=int((~np.isfinite(null_d)).sum()),
        n_failed_test=int((~np.isfinite(test_d)).sum()),
        n_redrawn=int((draws - 1).clip(min=0).sum()),
        n_nonconverged=int(kept.sum()),
        method=method, form=form, n_boot=n_boot, seed_entropy=entropy,
        boot_params=pars, boot_loglik=ll, boot_status=status, boot_draws=draws,
    )
