"""Trend statistics: how strongly an indicator rises (or falls) over time, one number per row.

kendall   Kendall's tau-b of the indicator against time, O(m log m) (m = number of finite values):
          tau_b = (n0 - T - 2D) / sqrt(n0 (n0 - T)), n0 = m(m-1)/2, D discordant pairs, T pairs tied in
          the indicator (time has no ties).
spearman  Spearman's rank correlation (Pearson correlation of the ranks, ties sharing their mean rank).
ols       Least-squares slope of the indicator per unit time.

Only finite values enter (the first w-1 points of a rolling indicator are NaN); fewer than two give NaN.
A row whose finite values are all tied (a flat indicator: e.g. the number of potential wells never
changes) has **no trend: tau_b = rho = 0** (the 0/0 of the formulas is taken as 0; the OLS slope is 0
anyway). So a surrogate whose indicator stays flat counts as a surrogate without a trend instead of
dropping out of the null distribution, which would bias the p-value towards the surrogates that do
vary. (``ews.compat`` keeps R's NA for a flat indicator.)

Ties
----
Two windows can hold the same values (integer counts do this often), so their indicator values are
equal in exact arithmetic; the rolling kernels' streaming sums may still give them a few ulps apart
(B&H's ``ibm_stable`` record: two variances 6e-13 apart), and a rank statistic would then break a tie
that R, scipy on exact values, and the paper keep. So every rank statistic (and
:func:`textbook_pvalue`) treats values as **tied when they are within a relative tolerance, with a floor
at the row's typical magnitude**:

    s = median |v| over the row's finite values;
    sort the finite values; a tie group starts at its smallest value a0 (its anchor) and holds every
    following value b with  b - a0 <= TIE_RTOL * max(|a0|, |b|, s);  the first value beyond starts
    the next group. Every value of a group counts as equal to its anchor a0.
    NaN and +-inf are not values of the row (they are skipped, and never snapped).

``TIE_RTOL = 1e-10``. Why 1e-10: the rolling kernels agree with a two-pass evaluation to <= 1e-12
relative in the hardest cases measured (the design promises ~1e-10), so values equal in exact arithmetic
land well within it; and no difference this small (a tenth of a part per billion of the values compared,
or of the row's typical value) carries information about a trend.

Why a floor: the kernels' rounding error is set by the magnitudes that enter their sums, not by the size
of the result. A lag-1 autocorrelation that is exactly 0 (a periodic integer series, windows one period
apart) comes out as -4e-17, -2e-17, 6e-18: a purely relative tolerance can never tie those, while their
error is ~1e-16 of the correlations around them. Why the median |v| and not the largest: ratio indicators
put isolated values many decades above the rest (cv = sd/mean of detrended residuals, whose mean
crosses 0: on R's devfold example a row with median 2.15 holds 3.9e6), and a floor set by them ties real
differences (there: 1.2122 and 1.2119, and tau no longer matches R). The median ignores any minority of
such values. The price is the opposite case: when more than half of a row's values are near 0, the
median, and with it the floor, is near 0 too, and exact zeros computed as rounding noise may stay untied
(as under a purely relative rule). That failure is mild; the opposite one is not: with a higher quantile,
a share of values near 1e17 (cv where a window mean is exactly 0 but computed as 1e-17, which happens
in first differences of counts) would tie the whole row.

Why anchored groups, not chains of neighbours: chained neighbours have no width limit, so a real trend
in steps below the tolerance (1 + 5e-11 k) would collapse into one group (tau NaN). An anchored group
spans at most the tolerance, and the groups depend only on the values (not on their order in the row).
Values equal in exact arithmetic are tied whenever their rounding spread is within the tolerance and no
distinct value lies within it below them (which would anchor a group that reaches only part of them).

What the rule changes: snapping only turns pairs within a group from ordered into tied; pairs from
different groups keep their order, since each anchor exceeds the previous one by more than the tolerance.
So if k pairs are tied by the rule but not exactly, the tau-a numerator (C - D)/n0 moves by at most
k/n0 (the share of the pairs involved) and tau_b by at most 2k / sqrt(n0 (n0 - T)) (T tied pairs after
snapping: about twice that share while ties are few); a Spearman rank moves only within its group. With
``rtol = 0`` the rule is exact equality. OLS is a continuous function of the values (near-equal values
give near-equal slopes), so it needs no tie rule. The rule is implemented once, in
``ews._kernels.trend.tie_groups``; the kernels and :func:`snap_ties` call it.

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
from ._validate import show
from .pvalues import ALTERNATIVES

TIE_RTOL = 1e-10
"""Relative tolerance under which two indicator values count as tied, with a floor at the row's median
magnitude (see the module docstring, "Ties")."""


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
    """A copy of ``y`` with each tie group of its finite values replaced by the group's smallest value
    (the tie rule of the module docstring, all of ``y`` one row); exactly equal values stay equal,
    distinct groups keep their order, NaN and +-inf are left as they are."""
    from ._kernels.trend import snap_ties as _snap

    y = np.asarray(y, dtype=np.float64)
    out = y.copy()
    ok = np.isfinite(y)
    if np.count_nonzero(ok) >= 2:
        out[ok] = _snap(np.ascontiguousarray(y[ok]), float(rtol))
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




def textbook_pvalue(name: str, t: np.ndarray, y: np.ndarray, alternative: str = "two-sided") -> float:
    """The textbook p-value of a trend statistic, as R's ``cor.test`` reports it. For comparison only.

    Each statistic brings its own (``TrendStatistic.pvalue``). Kendall: exact null distribution when
    there are fewer than 50 values and no ties, otherwise the normal approximation (tie-corrected
    variance, no continuity correction); Spearman: the t approximation; OLS: the t test of the slope.
    Ties follow the module's rule (each tie group is snapped to one value before scipy, which decides
    ties by exact equality). NaN when fewer than 3 finite values remain.

    Emits :class:`~ews.OverlappingWindowsWarning`: on a rolling indicator this p-value is meaningless
    (overlapping windows are not independent).
    """
    entry = get(name)
    if entry.pvalue is None:
        raise InputError(f"the trend statistic {name!r} has no textbook p-value; use a surrogate test "
                         "(ews.significance) instead.")
    if alternative not in ALTERNATIVES:
        raise InputError(f"alternative must be one of {list(ALTERNATIVES)}, got {show(alternative)}.")
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
