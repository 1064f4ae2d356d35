"""Figures of part B (likelihood-ratio test, ROC curves, potential landscape): each is rendered with Agg and
checked against the result it draws: panel count, labels, histogram bars, curves, image cells and well dots
equal to the result's arrays, errors for bad arguments, and a canvas that is not blank and has the expected
pixel size."""
import matplotlib

matplotlib.use("Agg")
import types  # noqa: E402
import warnings  # noqa: E402

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import ews  # noqa: E402
from ews.plot import plot_lr_test, plot_potential, plot_roc  # noqa: E402
from ews.plot._base import NULL, PALETTE  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def ou_lr():
    x = ews.simulate("ou", replicates=1, seed=2, t_max=100.0).isel(replicate=0)
    return ews.likelihood.lr_test(x, n_boot=50, seed=1)


@pytest.fixture(scope="module")
def rows_lr():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ews.likelihood.lr_test(ews.datasets.load("birth_death"), n_boot=30, seed=1)


@pytest.fixture(scope="module")
def bimodal():
    """600 daily values: one state, then flickering between two (a second well appears)."""
    rng = np.random.default_rng(1)
    x = np.r_[rng.normal(0, 1, 300), rng.normal(0, 1, 300) + np.where(rng.random(300) < 0.5, 5.0, 0.0)]
    return x


@pytest.fixture(scope="module")
def rolling(bimodal):
    return ews.potential_analysis(bimodal, window=[150, 0.4], grid_size=60)


@pytest.fixture(scope="module")
def along():
    ts = ews.simulate("flickering", replicates=2, seed=7)
    c = np.asarray(ts.coords["c"][1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ews.potential_analysis(ts, along=c, n_steps=30, grid_size=60)


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3]


def _not_blank(fig, size):
    img = _pixels(fig)
    assert img.std() > 5
    w, h = size
    assert img.shape[:2] == (round(h * fig.dpi), round(w * fig.dpi))


def _bars(container):
    x = np.array([p.get_x() for p in container.patches])
    w = np.array([p.get_width() for p in container.patches])
    h = np.array([p.get_height() for p in container.patches])
    return np.r_[x, x[-1] + w[-1]], h


def _step_heights(poly, n_bins):
    xy = poly.get_xy()
    return xy[1:2 * n_bins:2, 1]


# ------------------------------------------------------------------------------------------------
# likelihood-ratio test
# ------------------------------------------------------------------------------------------------
def test_lr_figure_draws_the_bootstrap_deviances_and_the_observed_one(ou_lr):
    fig = ou_lr.plot()
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    ax, rax = fig.axes
    obs, p = float(ou_lr.observed), float(ou_lr.p_value)
    null = np.asarray(ou_lr.null_deviances)
    test = np.asarray(ou_lr.test_deviances)
    null, test = null[np.isfinite(null)], test[np.isfinite(test)]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [obs, obs])
    # null histogram: two stacked layers (not counted in p / counted in p), bins with the observed on an edge
    below, counted = ax.containers[:2]
    edges, h_below = _bars(below)
    _, h_counted = _bars(counted)
    assert np.isclose(edges, obs, rtol=0, atol=1e-9 * max(1.0, abs(obs))).any()
    inside = (null >= edges[0]) & (null <= edges[-1])
    np.testing.assert_array_equal(h_below + h_counted, np.histogram(null[inside], edges)[0])
    np.testing.assert_array_equal(h_counted, np.histogram(null[inside & (null >= obs)], edges)[0])
    assert matplotlib.colors.same_color(below.patches[0].get_facecolor(), NULL)
    assert matplotlib.colors.same_color(counted.patches[0].get_facecolor(), PALETTE[0])
    # the test distribution as an outline on the same bins
    step = [q for q in ax.patches if isinstance(q, matplotlib.patches.Polygon)]
    assert len(step) == 1
    tin = test[(test >= edges[0]) & (test <= edges[-1])]
    np.testing.assert_array_equal(_step_heights(step[0], edges.size - 1), np.histogram(tin, edges)[0])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(f"p = {p:.3g}" in t and f"{obs:.3g}" in t for t in texts)
    assert any(f"{null.size} replicates" in t for t in texts) and any("counted in p" in t for t in texts)
    assert "deviance" in ax.get_xlabel() and ax.get_ylabel() == "number of bootstrap replicates"
    assert "101 points" in fig._suptitle.get_text() and "mle" in fig._suptitle.get_text()
    # ROC of the two distributions
    roc = ou_lr.roc
    np.testing.assert_allclose(rax.lines[0].get_xdata(), roc.fpr)
    np.testing.assert_allclose(rax.lines[0].get_ydata(), roc.tpr)
    np.testing.assert_array_equal(rax.lines[1].get_xydata(), [[0, 0], [1, 1]])
    np.testing.assert_allclose(rax.lines[2].get_xydata(), [[np.mean(null >= obs), np.mean(test >= obs)]])
    leg = " ".join(t.get_text() for t in rax.get_legend().get_texts())
    assert f"AUC = {roc.auc:.3f}" in leg and f"{float(ou_lr.power):.2f}" in leg
    assert rax.get_aspect() == 1.0 and rax.get_xlabel() == "false positive rate"
    assert rax.get_ylabel() == "true positive rate"
    _not_blank(fig, (8.4, 3.6))


def test_lr_figure_of_one_row_among_several(rows_lr):
    fig = plot_lr_test(rows_lr, row=2)
    ax, rax = fig.axes
    assert ax.lines[0].get_xdata()[0] == pytest.approx(rows_lr.observed[2])
    np.testing.assert_allclose(rax.lines[0].get_ydata(), rows_lr.roc[2].tpr)
    null = rows_lr.null_deviances[2]
    edges, h0 = _bars(ax.containers[0])
    _, h1 = _bars(ax.containers[1])
    inside = (null >= edges[0]) & (null <= edges[-1])
    np.testing.assert_array_equal(h0 + h1, np.histogram(null[inside], edges)[0])
    assert "replicate 2" in fig._suptitle.get_text() and "41 points" in fig._suptitle.get_text()
    for bad in (3, -1, True, 1.0, "0", None):
        with pytest.raises(ews.InputError, match="row"):
            plot_lr_test(rows_lr, row=bad)


def test_lr_figure_without_test_simulations_is_the_null_panel_alone():
    x = ews.datasets.load("birth_death").isel(replicate=1)
    lr = ews.likelihood.lr_test(x, n_boot=20, seed=1, power=False)
    fig = lr.plot()
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert not [q for q in ax.patches if isinstance(q, matplotlib.patches.Polygon)]  # no test outline
    assert sum(_bars(c)[1].sum() for c in ax.containers) == np.isfinite(lr.null_deviances).sum()
    _not_blank(fig, (4.8, 3.6))


def _fake(null, test, obs, p=0.5):
    null, test = np.asarray(null, float), np.asarray(test, float)
    nv, tv = null[np.isfinite(null)], test[np.isfinite(test)]
    roc = ews.roc(nv, tv) if nv.size and tv.size else None
    return types.SimpleNamespace(null_deviances=null, test_deviances=test, observed=obs, p_value=p, power=0.5,
                                 n_boot=null.size, roc=roc, alpha=0.05, method="mle")


def test_lr_figure_far_observed_value_and_failed_replicates():
    rng = np.random.default_rng(0)
    null = np.abs(rng.normal(0, 1, 200))
    null[:3] = np.nan                                     # failed refits are left out
    test = rng.normal(4, 1, 200)
    fig = plot_lr_test(_fake(null, test, 60.0, 1 / 201))
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    assert hi < 60.0                                      # the bulk is not squeezed into a few bins ...
    arrows = [t for t in ax.texts if "observed D = 60" in t.get_text()]
    assert len(arrows) == 1                               # ... and an arrow points to the observed value
    assert ax.lines[0].get_xdata()[0] == 60.0
    total = sum(_bars(c)[1].sum() for c in ax.containers[:2])
    assert total == 197
    # a few far-off refits are counted, not squeezed into the picture
    null2 = np.r_[np.abs(rng.normal(0, 1, 197)), 500.0, 800.0, 900.0]
    fig = plot_lr_test(_fake(null2, test, 1.0))
    ax = fig.axes[0]
    assert ax.get_xlim()[1] < 100 and ax.get_xlim()[1] >= np.max(test)   # ordinary extremes are shown
    assert any("3 replicates beyond the range shown" in t.get_text() for t in ax.get_legend().get_texts())
    with pytest.raises(ews.InputError, match="no finite null"):
        plot_lr_test(_fake(np.full(5, np.nan), np.ones(5), 1.0))


# ------------------------------------------------------------------------------------------------
# ROC
# ------------------------------------------------------------------------------------------------
def test_roc_figure_draws_the_curve_its_auc_and_the_diagonal():
    rng = np.random.default_rng(1)
    r = ews.roc(rng.normal(0, 1, 80), rng.normal(1, 1, 60))
    fig = r.plot()
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), r.fpr)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), r.tpr)
    # straight segments between operating points: the area under the drawn curve is the AUC reported
    assert np.trapezoid(ax.lines[0].get_ydata(), ax.lines[0].get_xdata()) == pytest.approx(r.auc, abs=1e-12)
    np.testing.assert_array_equal(ax.lines[1].get_xydata(), [[0, 0], [1, 1]])
    text = ax.get_legend().get_texts()[0].get_text()
    assert f"AUC = {r.auc:.3f}" in text and "80 null, 60 test" in text
    assert ax.get_aspect() == 1.0 and ax.get_xlim() == pytest.approx((-0.02, 1.02))
    assert ax.get_xlabel() == "false positive rate" and ax.get_ylabel() == "true positive rate"
    _not_blank(fig, (4.0, 4.0))


def test_roc_figure_overlays_several_curves():
    rng = np.random.default_rng(2)
    a = ews.roc(rng.normal(0, 1, 50), rng.normal(2, 1, 50))
    b = ews.roc(rng.normal(0, 1, 50), rng.normal(0.3, 1, 50), legacy=True)
    fig = plot_roc({"variance": a, "ar1": b})
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), a.tpr)
    np.testing.assert_allclose(ax.lines[1].get_xdata(), b.fpr)         # the legacy grid, as computed
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0].startswith("variance: AUC") and texts[1].startswith("ar1: AUC") and "legacy" in texts[1]
    assert not matplotlib.colors.same_color(ax.lines[0].get_color(), ax.lines[1].get_color())
    fig = plot_roc([a, b], labels=["one", "two"])
    assert fig.axes[0].get_legend().get_texts()[1].get_text().startswith("two: AUC")
    for bad in ({}, [], [a, None], "roc", 3):
        with pytest.raises(ews.InputError):
            plot_roc(bad)
    with pytest.raises(ews.InputError, match="labels"):
        plot_roc([a, b], labels=["only one"])


# ------------------------------------------------------------------------------------------------
# potential landscape
# ------------------------------------------------------------------------------------------------
def _mesh(ax):
    return ax.collections[0]


def test_potential_landscape_rolling(rolling):
    fig = rolling.plot()
    assert isinstance(fig, matplotlib.figure.Figure)
    ax, nax, cax = fig.axes
    land = rolling.landscape()
    Z = land.values.copy()
    has = np.isfinite(Z).any(axis=1) | np.isposinf(Z).any(axis=1)
    top = np.nanmax(np.nanmin(np.where(np.isfinite(Z), Z, np.nan)[has], axis=1))
    cap = top + 0.5 * np.log(100.0)
    mesh = _mesh(ax)
    drawn = np.ma.filled(mesh.get_array().astype(float), np.nan)
    assert drawn.shape == Z.T.shape
    np.testing.assert_allclose(drawn, np.minimum(Z, cap).T)            # inf (density 0) -> the cap
    assert mesh.norm.vmax == pytest.approx(cap)
    assert np.isnan(drawn[:, :149]).all() and np.isfinite(drawn[:, 149:]).all()  # no window before t = 149
    # cells centred on the window ends and on the state grid
    t = np.arange(600.0)
    c = mesh.get_coordinates()
    np.testing.assert_allclose(0.5 * (c[0, 1:, 0] + c[0, :-1, 0]), t)
    np.testing.assert_allclose(0.5 * (c[1:, 0, 1] + c[:-1, 0, 1]), rolling.state_grid[0])
    # the wells, the number of wells, the axes
    pos = rolling.well_position[0, 0]
    ok = np.isfinite(pos)
    offsets = ax.collections[1].get_offsets()
    np.testing.assert_array_equal(offsets[:, 0], np.repeat(t[:, None], pos.shape[1], axis=1)[ok])
    np.testing.assert_array_equal(offsets[:, 1], pos[ok])
    np.testing.assert_array_equal(nax.lines[0].get_ydata(), rolling.n_wells[0, 0])
    assert nax.get_xlim() == pytest.approx((148.5, 599.5))            # where there is a landscape
    assert set(rolling.n_wells[0, 0, 149:]) == {1.0, 2.0} and list(nax.get_yticks()) == [1, 2]
    assert ax.get_ylabel() == "state" and nax.get_ylabel() == "wells"
    assert nax.get_xlabel() == "time at each window's end"
    assert "150 points" in fig._suptitle.get_text()
    assert "potential U" in cax.get_ylabel() and fig.axes[2] is cax
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["wells (density peaks)"]
    _not_blank(fig, (7.0, 4.6))


def test_potential_cutoff_density_and_second_window(rolling):
    land = rolling.landscape(window=0.4).values
    has = np.isfinite(land).any(axis=1) | np.isposinf(land).any(axis=1)
    top = np.nanmax(np.nanmin(np.where(np.isfinite(land), land, np.nan)[has], axis=1))
    fig = rolling.plot(window=0.4, cutoff=0.7)
    mesh = _mesh(fig.axes[0])
    assert mesh.norm.vmax == pytest.approx(top + 0.7)
    assert np.nanmax(mesh.get_array()) == pytest.approx(top + 0.7)
    assert "0.4 of the record, 240 points" in fig._suptitle.get_text()
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_ydata(), rolling.n_wells[0, 1])
    # uncapped: the cells where the density underflows to 0 are blank, the rest as computed
    fig = rolling.plot(cutoff=float("inf"))
    drawn = np.ma.filled(_mesh(fig.axes[0]).get_array().astype(float), np.nan)
    U = rolling.landscape().values
    np.testing.assert_allclose(drawn, np.where(np.isfinite(U), U, np.nan).T)
    # the density
    fig = rolling.plot(what="density")
    np.testing.assert_allclose(np.ma.filled(_mesh(fig.axes[0]).get_array().astype(float), np.nan),
                               rolling.landscape(what="density").values.T)
    assert fig.axes[2].get_ylabel().startswith("density") and "density landscape" in fig._suptitle.get_text()


@pytest.mark.parametrize("kwargs", [dict(row=1), dict(row=True), dict(window=0.5), dict(window=150.0),
                                    dict(what="U"), dict(cutoff=-1.0), dict(cutoff=0.0), dict(cutoff="1"),
                                    dict(cutoff=True), dict(cutoff=float("nan")),
                                    dict(what="density", cutoff=1.0)])
def test_potential_bad_arguments(rolling, kwargs):
    with pytest.raises(ews.InputError):
        plot_potential(rolling, **kwargs)


def test_potential_without_landscape_says_how_to_get_one(bimodal):
    r = ews.potential_analysis(bimodal, window=150, grid_size=30, landscape=False)
    with pytest.raises(ews.InputError, match="landscape=True"):
        r.plot()


def test_potential_along_a_parameter(along):
    fig = plot_potential(along, row=1)
    ax, nax, _ = fig.axes
    drawn = np.ma.filled(_mesh(ax).get_array().astype(float), np.nan)
    assert drawn.shape == (60, 30)
    c = _mesh(ax).get_coordinates()
    np.testing.assert_allclose(0.5 * (c[0, 1:, 0] + c[0, :-1, 0]), along.parameter)
    pos = along.well_position[1, 0]
    ok = np.isfinite(pos)
    np.testing.assert_allclose(ax.collections[1].get_offsets()[:, 0],
                               np.repeat(along.parameter[:, None], pos.shape[1], axis=1)[ok])
    np.testing.assert_array_equal(ax.collections[1].get_offsets()[:, 1], pos[ok])
    np.testing.assert_array_equal(nax.lines[0].get_ydata(), along.n_wells[1, 0])
    assert nax.get_xlabel() == "c (centre of each step)"            # the coordinate moved along is named
    assert "along c, 30 steps" in fig._suptitle.get_text() and "replicate 1" in fig._suptitle.get_text()
    with pytest.raises(ews.InputError, match="window"):
        plot_potential(along, window=0.5)
    _not_blank(fig, (7.0, 4.6))


def test_potential_with_calendar_dates(bimodal):
    s = pd.Series(bimodal, index=pd.date_range("1990-01-01", periods=bimodal.size, freq="D"))
    r = ews.potential_analysis(s, window=150, grid_size=40)
    fig = r.plot()
    ax, nax, _ = fig.axes
    assert isinstance(nax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert nax.get_xlabel() == "date at each window's end"
    lo, hi = nax.get_xlim()
    assert mdates.num2date(lo).date().isoformat() == "1990-05-29"     # the first window ends on day 150
    assert mdates.num2date(hi).date().isoformat() == "1991-08-23"
    np.testing.assert_array_equal(nax.lines[0].get_ydata(), r.n_wells[0, 0])
    _not_blank(fig, (7.0, 4.6))
