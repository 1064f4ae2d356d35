"""Nonlinearity and flickering tests over TimeSeries rows (issue 8).

* :func:`ch_test`: rolling conditional heteroskedasticity (Seekell, Carpenter & Pace 2011): the R^2 of
  the squared AR(p) residuals on their lag against chi2_1(1 - alpha) / (L - 1). Its R^2 is also the
  registered rolling indicator ``conditional_heteroskedasticity``.
* :func:`bds_test`: the BDS test of independence (Brock, Dechert, Scheinkman & LeBaron 1996) on first
  differences, ARMA residuals and GARCH-standardised residuals, with normal and bootstrap p-values.
* :func:`ddj`: drift-diffusion-jump nonparametrics (Carpenter & Brock 2011; Bandi & Nguyen 2003;
  Johannes 2004): kernel conditional moments M1, M2, M4, M6 of the increments on a state grid, with the
  drift, diffusion, jump intensity and total variance, and their time courses.

Each returns a result holding arrays, with ``.table()`` (tidy) and ``.to_xarray()``; each row of the
input is one series.
"""
from ._bds import BDSResult, bds_statistics, bds_test, check_epsilon, check_max_dim, stage_seed
from ._ch import ConditionalHeteroskedasticityResult, ch_test
from ._ddj import DDJResult, ddj

__all__ = ["bds_test", "BDSResult", "ch_test", "ConditionalHeteroskedasticityResult", "ddj", "DDJResult"]
