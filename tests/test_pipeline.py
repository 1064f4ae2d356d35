"""Pipeline: a frozen value, run on any number of rows, results as tables, xarray and netCDF."""
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import ews
from ews import InputError, Pipeline

import naive


def test_pipeline_is_a_frozen_hashable_value():
    a = Pipeline(detrend="gaussian", bandwidth=0.2, window=0.5, indicators=["variance", "ar1"])
    b = Pipeline(detrend=ews.detrend.Gaussian(bandwidth=0.2), window=0.5, indicators=("variance", "ar1"))
    assert a == b and hash(a) == hash(b)
    with pytest.raises(Exception):
        a.window = 0.3
    c = a.replace(window=0.25, bandwidth=0.1)
    assert c.window == 0.25 and c.detrender.bandwidth == 0.1 and a.window == 0.5


def test_run_matches_the_steps_done_by_hand(rng):
    x = np.cumsum(rng.standard_normal(500)) * 0.1 + 5
    res = Pipeline(detrend="gaussian", bandwidth=0.1, window=0.5, indicators=["variance", "ar1"]).run(x)
    trend = naive.gaussian_nw(np.arange(500), x, 50.0)
    resid = x - trend
    np.testing.assert_allclose(res["residuals"].values, resid, atol=1e-10)
    var = naive.rolling(resid, 250, naive.variance)
    ar1 = naive.rolling(resid, 250, naive.ar1)
    np.testing.assert_allclose(res["variance"].values, var, rtol=1e-9)
    np.testing.assert_allclose(res["ar1"].values, ar1, rtol=1e-9)
    assert res.statistic.sel(indicator="variance") == pytest.approx(naive.kendall_tau_b(var), abs=1e-12)
    assert res.statistic.sel(indicator="ar1") == pytest.approx(naive.kendall_tau_b(ar1), abs=1e-12)


def test_summary_and_to_xarray(rng):
    X = rng.standard_normal((4, 300))
    res = ews.analyze(pd.DataFrame(X.T, columns=list("abcd")), detrend="linear", window=100,
                      indicators=["variance", ("autocorrelation", {"lag": 2})])
    df = res.summary()
    assert list(df.columns[:2]) == ["indicator", "series"] and "statistic" in df.columns
    assert len(df) == 8 and set(df["indicator"]) == {"variance", "autocorrelation_lag2"}
    ds = res.to_xarray()
    assert {"variance", "autocorrelation_lag2", "state", "trend", "residuals", "statistic"} <= set(ds.data_vars)
    assert ds["variance"].dims == ("series", "time")
    row = df[(df.indicator == "variance") & (df.series == "c")]["statistic"].item()
    assert row == ds["statistic"].sel(indicator="variance", series="c").item()


def test_to_netcdf_roundtrip(tmp_path, rng):
    res = ews.analyze(rng.standard_normal(200), detrend="gaussian", bandwidth=0.2)
    res.to_netcdf(tmp_path / "r.nc")
    back = xr.open_dataset(tmp_path / "r.nc")
    np.testing.assert_allclose(back["ar1"].values, res["ar1"].values)
    np.testing.assert_allclose(back["statistic"].values, res.statistic.values)


def test_batch_equals_single_rows(rng):
    X = rng.standard_normal((6, 400)).cumsum(axis=1)
    p = Pipeline(detrend="gaussian", bandwidth=0.15, window=0.4,
                 indicators=["variance", "ar1", "skewness", "kurtosis", "cv"])
    batch = p.run(X)
    for i in range(6):
        single = p.run(X[i])
        np.testing.assert_allclose(batch.statistic.values[:, i], single.statistic.values, rtol=0, atol=1e-14)
        np.testing.assert_allclose(batch["ar1"].values[i], single["ar1"].values, rtol=1e-14)


def test_rising_variance_is_detected(rng):
    n = 1000
    sd = np.linspace(0.5, 2.0, n)
    x = rng.standard_normal(n) * sd
    res = ews.analyze(x, detrend="none", window=0.3, indicators=["variance", "std"])
    assert (res.statistic.values > 0.8).all()


def test_textbook_pvalues_come_with_a_warning(rng):
    res = ews.analyze(rng.standard_normal(300).cumsum(), detrend="gaussian", bandwidth=0.1)
    with pytest.warns(ews.OverlappingWindowsWarning):
        p = res.textbook_pvalues()
    assert p.dims == ("indicator",) and ((p >= 0) & (p <= 1)).all()


def test_pipeline_errors():
    with pytest.raises(InputError, match="reserved"):
        ews.indicators.register_window_function("state", np.mean)
        Pipeline(indicators=["state"])
    ews.indicators.unregister("state")
    with pytest.raises(InputError, match="no parameter"):
        Pipeline(detrend="linear", bandwidth=0.2)


def test_dask_backed_input_gives_the_same_numbers(rng):
    pytest.importorskip("dask")
    X = rng.standard_normal((8, 200))
    da = xr.DataArray(X, dims=("cell", "time")).chunk({"cell": 3})
    p = Pipeline(detrend="gaussian", bandwidth=0.2, window=0.5)
    lazy = p.run(ews.TimeSeries(da))
    eager = p.run(X)
    np.testing.assert_allclose(lazy.statistic.values, eager.statistic.values, rtol=0, atol=0)


def test_replace_routes_detrending_parameters_like_the_constructor():
    p = Pipeline(detrend="gaussian", bandwidth=0.3, window=0.4)
    assert p.replace(truncate=3.0).detrender == ews.detrend.Gaussian(bandwidth=0.3, truncate=3.0)
    assert p.replace(detrend="lowess", span=0.4).detrender == ews.detrend.Lowess(span=0.4)
    # detrend=None is no detrending, as in the constructor (it used to keep the gaussian detrender)
    assert p.replace(detrend=None).detrender.name == "none"
    assert p.replace(detrend=None) == Pipeline(detrend=None, window=0.4)
    assert p.replace(detrend="gaussian").detrender == ews.detrend.Gaussian()  # built afresh
    # a parameter the detrender does not have: InputError naming the valid ones (was a dataclass TypeError)
    with pytest.raises(InputError, match=r"'linear' has no parameter\(s\) \['bandwidth'\].*detrend="):
        Pipeline(detrend="linear").replace(bandwidth=0.2)
    with pytest.raises(InputError, match=r"no parameter\(s\) \['windw'\].*Pipeline.replace takes"):
        p.replace(windw=0.3)
    with pytest.raises(InputError, match="no parameter"):
        p.replace(detrend=None, bandwidth=0.3)


@pytest.mark.parametrize("name", ["window", "time", "indicator", "length", "surrogate", "series"])
def test_indicator_labels_cannot_collide_with_dimensions_or_coordinates(name):
    """An indicator labelled like a dimension/coordinate was silently lost ('window', 'series') or crashed
    in xarray ('time', 'indicator')."""
    x = np.cumsum(np.random.default_rng(0).standard_normal(200)) * 0.1
    ews.indicators.register_window_function(name, lambda v: v.max() - v.min(), direction=1)
    try:
        with pytest.raises(InputError, match=rf"'{name}'.*register the indicator under another name"):
            Pipeline(indicators=[name, "ar1"]).run(np.vstack([x, x]))
        if name == "series":
            with pytest.raises(InputError, match="register the indicator under another name"):
                ews.indicators.compute(np.vstack([x, x]), [name])
    finally:
        ews.indicators.unregister(name)


def test_indicator_label_equal_to_a_coordinate_of_the_data_is_refused():
    x = np.random.default_rng(1).standard_normal((2, 100))
    da = xr.DataArray(x, dims=("site", "time"), coords={"site": ["a", "b"], "depth": ("site", [1.0, 2.0])})
    ews.indicators.register_window_function("depth", np.ptp)
    try:
        with pytest.raises(InputError, match=r"'depth'.*coords.*rename"):
            Pipeline(indicators=["depth"]).run(da)
    finally:
        ews.indicators.unregister("depth")
