"""R earlywarnings 1.1.29 livpotential_ews / movpotential_ews against the real package's numbers.

References (tests/data/earlywarnings/, copied from the project's R reference set; CALLS.csv there):
``livpotential_ews(devfold$y)``, ``livpotential_ews(trimodal)``, ``livpotential_ews(trimodal,
grid.size=100, detection.threshold=0.1)``, ``movpotential_ews(devfold$y)`` and
``movpotential_ews(trimodal, seq(0, 5, length = 3000))``.

Precision: R's density is a binned FFT convolution; everything is R's arithmetic except the FFT
(numpy's for R's). Grid points and bandwidths must match to 1e-12; densities and potentials to 1e-6
relative (measured: 3e-14), the optima's indices exactly. In movpotential's weighted rows the far tails
of the density are FFT round-off in R as in numpy (R even clips some to 0, potential inf), so there the
density is compared in absolute terms against the round-off bound FLOOR = eps log2(2M) dnorm(0, bw)
(2M the FFT length; measured worst 0.11 FLOOR), and the potential to 1e-6 relative wherever R's
density is above 1e6 FLOOR (so round-off is below 1e-6 of it).
"""
from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ews._errors import EWSWarning, InputError
from ews.compat._potential import _find_optima, livpotential_ews, movpotential_ews

DATA = Path(__file__).parent / "data" / "earlywarnings"
EPS = np.finfo(float).eps


@pytest.fixture(scope="module")
def devfold():
    return pd.read_csv(DATA / "data_devfold.csv")["y"].to_numpy()


@pytest.fixture(scope="module")
def trimodal():
    return pd.read_csv(DATA / "data_trimodal_vignette_seed123.csv")


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.max(np.abs(a - b) / np.abs(b))


# --------------------------------------------------------------------------------------------------
# livpotential_ews against R
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tag, data, kwargs", [
    ("devfold__default", "devfold", {}),
    ("trimodal__default", "trimodal", {}),
    ("trimodal__gs100_thr0.1", "trimodal", {"grid_size": 100, "detection_threshold": 0.1}),
])
def test_livpotential_matches_r(tag, data, kwargs, request):
    x = request.getfixturevalue(data)
    if data == "trimodal":
        x = x["x"].to_numpy()
    res = livpotential_ews(x, **kwargs)
    grid = pd.read_csv(DATA / f"livpotential_ews__{tag}__grid.csv")
    opt = pd.read_csv(DATA / f"livpotential_ews__{tag}__optima.csv")

    assert res.grid_points.shape == (len(grid),)
    np.testing.assert_allclose(res.grid_points, grid["grid.points"], rtol=1e-12, atol=0)
    assert _rel(res.density, grid["density"]) < 1e-6
    assert _rel(res.pot, grid["pot"]) < 1e-6
    assert abs(res.bw / opt.loc[opt.kind == "bw", "point"].iloc[0] - 1) < 1e-12

    r_max = opt.loc[opt.kind.str.startswith("density_max"), "index_1based"].astype(int).to_numpy()
    r_min = opt.loc[opt.kind.str.startswith("density_min"), "index_1based"].astype(int).to_numpy()
    np.testing.assert_array_equal(res.max_inds, r_max - 1)  # 0-based here, 1-based in R
    np.testing.assert_array_equal(res.min_inds, r_min - 1)
    np.testing.assert_allclose(res.max_points, opt.loc[opt.kind.str.startswith("density_max"), "point"],
                               rtol=1e-12)
    np.testing.assert_allclose(res.min_points, opt.loc[opt.kind.str.startswith("density_min"), "point"],
                               rtol=1e-12)
    assert res.detection_threshold is None  # R's bug: ops$detection.threshold does not exist
    assert not res.fallback

    t = res.table()
    assert list(t.columns) == ["grid_point", "x", "pot", "density", "is_min", "is_max"]
    np.testing.assert_array_equal(np.flatnonzero(t.is_max), np.sort(r_max - 1))
    o = res.optima()
    assert (o.kind == "density_max").sum() == len(r_max)
    ds = res.to_xarray()
    assert ds["pot"].dims == ("state",) and ds.attrs["bw"] == res.bw
    assert "LivPotentialResult" in repr(res)


def test_livpotential_accepts_r_inputs(trimodal):
    """A plain vector (R's input), a list, a pandas Series and a 1-column DataFrame give the same."""
    x = trimodal["x"].to_numpy()
    ref = livpotential_ews(x, grid_size=100)
    for alt in (list(x), pd.Series(x), pd.DataFrame({"x": x}), x[:, None]):
        res = livpotential_ews(alt, grid_size=100)
        np.testing.assert_array_equal(res.pot, ref.pot)
        np.testing.assert_array_equal(res.max_inds, ref.max_inds)


# --------------------------------------------------------------------------------------------------
# movpotential_ews against R
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tag", ["devfold__default", "trimodal__vignette"])
def test_movpotential_matches_r(tag, devfold, trimodal):
    if tag == "devfold__default":
        res = movpotential_ews(devfold)
    else:
        res = movpotential_ews(trimodal["x"].to_numpy(), np.linspace(0, 5, 3000))
    ref = pd.read_csv(DATA / f"movpotential_ews__{tag}.csv")
    g = 50
    assert res.pots.shape == res.pars.shape == res.xis.shape == res.mins.shape == (g, g)
    t = res.table()
    assert len(t) == len(ref) == g * g
    # R's long form: column-major (parameter step fastest); here 0-based
    np.testing.assert_array_equal(t.param_step + 1, ref.row_param_step)
    np.testing.assert_array_equal(t.grid_point + 1, ref.col_grid)
    np.testing.assert_allclose(t.par, ref.par, rtol=1e-12)
    np.testing.assert_allclose(t.xi, ref.xi, rtol=1e-12)
    np.testing.assert_array_equal(t.is_min.astype(int), ref.is_min)
    np.testing.assert_array_equal(t.is_max.astype(int), ref.is_max)
    assert ref.is_max.sum() >= g  # the comparison covers real optima (trimodal: 52 maxima, 2 minima)

    # densities: 1e-6 relative plus the FFT round-off bound (2M = 1024 for grid_size 50)
    floor = EPS * math.log2(1024) / (math.sqrt(2 * math.pi) * res.bw)
    f_py = np.exp(-2 * t.pot.to_numpy() / res.std ** 2)
    f_r = np.exp(-2 * ref.pot.to_numpy())
    assert np.all(np.abs(f_py - f_r) <= 1e-6 * f_r + floor)
    above = f_r > 1e6 * floor
    assert above.mean() > 0.8
    assert _rel(t.pot[above], ref.pot[above]) < 1e-6
    assert np.isinf(ref.pot).any()  # R's clipped zeros exist; they are round-off, compared above

    ds = res.to_xarray()
    assert ds["pot"].dims == ("parameter", "state")
    np.testing.assert_array_equal(ds["parameter"].to_numpy(), res.pars[:, 0])
    assert "MovPotentialResult" in repr(res)


def test_movpotential_ignores_detection_threshold_like_r(trimodal):
    """R does not pass detection.threshold on: livpotential's default 1 is used (R bug reproduced),
    and each row is livpotential_ews with movpotential's Gaussian weights."""
    x, p = trimodal["x"].to_numpy(), np.linspace(0, 5, 3000)
    a = movpotential_ews(x, p, grid_size=20, detection_threshold=0.1)
    b = movpotential_ews(x, p, grid_size=20, detection_threshold=50.0)
    np.testing.assert_array_equal(a.pots, b.pots)
    np.testing.assert_array_equal(a.maxs, b.maxs)
    step = 5 / 20
    i = 12  # par = 3.125, where the -2 and +2 states overlap
    par = (i + 0.5) * step
    w = np.exp(-0.5 * ((par - p) / step) ** 2)
    row = livpotential_ews(x, weights=w / w.sum(), grid_size=20, detection_threshold=1)
    np.testing.assert_allclose(a.pars[i], par, rtol=1e-14)
    np.testing.assert_allclose(a.pots[i], row.pot, rtol=1e-13)
    np.testing.assert_array_equal(np.flatnonzero(a.maxs[i]), np.sort(row.max_inds))
    np.testing.assert_array_equal(np.flatnonzero(a.mins[i]), np.sort(row.min_inds))
    # where the threshold is passed, 0.1 keeps a second (shallow) state that the default 1 removes
    low = livpotential_ews(x, weights=w / w.sum(), grid_size=20, detection_threshold=0.1)
    assert len(low.max_inds) == 2 and len(row.max_inds) == 1 and a.maxs[i].sum() == 1


def test_movpotential_removes_nan_pairs_like_r(trimodal):
    x, p = trimodal["x"].to_numpy().copy(), np.linspace(0, 5, 3000)
    x2, p2 = x.copy(), p.copy()
    x2[10] = np.nan
    p2[20] = np.nan
    with pytest.warns(EWSWarning, match="NAs"):
        res = movpotential_ews(x2, p2, grid_size=10)
    keep = np.ones(3000, bool)
    keep[[10, 20]] = False
    ref = movpotential_ews(x[keep], p[keep], grid_size=10)
    np.testing.assert_array_equal(res.pots, ref.pots)


# --------------------------------------------------------------------------------------------------
# The density: R's binned FFT estimator against a direct kernel sum
# --------------------------------------------------------------------------------------------------
def test_weighted_density_against_direct_kde():
    """Independent check of the binning/FFT/interpolation path with weights: the exact weighted
    Gaussian KDE sum_i w_i phi((x - x_i)/h)/h / sum(w), normalised on the grid as livpotential does.
    Linear binning on M = 512 points of spacing d changes each kernel by at most d^2/8 max|K''|
    = d^2/8 * 0.4/h^3 and the interpolation to the output grid adds at most d^2/8 max|f''|, so the
    two agree to d^2/(2 h^3) (a loose bound) but not to 1e-12."""
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(-1.5, 0.4, 400), rng.normal(1.0, 0.6, 600)])
    w = rng.uniform(0.2, 1.0, x.size)
    res = livpotential_ews(x, weights=w / w.sum(), grid_size=80, detection_threshold=0.5)
    h = res.bw
    q25, q75 = np.percentile(x, [25, 75])
    assert math.isclose(h, 1.06 * min(np.std(x, ddof=1), (q75 - q25) / 1.34) * x.size ** -0.2, rel_tol=1e-13)
    g = res.grid_points
    np.testing.assert_allclose(g, np.linspace(x.min(), x.max(), 80), rtol=1e-14)
    direct = (w[None, :] * np.exp(-0.5 * ((g[:, None] - x[None, :]) / h) ** 2)).sum(1) / (
        w.sum() * h * math.sqrt(2 * math.pi))
    direct /= np.sum(direct * (g[1] - g[0]))
    d = (x.max() - x.min() + 8 * h) / 511
    err = np.max(np.abs(res.density - direct))
    assert err < d ** 2 / (2 * h ** 3)
    assert err > 1e-9  # it is the binned estimator, not a direct sum
    np.testing.assert_allclose(res.pot, -np.log(res.density) / 2, rtol=1e-14)
    res2 = livpotential_ews(x, std=2.0, weights=w / w.sum(), grid_size=80)
    np.testing.assert_allclose(res2.pot, 4 * res.pot, rtol=1e-14)  # U = -log(f) std^2 / 2


def test_unnormalised_weights_warn_like_r_and_change_nothing_else():
    rng = np.random.default_rng(6)
    x = rng.normal(size=300)
    w = rng.uniform(size=300)
    a = livpotential_ews(x, weights=w / w.sum())
    with pytest.warns(EWSWarning, match="sum\\(weights\\) != 1"):
        b = livpotential_ews(x, weights=3 * w)
    np.testing.assert_allclose(b.density, a.density, rtol=1e-12)
    np.testing.assert_array_equal(b.max_inds, a.max_inds)


def test_density_smoothing_and_bw_adjust():
    rng = np.random.default_rng(7)
    x = rng.normal(size=500)
    a = livpotential_ews(x)
    b = livpotential_ews(x, bw_adjust=2)
    assert math.isclose(b.bw, 2 * a.bw, rel_tol=1e-15)
    c = livpotential_ews(x, density_smoothing=0.5)
    # f = (y + s / range) / Z: an affine function of the unsmoothed density, raised by a constant
    dx = a.grid_points[1] - a.grid_points[0]
    A = np.column_stack([a.density, np.ones_like(a.density)])
    (alpha, beta), *_ = np.linalg.lstsq(A, c.density, rcond=None)
    np.testing.assert_allclose(A @ [alpha, beta], c.density, rtol=1e-12)
    assert beta > 0.1 * c.density.max() and abs(np.sum(c.density * dx) - 1) < 1e-12
    d = livpotential_ews(x, bw=0.3)
    assert d.bw == 0.3


def test_zero_iqr_falls_back_to_default_density_like_r():
    """bw.nrd is 0 when more than half of the values are tied: R's density() call fails and
    livpotential_ews uses density(x) with every default (nrd0, 512 points, cut = 3)."""
    rng = np.random.default_rng(8)
    x = np.concatenate([np.zeros(60), rng.normal(size=40)])
    with pytest.warns(EWSWarning, match="default density"):
        res = livpotential_ews(x)
    assert res.fallback
    h = 0.9 * np.std(x, ddof=1) * x.size ** -0.2  # nrd0 with IQR = 0 falls back to sd
    assert math.isclose(res.bw, h, rel_tol=1e-13)
    assert res.grid_points.size == 512
    assert math.isclose(res.grid_points[0], x.min() - 3 * h, rel_tol=1e-13)
    assert math.isclose(res.grid_points[-1], x.max() + 3 * h, rel_tol=1e-13)
    with pytest.raises(InputError, match="bandwidth"):
        movpotential_ews(x)  # R: the 512-point fallback does not fit movpotential's matrix


# --------------------------------------------------------------------------------------------------
# find.optima on densities traced by hand through R's code
# --------------------------------------------------------------------------------------------------
def _optima(f, deth_abs, detl_abs, bw=1.0):
    f = np.asarray(f, float)
    kh = 1 / (math.sqrt(2 * math.pi) * bw) / f.size
    return _find_optima(f, deth_abs / kh, bw, detl_abs / kh)


def test_find_optima_plateaus_and_ends():
    # maxima: a plateau gives its LAST point; the first/last points count (c(Inf, -f, Inf))
    mins, maxs = _optima([5, 1, 3, 3, 3, 1, 2], 0.0, 0.0)
    assert maxs == [1, 5, 7]
    assert mins == [2, 6]


def test_find_optima_tied_minima_take_rounded_mean():
    # the bump (f = 1.05 at 3..6, a plateau maximum at 6) is below detection_limit and dropped;
    # the two tied minima at 2 and 7 become one at round(4.5) = 4 (half to even), on the bump
    mins, maxs = _optima([3, 1, 1.05, 1.05, 1.05, 1.05, 1, 3], 0.0, 2.0)
    assert maxs == [1, 8]
    assert mins == [4]


def test_find_optima_shallow_maximum_and_r_merge():
    # maxima 2 (f 5), 4 (3), 6 (3.05), 8 (4); minima 3 (1), 5 (2.9), 7 (0).
    # max 4 is shallow (3 - 2.9 < 0.2): deleted with the larger neighbour minimum 5.
    # merge: run [2] -> 2, run [4, 6] (no minimum between) -> 6, run [6] -> 6, last 8 appended:
    # (2, 6, 6, 8); R then drops position 2 of it (the mask of the unmerged maxima): (2, 6, 8).
    f = [0, 5, 1, 3, 2.9, 3.05, 0, 4, 0]
    mins, maxs = _optima(f, 0.2, 0.01)
    assert maxs == [2, 6, 8]
    assert mins == [3, 7]
    # with a threshold that deletes nothing every maximum stays
    mins, maxs = _optima(f, 0.05, 0.01)
    assert maxs == [2, 4, 6, 8] and mins == [3, 5, 7]


def test_find_optima_no_maximum_left_is_an_error():
    with pytest.raises(InputError, match="detection_limit"):
        _optima([1, 2, 1], 0.0, 10.0)
    rng = np.random.default_rng(9)
    with pytest.raises(InputError, match="detection_limit"):
        livpotential_ews(rng.normal(size=200), detection_limit=1e6)


# --------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------
def test_bad_input_raises_input_error():
    rng = np.random.default_rng(10)
    x = rng.normal(size=100)
    bad = x.copy()
    bad[3] = np.nan
    with pytest.raises(InputError, match="NaN"):
        livpotential_ews(bad)
    inf = x.copy()
    inf[0] = np.inf
    with pytest.raises(InputError, match="infinite"):
        livpotential_ews(inf)
    with pytest.raises(InputError, match="at least 2"):
        livpotential_ews([1.0])
    with pytest.raises(InputError, match="grid_size"):
        livpotential_ews(x[:8])  # floor(0.2 * 8) = 1 grid point: R fails
    with pytest.raises(InputError, match="grid_size"):
        livpotential_ews(x, grid_size=1)
    with pytest.raises(InputError, match="2 columns"):
        livpotential_ews(pd.DataFrame({"t": np.arange(100.0), "x": x}))
    with pytest.raises(InputError, match="numeric"):
        livpotential_ews(["a", "b", "c"])
    with pytest.raises(InputError, match="bw"):
        livpotential_ews(x, bw="SJ")
    with pytest.raises(InputError, match="bw"):
        livpotential_ews(x, bw=-1.0)
    with pytest.raises(InputError, match="weights"):
        livpotential_ews(x, weights=np.ones(50))
    with pytest.raises(InputError, match="weights"):
        livpotential_ews(x, weights=-np.ones(100))
    with pytest.raises(InputError, match="param"):
        movpotential_ews(x, np.ones(100))
    with pytest.raises(InputError, match="param"):
        movpotential_ews(x, np.arange(50.0))
    with pytest.raises(InputError, match="2 columns"):
        movpotential_ews(pd.DataFrame({"t": np.arange(100.0), "x": x}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        livpotential_ews(x)  # clean input: no warning
