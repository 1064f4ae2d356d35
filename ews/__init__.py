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
