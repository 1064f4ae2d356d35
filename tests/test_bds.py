"""The BDS test: ews.nonlinear.bds_test (native) and ews.compat bdstest_ews (R earlywarnings 1.1.29).

What is compared, and why to that precision:

* The statistic is a deterministic function of (series, eps): the kernel equals statsmodels' ``bds``
  (convention "statsmodels") and a naive n x n implementation of tseries' C code written here
  (convention "tseries") to 1e-10; R's printed-by-trace statistics and normal p-values to 1e-8 relative
  on R's own stage series.
* Stage 2 (R's arima) and stage 3 (tseries::garch) are optimiser output. What the data determine: the
  coefficients to within a small fraction of their standard errors (R's printed s.e. for the ARMA; the
  outer-product s.e. tseries uses for the GARCH), and the likelihood (ours no worse than R's). Our
  residuals then differ from R's by delta = max |E_ours - E_R|; a pair of points can change from close
  to far only if its distance in R's residuals is within 2 delta of eps, so the statistic from our fit
  must lie between the statistics computed with those pairs counted all far / all close
  (``flip_bounds``): the tolerance follows from delta, not from a guess.
* Bootstrap p-values use numpy's generator, not R's: R's P (20 draws) must be a plausible draw of
  Binomial(20, p) with p from 2000 of our draws (99.9 % interval, widened by p's own uncertainty).
"""
from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.tsa.stattools import bds as sm_bds

from ews._errors import EWSWarning, InputError
from ews.compat._bds import (
    arima_residuals,
    bdstest_ews,
    garch_nll,
    garch_ophess,
    garch_residuals,
    r_arima_mean,
)
from ews.nonlinear._bds import bds_statistics, bds_test

D = Path(__file__).parent / "data" / "earlywarnings"
R_TABLE = pd.read_csv(D / "bdstest_ews__devfold__armaF_boots20.csv")
R_RESID = pd.read_csv(D / "bdstest_ews__devfold__armaF_boots20__residuals.csv")
R_FITS = pd.read_csv(D / "bdstest_ews__devfold__armaF_boots20__fits.csv").set_index("param")["value"]
Y = pd.read_csv(D / "data_devfold.csv")["y"].to_numpy()
# R's printed summary of the ARMA(1, 0) fit (bdstest_ews__devfold__armaF_boots20__printed.txt)
R_ARMA_SE = {"ar1": 0.0043, "intercept": 0.9433}
R_ARMA_LOGLIK, R_ARMA_AIC = 255.64, -505.29
R_GARCH_NLL = 7.543595e02  # "FUNCTION 7.543595e+02" in the PORT trace


def r_stage(s):
    return R_RESID[R_RESID.stage == s]["value"].to_numpy()


def r_rows(s):
    return R_TABLE[R_TABLE.stage == s]


# ----------------------------------------------------------------------------------------------------
# naive references
# ----------------------------------------------------------------------------------------------------
def naive_tseries_counts(E, eps, M, close):
    """tseries' C code as matrices: C_1, K, C_m (m = 2..M) on the first N = n - M + 1 points, from a
    boolean closeness matrix."""
    n = len(E)
    N = n - M + 1
    I1 = close[:N, :N].copy()
    np.fill_diagonal(I1, False)
    d = I1.sum(1).astype(float)
    c1 = d.sum() / (N * (N - 1))
    k = (d * (d - 1)).sum() / (N * (N - 1) * (N - 2))
    cms = []
    J = close[:N, :N].copy()
    for m in range(2, M + 1):
        J = J & close[m - 1 : m - 1 + N, m - 1 : m - 1 + N]
        JJ = J.copy()
        np.fill_diagonal(JJ, False)
        cms.append(JJ.sum() / (N * (N - 1)))
    return c1, k, np.array(cms), N


def w_from(c1, k, cm, m, N):
    sig = sum(2 * k ** (m - j) * c1 ** (2 * j) for j in range(1, m))
    sig = 4 * (sig + k**m + (m - 1) ** 2 * c1 ** (2 * m) - m * m * k * c1 ** (2 * m - 2))
    return (cm - c1**m) / math.sqrt(sig / N)


def naive_tseries_bds(E, eps, M):
    D_ = np.abs(E[:, None] - E[None, :])
    c1, k, cms, N = naive_tseries_counts(E, eps, M, D_ <= eps)
    return np.array([w_from(c1, k, cms[m - 2], m, N) for m in range(2, M + 1)])


def flip_bounds(E_ref, eps, M, delta):
    """Range of the tseries statistic over every series within delta (max norm) of E_ref: pairs whose
    distance is within 2 delta of eps counted all far (``sure``) or all close (``maybe``); the counts of
    any such series lie between, and W is evaluated at the corners of that (tiny) box."""
    D_ = np.abs(E_ref[:, None] - E_ref[None, :])
    lo = naive_tseries_counts(E_ref, eps, M, D_ <= eps - 2 * delta)
    hi = naive_tseries_counts(E_ref, eps, M, D_ <= eps + 2 * delta)
    N = lo[3]
    out = []
    for m in range(2, M + 1):
        ws = [w_from(c1, k, cm, m, N) for c1 in (lo[0], hi[0]) for k in (lo[1], hi[1])
              for cm in (lo[2][m - 2], hi[2][m - 2])]
        out.append((min(ws), max(ws)))
    return np.array(out)


# ----------------------------------------------------------------------------------------------------
# the kernel
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n,M", [(25, 2), (120, 3), (301, 5)])
def test_kernel_equals_statsmodels_and_naive_tseries(n, M):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n) * np.linspace(1, 2, n)  # drifting spread: the conventions differ
    x[5] = x[9]  # a tie
    eps = np.array([0.5, 0.75, 1.0, 1.7]) * x.std(ddof=1)
    w_sm = bds_statistics(x, eps, M)[0]
    w_ts = bds_statistics(x, eps, M, "tseries")[0]
    for e in range(eps.size):
        ref = np.atleast_1d(sm_bds(x, M, epsilon=eps[e])[0])
        np.testing.assert_allclose(w_sm[e], ref, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(w_ts[e], naive_tseries_bds(x, eps[e], M), rtol=1e-10, atol=1e-12)
    assert np.abs(w_sm - w_ts).max() > 1e-3  # two different conventions, really


def test_kernel_ties_at_eps_follow_each_convention():
    # integer data: many distances exactly equal to eps = 1 (statsmodels '<', tseries '<=')
    x = np.random.default_rng(3).integers(0, 6, 80).astype(float)
    w_sm = bds_statistics(x, [1.0], 3)[0, 0]
    np.testing.assert_allclose(w_sm, sm_bds(x, 3, epsilon=1.0)[0], rtol=1e-10)
    np.testing.assert_allclose(bds_statistics(x, [1.0], 3, "tseries")[0, 0], naive_tseries_bds(x, 1.0, 3),
                               rtol=1e-10)


def test_kernel_batch_rows_are_independent_and_padding_unread():
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(90), rng.standard_normal(60)
    X = np.full((2, 90), np.nan)
    X[0], X[1, :60] = a, b
    X[1, 60:] = 1e300  # padding: must never be read
    eps = np.array([[0.5, 1.0], [0.4, 0.9]])
    out = bds_statistics(X, eps, 3, lengths=np.array([90, 60]))
    np.testing.assert_array_equal(out[0], bds_statistics(a, eps[0], 3)[0])
    np.testing.assert_array_equal(out[1], bds_statistics(b, eps[1], 3)[0])


# ----------------------------------------------------------------------------------------------------
# compat: R's numbers
# ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compat():
    return bdstest_ews(pd.DataFrame({"y": Y}), ARMAoptim=False, ARMAorder=(1, 0), GARCHorder=(0, 1), embdim=3,
                       epsilon=(0.5, 0.75, 1), boots=2000, seed=11)


def test_compat_stage1_deterministic(compat):
    ours, R = compat.table[compat.table.stage == 1], r_rows(1)
    np.testing.assert_allclose(compat.residuals[1], r_stage(1), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(ours.epsilon.to_numpy(), R.epsilon.to_numpy())
    np.testing.assert_allclose(ours.bds_statistic, R.bds_statistic, rtol=1e-8)
    np.testing.assert_allclose(ours.p_normal, R.p_normal, rtol=1e-8)
    assert list(compat.table.columns) == list(R_TABLE.columns)
    assert list(compat.table.stage_name) == list(R_TABLE.stage_name)


@pytest.mark.parametrize("stage", [2, 3])
def test_compat_statistics_on_r_residuals(stage):
    """R's own stage series fed to the tseries statistic: deterministic, 1e-8."""
    E, R = r_stage(stage), r_rows(stage)
    eps = R.epsilon.to_numpy()[:3]
    np.testing.assert_array_equal(eps, [round(np.std(E, ddof=1) * e, 6) for e in (0.5, 0.75, 1)])
    w = bds_statistics(E, eps, 3, "tseries")[0].T.reshape(-1)
    np.testing.assert_allclose(w, R.bds_statistic, rtol=1e-8)
    np.testing.assert_allclose(2 * stats.norm.sf(np.abs(w)), R.p_normal, rtol=1e-8)


def test_compat_arma_fit(compat):
    a = compat.arma
    # coefficients within 1e-3 of R's printed standard errors (the data determine no more)
    assert abs(a["coef"]["ar1"] - R_FITS["ar1"]) < 1e-3 * R_ARMA_SE["ar1"]
    assert abs(a["coef"]["intercept"] - R_FITS["intercept"]) < 1e-3 * R_ARMA_SE["intercept"]
    assert abs(a["sigma2"] / R_FITS["arma_sigma2"] - 1) < 1e-6
    assert abs(a["loglik"] - R_ARMA_LOGLIK) <= 0.005 and abs(a["aic"] - R_ARMA_AIC) <= 0.005
    # R's residuals from R's coefficients through our Kalman filter (deterministic)
    from ews.compat._arima import getq0

    phi, theta = np.array([R_FITS["ar1"]]), np.zeros(0)
    res, _ = arima_residuals(Y - R_FITS["intercept"], phi, theta, getq0(phi, theta))
    np.testing.assert_allclose(res, r_stage(2), rtol=0, atol=1e-12 * np.abs(r_stage(2)).max() + 1e-13)


def test_compat_garch_fit(compat):
    g = compat.garch
    par_r = np.array([R_FITS["garch_a0"], R_FITS["garch_a1"]])
    par = np.array([g["coef"]["a0"], g["coef"]["a1"]])
    nll_r = garch_nll(Y, par_r, 0, 1)[0]
    assert abs(nll_r - R_GARCH_NLL) < 1e-4  # R's printed objective at R's coefficients
    assert g["nll"] <= nll_r + 1e-9 * abs(nll_r)  # our fit is at least as good as R's
    se = np.sqrt(np.diag(np.linalg.inv(garch_ophess(Y, par_r, 0, 1))))
    assert np.all(np.abs(par - par_r) < 0.01 * se)
    # R's residuals from R's coefficients (deterministic): tseries' pred_garch, residuals[-1]
    np.testing.assert_allclose(garch_residuals(Y, par_r, (0, 1))[1:], r_stage(3), rtol=1e-9)


@pytest.mark.parametrize("stage", [2, 3])
def test_compat_statistics_from_our_fits_within_flip_bounds(compat, stage):
    E, E_r = compat.residuals[stage], r_stage(stage)
    delta = np.abs(E - E_r).max()
    # ARMA: R's BFGS ported, ~1e-9; GARCH: a0 differs from R's by 3e-4 (3e-7 of its s.e.: the raw-level
    # ARCH likelihood is flat in a0) and de/da0 = -e / (2 h) ~ -1/128 here
    assert delta < (1e-8 if stage == 2 else 1e-3) * np.std(E_r)
    ours, R = compat.table[compat.table.stage == stage], r_rows(stage)
    np.testing.assert_array_equal(ours.epsilon.to_numpy(), R.epsilon.to_numpy())  # rounding not crossed
    w = ours.bds_statistic.to_numpy().reshape(2, 3)  # (m, eps) rows m-major as R
    for ie, eps in enumerate(R.epsilon.to_numpy()[:3]):
        b = flip_bounds(E_r, eps, 3, delta)
        slack = 1e-9
        assert np.all(w[:, ie] >= b[:, 0] - slack) and np.all(w[:, ie] <= b[:, 1] + slack), (stage, eps, w[:, ie], b)
    if stage == 2:  # no pair within 2 delta of eps: the statistic is R's
        np.testing.assert_allclose(ours.bds_statistic, R.bds_statistic, rtol=1e-8)


def test_compat_bootstrap_p_by_distribution(compat):
    """R's P (20 draws) is a plausible Binomial(20, p) draw, p estimated from our 2000 draws."""
    B_r = 20
    z = stats.norm.isf(0.0005)
    for (_, ours), (_, R) in zip(compat.table.iterrows(), R_TABLE.iterrows()):
        p = ours.p_boot
        assert 0.0 <= p <= 1.0
        p_lo = max(0.0, p - z * math.sqrt(p * (1 - p) / compat.boots))
        p_hi = min(1.0, p + z * math.sqrt(p * (1 - p) / compat.boots))
        k = round(R.p_boot * B_r)
        lo, hi = stats.binom.ppf(0.0005, B_r, p_lo), stats.binom.isf(0.0005, B_r, p_hi)
        assert lo <= k <= hi, (R.stage, R.m, R.epsilon, p, R.p_boot)
    # R's count is '>' and /B: a P of exactly 0 is possible, and P <= the (1+#)/(B+1) of ews
    null = compat.boot_statistics[1]
    obs = compat.table[compat.table.stage == 1].bds_statistic.to_numpy().reshape(2, 3)
    np.testing.assert_allclose(compat.table[compat.table.stage == 1].p_boot.to_numpy().reshape(2, 3),
                               (null > obs).mean(axis=0))


def test_compat_default_armaoptim_works():
    """R's default ARMAoptim=TRUE always errors (fixture ..._ARMAoptimTRUE__ERROR.txt); here the whole
    4 x 5 ML grid is fitted, then the smallest AIC is chosen and refitted with CSS-ML."""
    assert "missing value where TRUE/FALSE needed" in (D / "bdstest_ews__devfold__default_ARMAoptimTRUE__ERROR.txt").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("error", EWSWarning)
        r = bdstest_ews(Y, boots=0, seed=1)
    grid = r.arma["aic_grid"]
    assert grid.shape == (4, 5) and np.isfinite(grid.to_numpy()).all()
    p, q = np.unravel_index(np.nanargmin(grid.to_numpy()), (4, 5))
    assert (r.arma["p"], r.arma["q"]) == (p + 1, q)
    # the ML grid's ARMA(1, 0) reaches the CSS-ML optimum R printed
    assert abs(grid.loc[1, 0] - R_ARMA_AIC) < 0.01
    assert r.table.p_boot.isna().all()
    # stage 1 does not depend on the ARMA choice
    np.testing.assert_allclose(r.table[r.table.stage == 1].bds_statistic, r_rows(1).bds_statistic, rtol=1e-8)


def test_compat_inputs():
    with pytest.raises(InputError, match="GARCHorder"):
        bdstest_ews(Y, ARMAoptim=False, GARCHorder=(0, 0), boots=0)
    with pytest.raises(InputError, match="ARMAorder"):
        bdstest_ews(Y, ARMAoptim=False, ARMAorder=(1.5, 0), boots=0)
    with pytest.raises(InputError, match="epsilon"):
        bdstest_ews(Y, ARMAoptim=False, epsilon=(0.5, -1), boots=0)
    with pytest.raises(InputError, match="embdim"):
        bdstest_ews(Y, ARMAoptim=False, embdim=1, boots=0)
    with pytest.raises(InputError, match="boots"):
        bdstest_ews(Y, ARMAoptim=False, boots=-3)
    a = bdstest_ews(Y, ARMAoptim=False, boots=30, seed=4)
    b = bdstest_ews(Y, ARMAoptim=False, boots=30, seed=4)
    pd.testing.assert_frame_equal(a.table, b.table)


# ----------------------------------------------------------------------------------------------------
# native
# ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def native():
    return bds_test(Y, boots=200, seed=7)


def test_native_statistic_equals_statsmodels(native):
    r = native
    assert r.statistic.shape == (3, 2, 3)
    for si, s in enumerate(r.stages):
        E = r.residuals[s][0]
        assert E.size == r.n_obs[si]
        for ie, e in enumerate(r.epsilon):
            eps = e * np.std(E, ddof=1)
            assert r.eps[si, ie] == pytest.approx(eps, rel=1e-14)
            w, p = sm_bds(E, 3, epsilon=eps)
            np.testing.assert_allclose(r.statistic[si, :, ie], w, rtol=1e-10)
            np.testing.assert_allclose(r.p_normal[si, :, ie], p, rtol=1e-8)
    np.testing.assert_array_equal(r.residuals["diff"][0], np.diff(Y))


def test_native_arma_choice_and_garch(native):
    """The AIC choice beats independent statsmodels fits of other orders; the GARCH stage is arch's
    standardised residuals of the ARMA residuals."""
    from arch import arch_model
    from statsmodels.tsa.arima.model import ARIMA

    fit = native.fits[0]
    p, q = fit["arma_order"]
    assert tuple(native.arma_order) == (p, q) and (p, q) != (0, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for order in [(1, 0), (0, 1), (1, 1)]:
            if order != (p, q):
                assert fit["arma_aic"] <= ARIMA(Y, order=(order[0], 0, order[1]), trend="c").fit().aic + 1e-6
        z = native.residuals["arma"][0]
        g = arch_model(z / np.std(z, ddof=1), mean="Zero", vol="GARCH", p=1, q=1, rescale=False).fit(disp="off")
    np.testing.assert_allclose(native.residuals["garch"][0], g.std_resid, rtol=1e-6, atol=1e-6)


def test_native_table_and_xarray(native):
    t = native.table()
    assert list(t.columns[:4]) == ["row", "stage", "m", "epsilon"]
    assert {"statistic", "p_normal", "p_bootstrap"} <= set(t.columns) and len(t) == 18
    ds = native.to_xarray()
    assert ds.statistic.dims == ("stage", "m", "epsilon")
    assert "BDS" in ds.attrs["method"] and ds.attrs["boots"] == 200
    assert np.all((native.p_bootstrap >= 1 / 201) & (native.p_bootstrap <= 1))
    assert "BDSResult" in repr(native)


def test_native_batch_leading_dims_seeds_and_bad_rows():
    import xarray as xr

    rng = np.random.default_rng(9)
    X = np.cumsum(rng.standard_normal((3, 120)), axis=1)
    X[2] = 4.0  # constant: NaN with a warning naming the row, the others intact
    da = xr.DataArray(X, dims=("site", "time"), coords={"site": ["a", "b", "c"]})
    with pytest.warns(EWSWarning, match="row 2"):
        r = bds_test(da, on="diff", boots=50, seed=3)
    assert r.statistic.shape == (3, 1, 2, 3)
    assert np.isnan(r.statistic[2]).all() and np.isfinite(r.statistic[:2]).all()
    assert list(r.to_xarray().site.values) == ["a", "b", "c"]
    assert list(r.table().site.unique()) == ["a", "b", "c"]
    # row 0's numbers depend on (seed, row 0) only
    Y2 = X.copy()
    Y2[1] = rng.standard_normal(120)
    with pytest.warns(EWSWarning):
        r2 = bds_test(Y2, on="diff", boots=50, seed=3)
    np.testing.assert_array_equal(r.p_bootstrap[0], r2.p_bootstrap[0])
    assert not np.array_equal(r.p_bootstrap[1], r2.p_bootstrap[1])


def test_native_bootstrap_calibrated_on_iid():
    """200 random walks (first differences iid): P(p_bootstrap <= 0.05) within a binomial interval."""
    rng = np.random.default_rng(2026)
    X = np.cumsum(rng.standard_normal((200, 101)), axis=1)
    r = bds_test(X, on="diff", max_dim=2, epsilon=(0.5, 1.0), boots=99, seed=5)
    rej = (r.p_bootstrap[:, 0] <= 0.05).sum(axis=0)  # (m, eps) counts
    lo, hi = stats.binom.ppf(0.001, 200, 0.05), stats.binom.isf(0.001, 200, 0.05)
    assert np.all((rej >= lo) & (rej <= hi)), rej


def test_native_rejects_nonlinearity():
    # the logistic map in its chaotic regime: deterministic, uncorrelated-looking increments
    x = np.empty(250)
    x[0] = 0.3141
    for t in range(249):
        x[t + 1] = 3.99 * x[t] * (1 - x[t])
    r = bds_test(x, on="diff", boots=99, seed=1)
    assert np.all(r.p_bootstrap <= 0.05) and np.all(r.p_normal < 0.01)
    assert np.all(r.p_bootstrap[0, 1] == 0.01) and np.all(r.p_normal[0, 1] < 1e-5)  # m = 3: the smallest p
    # ARCH(1): linear filters leave it, the BDS test sees it
    rng = np.random.default_rng(8)
    e = np.zeros(600)
    for t in range(1, 600):
        e[t] = rng.standard_normal() * math.sqrt(0.2 + 0.8 * e[t - 1] ** 2)
    r = bds_test(e, on=("arma", "garch"), arma_order=(1, 0), garch_order=(1, 0), boots=99, seed=2)
    assert np.all(r.p_bootstrap[0] <= 0.02), r.p_bootstrap[0]
    assert np.abs(r.statistic[1]).max() < np.abs(r.statistic[0]).min()  # ARCH removed by the GARCH stage


@pytest.mark.parametrize("kw,match", [
    (dict(on="nope"), "stage"), (dict(on=()), "stage"), (dict(on=("diff", "diff")), "twice"),
    (dict(max_dim=1), "max_dim"), (dict(epsilon=0), "epsilon"), (dict(epsilon="a"), "epsilon"),
    (dict(boots=-1), "boots"), (dict(boots=2.5), "boots"), (dict(arma_order=(1,)), "arma_order"),
    (dict(garch_order=(0, 1)), "garch_order"), (dict(seed=-1), "seed"),
])
def test_native_bad_arguments(kw, match):
    with pytest.raises(InputError, match=match):
        bds_test(Y, **kw)
