"""Every rolling indicator against the two-pass reference in tests/naive.py (1e-9), on ordinary and
adversarial data (large offset, near-constant and constant windows, steps), for single rows, batches
and ragged rows."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import ews
from ews import indicators as I

import naive

RTOL = 1e-9

# (indicator spec, naive function of a window, natural scale of the value: None = relative to itself)
CASES = [
    ("mean", naive.mean, None),
    ("variance", naive.variance, None),
    ("std", naive.std, None),
    (("skewness", {}), naive.skewness, 1.0),
    (("skewness", {"adjusted": True}), lambda v: naive.skewness(v, adjusted=True), 1.0),
    (("kurtosis", {}), naive.kurtosis, 1.0),
    (("kurtosis", {"excess": False}), lambda v: naive.kurtosis(v, excess=False), 1.0),
    (("kurtosis", {"adjusted": True}), lambda v: naive.kurtosis(v, adjusted=True), 1.0),
    (("kurtosis", {"adjusted": True, "excess": False}), lambda v: naive.kurtosis(v, adjusted=True) + 3, 1.0),
    ("ar1", naive.ar1, 1.0),
    ("autocorrelation", naive.autocorrelation, 1.0),
    (("autocorrelation", {"lag": 3}), lambda v: naive.autocorrelation(v, 3), 1.0),
    ("acf1", naive.acf, 1.0),
    ("return_rate", lambda v: 1 - naive.ar1(v), 1.0),
    ("density_ratio", lambda v: naive.density_ratio_ar1(v, 0.05, 0.5), None),
    (("density_ratio", {"low": 0.1, "high": 0.4}), lambda v: naive.density_ratio_ar1(v, 0.1, 0.4), None),
    ("bimodality", naive.bimodality, 1.0),
    ("permutation_entropy", naive.permutation_entropy, 1.0),
    (("permutation_entropy", {"order": 4, "delay": 2}), lambda v: naive.permutation_entropy(v, 4, 2), 1.0),
    (("bimodality", {"adjusted": False}), lambda v: naive.bimodality(v, adjusted=False), 1.0),
]


def _series(kind, rng):
    if kind == "noise":
        return rng.standard_normal(600)
    if kind == "offset":
        return 1e6 + rng.standard_normal(600)
    if kind == "walk":
        return np.cumsum(rng.standard_normal(600))
    if kind == "near_constant":
        return 5.0 + 1e-7 * rng.standard_normal(600)
    if kind == "step":  # a huge level, then tiny noise: sums must not cancel when the level leaves
        return np.r_[1e8 + rng.standard_normal(200), 1e-3 * rng.standard_normal(400)]
    if kind == "constant_parts":
        return np.r_[np.full(150, 0.1), rng.standard_normal(300), np.full(150, 7.0)]
    if kind == "integers":  # many ties
        return rng.integers(0, 4, 600).astype(float)
    raise ValueError(kind)


def _compare(got, ref, scale):
    assert np.array_equal(np.isnan(got), np.isnan(ref)), np.flatnonzero(np.isnan(got) != np.isnan(ref))[:5]
    ok = ~np.isnan(ref)
    denom = np.abs(ref[ok]) if scale is None else np.maximum(np.abs(ref[ok]), scale)
    err = np.abs(got[ok] - ref[ok]) / np.where(denom > 0, denom, 1.0)
    assert err.max(initial=0) <= RTOL, err.max()


@pytest.mark.parametrize("kind", ["noise", "offset", "walk", "near_constant", "step", "constant_parts", "integers"])
@pytest.mark.parametrize("spec,func,scale", CASES, ids=[str(c[0]) for c in CASES])
def test_indicator_matches_naive(kind, spec, func, scale, rng):
    x = _series(kind, rng)
    w = 60
    with np.errstate(all="ignore"):
        ref = naive.rolling(x, w, func)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ews.DegenerateWindowWarning)
        ds = I.compute(x, [spec], window=w)
    got = ds[I.as_indicator(spec).label].values
    _compare(got, ref, scale)


def test_cv_uses_undetrended_state(rng):
    x = 10 + np.cumsum(rng.standard_normal(400)) * 0.1
    ts = ews.TimeSeries(x).detrend("gaussian", bandwidth=0.1)
    got = I.compute(ts, ["cv"], window=80)["cv"].values
    res, st_ = ts.residuals.values, ts.state.values
    ref = np.full(400, np.nan)
    for j in range(79, 400):
        ref[j] = naive.std(res[j - 79 : j + 1]) / naive.mean(st_[j - 79 : j + 1])
    _compare(got, ref, None)


@settings(max_examples=60, deadline=None)
@given(
    # magnitudes whose squares do not underflow (below ~1e-150 a square is 0 and a correlation undefined)
    x=arrays(np.float64, st.integers(8, 120),
             elements=st.floats(-1e3, 1e3, allow_nan=False, width=64).filter(lambda v: v == 0 or abs(v) > 1e-100)),
    wfrac=st.floats(0.2, 1.0),
    offset=st.sampled_from([0.0, 1e6]),
)
def test_property_variance_ar1_kurtosis_match_naive(x, wfrac, offset):
    x = x + offset
    w = max(4, int(wfrac * len(x)))
    import warnings

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        ds = I.compute(x, ["variance", "ar1", "kurtosis", "autocorrelation"], window=w)
        refs = {
            "variance": naive.rolling(x, w, naive.variance),
            "ar1": naive.rolling(x, w, naive.ar1),
            "kurtosis": naive.rolling(x, w, naive.kurtosis),
            "autocorrelation": naive.rolling(x, w, naive.autocorrelation),
        }
    spread = np.ptp(x - offset)
    for name, ref in refs.items():
        got = ds[name].values
        assert np.array_equal(np.isnan(got), np.isnan(ref)), name
        ok = ~np.isnan(ref)
        if name == "variance":
            # absolute error relative to the data's own scale (floating point limits the data itself)
            np.testing.assert_allclose(got[ok], ref[ok], rtol=1e-9, atol=1e-12 * max(spread, 1) ** 2)
        elif spread > 1e-3:  # ratios of nearly equal tiny numbers are ill-posed
            # windows where the data have fewer significant digits than 1e-9 of the spread are excluded
            # by the data scale: atol proportional to eps * offset / window spread
            np.testing.assert_allclose(got[ok], ref[ok], rtol=1e-7, atol=1e-7 * (1 + offset / spread * 1e-9))


def test_batch_rows_equal_single_rows(rng):
    X = rng.standard_normal((5, 300)).cumsum(axis=1)
    inds = ["variance", "ar1", "skewness", "kurtosis", "acf1", ("autocorrelation", {"lag": 2})]
    batch = I.compute(X, inds, window=0.4)
    for i in range(5):
        single = I.compute(X[i], inds, window=0.4)
        for v in single:
            np.testing.assert_array_equal(batch[v].values[i], single[v].values)


def test_ragged_rows_equal_cropped_single_rows(rng):
    import xarray as xr

    X = rng.standard_normal((3, 200))
    da = xr.DataArray(X, dims=("replicate", "time"),
                      coords={"time": np.arange(200.0), "transition_time": ("replicate", [120.0, np.nan, 150.0])})
    ts = ews.TimeSeries(da).before_transition()
    got = I.compute(ts, ["variance", "ar1"], window=0.5)
    for i, L in enumerate([120, 200, 150]):
        single = I.compute(X[i, :L], ["variance", "ar1"], window=0.5)
        for v in ("variance", "ar1"):
            np.testing.assert_array_equal(got[v].values[i, :L], single[v].values)
            assert np.isnan(got[v].values[i, L:]).all()
    assert list(got["window"].values) == [60, 100, 75]


def test_window_rounding_rule():
    lengths = np.array([100, 101, 99])
    np.testing.assert_array_equal(I.resolve_windows(0.29, lengths), [29, 29, 28])  # floor, 0.29*100 -> 29
    np.testing.assert_array_equal(I.resolve_windows(50, lengths), [50, 50, 50])


def test_window_is_right_aligned_and_stamped_at_last_point(rng):
    t = np.arange(100.0) * 0.5 + 3
    x = rng.standard_normal(100)
    ds = I.compute(ews.TimeSeries(x, time=t), ["variance"], window=10)
    assert np.isnan(ds["variance"].values[:9]).all()
    assert ds["variance"].time.values[9] == t[9]
    assert ds["variance"].values[9] == pytest.approx(np.var(x[:10], ddof=1), rel=1e-12)


def test_batch_too_short_rows_are_isolated(rng):
    import xarray as xr

    da = xr.DataArray(rng.standard_normal((3, 100)), dims=("replicate", "time"),
                      coords={"transition_time": ("replicate", [100.0, 2.0, np.nan])})
    ts = ews.TimeSeries(da).before_transition()
    with pytest.warns(ews.DegenerateWindowWarning, match="1 of 3 series are too short"):
        res = ews.analyze(ts, detrend="none", window=0.5)
    st_ = res.statistic.values
    assert np.isnan(st_[:, 1]).all() and np.isfinite(st_[:, [0, 2]]).all()


def test_registry_entries_are_documented():
    tab = I.table()
    for name in ["variance", "std", "cv", "ar1", "autocorrelation", "acf1", "skewness", "kurtosis",
                 "return_rate", "density_ratio"]:
        assert name in tab.index
        assert tab.loc[name, "formula"] and tab.loc[name, "summary"]
        assert tab.loc[name, "direction"] in (-1, 0, 1)


def test_indicator_spec_errors():
    with pytest.raises(ews.InputError, match="unknown indicator 'varaince'"):
        I.Indicator("varaince")
    with pytest.raises(ews.InputError, match="has no parameter"):
        I.Indicator("variance", lag=2)
    with pytest.raises(ews.InputError, match="lag must be a positive integer"):
        I.Indicator("autocorrelation", lag=0)
    with pytest.raises(ews.InputError, match="requested twice"):
        I.as_indicators(["variance", "variance"])
    assert I.Indicator("autocorrelation", lag=2).label == "autocorrelation_lag2"
    assert I.Indicator("autocorrelation", lag=1).label == "autocorrelation"


def test_user_window_function(rng):
    I.register_window_function("iqr", lambda v: np.subtract(*np.percentile(v, [75, 25])), direction=1)
    try:
        x = rng.standard_normal(200)
        got = I.compute(x, ["iqr"], window=50)["iqr"].values
        ref = naive.rolling(x, 50, lambda v: np.subtract(*np.percentile(v, [75, 25])))
        np.testing.assert_allclose(got, ref)
    finally:
        I.unregister("iqr")


def test_ou_analytic_variance_and_autocorrelation():
    """Exact OU discretisation x_{k+1} = a x_k + s e_k with a = exp(-lam dt),
    s^2 = sigma^2 (1 - a^2) / (2 lam): stationary variance sigma^2/(2 lam), lag-1 autocorrelation a."""
    lam, sigma, dt, n = 0.5, 0.3, 0.2, 200_000
    a = np.exp(-lam * dt)
    s = sigma * np.sqrt((1 - a * a) / (2 * lam))
    from scipy.signal import lfilter

    e = np.random.default_rng(7).standard_normal(n) * s
    x = lfilter([1.0], [1.0, -a], e)
    x[0] = 0.0
    ds = I.compute(x, ["variance", "ar1", "acf1", "autocorrelation"], window=1.0)
    var_theory = sigma**2 / (2 * lam)
    # sampling error: Var of the sample variance of an AR(1) ~ 2 var^2 (1 + a^2)/(1 - a^2) / n
    se_var = var_theory * np.sqrt(2 * (1 + a * a) / (1 - a * a) / n)
    assert abs(ds["variance"].values[-1] - var_theory) < 4 * se_var
    se_ar = np.sqrt((1 - a * a) / n)
    for v in ("ar1", "acf1", "autocorrelation"):
        assert abs(ds[v].values[-1] - a) < 4 * se_ar, v


def test_autocorrelation_resolves_a_tiny_step_on_a_large_level():
    # found by hypothesis: a subset whose spread (1.5e-8) is far below its level (1e6). A mean rounded
    # to the level's ulp (1.2e-10) adds (w-k) d^2 to the centred sum of squares, a 1e-4 error in the
    # correlation; the kernel carries the mean as hi + lo. Reference: exact rational arithmetic.
    from fractions import Fraction

    x = np.array([0, 0, 0, 0, 0, 0, 1.52972769e-08, 1.0]) + 1e6
    got = I.compute(x, ["autocorrelation"], window=8).to_numpy("autocorrelation")[-1]
    a, b = [Fraction(float(v)) for v in x[:-1]], [Fraction(float(v)) for v in x[1:]]
    ma, mb = sum(a) / 7, sum(b) / 7
    cab = sum((p - ma) * (q - mb) for p, q in zip(a, b))
    caa, cbb = sum((p - ma) ** 2 for p in a), sum((q - mb) ** 2 for q in b)
    exact = float(cab) / np.sqrt(float(caa) * float(cbb))
    assert abs(got - exact) < 1e-9


def test_indicator_result_len_equality_and_deprecated_dataset_fall_through():
    import copy
    import pickle
    import warnings

    import xarray as xr

    x = np.random.default_rng(0).standard_normal(300)
    res = I.compute(x, ["variance", "ar1"], window=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # its own API: no warning
        assert len(res) == 2 and list(res) == ["variance", "ar1"] and "ar1" in res
        assert res["variance"].dims == ("time",)  # supported, not deprecated
        assert res == res and res != I.compute(x, ["variance", "ar1"], window=50)  # identity, documented
        assert not hasattr(res, "foo")
        for clone in (pickle.loads(pickle.dumps(res)), copy.copy(res), copy.deepcopy(res)):
            np.testing.assert_array_equal(clone.to_numpy("ar1"), res.to_numpy("ar1"))
        merged = xr.merge([res.to_xarray()])
    assert set(merged.data_vars) == {"variance", "ar1"}
    with pytest.warns(DeprecationWarning, match=r"to_xarray\(\)\.sizes"):
        assert dict(res.sizes) == {"time": 300}
    with pytest.warns(DeprecationWarning, match="deprecated"):
        res.isel(time=slice(0, 10))
    assert "identity" in I.IndicatorResult.__doc__ and "xr.merge" in I.IndicatorResult.__doc__


def _mixture_bc(p, m1, s1, m2, s2):
    """Population bimodality coefficient (g1^2 + 1) / b2 of p N(m1, s1^2) + (1-p) N(m2, s2^2)."""
    mu = p * m1 + (1 - p) * m2

    def central(k):  # E[(X - mu)^k] for k = 2, 3, 4, component by component
        out = 0.0
        for w, m, s in ((p, m1, s1), (1 - p, m2, s2)):
            d = m - mu
            out += w * {2: d**2 + s**2, 3: d**3 + 3 * d * s**2, 4: d**4 + 6 * d**2 * s**2 + 3 * s**4}[k]
        return out

    m2_, m3_, m4_ = central(2), central(3), central(4)
    return (m3_**2 / m2_**3 + 1) / (m4_ / m2_**2)


@pytest.mark.parametrize("p,m1,s1,m2,s2", [(0.5, -2, 1, 2, 1), (0.3, 0, 1, 3, 0.5), (1.0, 0, 1, 0, 1)])
def test_bimodality_of_a_known_mixture(p, m1, s1, m2, s2):
    """The BC of a large sample tends to the population value (g1^2 + 1) / b2 of the mixture; a Gaussian
    gives 1/3, two well separated equal modes more than 5/9."""
    rng = np.random.default_rng(7)
    n = 400_000
    pick = rng.random(n) < p
    x = np.where(pick, rng.normal(m1, s1, n), rng.normal(m2, s2, n))
    got = I.compute(x, ["bimodality"], window=n).to_numpy("bimodality")[-1]
    want = _mixture_bc(p, m1, s1, m2, s2)
    assert abs(got - want) < 0.01, (got, want)
    if p == 1.0:
        assert abs(want - 1 / 3) < 1e-12
    if (p, m1, m2) == (0.5, -2, 2):
        assert want > 5 / 9


def test_bimodality_of_a_uniform_sample_is_five_ninths():
    """A uniform distribution sits on the threshold: g1 = 0, b2 = 9/5, so BC = 5/9."""
    x = np.random.default_rng(3).random(400_000)
    got = I.compute(x, ["bimodality"], window=len(x)).to_numpy("bimodality")[-1]
    assert abs(got - 5 / 9) < 0.005


def test_dip_indicator_matches_diptest_and_batches(rng):
    """``dip`` and ``dip_pvalue`` through the registry equal diptest per window, on a ragged batch."""
    import diptest

    X = np.vstack([rng.standard_normal(300), np.r_[rng.normal(-3, 1, 150), rng.normal(3, 1, 150)]])
    ts = ews.TimeSeries(X).with_lengths(np.array([300, 260]))
    res = I.compute(ts, ["dip", "dip_pvalue"], window=80)
    for i, L in enumerate((300, 260)):
        for j in (79, 150, L - 1):
            d, p = diptest.diptest(X[i, j - 79: j + 1])
            assert res.to_numpy("dip")[i, j] == pytest.approx(d, abs=1e-12)
            assert res.to_numpy("dip_pvalue")[i, j] == pytest.approx(p, abs=1e-10)
        assert np.isnan(res.to_numpy("dip")[i, L:]).all()
    # the bimodal row's middle windows reject unimodality, the noise row's do not
    assert res.to_numpy("dip_pvalue")[1, 189] < 0.01 and res.to_numpy("dip_pvalue")[0, 189] > 0.05


def test_conditional_heteroskedasticity_indicator_is_ch_tests_r_squared(rng):
    """The registered indicator is the R^2 of ews.nonlinear.ch_test, per window, in a batch; ARCH(1)
    noise gives larger R^2 than iid noise; an impossible max_order is refused at the door."""
    from ews.nonlinear._ch import ch_test

    n = 400
    e = rng.standard_normal((2, n))
    arch = np.zeros(n)
    for t in range(1, n):
        arch[t] = e[1, t] * np.sqrt(0.2 + 0.7 * arch[t - 1] ** 2)
    X = np.vstack([e[0], arch])
    res = I.compute(X, ["conditional_heteroskedasticity", ("conditional_heteroskedasticity", {"max_order": 2})],
                    window=100)
    ref = ch_test(X, window=100)
    np.testing.assert_allclose(res.to_numpy("conditional_heteroskedasticity"), ref.r_squared, rtol=1e-12,
                               equal_nan=True)
    ref2 = ch_test(X, window=100, max_order=2)
    np.testing.assert_allclose(res.to_numpy("conditional_heteroskedasticity_max_order2"), ref2.r_squared,
                               rtol=1e-12, equal_nan=True)
    r2 = res.to_numpy("conditional_heteroskedasticity")
    assert np.nanmean(r2[1]) > 2 * np.nanmean(r2[0])
    with pytest.raises(ews.InputError, match="max_order"):
        I.compute(X, [("conditional_heteroskedasticity", {"max_order": 60})], window=100)


def test_wells_indicator_matches_potential_analysis(rng):
    """``wells`` through the registry counts what a scipy reference counts (gaussian_kde +
    peak_prominences, tests/naive.py) and what ews.potential.potential_analysis reports, per window; two
    wells where the window straddles two levels, one on noise; bad parameters refused."""
    from ews.potential import potential_analysis

    x = np.r_[rng.normal(0, 1, 300), rng.normal(0, 1, 300) + np.where(rng.random(300) < 0.5, 6.0, 0.0)]
    res = I.compute(x, ["wells", ("wells", {"grid_size": 50, "threshold": 0.2})], window=150)
    ref = potential_analysis(x, window=150, landscape=False)
    got = res.to_numpy("wells")
    np.testing.assert_array_equal(got, ref.n_wells.reshape(-1), strict=False)
    np.testing.assert_array_equal(got, naive.rolling(x, 150, naive.wells))
    assert np.nanmax(got[:300]) == 1 and got[-1] == 2
    ref2 = potential_analysis(x, window=150, grid_size=50, threshold=0.2, landscape=False)
    np.testing.assert_array_equal(res.to_numpy("wells_grid_size50_threshold0p2"), ref2.n_wells.reshape(-1))
    for bad in ({"grid_size": 2}, {"threshold": 1.0}, {"bw_adjust": 0.0}):
        with pytest.raises(ews.InputError):
            I.compute(x, [("wells", bad)], window=150)


def test_wells_refuses_a_grid_that_cannot_fit_in_memory():
    """A hostile grid_size (1e9 points: 8 GB per window) is refused at the door, in the indicator, in
    potential_analysis and in the compat functions; a landscape too large for memory names landscape=False."""
    from ews.compat import earlywarnings as ew
    from ews.potential import potential_analysis

    x = np.random.default_rng(0).normal(size=100)
    for call in (lambda: I.compute(x, [("wells", {"grid_size": 10**9})], window=30),
                 lambda: potential_analysis(x, window=30, grid_size=10**9),
                 lambda: ew.livpotential_ews(x, grid_size=10**9),
                 lambda: ew.movpotential_ews(x, grid_size=10**9)):
        with pytest.raises(ews.InputError, match="grid_size"):
            call()
    with pytest.raises(ews.InputError, match="landscape=False"):
        potential_analysis(np.zeros((2000, 2000)) + np.arange(2000), window=100, grid_size=200)


def test_dip_warns_on_tied_counts_and_a_flat_indicator_has_no_trend(rng):
    """Counts (Poisson) make the dip reject unimodality in nearly every window: the dip warns about
    ties. A flat indicator (the number of wells on noise) has Kendall tau 0, not NaN, so surrogates
    whose indicator stays flat still count in the null distribution."""
    X = rng.poisson(5, (4, 200)).astype(float)
    with pytest.warns(ews.EWSWarning, match="tied values"):
        I.compute(X, ["dip_pvalue"], window=100)
    import warnings as _w

    with _w.catch_warnings():
        _w.simplefilter("error", ews.EWSWarning)
        I.compute(rng.standard_normal((4, 200)), ["dip_pvalue"], window=100)  # continuous: no warning
    res = ews.Pipeline(detrend="none", window=100, indicators=["wells"]).run(rng.standard_normal(400))
    assert np.nanmax(res.to_numpy("wells")) == 1 and float(np.ravel(res.statistic_values)[0]) == 0.0


def test_permutation_entropy_known_values(rng):
    """1 for white noise (up to the estimate's bias with 5,000 patterns), 0 for a monotone series, lower
    for a strongly autocorrelated AR(1) than for white noise; the window must hold two patterns."""
    n = 5002
    e = rng.standard_normal(n)
    ar = np.zeros(n)
    for t in range(1, n):
        ar[t] = 0.9 * ar[t - 1] + e[t]
    res = I.compute(np.vstack([e, np.arange(n, dtype=float), ar]), ["permutation_entropy"], window=n)
    pe = res.to_numpy("permutation_entropy")[:, -1]
    assert abs(pe[0] - 1.0) < 0.005 and pe[1] == 0.0 and pe[2] < pe[0] - 0.02
    with pytest.raises(ews.InputError, match="two ordinal patterns"):
        I.compute(e[:50], [("permutation_entropy", {"order": 5, "delay": 3})], window=12)
    with pytest.raises(ews.InputError, match="order"):
        I.compute(e[:50], [("permutation_entropy", {"order": 9})], window=30)
