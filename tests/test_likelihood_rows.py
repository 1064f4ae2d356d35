"""ews.likelihood on many rows: every row of a TimeSeries (replicates, series, ragged rows) is fitted
and tested in one batched call, with the same numbers as one row at a time."""
import numpy as np
import pytest

import ews
from ews import InputError
from ews import likelihood as L


def _ou_rows(R=4, n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = np.empty((R, n))
    X[:, 0] = 20 + rng.standard_normal(R)
    for k in range(1, n):
        X[:, k] = 20 + 0.6 * (X[:, k - 1] - 20) + 0.8 * rng.standard_normal(R)
    return np.arange(n, dtype=float) * 2.0, X


@pytest.mark.parametrize("model", ["ou", "lsn"])
@pytest.mark.parametrize("method", ["mle", "published"])
def test_fitting_all_rows_at_once_equals_one_row_at_a_time(model, method):
    t, X = _ou_rows()
    ts = ews.TimeSeries(X, time=t)
    many = L.fit(ts, model=model, method=method)
    assert many.loglik.shape == (4,) and many.params["theta"].shape == (4,)
    for i in range(X.shape[0]):
        one = L.fit(t, X[i], model, method=method)
        # the same kernel on the same row: identical numbers, not just close
        assert one.loglik == many.loglik[i]
        for k, v in one.params.items():
            assert v == many.params[k][i]
    # the (t, X) shorthand is the same call
    assert np.array_equal(L.fit(t, X, model, method=method).loglik, many.loglik)


def test_ragged_rows_are_fitted_on_their_own_points():
    f = ews.simulate("fold", replicates=3, seed=4, dt_record=10.0).before_transition()
    assert f.is_ragged
    fits = L.fit(f, model="lsn")
    X, lengths = f.rows("state"), f.row_lengths()
    for i in range(3):
        L_i = int(lengths[i])
        one = L.fit(f.t[:L_i], X[i, :L_i], "lsn")
        assert one.loglik == fits.loglik[i] and fits.n_obs[i] == L_i
    # the log-likelihood of given parameters uses the same points
    ll = L.loglik(f, model="lsn", params=fits.params)
    np.testing.assert_allclose(ll, fits.loglik, rtol=1e-12)


def test_leading_dimensions_and_tables():
    t, X = _ou_rows(R=6)
    da = ews.TimeSeries(X, time=t).to_xarray()["state"]
    import xarray as xr

    grid = xr.DataArray(X.reshape(2, 3, -1), dims=("site", "depth", "time"),
                        coords={"site": ["a", "b"], "depth": [1, 2, 3], "time": t})
    fits = L.fit(grid, model="ou")
    assert fits.loglik.shape == (2, 3)
    assert np.array_equal(fits.loglik.ravel(), L.fit(da, model="ou").loglik)
    ds = fits.to_xarray()
    assert ds["params"].dims == ("site", "depth", "parameter")
    assert list(ds["site"].values) == ["a", "b"]
    tab = fits.summary()
    assert len(tab) == 6 and tab.index.names == ["site", "depth"]
    res = L.lr_test(grid, n_boot=5, seed=1, method="published")
    assert res.p_value.shape == (2, 3) and res.null_deviances.shape == (2, 3, 5)
    assert res.to_xarray()["deviance"].dims == ("site", "depth", "simulation", "replicate")
    s = res.summary()
    assert len(s) == 6 and list(s.columns[:5]) == ["deviance", "p_value", "power", "alpha", "auc"]
    assert len(res.to_pandas()) == 6 * 2 * 5
    assert len(res.roc) == 6


def test_lr_test_over_rows_is_the_same_as_row_by_row_and_thread_free():
    t, X = _ou_rows(R=3, n=30, seed=2)
    a = L.lr_test(t, X, n_boot=8, seed=11, n_jobs=1)
    b = L.lr_test(t, X, n_boot=8, seed=11, n_jobs=2)
    np.testing.assert_array_equal(a.null_deviances, b.null_deviances)
    np.testing.assert_array_equal(a.test_deviances, b.test_deviances)
    np.testing.assert_array_equal(a.p_value, b.p_value)
    # row r uses the streams (seed, r, b): row 0 of a batch is the single series with that seed
    one = L.lr_test(t, X[0], n_boot=8, seed=11)
    np.testing.assert_array_equal(one.null_deviances, a.null_deviances[0])
    assert one.p_value == a.p_value[0] and one.observed == a.observed[0]
    # ... and each row's p-value is the shared definition
    from ews.pvalues import pvalue

    for i in range(3):
        assert a.p_value[i] == pvalue(a.observed[i], a.null_deviances[i])


def test_power_false_skips_the_lsn_simulations():
    t, X = _ou_rows(R=2, n=30, seed=3)
    a = L.lr_test(t, X, n_boot=6, seed=5)
    b = L.lr_test(t, X, n_boot=6, seed=5, power=False)
    np.testing.assert_array_equal(a.null_deviances, b.null_deviances)
    np.testing.assert_array_equal(a.p_value, b.p_value)
    assert np.isnan(b.test_deviances).all() and np.isnan(b.power).all()
    assert (b.boot_draws[:, 1] == 0).all() and np.all(b.n_failed == 0)


def test_simulate_from_many_rows_and_seeds():
    t, X = _ou_rows(R=3, n=20)
    f = L.fit(t, X, "ou")
    s = f.simulate(n=4, seed=3)
    assert s.shape == (3, 4, 20) and np.array_equal(s[:, :, 0], np.repeat(X[:, :1], 4, axis=1))
    np.testing.assert_array_equal(s, f.simulate(n=4, seed=3))
    al, be, va = f.transition_moments()
    assert al.shape == (3, 19)


def test_bad_row_arguments():
    t, X = _ou_rows(R=2, n=20)
    with pytest.raises(InputError, match="n_jobs"):
        L.fit(t, X, n_jobs=0)
    with pytest.raises(InputError, match="power"):
        L.lr_test(t, X, n_boot=2, power="yes")
    with pytest.raises(InputError, match="parameters"):
        L.loglik(t, X, "ou", np.ones((3, 3)))
    with pytest.raises(InputError, match="maxit"):
        L.fit(t, X, maxit=5)
    with pytest.raises(InputError, match="model="):
        L.loglik(t, X)
    short = ews.TimeSeries(X, time=t).with_lengths(np.array([20, 3]))
    with pytest.raises(InputError, match="row 1"):
        L.fit(short)


def test_results_are_read_only_and_ragged_rows_are_tested():
    f = ews.simulate("fold", replicates=2, seed=6, dt_record=20.0).before_transition()
    res = L.lr_test(f, n_boot=4, seed=2, method="published")
    assert res.null_deviances.shape == (2, 4)
    with pytest.raises(ValueError):
        res.null_deviances[0, 0] = 1.0
    # a ragged row is fitted on its own points: row 1 alone gives row 1's observed deviance
    # (its bootstrap differs: alone it is row 0 and draws the streams (seed, 0, b))
    X, n1 = f.rows("state"), int(f.row_lengths()[1])
    one = L.lr_test(f.t[:n1], X[1, :n1], n_boot=4, seed=2, method="published")
    assert one.observed == res.observed[1]
