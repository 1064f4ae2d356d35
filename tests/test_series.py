"""TimeSeries: construction from every supported input, validation at the door, provenance."""
import json
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import ews
from ews import InputError, TimeSeries


# ---------------------------------------------------------------------------------------------- inputs
def test_from_1d_numpy():
    ts = TimeSeries(np.arange(10.0), name="x", units="m")
    assert ts.n == 10 and ts.dims == ("time",) and ts.name == "x" and ts.units == "m"
    np.testing.assert_array_equal(ts.time, np.arange(10.0))


def test_from_2d_numpy_rows_are_series():
    ts = TimeSeries(np.zeros((3, 20)) + np.arange(20))
    assert ts.dims == ("series", "time") and ts.shape == (3, 20) and ts.n_rows == 3


def test_int_and_bool_become_float64():
    assert TimeSeries(np.arange(5)).values.dtype == np.float64
    assert TimeSeries(np.array([True, False, True, True])).values.dtype == np.float64


def test_from_pandas_series_numeric_index():
    s = pd.Series([1.0, 2.0, 4.0], index=[10.0, 20.0, 30.0], name="abundance")
    ts = TimeSeries(s)
    np.testing.assert_array_equal(ts.time, [10.0, 20.0, 30.0])
    assert ts.step == 10.0


def test_from_pandas_series_datetime_index_is_regular_monthly():
    idx = pd.date_range("2000-01-01", periods=24, freq="MS")  # month starts: 28..31-day steps
    ts = TimeSeries(pd.Series(np.arange(24.0), index=idx))
    assert np.issubdtype(ts.time.dtype, np.datetime64)
    assert ts.is_regular  # calendar-regular counts as regular
    assert ts.t[1] - ts.t[0] == 31.0  # numeric time in days


def test_from_dataframe_each_column_a_series():
    df = pd.DataFrame({"a": np.arange(5.0), "b": np.arange(5.0) * 2}, index=np.arange(5) * 0.5)
    ts = TimeSeries(df)
    assert ts.dims == ("series", "time")
    assert list(ts.state["series"].values) == ["a", "b"]
    np.testing.assert_array_equal(ts.values[1], np.arange(5.0) * 2)


def test_from_dataarray_extra_dims_ride_along():
    da = xr.DataArray(np.random.default_rng(0).standard_normal((2, 3, 50)), dims=("lat", "lon", "time"),
                      coords={"lat": [1.0, 2.0], "lon": [5, 6, 7], "time": np.arange(50) * 2.0})
    ts = TimeSeries(da.transpose("time", "lat", "lon"))  # time need not be last on input
    assert ts.dims == ("lat", "lon", "time") and ts.n_rows == 6
    res = ews.Pipeline(detrend="none", window=0.5).run(ts)
    assert res.statistic.dims == ("indicator", "lat", "lon")


def test_dataarray_with_other_time_name():
    da = xr.DataArray(np.arange(5.0), dims=("year",), coords={"year": np.arange(2000, 2005)})
    ts = TimeSeries(da, time_dim="year")
    assert ts.dims == ("time",) and ts.time[0] == 2000


def test_read_csv(tmp_path):
    p = tmp_path / "d.csv"
    pd.DataFrame({"year": [1, 2, 3, 4], "x": [1.0, 2.0, 3.0, 5.0], "y": [0, 1, 0, 1]}).to_csv(p, index=False)
    ts = ews.read_csv(p, time="year", value="x")
    assert ts.n == 4 and ts.name == "x" and ts.history[0]["step"] == "read_csv"
    both = ews.read_csv(p, time="year")
    assert both.shape == (2, 4)
    with pytest.raises(InputError, match="no column 'z'"):
        ews.read_csv(p, time="year", value="z")
    with pytest.raises(InputError, match="no such file"):
        ews.read_csv(tmp_path / "missing.csv")


def test_read_csv_dates(tmp_path):
    p = tmp_path / "d.csv"
    pd.DataFrame({"date": ["2001-01-01", "2001-01-02", "2001-01-03"], "v": [1.0, 2.0, 3.0]}).to_csv(p, index=False)
    ts = ews.read_csv(p, time="date", value="v")
    assert np.issubdtype(ts.time.dtype, np.datetime64)


# ------------------------------------------------------------------------------------------ validation
def test_empty_input():
    for bad in ([], np.array([]), np.zeros((3, 0)), pd.Series([], dtype=float)):
        with pytest.raises(InputError, match="empty"):
            TimeSeries(bad)


def test_non_numeric_values():
    with pytest.raises(InputError, match="must be numeric.*'a'"):
        TimeSeries(np.array(["1.0", "a", "3"], dtype=object))
    with pytest.raises(InputError, match="complex"):
        TimeSeries(np.array([1 + 1j, 2]))


def test_missing_raise_reports_count_and_positions():
    x = np.arange(20.0)
    x[[3, 7]] = np.nan
    x[9] = np.inf
    with pytest.raises(InputError) as e:
        TimeSeries(x)
    msg = str(e.value)
    assert "3 missing" in msg and "time index 3" in msg and "time index 7" in msg
    assert "missing='interpolate'" in msg and "missing='drop'" in msg
    assert isinstance(e.value, ValueError)


def test_missing_in_batch_names_the_row():
    X = np.zeros((3, 10))
    X[2, 4] = np.nan
    with pytest.raises(InputError, match=r"row 2, time index 4"):
        TimeSeries(X)


def test_missing_interpolate_and_drop():
    x = np.array([0.0, 1.0, np.nan, 3.0, np.nan, 5.0])
    ts = TimeSeries(x, missing="interpolate")
    np.testing.assert_allclose(ts.values, np.arange(6.0))
    assert ts.history[-1] == {"step": "missing", "policy": "interpolate", "count": 2}
    ts2 = TimeSeries(x, missing="drop")
    np.testing.assert_array_equal(ts2.time, [0, 1, 3, 5])
    with pytest.raises(InputError, match="missing must be one of"):
        TimeSeries(x, missing="zero")


def test_all_missing_row():
    X = np.ones((2, 5))
    X[1] = np.nan
    with pytest.raises(InputError, match="no finite value"):
        TimeSeries(X, missing="interpolate")


def test_duplicate_time_stamps():
    with pytest.raises(InputError, match="duplicate time stamp.*index 2"):
        TimeSeries([1.0, 2.0, 3.0], time=[0.0, 1.0, 1.0])


def test_unsorted_time_stamps_and_sort():
    with pytest.raises(InputError, match="not increasing.*sort=True"):
        TimeSeries([1.0, 2.0, 3.0], time=[0.0, 2.0, 1.0])
    ts = TimeSeries([1.0, 2.0, 3.0], time=[0.0, 2.0, 1.0], sort=True)
    np.testing.assert_array_equal(ts.values, [1.0, 3.0, 2.0])


def test_time_length_mismatch():
    with pytest.raises(InputError, match="one time stamp per observation"):
        TimeSeries(np.arange(5.0), time=np.arange(4.0))


def test_irregular_spacing_needs_regularize():
    t = np.sort(np.random.default_rng(0).uniform(0, 100, 200))
    ts = TimeSeries(np.sin(t / 10), time=t)
    assert not ts.is_regular
    with pytest.raises(InputError, match=r"equally spaced.*regularize"):
        ews.analyze(ts, detrend="none")
    reg = ts.regularize(step=0.5)
    assert reg.is_regular and reg.history[-1]["step"] == "regularize"
    np.testing.assert_allclose(reg.values, np.interp(reg.t, t, np.sin(t / 10)))
    ews.analyze(reg, detrend="none")  # now fine


def test_series_shorter_than_window():
    with pytest.raises(InputError, match="has 20 points but the window needs 50"):
        ews.analyze(np.random.default_rng(0).standard_normal(20), detrend="none", window=50)


def test_window_under_three_points():
    with pytest.raises(InputError, match="at least 3 points"):
        ews.Pipeline(window=2)
    with pytest.raises(InputError, match="at least 3 points"):
        ews.analyze(np.arange(40.0) ** 0.5, detrend="none", window=0.05)  # floor(0.05 * 40) = 2


def test_window_form():
    for bad in (0.0, 1.5, -3, "half", True, float("nan")):
        with pytest.raises(InputError):
            ews.Pipeline(window=bad)


def test_constant_series_gives_nan_with_warning_not_a_crash():
    with pytest.warns(ews.DegenerateWindowWarning, match="constant"):
        res = ews.analyze(np.full(100, 3.0), detrend="none", window=0.5,
                          indicators=["variance", "ar1", "skewness", "kurtosis"])
    assert np.all(res["variance"].values[49:] == 0.0)
    assert np.all(np.isnan(res["ar1"].values))
    assert np.isnan(res.statistic.sel(indicator="ar1"))


def test_no_numba_traceback_on_bad_input():
    """Every bad input is caught at the door: the error is an InputError, not a numba error."""
    bad_inputs = [dict(data=np.array([1.0, np.nan, 3.0] * 20)), dict(data=np.ones((2, 3))),
                  dict(data=np.random.default_rng(0).standard_normal(50), window=60)]
    for kw in bad_inputs:
        data = kw.pop("data")
        with pytest.raises(InputError):
            ews.analyze(data, detrend="none", **kw)


# ------------------------------------------------------------------------------------------ provenance
def test_history_records_every_step():
    ts = TimeSeries(np.random.default_rng(0).standard_normal(100), name="x")
    det = ts.detrend("gaussian", bandwidth=0.2)
    h = det.history[-1]
    assert h["step"] == "detrend" and h["method"] == "gaussian" and h["bandwidth"] == 0.2
    assert h["sigma"] == pytest.approx(0.2 * 100)
    assert ts.history == []  # the original is untouched
    np.testing.assert_allclose(det.state.values, (det.trend + det.residuals).values, rtol=0, atol=1e-12)


def test_to_netcdf_roundtrip(tmp_path):
    ts = TimeSeries(np.arange(10.0), name="x", attrs={"ground_truth": {"model": "ou", "forced": False}})
    ts.detrend("linear").to_netcdf(tmp_path / "x.nc")
    back = xr.open_dataset(tmp_path / "x.nc")
    assert json.loads(back.attrs["ground_truth"][5:]) == {"model": "ou", "forced": False}
    np.testing.assert_allclose(back["residuals"].values, 0.0, atol=1e-12)


def test_to_pandas():
    ts = TimeSeries(np.arange(6.0).reshape(2, 3))
    df = ts.to_pandas()
    assert df.shape == (3, 2)
    assert isinstance(TimeSeries(np.arange(3.0)).to_pandas(), pd.Series)


def test_ragged_rows_before_transition():
    da = xr.DataArray(np.arange(30.0).reshape(3, 10), dims=("replicate", "time"),
                      coords={"time": np.arange(10.0), "transition_time": ("replicate", [4.0, np.nan, 7.5])})
    ts = TimeSeries(da).before_transition()
    np.testing.assert_array_equal(ts.lengths, [4, 10, 8])
    assert ts.is_ragged and np.isnan(ts.values[0, 4:]).all()
    with pytest.raises(InputError, match="transition_time"):
        TimeSeries(np.arange(10.0)).before_transition()


# ------------------------------------------------------------------------------------ public rebuilds
def test_with_values_keeps_the_axes_and_adds_leading_dimensions_in_front():
    t = np.arange(50) * 0.5
    ts = TimeSeries(np.random.default_rng(0).standard_normal((3, 50)), time=t, name="x")
    new = ts.with_values(np.ones((2, 3, 50)), prepend={"surrogate": [10, 11]}, step={"step": "test"})
    assert new.dims == ("surrogate", "series", "time") and new.shape == (2, 3, 50)
    np.testing.assert_array_equal(new.time, t)
    assert new.name == "x" and new.history[-1] == {"step": "test"} and ts.history == []
    assert list(new.state["surrogate"].values) == [10, 11]
    flat = ts.with_values(np.zeros((3, 50)))  # (n_rows, n) is accepted too
    assert flat.shape == ts.shape and not flat.is_detrended
    with pytest.raises(InputError, match="expected the shape"):
        ts.with_values(np.zeros(7))
    with pytest.raises(InputError, match="both trend and residuals"):
        ts.with_values(ts.values, trend=ts.values)


def test_with_values_broadcasts_ragged_lengths_and_residuals_as_state_keeps_them():
    fold = ews.simulate("ou", replicates=3, seed=1, t_max=100).before_transition()
    ragged = fold.with_lengths(np.array([100, 80, 60]))
    det = ragged.detrend("linear")
    res = det.residuals_as_state()
    assert not res.is_detrended and res.is_ragged
    np.testing.assert_array_equal(res.values, det.residuals.values)
    draws = res.with_values(np.zeros((4,) + res.shape), prepend={"surrogate": np.arange(4)})
    assert draws.lengths.shape == (4, 3)
    np.testing.assert_array_equal(draws.lengths[2], [100, 80, 60])


def test_from_xarray_round_trips_and_validates_time():
    ts = TimeSeries(np.random.default_rng(0).standard_normal(40)).detrend("linear")
    back = TimeSeries.from_xarray(ts.to_xarray())
    assert back.is_detrended
    np.testing.assert_array_equal(back.residuals.values, ts.residuals.values)
    rev = ts.to_xarray().isel(time=slice(None, None, -1))
    with pytest.raises(InputError, match="not increasing"):
        TimeSeries.from_xarray(rev)
    with pytest.raises(InputError, match="no 'state'"):
        TimeSeries.from_xarray(ts.to_xarray().rename({"state": "x"}))


def test_every_selection_validates_time():
    ts = TimeSeries(np.arange(20.0))
    with pytest.raises(InputError, match="not increasing"):
        ts.isel(time=slice(None, None, -1))
    with pytest.raises(InputError, match="no time point"):
        ts.isel(time=slice(5, 5))
    with pytest.raises(InputError, match="drops the time dimension"):
        ts.isel(time=3)
    assert ts.sel(time=slice(2.0, 9.0)).n == 8


def test_numpy_input_builds_no_xarray_until_asked():
    ts = TimeSeries(np.random.default_rng(0).standard_normal(100))
    res = ews.Pipeline(detrend="gaussian", bandwidth=0.2, window=0.5).run(ts)
    assert ts._ds is None and res.timeseries._ds is None and res._ds is None  # nothing built yet
    assert res.statistic_values.shape == (2,)
    np.testing.assert_array_equal(res.statistic.values, res.statistic_values)  # built on demand


# ------------------------------------------------------------------ found in review: the length door
@pytest.mark.parametrize("lengths, match", [([5, 300], "must lie in 0..100"), ([-5, 100], "must lie in 0..100"),
                                            ([np.nan, 100.0], "whole numbers"), ([2.5, 100.0], "whole numbers")])
def test_a_length_coordinate_is_checked_at_the_door(lengths, match):
    # the kernels read `length` points of each row: an unchecked length read past the array (segfault)
    da = xr.DataArray(np.random.default_rng(0).standard_normal((2, 100)), dims=("river", "time"),
                      coords={"length": ("river", lengths)})
    with pytest.raises(InputError, match=match):
        ews.TimeSeries(da)
    with pytest.raises(InputError, match=match):
        TimeSeries.from_xarray(da.to_dataset(name="state"))


def test_lengths_are_copied_and_carried_through_time_selections():
    rng = np.random.default_rng(1)
    L = np.array([300, 250, 200])
    ts = TimeSeries(rng.standard_normal((3, 300))).with_lengths(L)
    L[1] = 100_000  # the caller's array changes later: the series does not
    np.testing.assert_array_equal(ts.lengths, [300, 250, 200])
    np.testing.assert_array_equal(ts.isel(time=slice(10, None)).lengths, [290, 240, 190])
    np.testing.assert_array_equal(ts.isel(time=slice(None, None, 2)).lengths, [150, 125, 100])
    # first differences of ragged rows (built on a time slice): one point fewer per row, as row by row
    res = ews.Pipeline(detrend="first_difference", window=0.5).run(ts)
    for i, n in enumerate([300, 250, 200]):
        alone = ews.Pipeline(detrend="first_difference", window=0.5).run(ts.values[i, :n])
        np.testing.assert_allclose(res.statistic_values[:, i], alone.statistic_values, rtol=1e-12)


def test_time_is_copied_at_the_door_and_read_only():
    t = np.arange(100.0)
    ts = TimeSeries(np.random.default_rng(2).standard_normal(100), time=t)
    t[10] = -5.0
    assert ts.t[10] == 10.0 and ts.time[10] == 10.0
    with pytest.raises(ValueError):
        ts.time[0] = 3.0


def test_history_is_never_shared_and_a_string_history_is_kept_as_one_record(tmp_path):
    det = TimeSeries(np.random.default_rng(3).standard_normal(50)).detrend("linear")
    res = det.residuals_as_state()
    res.attrs["history"].append({"step": "mine"})
    assert len(det.history) == 1
    da = xr.DataArray(np.arange(10.0), dims="time", attrs={"history": "Mon Jan 1: cdo yearmean"})
    assert TimeSeries(da).history == [{"step": "source", "history": "Mon Jan 1: cdo yearmean"}]
    p = tmp_path / "d.nc"
    det.to_netcdf(p)
    assert TimeSeries.from_xarray(xr.open_dataset(p)).history == det.history


def test_selections_that_cannot_select_get_an_input_error():
    ts = TimeSeries(np.arange(100.0))
    for call, match in [(lambda: ts.sel(time=[1.5]), "does not select"), (lambda: ts.isel(foo=0), "no dimension"),
                        (lambda: ts.isel(time=[500]), "does not select")]:
        with pytest.raises(InputError, match=match):
            call()


def test_float32_time_stamps_are_regular_at_their_own_precision():
    t32 = 1900 + np.arange(2000, dtype=np.float32) * np.float32(0.1)
    assert TimeSeries(np.random.default_rng(4).standard_normal(2000), time=t32).is_regular
    assert not TimeSeries(np.zeros(5) + np.arange(5), time=np.array([0, 1, 2, 3.5, 4.0])).is_regular


def test_string_dates_and_duplicated_columns_of_a_dataframe():
    v = np.random.default_rng(5).standard_normal(20)
    dates = pd.Series([f"2000-01-{i + 1:02d}" for i in range(20)], dtype="string")
    ts = TimeSeries(pd.DataFrame({"date": dates, "v": v}))
    assert np.issubdtype(ts.time.dtype, np.datetime64)
    with pytest.raises(InputError, match="duplicated column"):
        TimeSeries(pd.DataFrame(np.c_[v, v], columns=["a", "a"]))
