"""Resampling surrogates: ``block_bootstrap`` and ``shuffle``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .._errors import InputError
from ._base import REGISTRY, FittedNull, NullModel, _lead_shape

register = REGISTRY.register


@register
@dataclass(frozen=True)
class BlockBootstrap(NullModel):
    """Moving-block (Kuensch 1989) or stationary (Politis & Romano 1994) bootstrap.

    Parameters
    ----------
    block_length : int or float, optional
        Block length in points (mean block length for ``kind="stationary"``). Default
        :math:`\\lceil L^{1/3}\\rceil` per row.
    kind : {"moving", "stationary"}
    """

    name: ClassVar[str] = "block_bootstrap"
    summary: ClassVar[str] = "moving-block or stationary bootstrap of the values"
    preserves: ClassVar[str] = "the values (resampled with replacement), serial dependence within blocks"
    reference: ClassVar[str] = "Kuensch 1989, Ann Stat 17:1217; Politis & Romano 1994, JASA 89:1303"
    block_length: float | None = None
    kind: str = "moving"

    def __post_init__(self):
        if self.kind not in ("moving", "stationary"):
            raise InputError(f"kind must be 'moving' or 'stationary', got {self.kind!r}.")
        if self.block_length is not None and not (self.block_length >= 1):
            raise InputError(f"block_length must be >= 1 point, got {self.block_length!r}.")

    def _fit(self, ts, X, L):
        if self.block_length is None:
            bl = np.ceil(L.astype(float) ** (1.0 / 3.0))
        else:
            bl = np.full(L.shape, float(self.block_length))
        bl = np.minimum(bl, L.astype(float))
        stationary = self.kind == "stationary"

        def drawer(states, n):
            from .._kernels.surrogates import block_draw

            out = np.empty((states.shape[0], n))
            block_draw(states, X, L, bl, stationary, out)
            return out

        return FittedNull(self, ts, {"block_length": bl.reshape(_lead_shape(ts))}, drawer)


@register
@dataclass(frozen=True)
class Shuffle(NullModel):
    """Random permutation of the values (white-noise null)."""

    name: ClassVar[str] = "shuffle"
    summary: ClassVar[str] = "random permutation of the values (white-noise null)"
    preserves: ClassVar[str] = "the values exactly; no serial dependence"
    reference: ClassVar[str] = "Theiler et al. 1992, Physica D 58:77 (algorithm 0)"

    def _fit(self, ts, X, L):
        def drawer(states, n):
            from .._kernels.surrogates import shuffle_draw

            out = np.empty((states.shape[0], n))
            shuffle_draw(states, X, L, out)
            return out

        return FittedNull(self, ts, {}, drawer)
