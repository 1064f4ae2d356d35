"""The built-in simulators: every kind of system discussed by Boettiger, Ross & Hastings (2013).

Each model is one :class:`~ews.simulate._core.Model` definition (numba drift/diffusion/step functions
plus data) and one :func:`~ews.simulate._core.register` call. Equations, parameter values and sources
are in each model's ``doc`` (``ews.simulate.describe(name)``) and in ``docs/simulators.md``.

Conventions used below
----------------------
* Ramps are linear from ``<q>_start`` at t = 0 to ``<q>_end`` at ``t_max`` (``rate_induced`` uses the
  tanh ramp of Ashwin et al. 2012). ``forced=False`` freezes the parameter at ``<q>_start``.
* The parameter vector of every Euler-Maruyama model starts with the noise intensity ``sigma``.
* ``transition_time`` is the first passage across the separatrix (the saddle of the frozen system at the
  current parameter value) unless a model says otherwise; past the fold, where the saddle no longer
  exists, the fold point is used; where no separatrix exists the level is undefined (never triggers).

References
----------
Ashwin P, Wieczorek S, Vitolo R, Cox P (2012) Tipping points in open systems: bifurcation, noise-induced
and rate-dependent examples in the climate system. Phil Trans R Soc A 370:1166-1184.
Boettiger C, Hastings A (2012) Quantifying limits to detection of early warning for critical transitions.
J R Soc Interface 9:2527-2539.
Boettiger C, Hastings A (2013) Early warning signals and the prosecutor's fallacy. Proc R Soc B
279:4734-4739.
Boettiger C, Ross N, Hastings A (2013) Early warning signals: the charted and uncharted territories.
Theor Ecol 6:255-264.
Bury TM, Sujith RI, Pavithran I, Scheffer M, Lenton TM, Anand M, Bauch CT (2021) Deep learning for early
warning signals of tipping points. PNAS 118:e2106140118.
Dakos V, Carpenter SR, Brock WA, et al. (2012) Methods for detecting early warnings of critical
transitions in time series illustrated using simulated ecological data. PLoS ONE 7:e41010.
Dakos V, van Nes EH, Scheffer M (2013) Flickering as an early warning signal. Theor Ecol 6:309-317.
Ditlevsen PD, Johnsen SJ (2010) Tipping points: early warning and wishful thinking. GRL 37:L19703.
Hastings A, Wysham DB (2010) Regime shifts in ecological systems can occur with no warning. Ecol Lett
13:464-472.
May RM (1977) Thresholds and breakpoints in ecosystems with a multiplicity of stable states. Nature
269:471-477.
Rosenzweig ML, MacArthur RH (1963) Graphical representation and stability conditions of predator-prey
interactions. Am Nat 97:209-223.
Schreiber SJ (2003) Allee effects, extinctions, and chaotic transients in simple population models.
Theor Popul Biol 64:201-209.
"""
from __future__ import annotations

import functools
import math

import numpy as np
from numba import njit

from .._errors import InputError
from ._core import Model, Ramp, register

_SQRT3 = math.sqrt(3.0)


# ====================================================================================================
# numerical helpers (numpy, evaluated once per call)
# ====================================================================================================
def _real_roots(coeffs: np.ndarray) -> np.ndarray:
    """Real roots of many polynomials at once. ``coeffs`` (n, d+1), highest power first.

    Returns (n, d) sorted ascending, NaN where a root is complex."""
    coeffs = np.atleast_2d(np.asarray(coeffs, dtype=float))
    n, d1 = coeffs.shape
    d = d1 - 1
    comp = np.zeros((n, d, d))
    comp[:, 0, :] = -coeffs[:, 1:] / coeffs[:, :1]
    if d > 1:
        comp[:, np.arange(1, d), np.arange(d - 1)] = 1.0
    roots = np.linalg.eigvals(comp)
    scale = np.maximum(1.0, np.abs(roots))
    re = np.where(np.abs(roots.imag) <= 1e-7 * scale, roots.real, np.nan)
    return np.sort(re, axis=1)  # NaN sorts last


def _unique_apply(q: np.ndarray, fn) -> np.ndarray:
    """Apply a vectorised ``fn`` to the distinct values of ``q`` only (frozen runs: one evaluation)."""
    q = np.asarray(q, dtype=float)
    u, inv = np.unique(q, return_inverse=True)
    return fn(u)[inv].reshape(q.shape)


# ---- May (1977) grazing model ----------------------------------------------------------------------
def _may_equilibria(r, K, h, c):
    c = np.atleast_1d(np.asarray(c, dtype=float))
    co = np.stack([np.full_like(c, -r / K), np.full_like(c, r), -(r * h * h / K + c), np.full_like(c, r * h * h)], 1)
    roots = _real_roots(co)
    return np.where(roots > 0, roots, np.nan)


def _may_folds(r, K, h):
    """(c_collapse, x_collapse, c_recovery, x_recovery) or None when K/h <= 3 sqrt 3 (no fold).

    Folds are where c(x) = r (1 - x/K)(x^2 + h^2)/x is stationary: -2/K x^3 + x^2 - h^2 = 0."""
    roots = _real_roots(np.array([[-2.0 / K, 1.0, 0.0, -h * h]]))[0]
    pos = np.sort(roots[np.isfinite(roots) & (roots > 0)])
    if pos.size < 2 or np.isclose(pos[0], pos[1]):
        return None
    cx = lambda x: r * (1 - x / K) * (x * x + h * h) / x  # noqa: E731
    return float(cx(pos[1])), float(pos[1]), float(cx(pos[0])), float(pos[0])


def _may_threshold(p, c):
    """Saddle (separatrix) of the May model at each c; the collapse fold point beyond the fold."""
    r, K, h = p["r"], p["K"], p["h"]
    folds = _may_folds(r, K, h)
    if folds is None:
        return np.full(np.shape(c), np.nan)
    c_hi, x_hi, _c_lo, _x_lo = folds

    def f(cu):
        eq = _may_equilibria(r, K, h, cu)
        npos = np.sum(np.isfinite(eq), axis=1)
        saddle = np.where(npos == 3, eq[:, 1], np.nan)
        return np.where(cu >= c_hi, x_hi, saddle)

    return _unique_apply(c, f)


def _may_upper(p, c):
    eq = _may_equilibria(p["r"], p["K"], p["h"], c)
    return float(np.nanmax(eq))


# ---- double well ----------------------------------------------------------------------------------
_C_FOLD_DW = 2.0 / (3.0 * _SQRT3)


def _dw_roots(c):
    c = np.atleast_1d(np.asarray(c, dtype=float))
    co = np.stack([np.ones_like(c), np.zeros_like(c), -np.ones_like(c), -c], 1)
    return _real_roots(co)


def _dw_threshold(p, c):
    """Saddle of -x^3 + x + c (upward crossing from the lower well); -1/sqrt3 beyond the fold."""

    def f(cu):
        r = _dw_roots(cu)
        n = np.sum(np.isfinite(r), axis=1)
        saddle = np.where(n == 3, r[:, 1], np.nan)
        return np.where(cu >= _C_FOLD_DW, -1.0 / _SQRT3, saddle)

    return _unique_apply(c, f)


def _kramers_dw(c, sigma):
    """Kramers time 2 pi / sqrt(U''(min) |U''(max)|) exp(2 dU / sigma^2) for leaving the lower well of
    U(x) = x^4/4 - x^2/2 - c x (None if the lower well does not exist)."""
    r = _dw_roots(c)[0]
    if np.sum(np.isfinite(r)) < 3 or sigma <= 0:
        return None, None
    xm, xs = r[0], r[1]
    U = lambda x: x**4 / 4 - x**2 / 2 - c * x  # noqa: E731
    dU = U(xs) - U(xm)
    upp_min, upp_max = 3 * xm * xm - 1, 3 * xs * xs - 1
    log_tau = math.log(2 * math.pi / math.sqrt(upp_min * abs(upp_max))) + 2 * dU / sigma**2
    return (math.exp(log_tau) if log_tau < 700 else None), float(dU)


# ====================================================================================================
# numba model functions (compiled on first use, never at import)
# ====================================================================================================
@njit(cache=True)
def _additive(x, t, p):
    return p[0]


@njit(cache=True)
def _sqrt_noise(x, t, p):
    return p[0] * math.sqrt(x) if x > 0.0 else 0.0


@njit(cache=True)
def _may_drift(x, t, p):
    # p = [sigma, r, 1/K, h^2, c0, c_rate]  (1/K and h^2 precomputed: one division per step)
    c = p[4] + p[5] * t
    x2 = x * x
    return p[1] * x * (1.0 - x * p[2]) - c * x2 / (x2 + p[3])


@njit(cache=True)
def _saddle_node_drift(x, t, p):
    # p = [sigma, r0, r_rate]
    return p[1] + p[2] * t - x * x


@njit(cache=True)
def _double_well_drift(x, t, p):
    # p = [sigma, c0, c_rate]
    return -x * x * x + x + p[1] + p[2] * t


@njit(cache=True)
def _rate_drift(x, t, p):
    # p = [sigma, lambda_max, rate, t_mid, time_factor (1 forced, 0 frozen)]
    lam = 0.5 * p[1] * (1.0 + math.tanh(0.5 * p[1] * p[2] * (p[4] * t - p[3])))
    y = x + lam
    return y * y - 1.0


@njit(cache=True)
def _transcritical_drift(x, t, p):
    # p = [sigma, mu0, mu_rate]
    return (p[1] + p[2] * t) * x - x * x


@njit(cache=True)
def _hopf_drift(x, y, t, p):
    # p = [sigma, mu0, mu_rate, omega]
    mu = p[1] + p[2] * t
    r2 = x * x + y * y
    return mu * x - p[3] * y - x * r2, p[3] * x + mu * y - y * r2


@njit(cache=True)
def _additive2(x, y, t, p):
    return p[0], p[0]


@njit(cache=True)
def _rm_drift(x, y, t, p):
    # p = [sigma_x, sigma_y, r, k, h, e, m, a0, a_rate]
    a = p[7] + p[8] * t
    g = a * x * y / (1.0 + a * p[4] * x)
    return p[2] * x * (1.0 - x / p[3]) - g, p[5] * g - p[6] * y


@njit(cache=True)
def _additive2_xy(x, y, t, p):
    return p[0], p[1]


@njit(cache=True)
def _ou_step(x, t, p, z):
    # exact AR(1) transition of the OU process over one recording interval; p = [phi, mu, s]
    return p[1] + (x - p[1]) * p[0] + p[2] * z


@njit(cache=True)
def _schreiber_step(x, t, p, z):
    # p = [sigma, r, s, m0, m_rate_per_step]
    m = p[3] + p[4] * t
    return x * math.exp(p[1] * (1.0 - x) - m / (1.0 + p[2] * x) + p[0] * z)


@njit(cache=True)
def _may_map_step(x, t, p, z):
    # p = [sigma, r, K, H, Q, a0, a_rate_per_step]
    if x <= 0.0:
        return 0.0
    a = p[5] + p[6] * t
    xq1 = x ** (p[4] - 1.0)
    return x * math.exp(p[1] * (1.0 - x / p[2]) - a * xq1 / (xq1 * x + p[3] ** p[4]) + p[0] * z)


@njit(cache=True)
def _bd_birth(n, t, p):
    # p = [e, K, h, a0, a_rate]
    return p[0] * p[1] * n * n / (n * n + p[2] * p[2])


@njit(cache=True)
def _bd_death(n, t, p):
    if n <= 0.0:
        return 0.0
    return p[0] * n + p[3] + p[4] * t


# ====================================================================================================
# shared pieces
# ====================================================================================================
_TIMING_SDE = {"t_max": 1000.0, "dt_record": 1.0, "dt": 0.01, "burn_in": 100.0, "x0": None}


def _linear(p, q, forced):
    """(start, rate per unit time) of the linear ramp of parameter ``q``."""
    rate = (p[q + "_end"] - p[q + "_start"]) / p["t_max"] if forced else 0.0
    return p[q + "_start"], rate


def _rule_separatrix(what: str):
    return lambda p: (
        f"first passage {what} (checked at every integration step; NaN if never). Levels are those of "
        "the frozen system at the parameter value at the start of each recording interval."
    )


def _positive(*names):
    def check(p):
        for k in names:
            if p[k] <= 0:
                raise InputError(f"{k} must be > 0, got {p[k]}.")

    return check


# ====================================================================================================
# 1. fold: May (1977) grazing model
# ====================================================================================================
def _may_truth_fold(p):
    folds = _may_folds(p["r"], p["K"], p["h"])
    if folds is None:
        return {"bifurcation": "none", "bifurcation_parameter": "c", "bifurcation_value": None,
                "note": "K/h <= 3*sqrt(3): no fold (smooth response)"}
    c_hi, x_hi, c_lo, x_lo = folds
    return {"bifurcation": "fold", "bifurcation_parameter": "c", "bifurcation_value": c_hi,
            "fold_state": x_hi, "recovery_fold_value": c_lo, "recovery_fold_state": x_lo}


def _may_pack(p, forced):
    c0, rate = _linear(p, "c", forced)
    return [p["sigma"], p["r"], 1.0 / p["K"], p["h"] * p["h"], c0, rate]


def _may_validate(p):
    _positive("r", "K", "h")(p)
    if min(p["c_start"], p["c_end"]) < 0:
        raise InputError("c (grazing rate) must be >= 0 along the ramp.")


_MAY_DOC = r"""
Equations
---------
dx = [r x (1 - x/K) - c(t) x^2 / (x^2 + h^2)] dt + sigma dW,  c(t) = c_start + (c_end - c_start) t / t_max,
reflecting boundary at x = 0. Initial state: the upper (vegetated) equilibrium at c_start, then
``burn_in`` time units at c_start.

Parameters (preset ``dakos2012``, the default)
----------------------------------------------
r = 1, K = 10, h = 1, c ramped 1 -> 2.6771 (Dakos et al. 2012, PLoS ONE 7:e41010), over t_max = 1000,
recorded every dt_record = 1, Euler-Maruyama step dt = 0.01, burn_in = 100. sigma = 0.1 is this
package's default (set it to match a study). Folds at c = 2.6044 (collapse, x = 4.781) and c = 1.7872
(recovery, x = 1.138), computed numerically from the drift's equilibria for any parameters.

Preset ``bury2021``: K = 1, h = 0.1, c 0.15 -> 0.27, sigma = 0.01 (Bury et al. 2021, PNAS; the same
model rescaled x -> x/10, c -> c/10: fold at c = 0.26044), t_max = 500.

Ground truth
------------
bifurcation "fold" at c = c_collapse (None and "none" if K/h <= 3 sqrt 3); transition_time: first
passage below the saddle x_s(c) (below the fold point x_F once c >= c_collapse).

References
----------
May (1977) Nature 269:471; Dakos et al. (2012) PLoS ONE 7:e41010; Bury et al. (2021) PNAS 118:e2106140118.
"""

register(Model(
    name="fold",
    description="May (1977) grazing model, c ramped through the fold (collapse) at c = 2.6044",
    kind="em1",
    defaults={"r": 1.0, "K": 10.0, "h": 1.0, "c_start": 1.0, "c_end": 2.6771, "sigma": 0.1, **_TIMING_SDE},
    presets={"dakos2012": {},
             "bury2021": {"K": 1.0, "h": 0.1, "c_start": 0.15, "c_end": 0.27, "sigma": 0.01, "t_max": 500.0}},
    default_preset="dakos2012",
    functions=lambda p: {"DRIFT": _may_drift, "DIFFUSION": _additive},
    pack=_may_pack,
    truth=_may_truth_fold,
    doc=_MAY_DOC,
    ramp=Ramp("c", "c_start", "c_end"),
    transition="threshold",
    threshold=_may_threshold,
    direction=-1,
    transition_rule=_rule_separatrix("below the saddle x_s(c) of the May model (below the fold point "
                                     "x_F once c >= the collapse fold)"),
    x0=lambda p: _may_upper(p, p["c_start"]),
    bounds=lambda p: (0.0, 1, 0.0, 0),
    validate=_may_validate,
))


# ====================================================================================================
# 2. saddle_node normal form
# ====================================================================================================
def _sn_validate(p):
    if p["x_min"] >= -math.sqrt(max(p["r_start"], 0.0)):
        raise InputError("x_min (absorbing floor) must lie below the saddle -sqrt(r_start); e.g. x_min=-3.")


def _sn_threshold(p, r):
    r = np.asarray(r, dtype=float)
    return np.where(r > 0, -np.sqrt(np.maximum(r, 0.0)), 0.0)


register(Model(
    name="saddle_node",
    description="saddle-node normal form dx = (r(t) - x^2) dt + sigma dW, r ramped through 0",
    kind="em1",
    defaults={"r_start": 1.0, "r_end": -0.25, "sigma": 0.05, "x_min": -3.0,
              **{**_TIMING_SDE, "t_max": 500.0, "burn_in": 10.0}},
    functions=lambda p: {"DRIFT": _saddle_node_drift, "DIFFUSION": _additive},
    pack=lambda p, forced: [p["sigma"], *_linear(p, "r", forced)],
    truth=lambda p: {"bifurcation": "fold", "bifurcation_parameter": "r", "bifurcation_value": 0.0},
    doc=r"""
Equations
---------
dx = (r(t) - x^2) dt + sigma dW,  r(t) = r0 - m t with r0 = r_start, m = (r_start - r_end) / t_max.
Stable state +sqrt(r), saddle -sqrt(r); they merge at r = 0 (fold). Below the saddle x runs to -infinity
in finite time, so the state is absorbed at x_min (default -3) and held there.

Defaults
--------
r 1 -> -0.25 over t_max = 500 (fold at t = 400), sigma = 0.05, dt_record = 1, dt = 0.01, burn_in = 10.
Initial state sqrt(r_start).

Ground truth
------------
fold at r = 0; transition_time: first passage below -sqrt(r) (below 0 once r <= 0).

References
----------
Strogatz (1994) Nonlinear Dynamics and Chaos, sec. 3.1; Boettiger, Ross & Hastings (2013) Theor Ecol.
""",
    ramp=Ramp("r", "r_start", "r_end"),
    transition="threshold",
    threshold=_sn_threshold,
    direction=-1,
    transition_rule=_rule_separatrix("below the saddle -sqrt(r) (below 0 once r <= 0)"),
    x0=lambda p: math.sqrt(p["r_start"]) if p["r_start"] > 0 else 0.0,
    bounds=lambda p: (p["x_min"], 2, 0.0, 0),
    validate=_sn_validate,
))


# ====================================================================================================
# 3. double_well (bifurcation-induced tipping) and 4. noise_induced
# ====================================================================================================
def _dw_truth(p):
    tau, dU = _kramers_dw(p["c_start"], p["sigma"])
    return {"bifurcation": "fold", "bifurcation_parameter": "c", "bifurcation_value": _C_FOLD_DW,
            "fold_state": -1.0 / _SQRT3, "kramers_time_at_start": tau, "barrier_at_start": dU}


def _dw_validate(p):
    if np.sum(np.isfinite(_dw_roots(p["c_start"])[0])) < 3:
        raise InputError("c_start must lie in (-2/(3 sqrt 3), 2/(3 sqrt 3)) = (-0.385, 0.385) so that the "
                         "lower well exists at the start.")


def _dw_x0(p):
    return float(_dw_roots(p["c_start"])[0][0])


register(Model(
    name="double_well",
    description="double-well dx = (-x^3 + x + c(t)) dt + sigma dW, c ramped through the fold at 2/(3 sqrt 3)",
    kind="em1",
    defaults={"c_start": 0.0, "c_end": 0.5, "sigma": 0.1, **{**_TIMING_SDE, "t_max": 500.0, "burn_in": 50.0}},
    functions=lambda p: {"DRIFT": _double_well_drift, "DIFFUSION": _additive},
    pack=lambda p, forced: [p["sigma"], *_linear(p, "c", forced)],
    truth=_dw_truth,
    doc=r"""
Equations
---------
dx = (-x^3 + x + c(t)) dt + sigma dW = -U'(x) dt + sigma dW,  U(x) = x^4/4 - x^2/2 - c x.
Starts in the lower well; the lower well and the saddle merge at c = 2/(3 sqrt 3) = 0.3849 (fold,
x = -1/sqrt 3): bifurcation-induced tipping to the upper well.

Defaults
--------
c 0 -> 0.5 over t_max = 500 (fold at t = 384.9), sigma = 0.1, dt_record = 1, dt = 0.01, burn_in = 50.

Ground truth
------------
fold at c = 2/(3 sqrt 3); transition_time: first passage above the saddle (above -1/sqrt 3 past the fold).

References
----------
Ditlevsen & Johnsen (2010) GRL 37:L19703; Ashwin et al. (2012) Phil Trans R Soc A 370:1166.
""",
    ramp=Ramp("c", "c_start", "c_end"),
    transition="threshold",
    threshold=_dw_threshold,
    direction=+1,
    transition_rule=_rule_separatrix("above the saddle of -x^3 + x + c (above -1/sqrt(3) past the fold)"),
    x0=_dw_x0,
    validate=_dw_validate,
))


def _ni_truth(p):
    tau, dU = _kramers_dw(p["c"], p["sigma"])
    return {"bifurcation": "none", "bifurcation_parameter": None, "bifurcation_value": None,
            "kramers_time": tau, "barrier": dU,
            "kramers_note": "tau = 2 pi / sqrt(U''(min) |U''(max)|) exp(2 dU / sigma^2) is the mean time to "
                            "escape to the other well; the mean first passage to the saddle itself is about tau/2"}


def _ni_validate(p):
    r = _dw_roots(p["c"])[0]
    if np.sum(np.isfinite(r)) < 3:
        raise InputError("c must lie in (-2/(3 sqrt 3), 2/(3 sqrt 3)) so that two wells exist.")


register(Model(
    name="noise_induced",
    description="double well with constant c: noise-induced escapes, no bifurcation (Kramers time documented)",
    kind="em1",
    defaults={"c": 0.0, "sigma": 0.3, **{**_TIMING_SDE, "burn_in": 0.0}},
    functions=lambda p: {"DRIFT": _double_well_drift, "DIFFUSION": _additive},
    pack=lambda p, forced: [p["sigma"], p["c"], 0.0],
    truth=_ni_truth,
    doc=r"""
Equations
---------
dx = (-x^3 + x + c) dt + sigma dW, c constant: no bifurcation; the system leaves the lower well only by
noise (Ditlevsen & Johnsen 2010). Kramers' mean escape time from the lower well:

    tau = 2 pi / sqrt(U''(x_min) |U''(x_s)|) * exp(2 dU / sigma^2),   U = x^4/4 - x^2/2 - c x,

dU = U(x_s) - U(x_min). At c = 0: U''(min) = 2, U''(saddle) = -1, dU = 1/4, so
tau = pi sqrt(2) exp(1 / (2 sigma^2)): sigma = 0.3 -> 1149, 0.35 -> 264, 0.25 -> 13,200 time units.
Choose sigma (or t_max) so that escapes happen in your runs; the value is in
ground_truth["kramers_time"].

Defaults
--------
c = 0, sigma = 0.3, t_max = 1000, dt_record = 1, dt = 0.01, no burn-in; starts at the lower minimum.

Ground truth
------------
bifurcation "none"; transition_time: first passage above the saddle (x = 0 at c = 0). The mean of this
first passage is about tau/2 (from the saddle the system falls either way with equal probability).
""",
    transition="threshold",
    threshold=lambda p, q: np.full(np.shape(q), _dw_roots(p["c"])[0][1]),
    direction=+1,
    transition_rule=_rule_separatrix("above the saddle of -x^3 + x + c"),
    x0=lambda p: float(_dw_roots(p["c"])[0][0]),
    validate=_ni_validate,
))


# ====================================================================================================
# 5. flickering (May model, large noise, slow ramp through the bistable range)
# ====================================================================================================
register(Model(
    name="flickering",
    description="May grazing model with strong noise: flickering between states inside the bistable range",
    kind="em1",
    defaults={"r": 1.0, "K": 10.0, "h": 1.0, "c_start": 1.5, "c_end": 2.8, "sigma": 0.7,
              **{**_TIMING_SDE, "t_max": 2000.0}},
    functions=lambda p: {"DRIFT": _may_drift, "DIFFUSION": _additive},
    pack=_may_pack,
    truth=_may_truth_fold,
    doc=r"""
Equations
---------
The May grazing model of ``fold`` (additive noise, reflecting at 0) with noise strong enough for repeated
switching between the vegetated and overgrazed states while c crosses the bistable range
(1.7872, 2.6044), as in Dakos, van Nes & Scheffer (2013).

Defaults
--------
r = 1, K = 10, h = 1, c 1.5 -> 2.8 over t_max = 2000, sigma = 0.7, dt_record = 1, dt = 0.01,
burn_in = 100 (package defaults chosen so that several switches occur inside the bistable range).

Ground truth
------------
fold at the collapse value as for ``fold``; transition_time: the *first* passage below the saddle (the
first flicker); later switches are in the data.

References
----------
Dakos V, van Nes EH, Scheffer M (2013) Flickering as an early warning signal. Theor Ecol 6:309-317.
""",
    ramp=Ramp("c", "c_start", "c_end"),
    transition="threshold",
    threshold=_may_threshold,
    direction=-1,
    transition_rule=_rule_separatrix("below the saddle x_s(c) of the May model (the first flicker)"),
    x0=lambda p: _may_upper(p, p["c_start"]),
    bounds=lambda p: (0.0, 1, 0.0, 0),
    validate=_may_validate,
))


# ====================================================================================================
# 6. chaotic_crisis: Schreiber (2003) map
# ====================================================================================================
def _schreiber_fixed(r, s, m):
    """(x_u, x_s): roots of r (1 - x)(1 + s x) = m (NaN if none)."""
    m = np.atleast_1d(np.asarray(m, dtype=float))
    co = np.stack([np.full_like(m, -r * s), np.full_like(m, r * s - r), r - m], 1)
    return _real_roots(co)


@functools.lru_cache(maxsize=64)
def _schreiber_crisis(r, s):
    """m at the boundary crisis: the image of the map's maximum lands on the unstable fixed point."""
    from scipy.optimize import brentq, minimize_scalar

    def F(x, m):
        return x * math.exp(r * (1 - x) - m / (1 + s * x))

    def gap(m):
        xu, _ = _schreiber_fixed(r, s, m)[0]
        c = minimize_scalar(lambda x: -F(x, m), bounds=(1e-9, 5.0), method="bounded",
                            options={"xatol": 1e-12}).x
        return F(F(c, m), m) - xu

    m_max = r * (1 + s) ** 2 / (4 * s)  # largest m with fixed points
    grid = np.linspace(0.05 * m_max, 0.999 * m_max, 400)
    vals = np.array([gap(m) for m in grid])
    ok = np.isfinite(vals)
    idx = np.flatnonzero(ok[:-1] & ok[1:] & (np.sign(vals[:-1]) < 0) & (np.sign(vals[1:]) > 0))
    if idx.size == 0:
        return None
    i = idx[-1]
    return float(brentq(gap, grid[i], grid[i + 1], xtol=1e-12))


def _crisis_truth(p):
    mc = _schreiber_crisis(p["r"], p["s"])
    return {"bifurcation": "crisis", "bifurcation_parameter": "m", "bifurcation_value": mc,
            "note": "boundary crisis: the chaotic attractor touches the unstable (Allee) fixed point; "
                    "no critical slowing down precedes it"}


register(Model(
    name="chaotic_crisis",
    description="Schreiber (2003) map: chaotic attractor collides with the Allee threshold (boundary crisis)",
    kind="map1",
    defaults={"r": 4.5, "s": 16.0, "m_start": 14.0, "m_end": 10.0, "sigma": 0.01,
              "t_max": 1000.0, "dt_record": 1.0, "burn_in": 100.0, "x_min": 1e-9, "x0": None},
    functions=lambda p: {"STEP": _schreiber_step},
    pack=lambda p, forced: [p["sigma"], p["r"], p["s"], p["m_start"],
                            ((p["m_end"] - p["m_start"]) / p["t_max"] * p["dt_record"]) if forced else 0.0],
    truth=_crisis_truth,
    doc=r"""
Equations
---------
x[t+1] = x[t] exp(r (1 - x[t]) - m(t) / (1 + s x[t]) + sigma z[t]),  z ~ N(0, 1) (lognormal
environmental noise), one step per time unit. Fixed points solve r (1 - x)(1 + s x) = m: the lower one
x_u is the Allee threshold (unstable), below it the population declines to extinction (absorbed at
x_min = 1e-9). For r = 4.5, s = 16 the upper fixed point is unstable and the attractor chaotic; as m
decreases the attractor grows until the image of the map's maximum falls below x_u: a boundary crisis at
m_c = 10.2915 (computed numerically). Before it the attractor shows no critical slowing down: the lag-1
autocorrelation stays strongly negative (about -1 at m = 14, -0.2 just above m_c) and the variance of
the chaotic attractor changes irregularly with periodic windows (it grows overall as m decreases here).

Defaults
--------
r = 4.5, s = 16 (Schreiber 2003; Hastings & Wysham 2010), m 14 -> 10 over t_max = 1000 steps (crisis at
t = 927), sigma = 0.01, burn_in = 100 steps, x0 = 1.01 x_s(m_start).

Ground truth
------------
bifurcation "crisis" at m_c; transition_time: first passage below x_u(m(t)).

References
----------
Schreiber (2003) Theor Popul Biol 64:201; Hastings & Wysham (2010) Ecol Lett 13:464.
""",
    ramp=Ramp("m", "m_start", "m_end"),
    transition="threshold",
    threshold=lambda p, m: _unique_apply(m, lambda mu: _schreiber_fixed(p["r"], p["s"], mu)[:, 0]),
    direction=-1,
    transition_rule=lambda p: "first passage below the unstable (Allee) fixed point x_u(m) of the map "
                              "(checked at every step; NaN if never)",
    x0=lambda p: 1.01 * float(_schreiber_fixed(p["r"], p["s"], p["m_start"])[0][1]),
    bounds=lambda p: (p["x_min"], 2, 0.0, 0),
    validate=_positive("r", "s", "x_min"),
))


# ====================================================================================================
# 7. rate_induced (Ashwin et al. 2012)
# ====================================================================================================
def _critical_rate(lambda_max):
    """r_c = 4 / (lambda_max (lambda_max - 2)); no rate tips the system when lambda_max <= 2."""
    return 4.0 / (lambda_max * (lambda_max - 2.0)) if lambda_max > 2.0 else None


def _rate_truth(p):
    rc = _critical_rate(p["lambda_max"])
    return {"bifurcation": "rate", "bifurcation_parameter": "rate", "bifurcation_value": rc,
            "bifurcation_time": None, "critical_rate": rc,
            "tips_deterministically": bool(rc is not None and p["rate"] > rc),
            "note": "no bifurcation of the frozen system: the deterministic system tips iff the ramp is "
                    "faster than the critical rate, rate > 4 / (lambda_max (lambda_max - 2))"}


def _rate_lambda(p, t):
    return 0.5 * p["lambda_max"] * (1.0 + np.tanh(0.5 * p["lambda_max"] * p["rate"] * (t - p["t_mid"])))


register(Model(
    name="rate_induced",
    description="rate-induced tipping dx = ((x + lambda(t))^2 - 1) dt + sigma dW, tanh ramp (Ashwin et al. 2012)",
    kind="em1",
    defaults={"lambda_max": 3.0, "rate": 2.0, "t_mid": 20.0, "sigma": 0.05, "x_max": 5.0,
              "t_max": 40.0, "dt_record": 0.1, "dt": 0.001, "burn_in": 1.0, "x0": None},
    functions=lambda p: {"DRIFT": _rate_drift, "DIFFUSION": _additive},
    pack=lambda p, forced: [p["sigma"], p["lambda_max"], p["rate"], p["t_mid"], 1.0 if forced else 0.0],
    truth=_rate_truth,
    doc=r"""
Equations
---------
dx = ((x + lambda(t))^2 - 1) dt + sigma dW,
lambda(t) = (lambda_max / 2) (1 + tanh(lambda_max * rate * (t - t_mid) / 2))   (Ashwin et al. 2012).
For every frozen lambda the stable state x = -lambda - 1 exists (no bifurcation). In y = x + lambda,
dy/dt = y^2 - 1 + lambda'(t): the deterministic system tips iff rate > r_c = 4 / (lambda_max
(lambda_max - 2)) (4/3 for lambda_max = 3; never for lambda_max <= 2, where the shift is smaller than
the basin), a value we derived for this ramp and check numerically in the tests. After tipping x blows
up in finite time: it is absorbed at x_max (default 5) and held there.

Defaults
--------
lambda_max = 3, rate = 2 (> r_c = 4/3: tips), t_mid = 20, t_max = 40, sigma = 0.05, dt_record = 0.1,
dt = 0.001, burn_in = 1. ``forced=False`` freezes lambda at lambda(0) (about 0).

Ground truth
------------
bifurcation "rate", bifurcation_parameter "rate", bifurcation_value = the critical rate r_c;
bifurcation_time None. transition_time: first passage of x + lambda(t) above +1 (the frozen system's
unstable state).

References
----------
Ashwin P, Wieczorek S, Vitolo R, Cox P (2012) Phil Trans R Soc A 370:1166-1184.
""",
    ramp=Ramp("lambda", "lambda_max", values=_rate_lambda),
    transition="threshold",
    threshold=lambda p, lam: 1.0 - np.asarray(lam),
    direction=+1,
    transition_rule=_rule_separatrix("of x + lambda(t) above +1 (the unstable state of the frozen system)"),
    x0=lambda p: -float(_rate_lambda(p, np.array(0.0))) - 1.0,
    bounds=lambda p: (0.0, 0, p["x_max"], 2),
    validate=_positive("lambda_max", "rate"),
))


# ====================================================================================================
# 8. hopf normal form, and the Rosenzweig-MacArthur model (Hopf and transcritical ramps)
# ====================================================================================================
register(Model(
    name="hopf",
    description="supercritical Hopf normal form (x, y), mu ramped -1 -> 0",
    kind="em2",
    defaults={"mu_start": -1.0, "mu_end": 0.0, "omega": 1.0, "sigma": 0.01, "y0": None,
              **{**_TIMING_SDE, "t_max": 500.0, "burn_in": 10.0}},
    functions=lambda p: {"DRIFT": _hopf_drift, "DIFFUSION": _additive2},
    pack=lambda p, forced: [p["sigma"], *_linear(p, "mu", forced), p["omega"]],
    truth=lambda p: {"bifurcation": "hopf", "bifurcation_parameter": "mu", "bifurcation_value": 0.0,
                     "omega": p["omega"]},
    doc=r"""
Equations
---------
dx = (mu x - omega y - x (x^2 + y^2)) dt + sigma dW1,
dy = (omega x + mu y - y (x^2 + y^2)) dt + sigma dW2,   mu(t) linear mu_start -> mu_end.
For mu < 0 the origin is a stable focus; linearised, each coordinate is a damped oscillation with
lag-tau autocorrelation exp(mu tau) cos(omega tau) and stationary variance sigma^2 / (2 |mu|); at
mu = 0 a stable limit cycle of radius sqrt(mu) is born (supercritical Hopf, no jump).

Defaults
--------
mu -1 -> 0 over t_max = 500, omega = 1, sigma = 0.01, dt_record = 1, dt = 0.01, burn_in = 10;
starts at the origin. Variables "x", "y".

Ground truth
------------
hopf at mu = 0. transition_time: the time at which mu(t) reaches 0 (the same for every replicate; the
supercritical Hopf has no separatrix to cross); NaN if the ramp does not reach 0 (and for the null twin).
""",
    ramp=Ramp("mu", "mu_start", "mu_end"),
    transition="bifurcation",
    transition_rule=lambda p: "time at which mu(t) reaches the Hopf point mu = 0 (same for all replicates; "
                              "NaN if never)",
    x0=lambda p: (0.0, 0.0),
    bounds=lambda p: ((0.0, 0.0), (0, 0)),
    variables=("x", "y"),
))


def _rm_points(p):
    denom = p["e"] - p["m"] * p["h"]
    if denom <= 0:
        return None, None
    a_t = p["m"] / (p["k"] * denom)
    a_h = (2.0 * p["m"] / denom + 1.0 / p["h"]) / p["k"]
    return a_t, a_h


def _rm_truth(p):
    a_t, a_h = _rm_points(p)
    lo, hi = sorted((p["a_start"], p["a_end"]))
    if a_h is not None and lo <= a_h <= hi:
        kind, val = "hopf", a_h
    elif a_t is not None and lo <= a_t <= hi:
        kind, val = "transcritical", a_t
    else:
        kind, val = "none", None
    return {"bifurcation": kind, "bifurcation_parameter": "a", "bifurcation_value": val,
            "transcritical_value": a_t, "hopf_value": a_h}


def _rm_x0(p):
    a_t, a_h = _rm_points(p)
    a = p["a_start"]
    if a_t is None or a <= a_t:
        return (p["k"], 0.0)
    x = p["m"] / (a * (p["e"] - p["m"] * p["h"]))
    y = p["r"] * (1 - x / p["k"]) * (1 + a * p["h"] * x) / a
    return (x, y)


register(Model(
    name="rosenzweig_macarthur",
    description="Rosenzweig-MacArthur consumer-resource (x, y): Hopf (a 12->16) or transcritical (a 2->6) ramp",
    kind="em2",
    defaults={"r": 4.0, "k": 1.7, "h": 0.15, "e": 0.5, "m": 2.0, "a_start": 12.0, "a_end": 16.0,
              "sigma_x": 0.01, "sigma_y": 0.01, "y0": None, **{**_TIMING_SDE, "t_max": 500.0}},
    presets={"hopf": {}, "transcritical": {"a_start": 2.0, "a_end": 6.0}},
    default_preset="hopf",
    functions=lambda p: {"DRIFT": _rm_drift, "DIFFUSION": _additive2_xy},
    pack=lambda p, forced: [p["sigma_x"], p["sigma_y"], p["r"], p["k"], p["h"], p["e"], p["m"],
                            *_linear(p, "a", forced)],
    truth=_rm_truth,
    doc=r"""
Equations
---------
dx = [r x (1 - x/k) - a x y / (1 + a h x)] dt + sigma_x dW1   (resource),
dy = [e a x y / (1 + a h x) - m y] dt + sigma_y dW2            (consumer), reflecting at x = 0, y = 0.
Coexistence equilibrium x* = m / (a (e - m h)); transcritical (consumer invasion) at
a_T = m / (k (e - m h)) = 5.882 and Hopf (paradox of enrichment) at a_H = (2 m / (e - m h) + 1/h) / k
= 15.686 for the parameters below.

Parameters
----------
r = 4, k = 1.7, h = 0.15, e = 0.5, m = 2, sigma_x = sigma_y = 0.01 (Bury et al. 2021, PNAS).
Preset ``hopf`` (default): a 12 -> 16 (Hopf at t = 460.7 of t_max = 500). Preset ``transcritical``:
a 2 -> 6 (transcritical at t = 485.3). dt_record = 1, dt = 0.01, burn_in = 100; starts at the
equilibrium for a_start.

Ground truth
------------
bifurcation "hopf" or "transcritical" (whichever the ramp crosses) at its analytic value;
transition_time: the time at which a(t) reaches it (same for all replicates; NaN if never).

References
----------
Rosenzweig & MacArthur (1963) Am Nat 97:209; Bury et al. (2021) PNAS 118:e2106140118.
""",
    ramp=Ramp("a", "a_start", "a_end"),
    transition="bifurcation",
    transition_rule=lambda p: "time at which a(t) reaches the bifurcation value (same for all replicates; "
                              "NaN if never)",
    x0=_rm_x0,
    bounds=lambda p: ((0.0, 0.0), (1, 1)),
    variables=("x", "y"),
    nonnegative=("sigma_x", "sigma_y"),
    validate=_positive("r", "k", "h", "e", "m", "a_start", "a_end"),
))


# ====================================================================================================
# 9. transcritical normal form (additive or demographic noise)
# ====================================================================================================
register(Model(
    name="transcritical",
    description="transcritical normal form dx = (mu(t) x - x^2) dt + noise (additive or demographic sqrt(x))",
    kind="em1",
    defaults={"mu_start": 1.0, "mu_end": -0.25, "sigma": 0.05, **{**_TIMING_SDE, "t_max": 500.0, "burn_in": 10.0}},
    options={"noise": ("additive", ("additive", "demographic"))},
    functions=lambda p: {"DRIFT": _transcritical_drift,
                         "DIFFUSION": _additive if p["noise"] == "additive" else _sqrt_noise},
    pack=lambda p, forced: [p["sigma"], *_linear(p, "mu", forced)],
    truth=lambda p: {"bifurcation": "transcritical", "bifurcation_parameter": "mu", "bifurcation_value": 0.0},
    doc=r"""
Equations
---------
dx = (mu(t) x - x^2) dt + sigma dW         (noise="additive", reflecting at x = 0), or
dx = (mu(t) x - x^2) dt + sigma sqrt(x) dW (noise="demographic", absorbing at x = 0: extinction).
Equilibria 0 and mu exchange stability at mu = 0 (transcritical); the state declines smoothly to 0.

Defaults
--------
mu 1 -> -0.25 over t_max = 500 (bifurcation at t = 400), sigma = 0.05, dt_record = 1, dt = 0.01,
burn_in = 10; starts at x = mu_start.

Ground truth
------------
transcritical at mu = 0. transition_time: additive noise -- the time at which mu(t) reaches 0 (same for
all replicates, NaN if never); demographic noise -- the first hitting time of x = 0 (extinction, per
replicate, NaN if the population survives the run).

References
----------
Strogatz (1994) sec. 3.2; Boettiger, Ross & Hastings (2013) Theor Ecol 6:255 (transcritical transitions
show critical slowing down without a jump).
""",
    ramp=Ramp("mu", "mu_start", "mu_end"),
    transition=lambda p: "threshold" if p["noise"] == "demographic" else "bifurcation",
    threshold=lambda p, mu: np.full(np.shape(mu), 1e-300 if p["noise"] == "demographic" else np.nan),
    direction=-1,
    transition_rule=lambda p: ("first hitting time of x = 0 (extinction; NaN if never)"
                               if p["noise"] == "demographic" else
                               "time at which mu(t) reaches 0 (same for all replicates; NaN if never)"),
    x0=lambda p: max(p["mu_start"], 0.0),
    bounds=lambda p: (0.0, 1 if p["noise"] == "additive" else 2, 0.0, 0),
))


# ====================================================================================================
# 10. smooth_response (no fold, yet CSD-like indicators): May model with K/h < 3 sqrt 3
# ====================================================================================================
register(Model(
    name="smooth_response",
    description="May grazing model with K/h < 3 sqrt 3 (K=3, h=1): no fold, yet variance/AC peak (false positive)",
    kind="em1",
    defaults={"r": 1.0, "K": 3.0, "h": 1.0, "c_start": 0.5, "c_end": 2.5, "sigma": 0.1, **_TIMING_SDE},
    functions=lambda p: {"DRIFT": _may_drift, "DIFFUSION": _additive},
    pack=_may_pack,
    truth=_may_truth_fold,
    doc=r"""
Equations
---------
The May grazing model of ``fold`` with K = 3, h = 1 (K/h < 3 sqrt 3 = 5.196): the equilibrium declines
smoothly with c and never folds, yet the recovery rate |f'(x*)| passes through a minimum, so variance and
autocorrelation rise and fall: a false positive for early-warning indicators (Boettiger, Ross &
Hastings 2013, Fig. 3).

Defaults
--------
r = 1, K = 3, h = 1, c 0.5 -> 2.5 over t_max = 1000, sigma = 0.1, dt_record = 1, dt = 0.01,
burn_in = 100; reflecting at 0.

Ground truth
------------
bifurcation "none"; transition_time always NaN (there is no separatrix).
""",
    ramp=Ramp("c", "c_start", "c_end"),
    transition="none",
    transition_rule=lambda p: "no transition: the model has a single equilibrium for every c (always NaN)",
    x0=lambda p: _may_upper(p, p["c_start"]),
    bounds=lambda p: (0.0, 1, 0.0, 0),
    validate=_may_validate,
))


# ====================================================================================================
# 11. ou: stationary Ornstein-Uhlenbeck / AR(1) null
# ====================================================================================================
def _ou_pack(p, forced):
    phi = math.exp(-p["lam"] * p["dt_record"])
    s = p["sigma"] * math.sqrt((1 - phi * phi) / (2 * p["lam"]))
    return [phi, p["mu"], s]


register(Model(
    name="ou",
    description="stationary Ornstein-Uhlenbeck process (AR(1) at the recording times): the null model",
    kind="map1",
    defaults={"lam": 1.0, "mu": 0.0, "sigma": 1.0, "t_max": 1000.0, "dt_record": 1.0, "burn_in": 10.0,
              "x0": None},
    functions=lambda p: {"STEP": _ou_step},
    pack=_ou_pack,
    truth=lambda p: {"bifurcation": "none", "bifurcation_parameter": None, "bifurcation_value": None,
                     "stationary_variance": p["sigma"] ** 2 / (2 * p["lam"]),
                     "lag1_autocorrelation": math.exp(-p["lam"] * p["dt_record"])},
    doc=r"""
Equations
---------
dx = -lam (x - mu) dt + sigma dW, sampled exactly at the recording times (no discretisation error):
x[k+1] = mu + (x[k] - mu) phi + sigma sqrt((1 - phi^2) / (2 lam)) z[k],  phi = exp(-lam dt_record),
i.e. an AR(1) with coefficient phi. Stationary variance sigma^2 / (2 lam); lag-j autocorrelation phi^j.

Defaults
--------
lam = 1, mu = 0, sigma = 1, t_max = 1000, dt_record = 1, burn_in = 10 (= 10 relaxation times; starts
at mu).

Ground truth
------------
bifurcation "none"; transition_time always NaN.
""",
    transition="none",
    transition_rule=lambda p: "no transition (always NaN)",
    x0=lambda p: p["mu"],
    validate=_positive("lam"),
))


# ====================================================================================================
# 12. birth_death: exact Gillespie individual-based model (Boettiger & Hastings 2012)
# ====================================================================================================
def _bd_equilibria(p, a):
    a = np.atleast_1d(np.asarray(a, dtype=float))
    e, K, h = p["e"], p["K"], p["h"]
    co = np.stack([np.full_like(a, e), a - e * K, np.full_like(a, e * h * h), a * h * h], 1)
    roots = _real_roots(co)
    return np.where(roots > 0, roots, np.nan)


def _bd_fold(p):
    """Mean-field fold: the maximum over n of a(n) = e K n^2/(n^2 + h^2) - e n."""
    return _bd_fold_cached(p["e"], p["K"], p["h"])


@functools.lru_cache(maxsize=64)
def _bd_fold_cached(e, K, h):
    from scipy.optimize import minimize_scalar

    f = lambda n: -(e * K * n * n / (n * n + h * h) - e * n)  # noqa: E731
    res = minimize_scalar(f, bounds=(h * 1e-3, K), method="bounded", options={"xatol": 1e-10})
    return float(-res.fun), float(res.x)


def _bd_threshold(p, a):
    a_f, n_f = _bd_fold(p)

    def f(au):
        eq = _bd_equilibria(p, au)
        npos = np.sum(np.isfinite(eq), axis=1)
        saddle = np.where(npos == 2, np.nanmin(eq, axis=1), np.nan)
        return np.where(au >= a_f, n_f, saddle)

    return _unique_apply(a, f)


def _bd_x0(p):
    eq = _bd_equilibria(p, p["a_start"])
    return float(np.round(np.nanmax(eq))) if np.any(np.isfinite(eq)) else 0.0


def _bd_validate(p):
    _positive("e", "K", "h")(p)
    if min(p["a_start"], p["a_end"]) < 0:
        raise InputError("a (additional mortality) must be >= 0 along the ramp.")
    if p.get("x0") is not None and (p["x0"] < 0 or p["x0"] != round(p["x0"])):
        raise InputError("x0 (initial population) must be a non-negative whole number.")


register(Model(
    name="birth_death",
    description="exact Gillespie birth-death IBM with Allee effect (Boettiger & Hastings 2012), a ramped to the fold",
    kind="gillespie",
    defaults={"e": 0.5, "K": 1000.0, "h": 200.0, "a_start": 100.0, "a_end": 190.0,
              "t_max": 1000.0, "dt_record": 25.0, "burn_in": 0.0, "x0": 730.0},
    presets={"critical": {}, "constant": {"a_start": 180.0, "a_end": 180.0, "t_max": 50000.0,
                                          "dt_record": 50.0, "x0": 504.0}},
    default_preset="critical",
    functions=lambda p: {"BIRTH": _bd_birth, "DEATH": _bd_death},
    pack=lambda p, forced: [p["e"], p["K"], p["h"], *_linear(p, "a", forced)],
    truth=lambda p: {"bifurcation": "fold", "bifurcation_parameter": "a", "bifurcation_value": _bd_fold(p)[0],
                     "fold_state": _bd_fold(p)[1],
                     "note": "mean-field fold of b(n) = d(n); the ramp may stop short of it (default "
                             "a_end = 190 < 202.08, as in Boettiger & Hastings 2012)"},
    doc=r"""
Equations
---------
Individual-based birth-death process (continuous time, integer n), simulated exactly (Gillespie 1977):
births n -> n+1 at rate b(n) = e K n^2 / (n^2 + h^2), deaths n -> n-1 at rate d(n) = e n + a(t)
(d(0) = 0: extinction is absorbing). a(t) is linear; time-dependent rates are handled exactly by
thinning (Lewis & Shedler 1979). Mean field: dn/dt = b(n) - d(n), with a fold at a = 202.08
(n = 360.2) and the Allee threshold (saddle) at n = 250.3 when a = 180.

Parameters
----------
e = 0.5, K = 1000, h = 200 (Boettiger & Hastings 2012). Preset ``critical`` (default): a from 100 at
Da = 0.09 per unit time (a_end = 190 at t_max = 1000), x0 = 730, recorded every 25 time units (41 points).
B&H changed a in steps at each sampling instant; here a changes continuously. Preset ``constant``:
a = 180 throughout, t_max = 50000, dt_record = 50, x0 = 504 (the prosecutor's-fallacy runs of
Boettiger & Hastings 2013, with no bifurcation).

Ground truth
------------
fold at the mean-field a_c (bifurcation_time None when the ramp stops short of it); transition_time:
first passage below the mean-field saddle n_s(a) (below the fold point 360.2 once a >= a_c), checked
at every event.

References
----------
Boettiger & Hastings (2012) J R Soc Interface 9:2527; Boettiger & Hastings (2013) Proc R Soc B
279:4734; Gillespie (1977) J Phys Chem 81:2340.
""",
    ramp=Ramp("a", "a_start", "a_end"),
    transition="threshold",
    threshold=_bd_threshold,
    direction=-1,
    transition_rule=lambda p: "first passage below the mean-field saddle n_s(a) (the Allee threshold; "
                              "below the fold point once a >= the fold), checked at every event; NaN if never",
    x0=_bd_x0,
    validate=_bd_validate,
    units="individuals",
))


# ====================================================================================================
# 13. may_map: discrete-time May model with lognormal noise (prosecutor's fallacy)
# ====================================================================================================
def _may_map_fixed(p, a):
    """Positive fixed points for integer Q: r (1 - x/K)(x^Q + H^Q) - a x^(Q-1) = 0."""
    a = np.atleast_1d(np.asarray(a, dtype=float))
    r, K, H, Q = p["r"], p["K"], p["H"], int(p["Q"])
    n = a.size
    co = np.zeros((n, Q + 2))  # degree Q+1, highest first
    co[:, 0] = -r / K                      # x^(Q+1)
    co[:, 1] = r                           # x^Q
    co[:, 2] += -a                         # x^(Q-1)
    co[:, Q] += -r * H**Q / K              # x^1
    co[:, Q + 1] += r * H**Q               # x^0
    roots = _real_roots(co)
    return np.where(roots > 0, roots, np.nan)


def _may_map_folds(p):
    """(a at which the upper state vanishes, x there) from the maximum of a(x) on the upper branch."""
    r, K, H, Q = p["r"], p["K"], p["H"], p["Q"]
    x = np.linspace(1e-3, K, 200001)
    ax = r * (1 - x / K) * (x**Q + H**Q) / x ** (Q - 1)
    d = np.diff(ax)
    peaks = np.flatnonzero((d[:-1] > 0) & (d[1:] <= 0)) + 1
    if peaks.size == 0:
        return None, None
    i = peaks[-1]
    return float(ax[i]), float(x[i])


def _may_map_threshold(p, a):
    a_f, x_f = _may_map_folds(p)

    def f(au):
        eq = _may_map_fixed(p, au)
        npos = np.sum(np.isfinite(eq), axis=1)
        saddle = np.where(npos == 3, np.sort(eq, axis=1)[:, 1], np.nan)
        if a_f is not None:
            saddle = np.where(au >= a_f, x_f, saddle)
        return saddle

    return _unique_apply(a, f)


def _may_map_validate(p):
    _positive("r", "K", "H")(p)
    if p["Q"] != round(p["Q"]) or not 2 <= p["Q"] <= 8:
        raise InputError(f"Q must be a whole number between 2 and 8 (the published value is 3), got {p['Q']}.")


register(Model(
    name="may_map",
    description="discrete-time May (1977) map with lognormal noise: noise-induced shifts (prosecutor's fallacy)",
    kind="map1",
    defaults={"r": 0.75, "K": 10.0, "H": 1.0, "Q": 3.0, "a_start": 1.55, "a_end": 1.55, "sigma": 0.12,
              "t_max": 1000.0, "dt_record": 1.0, "burn_in": 100.0, "x0": None},
    functions=lambda p: {"STEP": _may_map_step},
    pack=lambda p, forced: [p["sigma"], p["r"], p["K"], p["H"], p["Q"], p["a_start"],
                            ((p["a_end"] - p["a_start"]) / p["t_max"] * p["dt_record"]) if forced else 0.0],
    truth=lambda p: {"bifurcation": "none" if _may_map_folds(p)[0] is None or
                     not (min(p["a_start"], p["a_end"]) <= _may_map_folds(p)[0] <= max(p["a_start"], p["a_end"]))
                     else "fold",
                     "bifurcation_parameter": "a",
                     "bifurcation_value": _may_map_folds(p)[0]
                     if _may_map_folds(p)[0] is not None and
                     min(p["a_start"], p["a_end"]) <= _may_map_folds(p)[0] <= max(p["a_start"], p["a_end"])
                     else None,
                     "fold_value": _may_map_folds(p)[0]},
    doc=r"""
Equations
---------
x[t+1] = x[t] exp(r (1 - x[t]/K) - a x[t]^(Q-1) / (x[t]^Q + H^Q) + sigma z[t]),  z ~ N(0, 1):
May's (1977) model in discrete time with lognormal environmental noise, as used by Boettiger & Hastings
(2013) for the prosecutor's fallacy. With r = 0.75, K = 10, H = 1, Q = 3, a = 1.55 there are two stable
states (x = 7.095 and 0.840) separated by the unstable x = 2.688; with constant a the shifts from the
upper to the lower state are purely noise-induced (no bifurcation). The upper state vanishes at
a = 1.8903 (fold), the lower at a = 1.2316.

Defaults
--------
r = 0.75, K = 10, H = 1, Q = 3, a = 1.55 constant (a_end = a_start), sigma = 0.12 (package default: about 13% of runs
shift within 1000 steps), t_max = 1000 steps, burn_in = 100 steps, x0 = the upper stable state. Set a_end to ramp a.

Ground truth
------------
bifurcation "none" when a is constant (or the ramp misses the fold; "fold" at 1.8903 if it crosses it);
transition_time: first passage below the unstable fixed point.

References
----------
May (1977) Nature 269:471; Boettiger & Hastings (2013) Proc R Soc B 279:4734.
""",
    ramp=Ramp("a", "a_start", "a_end"),
    transition="threshold",
    threshold=_may_map_threshold,
    direction=-1,
    transition_rule=lambda p: "first passage below the unstable fixed point between the two stable states "
                              "(checked at every step; NaN if never)",
    x0=lambda p: float(np.nanmax(_may_map_fixed(p, p["a_start"]))),
    bounds=lambda p: (0.0, 0, 0.0, 0),
    validate=_may_map_validate,
    integers=("Q",),
))
