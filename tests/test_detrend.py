"""Detrenders against direct references."""
import numpy as np
import pytest
import xarray as xr

import ews
from ews import InputError
from ews.detrend import EWSTOOLS_FACTOR, QUARTILE_FACTOR, Gaussian, get_detrender

import naive


@pytest.mark.parametrize("n,bw", [(300, 0.01), (300, 0.1), (1000, 0.3), (50, 0.5)])  # narrow (direct) and wide (FFT)
def test_gaussian_matches_naive_nadaraya_watson(n, bw, rng):
    x = np.cumsum(rng.standard_normal(n)) + 1e4
    det = ews.TimeSeries(x).detrend("gaussian", bandwidth=bw)
    ref = naive.gaussian_nw(np.arange(n), x, sigma=bw * n)
    np.testing.assert_allclose(det.trend.values, ref, rtol=1e-12)
    np.testing.assert_allclose(det.residuals.values, x - ref, rtol=0, atol=1e-9)


def test_gaussian_units_and_conventions(rng):
    x = rng.standard_normal(400)
    t = np.arange(400) * 0.25
    ts = ews.TimeSeries(x, time=t)
    a = ts.detrend("gaussian", bandwidth=0.05).trend.values  # sigma = 20 points = 5 time units
    b = ts.detrend("gaussian", bandwidth=20, units="points").trend.values
    c = ts.detrend("gaussian", bandwidth=5.0, units="time").trend.values
    np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(a, c, rtol=1e-12)
    q = ts.detrend("gaussian", bandwidth=20 / QUARTILE_FACTOR, units="points", convention="quartile").trend.values
    e = ts.detrend("gaussian", bandwidth=20 / EWSTOOLS_FACTOR, units="points", convention="ewstools").trend.values
    np.testing.assert_allclose(q, a, rtol=1e-12)
    np.testing.assert_allclose(e, a, rtol=1e-12)


def test_gaussian_reflect_is_scipy_gaussian_filter(rng):
    from scipy.ndimage import gaussian_filter1d

    x = rng.standard_normal(500)
    det = ews.TimeSeries(x).detrend("gaussian", bandwidth=0.2, convention="ewstools", edge="reflect")
    ref = gaussian_filter1d(x, EWSTOOLS_FACTOR * 0.2 * 500, mode="reflect")
    np.testing.assert_allclose(det.trend.values, ref, rtol=1e-12)


def test_gaussian_irregular_time_in_time_units(rng):
    t = np.sort(rng.uniform(0, 50, 300))
    x = np.sin(t / 5) + rng.standard_normal(300) * 0.1
    det = ews.TimeSeries(x, time=t).detrend("gaussian", bandwidth=2.0, units="time")
    np.testing.assert_allclose(det.trend.values, naive.gaussian_nw(t, x, sigma=2.0), rtol=1e-12)
    with pytest.raises(InputError, match="equally spaced"):
        ews.TimeSeries(x, time=t).detrend("gaussian", bandwidth=10, units="points")


def test_gaussian_large_offset_is_exact(rng):
    x = 1e9 + rng.standard_normal(2000)
    det = ews.TimeSeries(x).detrend("gaussian", bandwidth=0.2)  # FFT path
    ref = naive.gaussian_nw(np.arange(2000), x - 1e9, sigma=400) + 1e9
    np.testing.assert_allclose(det.residuals.values, x - ref, rtol=0, atol=1e-6)


def test_gaussian_ragged_rows(rng):
    X = rng.standard_normal((2, 300)).cumsum(axis=1)
    da = xr.DataArray(X, dims=("replicate", "time"), coords={"transition_time": ("replicate", [200.0, np.nan])})
    det = ews.TimeSeries(da).before_transition().detrend("gaussian", bandwidth=0.1)
    np.testing.assert_allclose(det.trend.values[0, :200], naive.gaussian_nw(np.arange(200), X[0, :200], 20.0), rtol=1e-12)
    assert np.isnan(det.trend.values[0, 200:]).all()
    np.testing.assert_allclose(det.trend.values[1], naive.gaussian_nw(np.arange(300), X[1], 30.0), rtol=1e-12)


def test_linear_and_none(rng):
    t = np.arange(100.0)
    x = 3 + 0.5 * t + rng.standard_normal(100)
    det = ews.TimeSeries(x).detrend("linear")
    b, a = np.polyfit(t, x, 1)
    np.testing.assert_allclose(det.trend.values, a + b * t, rtol=1e-10)
    none = ews.TimeSeries(x).detrend("none")
    np.testing.assert_array_equal(none.residuals.values, x)
    np.testing.assert_array_equal(none.trend.values, 0.0)


def test_first_difference(rng):
    x = rng.standard_normal(50).cumsum()
    t = np.arange(50.0) * 2
    det = ews.TimeSeries(x, time=t).detrend("first_difference")
    assert det.n == 49
    np.testing.assert_array_equal(det.residuals.values, np.diff(x))
    np.testing.assert_array_equal(det.time, t[1:])
    np.testing.assert_allclose(det.state.values, det.trend.values + det.residuals.values)
    assert get_detrender("first-diff").name == "first_difference"  # R spelling accepted


def test_lowess_matches_statsmodels(rng):
    from statsmodels.nonparametric.smoothers_lowess import lowess

    x = np.cumsum(rng.standard_normal(300))
    det = ews.TimeSeries(x).detrend("lowess", span=0.3)
    ref = lowess(x, np.arange(300.0), frac=0.3, it=3, delta=0.0, return_sorted=False)
    np.testing.assert_allclose(det.trend.values, ref, rtol=1e-10)


def test_detrender_errors():
    with pytest.raises(InputError, match="unknown detrending method 'spline'"):
        get_detrender("spline")
    with pytest.raises(InputError, match="has no parameter.*span"):
        get_detrender("gaussian", span=0.2)
    with pytest.raises(InputError, match="bandwidth must be a positive number"):
        Gaussian(bandwidth=-1)
    with pytest.raises(InputError, match="units='points'"):
        Gaussian(bandwidth=30)
    with pytest.raises(InputError, match="convention must be one of"):
        Gaussian(convention="silverman")
    with pytest.raises(InputError, match="0 < span <= 1"):
        get_detrender("lowess", span=2)
    with pytest.raises(InputError, match="R's loess"):
        get_detrender("loess")


def test_detrender_objects_are_frozen_values():
    a, b = Gaussian(bandwidth=0.2), Gaussian(bandwidth=0.2)
    assert a == b and hash(a) == hash(b)
    with pytest.raises(Exception):
        a.bandwidth = 0.3


def _uncapped_trend(x, sig_pts, truncate=4.0):
    """Edge-renormalised Nadaraya-Watson with the whole kernel (radius truncate * sigma, not capped)."""
    import math

    from ews.detrend import nw_rows

    R = int(math.floor(truncate * sig_pts * (1 + 1e-12)))
    d = np.arange(-R, R + 1, dtype=np.float64)
    return nw_rows(np.atleast_2d(x), np.exp(-0.5 * (d / sig_pts) ** 2))[0]


@pytest.mark.parametrize("sig_pts,truncate", [(60.0, 4.0), (300.0, 4.0), (3000.0, 4.0), (5.0, 200.0), (0.4, 1000.0)])
def test_gaussian_kernel_capped_at_the_row_gives_the_same_trend(sig_pts, truncate, rng):
    """The radius is capped at L - 1 (and truncate at 40 sigma): weights beyond the row never meet a
    point, and exp(-0.5 * 39**2) is 0.0, so the trend equals the uncapped one (checked where it fits)."""
    x = np.cumsum(rng.standard_normal(200)) + 50.0
    ref = _uncapped_trend(x, sig_pts, truncate)
    got = ews.TimeSeries(x).detrend("gaussian", bandwidth=sig_pts, units="points", truncate=truncate).trend.values
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=0)


@pytest.mark.parametrize("params", [dict(bandwidth=1e9, units="points"), dict(bandwidth=1e12, units="points"),
                                    dict(bandwidth=1e300, units="time"), dict(truncate=1e300),
                                    dict(bandwidth=1e300, units="time", truncate=1e300)])
def test_gaussian_huge_bandwidth_or_truncate_costs_nothing(params, rng):
    """These used to allocate the whole kernel (MemoryError for 60 GiB, numpy 'Maximum allowed size')."""
    x = np.cumsum(rng.standard_normal(200))
    trend = ews.TimeSeries(x).detrend("gaussian", **params).trend.values
    assert np.isfinite(trend).all()
    if params.get("bandwidth", 0) >= 1e9:  # flat kernel: the trend is the mean
        np.testing.assert_allclose(trend, x.mean(), rtol=1e-9)
    # irregular time takes the time-units kernel; same bound
    t = np.cumsum(rng.uniform(0.5, 1.5, 200))
    if params.get("units") != "points":
        out = ews.TimeSeries(x, time=t).detrend("gaussian", **params).trend.values
        assert np.isfinite(out).all()


def test_gaussian_reflect_huge_bandwidth_is_refused_with_the_fix(rng):
    x = np.cumsum(rng.standard_normal(200))
    with pytest.raises(InputError, match=r"wraps around a row of 200 points.*edge='renormalise'"):
        ews.TimeSeries(x).detrend("gaussian", bandwidth=1e9, units="points", edge="reflect")
    # a huge truncate is harmless with reflect too (weights beyond 40 sigma are 0.0)
    from scipy.ndimage import gaussian_filter1d

    got = ews.TimeSeries(x).detrend("gaussian", bandwidth=10, units="points", edge="reflect", truncate=1e300)
    np.testing.assert_allclose(got.trend.values, gaussian_filter1d(x, 10.0, mode="reflect", truncate=60.0),
                               rtol=1e-13)
