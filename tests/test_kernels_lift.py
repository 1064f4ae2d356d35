"""One mechanism lifts a per-row kernel to its serial and parallel twins (ews._kernels.rows)."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import naive
from ews import _kernels
from ews._kernels import RowKernel, bds, chet, dip, entropy, potential, rolling, smooth, trend

REPO = Path(__file__).resolve().parents[1]
KERNEL_MODULES = (rolling, smooth, trend, dip, potential, chet, bds, entropy)


def row_kernels():
    return [v for m in KERNEL_MODULES for v in vars(m).values() if isinstance(v, RowKernel)]


def test_every_batch_kernel_is_lifted_and_no_hand_written_twin_is_left():
    names = sorted(k.__name__ for k in row_kernels())
    assert len(names) >= 7, names
    for m in KERNEL_MODULES:
        left = [n for n in vars(m) if n.endswith(("_par", "_ser"))]
        assert not left, f"{m.__name__} still has hand-written twins {left}"


def test_twins_have_unique_cache_names():
    twins = [t for k in row_kernels() for t in k.twins()]
    qualnames = [t.py_func.__qualname__ for t in twins]
    assert len(set(qualnames)) == len(qualnames)
    for k in row_kernels():
        ser, par = k.twins()
        assert ser.py_func.__qualname__.startswith(k.__name__ + "__serial_")
        assert par.py_func.__qualname__.startswith(k.__name__ + "__parallel_")
        # the twins live next to their row function: numba's cache locates and invalidates them with it
        assert ser.py_func.__code__.co_filename == k.row.py_func.__code__.co_filename
        assert par.targetoptions.get("parallel") and not ser.targetoptions.get("parallel")


def test_dispatch_follows_the_serial_threshold():
    k = trend._kendall_rows
    ser, par = k.twins()
    small = np.zeros((3, 10))
    big = np.zeros((4, _kernels.SERIAL_MAX_ELEMENTS))
    assert k.dispatch(small, 0.0, np.empty(3)) is ser
    assert k.dispatch(np.zeros((1, 10**6)), 0.0, np.empty(1)) is ser   # a single row never goes parallel
    assert k.dispatch(big, 0.0, np.empty(4)) is par


def test_serial_and_parallel_twins_give_identical_results(rng):
    B, n = 12, 300
    X = rng.standard_normal((B, n)).cumsum(axis=1) + 100.0
    L = np.full(B, n, dtype=np.int64)
    L[-1] = n - 13
    W = rng.integers(5, n // 2, B).astype(np.int64)
    t = np.sort(rng.uniform(0, 50, n))
    weights = np.exp(-0.5 * (np.arange(-20, 21) / 6.0) ** 2)
    cases = [
        (rolling._moments_row, (X, L, W, np.arange(8, dtype=np.int64), 4), np.full((8, B, n), -1.0)),
        (rolling._lag_row, (X, L, W, 2, np.array([0, 1, 2], dtype=np.int64)), np.full((3, B, n), -1.0)),
        (smooth._nw_direct_row, (X, L, weights), np.full((B, n), -1.0)),
        (smooth._nw_irregular_row, (t, X, L, np.full(B, 2.0), 4.0), np.full((B, n), -1.0)),
        (smooth._linear_fit_row, (t, X, L), np.full((B, n), -1.0)),
        (trend._kendall_rows, (np.round(X), 1e-10), np.full(B, -1.0)),
        (trend._spearman_rows, (np.round(X), 1e-10), np.full(B, -1.0)),
        (trend._ols_rows, (t, X), np.full(B, -1.0)),
    ]
    for kernel, args, out in cases:
        ser, par = kernel.twins()
        a, b = out.copy(), out.copy()
        ser(*args, a)
        par(*args, b)
        np.testing.assert_array_equal(a, b, err_msg=kernel.__name__)
        assert not np.any(a == -1.0), kernel.__name__  # every output written


def test_lifted_kernels_match_the_naive_reference(rng):
    x = rng.standard_normal(200).cumsum()
    X = np.vstack([x, x[::-1]])
    out = rolling.rolling_moments(X, np.array([200, 200]), np.array([30, 30]), [rolling.VAR])
    for i in range(2):
        ref = naive.rolling(X[i], 30, naive.variance)
        np.testing.assert_allclose(out[0, i], ref, rtol=1e-10, equal_nan=True)


def test_a_row_kernel_needs_its_rows_argument():
    with pytest.raises(TypeError, match="'Z'"):
        _kernels.rows("Z")(lambda i, X, out: None)


def _run(code, **env):
    full = {**os.environ, "PYTHONPATH": str(REPO), **env}
    for k in [k for k, v in env.items() if v is None]:
        full.pop(k, None)
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=full,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_import_compiles_nothing():
    out = _run("""
        import ews, sys
        from ews._kernels import RowKernel
        mods = [m for n, m in list(sys.modules.items()) if n.startswith('ews._kernels.')]
        kernels = [v for m in mods for v in vars(m).values() if isinstance(v, RowKernel)]
        print(sum(k._twins is not None or bool(k.row.signatures) for k in kernels))
    """)
    assert out == "0"


def test_two_lifted_kernels_never_share_a_disk_cache_entry(tmp_path):
    """Two row kernels in one module, compiled in one process and loaded from the disk cache in another:
    each twin gets its own entry (a shared one would make the second kernel return the first's result)."""
    mod = tmp_path / "liftmod.py"
    mod.write_text(textwrap.dedent("""
        from ews._kernels import rows

        @rows("X")
        def plus_one(i, X, out):
            out[i] = X[i, 0] + 1.0

        @rows("X")
        def times_ten(i, X, out):
            out[i] = X[i, 0] * 10.0
    """))
    code = """
        import numpy as np, liftmod
        for X in (np.full((2, 3), 2.0), np.full((2, 20000), 2.0)):   # serial, then parallel twin
            a = np.empty(2); b = np.empty(2)
            liftmod.plus_one(X, a); liftmod.times_ten(X, b)
            print(a[0], b[0], end=' ')
        ks = (liftmod.plus_one, liftmod.times_ten)
        print(sum(sum(t.stats.cache_hits.values()) for k in ks for t in k.twins()))
    """
    env = {"PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}", "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    first = _run(code, **env)
    second = _run(code, **env)
    assert first.split()[:4] == ["3.0", "20.0", "3.0", "20.0"]
    assert second.split()[:4] == ["3.0", "20.0", "3.0", "20.0"]
    assert first.split()[4] == "0" and second.split()[4] == "4"   # compiled once, then loaded


def test_wait_policy_is_passive_unless_the_user_chose_one():
    code = "import os, ews._kernels as k; print(os.environ.get('OMP_WAIT_POLICY'), '|', k.THREADS)"
    assert _run(code, OMP_WAIT_POLICY=None, GOMP_SPINCOUNT=None, KMP_BLOCKTIME=None,
                EWS_OMP_WAIT_POLICY=None).startswith("PASSIVE |")
    assert _run(code, OMP_WAIT_POLICY="ACTIVE").startswith("ACTIVE | kept")
    assert _run(code, OMP_WAIT_POLICY=None, EWS_OMP_WAIT_POLICY="keep").startswith("None | kept")
