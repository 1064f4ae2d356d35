"""Trend statistics against pair-counting / scipy references."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ews
from ews import trend

import naive


def snapped(y, rtol=trend.TIE_RTOL):
    """The documented tie rule, written out: s = median |v| over the finite values; walk the sorted finite
    values; a value b with b - a0 <= rtol * max(|a0|, |b|, s), a0 its group's first (smallest) value,
    joins the group and takes a0; any other value starts a new group. NaN and +-inf stay as they are."""
    y = np.array(y, dtype=float)
    idx = sorted((i for i in range(len(y)) if np.isfinite(y[i])), key=lambda i: y[i])
    if not idx:
        return y
    mags = sorted(abs(y[i]) for i in idx)
    lo, hi = mags[(len(mags) - 1) // 2], mags[len(mags) // 2]
    scale = lo + 0.5 * (hi - lo)
    anchor = None
    for i in idx:
        v = y[i]
        if anchor is None or not (v - anchor <= rtol * max(abs(anchor), abs(v), scale)):
            anchor = v
        y[i] = anchor
    return y


values = st.lists(st.one_of(st.integers(-3, 3).map(float), st.floats(-10, 10, allow_nan=False), st.just(np.nan),
                            st.sampled_from([1.0, 1.0 + 2e-16, 1.0 + 5e-11, 1.0 + 3e-10, 1.0 - 1e-13,
                                             1.0 + 1e-10, 1.0 + 1.5e-10, 1.0 + 2.2e-10,
                                             0.0, 4e-17, -3e-17, 2e-10, 1e-300, np.inf, -np.inf])),
                  min_size=0, max_size=120)


@settings(max_examples=80, deadline=None)
@given(values)
def test_kendall_tau_b_matches_pair_counting(values):
    y = np.array(values, dtype=float)
    got = trend.statistic("kendall", np.arange(len(y)), y)[0] if len(y) else np.nan
    ref = naive.kendall_tau_b(snapped(y)) if np.isfinite(y).sum() >= 2 else np.nan
    assert (np.isnan(got) and np.isnan(ref)) or got == pytest.approx(ref, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(values)
def test_spearman_matches_ranks_with_the_tie_rule(values):
    y = np.array(values, dtype=float)
    got = trend.statistic("spearman", np.arange(len(y)), y)[0] if len(y) else np.nan
    ref = naive.spearman_rho(snapped(y)) if np.isfinite(y).sum() >= 2 else np.nan
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
    with pytest.raises(ews.InputError, match="did you mean 'kendall'"):
        trend.get("kendal")


def test_entries_carry_their_textbook_pvalue(rng):
    from scipy import stats

    t = np.arange(40.0)
    y = t + 3 * rng.standard_normal(40)
    refs = {"kendall": stats.kendalltau(t, y, method="exact").pvalue,
            "spearman": stats.spearmanr(t, y).pvalue, "ols": stats.linregress(t, y).pvalue}
    assert set(trend.names()) >= set(refs)
    for name, ref in refs.items():
        assert trend.get(name).pvalue is not None
        with pytest.warns(ews.OverlappingWindowsWarning):
            assert trend.textbook_pvalue(name, t, y) == pytest.approx(ref, rel=1e-12)
    assert trend.table().loc["kendall", "textbook_pvalue"]


def test_register_a_statistic_without_textbook_pvalue(rng):
    def last_minus_first(t, Y):
        return Y[:, -1] - Y[:, 0]

    entry = trend.register(trend.TrendStatistic("last_minus_first", "last value minus first", last_minus_first))
    try:
        Y = rng.standard_normal((3, 20))
        np.testing.assert_array_equal(trend.statistic("last_minus_first", np.arange(20), Y), Y[:, -1] - Y[:, 0])
        assert entry.pvalue is None
        with pytest.raises(ews.InputError, match="no textbook p-value"):
            trend.textbook_pvalue("last_minus_first", np.arange(20), Y[0])
        with pytest.raises(ews.InputError, match="already registered"):
            trend.register(entry)
    finally:
        trend.REGISTRY.unregister("last_minus_first")


def test_textbook_pvalue_refuses_bad_arguments():
    with pytest.raises(ews.InputError, match="alternative"):
        trend.textbook_pvalue("kendall", np.arange(10), np.arange(10.0), alternative="up")
    with pytest.raises(ews.InputError, match="same length"):
        trend.textbook_pvalue("kendall", np.arange(10), np.arange(11.0))
