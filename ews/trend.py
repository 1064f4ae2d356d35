"""Trend statistics: how strongly an indicator rises (or falls) over time, one number per row.

kendall   Kendall's tau-b of the indicator against time, O(m log m) (m = number of finite values):
          tau_b = (n0 - T - 2D) / sqrt(n0 (n0 - T)), n0 = m(m-1)/2, D discordant pairs, T pairs tied in
          the indicator (time has no ties).
spearman  Spearman's rank correlation (Pearson correlation of the ranks, ties sharing their mean rank).
ols       Least-squares slope of the indicator per unit time.

Only finite values enter (the first w-1 points of a rolling indicator are NaN).

Ties
----
Two windows can hold the same values (integer counts do this often), so their indicator values are
equal in exact arithmetic; the rolling kernels' streaming sums may still give them a few ulps apart
(B&H's ``ibm_stable`` record: two variances 6e-13 apart), and a rank statistic would then break a tie
that R, scipy on exact values, and the paper keep. So every rank statistic (and
:func:`textbook_pvalue`) treats values as **tied when they are within a relative tolerance**:

    sort the finite values; a and b (neighbours, a <= b) are tied when  b - a <= TIE_RTOL * max(|a|, |b|);
    ties chain: a tie group is a maximal run of sorted neighbours tied in this sense, and every value in
    it counts as equal to the group's smallest value.

``TIE_RTOL = 1e-10``. Why this value: the rolling kernels agree with a two-pass evaluation to <= 1e-12
relative in the hardest cases measured (the design promises ~1e-10), so values equal in exact arithmetic
land well within it; and no difference this small (a tenth of a part per billion) carries information about
a trend, so treating it as a tie costs nothing that matters (it changes tau by at most the share of the
pairs involved). OLS is a continuous function of the values (near-equal values give near-equal slopes),
so it needs no tie rule.

Registry
--------
Statistics live in :data:`REGISTRY` (:class:`ews._registry.Registry`). An entry,
:class:`TrendStatistic`, carries its batch function and its own textbook p-value (or ``None``), so
no caller branches on the statistic's name. A new statistic is one function and one :func:`register`.

Significance: the textbook p-values of these statistics assume independent observations. Consecutive
values of a rolling indicator share all but one point of their windows, so those p-values are far too
small and must not be reported as the significance of a warning. :func:`textbook_pvalue` computes them
(for comparison only) with an :class:`~ews.OverlappingWindowsWarning`; the surrogate tests in
:mod:`ews.significance` give the p-value that means something.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from ._errors import InputError, OverlappingWindowsWarning
from ._registry import Registry

TIE_RTOL = 1e-10
"""Relative tolerance under which two indicator values count as tied (see the module docstring)."""


@dataclass(frozen=True)
class TrendStatistic:
    """A trend statistic.

    name, summary
        Its registry name and a one-line description.
    func
        ``func(t, Y) -> (B,)``: the statistic of each row of ``Y`` (B, n), C-contiguous float64, against
        time ``t`` (n,) float64. NaN values of a row are skipped.
    pvalue
        ``pvalue(t, y, alternative) -> float``: the textbook p-value of one row of finite values (at
        least 3), as R's ``cor.test`` reports it, or ``None`` when the statistic has none.
    """

    name: str
    summary: str
    func: Callable[[np.ndarray, np.ndarray], np.ndarray]
    pvalue: Optional[Callable[[np.ndarray, np.ndarray, str], float]] = None

    def info(self) -> dict:
        return {"summary": self.summary, "textbook_pvalue": self.pvalue is not None}


REGISTRY: Registry[TrendStatistic] = Registry("trend statistic")
register, get, names, table = REGISTRY.register, REGISTRY.get, REGISTRY.names, REGISTRY.table


def snap_ties(y: np.ndarray, rtol: float = TIE_RTOL) -> np.ndarray:
    """A copy of ``y`` (finite values) with each tie group replaced by its smallest value (the tie rule
    of the module docstring); exactly equal values stay equal, distinct groups keep their order."""
    y = np.asarray(y, dtype=np.float64)
    out = y.copy()
    if y.size < 2:
        return out
    order = np.argsort(y, kind="stable")
    s = y[order]
    with np.errstate(over="ignore", invalid="ignore"):
        new = (s[1:] - s[:-1]) > rtol * np.maximum(np.abs(s[1:]), np.abs(s[:-1]))
    starts = np.concatenate(([0], np.flatnonzero(new) + 1))
    group = np.cumsum(np.concatenate(([False], new)))
    out[order] = s[starts][group]
    return out


# ---- the statistics ------------------------------------------------------------------------------

def _kendall(t, Y):
    from ._kernels.trend import kendall

    return kendall(Y, TIE_RTOL)


def _spearman(t, Y):
    from ._kernels.trend import spearman

    return spearman(Y, TIE_RTOL)


def _ols(t, Y):
    from ._kernels.trend import ols_slope

    return ols_slope(np.ascontiguousarray(t, dtype=np.float64), Y)


def _kendall_p(t, y, alternative):
    """Exact null distribution below 50 values without ties, else the normal approximation
    (tie-corrected variance, no continuity correction), as R's cor.test."""
    from scipy import stats

    y = snap_ties(y)
    exact = y.size < 50 and np.unique(y).size == y.size
    return float(stats.kendalltau(t, y, method="exact" if exact else "asymptotic",
                                  alternative=alternative).pvalue)


def _spearman_p(t, y, alternative):
    """The t approximation."""
    from scipy import stats

    return float(stats.spearmanr(t, snap_ties(y), alternative=alternative).pvalue)


def _ols_p(t, y, alternative):
    """The t test of the slope."""
    from scipy import stats

    return float(stats.linregress(t, y, alternative=alternative).pvalue)


register(TrendStatistic("kendall", "Kendall's tau-b against time", _kendall, _kendall_p))
register(TrendStatistic("spearman", "Spearman's rank correlation against time", _spearman, _spearman_p))
register(TrendStatistic("ols", "least-squares slope per unit time", _ols, _ols_p))


# ---- public functions ----------------------------------------------------------------------------

def statistic(name: str, t: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Trend statistic ``name`` of each row of ``Y`` (B, n) against time ``t`` (n,)."""
    Y = np.ascontiguousarray(np.atleast_2d(Y), dtype=np.float64)
    return get(name).func(np.asarray(t, dtype=np.float64), Y)


_ALTERNATIVES = ("two-sided", "greater", "less")


def textbook_pvalue(name: str, t: np.ndarray, y: np.ndarray, alternative: str = "two-sided") -> float:
    """The textbook p-value of a trend statistic, as R's ``cor.test`` reports it. For comparison only.

    Each statistic brings its own (``TrendStatistic.pvalue``). Kendall: exact null distribution when
    there are fewer than 50 values and no ties, otherwise the normal approximation (tie-corrected
    variance, no continuity correction); Spearman: the t approximation; OLS: the t test of the slope.
    Ties follow the module's rule (values within ``TIE_RTOL`` are snapped to one value before scipy,
    which decides ties by exact equality). NaN when fewer than 3 finite values remain.

    Emits :class:`~ews.OverlappingWindowsWarning`: on a rolling indicator this p-value is meaningless
    (overlapping windows are not independent).
    """
    entry = get(name)
    if entry.pvalue is None:
        raise InputError(f"the trend statistic {name!r} has no textbook p-value; use a surrogate test "
                         "(ews.significance) instead.")
    if alternative not in _ALTERNATIVES:
        raise InputError(f"alternative must be one of {list(_ALTERNATIVES)}, got {alternative!r}.")
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if t.shape != y.shape or y.ndim != 1:
        raise InputError(f"textbook_pvalue takes one row: t and y of the same length, got shapes "
                         f"{t.shape} and {y.shape}; loop over rows for a batch.")
    warnings.warn(
        "textbook p-value of a trend in a rolling indicator: overlapping windows make consecutive values "
        "dependent, so this p-value is far too small. Use a surrogate test (ews.significance) instead.",
        OverlappingWindowsWarning,
        stacklevel=2,
    )
    ok = np.isfinite(y)
    t, y = t[ok], y[ok]
    if y.size < 3:
        return float("nan")
    return entry.pvalue(t, y, alternative)
