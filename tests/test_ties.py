"""Values equal in exact arithmetic are tied in every trend statistic (issue 7, section 1).

References are exact: window statistics computed with fractions, ranked exactly, then scipy.
"""
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ews
from ews import trend
from ews.compat.earlywarnings import generic_ews

EPS = np.finfo(float).eps


def exact_ranks(values):
    """Dense ranks of exact values (Fractions): equal values share a rank."""
    order = sorted(set(values))
    pos = {v: k for k, v in enumerate(order)}
    return np.array([pos[v] for v in values], dtype=float)


def exact_variances(x, w):
    """Sample variance (ddof=1) of every right-aligned window, in exact rational arithmetic."""
    out = []
    for j in range(w - 1, len(x)):
        win = [Fraction(int(v)) for v in x[j - w + 1: j + 1]]
        m = sum(win) / w
        out.append(sum((a - m) ** 2 for a in win) / (w - 1))
    return out


def tied_counts(rng, n, w, offset):
    """Integer counts in which many consecutive windows hold the same multiset (the entering value
    equals the leaving one), so their variances are exactly equal."""
    x = rng.poisson(30, n).astype(np.int64) + offset
    for j in range(w, n):
        if rng.random() < 0.4:
            x[j] = x[j - w]
    return x


def test_ulp_apart_values_are_tied_like_exact_ones():
    exact = np.array([3.0, 1.0, 2.0, 2.0, 5.0, 4.0, 4.0, 4.0, 7.0, 6.0, 6.0, 9.0])
    noisy = exact.copy()
    noisy[3] *= 1 + 2 * EPS      # a few ulps apart, as the streaming sums leave them
    noisy[6] *= 1 - 3 * EPS
    noisy[7] *= 1 + 5 * EPS
    assert len(np.unique(noisy)) > len(np.unique(exact))
    t = np.arange(exact.size, dtype=float)
    tau = stats.kendalltau(t, exact).statistic
    rho = stats.spearmanr(t, exact).statistic
    assert trend.statistic("kendall", t, noisy)[0] == pytest.approx(tau, abs=1e-14)
    assert trend.statistic("spearman", t, noisy)[0] == pytest.approx(rho, abs=1e-14)
    # without the tolerance the ties break (the test can fail)
    assert stats.kendalltau(t, noisy).statistic != pytest.approx(tau, abs=1e-6)
    with pytest.warns(ews.OverlappingWindowsWarning):
        p_noisy = trend.textbook_pvalue("kendall", t, noisy)
    assert p_noisy == pytest.approx(stats.kendalltau(t, exact, method="asymptotic").pvalue, rel=1e-12)
    with pytest.warns(ews.OverlappingWindowsWarning):
        p_noisy = trend.textbook_pvalue("spearman", t, noisy)
    assert p_noisy == pytest.approx(stats.spearmanr(t, exact).pvalue, rel=1e-12)


def test_values_beyond_the_tolerance_stay_distinct():
    y = np.array([1.0, 1.0 + 1e-9, 1.0 - 1e-9, 2.0])  # 1e-9 relative: 10x the tolerance
    t = np.arange(4.0)
    assert trend.statistic("kendall", t, y)[0] == pytest.approx(stats.kendalltau(t, y).statistic, abs=1e-14)
    assert trend.statistic("spearman", t, y)[0] == pytest.approx(stats.spearmanr(t, y).statistic, abs=1e-14)


def test_groups_are_anchored_on_their_smallest_value():
    r = trend.TIE_RTOL
    y = np.array([1.0, 1.0 + 0.6 * r, 1.0 + 1.2 * r, 0.5])  # neighbours within rtol, ends 1.2 rtol apart
    snapped = trend.snap_ties(y)
    assert snapped.tolist() == [1.0, 1.0, 1.0 + 1.2 * r, 0.5]   # 1 + 1.2 r is beyond the anchor 1
    t = np.arange(4.0)
    ref = stats.kendalltau(t, snapped).statistic
    assert trend.statistic("kendall", t, y)[0] == pytest.approx(ref, abs=1e-14)
    ref = stats.spearmanr(t, snapped).statistic
    assert trend.statistic("spearman", t, y)[0] == pytest.approx(ref, abs=1e-14)


def test_rtol_zero_is_exact_equality():
    y = np.array([1.0, 1.0 + 2 * EPS, 1.0, 0.0, 1e-300, 0.0])
    assert np.array_equal(trend.snap_ties(y, 0.0), y)


# ---- issue 7 review: a tolerance near zero, the width of a group, NaN and inf --------------------

def exact_lag1_keys(x, w):
    """For every right-aligned window, a key that orders the windows exactly as their lag-1 Pearson
    autocorrelation (pairs (x_t, x_t+1), each side centred on its own mean) does: sign(r) r^2, a Fraction."""
    keys = []
    for j in range(w - 1, len(x)):
        win = [Fraction(int(v)) for v in x[j - w + 1: j + 1]]
        a, b = win[:-1], win[1:]
        ma, mb = sum(a) / len(a), sum(b) / len(b)
        num = sum((p - ma) * (q - mb) for p, q in zip(a, b))
        saa = sum((p - ma) ** 2 for p in a)
        sbb = sum((q - mb) ** 2 for q in b)
        keys.append((1 if num > 0 else -1 if num < 0 else 0) * num * num / (saa * sbb))
    return keys


def test_values_exactly_zero_are_tied_despite_rounding_of_either_sign():
    """A periodic integer series: windows one period apart hold the same values, and for one phase the
    lag-1 autocorrelation is exactly 0; the kernels give it as +-1e-17, which no purely relative
    tolerance ties."""
    per, w = np.array([4, 3, 1, 2, 5, 3, 5, 4, 0, 2]), 30
    x = np.tile(per, 40)
    keys = exact_lag1_keys(x, w)
    assert 0 in keys                                      # the exact zero is there
    idx = np.arange(len(keys), dtype=float)
    r = exact_ranks(keys)
    pipe = ews.Pipeline(detrend="none", window=w, indicators=["autocorrelation"], trend="kendall")
    got = float(np.asarray(pipe.run(x.astype(float)).summary()["statistic"])[0])
    assert got == pytest.approx(stats.kendalltau(idx, r).statistic, abs=1e-12)
    got = float(np.asarray(pipe.replace(trend="spearman").run(x.astype(float)).summary()["statistic"])[0])
    assert got == pytest.approx(stats.spearmanr(idx, r).statistic, abs=1e-12)
    # the case bites: the kernels give the exact zeros as distinct values of either sign
    ind = ews.indicators.compute(x.astype(float), ["autocorrelation"], window=w).to_xarray()
    v = np.asarray(ind["autocorrelation"]).ravel()[w - 1:]
    zeros = v[[k for k, q in enumerate(keys) if q == 0]]
    assert len(np.unique(zeros)) > 1 and np.max(np.abs(zeros)) < 1e-15


def test_near_zero_rounding_is_tied_in_every_statistic():
    exact = np.array([0.3, 0.0, -0.2, 0.0, 0.1, 0.0, 0.3, -0.2, 0.0, 0.5, 0.1, 0.0])
    noisy = exact.copy()
    noisy[[1, 3, 5, 8, 11]] = [-4.5e-17, 2.0e-17, 6.0e-18, 0.0, -1.9e-17]   # "0" with rounding of either sign
    t = np.arange(exact.size, dtype=float)
    assert trend.snap_ties(noisy)[[1, 3, 5, 8, 11]].tolist() == [-4.5e-17] * 5
    assert trend.statistic("kendall", t, noisy)[0] == pytest.approx(stats.kendalltau(t, exact).statistic,
                                                                    abs=1e-14)
    assert trend.statistic("spearman", t, noisy)[0] == pytest.approx(stats.spearmanr(t, exact).statistic,
                                                                     abs=1e-14)
    with pytest.warns(ews.OverlappingWindowsWarning):
        p = trend.textbook_pvalue("kendall", t, noisy)
    assert p == pytest.approx(stats.kendalltau(t, exact, method="asymptotic").pvalue, rel=1e-12)


def test_a_trend_in_steps_below_the_tolerance_is_not_one_tie():
    """Chained neighbours would make 1 + 5e-11 k one group (tau NaN); anchored groups span at most the
    tolerance, so the trend survives, up to the ties within each group."""
    y = 1.0 + 5e-11 * np.arange(1000)
    t = np.arange(y.size, dtype=float)
    snapped = trend.snap_ties(y)
    anchors = np.unique(snapped)
    tol = trend.TIE_RTOL * max(np.max(np.abs(y)), np.median(np.abs(y)))   # bounds every pair's tolerance
    for a0 in anchors:
        members = y[snapped == a0]
        assert members.min() == a0 and members.max() - a0 <= tol
    assert np.all(np.diff(anchors) > trend.TIE_RTOL * np.min(np.abs(y)))  # anchors beyond the tolerance
    assert 250 <= np.unique(snapped).size < 1000
    tau = trend.statistic("kendall", t, y)[0]
    rho = trend.statistic("spearman", t, y)[0]
    assert tau == pytest.approx(stats.kendalltau(t, snapped).statistic, abs=1e-14)
    assert rho == pytest.approx(stats.spearmanr(t, snapped).statistic, abs=1e-14)
    assert tau > 0.999 and rho > 0.99999


def test_a_few_huge_values_do_not_widen_the_tolerance(rng):
    """cv = sd / mean of detrended residuals: where a window's mean crosses 0 the row holds values many
    decades above the rest. They must not tie the rest's real differences (a floor at max |v| would:
    1e7 * 1e-10 = 1e-3 here)."""
    y = 1.0 + np.arange(200) * 2e-4 + rng.uniform(0, 1e-4, 200)
    y = rng.permutation(y)
    y[[17, 18, 19, 120]] = [3.9e6, -2.0e7, 8.0e5, 1.0e7]
    t = np.arange(y.size, dtype=float)
    assert np.array_equal(trend.snap_ties(y), y)
    assert trend.statistic("kendall", t, y)[0] == pytest.approx(stats.kendalltau(t, y).statistic, abs=1e-14)
    assert trend.statistic("spearman", t, y)[0] == pytest.approx(stats.spearmanr(t, y).statistic, abs=1e-14)


def test_groups_depend_on_the_values_not_their_order(rng):
    y = 1.0 + 3e-11 * rng.integers(0, 40, 300) + rng.choice([0.0, 1e-15, -1e-15], 300)
    perm = rng.permutation(y.size)
    np.testing.assert_array_equal(trend.snap_ties(y[perm]), trend.snap_ties(y)[perm])


def test_snap_ties_leaves_nan_and_inf_alone():
    y = np.array([1.0, np.nan, 2.0, np.inf, -np.inf, 1.0 + 1e-13, np.nan, 2.0 - 1e-12])
    got = trend.snap_ties(y)
    np.testing.assert_array_equal(got, [1.0, np.nan, 2.0 - 1e-12, np.inf, -np.inf, 1.0, np.nan, 2.0 - 1e-12])
    assert trend.snap_ties(np.array([np.nan, 1.0])).tolist()[1] == 1.0
    assert np.isnan(trend.snap_ties(np.array([np.nan, np.inf]))).tolist() == [True, False]


def test_the_documented_bound_on_what_snapping_changes(rng):
    """If k pairs are tied by the rule but not exactly: |tau_b(raw) - tau_b(snapped)| <= 2k / sqrt(n0 (n0 - T))."""
    r = trend.TIE_RTOL
    for _ in range(200):
        n = int(rng.integers(3, 40))
        y = rng.integers(0, 6, n) * 1.0 + rng.choice([0.0, 0.3 * r, 0.7 * r, 1.4 * r], n) * 5.0
        s = trend.snap_ties(y)
        iu = np.triu_indices(n, 1)
        k = int(np.sum((s[iu[0]] == s[iu[1]]) & (y[iu[0]] != y[iu[1]])))
        n0 = n * (n - 1) / 2
        T = int(np.sum(s[iu[0]] == s[iu[1]]))
        if T == n0:
            continue
        raw = stats.kendalltau(np.arange(n), y).statistic
        snapped = stats.kendalltau(np.arange(n), s).statistic
        assert trend.statistic("kendall", np.arange(n), y)[0] == pytest.approx(snapped, abs=1e-14)
        assert abs(raw - snapped) <= 2 * k / np.sqrt(n0 * (n0 - T)) + 1e-14


@pytest.mark.parametrize("offset", [0, 10**6])
@pytest.mark.parametrize("w", [7, 40])
def test_variance_ties_on_integer_windows_match_exact_arithmetic(rng, offset, w):
    x = tied_counts(rng, 400, w, offset)
    exact = exact_variances(x, w)
    r = exact_ranks(exact)
    assert len(set(exact)) < len(exact) - 20          # many exact ties
    idx = np.arange(len(exact), dtype=float)
    pipe = ews.Pipeline(detrend="none", window=w, indicators=["variance"], trend="kendall")
    got = float(np.asarray(pipe.run(x.astype(float)).summary()["statistic"])[0])
    assert got == pytest.approx(stats.kendalltau(idx, r).statistic, abs=1e-12)
    got = float(np.asarray(pipe.replace(trend="spearman").run(x.astype(float)).summary()["statistic"])[0])
    assert got == pytest.approx(stats.spearmanr(idx, r).statistic, abs=1e-12)


def _ibm_stable(shared_datasets):
    path = shared_datasets / "cboettig_earlywarning" / "ibm_stable.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    return pd.read_csv(path)["population"].to_numpy()


def test_ibm_stable_tau_is_the_published_one(shared_datasets):
    """Boettiger & Hastings' ibm_stable: windows 20 and 21 (window 20 points, winsize 50 %) hold the same
    values; R earlywarnings and the paper give tau(sd) = -0.70196, not -0.705 (broken tie)."""
    y = _ibm_stable(shared_datasets)
    res = generic_ews(y, winsize=50)
    tau = res.kendall.set_index("indicator")["tau"]
    exact = exact_variances(y, 20)
    idx = np.arange(len(exact), dtype=float)
    ref = stats.kendalltau(idx, exact_ranks(exact)).statistic
    assert ref == pytest.approx(-0.70196, abs=5e-6)
    assert tau["sd"] == pytest.approx(ref, abs=1e-12)
    assert tau["cv"] == pytest.approx(ref, abs=1e-12)   # cv = sd / mean and the means are tied too
    assert round(tau["sd"], 2) == -0.70
    pipe = ews.Pipeline(detrend="none", window=20, indicators=["variance", "std"])
    got = np.asarray(pipe.run(y.astype(float)).summary()["statistic"], dtype=float)
    np.testing.assert_allclose(got, [ref, ref], atol=1e-12)
