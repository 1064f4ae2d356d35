"""ews: early-warning signals of regime shifts."""
from ._errors import (InputError, EWSWarning, DegenerateWindowWarning, FewValuesWarning, OverlappingWindowsWarning,
                      PrecisionWarning)
from .series import TimeSeries
from .io import read_csv

__version__ = "0.1.0"
from . import detrend, indicators, trend
from .pipeline import Pipeline, PipelineResult, analyze
from . import datasets, simulate
from . import significance, surrogates
from .significance import SurrogateTestResult, sensitivity, surrogate_test
from . import likelihood
from . import nonlinear, potential
from .potential import PotentialResult, potential_analysis
from .roc import ROCResult, roc


def _attach_plots():
    """Give each result a ``.plot(**kwargs)`` that imports ews.plot only when called (the core never
    imports matplotlib; this facade is the one place that knows both)."""
    import importlib

    def method(func_name):
        def plot(self, **kwargs):
            return getattr(importlib.import_module("ews.plot"), func_name)(self, **kwargs)

        plot.__name__ = "plot"
        plot.__doc__ = f"Draw this result with :func:`ews.plot.{func_name}` (returns the matplotlib Figure)."
        return plot

    from .indicators import IndicatorResult
    from .likelihood import LikelihoodRatioTest

    from .nonlinear import BDSResult, ConditionalHeteroskedasticityResult, DDJResult

    for cls, func_name in ((ConditionalHeteroskedasticityResult, "plot_ch_test"), (DDJResult, "plot_ddj"),
                           (BDSResult, "plot_bds"), (PipelineResult, "plot_pipeline"), (IndicatorResult, "plot_indicators"),
                           (TimeSeries, "plot_series"), (SurrogateTestResult, "plot_surrogate_test"),
                           (LikelihoodRatioTest, "plot_lr_test"),
                           (ROCResult, "plot_roc"), (PotentialResult, "plot_potential")):
        cls.plot = method(func_name)


_attach_plots()


def __getattr__(name):
    """``ews.plot`` is imported on first use (matplotlib stays out of ``import ews``)."""
    if name == "plot":
        import importlib

        return importlib.import_module("ews.plot")
    raise AttributeError(f"module 'ews' has no attribute {name!r}")
