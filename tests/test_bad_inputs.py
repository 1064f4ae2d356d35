"""A catalogue of hostile inputs (issue 7, section 2): every one gets a clear ``ews.InputError`` (or a
documented warning) whose message names the problem AND the fix, never a traceback from inside
numpy/pandas/xarray/numba and never a silently wrong number.

Each case is ``(id, call, substrings)``: ``call(tmp_path)`` must raise InputError, and the message must
contain every substring (the first names the problem, the others the fix).

Cases that need a call in the lead's modules (pipeline.py, indicators.py) are marked xfail until that
call is there; the marker looks for the call in the source, so they turn into real tests by themselves.
"""
from __future__ import annotations

import inspect
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import ews
from ews import _checks
from ews._errors import FewValuesWarning, PrecisionWarning

RNG = np.random.default_rng(7)
X = RNG.standard_normal(200)
WALK = np.cumsum(RNG.standard_normal(200))


def _calls(module, name: str) -> bool:
    """True when ``module``'s source calls ``name`` (the lead's pending calls)."""
    try:
        return name in inspect.getsource(module)
    except (OSError, TypeError):
        return False


import ews.indicators as _ind_mod  # noqa: E402
import ews.pipeline as _pipe_mod  # noqa: E402

NEEDS_RESIDUAL_CHECK = pytest.mark.xfail(
    not any(_calls(m, "check_residuals") for m in (_pipe_mod, ews.detrend)), strict=True,
    reason="needs the lead's call: _checks.check_residuals(det) after detrending in Pipeline.run")
NEEDS_COUNT_CHECK = pytest.mark.xfail(
    not any(_calls(m, "check_value_counts") for m in (_pipe_mod, _ind_mod)), strict=True,
    reason="needs the lead's call: _checks.check_value_counts(windows, det.row_lengths()) in Pipeline.run")
def _refuses(call) -> bool:
    """True when ``call`` raises InputError (the lead's check is in)."""
    try:
        call()
    except ews.InputError:
        return True
    except Exception:
        return False
    return False


NEEDS_PARAM_CHECK = pytest.mark.xfail(
    not _refuses(lambda: ews.indicators.Indicator("skewness", adjusted="yes")), strict=True,
    reason="needs the lead's call: _checks.check_indicator_params(...) in indicators._validate_params")
NEEDS_WINDOW_CHECK = pytest.mark.xfail(
    not _refuses(lambda: ews.indicators.check_window(10**30)), strict=True,
    reason="needs the lead's call: indicators.check_window delegating to _checks.check_window")
NEEDS_INDICATORS_ARG = pytest.mark.xfail(
    not _refuses(lambda: ews.indicators.as_indicators(3)), strict=True,
    reason="needs the lead's call: _checks.check_indicators_arg(specs) in indicators.as_indicators")
NEEDS_DOOR_OPTIONS = pytest.mark.xfail(
    not _calls(_pipe_mod, "split_door_options"), strict=True,
    reason="needs the lead's call: _checks.split_door_options(pipeline_args) in pipeline.analyze")


# ----------------------------------------------------------------------------------------------------
# files
# ----------------------------------------------------------------------------------------------------
YEARS = np.arange(1950, 2010)
VALS = np.round(np.sin(np.arange(60) / 4) * 3 + np.arange(60) / 20, 3)


def european_csv(tmp_path, name="eu.csv", columns=1):
    lines = ["year" + "".join(f";v{j}" for j in range(columns))]
    for y, v in zip(YEARS, VALS):
        lines.append(f"{y}" + "".join(f";{v + j:.3f}".replace(".", ",") for j in range(columns)))
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


def write(tmp_path, name, text, mode="w"):
    p = tmp_path / name
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def test_european_csv_is_read_as_the_right_numbers(tmp_path):
    ts = ews.read_csv(european_csv(tmp_path))
    np.testing.assert_allclose(ts.values, VALS)
    np.testing.assert_array_equal(ts.time, YEARS.astype(float))
    assert ts.history[0]["sep"] == ";" and ts.history[0]["decimal"] == ","


def test_european_csv_with_explicit_sep_and_decimal(tmp_path):
    ts = ews.read_csv(european_csv(tmp_path, columns=2), sep=";", decimal=",")
    np.testing.assert_allclose(ts.values, np.vstack([VALS, VALS + 1]))


def test_tab_separated_is_detected(tmp_path):
    p = write(tmp_path, "t.tsv", "year\tx\n" + "".join(f"{y}\t{v}\n" for y, v in zip(YEARS, VALS)))
    np.testing.assert_allclose(ews.read_csv(p).values, VALS)


def test_timezone_offsets_in_a_csv_become_utc(tmp_path):
    text = "date,x\n" + "".join(f"2021-03-{i + 1:02d}T00:00:00+0{1 + (i > 5)}:00,{v}\n" for i, v in enumerate(VALS[:20]))
    ts = ews.read_csv(write(tmp_path, "tz.csv", text))
    assert ts.time[0] == np.datetime64("2021-02-28T23:00")
    assert ts.time[10] == np.datetime64("2021-03-10T22:00")


CSV_CASES = [
    ("csv_european_forced_comma", lambda p: ews.read_csv(european_csv(p), sep=","),
     ("more fields than its header", "sep=';'", "decimal=','")),
    ("csv_one_column_header_with_separator",
     lambda p: ews.read_csv(write(p, "one.csv", "year;value\n" + "".join(f"{v}\n" for v in VALS))),
     ("one column", "contains ';'", "sep=';'")),
    ("csv_decimal_comma_with_decimal_dot", lambda p: ews.read_csv(european_csv(p), sep=";", decimal="."),
     ("not numeric", "'0,000'", "decimal=','")),
    ("csv_missing_marker", lambda p: ews.read_csv(write(p, "na.csv", "t,x\n0,1\n1,NA?\n2,3\n3,4\n")),
     ("not numeric", "row 1", "na_values=['NA?']")),
    ("csv_thousands", lambda p: ews.read_csv(write(p, "k.csv", 't,x\n0,"1,234.5"\n1,"2,000.0"\n2,3\n')),
     ("not numeric", "thousands=")),
    ("csv_directory", lambda p: ews.read_csv(p), ("is a directory", "path of a file")),
    ("csv_missing_file", lambda p: ews.read_csv(p / "nope.csv"), ("no such file",)),
    ("csv_binary", lambda p: ews.read_csv(write(p, "b.bin", bytes(range(256)) * 8, "wb")),
     ("could not read", "sep=")),
    ("csv_empty_file", lambda p: ews.read_csv(write(p, "e.csv", "")), ("could not read", "text CSV")),
    ("csv_header_only", lambda p: ews.read_csv(write(p, "h.csv", "t,x\n")), ("no data rows",)),
    ("csv_unknown_column", lambda p: ews.read_csv(european_csv(p), value="abundance"),
     ("no column 'abundance'", "the columns are")),
    ("csv_column_position", lambda p: ews.read_csv(european_csv(p), value=7), ("out of range", "2 columns")),
    ("csv_bad_sep", lambda p: ews.read_csv(european_csv(p), sep=1), ("sep must be", "';'")),
    ("csv_same_sep_and_decimal", lambda p: ews.read_csv(european_csv(p), sep=";", decimal=";"),
     ("both ';'", "decimal=','")),
    ("csv_time_column_not_first", lambda p: ews.read_csv(write(p, "tc.csv", "x,year\n" + "".join(
        f"{v},{y}\n" for y, v in zip(YEARS, VALS)))), ("looks like time", "time='year'")),
    ("csv_time_column_not_dates", lambda p: ews.read_csv(write(p, "d.csv", "when,x\nmon,1\ntue,2\nwed,3\n")),
     ("neither numeric nor dates", "time=")),
    ("csv_time_and_value_same", lambda p: ews.read_csv(european_csv(p), time="year", value="year"),
     ("both the time and a value column",)),
]


# ----------------------------------------------------------------------------------------------------
# DataFrames and pandas indexes
# ----------------------------------------------------------------------------------------------------
def test_dataframe_year_column_becomes_the_time_axis():
    df = pd.DataFrame({"year": YEARS, "abundance": VALS})
    ts = ews.TimeSeries(df)
    assert ts.shape == (1, 60)
    np.testing.assert_array_equal(ts.time, YEARS.astype(float))
    assert {"step": "time_column", "column": "year"} in ts.history
    # the year column is not analysed as a series
    assert list(ews.analyze(df, detrend="none").summary()["series"].unique()) == ["abundance"]


def test_dataframe_date_column_becomes_the_time_axis():
    df = pd.DataFrame({"x": VALS, "when": pd.date_range("2000-01-01", periods=60, freq="D")})
    ts = ews.TimeSeries(df)
    assert ts.time[1] == np.datetime64("2000-01-02")


def test_timezone_aware_index_is_converted_to_utc():
    idx = pd.date_range("2000-01-01", periods=60, freq="D", tz="Europe/Paris")
    ts = ews.TimeSeries(pd.Series(VALS, index=idx))
    assert ts.time.dtype == np.dtype("datetime64[ns]")
    assert ts.time[0] == np.datetime64("1999-12-31T23:00")


def test_period_index_becomes_timestamps():
    ts = ews.TimeSeries(pd.Series(VALS, index=pd.period_range("2000-01", periods=60, freq="M")))
    assert ts.time[1] == np.datetime64("2000-02-01")


def test_masked_entries_are_missing_values_not_their_hidden_numbers():
    x = np.ma.masked_array([1.0, 99.0, 3.0, 4.0], mask=[0, 1, 0, 0])
    np.testing.assert_array_equal(ews.TimeSeries(x, missing="interpolate").values, [1.0, 2.0, 3.0, 4.0])


def test_booleans_are_read_as_zero_and_one():
    """Documented: presence/absence data are analysed as 0/1."""
    np.testing.assert_array_equal(ews.TimeSeries(np.array([True, False, True])).values, [1.0, 0.0, 1.0])


FRAME_CASES = [
    ("df_year_not_increasing", lambda p: ews.TimeSeries(pd.DataFrame({"year": YEARS[::-1], "x": VALS})),
     ("'year' looks like time but is not increasing", "set_index('year')", "drop(columns='year')")),
    ("df_year_and_index", lambda p: ews.TimeSeries(pd.DataFrame({"year": YEARS, "x": VALS}, index=YEARS + 0.5)),
     ("'year' looks like time", "drop(columns='year')", "set_index('year')")),
    ("df_year_and_time_argument", lambda p: ews.TimeSeries(pd.DataFrame({"Year": YEARS, "x": VALS}), time=YEARS),
     ("looks like time but time= is given", "drop(columns='Year')")),
    ("df_two_time_columns", lambda p: ews.TimeSeries(pd.DataFrame({"year": YEARS, "date": YEARS, "x": VALS})),
     ("several columns that look like time", "set_index('year')")),
    ("df_only_time_column", lambda p: ews.TimeSeries(pd.DataFrame({"year": YEARS})), ("only the time column",)),
    ("df_time_column_text", lambda p: ews.TimeSeries(pd.DataFrame({"time": ["a", "b", "c"], "x": [1, 2, 3]})),
     ("neither numbers nor dates", "to_datetime")),
    ("df_empty", lambda p: ews.TimeSeries(pd.DataFrame()), ("no columns", "each column")),
    ("df_text_column", lambda p: ews.TimeSeries(pd.DataFrame({"x": VALS[:5], "site": list("abcde")})),
     ("column 'site', row 0 is 'a'", "to_numeric")),
    ("df_multiindex", lambda p: ews.TimeSeries(pd.Series(
        VALS[:6], index=pd.MultiIndex.from_product([["a", "b"], [1, 2, 3]], names=["site", "t"])),
    ), ("2 levels", "unstack")),
    ("tz_mixed_offsets_coincide", lambda p: ews.TimeSeries(pd.Series(
        [1.0, 2.0, 3.0], index=pd.Index([pd.Timestamp("2021-10-31 02:30+02:00"), pd.Timestamp("2021-10-31 01:30+01:00"),
                                         pd.Timestamp("2021-10-31 03:30+01:00")], dtype=object))),
     ("coincide once converted to UTC", "daylight-saving", "groupby")),
    ("time_nat", lambda p: ews.TimeSeries(VALS[:3], time=pd.to_datetime(["2000", None, "2002"])),
     ("missing (NaT)", "remove those observations")),
    ("time_beyond_datetime64_ns", lambda p: ews.TimeSeries(
        VALS[:3], time=np.array(["3000-01-01", "3001-01-01", "3002-01-01"], dtype="datetime64[D]")),
     ("1678-2262", "numeric time")),
]


# ----------------------------------------------------------------------------------------------------
# time axis and selections
# ----------------------------------------------------------------------------------------------------
TS = ews.TimeSeries(X)

TIME_CASES = [
    ("isel_reversed", lambda p: TS.isel(time=slice(None, None, -1)), ("not increasing", "sort")),
    ("sel_reversed", lambda p: TS.sel(time=slice(None, None, -1)), ("not increasing", "sort")),
    ("isel_reversed_into_pipeline", lambda p: ews.Pipeline().run(TS.isel(time=slice(None, None, -1))),
     ("not increasing", "sort")),
    ("from_xarray_reversed", lambda p: ews.TimeSeries.from_xarray(TS.to_xarray().isel(time=slice(None, None, -1))),
     ("not increasing", "sort")),
    ("isel_empty", lambda p: TS.isel(time=slice(5, 5)), ("leaves no time point", "select at least")),
    ("sel_empty", lambda p: TS.sel(time=slice(1e6, 2e6)), ("leaves no time point", "select at least")),
    ("isel_drops_time", lambda p: TS.isel(time=0), ("drops the time dimension", "slice(a, b)")),
    ("duplicate_time", lambda p: ews.TimeSeries([1.0, 2, 3], time=[0, 1, 1]), ("duplicate", "groupby")),
    ("unsorted_time", lambda p: ews.TimeSeries([1.0, 2, 3], time=[0, 2, 1]), ("not increasing", "sort=True")),
    ("time_text", lambda p: ews.TimeSeries([1.0, 2, 3], time=["a", "b", "c"]), ("numbers or dates", "to_datetime")),
    ("time_wrong_length", lambda p: ews.TimeSeries(X, time=np.arange(3)), ("3 stamps", "one time stamp per")),
    ("time_2d", lambda p: ews.TimeSeries(X, time=np.ones((200, 2))), ("shape (200, 2)", "1-D")),
    ("time_bool", lambda p: ews.TimeSeries([1.0, 2], time=[False, True]), ("True/False", "numbers or datetimes")),
    ("time_inf", lambda p: ews.TimeSeries([1.0, 2, 3], time=[0, 1, np.inf]), ("infinite", "fill the time stamps")),
    ("time_int_beyond_2_53", lambda p: ews.TimeSeries(VALS[:3], time=np.array([2**62, 2**62 + 1, 2**62 + 2])),
     ("beyond 2**53", "t - t[0]")),
    ("regularize_duration_on_numeric_time",
     lambda p: ews.TimeSeries(X[:5], time=[0, 1, 3, 4, 6]).regularize(step="1D"),
     ("time stamps are numbers", "step=1.0")),
    ("regularize_petabytes", lambda p: ews.TimeSeries(X[:5], time=[0, 1, 3, 4, 6]).regularize(step=1e-12),
     ("GiB", "regularize()")),
    ("regularize_bad_duration", lambda p: ews.TimeSeries(
        X[:3], time=pd.to_datetime(["2000-01-01", "2000-01-02", "2000-01-04"])).regularize(step="fortnight"),
     ("cannot read step='fortnight'", "'1D'")),
    ("regularize_number_on_dates", lambda p: ews.TimeSeries(
        X[:3], time=pd.to_datetime(["2000-01-01", "2000-01-02", "2000-01-04"])).regularize(step=1),
     ("are dates", "'1D'")),
    ("regularize_negative", lambda p: ews.TimeSeries(X[:5], time=[0, 1, 3, 4, 6]).regularize(step=-1),
     ("positive",)),
    ("regularize_nan", lambda p: ews.TimeSeries(X[:5], time=[0, 1, 3, 4, 6]).regularize(step=float("nan")),
     ("positive",)),
    ("regularize_bool", lambda p: ews.TimeSeries(X[:5], time=[0, 1, 3, 4, 6]).regularize(step=True),
     ("positive number",)),
]


# ----------------------------------------------------------------------------------------------------
# values
# ----------------------------------------------------------------------------------------------------
def _gen():
    return (v for v in X)


VALUE_CASES = [
    ("ragged_nested_list", lambda p: ews.TimeSeries([[1, 2, 3], [1, 2]]), ("different lengths", "Pad the short rows")),
    ("ragged_3d_list", lambda p: ews.TimeSeries([[[1, 2], [3]]]), ("different lengths", "Pad")),
    ("ragged_object_array", lambda p: ews.TimeSeries(np.array([np.arange(3), np.arange(2)], dtype=object)),
     ("different lengths", "rectangular")),
    ("column_vector", lambda p: ews.TimeSeries(X[:, None]), ("column vector", "x.ravel()", "x.T")),
    ("dict", lambda p: ews.TimeSeries({"a": X}), ("got dict", "pandas.DataFrame")),
    ("nested_dict", lambda p: ews.TimeSeries({"a": {"b": 1}}), ("got dict",)),
    ("none", lambda p: ews.TimeSeries(None), ("got NoneType", "1-D sequence")),
    ("string", lambda p: ews.TimeSeries("data.csv"), ("got str", "ews.read_csv")),
    ("generator", lambda p: ews.TimeSeries(_gen()), ("got generator", "1-D sequence")),
    ("set", lambda p: ews.TimeSeries({1.0, 2.0}), ("got set",)),
    ("scalar", lambda p: ews.TimeSeries(3.0), ("single number", "1-D")),
    ("empty_list", lambda p: ews.TimeSeries([]), ("empty", "at least")),
    ("empty_array", lambda p: ews.TimeSeries(np.empty((3, 0))), ("empty", "at least")),
    ("strings", lambda p: ews.TimeSeries(np.array(["a", "b", "c"])), ("element 0 is 'a'", "to_numeric")),
    ("complex", lambda p: ews.TimeSeries(X + 1j), ("complex", "np.real")),
    ("datetimes_as_values", lambda p: ews.TimeSeries(pd.date_range("2000", periods=5).to_numpy()),
     ("dates", "time axis")),
    ("timestamps_in_object_values", lambda p: ews.TimeSeries(np.array([pd.Timestamp("2000"), pd.Timestamp("2001")],
                                                                     dtype=object)), ("is a date", "time=")),
    ("inf", lambda p: ews.TimeSeries(np.r_[X, np.inf]), ("infinite", "missing='interpolate'")),
    ("nan", lambda p: ews.TimeSeries(np.r_[np.nan, X]), ("missing (NaN)", "missing='drop'")),
    ("object_none", lambda p: ews.TimeSeries(np.array([1.0, None, 3.0], dtype=object)),
     ("missing (NaN)", "missing='interpolate'")),
    ("all_nan_row", lambda p: ews.TimeSeries(np.vstack([X, np.full(200, np.nan)]), missing="interpolate"),
     ("no finite value at all (first: row 1)", "remove them")),
    ("nothing_left_to_drop", lambda p: ews.TimeSeries(np.array([[1, np.nan], [np.nan, 1.0]]), missing="drop"),
     ("every time point has a missing value",)),
    ("bad_missing_policy", lambda p: ews.TimeSeries(X, missing="zero"), ("missing must be one of", "'interpolate'")),
    ("huge_values", lambda p: ews.TimeSeries(X * 1e200), ("overflow", "Rescale", "x / 1e+200")),
    ("tiny_values", lambda p: ews.TimeSeries(X * 1e-200), ("underflow", "Rescale")),
    ("huge_values_into_pipeline", lambda p: ews.analyze(X * 1e200, detrend="none"), ("overflow", "Rescale")),
    ("masked_array", lambda p: ews.TimeSeries(np.ma.masked_array([1.0, 2, 3, 4], mask=[0, 1, 0, 0])),
     ("missing (NaN)", "missing='interpolate'")),
    ("nullable_int_with_na", lambda p: ews.TimeSeries(pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64")})),
     ("missing (NaN)", "missing='drop'")),
    ("cftime_calendar", lambda p: ews.TimeSeries(xr.DataArray(np.arange(10.0), dims="time", coords={
        "time": xr.date_range("2000", periods=10, freq="YS", calendar="noleap", use_cftime=True)})),
     ("cftime date", "calendar 'noleap'", "convert_calendar")),
    ("dataarray_without_time", lambda p: ews.TimeSeries(xr.DataArray(np.ones((3, 4)), dims=("a", "b"))),
     ("none is named 'time'", "time_dim=")),
    ("dataset", lambda p: ews.TimeSeries(xr.Dataset({"a": ("time", X)})), ("Dataset", "ds['x']")),
]


# ----------------------------------------------------------------------------------------------------
# arguments of the analysis
# ----------------------------------------------------------------------------------------------------
ARG_CASES = [
    ("window_true", lambda p: ews.analyze(X, window=True), ("window must be", "fraction")),
    ("window_text", lambda p: ews.analyze(X, window="0.5"), ("window must be", "fraction")),
    ("window_nan", lambda p: ews.analyze(X, window=float("nan")), ("0 < window <= 1",)),
    ("window_fraction_above_one", lambda p: ews.analyze(X, window=2.0), ("0 < window <= 1", "pass an int")),
    ("window_too_small", lambda p: ews.analyze(X, window=2), ("too small", "at least 3")),
    ("window_longer_than_series", lambda p: ews.analyze(X, window=500), ("needs 500", "smaller window")),
    pytest.param(lambda p: ews.analyze(X, window=10**30), ("longer than any series",),
                 marks=NEEDS_WINDOW_CHECK, id="window_huge_int"),
    ("bandwidth_negative", lambda p: ews.analyze(X, bandwidth=-1), ("bandwidth must be a positive number",)),
    ("bandwidth_nan", lambda p: ews.analyze(X, bandwidth=float("nan")), ("bandwidth must be a positive number",)),
    ("bandwidth_inf", lambda p: ews.analyze(X, bandwidth=float("inf")), ("bandwidth must be a positive number",)),
    ("bandwidth_bool", lambda p: ews.analyze(X, bandwidth=True), ("bandwidth must be a positive number",)),
    ("bandwidth_as_length", lambda p: ews.analyze(X, bandwidth=50), ("units='points'",)),
    ("span_above_one", lambda p: ews.analyze(X, detrend="lowess", span=2.0), ("0 < span <= 1",)),
    ("unknown_detrend", lambda p: ews.analyze(X, detrend="loess"), ("unknown detrending method", "lowess")),
    ("unknown_indicator", lambda p: ews.analyze(X, indicators=["varience"]), ("unknown indicator", "variance")),
    ("unknown_trend", lambda p: ews.analyze(X, trend=None), ("unknown trend statistic", "kendall")),
    ("unknown_indicator_parameter", lambda p: ews.analyze(X, indicators=[("variance", {"lag": 2})]),
     ("no parameter(s) ['lag']",)),
    ("lag_text", lambda p: ews.analyze(X, indicators=[("autocorrelation", {"lag": "2"})]), ("lag", "'2'")),
    ("lag_too_long", lambda p: ews.analyze(X, indicators=[("autocorrelation", {"lag": 10**6})]), ("lag + 2",)),
    pytest.param(lambda p: ews.analyze(X, indicators=[("skewness", {"adjusted": "yes"})]),
                 ("adjusted must be True or False", "'yes'"), marks=NEEDS_PARAM_CHECK, id="adjusted_text"),
    pytest.param(lambda p: ews.analyze(X, indicators=[("density_ratio", {"low": "a"})]),
                 ("low must be a finite number", "'a'"), marks=NEEDS_PARAM_CHECK, id="density_low_text"),
    pytest.param(lambda p: ews.analyze(X, indicators=3), ("indicators must be", "['variance', 'ar1']"),
                 marks=NEEDS_INDICATORS_ARG, id="indicators_int"),
    ("too_short_for_window", lambda p: ews.analyze(X[:4]), ("windows need at least 3 points", "longer series")),
    ("null_unknown", lambda p: ews.analyze(X, null="red", n_surrogates=9), ("unknown null model", "ar1")),
    ("surrogates_zero", lambda p: ews.analyze(X, null="ar1", n_surrogates=0), ("positive whole number",)),
    ("seed_text", lambda p: ews.analyze(X, null="ar1", n_surrogates=9, seed="a"), ("seed must be",)),
    ("irregular_time_into_pipeline", lambda p: ews.analyze(ews.TimeSeries(X[:50], time=np.arange(50.0) ** 1.5)),
     ("equally spaced", "regularize")),
]


ALL_CASES = CSV_CASES + FRAME_CASES + TIME_CASES + VALUE_CASES + ARG_CASES


def _params(cases):
    out = []
    for c in cases:
        out.append(pytest.param(c[1], c[2], id=c[0]) if type(c) is tuple else c)
    return out


@pytest.mark.parametrize("call, needles", _params(ALL_CASES))
def test_bad_input_gets_a_clear_input_error(call, needles, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # this test is about the error; warnings are tested below
        with pytest.raises(ews.InputError) as info:
            call(tmp_path)
    msg = str(info.value)
    for needle in needles:
        assert needle in msg, f"{needle!r} not in the message: {msg}"
    # numpy 2 reprs never leak into messages
    assert "np.int64(" not in msg and "np.str_(" not in msg and "np.float64(" not in msg, msg


# ----------------------------------------------------------------------------------------------------
# numpy scalars in messages
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    pytest.param(lambda: ews.Pipeline(window=np.int64(1)), id="window_int64"),
    pytest.param(lambda: ews.TimeSeries(np.array(["1", "a"])), id="values_str_"),
    pytest.param(lambda: ews.Pipeline(indicators=[np.str_("varience")]), id="indicator_str_"),
    pytest.param(lambda: ews.Pipeline(bandwidth=np.float64(-1.0)), id="bandwidth_float64"),
    pytest.param(lambda: ews.TimeSeries(np.vstack([X, np.full(200, np.nan)])), id="row_index"),
    pytest.param(lambda: ews.TimeSeries(X[:5], time=[0, 1, 3, 4, 6]).regularize(step=np.float64(-2)), id="step"),
    pytest.param(lambda: ews.analyze(X, null="ar1", n_surrogates=np.int64(0)), id="surrogates_int64"),
])
def test_messages_show_plain_values(call):
    with pytest.raises(ews.InputError) as info:
        call()
    assert "np." not in str(info.value), str(info.value)


# ----------------------------------------------------------------------------------------------------
# documented warnings: numbers that cannot be trusted
# ----------------------------------------------------------------------------------------------------
def test_int64_near_2_62_warns_at_the_door():
    x = 2**62 + (X * 1000).astype(np.int64)
    with pytest.warns(PrecisionWarning, match=r"beyond 2\*\*53.*x - x.min\(\)"):
        ews.TimeSeries(x)


def test_uint64_near_2_64_warns_at_the_door():
    with pytest.warns(PrecisionWarning, match=r"beyond 2\*\*53"):
        ews.TimeSeries(np.array([2**64 - 1, 2**64 - 2000, 2**64 - 3], dtype=np.uint64))


def test_integer_counts_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ews.analyze(RNG.poisson(5, 200), detrend="none")


def _detrended(x, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)
        return ews.detrend.get_detrender(kw.pop("detrend", "gaussian"), **kw).apply(ews.TimeSeries(x))


@pytest.mark.parametrize("x, kw, needles", [
    pytest.param(WALK, {"bandwidth": 1e-4}, ("rounding noise", "narrower than one sample", "wider bandwidth"),
                 id="bandwidth_below_one_sample"),
    pytest.param(1 + 1e-16 * X, {}, ("rounding noise", "subtract the level"), id="precision_floor"),
    pytest.param(2**62 + (X * 1000).astype(np.int64), {}, ("rounding noise", "subtract the level"), id="int64_2_62"),
])
def test_residuals_of_rounding_noise_warn(x, kw, needles):
    det = _detrended(x, **kw)
    with pytest.warns(PrecisionWarning) as rec:
        _checks.check_residuals(det)
    msg = str(rec[0].message)
    assert all(n in msg for n in needles), msg


@pytest.mark.parametrize("x", [X, WALK, 288 + 0.01 * X, 1e-30 * X, 1e30 * WALK, RNG.poisson(5, 200)],
                         ids=["noise", "walk", "kelvin", "tiny_scale", "huge_scale", "counts"])
def test_ordinary_series_do_not_warn(x):
    det = _detrended(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _checks.check_residuals(det)
        ews.analyze(x)


@NEEDS_RESIDUAL_CHECK
@pytest.mark.parametrize("x, kw", [
    pytest.param(WALK, {"bandwidth": 1e-4}, id="bandwidth_below_one_sample"),
    pytest.param(1 + 1e-16 * X, {}, id="precision_floor"),
])
def test_pipeline_warns_when_residuals_are_rounding_noise(x, kw):
    with pytest.warns(PrecisionWarning, match="rounding noise"):
        ews.analyze(x, **kw)


def test_few_indicator_values_warn():
    with pytest.warns(FewValuesWarning, match=r"leaves 1 indicator value.*NaN.*smaller window"):
        _checks.check_value_counts(np.array([200]), np.array([200]))
    with pytest.warns(FewValuesWarning, match=r"leaves 2 indicator value.*\+-1"):
        _checks.check_value_counts(np.array([199]), np.array([200]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _checks.check_value_counts(np.array([100, 0]), np.array([200, 2]))  # 0: a row skipped on purpose


@NEEDS_COUNT_CHECK
def test_window_of_the_whole_series_warns_in_the_pipeline():
    with pytest.warns(FewValuesWarning, match="smaller window"):
        res = ews.analyze(X, window=1.0, detrend="none")
    assert np.isnan(res.statistic_values).all()


def test_constant_series_warns_degenerate():
    with pytest.warns(ews.DegenerateWindowWarning):
        ews.analyze(np.ones(100), detrend="none")


# ----------------------------------------------------------------------------------------------------
# the checks the lead's modules call, tested directly
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("window, needle", [
    (True, "window must be"), ("0.5", "window must be"), (None, "window must be"), (2, "too small"),
    (10**30, "longer than any series"), (float("inf"), "0 < window <= 1"), (1.5, "pass an int"),
    (np.int64(1), "window=1 points"),
])
def test_check_window(window, needle):
    with pytest.raises(ews.InputError, match=None) as info:
        _checks.check_window(window)
    assert needle in str(info.value) and "np." not in str(info.value)


@pytest.mark.parametrize("name, params, needle", [
    ("autocorrelation", {"lag": "2"}, "lag must be a whole number"),
    ("autocorrelation", {"lag": 2.0}, "lag must be a whole number"),
    ("autocorrelation", {"lag": True}, "lag must be a whole number"),
    ("skewness", {"adjusted": "yes"}, "adjusted must be True or False"),
    ("kurtosis", {"excess": 1}, "excess must be True or False"),
    ("density_ratio", {"low": "a"}, "low must be a finite number"),
    ("density_ratio", {"high": float("nan")}, "high must be a finite number"),
    ("density_ratio", {"low": True}, "low must be a finite number"),
])
def test_check_indicator_params(name, params, needle):
    defaults = ews.indicators.get(name).defaults
    with pytest.raises(ews.InputError) as info:
        _checks.check_indicator_params(name, {**defaults, **params}, defaults)
    assert needle in str(info.value) and f"({name!r}, {{" in str(info.value)


def test_check_indicator_params_accepts_good_values():
    _checks.check_indicator_params("autocorrelation", {"lag": np.int64(2)}, {"lag": 1})
    _checks.check_indicator_params("density_ratio", {"low": 0.1, "high": 1 / 2}, {"low": 0.05, "high": 0.5})
    _checks.check_indicator_params("skewness", {"adjusted": np.bool_(True)}, {"adjusted": False})


@pytest.mark.parametrize("specs", [3, 2.5, {"variance"}, None, {"autocorrelation": {"lag": 2}}])
def test_check_indicators_arg(specs):
    with pytest.raises(ews.InputError, match=r"indicators must be a name or a list"):
        _checks.check_indicators_arg(specs)


def test_split_door_options():
    kw = {"missing": "interpolate", "bandwidth": 0.2, "sort": True}
    assert _checks.split_door_options(kw) == {"missing": "interpolate", "sort": True}
    assert kw == {"bandwidth": 0.2}


@NEEDS_DOOR_OPTIONS
def test_analyze_accepts_the_door_options():
    x = X.copy()
    x[10] = np.nan
    res = ews.analyze(x, missing="interpolate", detrend="none")
    assert np.isfinite(res.statistic_values).all()


# ----------------------------------------------------------------------------------------------------
# the ews command, through its real entry point
# ----------------------------------------------------------------------------------------------------
def ews_cmd(*args, cwd=None):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "ews.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def _one_clear_line(res, code, *needles):
    assert res.returncode == code, (res.returncode, res.stdout, res.stderr)
    err = res.stderr.strip()
    assert "Traceback" not in err, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("ews: error:"), err
    for n in needles:
        assert n in err, err


@pytest.mark.parametrize("args, needles", [
    pytest.param(["{eu}", "--output", "{tmp}/missing/out.csv"], ("does not exist", "mkdir -p"), id="output_missing_folder"),
    pytest.param(["{eu}", "--output", "{tmp}"], ("is a directory", "results.csv"), id="output_is_a_directory"),
    pytest.param(["{eu}", "--output", "{tmp}/out.xlsx"], (".nc", ".csv"), id="output_extension"),
    pytest.param(["{tmp}"], ("is a directory", "CSV file"), id="input_is_a_directory"),
    pytest.param(["{tmp}/nope.csv"], ("no such file",), id="input_missing"),
    pytest.param(["{eu}", "--sep", ","], ("more fields than its header", "--sep ';' --decimal ','"), id="european_forced_comma"),
    pytest.param(["{eu}", "--window", "abc"], ("--window", "0.5"), id="window_text"),
    pytest.param(["{eu}", "--window", "1.5"], ("0 < window <= 1",), id="window_above_one"),
    pytest.param(["{eu}", "--bandwidth", "nan"], ("bandwidth",), id="bandwidth_nan"),
    pytest.param(["{eu}", "--indicators", "varience"], ("unknown indicator",), id="indicator_unknown"),
    pytest.param(["{eu}", "--bogus"], ("unrecognized arguments", "--help"), id="unknown_option"),
    pytest.param(["{eu}", "--trend", "tau"], ("invalid choice", "--help"), id="bad_choice"),
    pytest.param(["--dataset", "fold", "--sep", ";"], ("apply to a CSV file",), id="dataset_with_sep"),
    pytest.param(["--dataset", "nope"], ("unknown dataset",), id="dataset_unknown"),
    pytest.param(["{eu}", "--null", "ar1", "--surrogates", "0"], ("positive whole number",), id="surrogates_zero"),
])
def test_cli_bad_arguments_one_line_exit_2(args, needles, tmp_path):
    eu = european_csv(tmp_path)
    res = ews_cmd("analyze", *[a.format(eu=eu, tmp=tmp_path) for a in args])
    _one_clear_line(res, 2, *needles)
    assert res.stdout == "", "the paths and arguments are checked before any work"


def test_cli_reads_a_european_csv(tmp_path):
    eu = european_csv(tmp_path)
    out = tmp_path / "out.csv"
    res = ews_cmd("analyze", eu, "--output", out)
    assert res.returncode == 0, res.stderr
    auto = pd.read_csv(out)
    res = ews_cmd("analyze", eu, "--sep", ";", "--decimal", ",", "--output", out)
    assert res.returncode == 0, res.stderr
    pd.testing.assert_frame_equal(auto, pd.read_csv(out))
    expected = ews.analyze(ews.TimeSeries(VALS, time=YEARS), window=0.5,
                           indicators=["variance", "ar1", "skewness", "kurtosis"]).summary()
    np.testing.assert_allclose(auto["statistic"], expected["statistic"])


def test_cli_help_documents_the_exit_codes():
    res = ews_cmd("analyze", "--help")
    assert res.returncode == 0
    text = " ".join(res.stdout.split())
    assert "0 success" in text and "2 bad input or arguments" in text and "1 unexpected error" in text


def test_cli_keeps_the_printed_results_when_writing_fails(tmp_path, monkeypatch, capsys):
    """A write failure after the analysis: exit 1, one line, and the table is already on stdout."""
    from ews import cli

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    rc = cli.main(["analyze", str(european_csv(tmp_path)), "--output", str(tmp_path / "out.csv")])
    cap = capsys.readouterr()
    assert rc == 1
    assert "variance" in cap.out and "ar1" in cap.out
    assert "could not write" in cap.err and "table above" in cap.err and "Traceback" not in cap.err


def test_cli_unexpected_errors_are_one_line(tmp_path, monkeypatch, capsys):
    from ews import cli

    def bug(*a, **k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(ews.Pipeline, "run", bug)
    rc = cli.main(["analyze", str(european_csv(tmp_path))])
    err = capsys.readouterr().err
    assert rc == 1 and len(err.strip().splitlines()) == 1 and "--debug" in err
    with pytest.raises(ZeroDivisionError):
        cli.main(["--debug", "analyze", str(european_csv(tmp_path))])


def test_cli_restores_showwarning_after_the_run(tmp_path, capsys):
    """main() used to replace warnings.showwarning for good (a caller's own warnings then went through it)."""
    from ews import cli

    before = warnings.showwarning
    assert cli.main(["indicators"]) == 0
    assert warnings.showwarning is before
    capsys.readouterr()


@pytest.mark.parametrize("where", ["before", "after"])
def test_cli_debug_is_accepted_before_or_after_the_subcommand(tmp_path, monkeypatch, capsys, where):
    from ews import cli

    def bug(*a, **k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(ews.Pipeline, "run", bug)
    path = str(european_csv(tmp_path))
    argv = ["--debug", "analyze", path] if where == "before" else ["analyze", path, "--debug"]
    with pytest.raises(ZeroDivisionError):
        cli.main(argv)
    assert cli.main(["analyze", path]) == 1  # without it: one line, exit 1
    assert "--debug" in capsys.readouterr().err
    assert cli.main(["datasets", "--debug"]) == 0


def test_issue8_tests_refuse_irregular_time_like_the_indicators():
    """Windows of a fixed number of points, AR and ARMA fits assume one time step: ch_test, bds_test and
    rolling potential analysis refuse an irregular axis (as the rolling indicators do); along= does not
    need one."""
    import ews

    rng = np.random.default_rng(0)
    ts = ews.TimeSeries(rng.normal(size=120), time=np.cumsum(rng.exponential(size=120)))
    for call in (lambda: ews.nonlinear.ch_test(ts, window=30), lambda: ews.potential_analysis(ts, window=30),
                 lambda: ews.nonlinear.bds_test(ts, boots=9), lambda: ews.indicators.compute(ts, ["dip"], 30)):
        with pytest.raises(ews.InputError, match="equally spaced"):
            call()
    res = ews.potential_analysis(ts, along=np.linspace(0, 1, 120), n_steps=5)
    assert res.n_wells.shape[-1] == 5
