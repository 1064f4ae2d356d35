"""Reading series from files into :class:`~ews.series.TimeSeries`."""
from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

from ._errors import InputError
from ._validate import show
from .series import TIME_COLUMN_NAMES, TimeSeries

#: Field separators recognised when ``sep`` is not given (in order of preference when several fit).
SEPARATORS = (",", ";", "\t", "|")
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+(?:[eE][-+]?\d+)?\s*$")
_SNIFF_LINES = 50


def _sep_name(sep: str) -> str:
    return {"\t": "tab ('\\t')", ";": "';'", ",": "','", "|": "'|'"}.get(sep, repr(sep))


def _sniff(path, encoding) -> tuple[str | None, str | None]:
    """(separator, decimal) read from the first lines, or (None, None) when nothing is clear.

    A separator fits when every line has the same, nonzero number of it (quoted fields aside). ',' is
    preferred when it fits; otherwise the only one that fits. With a separator other than ',', fields
    such as ``0,5`` mean a decimal comma."""
    try:
        with open(path, encoding=encoding or "utf-8", errors="replace", newline="") as f:
            lines = []
            for line in f:
                line = line.rstrip("\r\n")
                if line.strip():
                    lines.append(re.sub(r'"[^"]*"', "", line))
                if len(lines) >= _SNIFF_LINES:
                    break
    except OSError:
        return None, None
    if len(lines) < 2:
        return None, None
    fits = [s for s in SEPARATORS if len({ln.count(s) for ln in lines}) == 1 and lines[0].count(s) > 0]
    sep = "," if "," in fits else (fits[0] if len(fits) == 1 else None)
    decimal = None
    if sep is not None and sep != ",":
        fields = [f for ln in lines[1:] for f in ln.split(sep)]
        if any(_DECIMAL_COMMA.match(f) for f in fields):
            decimal = ","
    return sep, decimal


def read_csv(path, time: str | int | None = None, value: str | int | list | None = None, *,
             sep: str | None = None, decimal: str | None = None,
             missing: str = "raise", sort: bool = False, parse_dates: bool | None = None,
             name: str | None = None, units: str | None = None, **read_kwargs) -> TimeSeries:
    """Read a CSV file into a TimeSeries.

    Parameters
    ----------
    path : str or path-like
    time : str or int, optional
        Column holding the time stamps (name or position). Default: the first column if the file has
        more than one column, else the row number.
    value : str, int or list, optional
        Column(s) holding the values; several columns give one series each. Default: every column
        except ``time``.
    sep : str, optional
        Field separator. Default: read from the first lines (',', ';', tab or '|', whichever splits
        every line into the same number of fields; ',' when several do).
    decimal : str, optional
        Decimal mark. Default '.', or ',' when the separator is not ',' and the fields hold numbers
        such as ``0,5`` (European CSV: ``sep=';'``, ``decimal=','``).
    parse_dates : bool, optional
        Parse the time column as dates. Default: try when the column is not numeric.
    missing, sort, name, units
        As in :class:`TimeSeries`.
    **read_kwargs
        Passed to :func:`pandas.read_csv` (e.g. ``skiprows``, ``comment``, ``na_values``, ``encoding``).

    Raises
    ------
    InputError
        A missing file, a directory, a file that is not text, a file whose lines have more fields than
        its header, a one-column file whose header holds a separator, a value column that is not
        numeric (with the column, row and the fix: ``decimal=','``, ``na_values=...``) ...
    """
    if "delimiter" in read_kwargs:
        sep = read_kwargs.pop("delimiter") if sep is None else sep
    for arg, val in (("sep", sep), ("decimal", decimal)):
        if val is not None and not (isinstance(val, str) and val):
            raise InputError(f"{arg} must be a non-empty string such as ';' or ',', got {show(val)}.")
    spath = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    if spath is not None:
        if os.path.isdir(spath):
            raise InputError(f"{spath} is a directory, not a CSV file; pass the path of a file inside it.")
        if not os.path.exists(spath):
            raise InputError(f"no such file: {spath}")
    sniffed_sep, sniffed_dec = _sniff(spath, read_kwargs.get("encoding")) if spath is not None else (None, None)
    use_sep = sep if sep is not None else (sniffed_sep or ",")
    use_dec = decimal if decimal is not None else (sniffed_dec if use_sep == sniffed_sep and sniffed_dec else ".")
    if use_sep == use_dec:
        raise InputError(f"sep and decimal are both {use_sep!r}; a European CSV is sep=';', decimal=','.")
    try:
        df = pd.read_csv(path, sep=use_sep, decimal=use_dec, **read_kwargs)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}; pass the path of a readable CSV file.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"could not read {path} as CSV ({first}); check that it is a text CSV file and pass "
                         "sep=/decimal=/encoding= if it differs from comma-separated UTF-8.") from None
    except TypeError as exc:  # a bad read_kwargs keyword
        raise InputError(f"read_csv: {exc}; the extra keywords are passed to pandas.read_csv.") from None
    if df.shape[0] == 0:
        raise InputError(f"{path} has no data rows.")
    if not isinstance(df.index, pd.RangeIndex) and "index_col" not in read_kwargs:
        raise InputError(
            f"the data lines of {path} have more fields than its header line (split at {_sep_name(use_sep)}), "
            "so the numbers would be misread. "
            + ("The file looks European (';' between fields, ',' in numbers): pass sep=';', decimal=',' "
               "(ews analyze: --sep ';' --decimal ',')."
               if ";" in str(df.columns[0]) or use_sep == "," and ";" in str(df.index[0]) else
               "Pass the right sep= (and decimal=), or fix the header.")
        )
    if df.shape[1] == 1:
        head = str(df.columns[0])
        inside = [s for s in SEPARATORS + (" ",) if s != use_sep and s in head.strip()]
        if inside:
            s = inside[0]
            raise InputError(
                f"{path} reads as one column whose header {head!r} contains {_sep_name(s)}: the fields are "
                f"probably separated by {_sep_name(s)}. Pass sep={s!r}"
                + (" (and decimal=',' if the numbers use decimal commas)." if s == ";" else ".")
            )

    def col(c):
        if isinstance(c, (int, np.integer)) and not isinstance(c, bool) and c not in df.columns:
            if not 0 <= c < df.shape[1]:
                raise InputError(f"column position {show(c)} is out of range; {path} has {df.shape[1]} columns.")
            return df.columns[c]
        if not isinstance(c, (str, int, np.integer)) or isinstance(c, bool) or c not in df.columns:
            raise InputError(f"no column {show(c)} in {path}; the columns are {[str(x) for x in df.columns]}.")
        return c

    tcol = col(time) if time is not None else (df.columns[0] if df.shape[1] > 1 else None)
    if value is None:
        vcols = [c for c in df.columns if c != tcol]
    elif isinstance(value, (list, tuple)):
        vcols = [col(c) for c in value]
    else:
        vcols = [col(value)]
    if not vcols:
        raise InputError(f"{path} has no value column besides the time column {str(tcol)!r}.")
    if tcol is not None and tcol in vcols:
        raise InputError(f"column {str(tcol)!r} is both the time and a value column; choose different columns.")

    for c in vcols:
        s = df[c]
        if isinstance(c, str) and c.strip().lower() in TIME_COLUMN_NAMES and value is None:
            raise InputError(
                f"column {c!r} of {path} looks like time but would be read as a series (the time column is "
                f"{str(tcol)!r}). Pass time={c!r} (and value=... for the series)."
            )
        if not pd.api.types.is_numeric_dtype(s):
            _check_numeric_column(s, c, path, use_sep, use_dec)
    if tcol is None:
        tvals = np.arange(df.shape[0], dtype=np.float64)
    else:
        tser = df[tcol]
        if parse_dates or (parse_dates is None and not pd.api.types.is_numeric_dtype(tser)):
            tvals = _parse_dates(tser, tcol)
        else:
            tvals = tser.to_numpy()
    data = pd.DataFrame({str(c): df[c].to_numpy() for c in vcols}, index=pd.Index(tvals))
    if len(vcols) == 1:
        data = data.iloc[:, 0]
        name = name if name is not None else str(vcols[0])
    ts = TimeSeries(data, missing=missing, sort=sort, name=name, units=units)
    ts.attrs["history"] = [{"step": "read_csv", "path": str(path), "time": None if tcol is None else str(tcol),
                            "value": [str(c) for c in vcols], "sep": use_sep, "decimal": use_dec}] + ts.history
    return ts


def _parse_dates(tser: pd.Series, tcol) -> np.ndarray:
    """Dates of the time column (timezone offsets converted to UTC), or an InputError."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas' "could not infer format"
        try:
            parsed = pd.to_datetime(tser)
        except (TypeError, ValueError, OverflowError):
            try:
                parsed = pd.to_datetime(tser, utc=True)  # mixed offsets
            except (TypeError, ValueError, OverflowError):
                raise InputError(
                    f"the time column {str(tcol)!r} is neither numeric nor dates (first value {show(tser.iloc[0])}); "
                    "pass time= the right column, or parse_dates=False with numeric time."
                ) from None
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    if parsed.isna().any():
        i = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise InputError(f"the time column {str(tcol)!r} has a missing date at row {i}; remove that row or "
                         "fill the date.")
    return parsed.to_numpy()


def _check_numeric_column(s: pd.Series, c, path, sep, decimal) -> None:
    """A value column read as text: say which entry is not a number and what fixes it."""
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() & s.notna()
    if not bad.any():
        return
    i = int(np.flatnonzero(bad.to_numpy())[0])
    v = s.iloc[i]
    if isinstance(v, str) and _DECIMAL_COMMA.match(v) and decimal != ",":
        fix = f"The numbers use decimal commas: pass decimal=','" + (" and sep=';'" if sep == "," else "") + "."
    elif isinstance(v, str) and re.match(r"^\s*[-+]?\d{1,3}([.,]\d{3})+([.,]\d+)?\s*$", v):
        fix = "The numbers have thousands separators: pass thousands=',' (or '.')."
    else:
        fix = (f"If {v!r} marks a missing value, pass na_values=[{v!r}] (and missing='interpolate' or 'drop'); "
               "otherwise choose the value columns with value=....")
    raise InputError(f"column {str(c)!r} of {path} is not numeric: row {i} holds {v!r}. {fix}")
