"""Surrogate and bootstrap p-values: one definition for every test in ews.

p = (1 + #{T_b >= T_obs}) / (B' + 1) for ``"greater"`` (``<=`` for ``"less"``; the doubled smaller tail,
capped at 1, for ``"two-sided"``), B' the number of finite null statistics. Ties count against the
signal, and the smallest attainable p is 1 / (B' + 1), so P(p <= alpha) <= alpha under the null
(Davison & Hinkley 1997, ch. 4; Phipson & Smyth 2010). Used by the surrogate tests
(:mod:`ews.significance`) and the likelihood-ratio bootstrap (:mod:`ews.likelihood`).
"""
from __future__ import annotations

import numpy as np

from ._errors import InputError

ALTERNATIVES = ("greater", "less", "two-sided")


def pvalue(observed, null, alternative: str = "greater", axis: int = 0):
    r"""Surrogate p-value(s) of ``observed`` against the null sample ``null``.

    Parameters
    ----------
    observed : float or array
        Observed statistic(s); broadcast against ``null`` with ``axis`` removed.
    null : array
        Null statistics; NaNs are ignored (they reduce B).
    alternative : {"greater", "less", "two-sided"}
        See the module docstring: ``(1 + #{T_b >= T}) / (B + 1)``, ``(1 + #{T_b <= T}) / (B + 1)``,
        or ``min(1, 2 min(p_greater, p_less))``.
    axis : int
        Axis of ``null`` holding the surrogates.

    Returns
    -------
    p : float or array
        NaN where ``observed`` is NaN or no null statistic is finite.

    Examples
    --------
    >>> from ews.pvalues import pvalue
    >>> float(pvalue(2.0, [0.0, 1.0, 2.0, 3.0]))
    0.6
    >>> float(pvalue(2.0, [0.0, 1.0, 2.0, 3.0], "two-sided"))
    1.0
    """
    if alternative not in ALTERNATIVES:
        raise InputError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}.")
    null = np.moveaxis(np.asarray(null, dtype=float), axis, 0)
    obs = np.asarray(observed, dtype=float)
    finite = np.isfinite(null)
    nb = finite.sum(axis=0)
    with np.errstate(invalid="ignore"):
        ge = np.sum(finite & (null >= obs), axis=0)
        le = np.sum(finite & (null <= obs), axis=0)
        pg = (1.0 + ge) / (nb + 1.0)
        pl = (1.0 + le) / (nb + 1.0)
    if alternative == "greater":
        p = pg
    elif alternative == "less":
        p = pl
    else:
        p = np.minimum(1.0, 2.0 * np.minimum(pg, pl))
    p = np.where(np.isfinite(obs) & (nb > 0), p, np.nan)
    return p if p.ndim else float(p)
