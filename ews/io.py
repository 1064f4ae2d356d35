"""Reading series from files into :class:`~ews.series.TimeSeries`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._errors import InputError
from .series import TimeSeries


def read_csv(path, time: str | int | None = None, value: str | int | list | None = None, *,
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
    parse_dates : bool, optional
        Parse the time column as dates. Default: try when the column is not numeric.
    missing, sort, name, units
        As in :class:`TimeSeries`.
    """
    try:
        df = pd.read_csv(path, **read_kwargs)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"could not read {path} as CSV: {exc}") from None
    if df.shape[0] == 0:
        raise InputError(f"{path} has no data rows.")

    def col(c):
        if isinstance(c, (int, np.integer)) and c not in df.columns:
            if not 0 <= c < df.shape[1]:
                raise InputError(f"column position {c} is out of range; {path} has {df.shape[1]} columns.")
            return df.columns[c]
        if c not in df.columns:
            raise InputError(f"no column {c!r} in {path}; the columns are {list(df.columns)}.")
        return c

    tcol = col(time) if time is not None else (df.columns[0] if df.shape[1] > 1 else None)
    if value is None:
        vcols = [c for c in df.columns if c != tcol]
    elif isinstance(value, (list, tuple)):
        vcols = [col(c) for c in value]
    else:
        vcols = [col(value)]
    if not vcols:
        raise InputError(f"{path} has no value column besides the time column {tcol!r}.")
    if tcol is None:
        tvals = np.arange(df.shape[0], dtype=np.float64)
    else:
        tser = df[tcol]
        if parse_dates or (parse_dates is None and not pd.api.types.is_numeric_dtype(tser)):
            try:
                tvals = pd.to_datetime(tser).to_numpy()
            except (TypeError, ValueError):
                raise InputError(
                    f"the time column {tcol!r} is neither numeric nor dates (first value {tser.iloc[0]!r})."
                ) from None
        else:
            tvals = tser.to_numpy()
    if len(vcols) == 1:
        data = pd.Series(df[vcols[0]].to_numpy(), index=pd.Index(tvals), name=str(vcols[0]))
        name = name if name is not None else str(vcols[0])
    else:
        data = pd.DataFrame({str(c): df[c].to_numpy() for c in vcols}, index=pd.Index(tvals))
    ts = TimeSeries(data, missing=missing, sort=sort, name=name, units=units)
    ts.attrs["history"] = [{"step": "read_csv", "path": str(path), "time": None if tcol is None else str(tcol),
                            "value": [str(c) for c in vcols]}] + ts.history
    return ts
