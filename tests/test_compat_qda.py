"""R earlywarnings ``qda_ews``: the indicators R returns (to 1e-9), the surrogate p-values R prints (in
distribution: R's RNG is not reproduced), and the moving potential of column 1 (R's bug included)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ews import InputError
from ews.compat import earlywarnings as ew

R = Path(__file__).parent / "data" / "earlywarnings"


@pytest.fixture(scope="module")
def devfold():
    return pd.read_csv(R / "data_devfold.csv")["y"].to_numpy()


def test_qda_indicators_match_R(devfold):
    ref = pd.read_csv(R / "qda_ews__devfold__boots10_seed1__indicators.csv")
    res = ew.qda_ews(devfold, boots=10, seed=1)
    got = res.indicators
    assert list(got.columns) == ["timeindex", "ar1", "sd"]
    assert np.array_equal(got["timeindex"].to_numpy(), ref["timeindex"].to_numpy())
    for c in ("ar1", "sd"):
        np.testing.assert_allclose(got[c].to_numpy(), ref[c].to_numpy(), rtol=1e-9, atol=0)
    # generic_RShiny's ar1 and sd are generic_ews's (same preprocessing, same estimators)
    gen = ew.generic_ews(devfold).table
    np.testing.assert_allclose(got["ar1"], gen["ar1"], rtol=1e-12)
    np.testing.assert_allclose(got["sd"], gen["sd"], rtol=1e-12)


def test_qda_pvalues_match_R_in_distribution(devfold):
    """R printed p = 0.1 for both indicators: its observed tau was above all 10 surrogate taus
    ((10 + 1 - 10)/10). ews draws from another generator, so compare in distribution: with 2,000
    surrogates, q = P(tau_surrogate >= tau_orig) is estimated, and R's outcome must be plausible,
    P(all 10 below) = (1 - q)^10 > 0.05. R's formula and ews's must agree with the counts."""
    printed = (R / "qda_ews__devfold__boots10_seed1__pvalues.txt").read_text()
    assert "autocorrelation p =  0.1" in printed and "variance p =  0.1" in printed
    res = ew.qda_ews(devfold, boots=2000, seed=5)
    t = res.trends.set_index("indicator")
    for k in ("ar1", "variance"):
        above = int(np.sum(res.tau_surrogates[k] >= t.loc[k, "tau_orig"]))
        assert t.loc[k, "p_R"] == pytest.approx((1 + above) / 2000)
        assert t.loc[k, "p_ews"] == pytest.approx((1 + above) / 2001)
        q = above / 2000
        assert (1 - q) ** 10 > 0.05, (k, q)
    assert t.loc["variance", "p_ews"] < 0.05  # the variance trend of devfold is strong


def test_qda_surrogates_match_surrogates_ews(devfold):
    """surrogates_RShiny is surrogates_ews for ar1 and var on the same surrogates: same tau_orig, same
    ARMA null, and (same seed) the same surrogate taus for ar1; var has the taus of sd (monotone)."""
    res = ew.qda_ews(devfold, boots=20, seed=3)
    s_ar1 = ew.surrogates_ews(devfold, indicator="ar1", boots=20, seed=3)
    s_sd = ew.surrogates_ews(devfold, indicator="sd", boots=20, seed=3)
    t = res.trends.set_index("indicator")
    assert t.loc["ar1", "tau_orig"] == pytest.approx(s_ar1.tau_orig, abs=1e-14)
    assert t.loc["variance", "tau_orig"] == pytest.approx(s_sd.tau_orig, abs=1e-14)
    assert (res.arma["p"], res.arma["q"]) == (s_ar1.arma["p"], s_ar1.arma["q"])
    np.testing.assert_allclose(res.tau_surrogates["ar1"], s_ar1.tau_surrogates, atol=1e-14)
    np.testing.assert_allclose(res.tau_surrogates["variance"], s_sd.tau_surrogates, atol=1e-14)


def test_qda_potential_is_movpotential_of_column_one(devfold):
    res = ew.qda_ews(devfold, boots=5, seed=0, grid_size=30)
    direct = ew.movpotential_ews(devfold, None, detection_threshold=0.002, grid_size=30, plot_cutoff=0.05)
    np.testing.assert_allclose(np.asarray(res.potential.pots), np.asarray(direct.pots), rtol=1e-12)
    # two columns: R hands the TIME column to movpotential_ews (reproduced)
    two = np.column_stack([np.arange(1.0, len(devfold) + 1), devfold])
    res2 = ew.qda_ews(two, boots=5, seed=0, grid_size=30)
    of_time = ew.movpotential_ews(two[:, 0], None, detection_threshold=0.002, grid_size=30, plot_cutoff=0.05)
    np.testing.assert_allclose(np.asarray(res2.potential.pots), np.asarray(of_time.pots), rtol=1e-12)


def test_qda_bad_input(devfold):
    with pytest.raises(InputError, match="loess"):
        ew.qda_ews(devfold, detrending="loess")
    with pytest.raises(InputError, match="winsize"):
        ew.qda_ews(devfold, winsize=0)
    with pytest.raises(InputError, match="boots"):
        ew.qda_ews(devfold, boots=0)
