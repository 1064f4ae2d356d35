"""Conditional heteroskedasticity as a leading indicator (Seekell et al. 2011).

Seekell, D. A., Carpenter, S. R. & Pace, M. L. (2011) Conditional heteroscedasticity as a leading
indicator of ecological regime shifts. American Naturalist 178:442-451 (the reference R's ch_ews
cites). Before a shift, large deviations tend to follow large deviations: the variance
of the AR-filtered series depends on its own recent past (an ARCH(1) effect).

In each right-aligned window of ``w`` points (the residuals of a detrended TimeSeries, else the state):

1. AR filter: with ``p_max`` the order cap, fit ``z_t = c + a_1 z_{t-1} + ... + a_p z_{t-p} + e_t`` by
   OLS (Householder QR) for ``p = 0..p_max`` on the common sample ``t = p_max+1..w`` (``N0 = w - p_max``
   responses), and choose ``p`` minimising ``AIC(p) = N0 log(RSS_p / N0) + 2 (p + 1)`` (ties: the
   smaller order). Orders whose lag column is collinear with the earlier ones (relative norm below
   1e-8 after the QR steps) and every higher order are skipped.
2. Refit AR(p) on its full sample ``t = p+1..w``: ``L = w - p`` residuals ``e_t``.
3. Regress ``e_t^2`` on ``e_{t-1}^2`` with an intercept (``L - 1`` pairs):
   ``R^2 = corr(e_t^2, e_{t-1}^2)^2``.
4. Lagrange-multiplier test of no ARCH(1) effect: ``(L - 1) R^2 ~ chi2_1`` under the null, so
   ``critical = chi2_1^{-1}(1 - alpha) / (L - 1)``; ``reject = R^2 > critical``. ``L`` is the number of
   squared residuals of the window (``w - p``), ``L - 1`` the number of pairs in the regression.

Default order cap ``p_max = min(floor(10 log10 w), floor(w / 10))``: R's ``ar`` uses
``floor(10 log10 w)`` alone and, fitting each order on its own sample, nearly always picks the highest
non-singular order on short windows (order 9 of 20 points) - the filter then absorbs most of the
window's variation. Ten observations per AR coefficient keep the squared residuals close to the
window's length. ``max_order`` overrides it (at most ``(w - 3) // 2``).

R^2 is NaN for a constant window and where the AR fit reproduces the window exactly (residuals at
rounding level). Differences from R ``earlywarnings::ch_ews`` (reproduced by
``ews.compat.earlywarnings.ch_ews``): R fits each order on its own sample and compares the AICs across
different samples, caps the order only at ``floor(10 log10 w)`` and solves the normal equations with
an explicit inverse; the window here is ews' (a fraction of the length, floored, or a number of
points), not R's percentage rounded half to even.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd

from .._checks import ch_max_orders as _max_orders
from .._checks import resolve_windows
from .._errors import DegenerateWindowWarning, InputError
from .._validate import show

REFERENCE = "Seekell, Carpenter & Pace 2011, Am Nat 178:442 (conditional heteroscedasticity)"


# --------------------------------------------------------------------------------------------------
# shared by the modules of this package: the rows of the input and their labels

def leading(ts):
    """(lead_shape, lead_dims, coords over the leading dims) of a TimeSeries."""
    lead_shape = tuple(ts.shape[:-1])
    lead_dims = tuple(ts.leading_dims)
    coords = {k: (tuple(d), np.asarray(v)) for k, (d, v) in ts.coords.items()
              if len(d) and set(d) <= set(lead_dims)}
    return lead_shape, lead_dims, coords


def row_labels(lead_shape, lead_dims, coords) -> pd.DataFrame:
    """One row per series: the leading dimensions' coordinate values (or positions)."""
    if not lead_shape:
        return pd.DataFrame(index=[0])
    grids = np.meshgrid(*[np.arange(s) for s in lead_shape], indexing="ij")
    cols = {}
    for ax, d in enumerate(lead_dims):
        c = coords.get(d)
        pos = grids[ax].reshape(-1)
        cols[d] = np.asarray(c[1])[pos] if c is not None and tuple(c[0]) == (d,) else pos
    return pd.DataFrame(cols)


def rolling_r_squared(ts, windows, max_order: int = -1, input: str = "residuals") -> np.ndarray:
    """The rolling R^2 (n_rows, n) of ``ts`` for per-row ``windows`` (points; 0 = none): the
    ``conditional_heteroskedasticity`` indicator. ``max_order=-1`` (or None) is the default cap."""
    from .._kernels.chet import rolling_ch

    windows = np.ascontiguousarray(windows, dtype=np.int64)
    X = np.ascontiguousarray(ts.rows(input), dtype=np.float64)
    r2, _ = rolling_ch(X, ts.row_lengths(), windows, _max_orders(max_order, windows))
    return r2


class ConditionalHeteroskedasticityResult:
    """Result of :func:`ch_test`: per window end, over the input's leading dims.

    Attributes (arrays shaped like the input, ``(..., time)``; NaN / False where there is no window)
    ----------
    r_squared : R^2 of e_t^2 on e_{t-1}^2.
    critical : chi2_1(1 - alpha) / (L - 1), L = w - order squared residuals.
    reject : R^2 > critical.
    order : the AR order chosen by AIC (float, NaN where no window).
    windows : window in points per series (leading shape).
    """

    def __init__(self, ts, r2, crit, order, windows, alpha, max_orders, window):
        self._lead_shape, self._lead_dims, self._coords = leading(ts)
        shape = ts.shape
        self.r_squared = r2.reshape(shape)
        self.critical = crit.reshape(shape)
        self.reject = np.asarray(r2 > crit).reshape(shape)
        self.order = order.reshape(shape)
        self.windows = windows.reshape(self._lead_shape)
        self.max_orders = max_orders.reshape(self._lead_shape)
        self.time = ts.time
        self.alpha = alpha
        self.window = window

    def table(self) -> pd.DataFrame:
        """Tidy table: one row per series x window end (windows with a value only): the leading
        coordinates, ``time``, ``r_squared``, ``critical``, ``reject``, ``order``, ``window``."""
        labels = row_labels(self._lead_shape, self._lead_dims, self._coords)
        n = self.time.shape[0]
        R = self.r_squared.reshape(-1, n)
        keep = ~np.isnan(self.order.reshape(-1, n))
        ri, ti = np.nonzero(keep)
        df = labels.iloc[ri].reset_index(drop=True) if self._lead_shape else pd.DataFrame(index=range(ri.size))
        df["time"] = self.time[ti]
        df["r_squared"] = R[ri, ti]
        df["critical"] = self.critical.reshape(-1, n)[ri, ti]
        df["reject"] = self.reject.reshape(-1, n)[ri, ti]
        df["order"] = self.order.reshape(-1, n)[ri, ti].astype(np.int64)
        df["window"] = self.windows.reshape(-1)[ri]
        return df

    def to_xarray(self):
        """xarray Dataset: ``r_squared, critical, reject, order (..., time)``, ``window`` and
        ``max_order`` per series; attrs name the method and its parameters."""
        import xarray as xr

        dims = self._lead_dims + ("time",)
        ds = xr.Dataset(
            {"r_squared": (dims, self.r_squared), "critical": (dims, self.critical),
             "reject": (dims, self.reject), "order": (dims, self.order),
             "window": (self._lead_dims, self.windows), "max_order": (self._lead_dims, self.max_orders)},
            coords={"time": ("time", self.time), **self._coords})
        ds.attrs.update({"method": "conditional heteroskedasticity (AR filter by AIC, R^2 of e_t^2 on e_{t-1}^2)",
                         "alpha": self.alpha, "window": self.window, "reference": REFERENCE,
                         "critical": "chi2_1(1 - alpha) / (L - 1), L = window - order"})
        return ds

    def __repr__(self) -> str:
        ok = ~np.isnan(self.r_squared)
        frac = float(self.reject[ok].mean()) if ok.any() else float("nan")
        where = f"{int(np.prod(self._lead_shape))} series" if self._lead_shape else "1 series"
        return (f"ConditionalHeteroskedasticityResult({where}, {int(ok.sum())} windows, "
                f"{frac:.1%} reject at alpha={self.alpha})")


def ch_test(data, window=0.1, *, alpha: float = 0.1, max_order: int | None = None,
            input: str = "residuals") -> ConditionalHeteroskedasticityResult:
    """Rolling conditional-heteroskedasticity test (Seekell et al. 2011; see the module docstring).

    Parameters
    ----------
    data : TimeSeries or anything ``ews.as_timeseries`` accepts (each row one series).
    window : fraction of each series' length (floored) or a whole number of points (>= 3).
    alpha : test level of the LM test (0 < alpha < 1).
    max_order : AR order cap (None: ``min(floor(10 log10 w), floor(w / 10))``).
    input : ``"residuals"`` (the detrended residuals, or the state when not detrended) or ``"state"``.

    Returns
    -------
    ConditionalHeteroskedasticityResult

    Examples
    --------
    >>> import numpy as np, ews
    >>> from ews.nonlinear._ch import ch_test
    >>> res = ch_test(np.random.default_rng(0).normal(size=200), window=50)
    >>> res.r_squared.shape
    (200,)
    """
    from scipy.stats import chi2

    from .._kernels.chet import rolling_ch
    from ..series import as_timeseries

    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, numbers.Real) or not (0 < alpha < 1):
        raise InputError(f"alpha must be a number in (0, 1), e.g. 0.1; got {show(alpha)}.")
    if input not in ("residuals", "state"):
        raise InputError(f"input must be 'residuals' or 'state', got {show(input)}.")
    ts = as_timeseries(data)
    ts.require_regular("the conditional-heteroskedasticity test (AR fits and windows of a fixed number of points)")
    lengths = ts.row_lengths()
    windows = resolve_windows(window, lengths, strict=np.size(lengths) == 1)
    mo = _max_orders(max_order, windows)
    X = np.ascontiguousarray(ts.rows(input), dtype=np.float64)
    r2, order = rolling_ch(X, lengths, windows, mo)
    L = windows[:, None] - order
    with np.errstate(invalid="ignore", divide="ignore"):
        crit = float(chi2.ppf(1.0 - alpha, 1)) / (L - 1.0)
    degenerate = np.isnan(r2) & ~np.isnan(order)
    if degenerate.any():
        rows = np.flatnonzero(degenerate.any(axis=1))
        warnings.warn(f"{int(degenerate.sum())} window(s) (first in row {int(rows[0])}) are constant or fitted "
                      "exactly by the AR model; their R^2 is NaN.", DegenerateWindowWarning, stacklevel=2)
    return ConditionalHeteroskedasticityResult(ts, r2, crit, order, windows, float(alpha), mo, window)
