"""Exceptions and warnings raised by ews.

Every problem with user input is reported once, at the door, as an :class:`InputError` whose message
names the problem and the fix. Kernels never see unchecked input.
"""


class InputError(ValueError):
    """Invalid input to an ews function. The message says what is wrong and how to fix it."""


class EWSWarning(UserWarning):
    """Base class of the warnings ews emits."""


class DegenerateWindowWarning(EWSWarning, RuntimeWarning):
    """Some windows are constant (zero variance): the indicators there are NaN."""


class OverlappingWindowsWarning(EWSWarning):
    """A textbook p-value was computed on a rolling indicator.

    Overlapping windows make consecutive indicator values strongly dependent, so the textbook
    Kendall/Spearman p-value (which assumes independent observations) is far too small. Use a
    surrogate test for the significance of a trend in a rolling indicator.
    """


class PrecisionWarning(EWSWarning, RuntimeWarning):
    """The numbers cannot be trusted to the precision the analysis needs.

    Raised when integers beyond 2**53 lose digits on conversion to float64, or when the residuals
    after detrending are within rounding error of the state (a bandwidth below one sample, or a series
    that varies less than float64 resolves at its level): the indicators would then describe rounding
    noise. The message names the fix.
    """


class FewValuesWarning(EWSWarning, RuntimeWarning):
    """The window leaves fewer than 3 indicator values per series, so a trend statistic is NaN (one
    value) or +-1 by construction (two values). Use a smaller window."""
