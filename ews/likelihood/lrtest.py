"""The likelihood-ratio test of OU (null) against LSN, calibrated by a parametric bootstrap, on every
row of a TimeSeries at once."""
from __future__ import annotations

import warnings

import numpy as np

from .._errors import EWSWarning, InputError
from .._random import row_states, seed_sequence
from .._validate import check_bool, check_count, show
from ..pvalues import pvalue
from ..roc import roc as _roc
from . import _core as C
from . import fitting as F
from ._core import FORMS, METHODS, PARAMETERS


class LikelihoodRatioTest:
    """Result of :func:`lr_test`: arrays over the rows of the input (plain numbers for one series).

    Attributes
    ----------
    observed : float or array
        Observed deviance ``D = -2 (l_OU - l_LSN)`` (also ``.deviance``).
    ou_fit, lsn_fit : ModelFit
        The two fits to the data.
    null_deviances : numpy.ndarray, shape (..., n_boot)
        ``D`` refitted on series simulated from ``ou_fit`` (NaN where the refit failed).
    test_deviances : numpy.ndarray, shape (..., n_boot)
        ``D`` refitted on series simulated from ``lsn_fit`` (all NaN with ``power=False``).
    p_value : float or array
        ``(1 + #{null >= observed}) / (B + 1)``, ``B`` = number of finite null deviances
        (:func:`ews.pvalues.pvalue`).
    power : float or array
        Fraction of finite test deviances above the ``1 - alpha`` quantile of the null deviances
        (numpy's default linear quantile).
    alpha : float
    roc : ROCResult (one series) or list of ROCResult (one per row)
        :func:`ews.roc.roc` of the finite null against the finite test deviances (None where
        either is empty).
    auc : float or array
        Mann-Whitney AUC of each row.
    n_failed, n_failed_null, n_failed_test : int or array
        Bootstrap deviances that are NaN after redraws.
    n_redrawn : int or array
        Extra simulations drawn because a refit failed (or, for ``method="published"``, did not
        converge -- R's ``compare`` loop).
    n_nonconverged : int or array
        Kept refits whose optimiser stopped on the evaluation limit or a degenerate simplex.
    method, form : str
    n_boot : int
    seed : numpy.random.SeedSequence
        The root of the run's random streams: ``lr_test(..., seed=result.seed)`` repeats the run
        (whatever seed was given: an int, a Generator, a spawned SeedSequence).
    seed_entropy : int or list
        ``seed.entropy`` (for the record; with a spawned or pooled seed it alone does not repeat the run).
    boot_params : dict
        ``{"ou": (..., 2, n_boot, 3), "lsn": (..., 2, n_boot, 4)}`` refitted parameters; the axis
        before ``n_boot`` is the simulation (0 null/OU, 1 test/LSN).
    boot_loglik : numpy.ndarray, shape (..., 2, 2, n_boot)
        Refit log-likelihoods [simulation, fitted model (0 OU, 1 LSN), replicate].
    boot_status : numpy.ndarray, shape (..., 2, 2, n_boot)
        Optimiser codes (0 converged, 1 evaluation limit, 10 degenerate simplex, 2 failed).
    boot_draws : numpy.ndarray, shape (..., 2, n_boot)
        Simulations drawn per replicate (1 unless redrawn; 0 for test simulations not drawn).
    """

    def __init__(self, rows, ou_fit, lsn_fit, dev, ll, status, draws, pars, alpha, method, form,
                 n_boot, root):
        self._rows = rows
        self.ou_fit, self.lsn_fit = ou_fit, lsn_fit
        self._dev = dev            # (rows, 2, B)
        self._ll = ll              # (rows, 2, 2, B)
        self._status = status      # (rows, 2, 2, B)
        self._draws = draws        # (rows, 2, B)
        self._pars = pars          # {"ou": (rows, 2, B, 3), "lsn": (rows, 2, B, 4)}
        self.alpha, self.method, self.form = alpha, method, form
        self.n_boot, self.seed = n_boot, root
        self.seed_entropy = root.entropy
        nll_ou, nll_lsn = ou_fit._nll, lsn_fit._nll
        self._obs = 2.0 * (nll_ou - nll_lsn)
        null, test = dev[:, 0], dev[:, 1]
        self._p = np.asarray(pvalue(self._obs, null, "greater", axis=1), dtype=float).reshape(-1)
        nf = np.isfinite(null).sum(axis=1)
        tf = np.isfinite(test)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)    # all-NaN rows
            thr = np.nanquantile(null, 1.0 - alpha, axis=1)
        above = (tf & (test > thr[:, None])).sum(axis=1)
        n_t = tf.sum(axis=1)
        self._power = np.where((nf > 0) & (n_t > 0), above / np.maximum(n_t, 1), np.nan)
        self._rocs = None
        for a in (dev, ll, status, draws, *pars.values()):
            a.setflags(write=False)       # every view handed out is read-only

    # ---- values over rows ------------------------------------------------------------------------
    @property
    def observed(self):
        return self._rows.out(self._obs)

    @property
    def deviance(self):
        return self.observed

    @property
    def null_deviances(self) -> np.ndarray:
        return self._rows.out(self._dev[:, 0], trailing=1)

    @property
    def test_deviances(self) -> np.ndarray:
        return self._rows.out(self._dev[:, 1], trailing=1)

    @property
    def p_value(self):
        return self._rows.out(self._p)

    @property
    def power(self):
        return self._rows.out(self._power)

    def _roc_list(self):
        if self._rocs is None:
            out = []
            for i in range(self._rows.n_rows):
                nv = self._dev[i, 0][np.isfinite(self._dev[i, 0])]
                tv = self._dev[i, 1][np.isfinite(self._dev[i, 1])]
                out.append(_roc(nv, tv) if nv.size and tv.size else None)
            self._rocs = out
        return self._rocs

    @property
    def roc(self):
        rocs = self._roc_list()
        return rocs[0] if self._rows.single else rocs

    def _auc_rows(self, attr="auc"):
        return np.array([getattr(r, attr) if r is not None else np.nan for r in self._roc_list()])

    @property
    def auc(self):
        return self._rows.out(self._auc_rows())

    def _count(self, a):
        return self._rows.out(np.asarray(a, dtype=np.int64))

    @property
    def n_failed(self):
        return self._count((~np.isfinite(self._dev[:, 0])).sum(axis=1)
                           + ((~np.isfinite(self._dev[:, 1])) & (self._draws[:, 1] > 0)).sum(axis=1))

    @property
    def n_failed_null(self):
        return self._count((~np.isfinite(self._dev[:, 0])).sum(axis=1))

    @property
    def n_failed_test(self):
        return self._count(((~np.isfinite(self._dev[:, 1])) & (self._draws[:, 1] > 0)).sum(axis=1))

    @property
    def n_redrawn(self):
        return self._count((self._draws - 1).clip(min=0).sum(axis=(1, 2)))

    @property
    def n_nonconverged(self):
        kept = np.isfinite(self._dev)[:, :, None, :] & (self._status != 0)
        return self._count(kept.sum(axis=(1, 2, 3)))

    @property
    def boot_params(self) -> dict:
        return {k: self._rows.out(v, trailing=1) for k, v in self._pars.items()}

    @property
    def boot_loglik(self) -> np.ndarray:
        return self._rows.out(self._ll, trailing=1)

    @property
    def boot_status(self) -> np.ndarray:
        return self._rows.out(self._status, trailing=1)

    @property
    def boot_draws(self) -> np.ndarray:
        return self._rows.out(self._draws, trailing=1)

    # ---- tables ----------------------------------------------------------------------------------
    def summary(self):
        """DataFrame with one line per row: deviance, p-value, power, AUCs, log-likelihoods,
        counts, settings, fitted parameters."""
        import pandas as pd

        r = self._rows
        cols = {
            "deviance": self._obs, "p_value": self._p, "power": self._power,
            "alpha": np.full(r.n_rows, self.alpha),
            "auc": self._auc_rows(), "legacy_auc": self._auc_rows("legacy_auc"),
            "loglik_ou": -self.ou_fit._nll, "loglik_lsn": -self.lsn_fit._nll,
            "n_obs": r.lengths, "n_boot": np.full(r.n_rows, self.n_boot),
            "n_failed": np.ravel(self.n_failed), "n_redrawn": np.ravel(self.n_redrawn),
            "n_nonconverged": np.ravel(self.n_nonconverged),
        }
        df = pd.DataFrame(cols, index=r.rows_index())
        df["method"], df["form"] = self.method, self.form
        for name, f in (("ou", self.ou_fit), ("lsn", self.lsn_fit)):
            for i, k in enumerate(PARAMETERS[name]):
                df[f"{name}_{k}"] = f._P[:, i]
        return df

    def to_pandas(self):
        """Long table of the bootstrap: (row coordinates,) ``simulation (null/test), replicate,
        deviance``."""
        import pandas as pd

        r = self._rows
        B = self.n_boot
        idx = r.rows_index()
        rep = np.tile(np.arange(B), 2 * r.n_rows)
        sim = np.tile(np.repeat(["null", "test"], B), r.n_rows)
        df = pd.DataFrame({"simulation": sim, "replicate": rep, "deviance": self._dev.reshape(-1)})
        if not r.single:
            rowvals = idx.repeat(2 * B)
            if isinstance(rowvals, pd.MultiIndex):
                for name in rowvals.names:
                    df.insert(0, name, rowvals.get_level_values(name))
            else:
                df.insert(0, rowvals.name or "row", np.asarray(rowvals))
        return df

    def to_xarray(self):
        """Everything as an xarray Dataset (netCDF-ready attrs).

        Variables (leading dimensions of the input first): ``deviance (simulation, replicate)``,
        ``loglik`` and ``status (simulation, model, replicate)``, ``draws``, ``ou_params
        (simulation, replicate, ou_parameter)``, ``lsn_params``, and per row ``observed_deviance``,
        ``p_value``, ``power``, ``auc``, ``loglik_ou``, ``loglik_lsn``.  For one series the per-row
        values and the fitted parameters are attrs as well, and the ROC curve is included
        (``roc_fpr/roc_tpr/roc_threshold (roc_point)``).
        """
        import xarray as xr

        r = self._rows
        L = r.lead_dims
        sh = r.lead_shape
        B = self.n_boot
        ds = xr.Dataset(
            {
                "deviance": (L + ("simulation", "replicate"), self._dev.reshape(sh + (2, B))),
                "loglik": (L + ("simulation", "model", "replicate"),
                           self._ll.reshape(sh + (2, 2, B))),
                "status": (L + ("simulation", "model", "replicate"),
                           self._status.reshape(sh + (2, 2, B))),
                "draws": (L + ("simulation", "replicate"), self._draws.reshape(sh + (2, B))),
                "ou_params": (L + ("simulation", "replicate", "ou_parameter"),
                              self._pars["ou"].reshape(sh + (2, B, 3))),
                "lsn_params": (L + ("simulation", "replicate", "lsn_parameter"),
                               self._pars["lsn"].reshape(sh + (2, B, 4))),
                "observed_deviance": (L, self._obs.reshape(sh)),
                "p_value": (L, self._p.reshape(sh)),
                "power": (L, self._power.reshape(sh)),
                "auc": (L, self._auc_rows().reshape(sh)),
                "loglik_ou": (L, (-self.ou_fit._nll).reshape(sh)),
                "loglik_lsn": (L, (-self.lsn_fit._nll).reshape(sh)),
                "n_obs": (L, r.lengths.reshape(sh)),
            },
            coords={"simulation": ["null", "test"], "model": ["ou", "lsn"],
                    "replicate": np.arange(B), "ou_parameter": list(PARAMETERS["ou"]),
                    "lsn_parameter": list(PARAMETERS["lsn"]), **r.xr_coords()},
        )
        attrs = {"alpha": self.alpha, "n_boot": B, "method": self.method, "form": self.form,
                 "seed_entropy": str(self.seed_entropy),
                 "reference": "Boettiger & Hastings 2012, J R Soc Interface 9:2527"}
        if r.single:
            ro = self.roc
            if ro is not None:
                ds["roc_fpr"] = ("roc_point", ro.fpr)
                ds["roc_tpr"] = ("roc_point", ro.tpr)
                ds["roc_threshold"] = ("roc_point", ro.thresholds)
            attrs.update({
                "observed_deviance": self.observed, "p_value": self.p_value, "power": self.power,
                "auc": ro.auc if ro else np.nan,
                "auc_trapezoid": ro.auc_trapezoid if ro else np.nan,
                "legacy_auc": ro.legacy_auc if ro else np.nan,
                "loglik_ou": self.ou_fit.loglik, "loglik_lsn": self.lsn_fit.loglik,
                "converged_ou": int(self.ou_fit.converged),
                "converged_lsn": int(self.lsn_fit.converged),
                "n_failed": self.n_failed, "n_redrawn": self.n_redrawn,
                "n_nonconverged": self.n_nonconverged})
            for name, f in (("ou", self.ou_fit), ("lsn", self.lsn_fit)):
                for k, v in f.params.items():
                    attrs[f"{name}_{k}"] = v
        ds.attrs.update(attrs)
        return ds

    def __repr__(self) -> str:
        if self._rows.single:
            auc = f"{self.auc:.3f}"
            return (f"LikelihoodRatioTest(deviance={self.observed:.4g}, p_value={self.p_value:.4g}, "
                    f"power={self.power:.3g} at alpha={self.alpha}, auc={auc}, n_boot={self.n_boot}, "
                    f"n_failed={self.n_failed}, method={self.method!r}, form={self.form!r})")
        rej = float(np.nanmean(self._p <= self.alpha))
        return (f"LikelihoodRatioTest({self._rows.n_rows} rows {self._rows.lead_shape}, "
                f"rejected at alpha={self.alpha}: {rej:.3f}, n_boot={self.n_boot}, "
                f"method={self.method!r}, form={self.form!r})")


def _check_alpha(alpha) -> float:
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise InputError(f"alpha must be a number in (0, 1), got {show(alpha)}.") from None
    if isinstance(alpha, bool) or not 0.0 < a < 1.0:
        raise InputError(f"alpha must be in (0, 1), got {show(alpha)}.")
    return a


@C.accepts_t
def lr_test(data, x=None, n_boot: int = 500, seed=None, *, form: str = "legacy",
            method: str = "mle", alpha: float = 0.05, max_redraws: int | None = None,
            n_jobs: int | None = None, maxit: int | None = None, fits: tuple | None = None,
            power: bool = True) -> LikelihoodRatioTest:
    """Likelihood-ratio test of OU (null) against LSN, calibrated by a parametric bootstrap, on
    every row of the input (replicates, series, grid cells) in batched numba calls.

    For each row:

    1. Fit OU and LSN; ``D_obs = -2 (l_OU - l_LSN)``.
    2. For ``b = 1..B``: simulate a series from the OU fit and one from the LSN fit at the row's
       times, each starting at the row's first observation (as ``simulate.gauss`` in the published
       software); refit both models to each (the fitted parameters are added as starts, as R's
       ``update``) and record the deviances ``D_null[b]``, ``D_test[b]``.
    3. ``p = (1 + #{D_null >= D_obs}) / (B + 1)`` (:func:`ews.pvalues.pvalue`); power at ``alpha``
       = fraction of ``D_test`` above the ``1 - alpha`` quantile of ``D_null``; ROC of ``D_null`` vs
       ``D_test``.

    The ``rows x B`` simulated series of one kind are refitted in one kernel call, rows spread over
    the threads.  A refit that fails (non-finite likelihood at every start) does not stop the
    bootstrap: the series is redrawn up to ``max_redraws`` times, then its deviance is NaN and
    counted in ``n_failed``; NaNs are left out of the p-value, power and ROC.

    Parameters
    ----------
    data, x : see :func:`fit`.
    n_boot : int, default 500
        Bootstrap replicates ``B`` per row (each gives one null and one test deviance: 4 B refits).
    seed : None, int, SeedSequence or Generator
        Replicate ``b`` of row ``r`` uses its own random stream ``SeedSequence(entropy,
        spawn_key=(r, b))``: the result does not depend on ``n_jobs`` or on how rows are batched.
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
    power : bool, default True
        Also simulate from the LSN fits (power, ROC).  ``False`` halves the cost when only the
        p-value is wanted (test deviances are then NaN).

    Returns
    -------
    LikelihoodRatioTest
        ``.observed``, ``.ou_fit``, ``.lsn_fit``, ``.null_deviances``, ``.test_deviances``,
        ``.p_value``, ``.power``, ``.roc``, ``.n_failed``, ``.summary()``, ``.to_xarray()``.

    Raises
    ------
    InputError
        Bad data or arguments, or (one series) a model that cannot be fitted to the data at all.
        With many rows, rows whose fit fails are NaN, with an ``EWSWarning``.

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
    form = C.choice(form, FORMS, "form")
    method = C.choice(method, METHODS, "method")
    n_boot = check_count(n_boot, "n_boot")
    alpha = _check_alpha(alpha)
    power = check_bool(power, "power")
    published = method == "published"
    if max_redraws is None:
        max_redraws = C.PUBLISHED_REDRAWS if published else 0
    if isinstance(max_redraws, bool) or not isinstance(max_redraws, (int, np.integer)) \
            or max_redraws < 0:
        raise InputError(f"max_redraws must be a non-negative whole number, got "
                         f"{show(max_redraws)}.")
    maxit = C.check_maxit(maxit)
    jobs = C.n_threads(n_jobs)
    root = seed_sequence(seed)
    rows = C.rows_of(data, x)
    C.warn_level(rows)

    if fits is None:
        ou_fit, lsn_fit = F._fit_both(rows, form, method, maxit=maxit, tune=C.MLE_TUNE,
                                      n_jobs=jobs)
    else:
        ou_fit, lsn_fit = F._check_fits(fits, rows)
    bad = ~(np.isfinite(ou_fit._nll) & np.isfinite(lsn_fit._nll))
    if bad.any():
        lsn_bad = not np.isfinite(lsn_fit._nll[bad]).all()
        extra = (" The LSN needs a positive level: its equilibrium theta + sqrt(R) and its noise "
                 "intensity sigma^2 (sqrt(R) + theta) must be positive; analyse the undetrended, "
                 "positive-valued series." if lsn_bad else "")
        which = "LSN" if lsn_bad else "OU"
        if rows.single or bad.all():
            raise InputError(f"the {which} model could not be fitted to these data.{extra}")
        warnings.warn(f"the models could not be fitted to {int(bad.sum())} of {rows.n_rows} rows; "
                      f"their results are NaN.{extra}", EWSWarning, stacklevel=2)

    c = FORMS[form]
    t0 = rows.t[0]
    tk = C.kernel_time(rows.t, method)
    ou_k = C.w(ou_fit._P)
    lsn_k = C.lsn_to_kernel(lsn_fit._P, t0, method)
    R, B, n = rows.n_rows, n_boot, rows.t.size
    states = np.concatenate([row_states(np.random.SeedSequence(
        root.entropy, spawn_key=tuple(root.spawn_key) + (r,)), B) for r in range(R)])
    dev = np.full((R * B, 2), np.nan)
    ll = np.full((R * B, 2, 2), np.nan)
    status = np.full((R * B, 2, 2), 2, dtype=np.int64)
    draws = np.zeros((R * B, 2), dtype=np.int64)
    pars = {"ou": np.full((R * B, 2, 3), np.nan), "lsn": np.full((R * B, 2, 4), np.nan)}
    live = np.repeat(~bad, B)                 # replicates of rows that could be fitted
    for sim in ((0, 1) if power else (0,)):
        todo = np.flatnonzero(live)
        P_sim = ou_k if sim == 0 else lsn_k
        for attempt in range(max_redraws + 1):
            if todo.size == 0:
                break
            parent = todo // B
            sub = states[todo]
            X, ok_sim = C.simulate_rows(sim, P_sim, c, tk, rows.lengths, published,
                                        rows.X[:, 0].copy(), parent, sub, n_jobs=jobs)
            states[todo] = sub                      # streams continue on a redraw
            P, RES = F._fit_rows(tk, X, rows.lengths[parent], c, published, True,
                                 ou_start=ou_k[parent], lsn_start=lsn_k[parent], n_jobs=jobs,
                                 maxit=maxit)
            draws[todo, sim] += 1
            ok = np.isfinite(RES[:, 0]) & np.isfinite(RES[:, 3]) & ok_sim
            dev[todo, sim] = np.where(ok, 2.0 * (RES[:, 0] - RES[:, 3]), np.nan)
            ll[todo, sim, 0] = -RES[:, 0]
            ll[todo, sim, 1] = -RES[:, 3]
            status[todo, sim, 0] = np.where(np.isfinite(RES[:, 1]), RES[:, 1], 2).astype(np.int64)
            status[todo, sim, 1] = np.where(np.isfinite(RES[:, 4]), RES[:, 4], 2).astype(np.int64)
            pars["ou"][todo, sim] = P[:, :3]
            pars["lsn"][todo, sim] = C.lsn_to_user(P[:, 3:], t0, method)
            redo = ~ok
            if published:
                redo |= (RES[:, 1] != 0) | (RES[:, 4] != 0)
            todo = todo[redo]
            if attempt == max_redraws:
                break

    dev_r = np.ascontiguousarray(dev.reshape(R, B, 2).transpose(0, 2, 1))          # (R, 2, B)
    ll_r = np.ascontiguousarray(ll.reshape(R, B, 2, 2).transpose(0, 2, 3, 1))      # (R, 2, 2, B)
    st_r = np.ascontiguousarray(status.reshape(R, B, 2, 2).transpose(0, 2, 3, 1))
    dr_r = np.ascontiguousarray(draws.reshape(R, B, 2).transpose(0, 2, 1))
    pars_r = {k: np.ascontiguousarray(v.reshape((R, B, 2, v.shape[-1])).transpose(0, 2, 1, 3))
              for k, v in pars.items()}                                              # (R, 2, B, k)
    return LikelihoodRatioTest(rows, ou_fit, lsn_fit, dev_r, ll_r, st_r, dr_r, pars_r, alpha,
                               method, form, n_boot, root)


__all__ = ["LikelihoodRatioTest", "lr_test"]
