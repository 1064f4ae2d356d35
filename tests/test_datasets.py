"""Tests of ews.datasets: the canonical simulated series load as TimeSeries with their ground truth."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ews.datasets as datasets
import ews.simulate as simulate
from ews._errors import InputError

ROOT = Path(__file__).resolve().parent.parent


def test_one_dataset_per_model():
    names = set(datasets.names())
    assert {"fold", "fold_null", "saddle_node", "double_well", "noise_induced", "flickering", "chaotic_crisis",
            "rate_induced", "hopf", "rosenzweig_macarthur", "transcritical", "smooth_response", "ou",
            "birth_death", "may_map"} <= names


def test_total_size_is_small():
    total = sum(p.stat().st_size for p in (ROOT / "datasets").glob("*.*") if p.suffix in (".csv", ".json"))
    assert total < 2 * 1024 * 1024


@pytest.mark.parametrize("name", ["fold", "hopf", "birth_death", "ou", "rate_induced"])
def test_load_returns_timeseries_with_ground_truth(name):
    ts = datasets.load(name)
    ds = ts.to_xarray()
    meta = json.loads((datasets.path() / f"{name}.json").read_text())
    assert ts.ground_truth == meta["ground_truth"]
    assert ds["state"].dims[0] == "replicate" and ds["state"].dims[-1] == "time"
    assert ds.sizes["replicate"] == meta["replicates"]
    tt = ds["transition_time"].values
    assert [None if np.isnan(v) else v for v in tt] == meta["transition_time"]
    if meta["parameter"]:
        assert ts.attrs["parameter"] == meta["parameter"]
        assert ds[meta["parameter"]].dims == ("time",)


def test_fold_is_the_readme_example():
    ts = datasets.load("fold")
    assert ts.n == 1001 and ts.shape[0] == 5
    gt = ts.ground_truth
    assert gt["bifurcation"] == "fold" and gt["bifurcation_value"] == pytest.approx(2.6044, abs=1e-4)
    cropped = ts.before_transition()
    assert np.all(cropped.lengths < ts.n)


@pytest.mark.parametrize("name", ["fold", "hopf", "may_map"])
def test_stored_series_are_reproduced_by_their_recorded_call(name):
    """The files are what the recorded seeded call produces (values written with 10 significant digits)."""
    meta = json.loads((datasets.path() / f"{name}.json").read_text())
    call = meta["call"]
    assert call.startswith("ews.simulate(")
    fresh = eval(call, {"ews": type("E", (), {"simulate": staticmethod(simulate)})})  # noqa: S307
    stored = datasets.load(name)
    np.testing.assert_allclose(stored.values, fresh.values, rtol=1e-9, atol=1e-12)


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(InputError, match="available: .*fold"):
        datasets.load("nope")


def test_generate_script_is_reproducible(tmp_path):
    """generate.py writes byte-identical files for a dataset (seeded)."""
    code = (
        "import sys; sys.path.insert(0, %r); "
        "import importlib.util as u; s = u.spec_from_file_location('g', %r); g = u.module_from_spec(s); "
        "s.loader.exec_module(g); import ews.simulate as S; from ews.datasets import _write; "
        "d, m, kw = g.DATASETS['ou']; _write(S(m, **kw), 'ou', %r, 'x', d)"
    ) % (str(ROOT), str(ROOT / "datasets" / "generate.py"), str(tmp_path))
    subprocess.run([sys.executable, "-c", code], check=True)
    assert (tmp_path / "ou.csv").read_bytes() == (ROOT / "datasets" / "ou.csv").read_bytes()
