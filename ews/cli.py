"""The ``ews`` command.

    ews analyze data.csv --time year --value abundance --detrend gaussian --bandwidth 0.1
    ews analyze --dataset fold --before-transition --null ar1 --surrogates 1000 --seed 1
    ews datasets            # bundled datasets
    ews indicators          # the indicator registry

Exit codes: 0 success, 2 bad input or arguments (one clear message on stderr, no traceback),
1 unexpected error.
"""
from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_ERROR, EXIT_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ews", description="Early-warning signals of regime shifts.")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyze", help="rolling indicators and their trend (optionally a surrogate test)")
    src = a.add_mutually_exclusive_group(required=True)
    src.add_argument("path", nargs="?", help="CSV file: a time column and one or more value columns")
    src.add_argument("--dataset", help="name of a bundled dataset (see `ews datasets`)")
    a.add_argument("--time", help="time column of the CSV (default: the first column)")
    a.add_argument("--value", action="append", help="value column(s) of the CSV (default: all others)")
    a.add_argument("--missing", default="raise", choices=["raise", "interpolate", "drop"])
    a.add_argument("--before-transition", action="store_true",
                   help="crop simulated replicates to the part before their transition")
    a.add_argument("--detrend", default="gaussian", help="gaussian, lowess, linear, first_difference or none")
    a.add_argument("--bandwidth", type=float, help="gaussian kernel sd as a fraction of the record (default 0.1)")
    a.add_argument("--span", type=float, help="lowess span (fraction of points)")
    a.add_argument("--window", default="0.5", help="rolling window: fraction of the length, or an integer number of points")
    a.add_argument("--indicators", default="variance,ar1,skewness,kurtosis",
                   help="comma-separated indicator names (see `ews indicators`)")
    a.add_argument("--trend", default="kendall", choices=["kendall", "spearman", "ols"])
    a.add_argument("--null", help="surrogate null model for a significance test (e.g. ar1, phase, arma)")
    a.add_argument("--surrogates", type=int, default=1000, help="number of surrogates (with --null)")
    a.add_argument("--seed", type=int, help="random seed (with --null)")
    a.add_argument("--output", help="write the results: .nc (everything) or .csv (the summary table)")

    sub.add_parser("datasets", help="list the bundled datasets")
    sub.add_parser("indicators", help="list the registered indicators")
    return p


def _window(text: str):
    from ._errors import InputError

    try:
        return int(text) if text.strip().isdigit() else float(text)
    except ValueError:
        raise InputError(f"--window must be a fraction (e.g. 0.5) or a number of points (e.g. 100), got {text!r}.")


def _analyze(args) -> int:
    import pandas as pd

    import ews

    if args.dataset:
        ts = ews.datasets.load(args.dataset)
    else:
        ts = ews.read_csv(args.path, time=args.time, value=args.value, missing=args.missing)
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
    if args.output:
        if args.output.endswith(".nc"):
            result.to_netcdf(args.output)
        else:
            table.to_csv(args.output, index=False)
    return EXIT_OK


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
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
    return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
