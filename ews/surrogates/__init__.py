r"""Null models for surrogate tests: a registry of ``fit(ts) -> FittedNull`` and ``draw(n, seed)``.

A null model describes what a series looks like *without* a warning signal. Fitting it to a
:class:`~ews.TimeSeries` estimates its parameters separately for every row (series, replicate, grid
cell ...); drawing from the fitted model returns a TimeSeries with a leading ``surrogate`` dimension,
dims ``("surrogate", <the data's leading dims>..., "time")``, on the data's time axis. Ragged rows
(see :attr:`ews.TimeSeries.lengths`) are fitted on their valid points and drawn with the same lengths.

>>> import numpy as np, ews
>>> x = np.random.default_rng(0).standard_normal(300)
>>> fitted = ews.surrogates.get("ar1").fit(x)
>>> fitted.draw(5, seed=1).dims
('surrogate', 'time')

Models (``ews.surrogates.table()`` lists them)
--------------------------------------------------
``ar1``
    Red noise fitted by conditional least squares on the row's mean-removed values
    :math:`z_t = x_t - \bar x`: :math:`\hat\phi = \sum_{t\ge 2} z_t z_{t-1} / \sum_{t\le L-1} z_t^2` (the
    ``ar1`` indicator's estimator), innovation variance
    :math:`\hat\sigma^2 = \sum_{t\ge2}(z_t - \hat\phi z_{t-1})^2/(L-1)`. Surrogates
    :math:`x_t = \bar x + \hat\phi (x_{t-1} - \bar x) + \hat\sigma \varepsilon_t` start in the stationary
    distribution :math:`N(\bar x, \hat\sigma^2/(1-\hat\phi^2))`, so there is no burn-in transient.
    :math:`|\hat\phi|` is capped at ``max_phi`` (0.999, with a warning).
``arma``
    The ARMA(p, q) with constant that minimises the AIC over :math:`0 \le p \le` ``max_p``,
    :math:`0 \le q \le` ``max_q`` (default 4 and 4, p = q = 0 included), each fitted by exact Gaussian
    maximum likelihood with statsmodels (``ARIMA(order=(p, 0, q), trend="c")``, innovations MLE,
    stationarity and invertibility enforced). Surrogates follow
    :math:`y_t = \sum_j \phi_j y_{t-j} + \varepsilon_t + \sum_j \theta_j \varepsilon_{t-j}`,
    :math:`x_t = \mu + y_t`, simulated in state-space form from an initial state drawn from its exact
    stationary distribution (covariance :math:`Q = TQT' + RR'`), then a burn-in of
    :math:`\min(1000, p + q + \lceil 6/\log \rho\rceil)` steps, :math:`\rho` the smallest modulus of the
    AR polynomial's roots (R's ``arima.sim`` rule, capped: from a stationary start it only adds safety,
    whereas from zeros, as in R, a near-unit root needs hundreds of thousands of steps).
``phase``
    Fourier phase randomisation (Theiler et al. 1992): :math:`X_k = \mathrm{rfft}(x)_k`, surrogate
    :math:`\mathrm{irfft}(X_k e^{i\varphi_k})` with independent :math:`\varphi_k \sim U(0, 2\pi)` for
    :math:`1 \le k < L/2`; the mean (:math:`k = 0`) is kept and, for even :math:`L`, the Nyquist term
    :math:`k = L/2` is kept as it is (real). The periodogram :math:`|X_k|^2` is preserved exactly (to
    rounding), hence the autocovariance; the distribution becomes Gaussian.
``aaft``
    Amplitude-adjusted Fourier transform (Theiler et al. 1992): rank-order Gaussian noise like the data,
    phase-randomise it, then give the data's values the ranks of the result. The surrogate is a
    permutation of the data (its sorted values equal the data's exactly).
``iaaft``
    Iterative AAFT (Schreiber & Schmitz 1996): from a random shuffle, alternate (i) imposing the data's
    Fourier amplitudes :math:`|X_k|` keeping the current phases and (ii) rank-ordering the data's values
    like the result, until the ranks stop changing, the relative spectral misfit
    :math:`\lVert |S_k| - |X_k| \rVert / \lVert X_k \rVert` improves by less than ``tol`` (relative), or
    ``max_iter`` iterations. Returned after step (ii): a permutation of the data.
``block_bootstrap``
    Moving-block bootstrap (Kuensch 1989; blocks of ``block_length`` consecutive values starting
    uniformly at random) or stationary bootstrap (Politis & Romano 1994; ``kind="stationary"``,
    circular, geometric block lengths with mean ``block_length``). Default block length
    :math:`\lceil L^{1/3}\rceil`. Every value is one of the data's.
``shuffle``
    A random permutation of the values (white-noise null: destroys all serial dependence).

Randomness
----------
``draw(n, seed, offset=0)``: surrogate ``s`` of data row ``r`` (R data rows) is output row
``i = s * R + r`` and uses the stream of global row ``offset * R + i`` of ``seed`` (see
:mod:`ews._random`), so a draw of surrogates 0..999 equals the concatenation of draws of 0..499 and
500..999 with ``offset=500``, on any number of threads.

References
----------
Theiler, J., Eubank, S., Longtin, A., Galdrikian, B. and Farmer, J. D. (1992). Testing for
nonlinearity in time series: the method of surrogate data. *Physica D* 58, 77-94.
Schreiber, T. and Schmitz, A. (1996). Improved surrogate data for nonlinearity tests. *Phys. Rev.
Lett.* 77, 635-638.
Kuensch, H. R. (1989). The jackknife and the bootstrap for general stationary observations. *Ann.
Stat.* 17, 1217-1241.
Politis, D. N. and Romano, J. P. (1994). The stationary bootstrap. *JASA* 89, 1303-1313.
Dakos, V. et al. (2012). Methods for detecting early warnings of critical transitions in time series
illustrated using simulated ecological data. *PLoS ONE* 7, e41010 (ARMA surrogates for EWS).
"""
from __future__ import annotations

from .._errors import InputError
from ..series import TimeSeries
from ._base import REGISTRY, SURROGATE, FittedNull, NullModel

register, names, table = REGISTRY.register, REGISTRY.names, REGISTRY.table

# the models register themselves in this order (ar1 first: the default)
from ._linear import AR1, ARMA  # noqa: E402
from ._fourier import AAFT, IAAFT, Phase, iaaft_iterate  # noqa: E402
from ._resample import BlockBootstrap, Shuffle  # noqa: E402
from .arma import fit_ar1_rows, fit_arma_row  # noqa: E402


def get(null="ar1", **params) -> NullModel:
    """A null model from a name and keyword parameters (a NullModel object passes through)."""
    if isinstance(null, NullModel):
        if params:
            raise InputError(f"parameters {sorted(params)} given with a null model object; put them in the object.")
        return null
    return REGISTRY.get(null).with_params(**params)


def generate(data, null="ar1", n: int = 100, seed=None, **params) -> TimeSeries:
    """Fit ``null`` to ``data`` and draw ``n`` surrogates of every row (dims ``("surrogate", ..., "time")``).

    Examples
    --------
    >>> import numpy as np, ews
    >>> x = np.random.default_rng(0).standard_normal(128)
    >>> s = ews.surrogates.generate(x, "shuffle", n=3, seed=0)
    >>> bool(np.all(np.sort(s.values, axis=-1) == np.sort(x)))
    True
    """
    return get(null, **params).fit(data).draw(n, seed)


__all__ = ["NullModel", "FittedNull", "REGISTRY", "SURROGATE", "register", "names", "table", "get", "generate",
           "AR1", "ARMA", "Phase", "AAFT", "IAAFT", "BlockBootstrap", "Shuffle", "fit_ar1_rows", "fit_arma_row",
           "iaaft_iterate"]

# Names that lived in the single-module ews.surrogates before it became a package: still importable
# from here, with a DeprecationWarning naming their new home.
_MOVED = {"arma_burn_in": "ews.surrogates.arma", "arma_state_factor": "ews.surrogates.arma",
          "arma_draw_arrays": "ews.surrogates.arma", "fast_row_states": "ews._random",
          "row_states": "ews._random", "seed_sequence": "ews._random"}


def __getattr__(name):
    if name in _MOVED:
        import importlib
        import warnings

        warnings.warn(f"ews.surrogates.{name} moved to {_MOVED[name]}.{name}; import it from there.",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module 'ews.surrogates' has no attribute {name!r}")
