"""Simulators of every kind of system discussed by Boettiger, Ross & Hastings (2013), with the ground truth.

``ews.simulate`` is both a function and a module::

    ts = ews.simulate("fold", replicates=10, seed=1)      # a TimeSeries (replicate, time)
    ews.simulate.models()                                 # DataFrame: name -> one-line description
    print(ews.simulate.describe("fold"))                  # equations, defaults, sources

Nothing is imported or compiled here until a simulator is first used (``import ews`` stays fast); the
numba kernels compile on first use and are cached on disk.
"""
from __future__ import annotations

import sys
import types

from ._core import Model, Ramp, describe, models, names, register, simulate

__all__ = ["simulate", "models", "names", "describe", "register", "Model", "Ramp"]


class _CallableModule(types.ModuleType):
    """Lets ``ews.simulate(...)`` call :func:`simulate` while ``ews.simulate.models()`` still works."""

    def __call__(self, name, **kwargs):
        return simulate(name, **kwargs)


_CallableModule.__call__.__doc__ = simulate.__doc__
sys.modules[__name__].__class__ = _CallableModule
