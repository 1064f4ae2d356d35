"""Numba kernels for the model-based likelihood test (OU null vs linearised saddle-node).

Float64 arrays in, numbers/arrays out; no validation here (``ews.likelihood`` validates at the door).
Every function is compiled lazily on first call and cached on disk.

Transition moments
------------------
Both models have Gaussian transition densities ``x[k+1] | x[k] ~ N(alpha_k x[k] + beta_k, var_k)``.
The coefficients depend on the parameters and the sampling times only, never on the data, so one call
of :func:`coefficients` serves the likelihood of any series sampled at ``t`` and the simulation of it.

* OU, parameters ``(a, theta, sigma)``::

      alpha = exp(-a dt),  beta = theta (1 - alpha),  var = sigma^2 (1 - exp(-2 a dt)) / (2 a)

* LSN, parameters ``(R0, m, theta, sigma)``, ``R(t) = R0 + m t``, ``u(t) = sqrt(R(t))``; mean rate
  ``c u`` (``c = 2`` "legacy", ``c = 1`` "consistent"), variance rate ``2 u``::

      dE/dt = c u (u + theta - E),   dV/dt = -2 u V + sigma^2 (u + theta),   E(t0) = x0, V(t0) = 0.

  Both are linear ODEs, solved exactly up to one quadrature.  With ``w`` the integrated rate measured
  back from the end of the interval (``w = int_s^t1 c u``), ``P = R^{3/2}`` is linear in ``w``:
  ``P(w) = R(t1)^{3/2} - (3 m / (2 c)) w``, and::

      E(t1) = x0 e^{-A} + theta (1 - e^{-A}) + int_0^A e^{-w} P(w)^{1/3} dw,        A  = c int u dt
      V(t1) = sigma^2/2 (1 - e^{-A2}) + sigma^2 theta/2 int_0^A2 e^{-w} P(w)^{-1/3} dw,  A2 = 2 int u dt

  The integrals ``int_0^A e^{-w} g(w) dw`` are done by 8-point Gauss-Laguerre when the interval is
  long (``A >= 36``) and the singular point ``P = 0`` (``R = 0``, the bifurcation) is far, and
  otherwise by 12-point Gauss-Legendre panels on ``[0, 12]`` and ``[12, min(A, 40)]`` (truncation
  error ``< e^{-40}``), graded towards the singular point when it is near (no panel longer than
  twice its distance to it).  This is stiffness-free (the exponential is integrated in its own
  coordinate) and agrees with an adaptive quadrature of the exact solution to 1e-12 relative in
  general and 1e-9 when R reaches exactly 0 at an end of the interval.  ``int u dt`` over
  ``[t0, t1]`` is exact: ``(2/3) dt (R(t0) + u0 u1 + R(t1)) / (u0 + u1)``.

Optimiser
---------
:func:`nmmin` is the Nelder-Mead simplex method of J.C. Nash (Compact Numerical Methods for Computers,
2nd ed., Alg. 19) in the variant used by R's ``optim(method = "Nelder-Mead")``: reflection 1,
contraction 0.5, expansion 2, stop when ``f_high <= f_low + reltol (|f_start| + reltol)`` or after
``maxit`` function evaluations (then ``fail = 1``), or when a shrink does not reduce the simplex
(``fail = 10``); non-finite objective values are replaced by ``1e35``.  With ``published = True``
the initial simplex uses R's single absolute step ``0.1 max |p|`` for every coordinate and the
parameters are the raw ones; otherwise the "mle" transform of :func:`z_to_p` and per-coordinate
steps are used.

Entry points called from Python: :func:`coefficients`, :func:`loglik_rows` (a plain serial loop:
one likelihood per row is cheap), and :func:`fit_rows` and :func:`simulate_from_rows` (per-row kernels
lifted to every row of a batch by :func:`ews._kernels.rows`; their ``.serial_twin`` /
``.parallel_twin`` loop with ``range`` / ``prange``).  Rows may be ragged: row ``i`` uses its first
``lengths[i]`` points.  Flags are passed as run-time values (never literals) so each function
compiles once; the cold compile takes ~20-40 s and is cached on disk.
"""
import math

import numpy as np
from numba import njit

from . import rows
from .rng import next_normal

OU = 0
LSN = 1
BIG = 1.0e35
LOG2PI = math.log(2.0 * math.pi)

# --- quadrature rules for int_0^A e^{-w} g(w) dw ----------------------------------------------------
_GLX, _GLW = np.polynomial.legendre.leggauss(12)     # 12-point Gauss-Legendre on [-1, 1]
_W_SPLIT = 12.0                                       # panels [0, 12], [12, min(A, 40)]
_W_CUT = 40.0                                         # e^{-40} ~ 4e-18: the rest is negligible
_LAGX, _LAGW = np.polynomial.laguerre.laggauss(8)     # 8-point Gauss-Laguerre (weight e^{-w})
_LAG_MIN_A = 36.0      # Laguerre only if A >= 36 (tail e^{-36} ~ 2e-16; nodes < 23 < A)
_LAG_MIN_D = 20.0      # ... and the singular point P = 0 is >= 20 left of 0
_LAG_MIN_WR = 45.0     # ... or >= 45 right of 0  (rel. error < 1e-15 in both cases)


# --- transition coefficients ----------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def coefficients(model, p, c, t, r_rules, al, be, va):
    """Transition coefficients ``E = al x0 + be``, ``V = va`` of every sampling interval.

    Returns False if ``p`` is outside the model, and then the outputs are undefined.
    OU (p = a, theta, sigma): a > 0 and sigma > 0.
    LSN (p = R0, m, theta, sigma): sigma > 0; R(t) >= 0 at every sampling time; a positive finite
    variance; and either theta >= 0 (``r_rules``: the published package's check) or u + theta > 0
    at every sampling time (otherwise: the noise intensity sigma^2 (u + theta) must be positive).
    """
    n = t.shape[0]
    if model == OU:
        a = p[0]
        theta = p[1]
        sigma = p[2]
        if not (a > 0.0) or not (sigma > 0.0) or not math.isfinite(theta) \
                or not math.isfinite(a) or not math.isfinite(sigma):
            return False
        s2 = sigma * sigma
        for i in range(n - 1):
            dt = t[i + 1] - t[i]
            e = math.exp(-a * dt)
            al[i] = e
            be[i] = theta * (1.0 - e)
            v = s2 * (-math.expm1(-2.0 * a * dt)) / (2.0 * a)
            if not (v > 0.0) or not math.isfinite(v):
                return False
            va[i] = v
        return True

    R0 = p[0]
    m = p[1]
    theta = p[2]
    sigma = p[3]
    if not (sigma > 0.0) or not math.isfinite(sigma) or not math.isfinite(theta) \
            or not math.isfinite(R0) or not math.isfinite(m):
        return False
    if r_rules and theta < 0.0:
        return False
    s2 = sigma * sigma
    kap_mean = 1.5 * m / c
    kap_var = 0.75 * m
    nq = 1 if c == 2.0 else 2          # legacy: mean and variance share the rate 2u
    Rp = R0 + m * t[0]
    if not (Rp >= 0.0):
        return False
    up = math.sqrt(Rp)
    if not r_rules and not (up + theta > 0.0):
        return False
    for i in range(n - 1):
        R1 = R0 + m * t[i + 1]
        if not (R1 >= 0.0):
            return False
        u1 = math.sqrt(R1)
        if not r_rules and not (u1 + theta > 0.0):
            return False
        dt = t[i + 1] - t[i]
        su_end = up + u1
        if su_end > 0.0:
            Iu = (2.0 / 3.0) * dt * (Rp + up * u1 + R1) / su_end     # int u dt, exact
        else:
            Iu = 0.0
        A = c * Iu
        A2 = 2.0 * Iu
        eA = math.exp(-A)
        om_A = -math.expm1(-A)
        om_A2 = -math.expm1(-A2)
        al[i] = eA
        if m == 0.0:
            # constant u: closed form
            be[i] = (theta + u1) * om_A
            if u1 > 0.0:
                v = s2 * (u1 + theta) / (2.0 * u1) * om_A2
            else:
                v = s2 * theta * dt
        else:
            P1 = R1 * u1
            q_u = 0.0
            q_i = 0.0
            for q in range(nq):
                if q == 0:
                    kap = kap_mean
                    Aq = A
                else:
                    kap = kap_var
                    Aq = A2
                su = 0.0
                si = 0.0
                if Aq > 0.0:
                    W = Aq if Aq < _W_CUT else _W_CUT
                    d_left = np.inf
                    w_right = np.inf
                    if kap < 0.0:
                        d_left = max(P1 / (-kap), 1e-13 * W)
                    elif kap > 0.0:
                        w_right = P1 / kap
                    if Aq >= _LAG_MIN_A and d_left >= _LAG_MIN_D and w_right >= _LAG_MIN_WR:
                        for k in range(_LAGX.shape[0]):
                            r = np.cbrt(P1 - kap * _LAGX[k])
                            su += _LAGW[k] * r
                            si += _LAGW[k] / r
                    else:
                        # Gauss-Legendre panels, graded towards the singular point P = 0 so that
                        # no panel is longer than twice its distance to it
                        lo = 0.0
                        for _ in range(200):
                            if W - lo <= 1e-13 * W:
                                break
                            hi = _W_SPLIT if lo < _W_SPLIT else W
                            if hi > W:
                                hi = W
                            if kap < 0.0:
                                hi = min(hi, lo + 2.0 * (lo + d_left))
                            elif kap > 0.0:
                                hi = min(hi, (2.0 * w_right + lo) / 3.0)
                            h = 0.5 * (hi - lo)
                            mid = 0.5 * (hi + lo)
                            for k in range(_GLX.shape[0]):
                                w = mid + h * _GLX[k]
                                wt = h * _GLW[k] * math.exp(-w)
                                P = P1 - kap * w
                                if P < 0.0:
                                    P = 0.0
                                r = np.cbrt(P)
                                su += wt * r
                                si += wt / r
                            lo = hi
                if q == 0:
                    q_u = su
                    q_i = si
                else:
                    q_i = si
            be[i] = theta * om_A + q_u
            if A2 > 0.0:
                v = 0.5 * s2 * om_A2 + 0.5 * s2 * theta * q_i
            else:
                v = s2 * theta * dt
        if not (v > 0.0) or not math.isfinite(v) or not math.isfinite(be[i]):
            return False
        va[i] = v
        Rp = R1
        up = u1
    return True


# --- parameter transforms (the "mle" optimiser works on unconstrained z) -------------------------
@njit(cache=True, error_model="numpy")
def z_to_p(model, z, t, scale, p):
    """OU: z = (log a, theta/scale, log sigma).
    LSN: z = (log u(t_first), log u(t_last), theta/scale, log sigma), u = sqrt(R)."""
    if model == OU:
        p[0] = math.exp(z[0])
        p[1] = z[1] * scale
        p[2] = math.exp(z[2])
    else:
        Rf = math.exp(2.0 * z[0])
        Rl = math.exp(2.0 * z[1])
        T = t[t.shape[0] - 1] - t[0]
        m = (Rl - Rf) / T
        p[0] = Rf - m * t[0]
        p[1] = m
        p[2] = z[2] * scale
        p[3] = math.exp(z[3])


@njit(cache=True, error_model="numpy")
def p_to_z(model, p, t, scale, z):
    """Inverse of :func:`z_to_p`; False if p cannot be represented (a, sigma <= 0, R < 0)."""
    if model == OU:
        if not (p[0] > 0.0) or not (p[2] > 0.0):
            return False
        z[0] = math.log(p[0])
        z[1] = p[1] / scale
        z[2] = math.log(p[2])
        return math.isfinite(z[0]) and math.isfinite(z[1]) and math.isfinite(z[2])
    Rf = p[0] + p[1] * t[0]
    Rl = p[0] + p[1] * t[t.shape[0] - 1]
    if not (Rf >= 0.0) or not (Rl >= 0.0) or not (p[3] > 0.0):
        return False
    floor = 1e-10 * max(Rf, Rl, 1e-300)
    z[0] = 0.5 * math.log(max(Rf, floor))
    z[1] = 0.5 * math.log(max(Rl, floor))
    z[2] = p[2] / scale
    z[3] = math.log(p[3])
    return math.isfinite(z[0]) and math.isfinite(z[1]) and math.isfinite(z[2]) \
        and math.isfinite(z[3])


# --- Nelder-Mead (R optim variant) -----------------------------------------------------------------
_START = 0
_CALC = 1
_REFLECT = 2
_EXTEND = 3
_CONTRACT = 4


@njit(cache=True, error_model="numpy")
def nmmin(model, c, published, z0, steps, t, x, scale, maxit, reltol, zout, res):
    """Minimise the negative log-likelihood from z0.  ``res <- (fmin, fail, nfev)``.

    published: z are the raw parameters, the package's validity rules apply and the initial simplex
    is R's (one absolute step 0.1 max|z0| on every coordinate); otherwise z are the transformed
    parameters of :func:`z_to_p` and ``steps`` the per-coordinate initial steps.
    fail: 0 converged, 1 maxit function evaluations used, 10 degenerate simplex, 2 objective not
    finite at z0.

    Written as a state machine with a single evaluation of the objective (keeps the compiled code
    small); the sequence of points evaluated is that of R's ``nmmin``.
    """
    n = z0.shape[0]
    n1 = n + 1
    npts = t.shape[0]
    p = np.empty(n)
    al = np.empty(npts - 1)
    be = np.empty(npts - 1)
    va = np.empty(npts - 1)
    P = np.empty((n + 1, n + 2))      # rows 0..n-1 coordinates, row n function values
    bvec = z0.copy()
    state = _START
    fail = 0
    funcount = 0
    convtol = 0.0
    oldsize = 0.0
    L = 1
    H = 1
    VL = 0.0
    VH = 0.0
    VR = 0.0
    jv = -1
    calcvert = True
    while True:
        # ---- the one evaluation of the objective, at bvec ----
        if published:
            for k in range(n):
                p[k] = bvec[k]
        else:
            z_to_p(model, bvec, t, scale, p)
        if coefficients(model, p, c, t, published, al, be, va):
            f = 0.0
            for i in range(npts - 1):
                r = x[i + 1] - al[i] * x[i] - be[i]
                f += 0.5 * (LOG2PI + math.log(va[i]) + r * r / va[i])
        else:
            f = np.inf
        # ---- what to do with it ----
        go_calc = False
        if state == _START:
            if not math.isfinite(f):
                for i in range(n):
                    zout[i] = z0[i]
                res[0] = np.inf
                res[1] = 2.0
                res[2] = 1.0
                return
            funcount = 1
            convtol = reltol * (abs(f) + reltol)
            P[n, 0] = f
            for i in range(n):
                P[i, 0] = bvec[i]
            step = 0.0
            if published:
                for i in range(n):
                    if 0.1 * abs(bvec[i]) > step:
                        step = 0.1 * abs(bvec[i])
                if step == 0.0:
                    step = 0.1
            size = 0.0
            for j in range(2, n1 + 1):
                for i in range(n):
                    P[i, j - 1] = bvec[i]
                trystep = step if published else steps[j - 2]
                while P[j - 2, j - 1] == bvec[j - 2]:
                    P[j - 2, j - 1] = bvec[j - 2] + trystep
                    trystep *= 10.0
                size += trystep
            oldsize = size
            calcvert = True
            jv = -1
            go_calc = True
        else:
            if not math.isfinite(f):
                f = BIG
            funcount += 1
            end_iter = False
            if state == _CALC:
                P[n, jv] = f
                go_calc = True
            elif state == _REFLECT:
                VR = f
                if VR < VL:
                    P[n, n1] = f
                    for i in range(n):
                        g = 2.0 * bvec[i] - P[i, n1]
                        P[i, n1] = bvec[i]
                        bvec[i] = g
                    state = _EXTEND
                    continue
                if VR < VH:
                    for i in range(n):
                        P[i, H - 1] = bvec[i]
                    P[n, H - 1] = VR
                for i in range(n):
                    bvec[i] = 0.5 * P[i, H - 1] + 0.5 * P[i, n1]
                state = _CONTRACT
                continue
            elif state == _EXTEND:
                if f < VR:
                    for i in range(n):
                        P[i, H - 1] = bvec[i]
                    P[n, H - 1] = f
                else:
                    for i in range(n):
                        P[i, H - 1] = P[i, n1]
                    P[n, H - 1] = VR
                end_iter = True
            else:  # _CONTRACT
                if f < P[n, H - 1]:
                    for i in range(n):
                        P[i, H - 1] = bvec[i]
                    P[n, H - 1] = f
                elif VR >= VH:
                    size = 0.0
                    for j in range(n1):
                        if j + 1 != L:
                            for i in range(n):
                                P[i, j] = 0.5 * (P[i, j] - P[i, L - 1]) + P[i, L - 1]
                                size += abs(P[i, j] - P[i, L - 1])
                    if size < oldsize:
                        oldsize = size
                        calcvert = True
                    else:
                        fail = 10
                        break
                end_iter = True
            if end_iter:
                if funcount > maxit:
                    break
                if calcvert:
                    jv = -1
                    go_calc = True
        if go_calc:
            jv += 1
            if jv == L - 1:
                jv += 1
            if jv < n1:
                for i in range(n):
                    bvec[i] = P[i, jv]
                state = _CALC
                continue
            calcvert = False
        # ---- top of an iteration: best, worst, convergence, reflection ----
        VL = P[n, L - 1]
        VH = VL
        H = L
        for j in range(1, n1 + 1):
            if j != L:
                fj = P[n, j - 1]
                if fj < VL:
                    L = j
                    VL = fj
                if fj > VH:
                    H = j
                    VH = fj
        if VH <= VL + convtol:
            break
        for i in range(n):
            temp = -P[i, H - 1]
            for j in range(n1):
                temp += P[i, j]
            P[i, n1] = temp / n
        for i in range(n):
            bvec[i] = 2.0 * P[i, n1] - P[i, H - 1]
        state = _REFLECT
    for i in range(n):
        zout[i] = P[i, L - 1]
    if funcount > maxit:
        fail = 1
    res[0] = P[n, L - 1]
    res[1] = float(fail)
    res[2] = float(funcount)


# --- fitting ----------------------------------------------------------------------------------------
R_RELTOL = 1.4901161193847656e-08     # sqrt(.Machine$double.eps), R's optim default
MLE_STEP = 0.5


@njit(cache=True, error_model="numpy")
def _mean_sd(x):
    n = x.shape[0]
    mu = 0.0
    for i in range(n):
        mu += x[i]
    mu /= n
    s = 0.0
    for i in range(n):
        s += (x[i] - mu) ** 2
    return mu, math.sqrt(s / (n - 1))


# --- starting values ------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def ou_starts(published, t, x, out):
    """OU starts (rows of ``out``); returns how many were written.

    published: the package's (1/max(time(X)), mean, sd).  ``stability_model`` is given a plain
    vector, whose ``time()`` is 1..n, so the start is a = 1/n whatever the sampling times.
    otherwise: (1/span, mean, sd) and one from the lag-1 autocorrelation rho of the data:
    a = -log(rho)/mean(dt), sigma = sd sqrt(2a).
    """
    n = t.shape[0]
    mu, sd = _mean_sd(x)
    if published:
        out[0, 0] = 1.0 / n
        out[0, 1] = mu
        out[0, 2] = sd
        return 1
    span = t[n - 1] - t[0]
    out[0, 0] = 1.0 / span
    out[0, 1] = mu
    out[0, 2] = sd
    num = 0.0
    den = 0.0
    for i in range(n):
        den += (x[i] - mu) ** 2
    for i in range(n - 1):
        num += (x[i] - mu) * (x[i + 1] - mu)
    rho = num / den if den > 0.0 else 0.5
    rho = min(max(rho, 0.01), 0.99)
    a = -math.log(rho) / (span / (n - 1))
    out[1, 0] = a
    out[1, 1] = mu
    out[1, 2] = sd * math.sqrt(2.0 * a)
    return 2


@njit(cache=True, error_model="numpy")
def lsn_starts(published, ou_p, c, t, x, out):
    """LSN starts (rows of ``out``, which needs >= 4 rows); returns how many were written.

    published: only the package's map of the OU fit (kept as is, though it is not the nesting map):
    R0 = a^2, m = 0, theta = theta_OU + a, sigma = |sigma_OU / sqrt(2 a + theta_OU)|.
    otherwise:
      1. nested: the LSN with m = 0 whose mean follows the fitted OU (u = a / c,
         theta = theta_OU - u, sigma = sigma_OU / sqrt(theta_OU)); for c = 1 this *is* the OU fit;
      2. the package's map (above);
      3-4. trend starts: the equilibrium theta + u(t) follows the least-squares line through the
         data, u at its low end = k |drop| (k = 0.2, 1), sigma from the residual variance.
    """
    n = t.shape[0]
    k = 0
    a = ou_p[0]
    th = ou_p[1]
    sg = ou_p[2]
    if not published and a > 0.0 and th > 0.0 and sg > 0.0:
        u = a / c
        out[k, 0] = u * u
        out[k, 1] = 0.0
        out[k, 2] = th - u
        out[k, 3] = sg / math.sqrt(th)
        k += 1
    if published or (a > 0.0 and 2.0 * a + th > 0.0 and sg > 0.0):
        out[k, 0] = a * a
        out[k, 1] = 0.0
        out[k, 2] = th + a
        out[k, 3] = abs(sg / math.sqrt(2.0 * a + th))
        k += 1
    if published:
        return k
    tm = 0.0
    xm = 0.0
    for i in range(n):
        tm += t[i]
        xm += x[i]
    tm /= n
    xm /= n
    sxy = 0.0
    sxx = 0.0
    for i in range(n):
        sxy += (t[i] - tm) * (x[i] - xm)
        sxx += (t[i] - tm) ** 2
    b1 = sxy / sxx
    b0 = xm - b1 * tm
    rv = 0.0
    for i in range(n):
        rv += (x[i] - b0 - b1 * t[i]) ** 2
    rv /= max(n - 2, 1)
    yf = b0 + b1 * t[0]
    yl = b0 + b1 * t[n - 1]
    drop = yf - yl
    if drop != 0.0 and xm > 0.0 and rv > 0.0:
        for kk in (0.2, 1.0):
            us = kk * abs(drop)
            if drop > 0.0:
                uf = us + drop
                ul = us
            else:
                uf = us
                ul = us - drop
            m = (ul * ul - uf * uf) / (t[n - 1] - t[0])
            out[k, 0] = uf * uf - m * t[0]
            out[k, 1] = m
            out[k, 2] = yl - ul
            out[k, 3] = math.sqrt(2.0 * 0.5 * (uf + ul) * rv / xm)
            k += 1
    return k


@njit(cache=True, error_model="numpy")
def _fit_model(model, c, published, t, x, starts, n_starts, maxit, n_restarts, tune, pout, res):
    """Fit one model.  ``res <- (fmin, fail, nfev)``, ``pout[:npar] <-`` raw parameters.

    published: one Nelder-Mead run on the raw parameters from ``starts[0]`` (R optim defaults).
    otherwise: Nelder-Mead on the transformed parameters: a short run (``tune[0]`` evaluations)
    from every start, then full runs (``maxit``) from the best ``tune[1]`` of those, each restarted
    from its result until the value stops improving (at most ``n_restarts`` restarts), relative
    tolerance ``tune[2]``; the best is returned, fail = the code of its last run.
    """
    npar = 3 if model == OU else 4
    mu, scale = _mean_sd(x)
    if not (scale > 0.0):
        scale = 1.0
    z = np.empty(npar)
    zb = np.empty(npar)
    zbest = np.empty(npar)
    steps = np.full(npar, MLE_STEP)
    r = np.empty(3)
    for q in range(4):
        pout[q] = np.nan
    if published:
        for q in range(npar):
            z[q] = starts[0, q]
        nmmin(model, c, published, z, steps, t, x, scale, maxit, R_RELTOL, zb, r)
        for q in range(npar):
            pout[q] = zb[q] if math.isfinite(r[0]) else np.nan
        res[0] = r[0]
        res[1] = r[1]
        res[2] = r[2]
        return
    screen_maxit = int(tune[0])
    polish_top = int(tune[1])
    reltol = tune[2]
    # screen: a short run from every start
    nfev = 0.0
    zs = np.empty((n_starts, npar))
    fs = np.full(n_starts, np.inf)
    for s in range(n_starts):
        if not p_to_z(model, starts[s], t, scale, z):
            continue
        nmmin(model, c, published, z, steps, t, x, scale, screen_maxit, reltol, zb, r)
        nfev += r[2]
        fs[s] = r[0]
        for q in range(npar):
            zs[s, q] = zb[q]
    # polish the best tune[1] screened points: full runs, restarted until no improvement
    order = np.argsort(fs)
    best = np.inf
    best_fail = 2.0
    for rank in range(min(polish_top, n_starts)):
        s = order[rank]
        if not math.isfinite(fs[s]):
            break
        for q in range(npar):
            zb[q] = zs[s, q]
        f = fs[s]
        fail = 1.0
        for k in range(n_restarts + 1):
            for q in range(npar):
                z[q] = zb[q]
            nmmin(model, c, published, z, steps, t, x, scale, maxit, reltol, zb, r)
            nfev += r[2]
            improved = r[0] < f - reltol * (abs(f) + reltol)
            if r[0] <= f:
                f = r[0]
                fail = r[1]
            else:
                for q in range(npar):
                    zb[q] = z[q]
            if not improved and k > 0:
                break
        if f < best:
            best = f
            best_fail = fail
            for q in range(npar):
                zbest[q] = zb[q]
    if math.isfinite(best):
        z_to_p(model, zbest, t, scale, pout)
    res[0] = best
    res[1] = best_fail
    res[2] = nfev


# --- OU and LSN on one series -----------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def fit_pair(t, x, c, published, both, ou_start, have_ou, lsn_start, have_lsn, maxit, n_restarts,
             tune, ou_p, lsn_p, res):
    """Fit OU, then (if ``both``) LSN, to one series.

    ``res <- (nll_ou, fail_ou, nfev_ou, nll_lsn, fail_lsn, nfev_lsn)``; fail 0 = converged.
    ``ou_start``/``lsn_start`` (used if ``have_ou``/``have_lsn``): published -- the only start, as in
    the package's ``update``; otherwise -- one more start.
    """
    starts = np.empty((8, 4))
    pbuf = np.empty(4)
    r = np.empty(3)
    for k in range(6):
        res[k] = np.nan
    for k in range(4):
        lsn_p[k] = np.nan
    for model in range(2):
        if model == LSN and not both:
            break
        if model == OU:
            if published and have_ou:
                k = 0
            else:
                k = ou_starts(published, t, x, starts)
            if have_ou:
                for q in range(3):
                    starts[k, q] = ou_start[q]
                k += 1
            if published and have_ou:
                k = 1
        else:
            k = 0
            if not (published and have_lsn) and math.isfinite(res[0]):
                k = lsn_starts(published, ou_p, c, t, x, starts)
            if have_lsn:
                if published:
                    k = 0
                for q in range(4):
                    starts[k, q] = lsn_start[q]
                k += 1
        if k == 0:
            continue
        _fit_model(model, c, published, t, x, starts, k, maxit, n_restarts, tune, pbuf, r)
        if model == OU:
            for q in range(3):
                ou_p[q] = pbuf[q]
        else:
            for q in range(4):
                lsn_p[q] = pbuf[q]
        res[3 * model] = r[0]
        res[3 * model + 1] = r[1]
        res[3 * model + 2] = r[2]


@rows("X", error_model="numpy")
def fit_rows(i, t, X, lengths, c, published, both, ou_start, have_ou, lsn_start, have_lsn, maxit,
             n_restarts, tune, out_p, out_res):
    """:func:`fit_pair` on row ``i`` of ``X`` (its first ``lengths[i]`` points, with the starts
    ``ou_start[i]``, ``lsn_start[i]``): ``out_p[i] <-`` (a, theta, sigma, R0, m, theta, sigma),
    ``out_res[i] <-`` res.  Lifted to every row by :func:`ews._kernels.rows` (serial and
    ``prange`` twins; a row's result depends on that row only)."""
    L = lengths[i]
    op = np.empty(3)
    lp = np.empty(4)
    res = np.empty(6)
    fit_pair(t[:L], X[i, :L], c, published, both, ou_start[i], have_ou, lsn_start[i], have_lsn,
             maxit, n_restarts, tune, op, lp, res)
    for k in range(3):
        out_p[i, k] = op[k]
    for k in range(4):
        out_p[i, 3 + k] = lp[k]
    for k in range(6):
        out_res[i, k] = res[k]


# --- log-likelihood of given parameters on every row -------------------------------------------------
@njit(cache=True, error_model="numpy")
def loglik_rows(model, P, c, t, X, lengths, r_rules, out):
    """out[i] <- log-likelihood of parameters ``P[i]`` on row ``i`` (first ``lengths[i]`` points),
    conditional on its first observation; -inf outside the model."""
    n = t.shape[0]
    al = np.empty(n - 1)
    be = np.empty(n - 1)
    va = np.empty(n - 1)
    for i in range(X.shape[0]):
        L = lengths[i]
        if not coefficients(model, P[i], c, t[:L], r_rules, al, be, va):
            out[i] = -np.inf
            continue
        f = 0.0
        for k in range(L - 1):
            r = X[i, k + 1] - al[k] * X[i, k] - be[k]
            f += 0.5 * (LOG2PI + math.log(va[k]) + r * r / va[k])
        out[i] = -f


# --- simulation -----------------------------------------------------------------------------------
@rows("out", error_model="numpy")
def simulate_from_rows(j, model, P, c, t, lengths, r_rules, x0, parent, states, out, ok):
    """out[j] <- one path of the model with parameters ``P[parent[j]]`` on the first
    ``lengths[parent[j]]`` times (NaN after), from ``x0[parent[j]]``, with row ``j``'s own
    xoshiro stream ``states[j]`` (advanced in place).  ``ok[j]`` False if the parameters are
    outside the model on those times (the row is then NaN).  Lifted to every row by
    :func:`ews._kernels.rows`."""
    n = t.shape[0]
    r = parent[j]
    L = lengths[r]
    al = np.empty(n - 1)
    be = np.empty(n - 1)
    va = np.empty(n - 1)
    for k in range(L, n):
        out[j, k] = np.nan
    if not coefficients(model, P[r], c, t[:L], r_rules, al, be, va):
        ok[j] = False
        for k in range(L):
            out[j, k] = np.nan
        return
    ok[j] = True
    s = states[j]
    out[j, 0] = x0[r]
    for k in range(L - 1):
        out[j, k + 1] = al[k] * out[j, k] + be[k] + math.sqrt(va[k]) * next_normal(s)
