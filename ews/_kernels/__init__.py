"""Numba kernels: float64 arrays in, arrays out. No pandas, no xarray, no validation.

Conventions shared by every kernel
----------------------------------
* Data arrive as C-contiguous float64 arrays of shape ``(batch, time)``; each row is one series.
* A row may be shorter than the array: ``lengths[i]`` is the number of valid leading points of row ``i``
  (rows are padded at the end; padding is never read). Outputs at padded positions are NaN.
* Rolling kernels take a per-row window ``windows[i]`` (points); the value of the window
  ``x[j - w + 1 .. j]`` is stamped at ``j`` (right-aligned); positions ``j < w - 1`` are NaN.
* Rows are processed in parallel with ``numba.prange``; a row's result never depends on other rows or
  on the number of threads.
* Every function is compiled lazily (on first call) and cached on disk (``cache=True``).
* Kernels over rows come as a parallel and a serial twin behind a plain-Python dispatcher: a single
  row, or a batch too small to repay a parallel launch, runs serially (a parallel launch costs ~10 us
  on idle cores but milliseconds when the cores are busy).
"""

SERIAL_MAX_ELEMENTS = 20_000


def serial(X) -> bool:
    """Run the serial twin for this (rows, time) array?"""
    return X.shape[0] < 2 or X.shape[0] * X.shape[1] < SERIAL_MAX_ELEMENTS
