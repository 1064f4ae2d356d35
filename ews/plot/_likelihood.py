"""The likelihood-ratio test (deviance distributions and their ROC curve) and ROC curves."""
from __future__ import annotations

import numpy as np

from .._errors import InputError
from ._base import NULL, PALETTE, figure


def _roc_axes(ax, roc, label, color):
    ax.plot(roc.fpr, roc.tpr, color=color, lw=1.8, label=f"{label}AUC = {roc.auc:.3f}", drawstyle="steps-post"
            if not roc.legacy else "default")
    ax.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls="--", label="chance")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.legend(fontsize=7, loc="lower right", frameon=False)


def plot_lr_test(result, *, row: int = 0):
    """An :class:`ews.likelihood.LikelihoodRatioTest`: left, the deviance −2(ℓ_OU − ℓ_LSN) over data
    simulated under the fitted OU null and under the fitted LSN (approaching fold) model, with the
    observed deviance and its p-value; right, the ROC curve of the two distributions (how well the test
    tells them apart at this record's length and noise)."""
    null = np.asarray(result.null_deviances, dtype=float).reshape(-1, result.n_boot)
    test = np.asarray(result.test_deviances, dtype=float).reshape(-1, result.n_boot)
    obs = np.atleast_1d(np.asarray(result.observed, dtype=float)).reshape(-1)
    p = np.atleast_1d(np.asarray(result.p_value, dtype=float)).reshape(-1)
    n_rows = null.shape[0]
    if isinstance(row, bool) or not isinstance(row, (int, np.integer)) or not 0 <= row < n_rows:
        raise InputError(f"row must be a row number from 0 to {n_rows - 1}, got {row!r}.")
    nv, tv = null[row][np.isfinite(null[row])], test[row][np.isfinite(test[row])]
    if nv.size == 0 or tv.size == 0:
        raise InputError(f"row {row} has no finite bootstrap deviances to draw.")
    fig, axes = figure(1, 2, width=8.0, row_height=3.2)
    ax = axes[0, 0]
    pooled = np.r_[nv, tv]
    lo, hi = np.percentile(pooled, [1, 99])  # a few far-off refits would squeeze the rest into one bin
    lo, hi = min(lo, obs[row]), max(hi, obs[row])
    out = int(np.sum((pooled < lo) | (pooled > hi)))
    bins = np.linspace(lo, hi, 31)
    ax.hist(nv, bins=bins, color=NULL, alpha=0.75, label=f"OU null (n = {nv.size})")
    ax.hist(tv, bins=bins, color=PALETTE[0], alpha=0.55, label=f"LSN test (n = {tv.size})")
    if out:
        ax.text(0.99, 0.02, f"{out} replicate(s) outside the range shown", transform=ax.transAxes, ha="right",
                fontsize=6, color="0.4")
    ax.axvline(obs[row], color=PALETTE[1], lw=2.0, label=f"observed {obs[row]:.2f}, p = {p[row]:.3g}")
    ax.set_xlabel("deviance −2(ℓ_OU − ℓ_LSN)")
    ax.set_ylabel("bootstrap replicates")
    ax.legend(fontsize=7, frameon=False)
    ax.set_title("likelihood-ratio test: OU vs approaching fold", fontsize=9, loc="left")
    roc = result.roc[row] if isinstance(result.roc, list) else result.roc
    _roc_axes(axes[0, 1], roc, "", PALETTE[0])
    axes[0, 1].set_title("ROC of the deviance", fontsize=9, loc="left")
    return fig


def plot_roc(result):
    """An :class:`ews.ROCResult`: the ROC curve with its (Mann-Whitney) AUC and the chance diagonal."""
    fig, axes = figure(1, 1, width=3.8, row_height=3.6)
    _roc_axes(axes[0, 0], result, f"n = {result.n_null} null / {result.n_test} test, ", PALETTE[0])
    return fig
