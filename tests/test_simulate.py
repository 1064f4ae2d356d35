"""Tests of ews.simulate: the physics of each model, the ground truth, determinism, and the door.

Statistical checks use fixed seeds and tolerances of several standard errors (stated next to each).
"""
from __future__ import annotations

import json
import math
import subprocess
import sys

import numba
import numpy as np
import pytest

import ews.simulate as simulate
from ews._errors import InputError

ALL_MODELS = [
    "fold", "saddle_node", "double_well", "noise_induced", "flickering", "chaotic_crisis", "rate_induced",
    "hopf", "rosenzweig_macarthur", "transcritical", "smooth_response", "ou", "birth_death", "may_map",
]
RAMPED = ["fold", "saddle_node", "double_well", "flickering", "chaotic_crisis", "rate_induced", "hopf",
          "rosenzweig_macarthur", "transcritical", "smooth_response", "birth_death"]

# short runs for structural tests (keep the suite fast)
SHORT = {
    "fold": dict(t_max=100.0), "saddle_node": dict(t_max=100.0), "double_well": dict(t_max=100.0),
    "noise_induced": dict(t_max=100.0), "flickering": dict(t_max=100.0), "chaotic_crisis": dict(t_max=200.0),
    "rate_induced": {}, "hopf": dict(t_max=100.0), "rosenzweig_macarthur": dict(t_max=100.0),
    "transcritical": dict(t_max=100.0), "smooth_response": dict(t_max=100.0), "ou": dict(t_max=100.0),
    "birth_death": dict(t_max=100.0, dt_record=5.0), "may_map": dict(t_max=200.0),
}


def _x(ts):
    return ts.to_xarray()


def _acf1(rows):
    """Lag-1 autocorrelation pooled over rows (each row centred on its own mean)."""
    z = rows - rows.mean(axis=1, keepdims=True)
    return float((z[:, 1:] * z[:, :-1]).sum() / (z * z).sum())


# ----------------------------------------------------------------------------------------------------
# registry, entry point, output structure
# ----------------------------------------------------------------------------------------------------
def test_registry_lists_every_model_with_a_description():
    table = simulate.models()
    assert set(ALL_MODELS) <= set(table.index)
    assert table["description"].str.len().min() > 20
    for name in ALL_MODELS:
        text = simulate.describe(name)
        assert "Equations" in text and "Default parameters" in text


def test_module_is_callable():
    import ews

    ts = ews.simulate.simulate("ou", replicates=2, seed=1, t_max=10.0)
    ts2 = simulate("ou", replicates=2, seed=1, t_max=10.0)  # the module object itself
    np.testing.assert_array_equal(ts.values, ts2.values)


@pytest.mark.parametrize("name", ALL_MODELS)
def test_output_structure_and_ground_truth(name):
    ts = simulate(name, replicates=3, seed=7, **SHORT[name])
    ds = _x(ts)
    st = ds["state"]
    assert st.dims[0] == "replicate" and st.dims[-1] == "time"
    if name in ("hopf", "rosenzweig_macarthur"):
        assert st.dims == ("replicate", "variable", "time")
        assert list(ds["variable"].values) == ["x", "y"]
    else:
        assert st.dims == ("replicate", "time")
    assert np.all(np.isfinite(st.values))
    assert list(ds["replicate"].values) == [0, 1, 2]
    assert ds["transition_time"].dims == ("replicate",)
    gt = ts.ground_truth
    for key in ("model", "bifurcation", "bifurcation_parameter", "bifurcation_value", "bifurcation_time",
                "forced", "params", "transition_rule"):
        assert key in gt, key
    assert gt["model"] == name
    json.dumps(gt, allow_nan=False)  # JSON-serialisable, no NaN tokens
    p = gt["params"]
    assert p["seed"] is not None and p["replicates"] == 3
    assert "t_max" in p and "dt_record" in p and "burn_in" in p
    if name in RAMPED:
        sym = ts.attrs["parameter"]
        assert ds[sym].dims == ("time",)
    # the time axis
    t = ds["time"].values
    assert t[0] == 0.0 and np.allclose(np.diff(t), p["dt_record"])


def test_params_record_everything_needed_to_reproduce():
    ts = simulate("fold", replicates=2, seed=123, t_max=50.0)
    p = dict(ts.ground_truth["params"])
    seed = p.pop("seed")
    for k in ("replicates", "n_sub", "preset"):
        p.pop(k, None)
    again = simulate("fold", replicates=2, seed=seed, **p)
    np.testing.assert_array_equal(ts.values, again.values)


# ----------------------------------------------------------------------------------------------------
# validation at the door
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: simulate("no_such_model"), "available: .*fold"),
        (lambda: simulate("fold", sigmaa=0.1), "valid parameters: .*sigma"),
        (lambda: simulate("fold", sigma=-0.1), "sigma must be >= 0"),
        (lambda: simulate("fold", dt=2.0), "dt .* larger than dt_record"),
        (lambda: simulate("fold", dt=0.03), "whole number"),
        (lambda: simulate("fold", t_max=10.5), "t_max / dt_record"),
        (lambda: simulate("fold", replicates=0), "replicates"),
        (lambda: simulate("fold", preset="nope"), "available presets: bury2021, dakos2012"),
        (lambda: simulate("transcritical", noise="pink"), "noise must be one of"),
        (lambda: simulate("fold", forced="yes"), "forced must be True or False"),
        (lambda: simulate("fold", K="ten"), "finite number"),
        (lambda: simulate("fold", seed=-3), "seed"),
        (lambda: simulate("may_map", Q=2.5), "whole number"),
        (lambda: simulate("double_well", c_start=1.0), "lower well"),
    ],
)
def test_invalid_arguments_raise_input_error(call, match):
    with pytest.raises(InputError, match=match):
        call()


# ----------------------------------------------------------------------------------------------------
# randomness: reproducible, independent, thread-count invariant
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["fold", "hopf", "may_map", "birth_death"])
def test_same_seed_same_numbers_different_seed_different(name):
    kw = SHORT[name]
    a = simulate(name, replicates=3, seed=11, **kw).values
    b = simulate(name, replicates=3, seed=11, **kw).values
    c = simulate(name, replicates=3, seed=12, **kw).values
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a[0], a[1])  # replicates are independent streams


@pytest.mark.parametrize("name", ["fold", "hopf", "chaotic_crisis", "birth_death"])
def test_one_vs_two_threads_identical(name):
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = simulate(name, replicates=8, seed=5, **SHORT[name])
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = simulate(name, replicates=8, seed=5, **SHORT[name])
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(one.values, two.values)
    np.testing.assert_array_equal(_x(one)["transition_time"].values, _x(two)["transition_time"].values)


def test_row_depends_only_on_its_global_index():
    a = simulate("fold", replicates=2, seed=3, t_max=50.0).values
    b = simulate("fold", replicates=5, seed=3, t_max=50.0).values
    np.testing.assert_array_equal(a, b[:2])


def test_generator_seed_is_accepted_and_deterministic():
    a = simulate("ou", replicates=2, seed=np.random.default_rng(4), t_max=20.0).values
    b = simulate("ou", replicates=2, seed=np.random.default_rng(4), t_max=20.0).values
    np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------------------------------
# null twins and transition times
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", RAMPED)
def test_null_twin_has_constant_parameters(name):
    forced = simulate(name, replicates=2, seed=1, **SHORT[name])
    null = simulate(name, replicates=2, seed=1, forced=False, **SHORT[name])
    sym = null.attrs["parameter"]
    q_null = _x(null)[sym].values
    q_forced = _x(forced)[sym].values
    assert np.all(q_null == q_null[0])
    assert q_null[0] == pytest.approx(q_forced[0])
    assert not np.all(q_forced == q_forced[0])
    gt = null.ground_truth
    assert gt["forced"] is False and gt["null_twin"] is True
    assert gt["bifurcation_time"] is None


def test_null_twin_dynamics_really_frozen():
    # drift frozen: with c frozen at 1 the null twin of fold stays at the upper equilibrium level
    ts = simulate("fold", replicates=4, seed=2, forced=False)
    x = ts.values
    assert abs(x[:, -200:].mean() - x[:, :200].mean()) < 0.05
    assert np.all(np.isnan(_x(ts)["transition_time"].values))


@pytest.mark.parametrize("name, kw", [
    ("noise_induced", dict(sigma=0.35, t_max=400.0)),
    ("fold", dict(sigma=0.1, c_end=2.61)),
    ("may_map", dict(sigma=0.13, t_max=600.0)),
    ("birth_death", dict(forced=False, a_start=189.0, x0=None, t_max=400.0, dt_record=2.0)),
])
def test_transition_time_nan_exactly_when_never_crossed(name, kw):
    """NaN <=> no recorded value beyond the level; finite => at or before the first recorded exceedance."""
    from ews.simulate._core import get_model, resolve_params

    ts = simulate(name, replicates=16 if name == "birth_death" else 24, seed=9, **kw)
    ds = _x(ts)
    model = get_model(name)
    p, _ = resolve_params(model, None, {k: v for k, v in kw.items() if k != "forced"})
    q = ds[model.ramp.symbol].values if model.ramp is not None else np.zeros(ds.sizes["time"])
    # (birth_death's null twin: the parameter coordinate is the frozen a)
    levels = np.asarray(model.threshold(p, q))
    # the level in force during interval j is levels[j-1]; a recorded value x[j] beyond it was crossed
    beyond = model.direction * (ds["state"].values[:, 1:] - levels[None, :-1]) > 0
    tt = ds["transition_time"].values
    t = ds["time"].values
    n_nan = 0
    for i in range(tt.size):
        if np.isnan(tt[i]):
            n_nan += 1
            assert not beyond[i].any(), f"replicate {i} crossed but has NaN transition time"
        elif beyond[i].any():
            first = t[1:][beyond[i].argmax()]
            assert tt[i] <= first + 1e-9
    assert 0 < n_nan < tt.size, "the test needs both kinds of replicates"


# ----------------------------------------------------------------------------------------------------
# physics: OU
# ----------------------------------------------------------------------------------------------------
def test_ou_stationary_variance_and_autocorrelation():
    lam, sigma, dtr = 0.5, 0.8, 0.5
    ts = simulate("ou", replicates=200, seed=21, lam=lam, sigma=sigma, dt_record=dtr, t_max=1000.0)
    x = ts.values
    var_theory = sigma**2 / (2 * lam)
    acf_theory = math.exp(-lam * dtr)
    v = x.var(axis=1, ddof=1)
    se_v = v.std(ddof=1) / math.sqrt(v.size)
    assert abs(v.mean() - var_theory) < 4 * se_v + 0.005 * var_theory  # measured agreement ~0.5%
    a = np.array([_acf1(r[None]) for r in x])
    se_a = a.std(ddof=1) / math.sqrt(a.size)
    # per-row lag-1 estimates are biased by about -(1 + 4 phi)/n (n = 2001): allow for it
    assert abs(a.mean() - acf_theory) < 4 * se_a + (1 + 4 * acf_theory) / x.shape[1]
    assert ts.ground_truth["stationary_variance"] == pytest.approx(var_theory)


# ----------------------------------------------------------------------------------------------------
# physics: the fold of the May model
# ----------------------------------------------------------------------------------------------------
def _may_drift_np(x, c, r=1.0, K=10.0, h=1.0):
    return r * x * (1 - x / K) - c * x**2 / (x**2 + h**2)


def _upper_equilibrium_np(c, r=1.0, K=10.0, h=1.0):
    """Largest root of the drift by a brute-force scan (independent of the package's algebra)."""
    xs = np.linspace(0.05, K, 400001)
    f = _may_drift_np(xs, c, r, K, h)
    idx = np.flatnonzero(np.sign(f[1:]) != np.sign(f[:-1]))
    i = idx[-1]
    return xs[i] - f[i] * (xs[i + 1] - xs[i]) / (f[i + 1] - f[i])


def test_fold_location_matches_analytic_value():
    from scipy.optimize import brentq

    ts = simulate("fold", replicates=1, seed=1, t_max=10.0)
    gt = ts.ground_truth
    assert gt["bifurcation"] == "fold" and gt["bifurcation_value"] == pytest.approx(2.6044, abs=5e-5)
    assert gt["recovery_fold_value"] == pytest.approx(1.7872, abs=5e-5)

    # independently: the number of positive equilibria of the drift changes from 3 to 1 at c_F
    def n_roots(c):
        xs = np.linspace(0.01, 10, 200001)
        f = _may_drift_np(xs, c)
        return np.count_nonzero(np.sign(f[1:]) != np.sign(f[:-1]))

    assert n_roots(2.60) == 3 and n_roots(2.61) == 1
    c_f = brentq(lambda c: n_roots(c) - 2, 2.60, 2.61, xtol=1e-7)  # bisection on the root count
    assert c_f == pytest.approx(gt["bifurcation_value"], abs=1e-4)
    # Bury et al. 2021 scaling: the same fold divided by 10
    b = simulate("fold", preset="bury2021", replicates=1, seed=1, t_max=10.0).ground_truth
    assert b["bifurcation_value"] == pytest.approx(0.26044, abs=5e-6)


def test_fold_collapse_happens_after_the_ramp_passes_the_fold():
    # weak noise: the collapse is the deterministic one, delayed past the fold by the slow passage
    ts = simulate("fold", replicates=16, seed=4, sigma=0.02, c_end=3.0)
    gt = ts.ground_truth
    tt = _x(ts)["transition_time"].values
    assert gt["bifurcation_time"] == pytest.approx(1000 * (2.604365 - 1) / 2.0, abs=0.05)
    assert np.all(np.isfinite(tt))
    assert np.all(tt > gt["bifurcation_time"])
    assert np.all(tt < gt["bifurcation_time"] + 60)
    # after the collapse the state sits on the lower branch
    assert np.all(ts.values[:, -1] < 1.0)


@pytest.mark.parametrize("c", [1.5, 2.2, 2.45])
def test_fold_variance_and_autocorrelation_follow_linearised_theory(c):
    sigma = 0.03
    ts = simulate("fold", replicates=16, seed=31, forced=False, c_start=c, sigma=sigma, t_max=2000.0)
    x = ts.values
    xs = _upper_equilibrium_np(c)
    d = 1e-6
    lam = (_may_drift_np(xs + d, c) - _may_drift_np(xs - d, c)) / (2 * d)  # f'(x*) < 0
    var_theory = sigma**2 / (2 * abs(lam))
    v = x.var(axis=1, ddof=1)
    se = v.std(ddof=1) / math.sqrt(v.size)
    assert abs(v.mean() - var_theory) < 4 * se + 0.03 * var_theory  # measured agreement: 1-3%
    assert abs(x.mean() - xs) < 0.02 * xs
    assert _acf1(x) == pytest.approx(math.exp(lam * 1.0), abs=0.02)


def test_fold_variance_rises_towards_the_fold():
    v = [simulate("fold", replicates=8, seed=32, forced=False, c_start=c, sigma=0.03, t_max=1000.0).values.var()
         for c in (1.5, 2.0, 2.3, 2.5)]
    assert np.all(np.diff(v) > 0)


# ----------------------------------------------------------------------------------------------------
# physics: noise-induced escapes (Kramers)
# ----------------------------------------------------------------------------------------------------
def test_noise_induced_mean_escape_time_matches_kramers():
    sigma = 0.35
    t_max = 2000.0
    ts = simulate("noise_induced", replicates=300, seed=41, sigma=sigma, t_max=t_max, dt=0.02)
    gt = ts.ground_truth
    tau = gt["kramers_time"]
    assert tau == pytest.approx(math.pi * math.sqrt(2) * math.exp(0.5 / sigma**2), rel=1e-9)
    x = ts.values
    t = _x(ts)["time"].values
    # escape = arrival in the other well (x >= +1, its minimum); exponential MLE with censoring at t_max
    reached = (x >= 1.0).any(axis=1)
    t_escape = np.where(reached, t[(x >= 1.0).argmax(axis=1)], t_max)
    mean_escape = t_escape.sum() / reached.sum()
    assert tau / 2 < mean_escape < 2 * tau  # measured: ~1.2 tau
    # first passage to the saddle (the transition_time) takes about half as long
    tt = _x(ts)["transition_time"].values
    crossed = np.isfinite(tt)
    mean_saddle = np.where(crossed, tt, t_max).sum() / crossed.sum()
    assert tau / 4 < mean_saddle < tau


# ----------------------------------------------------------------------------------------------------
# physics: Hopf
# ----------------------------------------------------------------------------------------------------
def test_hopf_autocorrelation_follows_damped_oscillation():
    mu, omega, dtr, sigma = -0.5, 2.0, 0.5, 0.01
    ts = simulate("hopf", replicates=16, seed=51, forced=False, mu_start=mu, omega=omega, sigma=sigma,
                  dt_record=dtr, t_max=1000.0)
    st = _x(ts)["state"].values
    theory = math.exp(mu * dtr) * math.cos(omega * dtr)
    for j in range(2):
        assert _acf1(st[:, j, :]) == pytest.approx(theory, abs=0.02)  # measured: within ~0.005
        assert st[:, j, :].var() == pytest.approx(sigma**2 / (2 * abs(mu)), rel=0.08)
    assert ts.ground_truth["bifurcation"] == "hopf"


def test_hopf_transition_is_the_bifurcation_time():
    ts = simulate("hopf", replicates=2, seed=1, mu_end=0.5, t_max=300.0)
    assert ts.ground_truth["bifurcation_time"] == pytest.approx(200.0)
    np.testing.assert_allclose(_x(ts)["transition_time"].values, 200.0)
    null = simulate("hopf", replicates=2, seed=1, forced=False, t_max=50.0)
    assert np.all(np.isnan(_x(null)["transition_time"].values))


def test_rosenzweig_macarthur_bifurcation_values():
    h = simulate("rosenzweig_macarthur", replicates=1, seed=1, t_max=20.0).ground_truth
    assert h["bifurcation"] == "hopf"
    assert h["bifurcation_value"] == pytest.approx(15.686, abs=1e-3)
    assert h["bifurcation_time"] == pytest.approx(20 * (15.6863 - 12) / 4, abs=0.001)
    t = simulate("rosenzweig_macarthur", preset="transcritical", replicates=1, seed=1, t_max=20.0).ground_truth
    assert t["bifurcation"] == "transcritical"
    assert t["bifurcation_value"] == pytest.approx(5.882, abs=1e-3)
    # the deterministic equilibrium is where the simulation sits (a frozen at 12, weak noise)
    ts = simulate("rosenzweig_macarthur", replicates=2, seed=2, forced=False, t_max=200.0)
    st = _x(ts)["state"].values
    x_star = 2.0 / (12 * (0.5 - 2 * 0.15))
    assert st[:, 0, 50:].mean() == pytest.approx(x_star, rel=0.02)


# ----------------------------------------------------------------------------------------------------
# other models
# ----------------------------------------------------------------------------------------------------
def test_rate_induced_tips_above_the_critical_rate_only():
    rc = simulate("rate_induced", replicates=1, seed=1).ground_truth["critical_rate"]
    assert rc == pytest.approx(4 / 3)
    above = simulate("rate_induced", replicates=2, seed=1, sigma=0.0, rate=1.1 * rc, t_max=80.0, t_mid=40.0)
    below = simulate("rate_induced", replicates=2, seed=1, sigma=0.0, rate=0.9 * rc, t_max=80.0, t_mid=40.0)
    assert np.all(np.isfinite(_x(above)["transition_time"].values))
    assert np.all(np.isnan(_x(below)["transition_time"].values))
    null = simulate("rate_induced", replicates=4, seed=1, forced=False)
    assert np.all(np.isnan(_x(null)["transition_time"].values))
    assert null.ground_truth["bifurcation_time"] is None


def test_saddle_node_and_double_well_tip_near_their_folds():
    sn = simulate("saddle_node", replicates=8, seed=3, sigma=0.01)
    tt = _x(sn)["transition_time"].values
    assert np.all((tt > sn.ground_truth["bifurcation_time"] - 5) & (tt < sn.ground_truth["bifurcation_time"] + 40))
    dw = simulate("double_well", replicates=8, seed=3, sigma=0.02)
    tt = _x(dw)["transition_time"].values
    tb = dw.ground_truth["bifurcation_time"]
    assert tb == pytest.approx(500 * (2 / (3 * math.sqrt(3))) / 0.5)
    assert np.all((tt > tb - 10) & (tt < tb + 40))
    assert np.all(dw.values[:, -1] > 0.5)  # ended in the upper well


def test_transcritical_noise_variants():
    add = simulate("transcritical", replicates=4, seed=5)
    np.testing.assert_allclose(_x(add)["transition_time"].values, 400.0)
    assert add.values.min() >= 0.0  # reflecting at 0
    dem = simulate("transcritical", replicates=8, seed=5, noise="demographic", sigma=0.1)
    tt = _x(dem)["transition_time"].values
    assert np.isfinite(tt).sum() >= 4 and np.nanmin(tt) > 300
    # extinction is absorbing: once 0, always 0
    x = dem.values
    for i in np.flatnonzero(np.isfinite(tt)):
        k = int(np.ceil(tt[i]))
        assert np.all(x[i, k:] == 0.0)


def test_smooth_response_has_no_fold_but_a_variance_peak():
    ts = simulate("smooth_response", replicates=1, seed=1, t_max=10.0)
    assert ts.ground_truth["bifurcation"] == "none" and ts.ground_truth["bifurcation_value"] is None
    # the recovery rate |f'(x*)| has an interior minimum along c, so linearised variance peaks
    cs = np.linspace(0.5, 2.5, 41)
    rates = []
    for c in cs:
        xs = _upper_equilibrium_np(c, K=3.0)
        d = 1e-6
        rates.append(abs((_may_drift_np(xs + d, c, K=3.0) - _may_drift_np(xs - d, c, K=3.0)) / (2 * d)))
    k = int(np.argmin(rates))
    assert 0 < k < len(cs) - 1
    v = [simulate("smooth_response", replicates=6, seed=2, forced=False, c_start=c, sigma=0.03,
                  t_max=400.0).values.var() for c in (cs[0], cs[k], cs[-1])]
    assert v[1] > v[0] and v[1] > v[2]
    assert np.all(np.isnan(_x(simulate("smooth_response", replicates=3, seed=1))["transition_time"].values))


def test_flickering_switches_repeatedly_inside_the_bistable_range():
    from ews.simulate.builtin import _may_threshold

    ts = simulate("flickering", replicates=6, seed=8)
    ds = _x(ts)
    c = ds["c"].values
    below = ds["state"].values < _may_threshold({"r": 1.0, "K": 10.0, "h": 1.0}, c)
    switches = np.abs(np.diff(below.astype(int), axis=1))
    inside = (c[1:] > 1.7872) & (c[1:] < 2.6044)
    assert switches[:, inside].sum(axis=1).mean() >= 4


def test_chaotic_crisis_value_and_behaviour():
    gt = simulate("chaotic_crisis", replicates=1, seed=1, t_max=10.0).ground_truth
    assert gt["bifurcation"] == "crisis" and gt["bifurcation_value"] == pytest.approx(10.2915, abs=1e-3)
    above = simulate("chaotic_crisis", replicates=3, seed=1, forced=False, m_start=10.6, sigma=0.0, t_max=3000.0)
    below = simulate("chaotic_crisis", replicates=3, seed=1, forced=False, m_start=10.0, sigma=0.0, t_max=3000.0)
    assert np.all(np.isnan(_x(above)["transition_time"].values))
    assert np.all(np.isfinite(_x(below)["transition_time"].values))
    assert np.all(below.values[:, -1] <= 1e-6)  # extinct (absorbed)
    # no critical slowing down: lag-1 autocorrelation of the chaotic attractor stays negative
    x = above.values[:, 100:]
    assert _acf1(x) < 0


def test_birth_death_mean_field_and_linear_noise():
    gt = simulate("birth_death", replicates=1, seed=1, t_max=50.0).ground_truth
    assert gt["bifurcation_value"] == pytest.approx(202.08, abs=0.01)
    assert gt["fold_state"] == pytest.approx(360.2, abs=0.1)
    from ews.simulate.builtin import _bd_threshold

    assert _bd_threshold({"e": 0.5, "K": 1000.0, "h": 200.0}, np.array([180.0]))[0] == pytest.approx(250.27, abs=0.01)
    # stationary fluctuations at a = 100 against the linear-noise approximation
    e, K, h, a = 0.5, 1000.0, 200.0, 100.0
    ts = simulate("birth_death", replicates=8, seed=61, forced=False, a_start=a, t_max=1000.0, dt_record=2.5,
                  burn_in=20.0)
    n = ts.values
    assert np.all(n == np.round(n))
    n_star = 730.2187
    b = e * K * n_star**2 / (n_star**2 + h**2)
    db = e * K * 2 * n_star * h**2 / (n_star**2 + h**2) ** 2
    lam = db - e  # f'(n*)
    var_lna = (2 * b) / (2 * abs(lam))  # (b + d) / (2 |f'|), b = d at equilibrium
    assert n.mean() == pytest.approx(n_star, rel=0.01)
    assert n.var() == pytest.approx(var_lna, rel=0.1)  # measured: within ~3%


def test_may_map_fixed_points_and_fold():
    from ews.simulate.builtin import _may_map_fixed, _may_map_folds

    p = {"r": 0.75, "K": 10.0, "H": 1.0, "Q": 3.0}
    fp = _may_map_fixed(p, 1.55)[0]
    np.testing.assert_allclose(np.sort(fp[np.isfinite(fp)]), [0.84032, 2.68796, 7.09546], atol=1e-4)
    a_f, _ = _may_map_folds(p)
    assert a_f == pytest.approx(1.8903, abs=1e-3)
    ts = simulate("may_map", replicates=20, seed=3, t_max=500.0)
    assert ts.ground_truth["bifurcation"] == "none"
    x = ts.values
    tt = _x(ts)["transition_time"].values
    stayed = np.isnan(tt)
    assert stayed.any()
    assert x[stayed].mean() == pytest.approx(7.1, rel=0.05)


def test_birth_death_rejects_negative_mortality():
    with pytest.raises(InputError, match="mortality"):
        simulate("birth_death", a_start=-1.0)


# ----------------------------------------------------------------------------------------------------
# the rng: ziggurat normals
# ----------------------------------------------------------------------------------------------------
def test_ziggurat_normals_have_the_normal_distribution():
    from scipy import stats

    from ews._kernels.rng import fill_normal
    from ews._random import row_states

    s = row_states(2024, 1)[0]
    z = np.empty(1_000_000)
    fill_normal(s, z)
    assert abs(z.mean()) < 5 / 1000
    assert z.var() == pytest.approx(1.0, abs=0.005)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    # the tail beyond the ziggurat base r = 3.654 has the right mass
    tail = (np.abs(z) > 3.6541528853610088).mean()
    expected = 2 * stats.norm.sf(3.6541528853610088)
    assert abs(tail - expected) < 5 * math.sqrt(expected / z.size)


# ----------------------------------------------------------------------------------------------------
# import cost
# ----------------------------------------------------------------------------------------------------
def test_import_does_not_load_models_or_compile():
    code = (
        "import sys, ews.simulate; "
        "assert 'ews.simulate.builtin' not in sys.modules; "
        "assert 'ews._kernels.integrators' not in sys.modules; "
        "ews.simulate.models(); "
        "from ews.simulate import builtin; "
        "assert builtin._may_drift.signatures == []; "
        "assert 'ews._kernels.integrators' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_simulator_registry_reads_like_the_dict_it_used_to_be():
    """``ews.simulate._core.registry()`` returned a dict; the Registry keeps the dict reading API."""
    from ews import _registry
    from ews.simulate._core import registry

    reg = registry()
    assert reg["fold"] is reg.get("fold")
    assert reg.keys() == reg.names() and "fold" in reg.keys()
    assert [e.name for e in reg.values()] == reg.names()
    assert dict(reg.items())["fold"] is reg["fold"]
    with pytest.raises(InputError, match=r"unknown .*.fodl'.*did you mean 'fold'"):
        reg["fodl"]
    with pytest.raises(ValueError):  # InputError is a ValueError
        reg[3]
    assert not hasattr(_registry, "_show")  # one formatter: ews._validate.show
