"""Numba kernels: float64 arrays in, arrays out. No pandas, no xarray, no validation.

Conventions shared by every kernel
----------------------------------
* Data arrive as C-contiguous float64 arrays of shape ``(batch, time)``; each row is one series.
* A row may be shorter than the array: ``lengths[i]`` is the number of valid leading points of row ``i``
  (rows are padded at the end; padding is never read). Outputs at padded positions are NaN.
* Rolling kernels take a per-row window ``windows[i]`` (points); the value of the window
  ``x[j - w + 1 .. j]`` is stamped at ``j`` (right-aligned); positions ``j < w - 1`` are NaN.
* A row's result never depends on other rows or on the number of threads.
* Every function is compiled lazily (on first call) and cached on disk (``cache=True``); importing a
  kernel module compiles nothing.

Kernels over rows: written once, lifted to a batch
--------------------------------------------------
A kernel over rows is written once, as the work on row ``i``::

    @rows("X")
    def _moments_row(i, X, lengths, windows, codes, order, out):
        ...   # reads X[i], writes out[..., i, ...]

:func:`rows` (the model is numbagg's decorators: a per-row loop lifted to a batch) compiles the row
function with ``njit(cache=True)`` and returns a :class:`RowKernel`. Calling it with the row function's
arguments minus ``i`` runs every row (``range(X.shape[0])``, ``X`` the argument named in ``rows``):

* the **serial twin** loops with ``range``; the **parallel twin** with ``numba.prange``;
* the dispatcher picks the serial twin for a single row or a batch of fewer than
  :data:`SERIAL_MAX_ELEMENTS` values (see :func:`serial`), the parallel twin otherwise.

Both twins are generated from one small source template (``exec``) the first time the kernel is
called, under a name unique to the row function, the twin, the template and the content of the row
function's source file *when it was imported* (``<row>__serial_<template digest><file digest>``), and
with that file as their file name. numba's on-disk cache keys a function by its file's content and its
qualified name, so the twins are cached like any other kernel, two kernels never share a cache entry,
and editing the row function's file (or the template) never loads a stale twin, even when a process that
imported the old file builds its twins after the edit. Results are bit-identical to a hand-written loop: the
twins only call the row function.

Threads on a busy machine
-------------------------
numba's default OpenMP layer (GNU libgomp here) makes idle workers *spin* for a while after every
parallel region. When another process holds a core, the spinning worker takes CPU from ews' own main
thread and from the other process, and every launch waits for a descheduled worker: the pipeline ran 2-3x
slower with one competing process. :func:`configure_threads` (run when this package is first imported,
i.e. before any ews kernel can launch threads) therefore sets
``OMP_WAIT_POLICY=PASSIVE`` (idle workers sleep at once) **unless the user has set it or
``GOMP_SPINCOUNT``**, and unless an OpenMP runtime is already loaded (then the setting would not take
effect and is not made). The threading layer itself is left to numba (``NUMBA_THREADING_LAYER``): the
``workqueue`` layer does not spin either but aborts the process when two Python threads launch kernels at
once (dask's threaded scheduler does), and TBB is not installed here.

numba also splits a parallel loop's rows evenly between its threads, once (chunked dynamic scheduling,
``numba.set_parallel_chunksize``, measured no better here). With one thread per core, the thread that
shares its core with another process runs at half speed and the batch waits for it: the 10,000 x 1,000
pipeline ran 1.5-1.6x slower with one competing process. :func:`configure_thread_count` therefore
starts two worker threads per usable core (``OVERSUBSCRIBE``) **unless the user has set
``NUMBA_NUM_THREADS``** (or imported numba before ews): the slowed threads then hold a quarter of the
rows each, and the same batch runs 1.3x slower instead (idle cores: no measurable cost on large
batches, ~10 % on batches just above the serial threshold). Set ``NUMBA_NUM_THREADS`` (e.g. to the
number of cores, or 1 per dask worker) to choose otherwise. Measurements: benchmarks/README.md.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import os
import sys

SERIAL_MAX_ELEMENTS = 20_000
"""A batch with fewer values than this (or a single row) runs on the calling thread: a parallel launch
costs ~10 us on idle cores and more when the cores are busy."""


def serial(X) -> bool:
    """Run the serial twin for this (rows, time) array?"""
    return X.shape[0] < 2 or X.shape[0] * X.shape[1] < SERIAL_MAX_ELEMENTS


# --------------------------------------------------------------------------------------------------
# One mechanism: a per-row function lifted to its serial and parallel batch twins

_TEMPLATE = '''\
def {name}({args}):
    for row_ in {loop}({by}.shape[0]):
        ROW(row_, {args})
'''
_TEMPLATE_DIGEST = hashlib.sha1(_TEMPLATE.encode()).hexdigest()[:8]


@functools.lru_cache(maxsize=None)
def _file_digest(filename: str) -> str:
    try:
        with open(filename, "rb") as fh:
            return hashlib.sha1(fh.read()).hexdigest()[:8]
    except OSError:
        return ""


class RowKernel:
    """A per-row kernel with its serial and parallel batch twins and the dispatcher between them.

    ``kernel(*args)`` runs every row (``args`` are the row function's arguments without ``i``).
    ``kernel.row`` is the compiled row function, ``kernel.serial_twin`` and ``kernel.parallel_twin`` the
    batch versions (generated on first use), ``kernel.dispatch(*args)`` the twin a call would use.
    """

    def __init__(self, row, by: str):
        self.row = row
        py = row.py_func
        params = list(inspect.signature(py).parameters)
        if len(params) < 2 or by not in params[1:]:
            raise TypeError(f"a row kernel takes (row index, ...) with {by!r} among its arguments; "
                            f"{py.__name__} takes {params}")
        self.args = params[1:]
        self.by = by
        self._by_index = self.args.index(by)
        self._twins = None
        # the source file as it was when the row function was compiled-to-be: a process that builds its
        # twins after the file was edited must not store the old code under the new file's cache stamp
        self._file_digest = _file_digest(py.__code__.co_filename)
        self.__name__ = py.__name__
        self.__qualname__ = py.__qualname__
        self.__module__ = py.__module__
        self.__doc__ = py.__doc__

    def _make(self, parallel: bool):
        from numba import njit

        py = self.row.py_func
        kind = "parallel" if parallel else "serial"
        name = f"{py.__name__}__{kind}_{_TEMPLATE_DIGEST}{self._file_digest}"
        src = _TEMPLATE.format(name=name, args=", ".join(self.args), by=self.by,
                               loop="prange" if parallel else "range")
        # the row function's file: numba's cache locates the twin next to it and invalidates it with it
        filename = py.__code__.co_filename
        code = compile(src, filename, "exec")
        import numba

        namespace = {"ROW": self.row, "prange": numba.prange, "__name__": py.__module__}
        exec(code, namespace)
        f = namespace[name]
        f.__module__ = py.__module__
        f.__qualname__ = name
        f.__doc__ = f"{kind} batch twin of {py.__module__}.{py.__qualname__} (generated by ews._kernels.rows)"
        return njit(cache=True, parallel=parallel)(f)

    def twins(self):
        """(serial twin, parallel twin), generated on first use."""
        if self._twins is None:
            self._twins = (self._make(False), self._make(True))
        return self._twins

    @property
    def serial_twin(self):
        return self.twins()[0]

    @property
    def parallel_twin(self):
        return self.twins()[1]

    def dispatch(self, *args):
        ser, par = self.twins()
        return ser if serial(args[self._by_index]) else par

    def __call__(self, *args):
        self.dispatch(*args)(*args)

    def __repr__(self) -> str:
        return f"<ews row kernel {self.__module__}.{self.__qualname__} over rows of {self.by!r}>"


def rows(by: str, **njit_options):
    """Decorator: lift a per-row function ``f(i, *args)`` to a :class:`RowKernel` over the rows of the
    argument named ``by`` (see the module docstring). The row function is compiled with
    ``njit(cache=True, **njit_options)``."""

    def lift(func) -> RowKernel:
        from numba import njit
        from numba.core.dispatcher import Dispatcher

        row = func if isinstance(func, Dispatcher) else njit(cache=True, **njit_options)(func)
        return RowKernel(row, by)

    return lift


# --------------------------------------------------------------------------------------------------
# Threads on a busy machine

_OPENMP_LIBS = ("libgomp", "libiomp", "libomp.")


def _openmp_loaded() -> bool:
    """Is an OpenMP runtime already mapped into this process (Linux; False where unknown)?"""
    try:
        with open(f"/proc/{os.getpid()}/maps") as fh:
            maps = fh.read()
    except OSError:
        return False
    return any(lib in maps for lib in _OPENMP_LIBS)


def configure_threads() -> str:
    """Make idle OpenMP workers sleep instead of spin (see the module docstring); returns what was done.

    Respects an explicit ``OMP_WAIT_POLICY``, ``GOMP_SPINCOUNT`` or ``KMP_BLOCKTIME``, and
    ``EWS_OMP_WAIT_POLICY=keep`` (leave the environment alone). Safe to call more than once.
    """
    if os.environ.get("EWS_OMP_WAIT_POLICY", "").lower() == "keep":
        return "kept (EWS_OMP_WAIT_POLICY=keep)"
    for var in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME"):
        if var in os.environ:
            return f"kept the user's {var}={os.environ[var]}"
    if _openmp_loaded() or _numba_threads_launched():
        return "not set: an OpenMP runtime was already loaded"
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    return "set OMP_WAIT_POLICY=PASSIVE"


def _numba_threads_launched() -> bool:
    par = sys.modules.get("numba.np.ufunc.parallel")
    return bool(par is not None and getattr(par, "_is_initialized", False))


OVERSUBSCRIBE = 2
"""Worker threads per core when the user has not set ``NUMBA_NUM_THREADS`` (see the module docstring)."""


def configure_thread_count() -> str:
    """Start ``OVERSUBSCRIBE`` worker threads per usable core unless the user set ``NUMBA_NUM_THREADS``.

    numba splits a parallel loop's rows evenly between its threads, once. When another process holds
    a core, the thread that shares it runs at half speed and the whole batch waits for it (2x); with two
    threads per core each thread holds a quarter of the rows and the slowed pair shares the core with
    one competitor (about 1.3x on two cores). On idle cores the extra threads cost nothing measurable on
    large batches and ~10 % on batches just above the serial threshold. Only possible before numba is
    first imported (its configuration is read then); ``numba.set_num_threads`` lowers the count later.

    The variable stays in ``os.environ`` (numba re-reads its configuration at every compilation and
    refuses a changed thread count once its threads run), so child processes inherit it, marked by
    ``EWS_SET_NUMBA_NUM_THREADS``. Worker pools (multiprocessing, dask) should set ``NUMBA_NUM_THREADS``
    for their workers themselves (e.g. 1 each).
    """
    if "NUMBA_NUM_THREADS" in os.environ:
        if os.environ.get("EWS_SET_NUMBA_NUM_THREADS") == os.environ["NUMBA_NUM_THREADS"]:
            return f"NUMBA_NUM_THREADS={os.environ['NUMBA_NUM_THREADS']} inherited from a parent process's ews"
        return f"kept the user's NUMBA_NUM_THREADS={os.environ['NUMBA_NUM_THREADS']}"
    if "numba" in sys.modules:
        return "not set: numba was imported before ews"
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    os.environ["NUMBA_NUM_THREADS"] = os.environ["EWS_SET_NUMBA_NUM_THREADS"] = str(OVERSUBSCRIBE * cores)
    return f"set NUMBA_NUM_THREADS={OVERSUBSCRIBE * cores} ({OVERSUBSCRIBE} per core)"


THREADS = configure_threads() + "; " + configure_thread_count()
"""What :func:`configure_threads` did when the kernels were first imported (shown by the benchmarks)."""
