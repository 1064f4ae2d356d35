"""Seeding: one rule for every random function in ews.

Every random function takes ``seed`` (``None``, an int, a :class:`numpy.random.SeedSequence` or a
:class:`numpy.random.Generator`). Work that is split into rows (replicates, surrogates, grid cells) gets
one independent stream per row, derived from the seed and the row's *global* index, so the numbers do
not depend on the number of threads, on chunking, or on which worker computes which rows.

Row ``i`` of a call with seed ``s`` uses the stream ``SeedSequence(entropy, spawn_key=(i,))`` where
``entropy`` comes from ``s``; :func:`row_states` turns those into 4 x uint64 states for the
xoshiro256** generator implemented in numba in :mod:`ews._kernels.rng`. :func:`fast_row_states` gives
the same states about 50x faster (a numba port of numpy's SeedSequence hashing, checked against
:func:`row_states` once per session).
"""
from __future__ import annotations

import numbers

import numpy as np

from ._errors import InputError


def seed_sequence(seed) -> np.random.SeedSequence:
    """Normalise ``seed`` to a SeedSequence (the root of all streams of one call)."""
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        # Draw entropy from the generator: deterministic given the generator's state.
        return np.random.SeedSequence(int(seed.integers(0, 2**63 - 1)))
    if isinstance(seed, (numbers.Integral, np.integer)) and not isinstance(seed, bool):
        if seed < 0:
            raise InputError(f"seed must be a non-negative integer, got {seed}.")
        return np.random.SeedSequence(int(seed))
    raise InputError(
        f"seed must be None, a non-negative int, a numpy SeedSequence or Generator; got {type(seed).__name__}."
    )


def row_sequences(seed, n_rows: int, offset: int = 0) -> list[np.random.SeedSequence]:
    """One SeedSequence per row ``offset .. offset + n_rows - 1`` (global row indices)."""
    root = seed_sequence(seed)
    return [
        np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (offset + i,))
        for i in range(n_rows)
    ]


def row_generators(seed, n_rows: int, offset: int = 0) -> list[np.random.Generator]:
    """One numpy Generator (PCG64) per row; row i's numbers depend only on (seed, offset + i)."""
    return [np.random.Generator(np.random.PCG64(s)) for s in row_sequences(seed, n_rows, offset)]


def row_states(seed, n_rows: int, offset: int = 0) -> np.ndarray:
    """(n_rows, 4) uint64 xoshiro256** states, one independent stream per row."""
    out = np.empty((n_rows, 4), dtype=np.uint64)
    for i, s in enumerate(row_sequences(seed, n_rows, offset)):
        st = s.generate_state(4, dtype=np.uint64)
        if not st.any():  # the all-zero state is the one forbidden xoshiro state
            st[0] = 1
        out[i] = st
    return out


_FAST_SEEDING: bool | None = None
_CHILD_POOL_SIZE = np.random.SeedSequence(0).pool_size


def _seed_prefix(root: np.random.SeedSequence) -> np.ndarray:
    """The uint32 words numpy assembles from ``root.entropy`` and ``root.spawn_key`` (before a child index)."""
    from numpy.random.bit_generator import _coerce_to_uint32_array

    run = _coerce_to_uint32_array(root.entropy)
    pool = _CHILD_POOL_SIZE  # the rows' sequences (row_sequences) have the default pool, whatever root's
    if len(run) < pool:
        run = np.concatenate([run, np.zeros(pool - len(run), dtype=np.uint32)])
    key = _coerce_to_uint32_array(tuple(root.spawn_key)) if len(root.spawn_key) else np.zeros(0, dtype=np.uint32)
    return np.ascontiguousarray(np.concatenate([run, key]), dtype=np.uint32)


def fast_row_states(seed, n_rows: int, offset: int = 0) -> np.ndarray:
    """:func:`row_states` computed in a numba kernel (bit-identical; verified once per session, falling
    back to :func:`row_states` if numpy's SeedSequence ever differs)."""
    global _FAST_SEEDING
    root = seed_sequence(seed)
    if _FAST_SEEDING is None:
        try:
            from ._kernels.rng import seed_states

            probe = np.random.SeedSequence(20261125, spawn_key=(7,))
            _FAST_SEEDING = bool(np.array_equal(seed_states(_seed_prefix(probe), 3, 4), row_states(probe, 4, offset=3)))
        except Exception:  # noqa: BLE001 - any problem: use the reference implementation
            _FAST_SEEDING = False
    if _FAST_SEEDING:
        from ._kernels.rng import seed_states

        return seed_states(_seed_prefix(root), int(offset), int(n_rows))
    return row_states(root, n_rows, offset=offset)
