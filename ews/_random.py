"""Seeding: one rule for every random function in ews.

Every random function takes ``seed`` (``None``, an int, a :class:`numpy.random.SeedSequence` or a
:class:`numpy.random.Generator`). Work that is split into rows (replicates, surrogates, grid cells) gets
one independent stream per row, derived from the seed and the row's *global* index, so the numbers do
not depend on the number of threads, on chunking, or on which worker computes which rows.

Row ``i`` of a call with seed ``s`` uses the stream ``SeedSequence(entropy, spawn_key=(i,))`` where
``entropy`` comes from ``s``; :func:`row_states` turns those into 4 x uint64 states for the
xoshiro256** generator implemented in numba in :mod:`ews._kernels.rng`.
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
