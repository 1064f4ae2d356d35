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


def test_ties_chain_over_sorted_neighbours():
    r = trend.TIE_RTOL
    y = np.array([1.0, 1.0 + 0.6 * r, 1.0 + 1.2 * r, 0.5])  # neighbours within rtol, ends 1.2 rtol apart
    snapped = trend.snap_ties(y)
    assert snapped.tolist() == [1.0, 1.0, 1.0, 0.5]
    t = np.arange(4.0)
    ref = stats.kendalltau(t, snapped).statistic
    assert trend.statistic("kendall", t, y)[0] == pytest.approx(ref, abs=1e-14)


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
