"""Every figure renders (Agg) and shows the result's own data: panel counts, labels, plotted values equal
to the result's arrays, the observed statistic where it belongs, and a non-blank canvas."""
import matplotlib

matplotlib.use("Agg")
import warnings  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import ews  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def fold():
    return ews.simulate("fold", replicates=3, seed=4, t_max=400.0).before_transition()


def _not_blank(fig):
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    assert img.std() > 5 and img.shape[0] > 100 and img.shape[1] > 100


def test_standard_figure_shows_state_trend_residuals_and_each_indicator(fold):
    p = ews.Pipeline(detrend="gaussian", bandwidth=0.1, window=0.5, indicators=["variance", "ar1"])
    res = p.run(fold)
    fig = res.plot(rows=1)
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 4
    ax_state, ax_res, ax_var, ax_ar1 = fig.axes
    L = int(fold.row_lengths()[1])
    np.testing.assert_array_equal(ax_state.lines[0].get_ydata(), fold.rows("state")[1, :L])
    np.testing.assert_allclose(ax_state.lines[1].get_ydata(), res.timeseries.rows("trend")[1, :L])
    np.testing.assert_allclose(ax_res.lines[0].get_ydata(), res.timeseries.rows("residuals")[1, :L])
    np.testing.assert_allclose(ax_var.lines[0].get_ydata(), res.to_numpy("variance")[1, :L], equal_nan=True)
    tau = np.asarray(res.statistic_values)[1, 1]
    assert ax_ar1.get_ylabel() == "ar1" and f"{tau:.2f}" in ax_ar1.get_legend().get_texts()[0].get_text()
    assert any("window" in t.get_text() for t in ax_var.texts)
    _not_blank(fig)
    many = res.plot()
    assert len(many.axes[2].lines) >= 3  # three rows overlaid (+ the window bar)
    with pytest.raises(ews.InputError):
        res.plot(rows=7)
    with pytest.raises(ews.InputError):
        ews.plot.plot_pipeline(res, indicators=["skewness"])


def test_series_figure_marks_transitions_and_the_bifurcation(fold):
    fig = fold.plot()
    ax, pax = fig.axes
    tt = np.asarray(fold.coords["transition_time"][1])
    vlines = [ln.get_xdata()[0] for ln in ax.lines if len(set(ln.get_xdata())) == 1]
    np.testing.assert_allclose(sorted(vlines), sorted(tt))
    assert pax.get_ylabel() == "c"
    hl = [ln for ln in pax.lines if len(set(ln.get_ydata())) == 1]
    assert hl and hl[0].get_ydata()[0] == pytest.approx(fold.ground_truth["bifurcation_value"])


def test_indicator_figure(fold):
    r = ews.indicators.compute(fold, ["variance", "skewness"], window=100)
    fig = r.plot(rows=0)
    assert len(fig.axes) == 2
    L = int(fold.row_lengths()[0])
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), r.to_numpy("skewness")[0, :L], equal_nan=True)


def test_surrogate_test_figure_shows_the_null_and_the_observed_statistic(fold):
    p = ews.Pipeline(detrend="gaussian", bandwidth=0.1, window=0.5, indicators=["variance", "ar1"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = p.test(fold, null="ar1", n_surrogates=49, seed=1)
    fig = t.plot(row=2)
    assert len(fig.axes) == 2
    ax = fig.axes[1]
    obs = float(t.statistic.sel(indicator="ar1").values[2])
    assert ax.lines[0].get_xdata()[0] == pytest.approx(obs)
    heights = sum(patch.get_height() for patch in ax.patches)
    assert heights == np.isfinite(t.null_distribution.sel(indicator="ar1").values[:, 2]).sum()
    assert f"p = {float(t.p_value.sel(indicator='ar1').values[2]):.3g}" in ax.get_title()
    with pytest.raises(ews.InputError):
        t.plot(row=3)


def test_sensitivity_heatmaps(fold):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = ews.sensitivity(fold.isel(replicate=0), windows=(0.3, 0.5), bandwidths=(0.05, 0.1, 0.2),
                            null="ar1", n_surrogates=9, seed=1)
    fig = ews.plot.plot_sensitivity(g)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 4  # (tau, p) x 2 indicators
    np.testing.assert_allclose(images[0].get_array(), g["statistic"].sel(indicator="variance").values)
    with pytest.raises(ews.InputError):
        ews.plot.plot_sensitivity(g, indicator="dip")


def test_potential_landscape_shows_the_landscape_and_the_wells():
    rng = np.random.default_rng(1)
    x = np.r_[rng.normal(0, 1, 300), rng.normal(0, 1, 300) + np.where(rng.random(300) < 0.5, 5.0, 0.0)]
    r = ews.potential_analysis(x, window=150, grid_size=60)
    fig = r.plot()
    ax, nax = fig.axes[0], fig.axes[1]
    mesh = ax.collections[0]
    assert np.asarray(mesh.get_array()).size == r.landscape().size
    np.testing.assert_array_equal(nax.lines[0].get_ydata(), r.n_wells[0, 0])
    assert ax.get_ylabel() == "state" and nax.get_ylabel() == "wells"
    _not_blank(fig)
    with pytest.raises(ews.InputError):
        r.plot(row=4)


def test_likelihood_ratio_and_roc_figures():
    x = ews.simulate("ou", replicates=1, seed=2, t_max=150.0).isel(replicate=0)
    lr = ews.likelihood.lr_test(x, n_boot=30, seed=1)
    fig = lr.plot()
    ax, rax = fig.axes[:2]
    assert ax.lines[0].get_xdata()[0] == pytest.approx(float(np.ravel(lr.observed)[0]))
    roc = lr.roc if not isinstance(lr.roc, list) else lr.roc[0]
    np.testing.assert_allclose(rax.lines[0].get_xdata(), roc.fpr)
    assert f"{roc.auc:.3f}" in rax.get_legend().get_texts()[0].get_text()
    r = ews.roc(np.arange(10.0), np.arange(5.0, 15.0))
    fig2 = r.plot()
    np.testing.assert_allclose(fig2.axes[0].lines[0].get_ydata(), r.tpr)
    _not_blank(fig2)


def test_the_core_never_imports_matplotlib():
    import subprocess
    import sys

    code = ("import sys, ews, numpy as np; ews.Pipeline(window=0.5).run(np.random.default_rng(0).normal(size=50)); "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_nonlinear_figures_show_the_results_data():
    rng = np.random.default_rng(0)
    n = 400
    e = rng.standard_normal(n)
    a = np.zeros(n)
    for t in range(1, n):
        a[t] = e[t] * np.sqrt(0.2 + 0.6 * a[t - 1] ** 2)
    ch = ews.nonlinear.ch_test(a, window=100)
    fig = ch.plot()
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), ch.r_squared, equal_nan=True)
    np.testing.assert_allclose(fig.axes[0].lines[1].get_ydata(), ch.critical, equal_nan=True)
    assert len(fig.axes[0].lines[2].get_xdata()) == int(ch.reject.sum())
    ddj = ews.nonlinear.ddj(a, grid=50)
    fig = ddj.plot()
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), ddj.drift.reshape(-1))
    np.testing.assert_allclose(fig.axes[3].lines[0].get_xdata(), ddj.states.reshape(-1))
    bds = ews.nonlinear.bds_test(a, boots=19, seed=1)
    fig = bds.plot()
    assert len(fig.axes) == 3
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), np.asarray(bds.statistic)[1, :, 0])
    with pytest.raises(ews.InputError):
        bds.plot(row=1)
    _not_blank(fig)
