"""Trend statistics against pair-counting / scipy references."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ews
from ews import trend

import naive


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.integers(-3, 3).map(float), st.floats(-10, 10, allow_nan=False), st.just(np.nan)),
                min_size=0, max_size=120))
def test_kendall_tau_b_matches_pair_counting(values):
    y = np.array(values, dtype=float)
    got = trend.statistic("kendall", np.arange(len(y)), y)[0] if len(y) else np.nan
    ref = naive.kendall_tau_b(y) if np.isfinite(y).sum() >= 2 else np.nan
    assert (np.isnan(got) and np.isnan(ref)) or got == pytest.approx(ref, abs=1e-12)


def test_kendall_matches_scipy_with_ties(rng):
    from scipy.stats import kendalltau

    y = rng.integers(0, 20, 5000).astype(float)
    assert trend.statistic("kendall", np.arange(5000), y)[0] == pytest.approx(
        kendalltau(np.arange(5000), y).statistic, abs=1e-12)


def test_spearman_and_ols(rng):
    y = np.round(rng.standard_normal(300), 1)
    y[:20] = np.nan
    t = np.arange(300) * 0.5
    assert trend.statistic("spearman", t, y)[0] == pytest.approx(naive.spearman_rho(y), abs=1e-12)
    assert trend.statistic("ols", t, y)[0] == pytest.approx(naive.ols_slope(t, y), rel=1e-10)


def test_batch_of_rows(rng):
    Y = rng.standard_normal((7, 90))
    got = trend.statistic("kendall", np.arange(90), Y)
    np.testing.assert_allclose(got, [naive.kendall_tau_b(r) for r in Y], atol=1e-12)


def test_textbook_pvalue_warns():
    y = np.arange(30.0) + np.sin(np.arange(30))
    with pytest.warns(ews.OverlappingWindowsWarning):
        p = trend.textbook_pvalue("kendall", np.arange(30), y)
    assert 0 <= p < 1e-6


def test_unknown_statistic():
    with pytest.raises(ews.InputError, match="unknown trend statistic"):
        ews.Pipeline(trend="pearson")
