"""Model-based early-warning test: Ornstein-Uhlenbeck null against a linearised saddle-node.

Boettiger & Hastings (2012) replace "does an indicator trend upwards?" by a likelihood-ratio test
between two explicit stochastic models fitted to the series itself.  Every function here takes an
:class:`ews.TimeSeries` (or anything it accepts: numpy, pandas, xarray; or the shorthand ``(t, x)``)
and works on **every row** (replicates, series, grid cells) in one batched numba call; results hold
arrays over the rows (plain numbers for a single series) and build tables on demand
(``.summary()``, ``.to_xarray()``).

**OU (null, no approach to a bifurcation)**, parameters ``a, theta, sigma``::

    dX = a (theta - X) dt + sigma dW

with the exact Gaussian transition density over any step ``dt`` (uneven sampling allowed)::

    X(t+dt) | X(t) = x0  ~  N( theta + (x0 - theta) e^{-a dt},  sigma^2 (1 - e^{-2 a dt}) / (2 a) ).

**LSN (linearised saddle-node)**, parameters ``R0, m, theta, sigma``: the normal form
``dx = (r - (x - theta)^2) dt`` linearised around its stable point ``theta + sqrt(r)`` while the
bifurcation parameter drifts linearly, ``R(t) = R0 + m t`` (``t`` in the units and origin of the
data), noise intensity ``sigma^2 (sqrt(R) + theta)``.  Transition moments (``E(t0) = x0``,
``V(t0) = 0``)::

    legacy     (default):  dE/dt = 2 sqrt(R) (sqrt(R) + theta - E)
    consistent          :  dE/dt =   sqrt(R) (sqrt(R) + theta - E)
    both                :  dV/dt = -2 sqrt(R) V + sigma^2 (sqrt(R) + theta)

"legacy" is what the published software (R package ``earlywarning``, ``LSN()``) integrates; it
matches no single linear SDE.  "consistent" is the exact moment system of
``dX = sqrt(R) (sqrt(R) + theta - X) dt + sigma sqrt(sqrt(R) + theta) dW`` and nests the OU
(``m = 0``).  The choice of the default is argued from a calibration and power study in
``docs/likelihood.md`` (``validation/likelihood_form.py``).

The log-likelihood conditions on the first observation (as the published software)::

    l = sum_{k=1}^{n-1} log phi( x_k ; E_k(x_{k-1}), V_k ).

The test statistic is the deviance ``D = -2 (l_OU - l_LSN)``; its null distribution comes from a
parametric bootstrap (:func:`lr_test`); the p-value is the shared :func:`ews.pvalues.pvalue`.

Modules: :mod:`._core` (the door, constants, kernel calls), :mod:`.fitting` (:func:`fit`,
:func:`loglik`, :func:`evaluate`, :class:`ModelFit`), :mod:`.lrtest` (:func:`lr_test`,
:class:`LikelihoodRatioTest`); the numba kernels are in :mod:`ews._kernels.likelihood`.

Reference
---------
Boettiger, C. & Hastings, A. (2012). Quantifying limits to detection of early warning for critical
transitions. J. R. Soc. Interface 9, 2527-2539. doi:10.1098/rsif.2012.0125.  Software:
github.com/cboettig/earlywarning.
"""
from ._core import FORMS, METHODS, MIN_POINTS, MODELS, PARAMETERS
from . import fitting
from .fitting import ModelFit, evaluate, fit, loglik
from .lrtest import LikelihoodRatioTest, lr_test

__all__ = ["fit", "loglik", "evaluate", "lr_test", "ModelFit", "LikelihoodRatioTest", "MODELS",
           "FORMS", "METHODS", "PARAMETERS", "MIN_POINTS"]
