"""Benchmarks of the simulators (prints numbers; not part of the test suite).

Run:  python benchmarks/bench_simulate.py [--quick]

Target (issue #3): ``fold`` with 1,000 replicates x 1,000 recorded time units x 100 sub-steps
(1e8 Euler-Maruyama steps) in < 2 s on 2 cores after compilation. Reports steps per second per core for
``fold``, ``hopf`` and ``birth_death`` (for ``birth_death`` a step is one proposed Gillespie event).
"""
from __future__ import annotations

import argparse
import time

import numba

import ews.simulate as simulate


def _time(fn, repeat=3):
    """Best wall time and best process CPU time (all threads) over ``repeat`` runs after a warm-up.

    On a loaded machine the wall time is inflated by other processes; CPU time / core count does not
    depend on them, so steps per CPU-second is the per-core throughput either way."""
    fn()  # compile / warm up (and fill the on-disk cache)
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    _time.cpu = best_cpu
    return best, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="10x smaller runs")
    args = ap.parse_args(argv)
    cores = numba.get_num_threads()
    scale = 10 if args.quick else 1
    print(f"numba threads: {cores}")

    # --- fold: the target -----------------------------------------------------------------------
    reps = 1000 // scale
    t_fold, _ = _time(lambda: simulate("fold", replicates=reps, seed=1, t_max=1000.0, dt_record=1.0, dt=0.01))
    steps = reps * 1000 * 100
    cpu = _time.cpu
    print(f"fold: {reps} replicates x 1000 time units x 100 sub-steps = {steps:.1e} steps in {t_fold:.3f} s wall, "
          f"{cpu:.3f} s CPU (target < 2 s wall for 1e8 on 2 cores)")
    print(f"      {steps / cpu:.3e} steps per CPU-second (per core); "
          f"{steps / t_fold / cores:.3e} steps/s/core from wall time")
    print(f"      projected wall time for 1e8 steps on 2 idle cores: {1e8 / (steps / cpu) / 2:.2f} s")

    # --- the generator alone (reference point) --------------------------------------------------
    import numpy as np

    from ews._kernels.rng import fill_normal
    from ews._random import row_states

    s = row_states(1, 1)[0]
    buf = np.empty(10_000_000)
    _time(lambda: fill_normal(s, buf))
    print(f"normal variates (ziggurat, 1 thread): {_time.cpu / buf.size * 1e9:.2f} ns of CPU each")

    # --- hopf (2-D) ----------------------------------------------------------------------------
    reps = 200 // scale
    t_hopf, _ = _time(lambda: simulate("hopf", replicates=reps, seed=1, t_max=1000.0, dt_record=1.0, dt=0.01))
    steps = reps * 1000 * 100
    print(f"hopf: {steps:.1e} 2-D steps in {t_hopf:.3f} s wall: {steps / _time.cpu:.3e} steps per CPU-second, "
          f"{steps / t_hopf / cores:.3e} steps/s/core from wall time")

    # --- birth_death (exact Gillespie) --------------------------------------------------------------
    reps = 100 // scale
    t_bd, ts = _time(lambda: simulate("birth_death", preset="constant", replicates=reps, seed=1, t_max=1000.0))
    ev = ts.ground_truth["n_events"]
    print(f"birth_death: {ev:.2e} events in {t_bd:.3f} s wall: {ev / _time.cpu:.3e} events per CPU-second, "
          f"{ev / t_bd / cores:.3e} events/s/core from wall time")


if __name__ == "__main__":
    main()
