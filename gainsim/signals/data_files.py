"""Named columns of recorded samples: read from CSV, ``.npz`` or Parquet, checked cell by cell.

The ``data`` plant (:mod:`gainsim.signals.data`) reads its file here. Every problem is a
:class:`gainsim.fields.FieldError` whose key is the plant key it concerns (``path``,
``target``, ``inputs[1]``) and whose message names the file, and for a bad cell its row
and column, so the loader prints one line such as::

    log.toml: plant.inputs[0]: log.csv row 7 (line 8), column 'x1': not a number ('abc')

Formats:

* **CSV** (``.csv``): a header row of column names, then one row of cells per sample,
  read with the standard :mod:`csv` module (blank lines are skipped; every other row
  must have one cell per column). Only the columns the plant uses must be numbers.
* **npz** (``.npz``, :func:`numpy.savez`): one named array per column, 1-D (one value per
  row) or 2-D (a row of values per row); no pickled objects.
* **Parquet** (``.parquet``, ``.pq``): read with ``pyarrow`` (the optional extra
  ``gainsim[data]``); pandas is not needed, pyarrow gives numpy columns directly.
"""
from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gainsim.fields import FieldError
from gainsim.files import FileRefused, read_regular

MAX_DATA_BYTES = 500_000_000  # a recorded stream this large belongs in a database
FORMATS = {".csv": "csv", ".npz": "npz", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class Table:
    """The columns of one source: numeric arrays, or (CSV) the cells as strings.

    ``source`` names it in messages (the path as written, or ``data=``);
    ``lines`` holds the file line of each row (CSV), else it is empty.
    """

    source: str
    columns: dict
    lines: tuple = ()

    def where(self, row: int) -> str:
        """``row 7 (line 8)`` for a CSV file, ``row 7`` otherwise (rows count from 1)."""
        return f"row {row}" + (f" (line {self.lines[row - 1]})" if self.lines else "")

    def numbers(self, name: str, key: str) -> np.ndarray:
        """Column ``name`` as finite floats, shape (rows,) or (rows, k); else a FieldError."""
        if name not in self.columns:
            names = list(self.columns)
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise FieldError(key, f"{self.source} has no column {name!r} ({hint}columns: "
                                  f"{', '.join(map(repr, names)) or 'none'})")
        raw = self.columns[name]
        values = _cells_to_floats(self, name, raw, key) if isinstance(raw, list) else \
            _array_to_floats(self, name, raw, key)
        bad = ~np.isfinite(values)
        if bad.any():
            row, *col = np.argwhere(bad)[0]
            cell = f"column {name!r}" + (f"[:, {col[0]}]" if col else "")
            raise FieldError(key, f"{self.source} {self.where(int(row) + 1)}, {cell}: not finite "
                                  f"({float(values[(row, *col)])!r}); remove or fill the sample")
        return values


def _cells_to_floats(table: Table, name: str, cells: list, key: str) -> np.ndarray:
    out = np.empty(len(cells))
    for i, cell in enumerate(cells):
        try:
            out[i] = float(cell)
        except ValueError:
            raise FieldError(key, f"{table.source} {table.where(i + 1)}, column {name!r}: "
                                  f"not a number ({cell!r})") from None
    return out


def _array_to_floats(table: Table, name: str, raw: Any, key: str) -> np.ndarray:
    arr = np.asarray(raw)
    if arr.dtype.kind not in "biuf" or arr.ndim not in (1, 2):
        raise FieldError(key, f"{table.source} column {name!r}: must be a 1-D or 2-D array of "
                              f"numbers (got dtype {arr.dtype}, shape {arr.shape})")
    return arr.astype(float)


def from_arrays(arrays: Any, source: str = "data=") -> Table:
    """A :class:`Table` of named arrays given from Python (``{"x": X, "d": d}``)."""
    if not isinstance(arrays, dict) or not all(isinstance(k, str) for k in arrays):
        raise FieldError("path", f"{source} must be a dict of named arrays, e.g. "
                                 f"{{'x': X, 'd': d}} (got {type(arrays).__name__})")
    return Table(source=source, columns={k: np.asarray(v) for k, v in arrays.items()})


def read(path: Path, shown: str) -> Table:
    """The columns of the file ``path`` (``shown``: the path as the scenario writes it)."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise FieldError("path", f"{shown}: must end in .csv, .npz or .parquet (got "
                                 f"{path.suffix or 'no suffix'!r})")
    try:
        raw = read_regular(path, MAX_DATA_BYTES, "a data file")
    except FileRefused as err:
        raise FieldError("path", f"{shown}: {err}") from None
    return {"csv": _csv, "npz": _npz, "parquet": _parquet}[fmt](raw, shown)


def _csv(raw: bytes, shown: str) -> Table:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FieldError("path", f"{shown}: not UTF-8 text (byte {err.start}: {err.reason})") \
            from None
    try:
        lines = [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), start=1) if row]
    except csv.Error as err:
        raise FieldError("path", f"{shown}: not CSV ({err})") from None
    if not lines:
        raise FieldError("path", f"{shown}: empty (a CSV file starts with a header row)")
    header_line, header = lines[0]
    names = [h.strip() for h in header]
    dup = next((h for i, h in enumerate(names) if h in names[:i]), None)
    if dup is not None or "" in names:
        what = f"duplicate column {dup!r}" if dup is not None else "an empty column name"
        raise FieldError("path", f"{shown} line {header_line}: the header has {what}")
    body = lines[1:]
    for n, row in body:
        if len(row) != len(names):
            raise FieldError("path", f"{shown} line {n}: {len(row)} cells, the header has "
                                     f"{len(names)} (every row needs one cell per column)")
    columns = {name: [row[j].strip() for _, row in body] for j, name in enumerate(names)}
    return Table(source=shown, columns=columns, lines=tuple(n for n, _ in body))


def _npz(raw: bytes, shown: str) -> Table:
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as f:
            columns = {name: f[name] for name in f.files}
    except (ValueError, OSError, EOFError) as err:
        raise FieldError("path", f"{shown}: not a readable .npz file ({err})") from None
    return Table(source=shown, columns=columns)


def _parquet(raw: bytes, shown: str) -> Table:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise FieldError("path", f"{shown}: reading Parquet needs pyarrow "
                                 f"(pip install \"gainsim[data]\"), or save as .csv or .npz") \
            from None
    try:
        table = pq.read_table(io.BytesIO(raw))
    except Exception as err:  # pyarrow raises its own ArrowInvalid, OSError ...
        raise FieldError("path", f"{shown}: not a readable Parquet file ({err})") from None
    # a null becomes nan (numbers) or None (strings): reported, if used, with its row
    columns = {name: table.column(name).to_numpy(zero_copy_only=False)
               for name in table.column_names}
    return Table(source=shown, columns=columns)
