"""Shared helpers of the figure modules: matplotlib import with a clear message, one look for all figures."""
from __future__ import annotations

from .._errors import InputError

#: colours of the indicators, in registry order of first use (colour-blind safe, Okabe & Ito 2008)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
STATE = "#333333"
TREND = "#D55E00"
NULL = "#999999"


def pyplot():
    """``matplotlib.pyplot``, or an InputError naming the fix when matplotlib is missing."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError("figures need matplotlib: pip install 'ews-toolkit[plot]' (or pip install matplotlib).") from None
    return plt


def figure(nrows: int = 1, ncols: int = 1, *, width: float = 7.0, row_height: float = 1.8, sharex=False, **kw):
    """A new Figure and its axes (always a 2-D array of axes), sized for a paper column."""
    plt = pyplot()
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, max(2.4, row_height * nrows)), sharex=sharex,
                             squeeze=False, layout="constrained", **kw)
    return fig, axes
