"""Tests of ews.roc: ROC curves, Mann-Whitney AUC and the legacy earlywarning::roc_data rule."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ews import InputError
from ews.roc import roc


def _brute_force_auc(null, test):
    null = np.asarray(null, float)[:, None]
    test = np.asarray(test, float)[None, :]
    return float(np.mean((test > null) + 0.5 * (test == null)))


@pytest.fixture(scope="module")
def reference(request):
    import os
    from pathlib import Path

    base = Path(os.environ.get("EWS_DATA_DIR", Path(__file__).resolve().parents[2] / "shared"
                               / "datasets")) / "cboettig_earlywarning"
    if not (base / "reference_roc_ibm_critical.csv").exists():
        pytest.skip(f"reference data not found in {base} (set EWS_DATA_DIR)")
    boot = pd.read_csv(base / "reference_lr_bootstrap_ibm_critical.csv", keep_default_na=False)
    return {
        "null": boot.loc[boot.simulation == "null_ou", "value"].to_numpy(float),
        "test": boot.loc[boot.simulation == "test_lsn", "value"].to_numpy(float),
        "roc": pd.read_csv(base / "reference_roc_ibm_critical.csv"),
    }


def test_reference_deviances_reproduce_the_published_roc(reference):
    r = roc(reference["null"], reference["test"])
    assert r.auc == pytest.approx(0.881596, abs=1e-9)                  # Mann-Whitney
    assert r.auc == pytest.approx(_brute_force_auc(reference["null"], reference["test"]), abs=1e-12)
    assert round(r.legacy_auc, 3) == 0.879                              # the package's rule
    assert r.legacy_auc == pytest.approx(0.8789874474, abs=1e-9)
    assert r.auc_trapezoid == pytest.approx(r.auc, abs=1e-12)           # full curve
    lg = roc(reference["null"], reference["test"], legacy=True)
    ref = reference["roc"]
    np.testing.assert_allclose(lg.thresholds, ref["Threshold"], rtol=0, atol=1e-7)
    np.testing.assert_array_equal(lg.fpr, ref["False.positives"])
    np.testing.assert_array_equal(lg.tpr, ref["True.positives"])
    assert round(lg.auc_trapezoid, 3) == 0.877                          # trapezoid on the grid
    assert lg.legacy_auc == r.legacy_auc and lg.auc == r.auc


def test_identical_distributions_give_half_and_separated_give_one():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=4000), rng.normal(size=4000)
    assert roc(a, b).auc == pytest.approx(0.5, abs=0.02)
    assert roc(a, a).auc == 0.5                       # every pair tied with itself half the time
    assert roc(np.ones(10), np.ones(7)).auc == 0.5    # all ties count 1/2
    assert roc(rng.normal(size=50), 10 + rng.normal(size=60)).auc == 1.0
    assert roc(10 + rng.normal(size=50), rng.normal(size=60)).auc == 0.0
    r = roc(rng.normal(size=50), 10 + rng.normal(size=60))
    assert r.auc_trapezoid == 1.0 and r.tpr_at(0.0) == 1.0


def test_full_curve_shape():
    r = roc([0.1, 0.4, 0.35, 0.8], [0.9, 0.4, 0.7, 1.2])
    assert (r.fpr[0], r.tpr[0]) == (0.0, 0.0) and (r.fpr[-1], r.tpr[-1]) == (1.0, 1.0)
    assert np.isinf(r.thresholds[0]) and np.all(np.diff(r.thresholds) < 0)
    assert np.all(np.diff(r.fpr) >= 0) and np.all(np.diff(r.tpr) >= 0)
    assert r.auc == pytest.approx(13.5 / 16)
    # the tie at 0.4 moves both rates at once: a diagonal step
    k = int(np.flatnonzero(r.thresholds == 0.4)[0])
    assert (r.fpr[k] - r.fpr[k - 1], r.tpr[k] - r.tpr[k - 1]) == (0.25, 0.25)
    df = r.to_pandas()
    assert list(df.columns) == ["threshold", "fpr", "tpr"] and len(df) == r.fpr.size
    assert r.summary()["auc"].iloc[0] == r.auc
    assert r.to_xarray().attrs["auc"] == r.auc


def test_legacy_grid_uses_strict_inequality_and_n_thresholds():
    null = [0.0, 1.0, 2.0, 3.0]
    test = [1.0, 2.0, 3.0, 4.0]
    lg = roc(null, test, legacy=True, n_thresholds=5)
    np.testing.assert_allclose(lg.thresholds, [0, 1, 2, 3, 4])
    np.testing.assert_allclose(lg.fpr, [0.75, 0.5, 0.25, 0, 0])
    np.testing.assert_allclose(lg.tpr, [1, 0.75, 0.5, 0.25, 0])


def test_legacy_area_is_nan_when_r_approx_would_fail():
    # a single distinct FPR value on the grid: R's approx() stops with an error
    r = roc([1.0, 1.0], [1.0, 9.0])       # null never above any grid threshold: FPR = 0 only
    assert np.isnan(r.legacy_auc)
    assert r.auc == 0.75


@pytest.mark.parametrize("null,test,match", [
    ([1.0, np.nan, 2.0], [1.0, 2.0], "null_stats contains 1 NaN"),
    ([1.0, 2.0], [np.inf, 2.0], "test_stats contains 1 NaN or infinite"),
    ([], [1.0], "empty"),
    (["a", "b"], [1.0], "numbers"),
])
def test_bad_inputs_raise_input_error(null, test, match):
    with pytest.raises(InputError, match=match):
        roc(null, test)


def test_bad_n_thresholds():
    with pytest.raises(InputError, match="n_thresholds"):
        roc([1.0, 2.0], [3.0, 4.0], n_thresholds=1)
    with pytest.raises(InputError, match="fpr"):
        roc([1.0, 2.0], [3.0, 4.0]).tpr_at(2.0)


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
small_ints = st.integers(-5, 5).map(float)       # many ties


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(finite, small_ints), min_size=1, max_size=40),
       st.lists(st.one_of(finite, small_ints), min_size=1, max_size=40))
def test_properties_against_brute_force(null, test):
    r = roc(null, test)
    assert r.auc == pytest.approx(_brute_force_auc(null, test), abs=1e-12)
    assert r.auc_trapezoid == pytest.approx(r.auc, abs=1e-12)
    assert roc(test, null).auc == pytest.approx(1.0 - r.auc, abs=1e-12)
    assert 0.0 <= r.legacy_auc <= 1.0 + 1e-12 or np.isnan(r.legacy_auc)
