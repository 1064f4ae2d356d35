"""Figures of part A (standard figure, indicators, simulations, surrogate tests, sensitivity grids): each is
rendered with Agg and checked against the result it draws: panel count, labels, plotted values equal to
the result's arrays, ragged rows cut at their length, errors for bad arguments, and a canvas that is not
blank and has the expected pixel size."""
import matplotlib

matplotlib.use("Agg")
import warnings  # noqa: E402

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import ews  # noqa: E402
from ews.plot import plot_indicators, plot_pipeline, plot_sensitivity, plot_series, plot_surrogate_test  # noqa: E402
from ews.plot._base import PALETTE  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def fold():
    return ews.simulate("fold", replicates=3, seed=4, t_max=400.0)


@pytest.fixture(scope="module")
def pre(fold):
    return fold.before_transition()  # ragged: each replicate cut at its transition


@pytest.fixture(scope="module")
def pipe():
    return ews.Pipeline(detrend="gaussian", bandwidth=0.1, window=0.5, indicators=["variance", "ar1"])


@pytest.fixture(scope="module")
def res(pipe, pre):
    return pipe.run(pre)


@pytest.fixture(scope="module")
def test_result(pipe, pre):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipe.test(pre, null="ar1", n_surrogates=49, seed=1)


@pytest.fixture(scope="module")
def grid(pre):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ews.sensitivity(pre.isel(replicate=0), windows=(0.3, 0.5, 0.7), bandwidths=(0.05, 0.2),
                               null="ar1", n_surrogates=9, seed=1)


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3]


def _check_image(fig, dpi=None):
    img = _pixels(fig)
    assert img.std() > 5  # not blank
    w, h = fig.get_size_inches() * fig.dpi
    assert img.shape[:2] == (int(round(h)), int(round(w)))


def _same_colour(a, b):
    return mcolors.to_hex(a) == mcolors.to_hex(b)


def _indicator_lines(ax):
    """Data lines of an indicator panel (the window bars are horizontal 2-point lines)."""
    return [ln for ln in ax.lines if len(ln.get_xdata()) > 2]


# ----------------------------------------------------------------------------------------------------
# the standard figure
# ----------------------------------------------------------------------------------------------------
def test_standard_figure_one_row_shows_the_results_data(res, pre):
    fig = plot_pipeline(res, rows=1)
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 4
    ax_state, ax_res, ax_var, ax_ar1 = fig.axes
    L = int(pre.row_lengths()[1])
    t = np.asarray(pre.time)[:L]
    det = res.timeseries
    np.testing.assert_array_equal(ax_state.lines[0].get_xdata(), t)
    np.testing.assert_array_equal(ax_state.lines[0].get_ydata(), pre.rows("state")[1, :L])
    np.testing.assert_array_equal(ax_state.lines[1].get_ydata(), det.rows("trend")[1, :L])
    np.testing.assert_array_equal(ax_res.lines[0].get_ydata(), det.rows("residuals")[1, :L])
    for ax, lab, k in ((ax_var, "variance", 0), (ax_ar1, "ar1", 1)):
        (line,) = _indicator_lines(ax)
        np.testing.assert_array_equal(line.get_xdata(), t)
        np.testing.assert_array_equal(line.get_ydata(), res.to_numpy(lab)[1, :L])
        tau = float(res.statistic_values[k, 1])
        assert ax.get_legend().get_texts()[0].get_text() == f"Kendall τ = {tau:.2f}"
        assert ax.get_ylabel() == lab
    # the window: a bar from the first time point to the end of the first window, below every value
    w = int(res.windows[1])
    bars = [ln for ln in ax_var.lines if len(ln.get_xdata()) == 2]
    assert len(bars) == 1
    np.testing.assert_array_equal(bars[0].get_xdata(), [t[0], t[w - 1]])
    assert bars[0].get_ydata()[0] < np.nanmin(res.to_numpy("variance")[1, :L])
    assert any(txt.get_text() == f"window ({w} points)" for txt in ax_var.texts)
    assert ax_state.get_ylabel() == "state" and ax_res.get_ylabel() == "residuals"
    assert ax_ar1.get_xlabel() == "time" and ax_state.get_xlabel() == ""
    assert "gaussian" in ax_state.get_title(loc="left") and "Kendall" in ax_state.get_title(loc="left")
    assert ax_state.get_shared_x_axes().joined(ax_state, ax_ar1)
    _check_image(fig)


def test_standard_figure_overlays_rows_in_distinct_colours_named_by_coordinate(res, pre):
    fig = plot_pipeline(res, rows=[0, 2])
    ax_state, _, ax_var, _ = fig.axes
    states = [ln for ln in ax_state.lines if ln.get_linestyle() == "-"]
    assert len(states) == 2
    assert not _same_colour(states[0].get_color(), states[1].get_color())
    L2 = int(pre.row_lengths()[2])
    np.testing.assert_array_equal(states[1].get_ydata(), pre.rows("state")[2, :L2])
    assert [t.get_text() for t in ax_state.get_legend().get_texts()] == ["replicate 0", "replicate 2"]
    texts = [t.get_text() for t in ax_var.get_legend().get_texts()]
    tau = np.asarray(res.statistic_values)[0]
    assert texts == [f"replicate 0: τ = {tau[0]:.2f}", f"replicate 2: τ = {tau[2]:.2f}"]
    lines = _indicator_lines(ax_var)
    assert _same_colour(lines[1].get_color(), states[1].get_color())
    # default: the first max_rows rows
    assert len(_indicator_lines(plot_pipeline(res, max_rows=2).axes[2])) == 2
    assert len(_indicator_lines(res.plot().axes[2])) == 3


def test_ragged_rows_plot_only_their_valid_part(pipe, fold):
    lengths = np.array([400, 250, 330])
    ragged = fold.with_lengths(lengths)
    r = pipe.run(ragged)
    fig = r.plot(rows=[0, 1, 2])
    for ax in fig.axes:
        data = [ln for ln in ax.lines if len(ln.get_xdata()) > 2]
        assert len(data) in (3, 6)  # rows (and trends in the state panel)
        for ln in data:
            assert len(ln.get_xdata()) in set(lengths.tolist())
    var = _indicator_lines(fig.axes[2])
    np.testing.assert_array_equal(var[1].get_ydata(), r.to_numpy("variance")[1, :250])
    np.testing.assert_array_equal(var[1].get_xdata(), np.asarray(fold.time)[:250])
    # windows differ between the rows (a fraction of each length): one bar per window
    bars = [ln for ln in fig.axes[2].lines if len(ln.get_xdata()) == 2]
    t = np.asarray(fold.time)
    assert sorted(b.get_xdata()[1] for b in bars) == sorted(t[w - 1] for w in set(int(w) for w in r.windows))
    assert len(bars) == 3


def test_no_detrending_means_no_residual_panel_and_no_trend(pre):
    r = ews.Pipeline(detrend="none", window=0.4, indicators=["variance", "ar1", "skewness"]).run(pre)
    fig = r.plot(rows=0)
    assert len(fig.axes) == 4  # state + 3 indicators
    assert len(fig.axes[0].lines) == 1 and fig.axes[1].get_ylabel() == "variance"
    assert "no detrending" in fig.axes[0].get_title(loc="left")


def test_indicator_selection_and_bad_arguments(res):
    fig = plot_pipeline(res, indicators=["ar1"])
    assert len(fig.axes) == 3 and fig.axes[2].get_ylabel() == "ar1"
    for bad in (dict(rows=3), dict(rows=-1), dict(rows=[0, 7]), dict(rows="0"), dict(rows=True), dict(rows=[]),
                dict(indicators=["skewness"]), dict(indicators=[]), dict(max_rows=0)):
        with pytest.raises(ews.InputError):
            plot_pipeline(res, **bad)


def test_labels_carry_the_series_name_units_and_time_units():
    rng = np.random.default_rng(0)
    x = ews.TimeSeries(np.cumsum(rng.normal(size=200)) * 0.1, time=np.arange(200.0) * 7, name="chlorophyll",
                       units="µg/L", attrs={"time_units": "day"})
    fig = ews.Pipeline(bandwidth=0.2, window=50, indicators=["ar1"]).run(x).plot()
    assert fig.axes[0].get_ylabel() == "chlorophyll (µg/L)"
    assert fig.axes[1].get_ylabel() == "residuals (µg/L)"
    assert fig.axes[-1].get_xlabel() == "time (day)"
    assert "window 50 points" in fig.axes[0].get_title(loc="left")
    # calendar dates: concise date ticks, axis labelled "date"
    s = pd.Series(rng.normal(size=120), index=pd.date_range("2001-01-01", periods=120, freq="D"))
    fig = ews.Pipeline(detrend="linear", window=30).run(s).plot()
    assert fig.axes[-1].get_xlabel() == "date"
    _check_image(fig)


# ----------------------------------------------------------------------------------------------------
# indicators alone
# ----------------------------------------------------------------------------------------------------
def test_indicator_figure(res, pre):
    ind = res.indicators
    fig = ind.plot(rows=[0, 1])
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    L = int(pre.row_lengths()[1])
    np.testing.assert_array_equal(_indicator_lines(fig.axes[1])[1].get_ydata(), ind.to_numpy("ar1")[1, :L])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["replicate 0", "replicate 1"]
    assert [a.get_ylabel() for a in fig.axes] == ["variance", "ar1"]
    assert any("window" in t.get_text() for t in fig.axes[0].texts)
    with pytest.raises(ews.InputError):
        plot_indicators(ind, rows=9)
    _check_image(fig)


# ----------------------------------------------------------------------------------------------------
# simulations
# ----------------------------------------------------------------------------------------------------
def test_series_figure_marks_each_transition_and_the_bifurcation(fold):
    fig = fold.plot()
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    ax, pax = fig.axes
    tt = np.asarray(fold.coords["transition_time"][1], dtype=float)
    data = [ln for ln in ax.lines if len(ln.get_xdata()) > 2]
    vlines = [ln for ln in ax.lines if len(set(ln.get_xdata())) == 1]
    assert len(data) == 3 and len(vlines) == int(np.isfinite(tt).sum()) == 3
    for k in range(3):
        np.testing.assert_array_equal(data[k].get_ydata(), fold.rows("state")[k])
        assert vlines[k].get_xdata()[0] == tt[k]
        assert _same_colour(vlines[k].get_color(), data[k].get_color())  # each transition in its row's colour
    np.testing.assert_array_equal(pax.lines[0].get_ydata(), np.asarray(fold.coords["c"][1], dtype=float))
    assert pax.get_ylabel() == "c"
    gt = fold.ground_truth
    hl = [ln for ln in pax.lines if len(ln.get_ydata()) == 2 and len(set(ln.get_ydata())) == 1]
    assert hl[0].get_ydata()[0] == pytest.approx(gt["bifurcation_value"])
    assert any(ln.get_xdata()[0] == pytest.approx(gt["bifurcation_time"]) for ln in pax.lines
               if len(set(ln.get_xdata())) == 1)
    assert "fold" in ax.get_title(loc="left")
    assert "transition time" in [t.get_text() for t in ax.get_legend().get_texts()]
    _check_image(fig)


def test_series_figure_plain_series_and_extra_dimensions():
    x = ews.TimeSeries(np.sin(np.arange(100) / 5), name="x", units="m")
    fig = plot_series(x)
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1 and fig.axes[0].get_ylabel() == "x (m)"
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), x.values)
    hopf = ews.simulate("hopf", replicates=2, seed=1, t_max=100.0)  # (replicate, variable, time)
    fig = plot_series(hopf, rows=[0, 3])
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert names[:2] == ["replicate 0, variable x", "replicate 1, variable y"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), hopf.rows("state")[0])
    with pytest.raises(ews.InputError):
        plot_series(hopf, rows=4)


# ----------------------------------------------------------------------------------------------------
# surrogate test
# ----------------------------------------------------------------------------------------------------
def test_surrogate_test_figure_shows_the_null_the_observed_statistic_and_p(test_result):
    t = test_result
    fig = plot_surrogate_test(t, row=1)
    assert len(fig.axes) == 2
    for ax, lab in zip(fig.axes, ["variance", "ar1"]):
        obs = float(t.statistic.sel(indicator=lab).values[1])
        null = t.null_distribution.sel(indicator=lab).values[:, 1]
        null = null[np.isfinite(null)]
        assert ax.lines[0].get_xdata()[0] == obs
        assert sum(p.get_height() for p in ax.patches) == null.size
        counted = sum(p.get_height() for p in ax.patches if _same_colour(p.get_facecolor(), PALETTE[0]))
        assert counted == (null >= obs).sum()  # the upper tail is what p counts for these indicators
        p = float(t.p_value.sel(indicator=lab).values[1])
        assert p == pytest.approx((1 + counted) / (null.size + 1))
        assert f"p = {p:.3g}" in ax.get_title() and f"B = {null.size}" in ax.get_title()
        assert "upper tail" in ax.get_title()
        assert ax.get_xlabel() == f"Kendall τ of {lab}"
    assert fig.axes[0].get_ylabel() == "number of surrogates"
    assert "replicate 1" in fig._suptitle.get_text() and "ar1" in fig._suptitle.get_text()
    for bad in (3, -1, 1.0, True):
        with pytest.raises(ews.InputError):
            plot_surrogate_test(t, row=bad)
    assert isinstance(t.plot(), matplotlib.figure.Figure)
    _check_image(fig)


def test_surrogate_test_figure_two_sided_marks_the_smaller_tail(pre):
    p = ews.Pipeline(detrend="gaussian", bandwidth=0.1, window=0.5, indicators=["skewness"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = p.test(pre.isel(replicate=0), null="ar1", n_surrogates=39, seed=2, alternative="two-sided")
    fig = t.plot()
    ax = fig.axes[0]
    obs = float(t.statistic.sel(indicator="skewness"))
    null = t.null_distribution.sel(indicator="skewness").values
    counted = sum(pt.get_height() for pt in ax.patches if _same_colour(pt.get_facecolor(), PALETTE[0]))
    assert counted == min((null >= obs).sum(), (null <= obs).sum())
    assert "two-sided" in ax.get_title()


# ----------------------------------------------------------------------------------------------------
# sensitivity
# ----------------------------------------------------------------------------------------------------
def test_sensitivity_heatmaps_show_tau_and_p_over_window_and_bandwidth(grid):
    fig = plot_sensitivity(grid)
    heat = [ax for ax in fig.axes if ax.images]
    assert len(heat) == 4 and len(fig.axes) == 8  # (tau, p) x 2 indicators, each with its colour bar
    for r, ind in enumerate(["variance", "ar1"]):
        tau_ax, p_ax = heat[2 * r], heat[2 * r + 1]
        np.testing.assert_array_equal(np.ma.filled(tau_ax.images[0].get_array(), np.nan),
                                      grid["statistic"].sel(indicator=ind).transpose("bandwidth", "window").values)
        np.testing.assert_array_equal(np.ma.filled(p_ax.images[0].get_array(), np.nan),
                                      grid["p_value"].sel(indicator=ind).transpose("bandwidth", "window").values)
        assert tau_ax.get_title() == f"{ind}: Kendall τ" and p_ax.get_title() == f"{ind}: p-value"
        assert tau_ax.get_xlabel() == "window (fraction of the record)"
        assert tau_ax.get_ylabel() == "bandwidth (fraction of the record)"
        assert [t.get_text() for t in tau_ax.get_xticklabels()] == ["0.3", "0.5", "0.7"]
        # small grid: every cell carries its value
        vals = grid["statistic"].sel(indicator=ind).transpose("bandwidth", "window").values
        assert sorted(t.get_text() for t in tau_ax.texts) == sorted(f"{v:.2f}" for v in vals.ravel())
    cbar_labels = {ax.get_ylabel() for ax in fig.axes if not ax.images}
    assert cbar_labels == {"Kendall τ", "surrogate p-value (B = 9)"}
    _check_image(fig)


def test_sensitivity_options_and_bad_arguments(grid, pre):
    fig = plot_sensitivity(grid, indicator="ar1")
    assert len([ax for ax in fig.axes if ax.images]) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = ews.sensitivity(pre.isel(replicate=0), windows=(40, 80), detrend="linear")  # no p, no bandwidth
    fig = plot_sensitivity(g)
    heat = [ax for ax in fig.axes if ax.images]
    assert len(heat) == 2 and heat[0].get_xlabel() == "window (points)"
    np.testing.assert_array_equal(heat[1].images[0].get_array()[0], g["statistic"].sel(indicator="ar1").values)
    for bad in (dict(indicator="dip"), dict(indicator=[])):
        with pytest.raises(ews.InputError):
            plot_sensitivity(grid, **bad)
    with pytest.raises(ews.InputError):
        plot_sensitivity(grid["statistic"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        many = ews.sensitivity(pre, windows=(0.4, 0.6), bandwidths=(0.1,))
    with pytest.raises(ews.InputError, match="select one"):
        plot_sensitivity(many)
    plot_sensitivity(many.isel(replicate=0))


def test_every_plot_method_returns_a_figure(res, test_result, pre):
    for obj in (res, res.indicators, pre, test_result):
        fig = obj.plot()
        assert isinstance(fig, matplotlib.figure.Figure)
        assert _pixels(fig).std() > 5
