"""Canonical simulated series shipped with ews (one per simulator), with their ground truth.

>>> import ews.datasets
>>> ews.datasets.names()[:3]
['birth_death', 'birth_death_constant', 'chaotic_crisis']
>>> ts = ews.datasets.load("fold")          # TimeSeries (replicate, time), ground truth attached
>>> ts.ground_truth["bifurcation_value"]    # doctest: +ELLIPSIS
2.604...

Public records of the literature (:func:`records`, :func:`info`, :func:`fetch`) are described at the end of
this docstring.

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

Public records
--------------
:func:`records` lists the well-known records of the early-warning literature (Vostok deuterium, ODP 1218
CaCO3, Cariaco greyscale, GISP2, ODP 658C, the Daphnia chemostats, and Boettiger & Hastings' files), each
with its citation, a licence note, where the original lives, and the window Dakos et al. (2008) analysed
where the sources record it. They are *not* bundled (their licences differ). :func:`fetch` returns one as a
TimeSeries, reading the file from, in this order:

1. ``EWS_DATA_DIR``: a folder holding the files in ews's layout (``<group>/<file>.csv``, as the project's
   ``shared/datasets`` copy);
2. the cache folder (``EWS_CACHE_DIR``, else ``$XDG_CACHE_HOME/ews``, else ``~/.cache/ews``);
3. a download from ``EWS_DATA_URL`` + ``<group>/<file>.csv`` into the cache.

Every file is checked against its SHA-256 before use. A download goes to a temporary file in the cache
folder and is renamed into place only when its checksum matches, so an interrupted or corrupted download
leaves nothing behind. The files are ews's CSV conversions of the original archives (NOAA WDC-Paleo,
the authors' packages), so the original archives (``Record.source``) cannot serve them byte for byte:
``EWS_DATA_URL`` points to a mirror of the conversions (there is no default: offline, or without one,
the error names both ways to provide the data).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ._errors import InputError

__all__ = ["names", "load", "path", "records", "info", "fetch", "Record"]

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


# ----------------------------------------------------------------------------------------------------
# public records of the literature
# ----------------------------------------------------------------------------------------------------
from dataclasses import dataclass, field  # noqa: E402


@dataclass(frozen=True)
class Record:
    """A public record: what it is, where it comes from, and how ews reads it.

    ``time_column`` holds ages (before present) when ``ages_bp`` is True: ews then sets
    ``time = -age`` (in the record's units) so that time increases towards the present, and duplicate
    ages are averaged. ``window`` is the (start, end) in those time units (Dakos et al. 2008's
    indicator window) or None where the sources do not record it.
    """

    name: str
    title: str
    citation: str
    source: str
    licence: str
    file: str
    sha256: str
    time_column: str
    value_column: str
    time_units: str
    units: str
    ages_bp: bool = False
    label: str = ""
    id_column: str | None = None
    window: tuple | None = None
    transition: str = ""
    notes: str = ""
    filter: tuple | None = field(default=None)


_WS = "cboettig_warningsignals"
_EW = "cboettig_earlywarning"
RECORDS: dict[str, Record] = {r.name: r for r in (
    Record("vostok", "Vostok ice core deuterium (GT4 age scale)",
           "Petit JR et al. (1999) Climate and atmospheric history of the past 420,000 years from the Vostok ice "
           "core, Antarctica. Nature 399:429-436",
           "NOAA WDC-Paleo contribution 2001-076 (deutnat.txt), via cboettig/warningsignals@d817c50",
           "NOAA/WDC-Paleo public data: cite the original reference", f"{_WS}/vostok_deuterium_petit1999.csv",
           "42e00bd06e9baaaab02c101fb0d320006ee644d76405a563d0aaabf63038d3c1", "ice_age_GT4_yrBP",
           "deuterium_permil", "yr (negative: before present)", "permil", ages_bp=True, label="δD",
           window=(-270000.0, -242000.0), transition="end of glaciation III (Dakos 2008 also: I 58.8-17, "
           "II 151-135, IV 385.3-334.1 kyr BP)"),
    Record("odp1218_caco3", "ODP Site 1218 carbonate content",
           "Tripati A et al. (2005) Eocene bipolar glaciation associated with global carbon cycle changes. "
           "Nature 436:341-346", "NOAA paleo tripati2005 (caco3.txt), via cboettig/warningsignals@d817c50",
           "NOAA/WDC-Paleo public data: cite the original reference", f"{_WS}/caco3_tripati2005_odp1218.csv",
           "940f7b7a5be34f6739719a599b8cd0c64ef61639c2cb76e94b55e96e778bdc4b", "age_Myr_BP", "caco3_percent",
           "Myr (negative: before present)", "percent", ages_bp=True, window=(-39.0, -34.0), label="CaCO3",
           transition="Eocene-Oligocene end of greenhouse Earth"),
    Record("cariaco_greyscale", "Cariaco Basin core PL07-56PC greyscale",
           "Hughen KA et al. (2000) Synchronous radiocarbon and climate shifts during the last deglaciation. "
           "Science 290:1951-1954", "WDC-Paleo contribution 2000-069 (endYoungerDryas.txt), via "
           "cboettig/warningsignals@6376426", "NOAA/WDC-Paleo public data: cite the original reference",
           f"{_WS}/cariaco_pc56_greyscale_hughen2000.csv",
           "a442e8612c575934f1841bb611eed9e8f6da0761c1db1f7c59a3bd142ee95a90", "age_yrBP", "greyscale_0_255",
           "yr (negative: before present)", "greyscale (0-255)", ages_bp=True, label="greyscale",
           transition="end of the Younger Dryas, ~11.6 kyr BP (Dakos 2008's window is not recorded here)"),
    Record("gisp2_temperature", "GISP2 central Greenland temperature",
           "Alley RB (2000) The Younger Dryas cold interval as viewed from central Greenland. Quat Sci Rev "
           "19:213-226", "NOAA paleo (icecore temperature), via cboettig/warningsignals@b9a6ab4",
           "NOAA/WDC-Paleo public data: cite the original reference", f"{_WS}/gisp2_temperature_alley2000.csv",
           "2d1c1f7286f75a9de55060bc1e23e4bf4691fed456ebf5968ef451327759dde7", "age_kyrBP", "temperature_C",
           "kyr (negative: before present)", "degC", ages_bp=True, label="temperature",
           transition="Boelling-Alleroed warming, ~14.7 kyr BP (Dakos 2008's window is not recorded here)"),
    Record("odp658c_sst", "ODP Site 658C sea-surface temperature (warm season)",
           "deMenocal P et al. (2000) Abrupt onset and termination of the African Humid Period. Quat Sci Rev "
           "19:347-361", "NOAA paleo (NAfricaDesertification.txt), via cboettig/warningsignals@6f9f311",
           "NOAA/WDC-Paleo public data: cite the original reference", f"{_WS}/odp658c_sst_demenocal2000.csv",
           "437606df1b81d001729ee5d61e0cad1c6ec6c9bd8f0ff4360039670ee20d46c5", "cal_age_yrBP", "SST_warm_C",
           "yr (negative: before present)", "degC", ages_bp=True, label="SST (warm season)",
           transition="North-African desertification, ~5.5 kyr BP",
           notes="Dakos 2008 analysed this core's terrigenous dust record; this file holds SST only."),
    Record("daphnia_deteriorating", "Daphnia magna in 30 deteriorating chemostats",
           "Drake JM, Griffen BD (2010) Early warning signals of extinction in deteriorating environments. "
           "Nature 467:456-459", "cboettig/warningsignals@7ee8aa3 data/drake.rda (drake_deterior)",
           "GPL (>=2) R package data: cite the original reference", f"{_WS}/drake_griffen2010_daphnia_deteriorating_30reps.csv",
           "266c4ff8ba02e0aa9d15f9f623dafaf823c0643a7c7a36abc120befd52cbfa0e", "time_day", "daphnia_density",
           "day", "density", label="Daphnia density", id_column="chemostat", transition="collapse to extinction (food supply cut)",
           notes="30 replicates (dim 'chemostat'); K9 has 15 points (ragged, NaN-padded)."),
    Record("glaciation_iii_bh", "Vostok deuterium, glaciation III window, detrended (Boettiger & Hastings 2012)",
           "Boettiger C, Hastings A (2012) Quantifying limits to detection of early warning for critical "
           "transitions. J R Soc Interface 9:2527-2539", "cboettig/earlywarning@ae00bfc1748f data/glaciation.rda",
           "BSD / CC0 (package)", f"{_EW}/glaciation_III_vostok_processed.csv",
           "7a21a922c5e9c5d907bec3d4d5a69539bb0641ac56e3910584f4f34e1811b76a", "time_yr_since_window_start",
           "deuterium_detrended_permil", "yr since 269,926 yr BP", "permil", label="δD (detrended)",
           notes="As shipped: the 121st point repeats the 1st (an R ts() artefact); use 'vostok' for new work."),
    Record("ibm_critical", "Simulated birth-death population approaching a fold (Boettiger & Hastings 2012)",
           "Boettiger C, Hastings A (2012) J R Soc Interface 9:2527-2539", "cboettig/earlywarning@ae00bfc1748f "
           "data/ibms.rda", "BSD / CC0 (package)", f"{_EW}/ibm_critical.csv",
           "ad30559ed971cc2a00649ce71ccbe7882b99ee474d724777fd9fe2f3e3cdfa38", "time", "population", "time",
           "individuals", label="population", transition="approach to a fold (not crossed in the record)"),
)}


def records():
    """The public records as a table: name, title, citation, licence, time units, window, transition."""
    import pandas as pd

    return pd.DataFrame([{"name": r.name, "title": r.title, "citation": r.citation, "licence": r.licence,
                          "time_units": r.time_units, "window": r.window, "transition": r.transition}
                         for r in RECORDS.values()])


def info(name: str) -> Record:
    """The :class:`Record` of a public record (citation, source, licence, file, checksum, window)."""
    if name not in RECORDS:
        import difflib

        close = difflib.get_close_matches(str(name), RECORDS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise InputError(f"no public record {name!r}; available: {sorted(RECORDS)}.{hint}")
    return RECORDS[name]


def _cache_dir() -> Path:
    import os

    if os.environ.get("EWS_CACHE_DIR"):
        return Path(os.environ["EWS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "ews"


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _checked(path: Path, rec: Record, where: str) -> Path:
    got = _sha256(path)
    if got != rec.sha256:
        raise InputError(f"{where} holds {rec.file} with SHA-256 {got}, not the expected {rec.sha256}: it is not "
                         f"the file ews knows as {rec.name!r} (a different version, or a damaged copy). Replace it.")
    return path


def _download(rec: Record, dest: Path, timeout: float = 30.0) -> Path:
    import hashlib
    import os
    import tempfile
    import urllib.error
    import urllib.request

    base = os.environ.get("EWS_DATA_URL")
    if not base:
        raise InputError(
            f"the public record {rec.name!r} ({rec.file}) is not available locally. Set EWS_DATA_DIR to a folder "
            f"holding a copy in ews's layout (<group>/<file>.csv), or EWS_DATA_URL to a mirror serving that "
            f"layout. The original data: {rec.source}.")
    url = base.rstrip("/") + "/" + rec.file
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".part-", dir=dest.parent)
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                for chunk in iter(lambda: resp.read(1 << 20), b""):
                    h.update(chunk)
                    out.write(chunk)
        if h.hexdigest() != rec.sha256:
            raise InputError(f"the download of {rec.name!r} from {url} has SHA-256 {h.hexdigest()}, not the expected "
                             f"{rec.sha256}; nothing was kept. The mirror serves another version: check EWS_DATA_URL.")
        os.replace(tmp, dest)
        return dest
    except (urllib.error.URLError, OSError) as e:
        raise InputError(
            f"could not download the public record {rec.name!r} from {url} ({e}). Offline? Set EWS_DATA_DIR to a "
            f"folder holding a local copy in ews's layout (<group>/<file>.csv).") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def local_path(name: str) -> Path:
    """The checked local file of a public record: EWS_DATA_DIR, else the cache, else downloaded into it."""
    import os

    rec = info(name)
    if os.environ.get("EWS_DATA_DIR"):
        p = Path(os.environ["EWS_DATA_DIR"]) / rec.file
        if p.is_file():
            return _checked(p, rec, f"EWS_DATA_DIR ({os.environ['EWS_DATA_DIR']})")
    cached = _cache_dir() / rec.file
    if cached.is_file():
        return _checked(cached, rec, f"the cache ({_cache_dir()})")
    return _download(rec, cached)


def fetch(name: str, *, window: bool = False):
    """A public record as a :class:`ews.TimeSeries` (see the module docstring for where it is read from).

    Ages before present become ``time = -age`` (time increases towards the present; duplicate ages are
    averaged); records with replicates (the chemostats) get a leading dimension named after the id
    column. ``window=True`` crops to the window Dakos et al. (2008) analysed (an InputError where the
    sources do not record one). ``ts.attrs`` carry the title, citation, source and licence.
    """
    import pandas as pd

    from .series import TimeSeries

    rec = info(name)
    df = pd.read_csv(local_path(name), keep_default_na=False, na_values=[""])
    t = df[rec.time_column].astype(float)
    if rec.ages_bp:
        t = -t
    df = df.assign(_t=t)
    attrs = {"title": rec.title, "citation": rec.citation, "source": rec.source, "licence": rec.licence,
             "time_units": rec.time_units, "record": rec.name}
    if rec.id_column:
        wide = df.pivot_table(index="_t", columns=rec.id_column, values=rec.value_column, aggfunc="mean")
        da_vals = wide.to_numpy().T
        import xarray as xr

        da = xr.DataArray(da_vals, dims=(rec.id_column, "time"),
                          coords={rec.id_column: [str(c) for c in wide.columns], "time": wide.index.to_numpy()},
                          name=rec.label or rec.value_column, attrs={"units": rec.units, **attrs})
        lengths = np.isfinite(da_vals).sum(axis=1)
        ts = TimeSeries(da.fillna(0.0) if (lengths < da_vals.shape[1]).any() else da, name=da.name, units=rec.units)
        ts = ts.with_lengths(lengths) if (lengths < da_vals.shape[1]).any() else ts
    else:
        series = df.groupby("_t")[rec.value_column].mean().sort_index()
        ts = TimeSeries(series, name=rec.label or rec.value_column, units=rec.units)
        ts._attrs.update(attrs)
    if window:
        if rec.window is None:
            raise InputError(f"the sources do not record Dakos et al. (2008)'s window for {name!r}; crop it "
                             f"yourself (ts.sel(time=slice(start, end))). Transition: {rec.transition}.")
        ts = ts.sel(time=slice(*rec.window))
    return ts
