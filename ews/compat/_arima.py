r"""R's ``arima`` (CSS-ML, d = 0), ported line by line for ``surrogates_ews``; used only by ``ews.compat``.

Kernels (numba; R 4.x ``src/library/stats/src/arima.c``)
    ``arima_css``      conditional sum of squares, ``ARIMA_CSS``;
    ``arima_like``     exact Gaussian likelihood by the Kalman filter, ``ARIMA_Like`` (no differencing);
    ``getq0``          Gardner, Harvey & Phillips (1980) initial state covariance, ``getQ0`` (AS 154);
    ``partrans`` / ``invpartrans``  R's PACF parametrisation of the AR part.

Python
    :func:`r_arima` (R's ``arima(x, order = c(p, 0, q), include.mean = FALSE)``: CSS, then ML, both
    minimised with :func:`vmmin`, a port of R's ``optim(method = "BFGS")``), :func:`arima_loglik` (the
    exact log-likelihood at given coefficients, sigma^2 concentrated out), :func:`fit_arma_grid`
    (``surrogates_ews``' 4 x 5 AIC grid), :func:`arima_sim_burn` (``arima.sim``'s burn-in rule).

How the fit reaches the optimum
    R runs BFGS once and stops when one step improves the objective by less than ``reltol`` (1.49e-8,
    relative). Where the likelihood surface is well curved that puts the coefficients within about
    1e-8 of the optimum on any machine. On the flat, curved ridges of over-parametrised orders BFGS
    can stall far short of it, and whether it does depends on the floating-point path: a 1e-12
    change of the data (or another rounding of one sum, as on a CPU with another floating-point path)
    decides it. On the gaussian-detrended devfold residuals the ARMA(2,2) fit, R's choice, stalls
    0.26 AIC units short in 16 of 300 such copies, and ARMA(3,1) then wins. So :func:`r_arima`
    restarts BFGS from its own solution until a restart no longer gains more than BFGS's own
    threshold; where R's run had converged the first result is kept bit for bit (R's numbers), where
    it had stalled the restarts reach the optimum (0 of the 300 copies then choose another order, and
    the chosen AIC is within 6.2e-5 of R's in all; cost +24 % on that grid). Not restarted: fits with
    an AR root within 1/n of the unit circle (the undetrended devfold series: every order sits at the
    AR unit root, where the likelihood rises towards the non-stationary boundary and R's Kalman filter
    drops observations whose prediction variance exceeds 1e4; restarts walk along the boundary, by
    20 AIC units for ARMA(4,3), and would overturn R's choice for a gain the data cannot support as a
    stationary model). There R's single run is kept, as path-dependent as in R: the chosen AIC moves
    by up to 2.4e-3 over the copies, and in 1 of 300 a stall point of ARMA(3,4) undercuts it.
    ``tests/test_compat_surrogates.py`` measures all this.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from numba import njit

from .._errors import EWSWarning, InputError

_REL_TOL = math.sqrt(float(np.finfo(np.float64).eps))


# ----------------------------------------------------------------------------------------------------
# kernels: parameter transforms, CSS, Gardner's Q0, Kalman likelihood
# (error_model="numpy": a zero divisor gives inf or NaN as in R's C code, and the optimiser rejects the
# point, as R's does; numba's default would raise ZeroDivisionError out of the fit)
# ----------------------------------------------------------------------------------------------------
@njit(cache=True)
def partrans(raw):
    """R ``partrans``: tanh to PACF values, then Durbin-Levinson to AR coefficients."""
    p = raw.shape[0]
    new = np.tanh(raw)
    work = new.copy()
    for j in range(1, p):
        a = new[j]
        for k in range(j):
            work[k] -= a * new[j - k - 1]
        for k in range(j):
            new[k] = work[k]
    return new


@njit(cache=True)
def invpartrans(phi):
    """R ``invpartrans``: AR coefficients to atanh(PACF)."""
    p = phi.shape[0]
    new = phi.copy()
    work = phi.copy()
    for j in range(p - 1, 0, -1):
        a = new[j]
        for k in range(j):
            work[k] = (new[k] + a * new[j - k - 1]) / (1.0 - a * a)
        for k in range(j):
            new[k] = work[k]
    for j in range(p):
        new[j] = math.atanh(new[j])
    return new


@njit(cache=True, error_model="numpy")
def arima_css(w, phi, theta, ncond):
    """R ``ARIMA_CSS`` (d = 0): mean of the squared conditional residuals from ``ncond`` on."""
    n = w.shape[0]
    p = phi.shape[0]
    q = theta.shape[0]
    resid = np.zeros(n)
    ssq = 0.0
    nu = 0
    for l in range(ncond, n):
        tmp = w[l]
        for j in range(p):
            tmp -= phi[j] * w[l - j - 1]
        jm = l - ncond
        if q < jm:
            jm = q
        for j in range(jm):
            tmp -= theta[j] * resid[l - j - 1]
        resid[l] = tmp
        if not math.isnan(tmp):
            nu += 1
            ssq += tmp * tmp
    return ssq / nu


@njit(cache=True, error_model="numpy")
def _inclu2(np_, xnext, xrow, ynext, d, rbar, thetab):
    for i in range(np_):
        xrow[i] = xnext[i]
    ithisr = 0
    for i in range(np_):
        if xrow[i] != 0.0:
            xi = xrow[i]
            di = d[i]
            dpi = di + xi * xi
            d[i] = dpi
            cbar = di / dpi
            sbar = xi / dpi
            for k in range(i + 1, np_):
                xk = xrow[k]
                rbthis = rbar[ithisr]
                xrow[k] = xk - xi * rbthis
                rbar[ithisr] = cbar * rbthis + sbar * xk
                ithisr += 1
            xk = ynext
            ynext = xk - xi * thetab[i]
            thetab[i] = cbar * thetab[i] + sbar * xk
            if di == 0.0:
                return
        else:
            ithisr = ithisr + np_ - i - 1


@njit(cache=True, error_model="numpy")
def getq0(phi, theta):
    """R ``getQ0``: stationary covariance of the ARMA state vector (Gardner et al. 1980, AS 154).

    Returns an (r, r) array, r = max(p, q + 1), in units of the innovation variance.
    """
    p = phi.shape[0]
    q = theta.shape[0]
    r = max(p, q + 1)
    np_ = r * (r + 1) // 2
    nrbar = np_ * (np_ - 1) // 2
    V = np.zeros(np_)
    ind = 0
    for j in range(r):
        vj = 0.0
        if j == 0:
            vj = 1.0
        elif j - 1 < q:
            vj = theta[j - 1]
        for i in range(j, r):
            vi = 0.0
            if i == 0:
                vi = 1.0
            elif i - 1 < q:
                vi = theta[i - 1]
            V[ind] = vi * vj
            ind += 1
    res = np.zeros((r, r))
    P = np.zeros(max(np_, r * r))
    if r == 1:
        if p == 0:
            res[0, 0] = 1.0
        else:
            res[0, 0] = 1.0 / (1.0 - phi[0] * phi[0])
        return res
    if p > 0:
        rbar = np.zeros(max(nrbar, 1))
        thetab = np.zeros(np_)
        xnext = np.zeros(np_)
        xrow = np.zeros(np_)
        ind = 0
        ind1 = -1
        npr = np_ - r
        npr1 = npr + 1
        indj = npr
        ind2 = npr - 1
        for j in range(r):
            phij = phi[j] if j < p else 0.0
            xnext[indj] = 0.0
            indj += 1
            indi = npr1 + j
            for i in range(j, r):
                ynext = V[ind]
                ind += 1
                phii = phi[i] if i < p else 0.0
                if j != r - 1:
                    xnext[indj] = -phii
                    if i != r - 1:
                        xnext[indi] -= phij
                        ind1 += 1
                        xnext[ind1] = -1.0
                xnext[npr] = -phii * phij
                ind2 += 1
                if ind2 >= np_:
                    ind2 = 0
                xnext[ind2] += 1.0
                _inclu2(np_, xnext, xrow, ynext, P, rbar, thetab)
                xnext[ind2] = 0.0
                if i != r - 1:
                    xnext[indi] = 0.0
                    indi += 1
                    xnext[ind1] = 0.0
        ithisr = nrbar - 1
        im = np_ - 1
        for i in range(np_):
            bi = thetab[im]
            jm = np_ - 1
            for j in range(i):
                bi -= rbar[ithisr] * P[jm]
                ithisr -= 1
                jm -= 1
            P[im] = bi
            im -= 1
        # re-order p
        ind = npr
        for i in range(r):
            xnext[i] = P[ind]
            ind += 1
        ind = np_ - 1
        ind1 = npr - 1
        for i in range(npr):
            P[ind] = P[ind1]
            ind -= 1
            ind1 -= 1
        for i in range(r):
            P[i] = xnext[i]
    else:
        indn = np_
        ind = np_
        for i in range(r):
            for j in range(i + 1):
                ind -= 1
                P[ind] = V[ind]
                if j != 0:
                    indn -= 1
                    P[ind] += P[indn]
    # unpack to a full matrix (column-major r x r as in R)
    full = np.zeros(r * r)
    for k in range(np_):
        full[k] = P[k]
    ind = np_
    for i in range(r - 1, 0, -1):
        for j in range(r - 1, i - 1, -1):
            ind -= 1
            full[r * i + j] = full[ind]
    for i in range(r - 1):
        for j in range(i + 1, r):
            full[i + r * j] = full[j + r * i]
    for i in range(r):
        for j in range(r):
            res[i, j] = full[i + r * j]
    return res


@njit(cache=True, error_model="numpy")
def arima_like(y, phi, theta, Pn0):
    """R ``ARIMA_Like`` for d = 0 with a = 0 and Pn = ``Pn0`` at the start, sUP = 0.

    Returns (ssq, sumlog, nu). Observations whose prediction variance ``gain`` is >= 1e4 are left
    out of the sums (R's rule).
    """
    return arima_like_resid(y, phi, theta, Pn0, np.empty(0))


@njit(cache=True, error_model="numpy")
def arima_like_resid(y, phi, theta, Pn0, res):
    """:func:`arima_like` that also writes R's ``useResid = TRUE`` residuals into ``res`` (length n; pass
    an empty array to skip): the standardised innovations resid_t / sqrt(gain_t), NaN where y is NaN."""
    n = y.shape[0]
    p = phi.shape[0]
    q = theta.shape[0]
    r = Pn0.shape[0]
    a = np.zeros(r)
    anew = np.zeros(r)
    M = np.zeros(r)
    P = np.zeros((r, r))
    Pnew = Pn0.copy()
    ssq = 0.0
    sumlog = 0.0
    nu = 0
    for l in range(n):
        for i in range(r):
            tmp = a[i + 1] if i < r - 1 else 0.0
            if i < p:
                tmp += phi[i] * a[0]
            anew[i] = tmp
        if l > 0:
            for i in range(r):
                if i == 0:
                    vi = 1.0
                elif i - 1 < q:
                    vi = theta[i - 1]
                else:
                    vi = 0.0
                for j in range(r):
                    if j == 0:
                        tmp = vi
                    elif j - 1 < q:
                        tmp = vi * theta[j - 1]
                    else:
                        tmp = 0.0
                    if i < p and j < p:
                        tmp += phi[i] * phi[j] * P[0, 0]
                    if i < r - 1 and j < r - 1:
                        tmp += P[i + 1, j + 1]
                    if i < p and j < r - 1:
                        tmp += phi[i] * P[j + 1, 0]
                    if j < p and i < r - 1:
                        tmp += phi[j] * P[i + 1, 0]
                    Pnew[i, j] = tmp
        if not math.isnan(y[l]):
            resid = y[l] - anew[0]
            for i in range(r):
                M[i] = Pnew[i, 0]
            gain = M[0]
            if gain < 1e4:
                nu += 1
                ssq += resid * resid / gain
                sumlog += math.log(gain)
            if res.shape[0] > 0:
                res[l] = resid / math.sqrt(gain)
            for i in range(r):
                a[i] = anew[i] + M[i] * resid / gain
            for i in range(r):
                for j in range(r):
                    P[i, j] = Pnew[i, j] - M[i] * M[j] / gain
        else:
            if res.shape[0] > 0:
                res[l] = np.nan
            for i in range(r):
                a[i] = anew[i]
            for i in range(r):
                for j in range(r):
                    P[i, j] = Pnew[i, j]
    return ssq, sumlog, nu


# ----------------------------------------------------------------------------------------------------
# R's arima (CSS-ML) in Python around the kernels
# ----------------------------------------------------------------------------------------------------
def _div(a, b):
    with np.errstate(all="ignore"):
        return float(np.float64(a) / np.float64(b))


def _rlog(v):
    return math.log(v) if v > 0 else (-math.inf if v == 0 else math.nan)


def vmmin(fn, b, maxit=100, reltol=_REL_TOL, abstol=-math.inf, ndeps=1e-3):
    """R ``optim(method = "BFGS")``: Nash's variable-metric ``vmmin`` with optim's central-difference
    gradient (step ``ndeps``), ``parscale = fnscale = 1``. Returns (par, value, convergence code)."""
    b = np.array(b, dtype=float)
    n = b.size

    def grad(x):
        g = np.empty(n)
        for i in range(n):
            xi = x[i]
            x[i] = xi + ndeps
            v1 = fn(x)
            x[i] = xi - ndeps
            v2 = fn(x)
            x[i] = xi
            g[i] = _div(v1 - v2, 2 * ndeps)
            if not math.isfinite(g[i]):
                raise FloatingPointError(f"non-finite finite-difference value [{i + 1}]")
        return g

    if maxit <= 0:
        return b, fn(b), 0
    f = fn(b)
    if not math.isfinite(f):
        raise FloatingPointError("initial value in 'vmmin' is not finite")
    fmin = f
    g = grad(b)
    it = 1
    gradcount = 1
    ilast = gradcount
    B = np.eye(n)
    t = np.zeros(n)
    X = np.zeros(n)
    c = np.zeros(n)
    count = 0
    while True:
        if ilast == gradcount:
            B = np.eye(n)
        X[:] = b
        c[:] = g
        gradproj = 0.0
        for i in range(n):  # t = -B g (B symmetric, lower triangle stored); sums in C's order
            s = 0.0
            for j in range(i + 1):
                s -= B[i, j] * g[j]
            for j in range(i + 1, n):
                s -= B[j, i] * g[j]
            t[i] = s
            gradproj += s * g[i]
        if gradproj < 0.0:
            steplength = 1.0
            accpoint = False
            while True:
                count = 0
                for i in range(n):
                    b[i] = X[i] + steplength * t[i]
                    if 10.0 + X[i] == 10.0 + b[i]:
                        count += 1
                if count < n:
                    f = fn(b)
                    accpoint = math.isfinite(f) and (f <= fmin + gradproj * steplength * 1e-4)
                    if not accpoint:
                        steplength *= 0.2
                if count == n or accpoint:
                    break
            enough = (f > abstol) and abs(f - fmin) > reltol * (abs(fmin) + reltol)
            if not enough:
                count = n
                fmin = f
            if count < n:
                fmin = f
                g = grad(b)
                gradcount += 1
                it += 1
                D1 = 0.0
                for i in range(n):
                    t[i] = steplength * t[i]
                    c[i] = g[i] - c[i]
                    D1 += t[i] * c[i]
                if D1 > 0:
                    D2 = 0.0
                    for i in range(n):
                        s = 0.0
                        for j in range(i + 1):
                            s += B[i, j] * c[j]
                        for j in range(i + 1, n):
                            s += B[j, i] * c[j]
                        X[i] = s
                        D2 += s * c[i]
                    D2 = 1.0 + D2 / D1
                    for i in range(n):
                        for j in range(i + 1):
                            B[i, j] += (D2 * t[i] * t[j] - X[i] * t[j] - t[i] * X[j]) / D1
                else:
                    ilast = gradcount
            else:
                if ilast < gradcount:
                    count = 0
                    ilast = gradcount
        else:
            count = 0
            if ilast == gradcount:
                count = n
            else:
                ilast = gradcount
        if it >= maxit:
            break
        if gradcount - ilast > 2 * n:
            ilast = gradcount
        if count == n and ilast == gradcount:
            break
    return b, fmin, (0 if it < maxit else 1)


def _poly_roots(coefs_low_to_high: np.ndarray) -> np.ndarray:
    """Roots of c0 + c1 z + ... (R's polyroot argument order)."""
    c = np.trim_zeros(np.asarray(coefs_low_to_high, float), "b")
    if c.size <= 1:
        return np.zeros(0, dtype=complex)
    return np.roots(c[::-1])


def _ar_check(ar) -> bool:
    ar = np.asarray(ar, float)
    nz = np.flatnonzero(np.r_[1.0, -ar] != 0)
    p = int(nz.max())
    if p == 0:
        return True
    return bool(np.all(np.abs(_poly_roots(np.r_[1.0, -ar[:p]])) > 1))


def _ma_invert(ma) -> np.ndarray:
    """R arima's ``maInvert``: reflect MA roots inside the unit circle."""
    ma = np.asarray(ma, float)
    q = ma.size
    q0 = int(np.flatnonzero(np.r_[1.0, ma] != 0).max())
    if q0 == 0:
        return ma
    roots = _poly_roots(np.r_[1.0, ma[:q0]])
    ind = np.abs(roots) < 1
    if not ind.any():
        return ma
    if q0 == 1:
        return np.r_[1.0 / ma[0], np.zeros(q - q0)]
    roots = roots.astype(complex)
    roots[ind] = 1.0 / roots[ind]
    x = np.array([1.0 + 0j])
    for r in roots:
        x = np.r_[x, 0] - np.r_[0, x] / r
    return np.r_[x[1:].real, np.zeros(q - q0)]


_MAX_RESTARTS = 10


def _min_ar_root(phi) -> float:
    roots = _poly_roots(np.r_[1.0, -np.asarray(phi, float)])
    return float(np.min(np.abs(roots))) if roots.size else math.inf


def _restart_until_stalled(fn, b, value, code, accept, reltol=_REL_TOL, max_restarts=_MAX_RESTARTS):
    """Restart ``vmmin`` from its own solution until a restart no longer lowers the objective by more
    than BFGS's own convergence threshold ``reltol * (|f| + reltol)``; keep the last run that did.

    BFGS can stop well short of the optimum of a flat, curved ridge: its inverse-Hessian approximation
    has gone bad, the line search shrinks the step until one step gains less than ``reltol`` and the
    optimiser declares convergence (on the gaussian-detrended devfold residuals, ARMA(2,2) stops 0.26
    AIC units short in about 5 % of copies of the data perturbed by 1e-12 sd). A restart (identity
    metric, fresh gradient) is not fooled. Where the first run had converged it gains less than the
    threshold and the first run's result is returned unchanged, so R's numbers are kept wherever R's
    own run reached the optimum. A restart whose result fails ``accept`` is not taken. Deterministic:
    the same data give the same sequence of runs. Returns (par, value, code, accepted restarts).
    """
    accepted = 0
    for _ in range(max_restarts):
        try:
            b2, v2, c2 = vmmin(fn, b.copy(), reltol=reltol)
        except FloatingPointError:
            break
        if not (math.isfinite(v2) and v2 < value - reltol * (abs(value) + reltol) and accept(b2)):
            break
        b, value, code = b2, v2, c2
        accepted += 1
    return b, value, code, accepted


def r_arima(x, p: int, q: int, restart: bool = True) -> dict:
    """R ``arima(x, order = c(p, 0, q), include.mean = FALSE)`` with R's defaults (``method = "CSS-ML"``,
    ``transform.pars = TRUE``, ``SSinit = "Gardner1980"``, BFGS).

    ``restart=True`` (the default) goes on where R's single BFGS run stalls: the ML step is restarted
    from its own solution until a restart gains less than BFGS's convergence threshold (see
    :func:`_restart_until_stalled`), unless the fit has an AR root within 1/n of the unit circle
    (there the likelihood rises towards the non-stationary boundary, no interior optimum is there to
    be reached, and R's single run is kept). ``restart=False`` is R's procedure exactly.

    Returns a dict with ``ar``, ``ma``, ``sigma2``, ``loglik``, ``aic``, the optimiser's ``code``,
    ``restarts`` (restarts that improved the fit) and ``interior`` (False where the unit-root rule
    kept R's single run).
    Raises ``ValueError`` where R stops ("non-stationary AR part from CSS") and ``FloatingPointError``
    where R's optim fails (non-finite values).
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    n_used = x.size
    npar = p + q
    empty = np.zeros(0)

    def css(par):
        return 0.5 * _rlog(arima_css(x, par[:p].copy(), par[p:].copy(), p))

    init = np.zeros(npar)
    if npar:
        par, _, conv = vmmin(css, init)
        if conv == 0:
            init = par.copy()
    if p > 0 and not _ar_check(init[:p]):
        raise ValueError("non-stationary AR part from CSS")
    if p > 0:
        init[:p] = invpartrans(init[:p].copy())
    if q > 0:
        init[p:] = _ma_invert(init[p:])

    def armafn(par):
        phi = partrans(par[:p].copy()) if p > 0 else empty
        theta = par[p:].copy()
        Q0 = getq0(phi, theta)
        ssq, sumlog, nu = arima_like(x, phi, theta, Q0)
        return 0.5 * (_rlog(_div(ssq, nu)) + _div(sumlog, nu))

    def interior(par):  # slowest AR mode's e-folding time 1/log|z| shorter than the record
        return p == 0 or _min_ar_root(partrans(par[:p].copy())) > 1.0 + 1.0 / n_used

    restarts = 0
    inside = True
    if npar:
        coef, value, code = vmmin(armafn, init)
        inside = interior(coef)
        if restart and inside:
            coef, value, code, restarts = _restart_until_stalled(armafn, coef, value, code, interior)
    else:
        coef, value, code = init, armafn(init), 0
    if q > 0:
        newma = _ma_invert(coef[p:])
        if np.any(newma != coef[p:]):
            coef = coef.copy()
            coef[p:] = newma
            value = armafn(coef)  # R: optim(..., maxit = 0)
    phi = partrans(coef[:p].copy()) if p > 0 else empty
    theta = coef[p:].copy()
    ssq, _, _ = arima_like(x, phi, theta, getq0(phi, theta))
    val = 2 * n_used * value + n_used + n_used * math.log(2 * math.pi)
    return {"ar": phi, "ma": theta, "sigma2": ssq / n_used, "loglik": -0.5 * val, "aic": val + 2 * npar + 2,
            "code": code, "restarts": restarts, "interior": inside}


def arima_loglik(x, ar, ma) -> dict:
    """The exact Gaussian log-likelihood of ``x`` under ARMA(``ar``, ``ma``) without mean, sigma^2
    concentrated out, as R's ``arima`` reports it at those coefficients (``loglik``, ``aic``, ``sigma2``).

    For checking a fit by what the data determine: evaluated at R's printed coefficients it gives
    R's AIC (a deterministic computation), and the log-likelihood of two fits can be compared where
    the coefficients of a flat likelihood cannot.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    phi = np.ascontiguousarray(ar, dtype=np.float64)
    theta = np.ascontiguousarray(ma, dtype=np.float64)
    n = x.size
    ssq, sumlog, nu = arima_like(x, phi, theta, getq0(phi, theta))
    value = 0.5 * (_rlog(_div(ssq, nu)) + _div(sumlog, nu))
    val = 2 * n * value + n + n * math.log(2 * math.pi)
    return {"loglik": -0.5 * val, "aic": val + 2 * (phi.size + theta.size) + 2, "sigma2": ssq / n}


_ARMA_CACHE: dict = {}
_ARMA_CACHE_SIZE = 8


def fit_arma_grid(nsmY):
    """R's 4 x 5 AIC grid (p = 1..4, q = 0..4) and the chosen fit (NaN where R would have stopped).

    The 20 fits are deterministic; the last few residual series' results are kept (keyed by their
    bytes) so that calling surrogates_ews for several indicators on one series fits once.
    """
    key = np.ascontiguousarray(nsmY, dtype=np.float64).tobytes()
    if key in _ARMA_CACHE:
        return _ARMA_CACHE[key]
    out = _fit_arma_grid_uncached(nsmY)
    if len(_ARMA_CACHE) >= _ARMA_CACHE_SIZE:
        _ARMA_CACHE.pop(next(iter(_ARMA_CACHE)))
    _ARMA_CACHE[key] = out
    return out


def _fit_arma_grid_uncached(nsmY):
    aic = np.full((4, 5), np.nan)
    fits = {}
    failed = []
    for p in range(1, 5):
        for q in range(5):
            try:
                f = r_arima(nsmY, p, q)
            except (ValueError, FloatingPointError) as exc:
                failed.append(f"ARMA({p},{q}): {exc}")
                continue
            aic[p - 1, q] = f["aic"]
            fits[(p, q)] = f
    if failed:
        warnings.warn("R's arima fails on " + "; ".join(failed) + " (R's surrogates_ews would stop here); "
                      "those orders are skipped.", EWSWarning, stacklevel=3)
    if not np.isfinite(aic).any():
        raise InputError("no ARMA(p, q), p = 1..4, q = 0..4, could be fitted to the residuals.")
    i, j = np.unravel_index(np.nanargmin(aic), aic.shape)
    return aic, int(i) + 1, int(j), fits[(int(i) + 1, int(j))]


def arima_sim_burn(ar, q) -> int:
    """R ``arima.sim``: n.start = p + q + ceiling(6 / log(minroots)) (0 extra for p = 0)."""
    p = len(ar)
    if p == 0:
        return q
    roots = _poly_roots(np.r_[1.0, -np.asarray(ar, float)])
    minroot = float(np.min(np.abs(roots))) if roots.size else math.inf
    if minroot <= 1:
        raise InputError("'ar' part of the fitted model is not stationary")
    return p + q + (int(math.ceil(6.0 / math.log(minroot))) if math.isfinite(minroot) else 0)
