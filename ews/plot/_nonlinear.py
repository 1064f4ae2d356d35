"""Figures of the nonlinearity tests: conditional heteroskedasticity, drift-diffusion-jump moments, BDS."""
from __future__ import annotations

import numpy as np

from .._errors import InputError
from ._base import NULL, PALETTE, figure


def _flat_row(arr, row, n_lead):
    a = np.asarray(arr)
    flat = a.reshape((-1,) + a.shape[n_lead:]) if n_lead else a[None, ...]
    if isinstance(row, bool) or not isinstance(row, (int, np.integer)) or not 0 <= row < flat.shape[0]:
        raise InputError(f"row must be a row number from 0 to {flat.shape[0] - 1}, got {row!r}.")
    return flat[row]


def plot_ch_test(result, *, row: int = 0):
    """:func:`ews.nonlinear.ch_test`: the rolling R² of the squared AR residuals on their lag, the critical
    value χ²₁(1 − α)/(L − 1), the windows that reject (dots), and the AR order chosen in each window."""
    n_lead = len(result.windows.shape)
    r2 = _flat_row(result.r_squared, row, n_lead)
    crit = _flat_row(result.critical, row, n_lead)
    order = _flat_row(result.order, row, n_lead)
    rej = _flat_row(result.reject, row, n_lead)
    t = np.asarray(result.time)
    fig, axes = figure(2, 1, sharex=True, row_height=2.0, gridspec_kw={"height_ratios": [3, 1]})
    ax, oax = axes[0, 0], axes[1, 0]
    ax.plot(t, r2, color=PALETTE[0], lw=1.2, label="R² of e²ₜ on e²ₜ₋₁")
    ax.plot(t, crit, color="0.3", lw=1.0, ls="--", label=f"critical value (α = {result.alpha:g})")
    ax.plot(t[rej], r2[rej], "o", ms=2.5, color=PALETTE[1], label="rejects: conditional heteroskedasticity")
    ax.set_ylabel("R²")
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    ax.set_title("conditional heteroskedasticity (Seekell et al. 2011)", fontsize=9, loc="left")
    oax.step(t, order, where="mid", color=NULL, lw=1.0)
    oax.set_ylabel("AR order")
    oax.set_xlabel("time")
    return fig


def plot_ddj(result, *, row: int = 0):
    """:func:`ews.nonlinear.ddj`: drift, diffusion, jump intensity and total variance against the state
    (the kernel conditional moments of Carpenter & Brock 2011)."""
    n_lead = len(np.asarray(result.bandwidth).shape)
    x = _flat_row(result.states, row, n_lead)
    panels = [("drift", "drift M1"), ("total_variance", "total variance M2"), ("diffusion", "diffusion σ²"),
              ("jump_intensity", "jump intensity λ")]
    fig, axes = figure(2, 2, width=7.5, row_height=2.6, sharex=True)
    for k, (attr, lab) in enumerate(panels):
        ax = axes.flat[k]
        ax.plot(x, _flat_row(getattr(result, attr), row, n_lead), color=PALETTE[k], lw=1.4)
        ax.set_ylabel(lab)
        if attr == "drift":
            ax.axhline(0.0, color="0.6", lw=0.6)
    for ax in axes[1]:
        ax.set_xlabel("state")
    jv = float(np.asarray(result.jump_variance).reshape(-1)[row])
    fig.suptitle(f"drift-diffusion-jump moments (jump variance σ_Z² = {jv:.3g}; dt = {result.dt:g})", fontsize=9)
    return fig


def plot_bds(result, *, row: int = 0):
    """:func:`ews.nonlinear.bds_test`: the BDS statistic of each stage (first differences, ARMA, GARCH
    residuals) against the embedding dimension, one line per ε, with the ±1.96 band of the normal null;
    filled markers where the bootstrap p-value is below 0.05."""
    stat = np.asarray(result.statistic)
    n_lead = stat.ndim - 3
    S = _flat_row(stat, row, n_lead)          # (stage, m, eps)
    PB = _flat_row(result.p_bootstrap, row, n_lead)
    stages = list(result.stages)
    fig, axes = figure(1, len(stages), width=min(3.2 * len(stages), 10), row_height=3.0)
    for k, st in enumerate(stages):
        ax = axes[0, k]
        ax.axhspan(-1.96, 1.96, color="0.92", zorder=0)
        for e, eps in enumerate(result.epsilon):
            col = PALETTE[e % len(PALETTE)]
            ax.plot(result.m, S[k, :, e], color=col, lw=1.2, label=f"ε = {eps:g} sd")
            sig = PB[k, :, e] < 0.05
            ax.plot(result.m[sig], S[k, sig, e], "o", color=col, ms=5)
            ax.plot(result.m[~sig], S[k, ~sig, e], "o", mfc="white", color=col, ms=5)
        ax.set_xticks(result.m)
        ax.set_xlabel("embedding dimension m")
        ax.set_title({"diff": "first differences", "arma": "ARMA residuals", "garch": "GARCH residuals"}.get(st, st),
                     fontsize=9)
    axes[0, 0].set_ylabel("BDS statistic W (grey: |W| < 1.96)")
    axes[0, -1].legend(fontsize=7, frameon=False, title="filled: bootstrap p < 0.05", title_fontsize=7)
    return fig
