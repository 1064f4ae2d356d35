"""Trend statistics: how strongly an indicator rises (or falls) over time, one number per row.

kendall   Kendall's tau-b of the indicator against time, O(m log m) (m = number of finite values):
          tau_b = (n0 - T - 2D) / sqrt(n0 (n0 - T)), n0 = m(m-1)/2, D discordant pairs, T pairs tied in
          the indicator (time has no ties).
spearman  Spearman's rank correlation (Pearson correlation of the ranks, ties sharing their mean rank).
ols       Least-squares slope of the indicator per unit time.

Only finite values enter (the first w-1 points of a rolling indicator are NaN).

Significance: the textbook p-values of these statistics assume independent observations. Consecutive
values of a rolling indicator share all but one point of their windows, so those p-values are far too
small and must not be reported as the significance of a warning. :func:`textbook_pvalue` computes them
(for comparison only) with an :class:`~ews.OverlappingWindowsWarning`; the surrogate tests in
:mod:`ews.significance` give the p-value that means something.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._errors import InputError, OverlappingWindowsWarning


@dataclass(frozen=True)
class TrendStatistic:
    name: str
    summary: str
    func: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (t (n,), Y (B, n)) -> (B,)


def _kendall(t, Y):
    from ._kernels.trend import kendall

    return kendall(Y)


def _spearman(t, Y):
    from ._kernels.trend import spearman

    return spearman(Y)


def _ols(t, Y):
    from ._kernels.trend import ols_slope

    return ols_slope(np.ascontiguousarray(t, dtype=np.float64), Y)


_REGISTRY = {
    s.name: s
    for s in (
        TrendStatistic("kendall", "Kendall's tau-b against time", _kendall),
        TrendStatistic("spearman", "Spearman's rank correlation against time", _spearman),
        TrendStatistic("ols", "least-squares slope per unit time", _ols),
    )
}


def names() -> list[str]:
    return list(_REGISTRY)


def get(name: str) -> TrendStatistic:
    if name not in _REGISTRY:
        raise InputError(f"unknown trend statistic {name!r}; choose one of {names()}.")
    return _REGISTRY[name]


def register(stat: TrendStatistic) -> None:
    if stat.name in _REGISTRY:
        raise InputError(f"a trend statistic named {stat.name!r} is already registered.")
    _REGISTRY[stat.name] = stat


def statistic(name: str, t: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Trend statistic ``name`` of each row of ``Y`` (B, n) against time ``t`` (n,)."""
    Y = np.ascontiguousarray(np.atleast_2d(Y), dtype=np.float64)
    return get(name).func(np.asarray(t, dtype=np.float64), Y)


def textbook_pvalue(name: str, t: np.ndarray, y: np.ndarray, alternative: str = "two-sided") -> float:
    """The textbook p-value of a trend statistic, as R's ``cor.test`` reports it. For comparison only.

    Kendall: exact null distribution when there are fewer than 50 values and no ties, otherwise the
    normal approximation (tie-corrected variance, no continuity correction); Spearman: the t
    approximation; OLS: the t test of the slope. Emits :class:`~ews.OverlappingWindowsWarning`:
    on a rolling indicator this p-value is meaningless (overlapping windows are not independent).
    """
    from scipy import stats

    warnings.warn(
        "textbook p-value of a trend in a rolling indicator: overlapping windows make consecutive values "
        "dependent, so this p-value is far too small. Use a surrogate test (ews.significance) instead.",
        OverlappingWindowsWarning,
        stacklevel=2,
    )
    t = np.asarray(t, float)
    y = np.asarray(y, float)
    ok = np.isfinite(y)
    t, y = t[ok], y[ok]
    if y.size < 3:
        return float("nan")
    if name == "kendall":
        exact = y.size < 50 and np.unique(y).size == y.size
        return float(stats.kendalltau(t, y, method="exact" if exact else "asymptotic",
                                      alternative=alternative).pvalue)
    if name == "spearman":
        return float(stats.spearmanr(t, y, alternative=alternative).pvalue)
    if name == "ols":
        return float(stats.linregress(t, y, alternative=alternative).pvalue)
    raise InputError(f"no textbook p-value for trend statistic {name!r}.")
