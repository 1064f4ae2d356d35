"""The ``ews`` command.

    ews analyze data.csv --time year --value abundance --detrend gaussian --bandwidth 0.1
    ews analyze --dataset fold --before-transition --null ar1 --surrogates 1000 --seed 1
    ews datasets            # bundled datasets
    ews indicators          # the indicator registry

Exit codes: 0 success, 2 bad input or arguments (one clear message on stderr, no traceback),
1 unexpected error (one line on stderr; ``--debug`` shows the traceback), 130 interrupted.

Paths are checked before any work: a missing input file, a directory given as the input, an
``--output`` into a folder that does not exist (or is not writable), or with an extension other than
``.nc``/``.csv``, stop the command at once. The results are printed before they are written, so a
failure to write loses nothing.
"""
from __future__ import annotations

import argparse
import os
import sys

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
OUTPUT_FORMATS = {".nc": "everything (netCDF)", ".csv": "the summary table (CSV)"}
_EPILOG = ("exit codes: 0 success; 2 bad input or arguments (one message on stderr); 1 unexpected error "
           "(one line on stderr, --debug shows the traceback); 130 interrupted.")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line error messages (exit code 2) instead of the usage block."""

    def error(self, message):
        self.exit(EXIT_INPUT, f"ews: error: {message} (see `{self.prog} --help`)\n")


def _parser() -> argparse.ArgumentParser:
    # the choices come from the registries, so a registered entry is a choice here at once
    from . import detrend, surrogates, trend

    p = _Parser(prog="ews", description="Early-warning signals of regime shifts.", epilog=_EPILOG)
    p.add_argument("--debug", action="store_true", help="show the Python traceback of unexpected errors")
    # --debug is also accepted after the subcommand; SUPPRESS, so that the subcommand's default does not
    # overwrite a --debug given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the Python traceback of unexpected errors")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    a = sub.add_parser("analyze", help="rolling indicators and their trend (optionally a surrogate test)",
                       epilog=_EPILOG, parents=[common])
    src = a.add_mutually_exclusive_group(required=True)
    src.add_argument("path", nargs="?", help="CSV file: a time column and one or more value columns")
    src.add_argument("--dataset", help="name of a bundled dataset (see `ews datasets`)")
    a.add_argument("--time", help="time column of the CSV (default: the first column)")
    a.add_argument("--value", action="append", help="value column(s) of the CSV (default: all others)")
    a.add_argument("--sep", help="field separator of the CSV (default: detected; ';' for European files)")
    a.add_argument("--decimal", help="decimal mark of the CSV (default: '.', or ',' detected with --sep ';')")
    a.add_argument("--missing", default="raise", choices=["raise", "interpolate", "drop"])
    a.add_argument("--before-transition", action="store_true",
                   help="crop simulated replicates to the part before their transition")
    a.add_argument("--detrend", default="gaussian", help="detrending method: " + ", ".join(detrend.names()))
    a.add_argument("--bandwidth", type=float, help="gaussian kernel sd as a fraction of the record (default 0.1)")
    a.add_argument("--span", type=float, help="lowess span (fraction of points)")
    a.add_argument("--window", default="0.5", help="rolling window: fraction of the length, or an integer number of points")
    a.add_argument("--indicators", default="variance,ar1,skewness,kurtosis",
                   help="comma-separated indicator names (see `ews indicators`)")
    a.add_argument("--trend", default="kendall", choices=trend.names())
    a.add_argument("--null", help="surrogate null model for a significance test: " + ", ".join(surrogates.names()))
    a.add_argument("--surrogates", type=int, default=1000, help="number of surrogates (with --null)")
    a.add_argument("--seed", type=int, help="random seed (with --null)")
    a.add_argument("--output", help="write the results: .nc (everything) or .csv (the summary table); "
                                    "checked before any work")

    sub.add_parser("datasets", help="list the bundled datasets", epilog=_EPILOG, parents=[common])
    sub.add_parser("indicators", help="list the registered indicators", epilog=_EPILOG, parents=[common])
    return p


def _window(text: str):
    from ._errors import InputError

    try:
        return int(text) if text.strip().isdigit() else float(text)
    except ValueError:
        raise InputError(f"--window must be a fraction (e.g. 0.5) or a number of points (e.g. 100), got {text!r}.")


def _check_output(path: str) -> None:
    """Refuse an output path that cannot be written, before any work is done."""
    import importlib.util

    from ._errors import InputError

    if os.path.isdir(path):
        raise InputError(f"--output {path} is a directory; give a file name, e.g. {os.path.join(path, 'results.csv')}.")
    ext = os.path.splitext(path)[1].lower()
    if ext not in OUTPUT_FORMATS:
        raise InputError(f"--output must end in .nc (everything) or .csv (the summary table), got {path!r}.")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError(f"the folder {folder} of --output does not exist; create it first (mkdir -p {folder}) "
                         "or choose another path.")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise InputError(f"cannot write {path} (permission denied); choose a path you can write to.")
    if ext == ".nc" and not any(importlib.util.find_spec(m) for m in ("netCDF4", "h5netcdf", "scipy")):
        raise InputError("writing .nc needs netCDF4, h5netcdf or scipy, and none is installed; "
                         "install one (pip install netCDF4) or write the summary table with --output results.csv.")


def _check_input(path: str) -> None:
    from ._errors import InputError

    if os.path.isdir(path):
        raise InputError(f"{path} is a directory; give a CSV file (e.g. {os.path.join(path, 'data.csv')}).")
    if not os.path.exists(path):
        raise InputError(f"no such file: {path}")


def _analyze(args) -> int:
    import pandas as pd

    import ews

    if args.output:
        _check_output(args.output)
    if args.path:
        _check_input(args.path)
    elif args.sep or args.decimal or args.time or args.value:
        raise ews.InputError("--time, --value, --sep and --decimal apply to a CSV file, not to --dataset.")
    if args.dataset:
        ts = ews.datasets.load(args.dataset)
    else:
        ts = ews.read_csv(args.path, time=args.time, value=args.value, missing=args.missing,
                          sep=args.sep, decimal=args.decimal)
    if args.before_transition:
        ts = ts.before_transition()
    det_params = {}
    if args.bandwidth is not None:
        det_params["bandwidth"] = args.bandwidth
    if args.span is not None:
        det_params["span"] = args.span
    pipeline = ews.Pipeline(
        detrend=args.detrend, window=_window(args.window),
        indicators=[s.strip() for s in args.indicators.split(",") if s.strip()], trend=args.trend, **det_params,
    )
    if args.null:
        result = pipeline.test(ts, null=args.null, n_surrogates=args.surrogates, seed=args.seed)
    else:
        result = pipeline.run(ts)
    table = result.summary()
    title = ts.name or (args.dataset or args.path)
    print(f"# ews {ews.__version__}: {title}  ({ts.n_rows} series, {ts.n} time points)")
    print(f"# detrend={pipeline.detrender.describe()}  window={pipeline.window}  trend={pipeline.trend}")
    with pd.option_context("display.max_rows", 200, "display.width", 160, "display.precision", 4):
        print(table.to_string(index=False))
    if not args.null:
        print("# statistic: trend of each indicator over time. Its textbook p-value is not valid for rolling "
              "windows; run with --null ar1 for a surrogate test.")
    sys.stdout.flush()
    if args.output:
        try:
            if args.output.lower().endswith(".nc"):
                result.to_netcdf(args.output)
            else:
                table.to_csv(args.output, index=False)
        except (OSError, ValueError, RuntimeError) as exc:
            print(f"ews: error: could not write {args.output}: {_one_line(exc)}. The table above holds the results.",
                  file=sys.stderr)
            return EXIT_ERROR
    return EXIT_OK


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings as one line: 'ews: warning: <message>'."""
    print(f"ews: warning: {message}", file=sys.stderr if file is None else file)


def main(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a bad argument (already reported in one line)
        return exc.code if isinstance(exc.code, int) else EXIT_INPUT
    import warnings

    # warnings as one line for the command's run only: catch_warnings restores showwarning (and the
    # filters) afterwards, so a caller of main() (a test, a notebook) keeps its own
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        return _run(args)


def _run(args) -> int:
    from ._errors import InputError

    try:
        if args.command == "analyze":
            return _analyze(args)
        if args.command == "datasets":
            import ews

            for name, desc in ews.datasets.names(describe=True).items():
                print(f"{name:24s} {desc}")
            return EXIT_OK
        if args.command == "indicators":
            import ews

            tab = ews.indicators.table()
            for name, row in tab.iterrows():
                print(f"{name:16s} {row['direction']:+d}  {row['summary']}")
            return EXIT_OK
    except InputError as exc:
        print(f"ews: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("ews: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `ews analyze ... | head`
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except (OSError, MemoryError) as exc:
        print(f"ews: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a bug in ews, not the user's mistake: one line, the traceback on request
        if args.debug:
            raise
        print(f"ews: internal error ({type(exc).__name__}: {_one_line(exc)}); rerun with --debug "
              "for the traceback and please report it.", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
