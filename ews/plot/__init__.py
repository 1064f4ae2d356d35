"""Figures for every ews result (matplotlib; imported lazily, never by the core).

Every function takes a result object and returns a :class:`matplotlib.figure.Figure`; nothing calls
``plt.show()`` and nothing is saved unless the caller saves it (``fig.savefig("fig.png")``). The result
objects have a ``.plot(**kwargs)`` method that calls the function below (attached by ``ews/__init__.py``,
so the core modules never import matplotlib).

=========================  ===============================================  =============================
function                   draws                                            ``.plot()`` of
=========================  ===============================================  =============================
``plot_pipeline``          the standard figure: state and trend, residuals,  ``PipelineResult``
                           one panel per indicator (window bar, tau)
``plot_indicators``        the indicators alone                             ``IndicatorResult``
``plot_series``            replicates with the transition and the ramped    ``TimeSeries``
                           parameter marked (simulations)
``plot_surrogate_test``    null distribution per indicator, observed         ``SurrogateTestResult``
                           statistic and p marked
``plot_sensitivity``       heatmaps of tau and p over window x bandwidth    (a Dataset: call the function)
``plot_lr_test``           null and test deviance distributions, observed   ``LikelihoodRatioTest``
                           deviance, ROC curve
``plot_roc``               ROC curve with its AUC                           ``ROCResult``
``plot_potential``         potential landscape (position x state), wells    ``PotentialResult``
``plot_ch_test``           rolling R² against its critical value, AR order  ``ch_test`` result
``plot_ddj``               drift, diffusion, jumps, total variance vs state ``DDJResult``
``plot_bds``               BDS statistic per stage against m, per ε         ``BDSResult``
=========================  ===============================================  =============================
"""
from __future__ import annotations

import importlib

_WHERE = {
    "plot_pipeline": "._pipeline",
    "plot_indicators": "._pipeline",
    "plot_series": "._pipeline",
    "plot_surrogate_test": "._significance",
    "plot_sensitivity": "._significance",
    "plot_lr_test": "._likelihood",
    "plot_roc": "._likelihood",
    "plot_potential": "._potential",
    "plot_ch_test": "._nonlinear",
    "plot_ddj": "._nonlinear",
    "plot_bds": "._nonlinear",
}

__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module 'ews.plot' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_WHERE))
