"""Models as data, the registry, and the :func:`simulate` entry point.

A :class:`Model` is a small frozen record: its equations live in a few ``@njit`` functions (drift,
diffusion, map step or birth/death rates) that one of the shared integrators in
:mod:`ews._kernels.integrators` runs; everything else (defaults, presets, the parameter ramp, the
boundaries, the ground truth and the first-passage threshold) is plain Python evaluated once per call.
Adding a model is one :class:`Model` definition plus one :func:`register` call.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .._errors import InputError
from .._registry import Registry

# Timing parameters understood by each integrator kind.
_TIMING = {
    "em1": ("t_max", "dt_record", "dt", "burn_in"),
    "em2": ("t_max", "dt_record", "dt", "burn_in"),
    "map1": ("t_max", "dt_record", "burn_in"),
    "gillespie": ("t_max", "dt_record", "burn_in"),
}


@dataclass(frozen=True)
class Ramp:
    """The forced parameter ``symbol``: linear from ``params[start]`` at t=0 to ``params[end]`` at
    ``t_max`` unless ``values`` (a function ``(params, t) -> array``) says otherwise."""

    symbol: str
    start: str
    end: str | None = None
    values: Callable | None = None

    def at(self, params: dict, t: np.ndarray, forced: bool) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        if not forced:
            t = np.zeros_like(t)
        if self.values is not None:
            return np.asarray(self.values(params, t), dtype=float) + 0.0 * t
        q0, q1 = params[self.start], params[self.end]
        return q0 + (q1 - q0) * t / params["t_max"]

    def rate(self, params: dict, forced: bool) -> float:
        """Slope of a linear ramp (0 for the null twin)."""
        if not forced or self.values is not None:
            return 0.0
        return (params[self.end] - params[self.start]) / params["t_max"]


@dataclass(frozen=True)
class Model:
    """A simulator described as data.

    Attributes
    ----------
    name, description : str
        Registry name and one-line description.
    kind : {"em1", "em2", "map1", "gillespie"}
        Which shared integrator runs it.
    defaults : dict
        Every numeric parameter with its default (timing included).
    functions : callable
        ``params -> dict`` of the numba functions to bind into the integrator (``DRIFT``, ``DIFFUSION``,
        ``STEP``, ``BIRTH``, ``DEATH``); one kernel is compiled per distinct set.
    pack : callable
        ``(params, forced) -> float64 vector`` read by those functions.
    truth : callable
        ``params -> dict`` with ``bifurcation``, ``bifurcation_parameter``, ``bifurcation_value`` and
        any model-specific extras.
    transition : {"threshold", "bifurcation", "none"}
        How ``transition_time`` is defined: first passage across ``threshold(params, q)`` (an array of
        levels along the recording grid, NaN where undefined) in direction ``direction``; the time at
        which the ramp reaches the bifurcation (the same for all replicates); or never (all NaN).
    transition_rule : callable
        ``params -> str`` describing the rule in words (stored in the ground truth).
    x0 : callable
        ``params -> initial state`` (float, or (x, y) for 2-D models) when ``params["x0"]`` is None.
    bounds : callable
        ``params -> (lo, lo_kind, hi, hi_kind)`` (kinds: 0 none, 1 reflecting, 2 absorbing); 2-D models
        give ``(lo_vector, lo_kind_vector)``.
    """

    name: str
    description: str
    kind: str
    defaults: dict
    functions: Callable
    pack: Callable
    truth: Callable
    doc: str = ""
    ramp: Ramp | None = None
    options: dict = field(default_factory=dict)
    presets: dict = field(default_factory=dict)
    default_preset: str | None = None
    transition: Any = "none"
    threshold: Callable | None = None
    direction: int = -1
    transition_rule: Callable = lambda p: "no transition is defined for this model (always NaN)"
    x0: Callable | None = None
    bounds: Callable = lambda p: (0.0, 0, 0.0, 0)
    validate: Callable | None = None
    variables: tuple = ("x",)
    units: str = "state"
    nonnegative: tuple = ("sigma",)
    integers: tuple = ()

    @property
    def summary(self) -> str:
        return self.description

    def info(self) -> dict:
        return {"summary": self.description, "kind": self.kind,
                "parameter": self.ramp.symbol if self.ramp else None}


REGISTRY: Registry[Model] = Registry("simulator")


def register(model: Model, *, replace: bool = False) -> Model:
    """Add ``model`` to the registry (``ews.simulate.models()`` lists it)."""
    return REGISTRY.register(model, replace=replace)


def registry() -> Registry[Model]:
    """The simulator registry, with the built-in models registered (on first use)."""
    from . import builtin  # noqa: F401  (registers the built-in models on first use)

    return REGISTRY


def names() -> list[str]:
    return registry().names()


def get_model(name) -> Model:
    return registry().get(name)


# ----------------------------------------------------------------------------------------------------
# parameters
# ----------------------------------------------------------------------------------------------------
def _is_number(v) -> bool:
    return isinstance(v, (numbers.Real, np.floating, np.integer)) and not isinstance(v, (bool, np.bool_))


def resolve_params(model: Model, preset, user: dict) -> tuple[dict, str | None]:
    params = dict(model.defaults)
    for k, (default, _allowed) in model.options.items():
        params[k] = default
    if preset is None:
        preset = model.default_preset
    if preset is not None:
        if preset not in model.presets:
            avail = ", ".join(sorted(model.presets)) or "none"
            raise InputError(f"unknown preset {preset!r} for {model.name!r}; available presets: {avail}.")
        params.update(model.presets[preset])
    valid = set(params)
    unknown = sorted(set(user) - valid)
    if unknown:
        raise InputError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))} for simulator {model.name!r}; "
            f"valid parameters: {', '.join(sorted(valid))} (plus replicates, seed, forced, preset)."
        )
    params.update(user)
    for k, v in params.items():
        if k in model.options:
            allowed = model.options[k][1]
            if v not in allowed:
                raise InputError(f"{k} must be one of {allowed} for {model.name!r}, got {v!r}.")
            continue
        if k in ("x0", "y0") and v is None:
            continue
        if not _is_number(v) or not math.isfinite(float(v)):
            raise InputError(f"parameter {k} of {model.name!r} must be a finite number, got {v!r}.")
        params[k] = float(v)
    for k in model.nonnegative:
        if k in params and params[k] < 0:
            raise InputError(f"{k} must be >= 0 (it is a noise intensity or a rate), got {params[k]}.")
    for k in model.integers:
        if k in params and params[k] != round(params[k]):
            raise InputError(f"{k} must be a whole number for {model.name!r}, got {params[k]}.")
    _check_timing(model, params)
    if model.validate is not None:
        model.validate(params)
    return params, preset


def _ratio(a: float, b: float, what: str, fix: str) -> int:
    q = a / b
    n = int(round(q))
    if n < 1 or abs(q - n) > 1e-9 * max(1.0, q):
        raise InputError(f"{what} ({a} / {b} = {q:.6g}) must be a whole number; {fix}")
    return n


def _check_timing(model: Model, p: dict) -> None:
    for k in _TIMING[model.kind]:
        if k == "burn_in":
            if p[k] < 0:
                raise InputError(f"burn_in must be >= 0 (time simulated before recording), got {p[k]}.")
        elif p[k] <= 0:
            raise InputError(f"{k} must be > 0, got {p[k]}.")
    if "dt" in _TIMING[model.kind]:
        if p["dt"] > p["dt_record"]:
            raise InputError(
                f"dt (integration step, {p['dt']}) is larger than dt_record (recording interval, "
                f"{p['dt_record']}); choose dt <= dt_record, e.g. dt={p['dt_record'] / 100:g}."
            )
        _ratio(p["dt_record"], p["dt"], "dt_record / dt", "choose dt so that it divides dt_record.")
    _ratio(p["t_max"], p["dt_record"], "t_max / dt_record", "choose t_max as a multiple of dt_record.")
    if "dt" in _TIMING[model.kind] and p["burn_in"] > 0:
        _ratio(p["burn_in"], p["dt"], "burn_in / dt", "choose burn_in as a multiple of dt.")
    if model.kind == "map1" and p["burn_in"] > 0:
        _ratio(p["burn_in"], p["dt_record"], "burn_in / dt_record", "choose burn_in as a multiple of dt_record.")


# ----------------------------------------------------------------------------------------------------
# the entry point
# ----------------------------------------------------------------------------------------------------
def _json_value(v):
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def simulate(name: str, *, replicates: int = 1, seed=None, forced: bool = True, preset: str | None = None,
             **params):
    """Simulate a registered model; returns an :class:`ews.TimeSeries` with the ground truth attached.

    Parameters
    ----------
    name : str
        Model name; ``ews.simulate.models()`` lists them, ``ews.simulate.describe(name)`` gives the
        equations, default parameters and sources.
    replicates : int
        Number of independent replicates (rows). They run in parallel over cores.
    seed : None, int, numpy SeedSequence or Generator
        Replicate ``i`` uses its own stream derived from ``(seed, i)``: same seed, same numbers, whatever
        the number of threads. The seed's entropy is stored in the ground truth (``params["seed"]``).
    forced : bool
        ``True`` (default): the bifurcation parameter follows its ramp. ``False``: the *null twin*, every
        parameter frozen at its initial value for the whole run.
    preset : str, optional
        A named parameter set of the model (e.g. ``"bury2021"`` for ``fold``).
    **params
        Model parameters (see ``describe(name)``) and timing: ``t_max`` (length of the record),
        ``dt_record`` (recording interval), ``dt`` (Euler-Maruyama sub-step, must divide
        ``dt_record``), ``burn_in`` (time simulated at the initial parameter values before recording
        starts), ``x0`` (initial state; default the stable state at the initial parameter values).

    Returns
    -------
    TimeSeries
        dims ``("replicate", "time")`` (``("replicate", "variable", "time")`` for 2-D models), with
        coordinates ``transition_time`` (per replicate; NaN if no transition), the ramped parameter
        along time (e.g. ``c``), and ``attrs["ground_truth"]``.

    Examples
    --------
    >>> import ews
    >>> ts = ews.simulate("fold", replicates=3, seed=1)
    >>> ts.ground_truth["bifurcation"]
    'fold'
    """
    model = get_model(name)
    if isinstance(replicates, bool) or not isinstance(replicates, (numbers.Integral, np.integer)) or replicates < 1:
        raise InputError(f"replicates must be a positive whole number, got {replicates!r}.")
    replicates = int(replicates)
    if not isinstance(forced, (bool, np.bool_)):
        raise InputError(f"forced must be True or False, got {forced!r}.")
    forced = bool(forced)
    p, preset = resolve_params(model, preset, params)

    from .._random import row_states, seed_sequence

    ss = seed_sequence(seed)
    states = row_states(ss, replicates)

    dtr = p["dt_record"]
    n_rec = int(round(p["t_max"] / dtr)) + 1
    time = np.arange(n_rec) * dtr
    q = model.ramp.at(p, time, forced) if model.ramp is not None else None
    vec = np.ascontiguousarray(model.pack(p, forced), dtype=np.float64)
    bindings = model.functions(p)

    from .._kernels.integrators import specialise

    # one compiled kernel per distinct set of model functions (fold, flickering and smooth_response share one)
    kern = specialise(model.kind, "_".join(getattr(bindings[k], "__name__", k).strip("_") for k in sorted(bindings)),
                      **bindings)
    t_cross = np.full(replicates, np.nan)
    extra = {}

    transition = model.transition(p) if callable(model.transition) else model.transition
    # threshold levels along the recording grid (level of interval j is thr[j-1], at its start)
    if transition == "threshold":
        levels = np.broadcast_to(np.asarray(model.threshold(p, q if q is not None else np.zeros(n_rec)),
                                            dtype=np.float64), (n_rec,))
        thr = np.ascontiguousarray(levels[: max(n_rec - 1, 1)])
    else:
        thr = np.full(max(n_rec - 1, 1), np.nan)

    if model.kind in ("em1", "map1", "gillespie"):
        x0 = p.get("x0")
        x0 = float(model.x0(p) if x0 is None else x0)
        x0v = np.full(replicates, x0)
        out = np.empty((replicates, n_rec))
        if model.kind == "em1":
            lo, lo_kind, hi, hi_kind = model.bounds(p)
            n_sub = int(round(dtr / p["dt"]))
            n_burn = int(round(p["burn_in"] / p["dt"]))
            kern(x0v, vec, p["dt"], n_sub, n_rec, n_burn, float(lo), int(lo_kind), float(hi), int(hi_kind),
                 thr, float(model.direction), states, out, t_cross)
            extra["n_sub"] = n_sub
        elif model.kind == "map1":
            lo, lo_kind, hi, hi_kind = model.bounds(p)
            n_burn = int(round(p["burn_in"] / dtr))
            kern(x0v, vec, n_rec, n_burn, float(lo), int(lo_kind), float(hi), int(hi_kind),
                 thr, float(model.direction), states, out, t_cross)
            t_cross *= dtr
        else:
            x0v = np.round(x0v)
            n_events = np.zeros(replicates, dtype=np.int64)
            kern(x0v, vec, dtr, n_rec, float(p["burn_in"]), thr, float(model.direction), states, out, t_cross,
                 n_events)
            extra["n_events"] = int(n_events.sum())
        values = out
        dims = ("replicate", "time")
    else:  # em2
        x0 = model.x0(p)
        if p.get("x0") is not None:
            x0 = (p["x0"], x0[1])
        if p.get("y0") is not None:
            x0 = (x0[0], p["y0"])
        x0v = np.empty((replicates, 2))
        x0v[:, 0], x0v[:, 1] = x0
        lo, lo_kind = model.bounds(p)
        out = np.empty((replicates, 2, n_rec))
        n_sub = int(round(dtr / p["dt"]))
        n_burn = int(round(p["burn_in"] / p["dt"]))
        kern(x0v, vec, p["dt"], n_sub, n_rec, n_burn, np.asarray(lo, dtype=np.float64),
             np.asarray(lo_kind, dtype=np.int64), states, out)
        extra["n_sub"] = n_sub
        values = out
        dims = ("replicate", "variable", "time")

    truth = dict(model.truth(p))
    bif_value = truth.get("bifurcation_value")
    bif_time = None
    if "bifurcation_time" in truth:  # the model says (e.g. rate-induced tipping has none)
        bif_time = truth.pop("bifurcation_time")
    elif model.ramp is not None and bif_value is not None and forced:
        tt = _crossing_time(model.ramp, p, bif_value)
        bif_time = tt
    if transition == "bifurcation":
        t_cross[:] = bif_time if bif_time is not None else np.nan
    if not np.all(np.isfinite(values)):  # a model left its domain: a bug, never user data
        raise RuntimeError(f"simulator {model.name!r} produced non-finite values; please report this.")

    entropy = ss.entropy
    all_params = {k: _json_value(v) for k, v in p.items()}
    all_params.update({k: v for k, v in extra.items() if k != "n_events"})
    all_params["replicates"] = replicates
    all_params["seed"] = int(entropy) if isinstance(entropy, (int, np.integer)) else entropy
    if tuple(ss.spawn_key):
        all_params["seed_spawn_key"] = list(ss.spawn_key)
    if preset is not None:
        all_params["preset"] = preset
    ramp_forced = bool(forced and model.ramp is not None and _ramp_moves(model.ramp, p))
    gt = {
        "model": model.name,
        "bifurcation": truth.pop("bifurcation"),
        "bifurcation_parameter": truth.pop("bifurcation_parameter", model.ramp.symbol if model.ramp else None),
        "bifurcation_value": _json_value(truth.pop("bifurcation_value", None)),
        "bifurcation_time": bif_time,
        "forced": ramp_forced,
        "null_twin": not forced,
        "params": all_params,
        "transition_rule": model.transition_rule(p),
        "n_transitions": int(np.isfinite(t_cross).sum()),
        "integrator": {"em1": "Euler-Maruyama", "em2": "Euler-Maruyama (2-D, diagonal noise)",
                       "map1": "map iteration", "gillespie": "exact Gillespie SSA with thinning"}[model.kind],
    }
    if "n_events" in extra:
        gt["n_events"] = extra["n_events"]
    for k, v in truth.items():
        gt[k] = _json_value(v)

    import xarray as xr

    coords = {"replicate": np.arange(replicates), "time": time,
              "transition_time": ("replicate", t_cross.copy())}
    if model.kind == "em2":
        coords["variable"] = list(model.variables)
    attrs = {"ground_truth": gt}
    if model.ramp is not None:
        coords[model.ramp.symbol] = ("time", q)
        attrs["parameter"] = model.ramp.symbol
    da = xr.DataArray(values, dims=dims, coords=coords)

    from ..series import TimeSeries

    return TimeSeries(da, name=model.name, units=model.units, attrs=attrs)


def _ramp_moves(ramp: Ramp, p: dict) -> bool:
    if ramp.values is not None:
        return True
    return p[ramp.start] != p[ramp.end]


def _crossing_time(ramp: Ramp, p: dict, value: float):
    """Time in [0, t_max] at which the ramped parameter reaches ``value`` (None if never)."""
    if ramp.values is None:
        q0, q1 = p[ramp.start], p[ramp.end]
        if q1 == q0:
            return 0.0 if q0 == value else None
        t = (value - q0) / (q1 - q0) * p["t_max"]
        return float(t) if 0.0 <= t <= p["t_max"] else None
    t = np.linspace(0.0, p["t_max"], 100001)
    qv = ramp.values(p, t) - value
    idx = np.flatnonzero(np.sign(qv[1:]) != np.sign(qv[:-1]))
    if idx.size == 0:
        return None
    i = idx[0]
    return float(t[i] + (t[i + 1] - t[i]) * qv[i] / (qv[i] - qv[i + 1]))


def models():
    """The registered simulators: a pandas DataFrame indexed by name with a one-line description,
    the bifurcation type of the default run, the ramped parameter and the presets."""
    import pandas as pd

    rows = []
    for m in sorted(registry(), key=lambda m: m.name):
        name = m.name
        p, _ = resolve_params(m, None, {})
        rows.append({"name": name, "description": m.description, "bifurcation": m.truth(p)["bifurcation"],
                     "parameter": m.ramp.symbol if m.ramp else None,
                     "variables": ",".join(m.variables), "presets": ", ".join(sorted(m.presets))})
    return pd.DataFrame(rows).set_index("name")


def describe(name: str) -> str:
    """The documentation of one simulator: equations, default parameters, ground truth and sources."""
    m = get_model(name)
    p, _ = resolve_params(m, None, {})
    lines = [f"{m.name}: {m.description}", "", m.doc.strip(), "", "Default parameters", "------------------"]
    lines += [f"{k} = {v}" for k, v in p.items()]
    if m.presets:
        lines += ["", "Presets", "-------"]
        lines += [f"{k}: {v}" for k, v in m.presets.items()]
    return "\n".join(lines)
