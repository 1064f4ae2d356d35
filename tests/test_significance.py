"""Surrogate tests: the p-value formula and tails, calibration, reproducibility, results, sensitivity grids."""
import numba
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import ews
from ews import InputError, Pipeline
from ews.significance import pvalue, sensitivity, surrogate_test


def _ar1_rows(n_rows, n, phi, seed, sd_ramp=None):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal((n_rows, n + 100))
    if sd_ramp is not None:
        e[:, 100:] *= np.linspace(1.0, sd_ramp, n)
    z = np.zeros_like(e)
    for t in range(1, e.shape[1]):
        z[:, t] = phi * z[:, t - 1] + e[:, t]
    return z[:, 100:]


PIPE = Pipeline(detrend="gaussian", bandwidth=0.2, window=0.5, indicators=["variance", "ar1", "skewness"])


# ----------------------------------------------------------------------------------------------------
# the p-value
# ----------------------------------------------------------------------------------------------------
def test_pvalue_formula_and_tails():
    null = np.array([0.1, 0.2, 0.3, 0.4, np.nan])  # NaN surrogates do not count: B = 4
    assert pvalue(0.35, null, "greater") == pytest.approx((1 + 1) / 5)
    assert pvalue(0.3, null, "greater") == pytest.approx((1 + 2) / 5)  # ties count against the signal
    assert pvalue(0.3, null, "less") == pytest.approx((1 + 3) / 5)
    assert pvalue(0.9, null, "greater") == pytest.approx(1 / 5)  # smallest possible: 1/(B+1)
    assert pvalue(0.9, null, "two-sided") == pytest.approx(2 / 5)  # doubled smaller tail
    assert pvalue(0.25, null, "two-sided") == 1.0  # capped at 1
    assert np.isnan(pvalue(np.nan, null))
    assert np.isnan(pvalue(0.2, [np.nan, np.nan]))
    # vectorised over rows, surrogates along ``axis``
    p = pvalue(np.array([0.0, 1.0]), np.array([[0.5, 0.5], [0.2, 0.2]]), "greater", axis=0)
    np.testing.assert_allclose(p, [1.0, 1 / 3])
    with pytest.raises(InputError):
        pvalue(0.1, null, "upper")


def test_tails_follow_the_indicator_direction_unless_chosen():
    x = _ar1_rows(1, 300, 0.5, 1)[0]
    res = PIPE.test(x, n_surrogates=19, seed=1)
    assert res.alternative == {"variance": "greater", "ar1": "greater", "skewness": "two-sided"}
    pipe = Pipeline(detrend="none", window=0.5, indicators=["return_rate", "variance"])
    assert pipe.test(x, n_surrogates=9, seed=1).alternative["return_rate"] == "less"
    res = pipe.test(x, n_surrogates=9, seed=1, alternative={"variance": "two-sided"})
    assert res.alternative == {"return_rate": "less", "variance": "two-sided"}
    nul = res.null_distribution.sel(indicator="variance").values
    assert float(res.p_value.sel(indicator="variance")) == pytest.approx(
        pvalue(float(res.statistic.sel(indicator="variance")), nul, "two-sided"))
    with pytest.raises(InputError, match="alternative"):
        pipe.test(x, n_surrogates=9, alternative="up")
    with pytest.raises(InputError, match="not in the pipeline"):
        pipe.test(x, n_surrogates=9, alternative={"kurtosis": "less"})


# ----------------------------------------------------------------------------------------------------
# does it work: signal detected, null calibrated
# ----------------------------------------------------------------------------------------------------
def test_rising_variance_gets_a_small_p_and_white_noise_a_roughly_uniform_p():
    rising = _ar1_rows(1, 400, 0.5, 3, sd_ramp=3.0)[0]
    res = PIPE.test(rising, null="ar1", n_surrogates=99, seed=2)
    assert float(res.p_value.sel(indicator="variance")) <= 0.02
    # 60 stationary AR(1) series in one call, 39 surrogates each
    X = _ar1_rows(60, 300, 0.5, 4)
    pipe = Pipeline(detrend="gaussian", bandwidth=0.2, window=0.5, indicators=["variance", "ar1"])
    res = pipe.test(X, null="ar1", n_surrogates=39, seed=5)
    p = res.p_value.values.reshape(-1)
    assert 0.35 < p.mean() < 0.65
    assert np.mean(p <= 0.1) < 0.25
    # the textbook p-value on the same series rejects far more often
    with pytest.warns(ews.OverlappingWindowsWarning):
        tb = res.observed.textbook_pvalues(alternative="greater").values.reshape(-1)
    assert np.mean(tb <= 0.05) > 2 * max(np.mean(p <= 0.05), 0.05)


def test_every_null_model_runs_through_the_pipeline():
    x = _ar1_rows(1, 300, 0.5, 6, sd_ramp=3.0)[0] + 10
    for null in ("ar1", "phase", "aaft", "iaaft", "block_bootstrap", "shuffle"):
        res = PIPE.test(x, null=null, n_surrogates=29, seed=7)
        p = res.p_value.values
        assert np.all((p > 0) & (p <= 1)) and res.null["name"] == null
        assert res.n_valid.values.min() == 29
    res = PIPE.test(x, null="arma", n_surrogates=9, seed=1, null_params={"max_p": 1, "max_q": 1})
    assert np.all(np.isfinite(res.p_value.values))


def test_fit_to_state_and_first_difference_rebuild_the_state_correctly():
    x = _ar1_rows(1, 300, 0.5, 8)[0]
    res = PIPE.test(x, null="ar1", n_surrogates=19, seed=9, fit_to="state")
    assert res.fit_to == "state" and np.isfinite(res.p_value.values).all()
    # first differences of a surrogate state are exactly the drawn residuals
    pipe = Pipeline(detrend="first_difference", window=0.5, indicators=["variance"])
    res = pipe.test(x, null="shuffle", n_surrogates=5, seed=3, keep_surrogates=True)
    drawn = res.fitted_null.draw(5, seed=3).values
    np.testing.assert_allclose(res.surrogates["residuals"].values, drawn, rtol=1e-9, atol=1e-9)
    # with a smoother, a surrogate state is the observed trend plus the drawn residuals
    res = PIPE.test(x, null="shuffle", n_surrogates=4, seed=3, keep_surrogates=True)
    trend = res.observed["trend"].values
    np.testing.assert_allclose(res.surrogates["state"].values - trend, res.fitted_null.draw(4, seed=3).values,
                               atol=1e-12)
    assert res.surrogates["state"].dims == ("surrogate", "time")


def test_many_rows_and_ragged_rows():
    X = _ar1_rows(4, 250, 0.5, 10)
    ts = ews.TimeSeries(X).with_lengths(np.array([250, 200, 160, 250]))
    res = PIPE.test(ts, null="ar1", n_surrogates=19, seed=11)
    assert res.null_distribution.dims == ("indicator", "surrogate", "series")
    assert res.p_value.dims == ("indicator", "series") and np.isfinite(res.p_value.values).all()
    np.testing.assert_array_equal(res.observed.dataset["window"].values, [125, 100, 80, 125])
    # each row's test is the same as testing that row alone with the same streams? (independent rows)
    alone = PIPE.test(ews.TimeSeries(X[1:2]).with_lengths(np.array([200])), null="ar1", n_surrogates=19, seed=11)
    assert alone.statistic.values[:, 0] == pytest.approx(res.statistic.values[:, 1])


# ----------------------------------------------------------------------------------------------------
# reproducibility
# ----------------------------------------------------------------------------------------------------
def test_same_seed_same_p_values_and_different_seed_different_null():
    x = _ar1_rows(2, 300, 0.5, 12)
    a = PIPE.test(x, n_surrogates=49, seed=42)
    b = PIPE.test(x, n_surrogates=49, seed=42)
    xr.testing.assert_identical(a.p_value, b.p_value)
    np.testing.assert_array_equal(a.null_distribution.values, b.null_distribution.values)
    c = PIPE.test(x, n_surrogates=49, seed=43)
    assert not np.array_equal(a.null_distribution.values, c.null_distribution.values)
    g = PIPE.test(x, n_surrogates=49, seed=np.random.default_rng(5))
    assert g.seed_entropy is not None


def test_one_or_two_threads_give_the_same_p_values():
    x = _ar1_rows(2, 300, 0.5, 13)
    before = numba.get_num_threads()
    out = []
    try:
        for nt in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(nt)
            out.append(PIPE.test(x, n_surrogates=59, seed=14).null_distribution.values)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(out[0], out[-1])


def test_batches_split_in_chunks_give_the_same_numbers(monkeypatch):
    import ews.significance as sig

    x = _ar1_rows(1, 300, 0.5, 15)[0]
    whole = PIPE.test(x, n_surrogates=30, seed=16)
    monkeypatch.setattr(sig, "_MAX_BATCH_ELEMENTS", 300 * 7)  # 7 surrogates per pipeline call
    chunked = PIPE.test(x, n_surrogates=30, seed=16)
    np.testing.assert_array_equal(whole.null_distribution.values, chunked.null_distribution.values)


# ----------------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------------
def test_summary_xarray_and_netcdf(tmp_path):
    X = _ar1_rows(3, 300, 0.5, 17)
    df_in = pd.DataFrame(X.T, columns=["a", "b", "c"])
    res = ews.analyze(df_in, null="ar1", n_surrogates=19, seed=1, detrend="gaussian", bandwidth=0.2,
                      window=0.5, indicators=["variance", "ar1"])
    assert isinstance(res, ews.significance.SurrogateTestResult)
    df = res.summary()
    assert list(df.columns[:7]) == ["indicator", "series", "statistic", "p_value", "null", "n_surrogates",
                                    "alternative"]
    assert len(df) == 6 and set(df["null"]) == {"ar1"} and set(df["n_surrogates"]) == {19}
    row = df[(df.indicator == "ar1") & (df.series == "b")]
    assert row["p_value"].item() == res.p_value.sel(indicator="ar1", series="b").item()
    ds = res.to_xarray()
    assert ds["null_distribution"].dims == ("indicator", "surrogate", "series")
    assert {"statistic", "p_value", "n_surrogates", "null_phi"} <= set(ds.data_vars)
    assert ds.attrs["null"]["name"] == "ar1" and ds.attrs["mode"] == "pipeline"
    path = tmp_path / "test.nc"
    res.to_netcdf(path)
    back = xr.open_dataset(path)
    np.testing.assert_array_equal(back["p_value"].values, ds["p_value"].values)
    back.close()
    assert "ar1" in repr(res)


def test_indicator_mode_boers_style():
    rising = _ar1_rows(1, 400, 0.5, 18, sd_ramp=3.0)[0]
    res = surrogate_test(PIPE, rising, null="phase", n_surrogates=99, seed=3, mode="indicator", statistic="ols")
    assert res.mode == "indicator" and res.statistic_name == "ols"
    assert res.null_distribution.dims == ("indicator", "surrogate")
    assert float(res.p_value.sel(indicator="variance")) <= 0.05
    assert res.summary()["trend"].unique().tolist() == ["ols"]
    short = ews.significance.indicator_trend_test(PIPE, _ar1_rows(3, 200, 0.5, 19), n_surrogates=19, seed=1)
    assert short.p_value.shape == (3, 3) and np.isfinite(short.p_value.values).all()
    with pytest.raises(InputError, match="mode='indicator'"):
        surrogate_test(PIPE, rising, n_surrogates=9, statistic="ols")


def test_bad_arguments_are_reported_at_the_door():
    x = _ar1_rows(1, 200, 0.5, 20)[0]
    with pytest.raises(InputError, match="n_surrogates"):
        PIPE.test(x, n_surrogates=0)
    with pytest.raises(InputError, match="fit_to"):
        PIPE.test(x, n_surrogates=9, fit_to="trend")
    with pytest.raises(InputError, match="mode"):
        PIPE.test(x, n_surrogates=9, mode="boers")
    with pytest.raises(InputError, match="unknown null"):
        PIPE.test(x, null="red", n_surrogates=9)
    surr = ews.TimeSeries(xr.DataArray(np.zeros((2, 50)) + np.arange(50), dims=("surrogate", "time")))
    with pytest.raises(InputError, match="surrogate"):
        PIPE.test(surr, n_surrogates=9)


# ----------------------------------------------------------------------------------------------------
# sensitivity grid
# ----------------------------------------------------------------------------------------------------
def test_sensitivity_grid_shape_values_and_p_values():
    x = _ar1_rows(1, 300, 0.5, 21, sd_ramp=3.0)[0]
    ds = sensitivity(x, windows=[0.25, 0.5], bandwidths=[0.1, 0.3], indicators=["variance", "ar1"],
                     null="ar1", n_surrogates=19, seed=1)
    assert ds["statistic"].dims == ("indicator", "bandwidth", "window")
    assert ds["statistic"].shape == (2, 2, 2) and ds["p_value"].shape == (2, 2, 2)
    assert ds["valid"].all() and ds.attrs["grid_parameter"] == "bandwidth"
    one = Pipeline(detrend="gaussian", bandwidth=0.3, window=0.25, indicators=["variance", "ar1"]).run(x)
    np.testing.assert_allclose(ds["statistic"].sel(bandwidth=0.3, window=0.25).values, one.statistic.values)
    np.testing.assert_array_equal(ds["window_points"].sel(bandwidth=0.1).values, [75, 150])
    again = sensitivity(x, windows=[0.25, 0.5], bandwidths=[0.1, 0.3], indicators=["variance", "ar1"],
                        null="ar1", n_surrogates=19, seed=1)
    xr.testing.assert_identical(ds["p_value"], again["p_value"])


def test_sensitivity_never_crashes_on_degenerate_cells():
    x = _ar1_rows(2, 120, 0.5, 22)
    x[1] = 3.0  # a constant series
    with pytest.warns(ews.EWSWarning):
        ds = sensitivity(x, windows=[0.5, 10, 500], bandwidths=[0.1], indicators=["variance", "ar1"],
                         null="ar1", n_surrogates=9, seed=2)
    assert ds["statistic"].dims == ("indicator", "bandwidth", "window", "series")
    assert np.isnan(ds["statistic"].sel(window=500)).all()
    assert not bool(ds["valid"].sel(window=500).item())
    assert any("500" in s["reason"] for s in ds.attrs["skipped"])
    assert np.isnan(ds["statistic"].sel(indicator="ar1", series=1)).all()  # constant row: NaN, no error
    assert np.isfinite(ds["statistic"].sel(indicator="ar1", series=0, window=0.5)).all()
    # no bandwidth for detrenders without one
    lin = sensitivity(x[0], windows=[0.3, 0.6], detrend="linear")
    assert lin["statistic"].dims == ("indicator", "window")
    with pytest.raises(InputError, match="no bandwidth"):
        sensitivity(x[0], windows=[0.5], bandwidths=[0.1], detrend="linear")
    with pytest.raises(InputError):
        sensitivity(x[0], windows=[0.5], bandwidths=[-1.0])
    with pytest.raises(InputError):
        sensitivity(x[0], windows=["half"])


@pytest.mark.parametrize("bad", [[1], "max_p=2", 2, ("max_p", 2)])
def test_null_params_must_be_a_dict(bad):
    x = np.random.default_rng(0).standard_normal(200)
    with pytest.raises(InputError, match=r"null_params must be a dict.*null_params=\{"):
        Pipeline(detrend="none").test(x, null="ar1", n_surrogates=9, seed=0, null_params=bad)


def test_sensitivity_refuses_a_grid_value_wrong_whatever_the_data_and_skips_one_wrong_for_these_data():
    """As its docstring says: a bandwidth the detrender refuses by itself raises before any cell runs,
    naming the value; a value that fails only on these data gives a NaN cell and a note."""
    x = np.cumsum(np.random.default_rng(0).standard_normal(300)) * 0.1
    for bad, why in [(-1, "positive"), (20, "units='points'")]:
        with pytest.raises(InputError, match=rf"bandwidths contains {bad}, which the 'gaussian' detrender refuses.*{why}"):
            sensitivity(x, windows=[0.5], bandwidths=[0.1, bad])
    ds = sensitivity(x, windows=[0.5], bandwidths=[0.001, 0.3], detrend="lowess")
    assert np.isnan(ds["statistic"].sel(bandwidth=0.001)).all() and ds["valid"].sel(bandwidth=0.3).all()
    assert "increase span" in ds.attrs["skipped"][0]["reason"]
    assert "raises :class:`ews.InputError` before any cell runs" in sensitivity.__doc__
