"""LOWESS kernel (statsmodels/ewstools parity) and R loess (earlywarnings parity).

References: statsmodels itself (installed), ewstools 2.1.3 and R earlywarnings 1.1.29 outputs copied
into tests/data/earlywarnings and tests/data/ewstools (see tests/data/README.md), and the simple smoothers in
tests/naive_lowess.py.
"""
import math
import pathlib
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ews._errors import InputError
from ews._kernels.lowess import lowess_rows, n_neighbours, pairwise_sum
from ews.compat._rloess import _kd_tree_1d, r_loess

from naive_lowess import naive_loess_direct, naive_loess_interpolate, naive_loess_local, naive_lowess

DATA = pathlib.Path(__file__).parent / "data"


def sm_lowess(y, t, span, iterations):
    from statsmodels.nonparametric.smoothers_lowess import lowess

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels' own 0/0 for n = 1
        return lowess(y, t, frac=span, it=iterations, delta=0.0, return_sorted=False)


def one(t, y, span, iterations):
    # writeable C-contiguous copies: a read-only array (pandas' to_numpy) would compile a second version
    y = np.array(y, dtype=np.float64, order="C", copy=True)
    t = np.array(t, dtype=np.float64, order="C", copy=True)
    return lowess_rows(t, y[None, :], np.array([len(y)], np.int64), float(span), int(iterations))[0]


def rel_err(a, b):
    """max |a - b| / max |b| (relative to the scale of the reference)."""
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


# ----------------------------------------------------------------------------------------------
# LOWESS kernel
# ----------------------------------------------------------------------------------------------


def test_pairwise_sum_is_numpys_sum():
    rng = np.random.default_rng(3)
    ist = np.empty((64, 3), np.int64)
    fst = np.empty(64)
    for n in list(range(0, 300)) + [511, 1000, 4097, 10007, 123457]:
        a = rng.random(n + 4) ** 3
        lo = int(rng.integers(0, 4))
        assert pairwise_sum(a, lo, n, ist, fst) == np.sum(a[lo : lo + n])


@pytest.mark.parametrize(
    "span,n,k", [(0.2, 1000, 200), (0.2, 7, 2), (0.0, 50, 2), (1.0, 50, 50), (0.3, 10, 3), (2 / 3, 3, 2)]
)
def test_n_neighbours(span, n, k):
    assert n_neighbours(span, n) == k == min(max(int(span * n + 1e-10), 2), n)


def _random_case(rng, trial):
    n = int(rng.integers(1, 300))
    if trial % 3 == 0:
        t = np.arange(n, dtype=float)
    elif trial % 3 == 1:
        t = np.cumsum(rng.random(n) + 0.01)
    else:
        t = 1990.0 + np.arange(n) / 12.0
    y = np.cumsum(rng.standard_normal(n))
    if trial % 4 == 0:
        y = y + rng.standard_cauchy(n)  # outliers: the robustness weights matter
    span = float(rng.choice([0.05, 0.1, 0.2, 0.3, 0.5, 2 / 3, 1.0, rng.random()]))
    return t, y, span, int(rng.integers(0, 5))


def test_matches_statsmodels_random():
    rng = np.random.default_rng(20261125)
    for trial in range(120):
        t, y, span, it = _random_case(rng, trial)
        ref = sm_lowess(y, t, span, it)
        got = one(t, y, span, it)
        assert rel_err(got, ref) <= 1e-12, (trial, len(t), span, it)


@pytest.mark.parametrize(
    "y",
    [
        np.zeros(40),  # all residuals 0: median 0, every weight 1
        np.r_[np.zeros(30), 5.0, np.zeros(30)],  # median residual 0 with a spike: statsmodels' 0/1 rule
        np.full(25, 3.25),
        np.r_[np.arange(20.0), np.arange(20.0)[::-1]],
    ],
)
@pytest.mark.parametrize("span", [0.1, 0.3, 1.0])
def test_matches_statsmodels_degenerate(y, span):
    t = np.arange(len(y), dtype=float)
    for it in (0, 1, 3):
        np.testing.assert_array_equal(one(t, y, span, it), sm_lowess(y, t, span, it))


def test_tiny_weighted_variance_floor_like_statsmodels():
    # time in units where the weighted variance of t is below statsmodels' absolute 1e-12 floor
    rng = np.random.default_rng(1)
    t = np.arange(200) * 1e-8
    y = np.sin(np.arange(200) / 20) + 0.1 * rng.standard_normal(200)
    np.testing.assert_array_equal(one(t, y, 0.3, 2), sm_lowess(y, t, 0.3, 2))


def test_short_rows_like_statsmodels():
    y = np.array([1.5, -2.0, 0.25, 4.0])
    for n in range(1, 5):
        for span in (0.0, 0.5, 1.0):
            for it in (0, 3):
                t = np.arange(n, dtype=float)
                np.testing.assert_array_equal(one(t, y[:n], span, it), sm_lowess(y[:n], t, span, it))


@pytest.mark.parametrize("name", ["ar1_rising", "white_noise"])
def test_reproduces_ewstools_lowess(name):
    d = pd.read_csv(DATA / "ewstools" / f"ewstools_{name}_lowess_detrended.csv")
    t = d["time"].to_numpy(float)
    x = d["state"].to_numpy(float)
    trend = one(t, x, 0.2, 3)  # ewstools: lowess(x, t, frac=0.2), it=3, delta=0
    assert np.max(np.abs(trend - d["smoothing"].to_numpy())) <= 1e-8 * np.max(np.abs(d["smoothing"]))
    assert np.max(np.abs((x - trend) - d["residuals"].to_numpy())) <= 1e-8 * np.max(np.abs(x))
    # in fact bit for bit (same operations in the same order as statsmodels)
    np.testing.assert_array_equal(trend, d["smoothing"].to_numpy())


def test_matches_naive_reference():
    rng = np.random.default_rng(7)
    for trial in range(10):
        n = int(rng.integers(15, 120))
        t = np.arange(n, dtype=float) if trial % 2 else np.sort(rng.random(n)) * 30
        y = np.sin(t / 5) + 0.3 * rng.standard_normal(n)
        if trial % 3 == 0:
            y[rng.integers(0, n, 3)] += 8.0
        span = float(rng.choice([0.1, 0.25, 0.5, 1.0]))
        for it in (0, 1, 3):
            assert rel_err(one(t, y, span, it), naive_lowess(t, y, span, it)) <= 1e-9


finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(
    a=finite,
    b=st.floats(-100, 100),
    n=st.integers(3, 120),
    span=st.floats(0.0, 1.0),
    step=st.floats(0.01, 10.0),
    jitter=st.integers(0, 2**31),
)
def test_line_reproduced_without_iterations(a, b, n, span, step, jitter):
    rng = np.random.default_rng(jitter)
    t = np.cumsum(step * (0.5 + rng.random(n)))
    y = a + b * t
    trend = one(t, y, span, 0)
    scale = abs(a) + abs(b) * t.max() + 1e-300
    assert np.max(np.abs(trend - y)) <= 1e-11 * scale


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 80),
    lengths=st.lists(st.integers(0, 80), min_size=1, max_size=6),
    span=st.floats(0.0, 1.0),
    it=st.integers(0, 3),
    seed=st.integers(0, 2**31),
)
def test_ragged_rows_equal_rows_alone(n, lengths, span, it, seed):
    rng = np.random.default_rng(seed)
    lengths = np.array([min(L, n) for L in lengths], np.int64)
    t = np.cumsum(0.1 + rng.random(n))
    X = rng.standard_normal((len(lengths), n)).cumsum(axis=1)
    for i, L in enumerate(lengths):
        X[i, L:] = np.nan if i % 2 else np.inf  # padding must never be read
    out = lowess_rows(t, X, lengths, span, it)
    for i, L in enumerate(lengths):
        assert np.all(np.isnan(out[i, L:]))
        if L:
            np.testing.assert_array_equal(out[i, :L], one(t[:L], X[i, :L], span, it))


def test_batch_rows_equal_single_rows_and_thread_count_irrelevant():
    """The three execution paths (row tasks for >= 32 rows, serial for small work, chunks of points
    for few long rows) and the thread count give the same bits."""
    import numba

    rng = np.random.default_rng(11)
    n, B = 400, 40  # 40 rows: one task per row; each row alone (400 x 80 per pass): serial
    t = np.arange(n, dtype=float)
    X = rng.standard_normal((B, n)).cumsum(axis=1)
    X[::5] += rng.standard_cauchy((8, n))
    lengths = np.full(B, n, np.int64)
    out = lowess_rows(t, X, lengths, 0.2, 3)
    for i in range(0, B, 7):
        np.testing.assert_array_equal(out[i], one(t, X[i], 0.2, 3))
    # few long ragged rows: chunked path (2000 x 400 + 1500 x 300 neighbour evaluations per pass)
    t2 = np.cumsum(0.5 + rng.random(2000))
    X2 = rng.standard_normal((3, 2000)).cumsum(axis=1)
    X2[1, 1500:] = np.nan
    X2[2, :] = np.nan
    L2 = np.array([2000, 1500, 0], np.int64)
    out2 = lowess_rows(t2, X2, L2, 0.2, 2)
    np.testing.assert_array_equal(out2[0], sm_lowess(X2[0], t2, 0.2, 2))
    np.testing.assert_array_equal(out2[1, :1500], sm_lowess(X2[1, :1500], t2[:1500], 0.2, 2))
    assert np.all(np.isnan(out2[1, 1500:])) and np.all(np.isnan(out2[2]))
    nt = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        np.testing.assert_array_equal(lowess_rows(t, X, lengths, 0.2, 3), out)
        np.testing.assert_array_equal(lowess_rows(t2, X2, L2, 0.2, 2), out2)
    finally:
        numba.set_num_threads(nt)


# ----------------------------------------------------------------------------------------------
# R loess (earlywarnings generic_ews(detrending = "loess"))
# ----------------------------------------------------------------------------------------------


def _devfold():
    y = pd.read_csv(DATA / "earlywarnings" / "data_devfold.csv")["y"].to_numpy(float)
    return np.arange(1, len(y) + 1, dtype=float), y


R_CASES = [
    ("earlywarnings/generic_ews__devfold__w50_loess_default__detrended.csv", 0.25, 2),
    ("earlywarnings/generic_ews__devfold__w50_loess_span50_deg1__detrended.csv", 0.5, 1),
]


@pytest.mark.parametrize("fname,span,degree", R_CASES)
def test_r_loess_matches_r(fname, span, degree):
    t, y = _devfold()
    ref = pd.read_csv(DATA / fname)
    fit = r_loess(t, y, span=span, degree=degree)
    rel = np.abs(fit - ref["smY"].to_numpy()) / np.abs(ref["smY"].to_numpy())
    assert rel.max() <= 1e-6  # the brief's tolerance
    assert rel.max() <= 1e-13  # what is achieved (LAPACK vs LINPACK rounding only)
    assert np.max(np.abs((y - fit) - ref["nsmY"].to_numpy())) <= 1e-12


@pytest.mark.parametrize(
    "fname,span,degree,expected", [(R_CASES[0][0], 0.25, 2, 8.17e-3), (R_CASES[1][0], 0.5, 1, 1.47e-3)]
)
def test_r_loess_interpolation_effect_as_documented(fname, span, degree, expected):
    t, y = _devfold()
    direct = r_loess(t, y, span=span, degree=degree, surface="direct")
    interp = pd.read_csv(DATA / fname)["smY"].to_numpy()
    assert abs(np.max(np.abs(direct - interp)) - expected) < 0.01e-3
    np.testing.assert_allclose(direct, naive_loess_direct(t, y, span, degree), rtol=1e-12)


def test_r_loess_span_above_one_matches_sensitivity_ews():
    """sensitivity_ews passes spans in points (15..295) to loess: R's rule for span > 1."""
    from scipy.stats import kendalltau

    t, y = _devfold()
    ref = pd.read_csv(DATA / "earlywarnings" / "sensitivity_ews__devfold.csv")
    ref = ref[ref["detrending"] == "loess"].reset_index(drop=True)
    n = len(y)

    def ar1(x):  # ar.ols(order.max=1, demean=TRUE, intercept=FALSE)
        z = x - x.mean()
        return np.dot(z[1:], z[:-1]) / np.dot(z[:-1], z[:-1])

    for span, rows in ref.groupby("bandwidth_or_span_points"):
        res = y - r_loess(t, y, span=float(span), degree=2)
        for w, tau in zip(rows["winsize_points"].astype(int), rows["tau"]):
            a = np.array([ar1(res[i : i + w]) for i in range(n - w + 1)])
            assert abs(kendalltau(np.arange(len(a)), a).statistic - tau) <= 1e-12


def test_r_loess_vertices_and_fit_there():
    t, y = _devfold()
    # 300 points, fc = floor(300 * 0.05) = 15: 33 vertices, all but the two box ends are data points
    v = _kd_tree_1d(t, 15)
    assert len(v) == 33
    assert v[0] == 1 - 0.005 * 299 and v[-1] == 300 + 0.005 * 299
    inner = v[1:-1]
    assert np.all(np.isin(inner, t))
    fit = r_loess(t, y, 0.25, 2)
    direct = r_loess(t, y, 0.25, 2, surface="direct")
    idx = inner.astype(int) - 1
    np.testing.assert_allclose(fit[idx], direct[idx], rtol=1e-14)


def test_r_loess_matches_naive_interpolation_random():
    rng = np.random.default_rng(2)
    for trial in range(8):
        n = int(rng.integers(30, 160))
        t = np.sort(rng.random(n)) * 100 if trial % 2 else np.arange(1.0, n + 1)
        y = np.cos(t / 9) + 0.2 * rng.standard_normal(n)
        span = float(rng.choice([0.3, 0.5, 0.75, 1.0, 2.5]))
        degree = int(rng.integers(0, 3))
        if math.floor(n * span) - 1 < degree + 1:
            continue
        interp = r_loess(t, y, span, degree)
        direct = r_loess(t, y, span, degree, surface="direct")
        assert rel_err(interp, naive_loess_interpolate(t, y, span, degree)) <= 1e-11
        assert rel_err(direct, naive_loess_direct(t, y, span, degree)) <= 1e-11


def test_r_loess_order_and_ties():
    t, y = _devfold()
    perm = np.random.default_rng(0).permutation(len(t))
    np.testing.assert_array_equal(r_loess(t[perm], y[perm], 0.25, 2), r_loess(t, y, 0.25, 2)[perm])
    # tied time points: finite, order-independent, and the split search skips the ties
    tt = np.repeat(np.arange(60.0), 3)
    yy = np.sin(tt / 6) + np.random.default_rng(1).standard_normal(len(tt)) * 0.1
    f1 = r_loess(tt, yy, 0.3, 2)
    assert np.all(np.isfinite(f1))
    p = np.random.default_rng(2).permutation(len(tt))
    np.testing.assert_allclose(r_loess(tt[p], yy[p], 0.3, 2), f1[p], rtol=1e-13)
    v = _kd_tree_1d(np.sort(tt), math.floor(len(tt) * 0.3 * 0.2))
    assert len(np.unique(v)) == len(v)


def test_r_loess_degenerate_neighbourhoods_raise():
    # one leaf (cell=5): vertices at the box corners only; the 5 nearest points of the lower corner
    # are 5 tied zeros, all on the boundary of the neighbourhood (R: error 121)
    t = np.r_[np.zeros(5), np.arange(1.0, 21.0)]
    with pytest.raises(InputError, match="boundary"):
        r_loess(t, np.sin(t), span=0.2, degree=1, cell=5.0)
    # every neighbourhood of zero width (R: error 120)
    t = np.repeat([0.0, 1.0], 10)
    with pytest.raises(InputError, match="zero-width"):
        r_loess(t, np.cos(t), span=0.3, degree=1)


def test_r_loess_local_fit_matches_naive_at_vertices():
    t, y = _devfold()
    from ews.compat._rloess import _local_fits

    v = _kd_tree_1d(t, 15)
    g, gp, _ = _local_fits(t, y, v, 75, 0.25, 2)
    for q, gq, sq in zip(v, g, gp):
        g0, s0 = naive_loess_local(t, y, q, 0.25, 2)
        assert abs(gq - g0) <= 1e-12 * abs(g0) and abs(sq - s0) <= 1e-9 * max(abs(s0), 1e-3)


@pytest.mark.parametrize(
    "kw",
    [dict(span=0.0), dict(span=-1.0), dict(degree=3), dict(span=0.01), dict(surface="exact"),
     dict(cell=0.0)],
)
def test_r_loess_input_errors(kw):
    t, y = _devfold()
    with pytest.raises(InputError):
        r_loess(t, y, **kw)
    with pytest.raises(InputError):
        r_loess(t, y[:-1])
    with pytest.raises(InputError):
        r_loess(t, np.r_[y[:-1], np.nan])
