"""ROC curves and AUC for any test statistic (deviance, Kendall tau of an indicator, ...).

A detection method produces a statistic; large values mean "a transition is coming".  Given the
statistic's values on series *without* a transition (``null_stats``) and *with* one
(``test_stats``), :func:`roc` gives the receiver operating characteristic: for every threshold
``c``, the false positive rate ``FPR(c) = #{null >= c} / n_null`` against the true positive rate
``TPR(c) = #{test >= c} / n_test``, and the area under it.

Three areas are reported because three are in use:

``auc`` (Mann-Whitney)
    ``AUC = P(T > N) + 1/2 P(T = N)`` for ``T`` drawn from ``test_stats`` and ``N`` from
    ``null_stats``, i.e. ``U / (n_null n_test)`` with the Mann-Whitney U statistic (ties count 1/2).
    It equals the trapezoid area under the full empirical curve.  This is the number to report.
``auc_trapezoid``
    The trapezoid area under the curve that is returned (identical to ``auc`` for the full curve;
    for ``legacy=True`` the area under the 50 grid points, not closed to (1, 1)).
``legacy_auc``
    The rule of ``roc_data()`` in the R package ``earlywarning`` (Boettiger & Hastings 2012, J R Soc
    Interface 9:2527): thresholds on an equally spaced grid of ``n_thresholds`` points from the
    smallest to the largest pooled value, rates with a strict ``>``, the curve linearly
    interpolated (tied FPR values averaged, as R's ``approx``) at 200 equally spaced FPR values
    between its smallest and largest FPR, and ``area = sum(TPR_interp) * spacing``.  This is a
    Riemann sum that counts one point too many and ignores the part of the curve beyond the grid;
    it is kept only to compare with published numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._errors import InputError

__all__ = ["roc", "ROCResult"]


@dataclass(frozen=True, eq=False)
class ROCResult:
    """Result of :func:`roc`.

    Attributes
    ----------
    fpr, tpr, thresholds : numpy.ndarray
        The curve.  Full curve (``legacy=False``): thresholds in decreasing order, starting at
        ``+inf`` (point (0, 0)) and then every distinct pooled value (the last gives (1, 1)); a point
        is counted positive when ``stat >= threshold``.  Legacy curve: the ``n_thresholds`` grid in
        increasing order with ``stat > threshold``, exactly as ``earlywarning::roc_data``.
    auc : float
        Mann-Whitney AUC, ties counted 1/2.
    auc_trapezoid : float
        Trapezoid area under the returned curve.
    legacy_auc : float
        The ``earlywarning::roc_data`` area rule on its ``n_thresholds`` grid (NaN if that curve has
        fewer than two distinct FPR values, where R's ``approx`` fails).
    n_null, n_test : int
        Sample sizes.
    legacy : bool
        Whether the returned curve is the legacy grid.
    """

    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray
    auc: float
    auc_trapezoid: float
    legacy_auc: float
    n_null: int
    n_test: int
    legacy: bool = False
    n_thresholds: int = 50
    _null: np.ndarray = field(default=None, repr=False)
    _test: np.ndarray = field(default=None, repr=False)

    def tpr_at(self, fpr: float) -> float:
        """Largest true positive rate reached with a false positive rate <= ``fpr`` (full curve)."""
        fpr = float(fpr)
        if not 0.0 <= fpr <= 1.0:
            raise InputError(f"fpr must be in [0, 1], got {fpr}.")
        f, t, _ = _full_curve(self._null, self._test)
        return float(t[f <= fpr + 1e-12].max())

    def to_pandas(self):
        """The curve as a DataFrame with columns ``threshold, fpr, tpr``."""
        import pandas as pd

        return pd.DataFrame({"threshold": self.thresholds, "fpr": self.fpr, "tpr": self.tpr})

    def summary(self):
        """One-row DataFrame: ``auc, auc_trapezoid, legacy_auc, n_null, n_test``."""
        import pandas as pd

        return pd.DataFrame([{
            "auc": self.auc, "auc_trapezoid": self.auc_trapezoid, "legacy_auc": self.legacy_auc,
            "n_null": self.n_null, "n_test": self.n_test,
        }])

    def to_xarray(self):
        """The curve as an xarray Dataset (dimension ``point``) with the areas in ``attrs``."""
        import xarray as xr

        return xr.Dataset(
            {"fpr": ("point", self.fpr), "tpr": ("point", self.tpr),
             "threshold": ("point", self.thresholds)},
            attrs={"auc": self.auc, "auc_trapezoid": self.auc_trapezoid,
                   "legacy_auc": self.legacy_auc, "n_null": self.n_null, "n_test": self.n_test,
                   "legacy": int(self.legacy), "n_thresholds": self.n_thresholds},
        )

    def __repr__(self) -> str:
        return (f"ROCResult(auc={self.auc:.4f}, auc_trapezoid={self.auc_trapezoid:.4f}, "
                f"legacy_auc={self.legacy_auc:.4f}, n_null={self.n_null}, n_test={self.n_test}, "
                f"points={self.fpr.size}{', legacy grid' if self.legacy else ''})")


def _as_stats(values, name: str) -> np.ndarray:
    try:
        a = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numbers (an array of test statistics): {exc}.") from None
    a = a.ravel()
    if a.size == 0:
        raise InputError(f"{name} is empty; pass at least one value of the statistic.")
    bad = ~np.isfinite(a)
    if bad.any():
        where = np.flatnonzero(bad)[:5].tolist()
        kind = "NaN" if np.isnan(a[bad]).all() else "NaN or infinite"
        raise InputError(
            f"{name} contains {int(bad.sum())} {kind} value(s) (first positions {where}); drop them "
            f"first, e.g. s = s[np.isfinite(s)] (failed bootstrap refits are recorded as NaN)."
        )
    return a


def _mann_whitney_auc(null: np.ndarray, test: np.ndarray) -> float:
    ns = np.sort(null)
    below = np.searchsorted(ns, test, side="left").astype(np.int64)
    upto = np.searchsorted(ns, test, side="right").astype(np.int64)
    two_u = 2 * int(below.sum()) + int((upto - below).sum())      # 2 U, exact in integers
    return two_u / (2.0 * null.size * test.size)


def _full_curve(null: np.ndarray, test: np.ndarray):
    thr = np.unique(np.concatenate([null, test]))[::-1]
    ns = np.sort(null)
    ts = np.sort(test)
    fpr = (null.size - np.searchsorted(ns, thr, side="left")) / null.size
    tpr = (test.size - np.searchsorted(ts, thr, side="left")) / test.size
    return (np.concatenate([[0.0], fpr]), np.concatenate([[0.0], tpr]),
            np.concatenate([[np.inf], thr]))


def _trapezoid(x: np.ndarray, y: np.ndarray) -> float:
    return float(abs(np.sum(np.diff(x) * (y[1:] + y[:-1]) * 0.5)))


def _legacy_curve(null: np.ndarray, test: np.ndarray, n_thresholds: int):
    lo = min(null.min(), test.min())
    hi = max(null.max(), test.max())
    thr = np.linspace(lo, hi, n_thresholds)
    ns = np.sort(null)
    ts = np.sort(test)
    fpr = (null.size - np.searchsorted(ns, thr, side="right")) / null.size
    tpr = (test.size - np.searchsorted(ts, thr, side="right")) / test.size
    return fpr, tpr, thr


def _legacy_area(fpr: np.ndarray, tpr: np.ndarray) -> float:
    ux, inv = np.unique(fpr, return_inverse=True)
    if ux.size < 2:
        return float("nan")
    uy = np.bincount(inv, weights=tpr) / np.bincount(inv)   # ties: mean, as R's approx
    xo = np.linspace(ux[0], ux[-1], 200)
    yo = np.interp(xo, ux, uy)
    return float(np.sum(yo * (xo[1] - xo[0])))


def roc(null_stats, test_stats, *, legacy: bool = False, n_thresholds: int = 50) -> ROCResult:
    """ROC curve and AUC of a statistic under a null and a test (alternative) distribution.

    For a threshold ``c`` the statistic "detects" when ``s >= c``::

        FPR(c) = #{null_stats >= c} / n_null,     TPR(c) = #{test_stats >= c} / n_test

    and the area under the curve is the Mann-Whitney probability::

        AUC = P(T > N) + 1/2 P(T = N)  = U / (n_null n_test).

    Parameters
    ----------
    null_stats : array-like
        Values of the statistic on series without a transition (e.g. deviances of data simulated
        under the null model, Kendall tau of an indicator on null surrogates).  NaN not allowed.
    test_stats : array-like
        Values on series with a transition (e.g. simulated under the alternative).
    legacy : bool, default False
        Return the ``n_thresholds``-point grid curve of ``earlywarning::roc_data`` (R package of
        Boettiger & Hastings 2012) instead of the full curve.  ``legacy_auc`` is computed in both
        cases.
    n_thresholds : int, default 50
        Grid size of the legacy rule (``pts`` in ``roc_data``).

    Returns
    -------
    ROCResult
        ``fpr, tpr, thresholds, auc, auc_trapezoid, legacy_auc`` (see :class:`ROCResult`).

    Raises
    ------
    InputError
        Empty input, non-numeric, NaN or infinite values, or ``n_thresholds < 2``.

    References
    ----------
    Boettiger, C. & Hastings, A. (2012). Quantifying limits to detection of early warning for
    critical transitions. J. R. Soc. Interface 9, 2527-2539. doi:10.1098/rsif.2012.0125

    Hanley, J. A. & McNeil, B. J. (1982). The meaning and use of the area under a receiver operating
    characteristic (ROC) curve. Radiology 143, 29-36.

    Examples
    --------
    >>> import numpy as np
    >>> from ews.roc import roc
    >>> r = roc([0.1, 0.4, 0.35, 0.8], [0.9, 0.4, 0.7, 1.2])
    >>> r.auc
    0.84375
    >>> [float(v) for v in (r.fpr[0], r.tpr[0], r.fpr[-1], r.tpr[-1])]
    [0.0, 0.0, 1.0, 1.0]
    """
    null = _as_stats(null_stats, "null_stats")
    test = _as_stats(test_stats, "test_stats")
    if isinstance(n_thresholds, bool) or not isinstance(n_thresholds, (int, np.integer)) \
            or n_thresholds < 2:
        raise InputError(f"n_thresholds must be an integer >= 2, got {n_thresholds!r}.")
    n_thresholds = int(n_thresholds)
    auc = _mann_whitney_auc(null, test)
    lf, lt, lthr = _legacy_curve(null, test, n_thresholds)
    legacy_auc = _legacy_area(lf, lt)
    if legacy:
        fpr, tpr, thr = lf, lt, lthr
    else:
        fpr, tpr, thr = _full_curve(null, test)
    for a in (fpr, tpr, thr):
        a.setflags(write=False)
    return ROCResult(fpr=fpr, tpr=tpr, thresholds=thr, auc=float(auc),
                     auc_trapezoid=_trapezoid(fpr, tpr), legacy_auc=legacy_auc,
                     n_null=int(null.size), n_test=int(test.size), legacy=bool(legacy),
                     n_thresholds=n_thresholds, _null=null, _test=test)
