"""Parity with the field's reference tools, on the numbers in tests/data (computed by the real tools).

R earlywarnings 1.1.29 generic_ews: within 1e-9 relative (1e-6 for loess), Kendall taus included.
ewstools 2.1.3: residuals, indicators and Kendall taus within 1e-8 with ewstools-equivalent settings.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ews
from ews.compat.earlywarnings import generic_ews

DATA = Path(__file__).parent / "data"
R = DATA / "earlywarnings"
E = DATA / "ewstools"

R_CALLS = {
    "devfold__default": dict(),
    "devfold__w25_no": dict(winsize=25),
    "devfold__w50_no_logtransform": dict(logtransform=True),
    "devfold__w50_linear": dict(detrending="linear"),
    "devfold__w50_firstdiff": dict(detrending="first-diff"),
    "devfold__w50_gaussian_bw10": dict(winsize=50, detrending="gaussian", bandwidth=10),
    "devfold__w50_gaussian_bw5": dict(winsize=50, detrending="gaussian", bandwidth=5),
    "devfold__w50_gaussian_bwdefault": dict(detrending="gaussian"),
    "devfold__w75_gaussian_bw20": dict(winsize=75, detrending="gaussian", bandwidth=20),
    "devfold__w50_loess_default": dict(detrending="loess"),
    "devfold__w50_loess_span50_deg1": dict(detrending="loess", span=50, degree=1),
    "ar1_rising_n1000__default": dict(),
    "ar1_rising_n1000__w50_gaussian_bw10": dict(winsize=50, detrending="gaussian", bandwidth=10),
}


def _input(key):
    if key.startswith("devfold"):
        return pd.read_csv(R / "data_devfold.csv")["y"].to_numpy()
    return pd.read_csv(R / "data_ar1_rising_n1000.csv")["x"].to_numpy()


@pytest.mark.parametrize("key", list(R_CALLS))
def test_generic_ews_matches_R(key):
    res = generic_ews(_input(key), **R_CALLS[key])
    rtol = 1e-6 if "loess" in key else 1e-9
    ref = pd.read_csv(R / f"generic_ews__{key}.csv")
    assert list(res.table.columns) == list(ref.columns)
    for col in ref.columns:
        np.testing.assert_allclose(res.table[col].to_numpy(), ref[col].to_numpy(), rtol=rtol, err_msg=col)
    det = pd.read_csv(R / f"generic_ews__{key}__detrended.csv")
    np.testing.assert_allclose(res.detrended["nsmY"].to_numpy(), det["nsmY"].to_numpy(), rtol=rtol, atol=1e-12)
    if "smY" in det:
        np.testing.assert_allclose(res.detrended["smY"].to_numpy(), det["smY"].to_numpy(), rtol=rtol)
    kref = pd.read_csv(R / f"generic_ews__{key}__kendall.csv").set_index("indicator")
    got = res.kendall.set_index("indicator").loc[kref.index]
    np.testing.assert_allclose(got["tau"].to_numpy(), kref["tau"].to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got["p_value"].to_numpy(), kref["p_value"].to_numpy(), rtol=1e-6)


def test_generic_ews_quirks_are_on_purpose():
    y = _input("devfold__default")
    res = generic_ews(y, winsize=50).table
    np.testing.assert_allclose(res["returnrate"], 1 / res["ar1"])  # R: 1/ar1, not 1 - ar1
    assert (res["sk"] >= 0).all()  # absolute skewness
    assert res["kurt"].mean() > 1.5  # raw, not excess kurtosis


def test_generic_ews_bad_input():
    with pytest.raises(ews.InputError, match="detrending must be one of"):
        generic_ews(np.arange(100.0), detrending="spline")
    with pytest.raises(ews.InputError, match="NaN"):
        generic_ews(np.r_[np.arange(99.0), np.nan])


EWSTOOLS_INDICATORS = ["variance", "autocorrelation", ("skewness", {"adjusted": True}), ("kurtosis", {"adjusted": True})]
EWSTOOLS_SETTINGS = {
    "gauss": dict(detrend="gaussian", bandwidth=0.2, convention="ewstools", edge="reflect"),
    "lowess": dict(detrend="lowess", span=0.2),
}


@pytest.mark.parametrize("setting", list(EWSTOOLS_SETTINGS))
@pytest.mark.parametrize("name", ["ar1_rising", "white_noise"])
def test_matches_ewstools(name, setting):
    x = pd.read_csv(E / f"input_{name}.csv")["x"].to_numpy()
    res = ews.Pipeline(window=0.5, indicators=EWSTOOLS_INDICATORS, **EWSTOOLS_SETTINGS[setting]).run(x)
    det = pd.read_csv(E / f"ewstools_{name}_{setting}_detrended.csv")
    np.testing.assert_allclose(res["trend"].values, det["smoothing"].to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(res["residuals"].values, det["residuals"].to_numpy(), rtol=1e-8, atol=1e-12)
    ind = pd.read_csv(E / f"ewstools_{name}_{setting}_ews.csv")
    for label, col in zip(res.labels, ["variance", "ac1", "skew", "kurtosis"]):
        np.testing.assert_allclose(res[label].values, ind[col].to_numpy(), rtol=1e-8, atol=1e-12, err_msg=col)
    ktau = pd.read_csv(E / f"ewstools_{name}_{setting}_ktau.csv").set_index("indicator")["ktau"]
    np.testing.assert_allclose(res.statistic.values, ktau[["variance", "ac1", "skew", "kurtosis"]].to_numpy(),
                               rtol=1e-8, atol=1e-12)
