"""The default LSN form's bootstrap test keeps its level on OU nulls (a loose, seconds-long version of
validation/likelihood_form.py; the full study and its numbers are in docs/likelihood.md)."""
import inspect

import numpy as np
from scipy.stats import binom

from ews import likelihood as L


def test_default_form_is_calibrated_on_ou_nulls():
    default = inspect.signature(L.lr_test).parameters["form"].default
    R, n, phi = 60, 30, 0.7
    rng = np.random.default_rng(20261204)
    X = np.empty((R, n))
    X[:, 0] = 10 + rng.standard_normal(R)
    for k in range(1, n):
        X[:, k] = 10 + phi * (X[:, k - 1] - 10) + np.sqrt(1 - phi**2) * rng.standard_normal(R)
    res = L.lr_test(np.arange(n, dtype=float), X, n_boot=19, seed=7, power=False)
    assert res.form == default
    # B = 19: "p <= 0.05" means D_obs above all 19 bootstrap deviances, an exact 5 % test when the
    # bootstrap null is right, so the number of rejections is Binomial(60, 0.05) (mean 3). Fail
    # only beyond its 99.9 % quantile (9): a test rejecting 20 % of true nulls fails with
    # probability 0.79. Under the null P(p <= 0.5) = 0.5, so fewer than 15 of 60 has probability
    # 7e-5.
    rejections = int(np.sum(res.p_value <= 0.05))
    assert rejections <= binom.ppf(0.999, R, 0.05), rejections
    # and the p-values are not piled up at 1 either (a test that never rejects is no test)
    assert np.mean(res.p_value <= 0.5) > 0.25
