"""Small argument checks shared by the public functions (validation happens once, at the door).

Each raises :class:`ews.InputError` with a message that names the argument, what it got and what it
needs. Values are shown without numpy 2's type wrappers (``1``, not ``np.int64(1)``).
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ._errors import InputError


def show(value) -> str:
    """repr() for messages: numpy scalars as plain Python values."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def check_count(n, what: str) -> int:
    """A positive whole number (bools refused)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise InputError(f"{what} must be a positive whole number, got {show(n)}.")
    return int(n)


def check_choice(value, choices, what: str):
    """``value`` must be one of ``choices``."""
    try:
        ok = value in choices
    except TypeError:  # unhashable
        ok = False
    if not ok:
        raise InputError(f"{what} must be one of {tuple(choices)}, got {show(value)}.")
    return value


def check_positive(value, what: str) -> float:
    """A finite positive real number (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (math.isfinite(value) and value > 0):
        raise InputError(f"{what} must be a positive number, got {show(value)}.")
    return value


def check_bool(value, what: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{what} must be True or False, got {show(value)}.")
    return bool(value)
