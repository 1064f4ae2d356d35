"""The likelihood-ratio test (deviance distributions and their ROC curve) and ROC curves."""
from __future__ import annotations

import numpy as np

from .._errors import InputError
from ._base import NULL, PALETTE, figure

OBSERVED = PALETTE[1]   # vermilion: the observed deviance (as the observed statistic of a surrogate test)
TAIL = PALETTE[0]       # blue: the null replicates counted in p (as in a surrogate test)
TEST = PALETTE[2]       # bluish green: the deviances simulated under the LSN (approaching fold)
DIAGONAL = "0.55"
_DEVIANCE = r"deviance $D = -2\,(\ell_{\mathrm{OU}} - \ell_{\mathrm{LSN}})$"


def _check_row(row, n_rows: int) -> int:
    if isinstance(row, (bool, np.bool_)) or not isinstance(row, (int, np.integer)) or not 0 <= row < n_rows:
        raise InputError(f"row must be a row number from 0 to {n_rows - 1} (this result has {n_rows} "
                         f"series), got {row!r}.")
    return int(row)


def _row_name(result, row: int):
    """``replicate 2`` for a result over several series, None for one series."""
    rows = getattr(result, "_rows", None)
    if rows is None or rows.single:
        return None
    idx = rows.rows_index()
    val = idx[row]
    names = list(idx.names) if idx.nlevels > 1 else [idx.name or "row"]
    vals = val if isinstance(val, tuple) else (val,)
    return ", ".join(f"{n} {v}" for n, v in zip(names, vals))


def _edges(values, obs, n_bins: int = 30):
    """Histogram bin edges over ``values`` without their far outliers (beyond the 1st-99th percentile
    range by more than that range: a few far-off refits would squeeze the rest into one bin), with the
    observed value on an edge so that no bar straddles it. Returns (edges, number of values outside,
    whether the observed value is beyond the edges)."""
    q1, q99 = np.percentile(values, [1, 99])
    span = q99 - q1 if q99 > q1 else max(abs(q99), 1.0)
    near = values[(values >= q1 - span) & (values <= q99 + span)]
    lo, hi = float(near.min()), float(near.max())
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    far = np.isfinite(obs) and not (lo - 0.5 * span <= obs <= hi + 0.5 * span)
    if np.isfinite(obs) and not far:
        lo, hi = min(lo, obs), max(hi, obs)
    h = (hi - lo) / n_bins if hi > lo else 1e-3
    if np.isfinite(obs) and not far:
        k0, k1 = int(np.floor((lo - obs) / h)), int(np.ceil((hi - obs) / h))
        k0 -= obs + h * k0 > lo                      # rounding: the extremes stay inside the edges
        k1 += obs + h * k1 < hi
        edges = obs + h * np.arange(k0, max(k1, k0 + 1) + 1)
    else:
        edges = np.linspace(lo, hi if hi > lo else lo + n_bins * h, n_bins + 1)
    out = int(np.sum((values < edges[0]) | (values > edges[-1])))
    return edges, out, far


def _roc_axes(ax, rocs, labels, colors):
    """ROC curves (straight segments between the operating points: the area under the drawn curve is the
    Mann-Whitney AUC), the chance diagonal, AUCs in the legend, square axes."""
    for roc, label, color in zip(rocs, labels, colors):
        ax.plot(roc.fpr, roc.tpr, color=color, lw=1.8, label=label, solid_joinstyle="miter")
    ax.plot([0, 1], [0, 1], color=DIAGONAL, lw=0.9, ls="--", label="chance (AUC = 0.5)")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "0.25", "0.5", "0.75", "1"])
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "0.25", "0.5", "0.75", "1"])
    ax.grid(True, color="0.92", lw=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    _roc_legend(ax, rocs)


def _roc_legend(ax, rocs):
    """In the lower right corner when no curve passes there (the usual case: above the diagonal), below
    the panel for many curves, else where it hides the fewest points."""
    if len(rocs) > 3:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.16), frameon=False)
        return
    clear = not any(np.any((np.asarray(r.fpr) > 0.35) & (np.asarray(r.tpr) < 0.32)) for r in rocs)
    ax.legend(fontsize=7, loc="lower right" if clear else "best", frameon=True, framealpha=0.9, edgecolor="none")


def plot_lr_test(result, *, row: int = 0):
    """An :class:`ews.likelihood.LikelihoodRatioTest`, one series (``row``).

    Left: histograms of the deviance ``D = -2 (l_OU - l_LSN)`` refitted on series simulated from the
    fitted OU model (the null, grey; the replicates at or above the observed deviance, which the p-value
    counts, in blue) and from the fitted LSN model (approaching a fold; green outline), the observed
    deviance as a vertical line, and the p-value in the legend. Bins share their edges and one edge is
    the observed value; a far-off observed deviance is shown by an arrow at the panel's edge.
    Right: the ROC curve of the null against the test deviances (:func:`ews.roc`: how well the test tells
    the two models apart at this record's length and noise), with the AUC and the power at ``alpha`` in the
    legend, the chance diagonal, and the operating point of the observed deviance as threshold.
    A test run with ``power=False`` has no test deviances: the figure is the left panel alone.

    Parameters
    ----------
    result : ews.likelihood.LikelihoodRatioTest
    row : int
        Which series (flat row number over the data's leading dimensions), default 0.

    Examples
    --------
    >>> import ews
    >>> x = ews.datasets.load("birth_death").isel(replicate=0)
    >>> fig = ews.likelihood.lr_test(x, n_boot=200, seed=1).plot()
    """
    null = np.asarray(result.null_deviances, dtype=float).reshape(-1, result.n_boot)
    test = np.asarray(result.test_deviances, dtype=float).reshape(-1, result.n_boot)
    obs_all = np.atleast_1d(np.asarray(result.observed, dtype=float)).reshape(-1)
    p_all = np.atleast_1d(np.asarray(result.p_value, dtype=float)).reshape(-1)
    power_all = np.atleast_1d(np.asarray(result.power, dtype=float)).reshape(-1)
    row = _check_row(row, null.shape[0])
    nv, tv = null[row][np.isfinite(null[row])], test[row][np.isfinite(test[row])]
    obs, p = float(obs_all[row]), float(p_all[row])
    if nv.size == 0:
        raise InputError(f"row {row} has no finite null deviances to draw (every bootstrap refit failed, or "
                         "the models could not be fitted to this series); see result.n_failed.")
    has_test = tv.size > 0
    fig, axes = figure(1, 2 if has_test else 1, width=8.4 if has_test else 4.8, row_height=3.6,
                       gridspec_kw={"width_ratios": [1.6, 1]} if has_test else None)
    ax = axes[0, 0]
    pooled = np.r_[nv, tv]
    edges, out, far = _edges(pooled, obs)
    counted = nv >= obs if np.isfinite(obs) else np.zeros(nv.size, bool)
    m = int(counted.sum())
    # the observed deviance first (ax.lines[0]), then the histograms
    ax.axvline(obs, color=OBSERVED, lw=2.0, zorder=4, label=f"observed D = {obs:.3g}, p = {p:.3g}")
    ax.hist([nv[~counted], nv[counted]], bins=edges, stacked=True, color=[NULL, TAIL], edgecolor="white",
            linewidth=0.4, label=[f"OU null ({nv.size} replicates)", f"null ≥ observed ({m}, counted in p)"])
    if has_test:
        ax.hist(tv, bins=edges, histtype="step", color=TEST, lw=1.6, zorder=3,
                label=f"LSN test ({tv.size} replicates)")
    ax.set_xlim(edges[0], edges[-1])
    top = ax.get_ylim()[1]
    ax.set_ylim(0, top * (1.5 if out else 1.42))  # the legend sits above the bars
    if far:
        right = obs > edges[-1]
        ax.annotate(f"observed D = {obs:.3g}", xy=(0.995 if right else 0.005, 0.45), xycoords="axes fraction",
                    xytext=(0.80 if right else 0.20, 0.45), textcoords="axes fraction", ha="center", va="center",
                    fontsize=7, color=OBSERVED, arrowprops=dict(arrowstyle="-|>", color=OBSERVED, lw=1.5))
    handles, labels = ax.get_legend_handles_labels()
    if out:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], ls="none"))
        labels.append(f"({out} replicate{'s' * (out > 1)} beyond the range shown)")
    # the legend on the side away from the observed line
    frac = (obs - edges[0]) / (edges[-1] - edges[0]) if np.isfinite(obs) and not far else 1.0
    ax.legend(handles, labels, fontsize=7, loc="upper right" if frac < 0.5 else "upper left", frameon=False)
    ax.set_xlabel(_DEVIANCE)
    ax.set_ylabel("number of bootstrap replicates")
    ax.set_title("bootstrap deviances", fontsize=8.5, loc="left")
    name = _row_name(result, row)
    n_obs = getattr(getattr(result, "_rows", None), "lengths", None)
    head = "likelihood-ratio test: OU (null) against LSN (approaching a fold)"
    head += f", {result.method} fits" + (f", {int(n_obs[row])} points" if n_obs is not None else "")
    fig.suptitle(head + (f" ({name})" if name else ""), fontsize=9, x=0.01, ha="left")
    if has_test:
        roc = result.roc[row] if isinstance(result.roc, list) else result.roc
        rax = axes[0, 1]
        power = float(power_all[row])
        _roc_axes(rax, [roc], [f"AUC = {roc.auc:.3f}\npower at α = {result.alpha:g}: {power:.2f}"], [TEST])
        if np.isfinite(obs):
            fo, to = float(np.mean(nv >= obs)), float(np.mean(tv >= obs))
            rax.plot([fo], [to], "o", ms=5.5, color=OBSERVED, mec="white", mew=0.6, zorder=5,
                     label=f"threshold = observed D\n(FPR {fo:.2f}, TPR {to:.2f})")
            _roc_legend(rax, [roc])
        rax.set_title("ROC of the deviance", fontsize=8.5, loc="left")
    return fig


def _roc_list(result, labels):
    from ..roc import ROCResult

    if isinstance(result, ROCResult):
        rocs, names = [result], [None]
    elif isinstance(result, dict):
        rocs, names = list(result.values()), [str(k) for k in result]
    elif isinstance(result, (list, tuple)):
        rocs, names = list(result), [f"row {i}" for i in range(len(result))]
    else:
        raise InputError(f"plot_roc takes an ews.ROCResult (from ews.roc), a list of them or a dict "
                         f"{{label: ROCResult}}, got {type(result).__name__}.")
    if not rocs:
        raise InputError("plot_roc got no ROC curve to draw (an empty list or dict).")
    bad = [i for i, r in enumerate(rocs) if not isinstance(r, ROCResult)]
    if bad:
        raise InputError(f"plot_roc: item(s) {bad} are not ROCResult objects (a series whose deviances all "
                         "failed has roc None: leave it out).")
    if labels is not None:
        labels = [labels] if isinstance(labels, str) else list(labels)
        if len(labels) != len(rocs):
            raise InputError(f"labels has {len(labels)} entries for {len(rocs)} ROC curve(s); give one label per "
                             "curve.")
        names = [str(v) for v in labels]
    if len(rocs) > len(PALETTE):
        raise InputError(f"plot_roc draws at most {len(PALETTE)} curves in one panel, got {len(rocs)}; pass a "
                         "selection.")
    return rocs, names


def plot_roc(result, *, labels=None):
    """ROC curve(s): an :class:`ews.ROCResult` (or a list of them, or a dict ``{label: ROCResult}``
    overlaid, e.g. one per indicator), with the Mann-Whitney AUC and the sample sizes in the legend, the
    chance diagonal, and square axes. The curve joins the operating points (thresholds) by straight
    segments, so the area under the drawn curve is the AUC reported; a legacy curve
    (``roc(..., legacy=True)``) is drawn through its grid.

    ``labels``: one name per curve for the legend (default: the dict keys, ``row i`` for a list, none for
    one curve).

    Examples
    --------
    >>> import ews, numpy as np
    >>> rng = np.random.default_rng(1)
    >>> fig = ews.roc(rng.normal(0, 1, 200), rng.normal(1, 1, 200)).plot()
    """
    rocs, names = _roc_list(result, labels)
    fig, axes = figure(1, 1, width=4.0, row_height=4.0 + (0.17 * (len(rocs) + 1) if len(rocs) > 3 else 0.0))
    texts = []
    for r, nm in zip(rocs, names):
        sizes = f"{r.n_null} null, {r.n_test} test" + (", legacy grid" if r.legacy else "")
        texts.append((f"{nm}: " if nm else "") + f"AUC = {r.auc:.3f} ({sizes})")
    colors = [PALETTE[i] for i in range(len(rocs))]
    _roc_axes(axes[0, 0], rocs, texts, colors)
    axes[0, 0].set_title("receiver operating characteristic", fontsize=8.5, loc="left")
    return fig
