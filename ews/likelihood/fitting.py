"""Fits of the OU null and the linearised saddle-node (LSN) to every row of a TimeSeries."""
from __future__ import annotations

import numpy as np

from .._errors import InputError
from .._random import seed_sequence, row_states
from .._validate import check_count
from . import _core as C
from ._core import FORMS, METHODS, MODELS, PARAMETERS

_fit_rows = C.fit_rows    # the engine (module attribute: tests replace it to simulate failures)


class ModelFit:
    """Maximum-likelihood fits of the OU or LSN model to every row (returned by :func:`fit`).

    Values come in the input's leading shape (replicate, series, ...); for a single series they are
    plain numbers.

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
    loglik : float or array
        Log-likelihood conditional on the first observation (-inf if the fit failed).
    converged : bool or array
        The optimiser stopped on its tolerance (not on the evaluation limit, a degenerate simplex
        or a failure).
    n_obs : int or array
        Observations of each row (``n_obs - 1`` transitions enter the likelihood).
    n_evals : int or array
        Objective evaluations used.
    status : str or array
        Optimiser outcome in words.
    t, x : numpy.ndarray
        The data (read-only): numeric time (n,) and states (leading shape + (n,); NaN after the end
        of a ragged row).

    ``.summary()`` gives a table with one line per row, ``.to_xarray()`` a Dataset.
    """

    def __init__(self, model, form, method, P, nll, code, nfev, rows: C.Rows, given=False):
        self.model, self.form, self.method = model, form, method
        self._P = np.asarray(P, dtype=float)              # (rows, k), user time
        self._nll = np.asarray(nll, dtype=float)          # (rows,)
        finite = np.isfinite(self._nll)
        self._code = np.where(np.isfinite(code), code, 2).astype(np.int64)
        self._nfev = np.where(np.isfinite(nfev), nfev, 0).astype(np.int64)
        self._finite = finite
        self._given = given
        self._rows = rows

    # ---- values over rows ------------------------------------------------------------------------
    @property
    def params(self) -> dict:
        return {k: self._rows.out(self._P[:, i]) for i, k in enumerate(PARAMETERS[self.model])}

    @property
    def loglik(self):
        return self._rows.out(np.where(self._finite, -self._nll, -np.inf))

    @property
    def converged(self):
        ok = self._finite & (self._code == 0) & (not self._given)
        return self._rows.out(ok)

    @property
    def n_obs(self):
        return self._rows.out(self._rows.lengths)

    @property
    def n_evals(self):
        return self._rows.out(self._nfev)

    @property
    def status(self):
        if self._given:
            s = np.full(self._nll.shape, "parameters given, not optimised", dtype=object)
        else:
            s = np.array([C.status_text(c, f) for c, f in zip(self._code, self._finite)],
                         dtype=object)
        return self._rows.out(s)

    @property
    def n_rows(self) -> int:
        return self._rows.n_rows

    @property
    def n_params(self) -> int:
        return len(PARAMETERS[self.model])

    @property
    def aic(self):
        """``2 k - 2 l``."""
        return self._rows.out(2.0 * self.n_params + 2.0 * np.where(self._finite, self._nll, np.inf))

    @property
    def t(self) -> np.ndarray:
        t = self._rows.t.copy()
        t.setflags(write=False)
        return t

    @property
    def x(self) -> np.ndarray:
        r = self._rows
        x = r.X.reshape(r.lead_shape + (r.X.shape[1],)).copy()
        x.setflags(write=False)
        return x

    def _vector(self) -> np.ndarray:
        return self._P[0].copy()

    # ---- using the fitted model ------------------------------------------------------------------
    def _times(self, t):
        if t is None:
            return self._rows.t, self._rows.lengths
        t = np.asarray(t, dtype=float).ravel()
        if t.size < 2 or not np.isfinite(t).all() or not (np.diff(t) > 0).all():
            raise InputError("t must hold at least 2 finite, strictly increasing times.")
        return C.w(t), np.full(self.n_rows, t.size, dtype=np.int64)

    def transition_moments(self, t=None):
        """Coefficients of the Gaussian transitions on the time grid ``t`` (default: the data's).

        Returns ``(alpha, beta, var)``, arrays of length ``len(t) - 1`` (leading shape first for
        many rows; NaN after the end of a ragged row), with
        ``X(t[k+1]) | X(t[k]) = x ~ N(alpha[k] x + beta[k], var[k])``.
        """
        t, lengths = self._times(t)
        K = C.kernels()
        n = t.size
        out = np.full((3, self.n_rows, n - 1), np.nan)
        al, be, va = np.empty(n - 1), np.empty(n - 1), np.empty(n - 1)
        for i in range(self.n_rows):
            L = int(lengths[i])
            ok = K.coefficients(0 if self.model == "ou" else 1, C.w(self._P[i]), FORMS[self.form],
                                C.w(t[:L]), self.method == "published", al, be, va)
            if not ok:
                raise InputError(
                    f"the fitted {self.model.upper()} is not defined on this time grid (R(t) = R0 + "
                    "m t must stay >= 0 and the variance positive); use times within the fitted "
                    "range.")
            out[0, i, :L - 1], out[1, i, :L - 1], out[2, i, :L - 1] = al[:L - 1], be[:L - 1], \
                va[:L - 1]
        shape = self._rows.lead_shape + (n - 1,)
        return tuple(out[k].reshape(shape) for k in range(3))

    def simulate(self, t=None, n: int = 1, seed=None, x0=None) -> np.ndarray:
        """Simulate ``n`` series from each fitted row with its exact (OU) or moment-matched Gaussian
        (LSN) transitions, as the published software does.

        Parameters
        ----------
        t : array-like, optional
            Sampling times (strictly increasing); default the observed times.
        n : int
            Number of series per row.
        seed : None, int, SeedSequence or Generator
            Path ``i`` of row ``r`` uses its own stream ``SeedSequence(entropy, spawn_key=(r, i))``:
            the numbers do not depend on the number of threads.
        x0 : float or array over the rows, optional
            Value at ``t[0]``; default the first observation of each row.

        Returns
        -------
        numpy.ndarray, shape ``(n, len(t))`` for one series, else leading shape + ``(n, len(t))``.
        """
        n = check_count(n, "n")
        t, lengths = self._times(t)
        rows = self.n_rows
        if x0 is None:
            x0v = self._rows.X[:, 0].copy()
        else:
            try:
                x0v = np.broadcast_to(np.asarray(x0, dtype=float), self._rows.lead_shape)
            except (TypeError, ValueError):
                raise InputError(f"x0 must be a number (or one per row), got {x0!r}.") from None
            x0v = C.w(x0v.reshape(rows))
            if not np.isfinite(x0v).all():
                raise InputError(f"x0 must be finite, got {x0!r}.")
        root = seed_sequence(seed)
        states = np.concatenate([row_states(np.random.SeedSequence(
            root.entropy, spawn_key=tuple(root.spawn_key) + (r,)), n) for r in range(rows)])
        parent = np.repeat(np.arange(rows), n)
        out, ok = C.simulate_rows(0 if self.model == "ou" else 1, self._P, FORMS[self.form], t,
                                  lengths, self.method == "published", x0v, parent, states,
                                  n_jobs=C.n_threads(None))
        if not ok.all():
            raise InputError(
                f"the fitted {self.model.upper()} is not defined on this time grid (R(t) = R0 + m t "
                "must stay >= 0 and the variance positive); use times within the fitted range.")
        return out.reshape(self._rows.lead_shape + (n, t.size))

    # ---- tables ----------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"model": self.model, "form": self.form, "method": self.method,
                "params": self.params, "loglik": self.loglik, "converged": self.converged,
                "n_obs": self.n_obs, "n_evals": self.n_evals, "status": self.status}

    def summary(self):
        """DataFrame with one line per row: parameters, loglik, aic, converged, n_obs, status."""
        import pandas as pd

        cols = {k: self._P[:, i] for i, k in enumerate(PARAMETERS[self.model])}
        cols.update(loglik=np.where(self._finite, -self._nll, -np.inf),
                    aic=np.ravel(self.aic), converged=np.ravel(self.converged),
                    n_obs=self._rows.lengths, n_evals=self._nfev,
                    status=np.ravel(np.asarray(self.status, dtype=object)))
        df = pd.DataFrame(cols, index=self._rows.rows_index())
        df["model"], df["form"], df["method"] = self.model, self.form, self.method
        return df

    def to_xarray(self):
        """Dataset over the leading dimensions: ``params (..., parameter)``, ``loglik``,
        ``converged``, ``n_obs``, ``n_evals``; attrs: model, form, method."""
        import xarray as xr

        r = self._rows
        dims = r.lead_dims
        ds = xr.Dataset(
            {"params": (dims + ("parameter",), self._P.reshape(r.lead_shape + (self.n_params,))),
             "loglik": (dims, np.reshape(self.loglik, r.lead_shape)),
             "converged": (dims, np.reshape(self.converged, r.lead_shape)),
             "n_obs": (dims, r.lengths.reshape(r.lead_shape)),
             "n_evals": (dims, self._nfev.reshape(r.lead_shape))},
            coords={"parameter": list(PARAMETERS[self.model]), **r.xr_coords()})
        ds.attrs.update(model=self.model, form=self.form, method=self.method)
        return ds

    def __repr__(self) -> str:
        if self._rows.single:
            ps = ", ".join(f"{k}={v:.6g}" for k, v in self.params.items())
            return (f"ModelFit({self.model.upper()}, {ps}; loglik={self.loglik:.6g}, "
                    f"converged={self.converged}, method={self.method!r}, form={self.form!r})")
        conv = int(np.sum(self.converged))
        return (f"ModelFit({self.model.upper()}, {self.n_rows} rows {self._rows.lead_shape}, "
                f"{conv} converged; method={self.method!r}, form={self.form!r})")


def _fit_both(rows: C.Rows, form, method, maxit=None, tune=None, n_jobs=None):
    tk = C.kernel_time(rows.t, method)
    P, RES = _fit_rows(tk, rows.X, rows.lengths, FORMS[form], method == "published", True,
                       maxit=maxit, tune=C.MLE_TUNE_FIT if tune is None else tune,
                       n_jobs=C.n_threads(n_jobs))
    t0 = rows.t[0]
    ou = ModelFit("ou", form, method, P[:, :3], RES[:, 0], RES[:, 1], RES[:, 2], rows)
    lsn = ModelFit("lsn", form, method, C.lsn_to_user(P[:, 3:], t0, method), RES[:, 3],
                   RES[:, 4], RES[:, 5], rows)
    return ou, lsn


@C.accepts_t
def fit(data, x=None, model: str = "ou", form: str = "legacy", *, method: str = "mle",
        start=None, maxit: int | None = None, n_jobs: int | None = None) -> ModelFit:
    """Maximum-likelihood fit of the OU null or the linearised saddle-node (LSN) to every row.

    OU: ``dX = a (theta - X) dt + sigma dW``.  LSN: ``R(t) = R0 + m t`` and transition moments
    ``dE/dt = c sqrt(R) (sqrt(R) + theta - E)``, ``dV/dt = -2 sqrt(R) V + sigma^2 (sqrt(R) + theta)``
    with ``c = 2`` (``form="legacy"``, the published software) or ``c = 1`` (``"consistent"``).
    The log-likelihood is ``sum_k log phi(x_k; E_k(x_{k-1}), V_k)`` (first observation conditioned
    on); see :mod:`ews.likelihood`.  All rows are fitted in one numba call, in parallel.

    Parameters
    ----------
    data : TimeSeries, or anything it accepts (numpy, pandas, xarray); or times ``t`` when ``x``
        is given.  Every row (replicate, series, grid cell) is fitted on its numeric time and its
        (undetrended) state; a ragged row on its valid points.  A 1-D array alone is one series with
        ``t = 0, 1, ...``.
    x : array-like, optional
        Shorthand ``fit(t, x)`` = ``fit(TimeSeries(x, time=t))``: ``x`` 1-D or (rows, time).
    model : {"ou", "lsn"}
    form : {"legacy", "consistent"}
        LSN moment equations (default "legacy"; see ``docs/likelihood.md`` for why).
    method : {"mle", "published"}
        ``"mle"``: multi-start search for the maximum (default).  ``"published"``: the single
        Nelder-Mead run of ``earlywarning::stability_model`` from its start ``(1/n, mean, sd)``
        (reproduces its numbers, often a local optimum).  For LSN both first fit the OU and start
        from it.
    start : dict or sequence, optional
        Starting parameters (numbers, or arrays over the rows).  ``"published"``: replaces the
        package's start (R's ``update``); ``"mle"``: added to the starts.
    maxit : int, optional
        Function evaluations per Nelder-Mead run (default 500 for "published", as R; 2000 for "mle").
    n_jobs : int, optional
        Threads (default numba's thread count); does not change the numbers.

    Returns
    -------
    ModelFit
        ``.params`` (dict), ``.loglik``, ``.converged``, ``.model``, ``.form``, ``.method``,
        ``.n_obs``, ``.simulate(t, n, seed)``, ``.summary()``, ``.to_xarray()``.

    Raises
    ------
    InputError
        Bad input (fewer than 5 points in a row, NaN/inf, time not strictly increasing, a constant
        row), unknown ``model``/``form``/``method``, or a bad ``start``.

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
    >>> many = likelihood.fit(t, np.stack([x, x[::-1]]), model="ou")   # two rows, one call
    >>> many.loglik.shape
    (2,)
    """
    model = C.choice(model, MODELS, "model")
    form = C.choice(form, FORMS, "form")
    method = C.choice(method, METHODS, "method")
    maxit = C.check_maxit(maxit)
    jobs = C.n_threads(n_jobs)
    rows = C.rows_of(data, x)
    sv = None if start is None else C.param_rows(model, start, rows)
    if model == "lsn":
        C.warn_level(rows)
    tk = C.kernel_time(rows.t, method)
    c = FORMS[form]
    published = method == "published"
    if model == "ou":
        P, RES = _fit_rows(tk, rows.X, rows.lengths, c, published, False, ou_start=sv,
                           maxit=maxit, tune=C.MLE_TUNE_FIT, n_jobs=jobs)
        return ModelFit("ou", form, method, P[:, :3], RES[:, 0], RES[:, 1], RES[:, 2], rows)
    ls = None if sv is None else C.lsn_to_kernel(sv, rows.t[0], method)
    P, RES = _fit_rows(tk, rows.X, rows.lengths, c, published, True, lsn_start=ls, maxit=maxit,
                       tune=C.MLE_TUNE_FIT, n_jobs=jobs)
    return ModelFit("lsn", form, method, C.lsn_to_user(P[:, 3:], rows.t[0], method), RES[:, 3],
                    RES[:, 4], RES[:, 5], rows)


@C.accepts_t
def loglik(data, x=None, model: str | None = None, params=None, form: str = "legacy"):
    """Log-likelihood of OU or LSN parameters on every row, conditional on its first observation.

    ``l = sum_{k=1}^{n-1} log phi(x_k; E_k, V_k)`` with the transition moments of
    :mod:`ews.likelihood`; ``-inf`` outside the model (``a <= 0``, ``sigma <= 0``, ``R(t) < 0`` at a
    sampling time, ``sqrt(R) + theta <= 0``).

    Parameters
    ----------
    data, x : as in :func:`fit` (``loglik(t, x, model, params)`` or ``loglik(ts, model=...,
        params=...)``).
    model : {"ou", "lsn"}
    params : dict or sequence
        OU ``(a, theta, sigma)``; LSN ``(R0, m, theta, sigma)``; numbers or arrays over the rows.
    form : {"legacy", "consistent"}

    Returns
    -------
    float, or an array over the rows

    Examples
    --------
    >>> from ews import likelihood
    >>> t = [0.0, 1.0, 2.5, 3.0, 4.0]
    >>> x = [1.0, 0.8, 1.1, 0.9, 1.0]
    >>> round(likelihood.loglik(t, x, "ou", {"a": 1.0, "theta": 1.0, "sigma": 0.2}), 4)
    1.7819
    """
    if model is None or params is None:
        raise InputError("loglik needs model= ('ou' or 'lsn') and params=.")
    model = C.choice(model, MODELS, "model")
    form = C.choice(form, FORMS, "form")
    rows = C.rows_of(data, x)
    P = C.param_rows(model, params, rows)
    return rows.out(C.loglik_rows(model, P, form, rows.t, rows.X, rows.lengths))


@C.accepts_t
def evaluate(data, x=None, model: str | None = None, params=None, form: str = "legacy",
             method: str = "mle") -> ModelFit:
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
    if model is None or params is None:
        raise InputError("evaluate needs model= ('ou' or 'lsn') and params=.")
    model = C.choice(model, MODELS, "model")
    form = C.choice(form, FORMS, "form")
    method = C.choice(method, METHODS, "method")
    rows = C.rows_of(data, x)
    P = C.param_rows(model, params, rows)
    ll = C.loglik_rows(model, P, form, rows.t, rows.X, rows.lengths)
    nll = np.where(np.isfinite(ll), -ll, np.inf)
    z = np.zeros(rows.n_rows)
    return ModelFit(model, form, method, P, nll, z, z, rows, given=True)


def _check_fits(fits, rows: C.Rows):
    if (not isinstance(fits, (tuple, list)) or len(fits) != 2
            or not all(isinstance(f, ModelFit) for f in fits)
            or (fits[0].model, fits[1].model) != ("ou", "lsn")):
        raise InputError("fits must be a pair (OU ModelFit, LSN ModelFit), e.g. from "
                         "likelihood.evaluate(t, x, 'ou', params) and ...('lsn', params).")
    for f in fits:
        r = f._rows
        if r.n_rows != rows.n_rows or not np.array_equal(r.t, rows.t) \
                or not np.array_equal(r.lengths, rows.lengths):
            raise InputError("fits were made on other rows or sampling times than the data; "
                             "refit or pass the same data.")
    return fits


__all__ = ["ModelFit", "fit", "loglik", "evaluate"]
