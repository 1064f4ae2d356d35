"""Shared numba integrators for the simulators (:mod:`ews.simulate`).

Four templates, each a plain loop over rows (replicates) in parallel with ``numba.prange``:

* :func:`_em1` -- Euler-Maruyama for a scalar SDE ``dx = f(x, t) dt + g(x, t) dW``;
* :func:`_em2` -- Euler-Maruyama for a 2-D SDE with diagonal noise;
* :func:`_map1` -- a stochastic map ``x[k+1] = F(x[k], k, z[k])`` with ``z ~ N(0, 1)``;
* :func:`_gillespie` -- the exact stochastic simulation algorithm (Gillespie 1977) of a birth-death
  process whose rates may depend on time, made exact by thinning (Lewis & Shedler 1979).

A model supplies small ``@njit`` functions (drift, diffusion, map step, birth and death rates) of the
form ``f(x, t, p)`` where ``p`` is a float64 parameter vector. :func:`specialise` binds them to a
template *as globals* (not as arguments or closure variables): numba then inlines them into the loop and
the compiled kernel can be cached on disk (``cache=True``) -- functions passed as arguments or closure
variables defeat numba's on-disk cache, so every new process would recompile. The kernel's cache name
carries a digest of the bound functions' bytecode, so editing a model's drift never loads a stale kernel.

Conventions
-----------
* Row ``i`` uses only ``states[i]`` (a xoshiro256** state, see :mod:`ews._kernels.rng`) and ``x0[i]``:
  output is identical whatever the number of threads.
* Recording: ``out[i, 0]`` is the state after the burn-in, ``out[i, j]`` the state after ``j`` recording
  intervals of ``n_sub`` steps of length ``dt`` (time ``j * n_sub * dt``).
* Burn-in: ``n_burn`` steps with the time argument frozen at 0 (parameters at their initial values).
* Boundaries (lower ``lo`` and upper ``hi``): kind 0 none, 1 reflecting (``x -> 2 lo - x``, then clipped
  to the boundary if still outside), 2 absorbing (the state stays on the boundary for ever).
* First passage: ``thr[j - 1]`` is the threshold level during recording interval ``j`` and ``thr_dir``
  its direction (+1: crossing upwards, ``x > level``; -1: downwards, ``x < level``). ``t_cross[i]`` is
  the time of the first step after which the state is beyond the level (NaN if never; a NaN level never
  triggers). It is checked at every sub-step, not only at recording times; a state already beyond the
  level when recording starts (it crossed during the burn-in) gives 0.
"""
from __future__ import annotations

import hashlib
import types

import numpy as np
from numba import njit, prange

from .rng import next_double, next_normal

# Placeholders, rebound per model by :func:`specialise`.
DRIFT = DIFFUSION = STEP = BIRTH = DEATH = None

NONE, REFLECT, ABSORB = 0, 1, 2


@njit(inline="always", cache=True)
def _apply_bounds(x, lo, lo_kind, hi, hi_kind):
    """Return (new x, absorbed?)."""
    if lo_kind != 0 and x < lo:
        if lo_kind == 2:
            return lo, True
        x = 2.0 * lo - x
        if hi_kind != 0 and x > hi:
            x = hi
    elif hi_kind != 0 and x > hi:
        if hi_kind == 2:
            return hi, True
        x = 2.0 * hi - x
        if lo_kind != 0 and x < lo:
            x = lo
    return x, False


def _em1(x0, p, dt, n_sub, n_rec, n_burn, lo, lo_kind, hi, hi_kind, thr, thr_dir, states, out, t_cross):
    n_rows = out.shape[0]
    sq = np.sqrt(dt)
    for i in prange(n_rows):
        s = states[i].copy()  # thread-private copy: no false sharing of neighbouring rows' states
        x = x0[i]
        dead = False
        for _ in range(n_burn):
            if dead:
                break
            x = x + DRIFT(x, 0.0, p) * dt + DIFFUSION(x, 0.0, p) * sq * next_normal(s)
            x, dead = _apply_bounds(x, lo, lo_kind, hi, hi_kind)
        out[i, 0] = x
        tc = np.nan
        searching = True
        if thr_dir * (x - thr[0]) > 0.0:  # already beyond at the start of the record (e.g. during burn-in)
            tc = 0.0
            searching = False
        for j in range(1, n_rec):
            t0 = (j - 1) * n_sub * dt
            level = thr[j - 1]
            if dead:
                if searching and thr_dir * (x - level) > 0.0:
                    tc = t0
                    searching = False
                out[i, j] = x
                continue
            for k in range(n_sub):
                t = t0 + k * dt
                x = x + DRIFT(x, t, p) * dt + DIFFUSION(x, t, p) * sq * next_normal(s)
                x, dead = _apply_bounds(x, lo, lo_kind, hi, hi_kind)
                if searching and thr_dir * (x - level) > 0.0:
                    tc = t + dt
                    searching = False
                if dead:
                    break
            out[i, j] = x
        t_cross[i] = tc
        states[i] = s


def _em2(x0, p, dt, n_sub, n_rec, n_burn, lo, lo_kind, states, out):
    """2-D Euler-Maruyama; ``x0`` is (rows, 2); ``out`` is (rows, 2, n_rec); lower bounds ``lo[0..1]``."""
    n_rows = out.shape[0]
    sq = np.sqrt(dt)
    for i in prange(n_rows):
        s = states[i].copy()  # thread-private copy: no false sharing of neighbouring rows' states
        x = x0[i, 0]
        y = x0[i, 1]
        for _ in range(n_burn):
            fx, fy = DRIFT(x, y, 0.0, p)
            gx, gy = DIFFUSION(x, y, 0.0, p)
            x = x + fx * dt + gx * sq * next_normal(s)
            y = y + fy * dt + gy * sq * next_normal(s)
            if lo_kind[0] == 1 and x < lo[0]:
                x = 2.0 * lo[0] - x
            if lo_kind[1] == 1 and y < lo[1]:
                y = 2.0 * lo[1] - y
        out[i, 0, 0] = x
        out[i, 1, 0] = y
        for j in range(1, n_rec):
            t0 = (j - 1) * n_sub * dt
            for k in range(n_sub):
                t = t0 + k * dt
                fx, fy = DRIFT(x, y, t, p)
                gx, gy = DIFFUSION(x, y, t, p)
                x = x + fx * dt + gx * sq * next_normal(s)
                y = y + fy * dt + gy * sq * next_normal(s)
                if lo_kind[0] == 1 and x < lo[0]:
                    x = 2.0 * lo[0] - x
                if lo_kind[1] == 1 and y < lo[1]:
                    y = 2.0 * lo[1] - y
            out[i, 0, j] = x
            out[i, 1, j] = y


def _map1(x0, p, n_rec, n_burn, lo, lo_kind, hi, hi_kind, thr, thr_dir, states, out, t_cross):
    """Stochastic map; one step per time unit; ``STEP(x, t, p, z)`` gives the next state."""
    n_rows = out.shape[0]
    for i in prange(n_rows):
        s = states[i].copy()  # thread-private copy: no false sharing of neighbouring rows' states
        x = x0[i]
        dead = False
        for _ in range(n_burn):
            if dead:
                break
            x = STEP(x, 0.0, p, next_normal(s))
            x, dead = _apply_bounds(x, lo, lo_kind, hi, hi_kind)
        out[i, 0] = x
        tc = np.nan
        searching = True
        if thr_dir * (x - thr[0]) > 0.0:
            tc = 0.0
            searching = False
        for j in range(1, n_rec):
            if not dead:
                x = STEP(x, float(j - 1), p, next_normal(s))
                x, dead = _apply_bounds(x, lo, lo_kind, hi, hi_kind)
            if searching and thr_dir * (x - thr[j - 1]) > 0.0:
                tc = float(j)
                searching = False
            out[i, j] = x
        t_cross[i] = tc
        states[i] = s


def _gillespie(n0, p, dt_rec, n_rec, burn_in, thr, thr_dir, states, out, t_cross, n_events):
    """Exact SSA with thinning. Rates ``BIRTH(n, t, p)``, ``DEATH(n, t, p)`` must be monotone in ``t``
    within each recording interval (true for linear ramps), so ``max(rate(t), rate(t_end))`` bounds them.
    ``n_events[i]`` counts the proposed events (accepted + thinned) of row ``i``."""
    n_rows = out.shape[0]
    for i in prange(n_rows):
        s = states[i].copy()  # thread-private copy: no false sharing of neighbouring rows' states
        n = n0[i]
        count = 0
        # burn-in at frozen parameters (time argument 0); constant rates, no thinning needed
        t = 0.0
        while True:
            b = BIRTH(n, 0.0, p)
            d = DEATH(n, 0.0, p)
            tot = b + d
            if tot <= 0.0:
                break
            t += -np.log(1.0 - next_double(s)) / tot
            if t >= burn_in:
                break
            count += 1
            if next_double(s) * tot < b:
                n += 1.0
            else:
                n -= 1.0
        out[i, 0] = n
        tc = np.nan
        searching = True
        if thr_dir * (n - thr[0]) > 0.0:
            tc = 0.0
            searching = False
        for j in range(1, n_rec):
            ta = (j - 1) * dt_rec
            tb = j * dt_rec
            level = thr[j - 1]
            t = ta
            while True:
                b = BIRTH(n, t, p)
                d = DEATH(n, t, p)
                bound = max(b + d, BIRTH(n, tb, p) + DEATH(n, tb, p))
                if bound <= 0.0:
                    break
                t += -np.log(1.0 - next_double(s)) / bound
                if t >= tb:
                    break
                count += 1
                b = BIRTH(n, t, p)
                d = DEATH(n, t, p)
                u = next_double(s) * bound
                if u < b:
                    n += 1.0
                elif u < b + d:
                    n -= 1.0
                else:
                    continue
                if searching and thr_dir * (n - level) > 0.0:
                    tc = t
                    searching = False
            out[i, j] = n
        t_cross[i] = tc
        states[i] = s
        n_events[i] = count


_TEMPLATES = {"em1": _em1, "em2": _em2, "map1": _map1, "gillespie": _gillespie}
_COMPILED: dict = {}


def _digest(funcs) -> str:
    h = hashlib.sha1()
    for f in funcs:
        code = getattr(f, "py_func", f).__code__
        h.update(code.co_code)
        h.update(repr(code.co_consts).encode())
        h.update(repr(code.co_names).encode())
    return h.hexdigest()[:12]


def specialise(template: str, tag: str, **bindings):
    """Kernel ``template`` with the model functions ``bindings`` (e.g. ``DRIFT=f``) bound as globals.

    Compiled lazily on first call, cached in memory and on disk. ``tag`` names the model (for the cache
    file name); a digest of the bound functions is appended so a changed model never hits a stale cache.
    """
    tmpl = _TEMPLATES[template]
    key = (template, tag, tuple(sorted((k, id(v)) for k, v in bindings.items())))
    kern = _COMPILED.get(key)
    if kern is not None:
        return kern
    name = f"{tmpl.__name__}__{tag}__{_digest([bindings[k] for k in sorted(bindings)])}"
    g = dict(tmpl.__globals__)
    g.update(bindings)
    f = types.FunctionType(tmpl.__code__, g, name, tmpl.__defaults__, tmpl.__closure__)
    f.__qualname__ = name
    f.__module__ = tmpl.__module__
    f.__doc__ = tmpl.__doc__
    kern = njit(cache=True, parallel=True, nogil=True)(f)
    _COMPILED[key] = kern
    return kern
