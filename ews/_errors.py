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
