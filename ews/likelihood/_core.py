"""The door and the shared pieces of ``ews.likelihood``: constants, input conversion, parameter
vectors, the batched kernel calls and the shape rules of the results.

Every public function converts its input once (:func:`rows_of`) into a :class:`Rows`: the numeric
time ``t`` (n,), the states of every row ``X`` (n_rows, n) and the number of valid points of each row
``lengths`` (ragged rows are padded at the end).  Results keep arrays over rows (row-first) and give
them back in the input's leading shape; a single series (no leading dimension) gives scalars.
"""
from __future__ import annotations

import contextlib
import warnings

import numpy as np

from .._errors import EWSWarning, InputError
from .._validate import check_choice, check_count, show

MODELS = ("ou", "lsn")
FORMS = {"legacy": 2.0, "consistent": 1.0}
METHODS = ("mle", "published")
PARAMETERS = {"ou": ("a", "theta", "sigma"), "lsn": ("R0", "m", "theta", "sigma")}
MIN_POINTS = 5

R_MAXIT = 500            # R optim default for Nelder-Mead
MLE_MAXIT = 2000         # per Nelder-Mead run of the "mle" optimiser
MLE_RESTARTS = 3
# "mle" optimiser: (evaluations of the screening run per start, starts polished, relative tolerance)
MLE_TUNE = np.array([200.0, 1.0, 1e-9])        # lr_test: the data and every bootstrap series
MLE_TUNE_FIT = np.array([2000.0, 8.0, 1e-10])  # fit(): every start run to convergence
PUBLISHED_REDRAWS = 100  # R's compare() redraws until both refits converge (without limit)

FAIL_TEXT = {0: "converged", 1: "maximum number of function evaluations reached",
             10: "degenerate simplex", 2: "objective not finite at every start"}


def accepts_t(func):
    """Accept the keyword ``t=`` of the one-series API (before the package took ``data`` first) as
    ``data=``, with a DeprecationWarning: ``fit(t=t, x=x)`` keeps working."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if "t" in kwargs:
            if args or "data" in kwargs:
                raise InputError(f"{func.__name__}: give the times either as the first argument or as t=, "
                                 "not both.")
            warnings.warn(f"{func.__name__}(t=..., x=...) is deprecated; pass the times first "
                          f"({func.__name__}(t, x)) or a TimeSeries ({func.__name__}(ts)).",
                          DeprecationWarning, stacklevel=2)
            kwargs["data"] = kwargs.pop("t")
        return func(*args, **kwargs)

    return wrapper


def kernels():
    from .._kernels import likelihood as K   # numba compiles lazily, on first call
    return K


def w(a) -> np.ndarray:
    """C-contiguous, writable float64 (read-only or strided arrays would compile new kernels)."""
    return np.require(a, dtype=np.float64, requirements=["C", "W"])


def choice(value, choices, what):
    if isinstance(value, str):
        value = value.lower()
    return check_choice(value, tuple(choices), what)


def check_maxit(maxit):
    if maxit is None:
        return None
    if check_count(maxit, "maxit") < 10:
        raise InputError(f"maxit must be a whole number >= 10, got {show(maxit)}.")
    return int(maxit)


def n_threads(n_jobs) -> int:
    import numba

    if n_jobs is None:
        return max(1, int(numba.get_num_threads()))
    return min(check_count(n_jobs, "n_jobs"), int(numba.config.NUMBA_NUM_THREADS))


@contextlib.contextmanager
def threads(n: int):
    """numba's thread count for parallel kernels called from this thread (thread-local in numba)."""
    import numba

    old = numba.get_num_threads()
    numba.set_num_threads(max(1, min(n, numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(old)


# ------------------------------------------------------------------------------------------------
# the door
# ------------------------------------------------------------------------------------------------
class Rows:
    """Validated rows of one input (see the module docstring)."""

    __slots__ = ("t", "X", "lengths", "lead_shape", "lead_dims", "coords")

    def __init__(self, t, X, lengths, lead_shape, lead_dims, coords):
        self.t, self.X, self.lengths = t, X, lengths
        self.lead_shape, self.lead_dims, self.coords = lead_shape, lead_dims, coords

    @property
    def n_rows(self) -> int:
        return self.X.shape[0]

    @property
    def single(self) -> bool:
        return self.lead_shape == ()

    def out(self, a, trailing: int = 0):
        """Row-first array -> the input's leading shape (+ trailing axes); a scalar for one series."""
        a = np.asarray(a)
        shaped = a.reshape(self.lead_shape + a.shape[1:])
        if trailing == 0 and shaped.ndim == 0:
            return shaped.item()
        return shaped

    def rows_index(self):
        """pandas Index/MultiIndex of the rows (leading coordinates where known)."""
        import pandas as pd

        if self.single:
            return pd.RangeIndex(1)
        levels = []
        for d, size in zip(self.lead_dims, self.lead_shape):
            vals = np.arange(size)
            c = self.coords.get(d)
            if c is not None and tuple(c[0]) == (d,):
                vals = np.asarray(c[1])
            levels.append((d, vals))
        if len(levels) == 1:
            return pd.Index(levels[0][1], name=levels[0][0])
        return pd.MultiIndex.from_product([v for _, v in levels], names=[d for d, _ in levels])

    def xr_coords(self) -> dict:
        return {k: (d, v) for k, (d, v) in self.coords.items()}


def rows_of(data, x=None) -> Rows:
    """Convert the input once: a TimeSeries or anything it accepts (numpy, pandas, xarray), or the
    shorthand ``(t, x)`` (times and values, ``x`` 1-D or (rows, time))."""
    from ..series import as_timeseries

    if x is not None:
        t = np.asarray(data)
        if t.ndim != 1:
            raise InputError(f"t must be 1-D (one time stamp per observation, the last axis of x), "
                             f"got shape {t.shape}; pass one series per row of x.")
        xv = np.asarray(x)
        if xv.ndim == 0:
            raise InputError("x must be an array of observations, got a single number.")
        ts = as_timeseries(xv, time=t)
    else:
        ts = as_timeseries(data)
    X = w(ts.rows("state"))
    lengths = np.ascontiguousarray(ts.row_lengths(), dtype=np.int64)
    lead_shape = tuple(ts.shape[:-1])
    lead_dims = tuple(ts.leading_dims)
    which = (lambda i: "") if lead_shape == () else (lambda i: f" row {i}")
    short = np.flatnonzero(lengths < MIN_POINTS)
    if short.size:
        i = int(short[0])
        raise InputError(f"need at least {MIN_POINTS} observations to fit the models, got "
                         f"{int(lengths[i])}{which(i)}" + (f" ({short.size} rows too short)"
                                                           if short.size > 1 else "") + ".")
    valid = np.arange(X.shape[1])[None, :] < lengths[:, None]
    hi = np.where(valid, X, -np.inf).max(axis=1)
    lo = np.where(valid, X, np.inf).min(axis=1)
    const = np.flatnonzero(hi == lo)
    if const.size:
        raise InputError(f"the series{which(int(const[0]))} is constant"
                         + (f" ({const.size} constant rows)" if const.size > 1 else "")
                         + "; the models need a series that varies.")
    coords = {k: (tuple(d), np.asarray(v)) for k, (d, v) in ts.coords.items()
              if set(d) <= set(lead_dims)}
    t = w(ts.t)
    return Rows(t, X, lengths, lead_shape, lead_dims, coords)


def warn_level(rows: Rows) -> None:
    valid = np.arange(rows.X.shape[1])[None, :] < rows.lengths[:, None]
    mean = np.where(valid, rows.X, 0.0).sum(axis=1) / rows.lengths
    bad = int(np.sum(mean <= 0))
    if bad:
        what = "this series has" if rows.single else f"{bad} of {rows.n_rows} rows have"
        warnings.warn(
            "the LSN model assumes a positive level (equilibrium theta + sqrt(R) and noise intensity "
            f"sigma^2 (sqrt(R) + theta) must be positive); {what} a non-positive mean, so "
            "the LSN fit is degenerate and the deviance meaningless. Analyse the undetrended, "
            "positive-valued series.", EWSWarning, stacklevel=3)


def param_rows(model: str, params, rows: Rows) -> np.ndarray:
    """Parameters as a (n_rows, k) array: a dict of numbers or arrays broadcastable to the rows'
    leading shape, or a sequence/array whose last axis holds the k parameters."""
    names = PARAMETERS[model]
    k = len(names)
    try:
        if isinstance(params, dict):
            missing = [n for n in names if n not in params]
            extra = [n for n in params if n not in names]
            if missing or extra:
                raise InputError(f"{model} parameters are {names}; missing {missing}, "
                                 f"unknown {extra}.")
            cols = [np.broadcast_to(np.asarray(params[n], dtype=float), rows.lead_shape)
                    for n in names]
            P = np.stack(cols, axis=-1)
        else:
            v = np.asarray(params, dtype=float)
            if v.ndim == 0 or v.shape[-1] != k:
                raise InputError(f"{model} needs {k} parameters {names}, got "
                                 f"{v.size if v.ndim else 1}.")
            P = np.broadcast_to(v, rows.lead_shape + (k,))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{model} parameters must be numbers (or arrays over the rows, shape "
                         f"{rows.lead_shape}), got {params!r}.") from None
    P = w(P.reshape(rows.n_rows, k))
    if not np.isfinite(P).all():
        raise InputError(f"{model} parameters must be finite, got {params!r}.")
    return P


# ------------------------------------------------------------------------------------------------
# kernel time: "mle" works with t - t[0] (better conditioned); "published" with t as given (as R)
# ------------------------------------------------------------------------------------------------
def kernel_time(t: np.ndarray, method: str) -> np.ndarray:
    return w(t - t[0]) if method == "mle" else t


def lsn_to_user(P: np.ndarray, t0: float, method: str) -> np.ndarray:
    Q = np.array(P, dtype=float)
    if method == "mle":
        Q[..., 0] = P[..., 0] - P[..., 1] * t0
    return Q


def lsn_to_kernel(P: np.ndarray, t0: float, method: str) -> np.ndarray:
    Q = np.array(P, dtype=float)
    if method == "mle":
        Q[..., 0] = P[..., 0] + P[..., 1] * t0
    return w(Q)


def fit_rows(tk, X, lengths, c, published, both, ou_start=None, lsn_start=None, n_jobs=1,
             maxit=None, n_restarts=MLE_RESTARTS, tune=None):
    """Kernel-time fits of every row of X in one kernel call (rows in parallel when n_jobs > 1).

    Returns P (rows, 7) = (a, theta, sigma, R0, m, theta, sigma) and RES (rows, 6) =
    (nll_ou, fail_ou, nfev_ou, nll_lsn, fail_lsn, nfev_lsn).
    """
    K = kernels()
    X = w(X)
    rows = X.shape[0]
    P = np.empty((rows, 7))
    RES = np.empty((rows, 6))
    have_ou = ou_start is not None
    have_lsn = lsn_start is not None
    os_ = w(np.broadcast_to(ou_start, (rows, 3)) if have_ou else np.zeros((rows, 3)))
    ls_ = w(np.broadcast_to(lsn_start, (rows, 4)) if have_lsn else np.zeros((rows, 4)))
    if maxit is None:
        maxit = R_MAXIT if published else MLE_MAXIT
    tune_ = w(MLE_TUNE if tune is None else tune)
    args = (w(tk), X, np.ascontiguousarray(lengths, dtype=np.int64), float(c), bool(published),
            bool(both), os_, have_ou, ls_, have_lsn, int(maxit), int(n_restarts), tune_, P, RES)
    # a fit costs milliseconds, so two rows already repay a parallel launch (not the size rule of
    # the cheap kernels)
    _run(K.fit_rows, args, parallel=n_jobs > 1 and rows >= 2, n_jobs=n_jobs)
    return P, RES


def simulate_rows(model: int, P, c, tk, lengths, r_rules, x0, parent, states, n_jobs=1):
    """One path per entry of ``parent`` from the parameters of that row; (paths, ok)."""
    K = kernels()
    m = parent.shape[0]
    out = np.empty((m, tk.shape[0]))
    ok = np.empty(m, dtype=np.bool_)
    args = (int(model), w(P), float(c), w(tk), np.ascontiguousarray(lengths, dtype=np.int64),
            bool(r_rules), w(x0), np.ascontiguousarray(parent, dtype=np.int64), states, out, ok)
    _run(K.simulate_from_rows, args, parallel=n_jobs > 1 and m >= 64, n_jobs=n_jobs)
    return out, ok


def _run(kernel, args, *, parallel: bool, n_jobs: int) -> None:
    """Run a lifted row kernel's serial twin, or its parallel twin on ``n_jobs`` threads."""
    if not parallel:
        kernel.serial_twin(*args)
        return
    with threads(n_jobs):
        kernel.parallel_twin(*args)


def loglik_rows(model: str, P, form: str, t, X, lengths, r_rules=False) -> np.ndarray:
    out = np.empty(X.shape[0])
    kernels().loglik_rows(0 if model == "ou" else 1, w(P), FORMS[form], w(t), w(X),
                          np.ascontiguousarray(lengths, dtype=np.int64), bool(r_rules), out)
    return out


def status_text(code, finite) -> str:
    if not finite:
        return FAIL_TEXT[2]
    code = int(code)
    return FAIL_TEXT.get(code, f"optimiser code {code}")
