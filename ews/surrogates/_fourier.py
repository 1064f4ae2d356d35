"""Fourier surrogates: ``phase``, ``aaft`` and ``iaaft``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .._errors import InputError
from ._base import REGISTRY, FittedNull, NullModel, _by_length, _lead_shape, _states_view

register = REGISTRY.register


def _phase_randomise(F: np.ndarray, U: np.ndarray, L: int) -> np.ndarray:
    """Multiply the rfft coefficients F (..., L//2+1) by exp(2 pi i U) on 1 <= k < L/2 and invert."""
    from scipy import fft as sfft

    K = (L - 1) // 2
    G = F.copy()
    if K > 0:
        G[..., 1 : K + 1] = F[..., 1 : K + 1] * np.exp(2j * np.pi * U[..., :K])
    return sfft.irfft(G, n=L, axis=-1, workers=-1)


@register
@dataclass(frozen=True)
class Phase(NullModel):
    """Fourier phase randomisation (Theiler et al. 1992): DC kept, Nyquist kept (real)."""

    name: ClassVar[str] = "phase"
    summary: ClassVar[str] = "Fourier phase randomisation: periodogram (autocovariance) and mean kept"
    preserves: ClassVar[str] = "periodogram exactly (hence mean, variance, circular autocovariance); Gaussian values"
    reference: ClassVar[str] = "Theiler et al. 1992, Physica D 58:77"

    def _fit(self, ts, X, L):
        from scipy import fft as sfft

        R = X.shape[0]
        spectra = {length: sfft.rfft(X[rows, :length], axis=-1) for length, rows in _by_length(L)}

        def drawer(states, n):
            from .._kernels.surrogates import fill_uniform

            B = states.shape[0] // R
            out = np.full((B * R, n), np.nan)
            for length, rows in _by_length(L):
                K = (length - 1) // 2
                st = _states_view(states, rows, R, B)
                U = np.empty((st.shape[0], max(K, 1)))
                fill_uniform(st, U)
                F = np.broadcast_to(spectra[length], (B,) + spectra[length].shape)
                S = _phase_randomise(F, U.reshape(B, rows.size, -1), length)
                idx = (np.arange(B)[:, None] * R + rows[None, :]).reshape(-1)
                out[idx, :length] = S.reshape(-1, length)
            return out

        means = np.array([X[i, : L[i]].mean() for i in range(R)]).reshape(_lead_shape(ts))
        return FittedNull(self, ts, {"mean": means}, drawer)


def _rank_remap(sorted_vals: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Give the sorted values (rows, L) the ranks of Y (rows, L)."""
    order = np.argsort(Y, axis=-1, kind="stable")
    out = np.empty_like(Y)
    np.put_along_axis(out, order, sorted_vals, axis=-1)
    return out


@register
@dataclass(frozen=True)
class AAFT(NullModel):
    """Amplitude-adjusted Fourier transform surrogates (Theiler et al. 1992)."""

    name: ClassVar[str] = "aaft"
    summary: ClassVar[str] = "amplitude-adjusted phase randomisation: values kept exactly, spectrum approximately"
    preserves: ClassVar[str] = "the values exactly (a permutation), the periodogram approximately"
    reference: ClassVar[str] = "Theiler et al. 1992, Physica D 58:77"

    def _fit(self, ts, X, L):
        R = X.shape[0]
        sorted_rows = {length: np.sort(X[rows, :length], axis=-1) for length, rows in _by_length(L)}
        ranks = {length: np.argsort(np.argsort(X[rows, :length], axis=-1, kind="stable"), axis=-1)
                 for length, rows in _by_length(L)}

        def drawer(states, n):
            from scipy import fft as sfft

            from .._kernels.surrogates import fill_normal, fill_uniform

            B = states.shape[0] // R
            out = np.full((B * R, n), np.nan)
            for length, rows in _by_length(L):
                K = (length - 1) // 2
                st = _states_view(states, rows, R, B)
                Z = np.empty((st.shape[0], length))
                fill_normal(st, Z)
                U = np.empty((st.shape[0], max(K, 1)))
                fill_uniform(st, U)
                Z.sort(axis=-1)
                rk = np.broadcast_to(ranks[length], (B,) + ranks[length].shape).reshape(-1, length)
                G = np.take_along_axis(Z, rk, axis=-1)  # Gaussian values ordered like the data
                S = _phase_randomise(sfft.rfft(G, axis=-1), U, length)
                srt = np.broadcast_to(sorted_rows[length], (B,) + sorted_rows[length].shape).reshape(-1, length)
                idx = (np.arange(B)[:, None] * R + rows[None, :]).reshape(-1)
                out[idx, :length] = _rank_remap(srt, S)
            return out

        return FittedNull(self, ts, {}, drawer)


@register
@dataclass(frozen=True)
class IAAFT(NullModel):
    """Iterative AAFT surrogates (Schreiber & Schmitz 1996).

    Parameters
    ----------
    max_iter : int
        Iteration cap.
    tol : float
        Stop when the relative spectral misfit improves by less than ``tol`` (relative) in one iteration.
    """

    name: ClassVar[str] = "iaaft"
    summary: ClassVar[str] = "iterative AAFT: values exactly, Fourier amplitudes as close as the iteration gets"
    preserves: ClassVar[str] = "the values exactly (a permutation), the periodogram closely"
    reference: ClassVar[str] = "Schreiber & Schmitz 1996, Phys Rev Lett 77:635"
    max_iter: int = 200
    tol: float = 1e-8

    def __post_init__(self):
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise InputError(f"max_iter must be a positive integer, got {self.max_iter!r}.")
        if not (self.tol >= 0):
            raise InputError(f"tol must be >= 0, got {self.tol!r}.")

    def _fit(self, ts, X, L):
        from scipy import fft as sfft

        R = X.shape[0]
        sorted_rows = {length: np.sort(X[rows, :length], axis=-1) for length, rows in _by_length(L)}
        amps = {length: np.abs(sfft.rfft(X[rows, :length], axis=-1)) for length, rows in _by_length(L)}
        model = self
        stats = {"iterations_max": 0, "iterations_mean": 0.0, "misfit_max": 0.0}

        def drawer(states, n):
            from .._kernels.surrogates import shuffle_draw

            B = states.shape[0] // R
            out = np.full((B * R, n), np.nan)
            its_all, mis_all = [], []
            for length, rows in _by_length(L):
                st = _states_view(states, rows, R, B)
                srt = np.ascontiguousarray(np.broadcast_to(sorted_rows[length], (B,) + sorted_rows[length].shape)
                                           .reshape(-1, length))
                A = np.broadcast_to(amps[length], (B,) + amps[length].shape).reshape(-1, amps[length].shape[-1])
                S = np.empty((st.shape[0], length))
                shuffle_draw(st, srt, np.full(srt.shape[0], length, dtype=np.int64), S)
                S, its, mis = iaaft_iterate(S, srt, A, model.max_iter, model.tol)
                idx = (np.arange(B)[:, None] * R + rows[None, :]).reshape(-1)
                out[idx, :length] = S
                its_all.append(its)
                mis_all.append(mis)
            its = np.concatenate(its_all)
            mis = np.concatenate(mis_all)
            stats.update(iterations_max=int(its.max()), iterations_mean=float(its.mean()), misfit_max=float(mis.max()))
            return out

        return FittedNull(self, ts, {}, drawer, info=stats)


def iaaft_iterate(S: np.ndarray, sorted_vals: np.ndarray, A: np.ndarray, max_iter: int, tol: float):
    """Schreiber-Schmitz iteration on rows S (M, L) towards amplitudes A (M, L//2+1) and values sorted_vals.

    Returns (surrogates, iterations per row, final relative spectral misfit per row).
    """
    from scipy import fft as sfft

    M, L = S.shape
    S = S.copy()
    norm = np.sqrt(np.sum(A * A, axis=-1))
    norm[norm == 0] = 1.0
    active = np.arange(M)
    its = np.zeros(M, dtype=np.int64)
    prev = np.full(M, np.inf)
    misfit = np.zeros(M)
    ranks = np.argsort(S, axis=-1, kind="stable")
    for _ in range(max_iter):
        if active.size == 0:
            break
        F = sfft.rfft(S[active], axis=-1, workers=-1)
        absF = np.abs(F)
        err = np.sqrt(np.sum((absF - A[active]) ** 2, axis=-1)) / norm[active]
        misfit[active] = err
        with np.errstate(invalid="ignore", divide="ignore"):
            phase = np.where(absF > 0, F / np.where(absF > 0, absF, 1.0), 1.0)
        Y = sfft.irfft(A[active] * phase, n=L, axis=-1, workers=-1)
        new_ranks = np.argsort(Y, axis=-1, kind="stable")
        newS = np.empty_like(Y)
        np.put_along_axis(newS, new_ranks, sorted_vals[active], axis=-1)
        its[active] += 1
        same = np.all(new_ranks == ranks[active], axis=-1)
        small = np.isfinite(prev[active]) & (np.abs(prev[active] - err) <= tol * prev[active])
        S[active] = newS
        ranks[active] = new_ranks
        prev[active] = err
        active = active[~(same | small)]
    return S, its, misfit
