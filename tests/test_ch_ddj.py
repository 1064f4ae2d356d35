"""Conditional heteroskedasticity and drift-diffusion-jump nonparametrics: R parity (compat) and the
native estimators.

References:
* R earlywarnings 1.1.29 ``ch_ews`` / ``ddjnonparam_ews`` outputs (tests/data/earlywarnings, copied
  from the shared reference folder): closed-form computations, compared at 1e-8 relative (the AR
  filters are solved through R's explicit inverse of X'X, whose rounding differs from ours by ~1e-10 on
  the 15-parameter fits); AR orders and test results exactly.
* A naive per-window loop (numpy lstsq) and statsmodels' ``ar_select_order`` for the native kernel.
* Analytic moments of simulated diffusions / jump-diffusions for the native DDJ.
"""
import warnings

import numpy as np
import pandas as pd
import pytest

from ews._errors import DegenerateWindowWarning, EWSWarning, InputError
from ews._kernels import chet
from ews.compat._ch_ddj import ch_ews, ddjnonparam_ews, dqrdc2_rank, lm_r_squared
from ews.nonlinear._ch import ch_test, rolling_r_squared
from ews.nonlinear._ddj import ddj

DATA = __import__("pathlib").Path(__file__).parent / "data" / "earlywarnings"


def rel_err(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


@pytest.fixture(scope="module")
def devfold():
    return pd.read_csv(DATA / "data_devfold.csv")[["y"]]


# ------------------------------------------------------------------------------------------------
# compat: ch_ews

@pytest.mark.parametrize("variant, kw", [("default", {}), ("w25", {"winsize": 25}),
                                         ("optimF_lags4", {"optim": False, "lags": 4})])
def test_ch_ews_matches_r(devfold, variant, kw):
    ref = pd.read_csv(DATA / f"ch_ews__devfold__{variant}.csv")
    got = ch_ews(devfold, **kw).table
    assert list(got.columns) == list(ref.columns)
    assert len(got) == len(ref)
    np.testing.assert_array_equal(got["time"], ref["time"])
    np.testing.assert_array_equal(got["ar.fit.order"], ref["ar.fit.order"])
    np.testing.assert_array_equal(got["test.result"], ref["test.result"])
    assert rel_err(got["r.squared"], ref["r.squared"]) < 1e-8
    assert rel_err(got["critical.value"], ref["critical.value"]) < 1e-12


def test_ch_ews_singular_orders_on_20_points(rng):
    """R's ar.ols stops at the first order whose X'X is rank deficient (dqrdc2, tol 1e-7): on 20 points
    order 10 has 10 rows for 11 columns, so R warns there and mostly picks 9."""
    y = np.cumsum(rng.normal(size=200)) * 0.1 + rng.normal(size=200)
    res = ch_ews(y, winsize=10)  # a plain vector is read as R reads a 1-column matrix
    assert res.winsize_points == 20
    orders = res.table["ar.fit.order"].to_numpy()
    assert np.all(res.singular_orders == 10)
    assert orders.max() == 9 and np.mean(orders == 9) > 0.6


def test_dqrdc2_rank():
    rng = np.random.default_rng(5)
    for r in range(1, 6):
        A = rng.normal(size=(8, r)) @ rng.normal(size=(r, 6))
        assert dqrdc2_rank(A) == min(r, 6)
        assert dqrdc2_rank(A.T @ A) == min(r, 6)
    assert dqrdc2_rank(np.zeros((4, 3))) == 0


def test_lm_r_squared_aliased_regressor():
    assert lm_r_squared([1.0, 2.0, 4.0], [3.0, 3.0, 3.0]) == 0.0  # lm drops x: fitted = mean(y)
    assert np.isnan(lm_r_squared([1.0, 1.0, 1.0], [3.0, 3.0, 3.0]))
    x, y = np.array([1.0, 2.0, 3.0, 5.0]), np.array([2.0, 1.0, 4.0, 3.0])
    assert lm_r_squared(y, x) == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2, rel=1e-14)


def test_ch_ews_bad_input(devfold):
    with pytest.raises(InputError, match="order.max"):
        ch_ews(devfold, winsize=2, optim=False, lags=6)
    with pytest.raises(InputError, match="winsize"):
        ch_ews(devfold, winsize=0.5)
    with pytest.raises(InputError, match="alpha"):
        ch_ews(devfold, alpha=1.5)


# ------------------------------------------------------------------------------------------------
# compat: ddjnonparam_ews

@pytest.mark.parametrize("variant, log", [("default", True), ("nolog", False)])
def test_ddjnonparam_ews_matches_r(devfold, variant, log):
    res = ddjnonparam_ews(devfold, logtransform=log)
    rx = pd.read_csv(DATA / f"ddjnonparam_ews__devfold__{variant}__x.csv")
    rt = pd.read_csv(DATA / f"ddjnonparam_ews__devfold__{variant}__t.csv")
    rs = pd.read_csv(DATA / f"ddjnonparam_ews__devfold__{variant}__scalars.csv").set_index("name")["value"]
    gx, gt = res.x_table, res.t_table
    assert list(gx.columns) == list(rx.columns) and list(gt.columns) == list(rt.columns)
    for c in rx.columns:
        if c == "Diff2.vec":  # max(0, M2 - lambda sigma_Z^2): a difference, so compare on the M2 scale too
            assert np.max(np.abs(gx[c] - rx[c])) < 1e-8 * np.max(rx["TotVar.dx.vec"])
            np.testing.assert_array_equal(gx[c] == 0, rx[c] == 0)
        assert rel_err(gx[c], rx[c]) < 1e-8, c
    for c in rt.columns:
        assert rel_err(gt[c], rt[c]) < 1e-8, c
    assert res.sigma2_Z == pytest.approx(rs["sigma2Z"], rel=1e-12)
    assert res.bw == pytest.approx(rs["kernel_bw"], rel=1e-12)
    assert res.DT == rs["DT"]
    assert len(res.keys()) == 10 and res["Lamda.t"] is res.Lamda_t


# ------------------------------------------------------------------------------------------------
# native conditional heteroskedasticity: the kernel against a naive loop

def naive_ch(v, P):
    """AIC order on the common sample t = P..w-1, refit on t = p..w-1, R^2 of e^2 on its lag."""
    w = len(v)
    z = v - v.mean()
    N0 = w - P
    aics = []
    for q in range(P + 1):
        X = np.column_stack([np.ones(N0)] + [z[P - k: w - k] for k in range(1, q + 1)])
        y = z[P:]
        rss = np.sum((y - X @ np.linalg.lstsq(X, y, rcond=None)[0]) ** 2)
        aics.append(N0 * np.log(rss / N0) + 2 * (q + 1))
    p = int(np.argmin(aics))
    X = np.column_stack([np.ones(w - p)] + [z[p - k: w - k] for k in range(1, p + 1)])
    y = z[p:]
    e2 = (y - X @ np.linalg.lstsq(X, y, rcond=None)[0]) ** 2
    return np.corrcoef(e2[:-1], e2[1:])[0, 1] ** 2, p, np.array(aics)


def ar2_arch(n, rng, arch=0.0, level=0.0):
    e = rng.normal(size=n)
    x = np.zeros(n)
    s2 = np.ones(n)
    for t in range(2, n):
        s2[t] = 1.0 + arch * (x[t - 1] - 0.6 * x[t - 2] + 0.3 * x[t - 3]) ** 2 if arch else 1.0
        x[t] = 0.6 * x[t - 1] - 0.3 * x[t - 2] + np.sqrt(s2[t]) * e[t]
    return x + level


def test_rolling_ch_equals_naive_loop_and_statsmodels_order():
    from statsmodels.tsa.ar_model import ar_select_order

    rng = np.random.default_rng(11)
    n, w = 160, 60
    X = np.stack([rng.normal(size=n), ar2_arch(n, rng, level=1e3), ar2_arch(n, rng, arch=0.5)])
    r2, order = chet.rolling_ch(X, np.full(3, n), np.full(3, w))
    P = int(chet.default_max_order([w])[0])
    assert P == 6
    assert np.all(np.isnan(r2[:, : w - 1])) and np.all(np.isnan(order[:, : w - 1]))
    checked = n_sm = 0
    for i in range(3):
        for j in range(w - 1, n, 3):
            v = X[i, j - w + 1: j + 1]
            R, p, aics = naive_ch(v, P)
            assert order[i, j] == p
            assert r2[i, j] == pytest.approx(R, rel=1e-9, abs=1e-13)
            if checked % 5 == 0:  # statsmodels: same common sample, same AIC up to a constant
                sel = ar_select_order(v, P, ic="aic", trend="c")
                assert len(sel.ar_lags or []) == p
                sm = np.array([sel.aic[k] for k in sorted(sel.aic, key=lambda k: 0 if k == 0 else len(k))])
                np.testing.assert_allclose(np.diff(sm), np.diff(aics), rtol=0, atol=1e-8)
                n_sm += 1
            checked += 1
    assert checked > 100 and n_sm > 20
    assert len(set(order[np.isfinite(order)].astype(int))) > 2  # several orders were chosen


def test_rolling_ch_rows_are_independent_of_batch_and_threads():
    rng = np.random.default_rng(2)
    n = 120
    X = np.ascontiguousarray(np.stack([ar2_arch(n, rng, arch=0.3) for _ in range(40)]))
    lengths = np.full(40, n)
    lengths[5] = 90  # a ragged row
    X[5, 90:] = 1e300  # padding is never read
    windows = np.full(40, 40)
    windows[7] = 0  # no output for this row
    mo = chet.default_max_order(windows)
    r2p, op = np.empty(X.shape), np.empty(X.shape)
    r2s, os_ = np.empty(X.shape), np.empty(X.shape)
    chet._ch_row.parallel_twin(X, lengths, windows, mo, r2p, op)
    chet._ch_row.serial_twin(X, lengths, windows, mo, r2s, os_)
    np.testing.assert_array_equal(r2p, r2s)
    np.testing.assert_array_equal(op, os_)
    alone, oa = chet.rolling_ch(X[5:6, :90].copy(), np.array([90]), np.array([40]))
    np.testing.assert_array_equal(alone[0], r2p[5, :90])
    assert np.all(np.isnan(r2p[5, 90:])) and np.all(np.isnan(r2p[7]))


def test_arch_gives_larger_r_squared_than_iid():
    rng = np.random.default_rng(4)
    n = 3000
    iid = ar2_arch(n, rng)
    arch = ar2_arch(n, rng, arch=0.6)
    res = ch_test(np.stack([iid, arch]), window=300)
    mean_r2 = np.nanmean(res.r_squared, axis=1)
    rej = np.nanmean(np.where(np.isnan(res.r_squared), np.nan, res.reject), axis=1)
    assert mean_r2[1] > 5 * mean_r2[0]
    assert rej[1] > 0.8 and rej[0] < 0.3


def test_ch_test_result_and_critical_value():
    import xarray as xr
    from scipy.stats import chi2

    rng = np.random.default_rng(8)
    da = xr.DataArray(rng.normal(size=(2, 3, 100)), dims=("site", "rep", "time"),
                      coords={"site": ["a", "b"], "time": np.arange(100) * 0.5})
    res = ch_test(da, window=0.3, alpha=0.05)
    assert res.r_squared.shape == (2, 3, 100) and res.windows.shape == (2, 3)
    L = 30 - res.order[..., 29:]
    np.testing.assert_allclose(res.critical[..., 29:], chi2.ppf(0.95, 1) / (L - 1), rtol=1e-14)
    np.testing.assert_array_equal(res.reject, res.r_squared > res.critical)
    tab = res.table()
    assert len(tab) == 6 * 71 and set(tab.columns) >= {"site", "rep", "time", "r_squared", "critical",
                                                      "reject", "order", "window"}
    assert set(tab["site"]) == {"a", "b"} and tab["time"].max() == 49.5
    ds = res.to_xarray()
    assert ds["r_squared"].dims == ("site", "rep", "time") and ds.attrs["alpha"] == 0.05
    # the indicator helper gives the same R^2
    from ews.series import as_timeseries

    ts = as_timeseries(da)
    np.testing.assert_array_equal(rolling_r_squared(ts, np.full(6, 30)).reshape(2, 3, 100), res.r_squared)
    assert "reject" in repr(res)


def test_ch_test_bad_input_and_degenerate_windows():
    x = np.random.default_rng(1).normal(size=100)
    with pytest.raises(InputError, match="max_order"):
        ch_test(x, window=20, max_order=9)
    with pytest.raises(InputError, match="alpha"):
        ch_test(x, alpha=0)
    with pytest.raises(InputError, match="window"):
        ch_test(x, window=2)
    y = x.copy()
    y[:40] = 3.0
    with pytest.warns(DegenerateWindowWarning, match="constant"):
        res = ch_test(y, window=20)
    assert np.all(np.isnan(res.r_squared[19:40])) and np.all(np.isfinite(res.r_squared[60:]))


# ------------------------------------------------------------------------------------------------
# native DDJ

def test_native_ddj_equals_compat_on_logged_input(devfold):
    r = ddjnonparam_ews(devfold)
    y = np.log(devfold["y"].to_numpy() + 1.0)
    d = ddj(y)
    assert d.dt == 1.0 and d.jump_variance == pytest.approx(r.sigma2_Z, rel=1e-12)
    pairs = [("states", "avec"), ("drift", "drift"), ("conditional_variance", "S2_vec"),
             ("total_variance", "TotVar_dx_vec"), ("jump_intensity", "LamdaZ_vec"),
             ("conditional_variance_t", "S2_t"), ("total_variance_t", "TotVar_t"),
             ("jump_intensity_t", "Lamda_t")]
    for a, b in pairs:
        assert rel_err(getattr(d, a), getattr(r, b)) < 1e-8, a
    scale = np.max(r.TotVar_dx_vec)
    assert np.max(np.abs(d.diffusion - r.Diff2_vec)) < 1e-8 * scale
    assert np.max(np.abs(d.diffusion_t - r.Diff2_t)) < 1e-8 * scale


def simulate(n, dt, theta, sigma, lam=0.0, sz=0.0, seed=0):
    rng = np.random.default_rng(seed)
    noise = sigma * np.sqrt(dt) * rng.normal(size=n)
    jumps = np.where(rng.random(n) < lam * dt, rng.normal(0.0, sz if sz else 1.0, size=n), 0.0)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = x[t - 1] * (1 - theta * dt) + noise[t] + jumps[t]
    return x


def test_ddj_pure_diffusion_and_jump_diffusion():
    """Pure OU (sigma = 1, dt = 0.01): M2 = sigma^2, and the Gaussian increments read as 'jumps' of
    variance sigma^2 dt every step (sigma_Z^2 -> sigma^2 dt, lambda -> 1/dt). With rare large jumps
    (rate 0.5, sd 1, sigma = 0.3) sigma_Z^2 is of the jump size and lambda of the jump rate."""
    dt = 0.01
    ou = np.stack([simulate(20000, dt, 1.0, 1.0, seed=s) for s in range(2)])
    jd = np.stack([simulate(20000, dt, 1.0, 0.3, lam=0.5, sz=1.0, seed=10 + s) for s in range(2)])
    t = np.arange(20000) * dt
    r_ou = ddj(pd.DataFrame(ou.T, index=t), grid=100)  # dt read from the time axis
    r_jd = ddj(jd, grid=100, dt=dt)
    assert r_ou.dt == pytest.approx(dt)
    m2_ou = np.nanmean(r_ou.total_variance_t, axis=1)
    np.testing.assert_allclose(m2_ou, 1.0, rtol=0.05)
    np.testing.assert_allclose(r_ou.jump_variance / (m2_ou * dt), 1.0, rtol=0.1)
    np.testing.assert_allclose(np.nanmean(r_ou.jump_intensity_t, axis=1) * dt, 1.0, rtol=0.1)
    assert np.all(np.nanmean(r_ou.diffusion_t, axis=1) < 0.05)
    m2_jd = np.nanmean(r_jd.total_variance_t, axis=1)
    np.testing.assert_allclose(m2_jd, 0.09 + 0.5, rtol=0.25)
    assert np.all(r_jd.jump_variance / (m2_jd * dt) > 30)  # jumps far larger than one diffusion step
    assert np.all((r_jd.jump_variance > 0.2) & (r_jd.jump_variance < 2.0))
    lam_jd = np.nanmean(r_jd.jump_intensity_t, axis=1)
    assert np.all((lam_jd > 0.1) & (lam_jd < 5.0))


def test_ddj_batch_result_and_failed_rows():
    import xarray as xr

    rng = np.random.default_rng(3)
    X = np.cumsum(rng.normal(size=(3, 200)), axis=1)
    X[1] = 2.0
    da = xr.DataArray(X, dims=("site", "time"), coords={"site": ["a", "b", "c"]})
    with pytest.warns(EWSWarning, match="row 1"):
        res = ddj(da, grid=40)
    assert np.all(np.isnan(res.drift[1])) and np.isnan(res.jump_variance[1])
    one = ddj(X[2], grid=40)
    np.testing.assert_array_equal(one.drift, res.drift[2])
    np.testing.assert_array_equal(one.diffusion_t, res.diffusion_t[2])
    g = res.table()
    assert len(g) == 3 * 40 and {"site", "state", "drift", "jump_intensity", "jump_variance"} <= set(g.columns)
    tt = res.table("time")
    assert len(tt) == 2 * 200 and set(tt["site"]) == {"a", "c"}
    ds = res.to_xarray()
    assert ds["drift"].dims == ("site", "grid") and ds["diffusion_t"].dims == ("site", "time")
    with pytest.raises(InputError, match="bandwidth"):
        ddj(X[0], bandwidth=0)
    with pytest.raises(InputError, match="constant"):
        ddj(np.ones(50))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ddj(X[0], grid=2)
