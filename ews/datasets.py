"""Canonical simulated series shipped with ews (one per simulator), with their ground truth.

>>> import ews.datasets
>>> ews.datasets.names()[:3]
['birth_death', 'birth_death_constant', 'chaotic_crisis']
>>> ts = ews.datasets.load("fold")          # TimeSeries (replicate, time), ground truth attached
>>> ts.ground_truth["bifurcation_value"]    # doctest: +ELLIPSIS
2.604...

The files live in the repository's ``datasets/`` folder (regenerate them with
``python datasets/generate.py``); an installed wheel carries the same folder as ``ews/_bundled``.
Each dataset is a pair ``<name>.csv`` + ``<name>.json``:

* CSV, comma-separated, one header line, one row per time point. Columns: ``time``; then the ramped
  parameter (e.g. ``c``) when the model has one; then one column per replicate and variable, named
  ``r<i>`` (univariate) or ``r<i>_<variable>`` (e.g. ``r0_x``, ``r0_y``). Values are written with 10
  significant digits.
* JSON: ``name``, ``model``, ``description``, ``units``, ``variables``, ``parameter`` (the ramped
  parameter's column name or null), ``replicates``, ``transition_time`` (per replicate, null = no
  transition), ``ground_truth`` (exactly ``ts.ground_truth`` of the simulation, including every
  parameter and the seed), ``call`` (the ``ews.simulate`` call that made it) and ``format``.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ._errors import InputError

__all__ = ["names", "load", "path"]

FORMAT_VERSION = 1


def _folders() -> list[Path]:
    out = []
    try:
        from importlib.resources import files

        bundled = files("ews") / "_bundled"
        if bundled.is_dir():
            out.append(Path(str(bundled)))
    except (ModuleNotFoundError, TypeError, FileNotFoundError):  # pragma: no cover
        pass
    repo = Path(__file__).resolve().parent.parent / "datasets"
    if repo.is_dir():
        out.append(repo)
    return out


def path() -> Path:
    """The folder the datasets are read from (bundled copy first, then the source checkout)."""
    for folder in _folders():
        if any(folder.glob("*.json")):
            return folder
    raise InputError(
        "no ews datasets found: neither ews/_bundled (installed wheel) nor datasets/ (source checkout) "
        "holds any; run `python datasets/generate.py` in a source checkout."
    )


def names(describe: bool = False):
    """Names of the available datasets (sorted); ``describe=True``: a dict name -> one-line description."""
    found = sorted(p.stem for p in path().glob("*.json"))
    if not describe:
        return found
    out = {}
    for name in found:
        meta = json.loads((path() / f"{name}.json").read_text())
        out[name] = str(meta.get("description", "")).splitlines()[0] if meta.get("description") else ""
    return out


def load(name: str):
    """Load dataset ``name`` as an :class:`ews.TimeSeries` with its ground truth.

    Returns the same structure as :func:`ews.simulate`: dims ``("replicate", "time")`` (or
    ``("replicate", "variable", "time")``), coordinates ``transition_time`` and the ramped parameter,
    ``attrs["ground_truth"]``.
    """
    import pandas as pd
    import xarray as xr

    from .series import TimeSeries

    available = names()
    if not isinstance(name, str) or name not in available:
        raise InputError(f"unknown dataset {name!r}; available: {', '.join(available)}.")
    folder = path()
    meta = json.loads((folder / f"{name}.json").read_text())
    df = pd.read_csv(folder / f"{name}.csv")
    time = df["time"].to_numpy(dtype=float)
    reps = int(meta["replicates"])
    variables = meta["variables"]
    if len(variables) == 1:
        values = np.stack([df[f"r{i}"].to_numpy(dtype=float) for i in range(reps)])
        dims = ("replicate", "time")
    else:
        values = np.stack([np.stack([df[f"r{i}_{v}"].to_numpy(dtype=float) for v in variables])
                           for i in range(reps)])
        dims = ("replicate", "variable", "time")
    tt = np.array([np.nan if v is None else float(v) for v in meta["transition_time"]])
    coords = {"replicate": np.arange(reps), "time": time, "transition_time": ("replicate", tt)}
    if len(variables) > 1:
        coords["variable"] = list(variables)
    attrs = {"ground_truth": meta["ground_truth"], "dataset": name}
    if meta.get("parameter"):
        coords[meta["parameter"]] = ("time", df[meta["parameter"]].to_numpy(dtype=float))
        attrs["parameter"] = meta["parameter"]
    da = xr.DataArray(values, dims=dims, coords=coords)
    return TimeSeries(da, name=meta["model"], units=meta.get("units"), attrs=attrs)


def _write(ts, name: str, folder, call: str, description: str) -> tuple[Path, Path]:
    """Write a simulated TimeSeries as ``<name>.csv`` + ``<name>.json`` (used by datasets/generate.py)."""
    import pandas as pd

    folder = Path(folder)
    ds = ts.to_xarray()
    st = ds["state"]
    gt = ts.ground_truth
    param = ts.attrs.get("parameter")
    cols = {"time": ds["time"].values}
    if param:
        cols[param] = ds[param].values
    if "variable" in st.dims:
        variables = [str(v) for v in st["variable"].values]
        for i in range(st.sizes["replicate"]):
            for j, v in enumerate(variables):
                cols[f"r{i}_{v}"] = st.values[i, j]
    else:
        variables = ["x"]
        for i in range(st.sizes["replicate"]):
            cols[f"r{i}"] = st.values[i]
    csv = folder / f"{name}.csv"
    pd.DataFrame(cols).to_csv(csv, index=False, float_format="%.10g", lineterminator="\n")
    tt = ds["transition_time"].values
    meta = {
        "name": name,
        "model": gt["model"],
        "description": description,
        "units": ts.units,
        "variables": variables,
        "parameter": param,
        "replicates": int(st.sizes["replicate"]),
        "transition_time": [None if not np.isfinite(v) else float(v) for v in tt],
        "ground_truth": gt,
        "call": call,
        "format": {"version": FORMAT_VERSION,
                   "csv": "columns: time, [ramped parameter], r<i> or r<i>_<variable>; %.10g"},
    }
    js = folder / f"{name}.json"
    js.write_text(json.dumps(meta, indent=1, default=_json_default) + "\n")
    return csv, js


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)
