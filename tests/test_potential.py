"""Potential analysis (ews.potential, ews._kernels.potential) against independent references:
scipy.stats.gaussian_kde (the density), scipy.signal.find_peaks (the prominence rule), a naive per-window
loop, and samples of known densities (Gaussian: one well; symmetric double well: two wells at +-1)."""
import warnings

import numpy as np
import pytest
from scipy.signal import find_peaks
from scipy.stats import gaussian_kde

import ews
from ews._errors import DegenerateWindowWarning, InputError
from ews._kernels import potential as kp
from ews.potential import DEFAULT_THRESHOLD, potential_analysis


# --------------------------------------------------------------------------------------------------
# naive references (numpy / scipy, one window at a time)

def nrd(x):
    """R's bw.nrd: 1.06 min(sd, IQR/1.34) n^-0.2 (sd when IQR = 0)."""
    sd = np.std(x, ddof=1)
    q1, q3 = np.quantile(x, [0.25, 0.75])
    s = min(sd, (q3 - q1) / 1.34) if q3 > q1 else sd
    return 1.06 * s * len(x) ** -0.2


def scipy_kde(x, h, grid, weights=None):
    """gaussian_kde with the kernel standard deviation h exactly."""
    k = gaussian_kde(x, weights=weights)
    data_sd = np.sqrt(k.covariance[0, 0]) / k.factor
    k.set_bandwidth(bw_method=h / data_sd)
    return k(grid)


def naive_wells(x, G=100, threshold=DEFAULT_THRESHOLD, bw_adjust=1.0):
    """(count, positions, prominences, peak densities, barrier densities) of one window by scipy."""
    h = nrd(x) * bw_adjust
    grid = np.linspace(x.min() - h, x.max() + h, G)
    p = scipy_kde(x, h, grid)
    peaks, props = find_peaks(p, prominence=threshold * p.max())
    bounds = np.r_[0, peaks, G - 1]
    barrier = [max(p[bounds[m]:peaks[m] + 1].min(), p[peaks[m]:bounds[m + 2] + 1].min()) for m in range(len(peaks))]
    return len(peaks), grid[peaks], props["prominences"], p[peaks], np.array(barrier)


def double_well_sample(n, s, rng):
    """Inverse-CDF draw from p(x) ~ exp(-2 U(x) / s^2), U = x^4/4 - x^2/2, on a fine grid."""
    xs = np.linspace(-3.0, 3.0, 60001)
    f = np.exp(-2.0 * (xs ** 4 / 4 - xs ** 2 / 2) / s ** 2)
    c = np.cumsum(f)
    c /= c[-1]
    return np.interp(rng.random(n), c, xs)


# --------------------------------------------------------------------------------------------------
# the density

@pytest.mark.parametrize("G", [3, 50, 100, 2000])
def test_kde_equals_scipy(G):
    rng = np.random.default_rng(G)
    worst = 0.0
    for n, scale in ((20, 1.0), (100, 1e-3), (500, 1e4)):
        x = np.sort(rng.standard_normal(n) * scale + 5 * scale)
        x[-1] += 40 * scale  # a far outlier: kernels beyond the 9h cutoff of most grid points
        h = kp.nrd_bandwidth(x, n, 1.0)
        assert h == pytest.approx(nrd(x), rel=1e-13)
        y0, dy = x[0] - h, (x[-1] - x[0] + 2 * h) / (G - 1)
        p = np.empty(G)
        kp.kde_grid(x, np.empty(0), n, h, y0, dy, G, p)
        ref = scipy_kde(x, h, y0 + dy * np.arange(G))
        worst = max(worst, np.abs(p - ref).max() / ref.max())
    assert worst < 1e-12, worst


def test_weighted_kde_equals_scipy():
    rng = np.random.default_rng(3)
    x = np.sort(rng.standard_normal(300))
    v = rng.random(300) + 0.01
    h = 0.3
    G = 150
    y0, dy = -4.0, 8.0 / (G - 1)
    p = np.empty(G)
    kp.kde_grid(x, v, 300, h, y0, dy, G, p)
    ref = scipy_kde(x, h, y0 + dy * np.arange(G), weights=v)
    assert np.abs(p - ref).max() / ref.max() < 1e-12


def test_prominence_rule_equals_find_peaks():
    rng = np.random.default_rng(5)
    pk = np.empty(200, dtype=np.int64)
    pr = np.empty(200)
    for trial in range(300):
        p = np.round(rng.random(60) * 5) / 5  # plateaus and ties on purpose
        thr = rng.choice([0.0, 0.05, 0.3])
        k = kp.find_wells(p, p.size, thr, pk, pr)
        ref, props = find_peaks(p, prominence=thr * p.max())
        assert k == len(ref)
        assert (pk[:k] == ref).all()
        assert np.allclose(pr[:k], props["prominences"], rtol=0, atol=1e-15)


# --------------------------------------------------------------------------------------------------
# wells of known densities

def test_gaussian_one_well_double_well_two():
    n = 200
    gauss = np.random.default_rng(11).standard_normal((200, n))
    dw = np.stack([double_well_sample(n, 0.5, np.random.default_rng(1000 + s)) for s in range(200)])
    res = potential_analysis(np.vstack([gauss, dw]), 1.0)  # one window: the whole series
    counts = res.n_wells[:, 0, -1]
    rate_one = np.mean(counts[:200] == 1)
    rate_two = np.mean(counts[200:] == 2)
    # measured: 1.000 and 1.000 at n = 200 (threshold 0.05)
    assert rate_one >= 0.95, rate_one
    assert rate_two >= 0.95, rate_two
    pos = res.well_position[200:, 0, -1, :2][counts[200:] == 2]
    assert np.abs(pos[:, 0] + 1).max() < 0.3 and np.abs(pos[:, 1] - 1).max() < 0.3
    assert abs(np.median(pos[:, 0]) + 1) < 0.1 and abs(np.median(pos[:, 1]) - 1) < 0.1
    # a large sample: the KDE wells approach the true ones, depths near the true barrier (1/4 in U with
    # sigma = s = 0.5 -> U = -(s^2/2) log p = x^4/4 - x^2/2 + c), smoothed by the kernel
    big = double_well_sample(20000, 0.5, np.random.default_rng(7))
    r = potential_analysis(big, 1.0, sigma=0.5, grid_size=400)
    assert r.n_wells[0, 0, -1] == 2
    assert np.allclose(r.well_position[0, 0, -1, :2], [-1, 1], atol=0.1)
    depth = r.well_depth[0, 0, -1, :2]
    assert np.all((depth > 0.15) & (depth < 0.25)), depth


# --------------------------------------------------------------------------------------------------
# rolling: against the naive loop, batch / thread independence

def _ragged_batch():
    rng = np.random.default_rng(21)
    n = 150
    X = np.zeros((5, n))
    X[0] = rng.standard_normal(n)
    X[1, :120] = np.concatenate([rng.standard_normal(60), double_well_sample(60, 0.4, rng)])
    X[2, :90] = np.round(rng.standard_normal(90), 1)  # heavy ties
    X[3, :150] = np.concatenate([rng.standard_normal(70), np.full(40, 2.0), rng.standard_normal(40)])  # constant run
    X[4, :10] = rng.standard_normal(10)  # too short for its window
    lengths = np.array([150, 120, 90, 150, 10])
    windows = np.array([40, 50, 33, 35, 0])
    return X, lengths, windows


def test_rolling_wells_equals_naive_loop():
    X, lengths, windows = _ragged_batch()
    out = kp.rolling_wells(X, lengths, windows, 100, DEFAULT_THRESHOLD, 1.0)
    res = kp.rolling_potential(X, lengths, windows, 100, DEFAULT_THRESHOLD, 1.0, np.zeros(5), np.ones(5), 8, 0)
    assert np.array_equal(out, res[0], equal_nan=True)
    checked = 0
    for i in range(X.shape[0]):
        w, L = windows[i], lengths[i]
        assert np.isnan(out[i, L:]).all()
        if w == 0:
            assert np.isnan(out[i]).all()
            continue
        assert np.isnan(out[i, : w - 1]).all()
        for j in range(w - 1, L):
            win = X[i, j - w + 1: j + 1]
            if np.all(win == win[0]):
                assert np.isnan(out[i, j])
                continue
            k, pos, prom, peakd, barrier = naive_wells(win)
            assert out[i, j] == k, (i, j)
            assert np.allclose(res[2][i, j, :k], pos, rtol=0, atol=1e-12 * np.abs(win).max())
            assert np.allclose(res[3][i, j, :k], prom, rtol=1e-10, atol=0)
            assert np.allclose(res[4][i, j, :k], peakd, rtol=1e-10, atol=0)
            assert np.allclose(res[5][i, j, :k], barrier, rtol=1e-10, atol=0)
            checked += 1
    assert checked == 111 + 71 + 58 + 110  # every full window but the 6 constant ones of row 3
    assert np.nanmax(out[1]) == 2 and np.nanmin(out[0]) == 1


def test_rolling_wells_batch_and_thread_independent():
    import numba

    rng = np.random.default_rng(2)
    X = rng.standard_normal((40, 600))  # 24,000 values: the parallel twin
    X[::3, 300:] = double_well_sample(300, 0.4, rng)
    lengths = np.full(40, 600)
    lengths[::7] = 450
    windows = np.full(40, 80)
    windows[1::5] = 120
    batch = kp.rolling_wells(X, lengths, windows, 64, 0.05, 1.3)
    one = np.vstack([kp.rolling_wells(X[i:i + 1], lengths[i:i + 1], windows[i:i + 1], 64, 0.05, 1.3)
                     for i in range(40)])
    assert np.array_equal(batch, one, equal_nan=True)
    prev = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        single = kp.rolling_wells(X, lengths, windows, 64, 0.05, 1.3)
    finally:
        numba.set_num_threads(prev)
    assert np.array_equal(batch, single, equal_nan=True)
    assert np.nanmax(batch) >= 2


# --------------------------------------------------------------------------------------------------
# the public function

def test_potential_analysis_rolling_result():
    rng = np.random.default_rng(8)
    x = np.concatenate([rng.standard_normal(150), double_well_sample(150, 0.4, rng)])
    X = np.stack([x, rng.standard_normal(300)]).reshape(2, 1, 300)
    r = potential_analysis(X, [0.25, 60], grid_size=80, sigma=2.0)
    r1 = potential_analysis(X, [0.25, 60], grid_size=80, sigma=1.0)
    assert r.n_wells.shape == (2, 2, 300)
    # same wells whatever sigma; potentials and depths scale with sigma^2
    assert np.array_equal(r.n_wells, r1.n_wells, equal_nan=True)
    assert np.allclose(r.well_depth, 4 * r1.well_depth, equal_nan=True)
    assert np.allclose(r.potential, 4 * r1.potential, equal_nan=True)
    # rolling counts = the kernel's; the landscape is the KDE on the row's common grid
    w = 75
    assert np.array_equal(r.n_wells[0, 0], kp.rolling_wells(X[0, 0][None], np.array([300]), np.array([w]), 80,
                                                            DEFAULT_THRESHOLD, 1.0)[0], equal_nan=True)
    j = 200
    win = X[0, 0, j - w + 1: j + 1]
    assert np.allclose(r.density[0, 0, j], scipy_kde(win, nrd(win), r.state_grid[0]), rtol=1e-10, atol=0)
    assert np.isnan(r.density[0, 0, : w - 1]).all()
    ds = r.to_xarray()
    assert ds["potential"].dims == ("dim_0", "dim_1", "window", "time", "state")
    assert ds["n_wells"].dims == ("dim_0", "dim_1", "window", "time")
    assert ds["well"].dtype == bool
    assert int(ds["well"].sum()) == int(np.nansum(r.n_wells))
    assert list(ds["window"].values) == ["0.25", "60"]
    assert ds["state_value"].dims == ("dim_0", "dim_1", "state")
    # the well mask sits at the potential's local minima of the common grid (same KDE, grid nearby)
    lead = ds["potential"].isel(dim_0=0, dim_1=0, window=1, time=299).values
    marked = np.flatnonzero(ds["well"].isel(dim_0=0, dim_1=0, window=1, time=299).values)
    for g in marked:
        assert lead[g] <= lead[max(g - 1, 0)] + 1e-9 or lead[g] <= lead[min(g + 1, 79)] + 1e-9
    tab = r.table()
    assert list(tab.columns[:5]) == ["dim_0", "dim_1", "window", "window_points", "time"]
    one_window = tab[(tab.dim_0 == 0) & (tab.window == 60) & (tab.time == 299)]
    assert len(one_window) == r.n_wells[0, 1, 299]
    assert one_window["position"].is_monotonic_increasing
    # one row per (window, well): total rows = sum of counts (no constant windows here)
    assert len(tab) == int(np.nansum(r.n_wells))
    land = r.landscape(row=0, window=60)
    assert land.shape == (300, 80) and land.dims == ("time", "state")
    assert np.allclose(land.values, r.potential[0, 1], equal_nan=True)
    assert "PotentialResult" in repr(r)


def test_constant_window_gives_nan_and_a_table_row():
    x = np.concatenate([np.random.default_rng(0).standard_normal(50), np.ones(30)])
    with pytest.warns(DegenerateWindowWarning):
        r = potential_analysis(x, 20, landscape=False)
    assert np.isnan(r.n_wells[0, 0, -1]) and r.n_wells[0, 0, 40] >= 1
    assert r.density is None
    tab = r.table()
    last = tab[tab.time == 79]
    assert len(last) == 1 and last["well"].iloc[0] == -1 and np.isnan(last["n_wells"].iloc[0])


def test_along_parameter_unimodal_to_bimodal():
    rng = np.random.default_rng(4)
    n = 400
    x = np.concatenate([0.5 * rng.standard_normal(n), double_well_sample(n, 0.4, rng)])
    param = np.linspace(0.0, 1.0, 2 * n)
    r = potential_analysis(x, along=param, n_steps=20, grid_size=120)
    counts = r.n_wells[0, 0]
    assert r.parameter.shape == (20,)
    assert np.allclose(r.parameter, (np.arange(20) + 0.5) / 20)
    assert (counts[:7] == 1).all(), counts
    assert (counts[-7:] == 2).all(), counts
    pos = r.well_position[0, 0, -1, :2]
    assert np.allclose(pos, [-1, 1], atol=0.25)
    # the weighted KDE and weighted bandwidth against an independent numpy / scipy version
    k = 15
    step = 1.0 / 20
    v = np.exp(-0.5 * ((r.parameter[k] - param) / step) ** 2)
    order = np.argsort(x)
    xs, vs = x[order], v[order]
    S, S2 = vs.sum(), (vs ** 2).sum()
    neff = S * S / S2
    m = (vs * xs).sum() / S
    sd = np.sqrt((vs * (xs - m) ** 2).sum() / S * neff / (neff - 1))
    P = (np.cumsum(vs) - vs) / (S - vs[-1])
    q1, q3 = np.interp([0.25, 0.75], P, xs)
    h = 1.06 * min(sd, (q3 - q1) / 1.34) * neff ** -0.2
    assert r.bandwidth[0, 0, k] == pytest.approx(h, rel=1e-9)
    ref = scipy_kde(x, h, r.state_grid[0], weights=v)
    assert np.allclose(r.density[0, 0, k], ref, rtol=0, atol=1e-10 * ref.max())
    ds = r.to_xarray()
    assert ds["potential"].dims == ("parameter", "state")
    tab = r.table()
    assert set(tab.columns) >= {"parameter", "n_wells", "well", "position", "depth"}
    assert len(tab) == int(counts.sum())
    # equal weights: the weighted rule is bw.nrd (type-7 quantiles, n_eff = n)
    xw = np.sort(rng.standard_normal(50))
    hw, _ = kp.weighted_bandwidth(xw, np.ones(50), 50, 1.0)
    assert hw == pytest.approx(nrd(xw), rel=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(window=500), "window"),
    (dict(window=2), "at least 3"),
    (dict(window=1.5), "fraction"),
    (dict(window=[]), "empty"),
    (dict(window=[50, 50]), "twice"),
    (dict(grid_size=2), "grid_size"),
    (dict(grid_size=10.0), "grid_size"),
    (dict(grid_size=True), "grid_size"),
    (dict(sigma=0.0), "sigma"),
    (dict(sigma=-1.0), "sigma"),
    (dict(sigma=float("nan")), "sigma"),
    (dict(bw_adjust=0), "bw_adjust"),
    (dict(threshold=1.0), "threshold"),
    (dict(threshold=-0.1), "threshold"),
    (dict(input="trend"), "input"),
    (dict(along=np.arange(99)), "99 values"),
    (dict(along=np.ones((2, 100))), "shape"),
    (dict(along=np.ones(100)), "constant"),
    (dict(along=np.r_[np.nan, np.arange(99.0)]), "NaN"),
    (dict(along=np.arange(100), window=0.5), "not both"),
    (dict(along=np.arange(100), n_steps=0), "n_steps"),
])
def test_bad_input(kwargs, match):
    x = np.random.default_rng(0).standard_normal(100)
    with pytest.raises(InputError, match=match):
        potential_analysis(x, **kwargs)


def test_bad_result_access_and_short_rows():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 100))
    ts = ews.TimeSeries(X).with_lengths(np.array([100, 30]))
    with pytest.warns(DegenerateWindowWarning):
        r = potential_analysis(ts, 40)
    assert np.isnan(r.n_wells[1]).all() and np.isfinite(r.n_wells[0, 0, 39:]).all()
    with pytest.raises(InputError, match="window sizes"):
        r.landscape(window=0.5)
    with pytest.raises(InputError, match="row"):
        r.landscape(row=2)
    with pytest.raises(InputError, match="what"):
        r.landscape(what="x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateWindowWarning)
        with pytest.raises(InputError):
            potential_analysis(rng.standard_normal(10), 20)
