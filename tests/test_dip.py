"""Hartigan's dip (ews._kernels.dip) against the reference package diptest 0.12.

diptest's dipstat is the C++ port of R diptest's dip.c; its table p-value is
diptest.consts.Consts.compute_pval_interpolation. The rolling kernel is checked against a naive loop that
calls diptest.diptest on every window.
"""
import warnings

import diptest
import numpy as np
import pytest
from diptest.consts import Consts

from ews._kernels import dip as K


def _samples(rng, count):
    """Samples of many shapes and sizes (n = 1..2000), with and without ties."""
    out = []
    for t in range(count):
        n = int(rng.integers(4, 400)) if t % 8 else int(rng.integers(400, 2001))
        if t < 12:
            n = 1 + t  # the smallest sizes, 1..12
        kind = t % 8
        if kind == 0:
            x = rng.normal(size=n)
        elif kind == 1:
            x = rng.uniform(size=n)
        elif kind == 2:  # two-component normal mixture, separation 0..6 sd
            h = n // 2
            x = np.concatenate([rng.normal(0, 1, h), rng.normal(rng.uniform(0, 6), 1, n - h)])
        elif kind == 3:  # heavy ties: a few integer levels
            x = rng.integers(0, int(rng.integers(2, 12)), n).astype(float)
        elif kind == 4:  # rounded normal: ties at decimal steps (not exact in binary)
            x = np.round(rng.normal(size=n), int(rng.integers(0, 3)))
        elif kind == 5:  # bimodal with ties
            h = n // 2
            x = np.concatenate([rng.integers(0, 5, h), rng.integers(8, 12, n - h)]).astype(float) * 0.3
        elif kind == 6:  # skewed, far from zero
            x = 1e6 + rng.exponential(size=n)
        else:  # three modes
            x = rng.choice([-4.0, 0.0, 4.0], n) + rng.normal(0, 0.5, n)
        out.append(x)
    return out


def test_dip_sorted_equals_diptest_dipstat(rng):
    xs = _samples(rng, 1600)
    ours = np.array([K.dip_sorted(np.sort(x)) for x in xs])
    ref = np.array([diptest.dipstat(x) for x in xs])
    assert np.max(np.abs(ours - ref)) <= 1e-12
    # the dip lies in [1/(2n), 1/4] for n >= 3 unless the sample has a single distinct value (then 0;
    # also 0 for n <= 2, as in diptest)
    sizes = np.array([len(x) for x in xs])
    distinct = np.array([np.unique(x).size > 1 for x in xs]) & (sizes >= 3)
    assert np.all(ours[~distinct] == 0.0)
    assert np.all(ours[distinct] >= 1 / (2 * sizes[distinct]) - 1e-15) and np.all(ours <= 0.25)
    # a wide spread of values was exercised, not only the minimum 1/(2n)
    assert np.sum(ours > 2 / (2 * sizes)) > 500


def test_dip_of_a_constant_or_tiny_sample():
    assert K.dip_sorted(np.full(10, 3.5)) == 0.0 == diptest.dipstat(np.full(10, 3.5))
    assert K.dip_sorted(np.array([1.0])) == 0.0
    for x in ([1.0, 2.0], [1.0, 2.0, 5.0], [0.0, 0.0, 1.0]):
        x = np.array(x)
        assert K.dip_sorted(x) == pytest.approx(diptest.dipstat(x), abs=1e-15)
    # two equal halves far apart: the dip is 1/4 - ... exactly as diptest
    x = np.r_[np.zeros(20), np.ones(20)]
    assert K.dip_sorted(x) == pytest.approx(diptest.dipstat(x), abs=1e-15)
    assert K.dip_sorted(x) == pytest.approx(0.25, abs=1e-15)


def test_pvalue_equals_diptest_table_interpolation(rng):
    sizes = list(range(1, 60)) + [63, 99, 100, 101, 150, 333, 500, 999, 1000, 1001, 2500, 5000,
                                  9999, 40000, 71999, 72000, 72001, 150000]
    worst = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # diptest warns for n <= 3 and for n > 72000
        for n in sizes:
            m = min(n, 3000)
            for k in range(12):
                if n <= 3000:
                    x = rng.normal(size=n) if k % 2 else np.r_[rng.normal(0, 1, n // 2),
                                                            rng.normal(rng.uniform(0, 5), 1, n - n // 2)]
                    d, p = diptest.diptest(x)
                else:  # a dip of the right order for large n without running the test there
                    d = rng.uniform(0.2, 3.0) / np.sqrt(m) / 2
                    p = 1.0 if n <= 3 else Consts.compute_pval_interpolation(n, d)
                worst = max(worst, abs(K.dip_pvalue(d, n) - p))
            if n >= 4:  # dips exactly on, between and beyond the tabulated quantiles (ties, both ends)
                crit = np.unique(np.r_[Consts._CRIT_VALS.ravel(), 0.0, 1 / (2 * n), 0.3])
                for d in crit[:: max(1, crit.size // 60)]:
                    worst = max(worst, abs(K.dip_pvalue(d, n) - Consts.compute_pval_interpolation(n, d)))
    assert worst <= 1e-10
    assert K.dip_pvalue(0.0, 50) == 1.0 and K.dip_pvalue(0.3, 50) == 0.0
    assert K.dip_pvalue(0.01, 3) == 1.0 and np.isnan(K.dip_pvalue(np.nan, 50))


def test_the_copied_table_is_diptests():
    assert np.array_equal(K._SAMPLE_SIZE, Consts._SAMPLE_SIZE)
    assert np.array_equal(K._ALPHA, Consts._ALPHA)
    assert np.array_equal(K._CRIT_VALS, Consts._CRIT_VALS)


def test_dip_of_uniform_samples_follows_the_tabulated_null():
    """Monte Carlo: the dip of 2000 uniform samples of n = 50 against the table's row n = 50."""
    rng = np.random.default_rng(7)
    n, reps = 50, 2000
    dips = np.array([K.dip_sorted(np.sort(rng.uniform(size=n))) for _ in range(reps)])
    row = Consts._CRIT_VALS[list(Consts._SAMPLE_SIZE).index(n)]
    for alpha in (0.1, 0.5, 0.9, 0.95):
        q = row[list(Consts._ALPHA).index(alpha)]
        frac = np.mean(dips <= q)  # ~ Binomial(reps, alpha) / reps under the table
        assert abs(frac - alpha) < 4 * np.sqrt(alpha * (1 - alpha) / reps), (alpha, frac)
    # and the table p-values of null samples are close to uniform
    p = np.array([K.dip_pvalue(d, n) for d in dips])
    for level in (0.05, 0.2, 0.5):
        assert abs(np.mean(p <= level) - level) < 4 * np.sqrt(level * (1 - level) / reps)


def _naive_rolling(X, lengths, windows):
    """Per-window loop over diptest.diptest."""
    B, n = X.shape
    dip = np.full((B, n), np.nan)
    p = np.full((B, n), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # diptest warns for windows of <= 3 points
        for i in range(B):
            w = windows[i]
            if w < 1 or w > lengths[i]:
                continue
            for j in range(w - 1, lengths[i]):
                dip[i, j], p[i, j] = diptest.diptest(X[i, j - w + 1 : j + 1].copy())
    return dip, p


def _ragged_batch(rng, B, n):
    X = rng.normal(size=(B, n))
    X[1] = np.round(X[1] * 2)  # ties that enter and leave the window
    X[2, n // 3 : n // 2] = 1.25  # a constant stretch: constant windows
    X[3] = np.where(rng.uniform(size=n) < 0.5, -3.0, 3.0) + rng.normal(0, 0.3, n)  # bimodal
    X[4] = np.where(np.arange(n) % 2, 0.0, -0.0)  # signed zeros only: constant
    X[5] = np.cumsum(rng.normal(size=n))  # drifting: entering values far from the leaving ones
    lengths = rng.integers(n // 2, n + 1, B).astype(np.int64)
    lengths[:6] = n
    windows = rng.integers(4, 80, B).astype(np.int64)
    windows[6:10] = (0, 1, 3, n + 5)  # no output, one point, below the test's minimum, too long
    windows[10] = lengths[10]  # one window: the whole row
    for i in range(B):
        X[i, lengths[i]:] = 1e300  # padding is never read
    return X, lengths, windows


def test_rolling_dip_equals_naive_diptest_loop(rng):
    X, lengths, windows = _ragged_batch(rng, 14, 400)
    dip, p = K.rolling_dip(X, lengths, windows)
    ref_dip, ref_p = _naive_rolling(X, lengths, windows)
    assert np.array_equal(np.isnan(dip), np.isnan(ref_dip)) and np.array_equal(np.isnan(p), np.isnan(ref_p))
    ok = ~np.isnan(ref_dip)
    assert np.max(np.abs(dip[ok] - ref_dip[ok])) <= 1e-12
    assert np.max(np.abs(p[ok] - ref_p[ok])) <= 1e-10
    # constant windows: dip 0, p 1 (as diptest); windows of <= 3 points: p 1
    w4 = windows[4]
    assert np.all(dip[4, w4 - 1:] == 0.0) and np.all(p[4, w4 - 1:] == 1.0)
    assert np.all(p[7, :lengths[7]] == 1.0) and np.all(p[8, 2:lengths[8]] == 1.0)
    assert np.all(np.isnan(dip[6])) and np.all(np.isnan(dip[9]))


def test_rolling_dip_rows_are_independent_of_batch_and_threads(rng):
    X, lengths, windows = _ragged_batch(rng, 40, 700)  # 28,000 values: the parallel twin
    assert K._dip_row.dispatch(X, lengths, windows, X, X) is K._dip_row.parallel_twin
    dip, p = K.rolling_dip(X, lengths, windows)
    out_s = (np.empty(X.shape), np.empty(X.shape))
    K._dip_row.serial_twin(X, lengths, windows, *out_s)
    assert np.array_equal(dip, out_s[0], equal_nan=True) and np.array_equal(p, out_s[1], equal_nan=True)
    for i in (0, 1, 3, 11, 39):
        d1, p1 = K.rolling_dip(np.ascontiguousarray(X[i:i + 1]), lengths[i:i + 1], windows[i:i + 1])
        assert np.array_equal(d1[0], dip[i], equal_nan=True) and np.array_equal(p1[0], p[i], equal_nan=True)


def test_bimodal_window_small_p_unimodal_window_large_p():
    rng = np.random.default_rng(11)
    n, w = 600, 200
    x = rng.normal(size=n)
    x[400:] = np.where(rng.uniform(size=200) < 0.5, -2.5, 2.5) + rng.normal(0, 0.5, 200)
    dip, p = K.rolling_dip(x[None, :], np.array([n], np.int64), np.array([w], np.int64))
    assert p[0, 399] > 0.2  # window x[200..399]: one normal
    assert p[0, 599] < 1e-3  # window x[400..599]: two well separated modes
    assert dip[0, 599] > 2 * dip[0, 399]
    assert p[0, 599] == diptest.diptest(x[400:])[1]
