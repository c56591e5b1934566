"""Reading one export file into a DuckDB table of text cells under canonical column names.

Values stay text here; the staging SQL types and checks them, so that a bad cell is
set aside with its reason instead of failing the whole file. The work per row is
DuckDB's: Python only looks at the header, and re-encodes GBK files in big chunks.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from kam.schema import Dataset, dataset_for_file, header_map, normalise_header

SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet")
DELIMITERS = (",", "\t", "|", ";")
SNIFF_BYTES = 1 << 20
CHUNK_BYTES = 16 << 20


class UnreadableFile(Exception):
    """The whole file cannot be read; the message says why, for the ingest report."""


@dataclass
class ExportFile:
    path: Path
    dataset: Dataset | None

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class FileRead:
    rows: int
    encoding: str = ""
    delimiter: str = ""
    extra_columns: list[str] = field(default_factory=list)
    # Lines DuckDB could not split into the header's columns: (line, message, raw text).
    malformed: list[tuple[int, str, str]] = field(default_factory=list)


def discover(folder: Path) -> list[ExportFile]:
    """Every file in the export folder, with the dataset its name says (None: no dataset)."""
    files = []
    for path in sorted(Path(folder).iterdir(), key=lambda p: p.name):
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        ds = dataset_for_file(path.name) if path.suffix.lower() in SUPPORTED_SUFFIXES else None
        files.append(ExportFile(path, ds))
    return files


def read_file(con: duckdb.DuckDBPyConnection, export: ExportFile, table: str,
              workdir: Path) -> FileRead:
    """Create `table` (text columns of the dataset, plus _file and _line) from one export file."""
    suffix = export.path.suffix.lower()
    if export.path.stat().st_size == 0:
        raise UnreadableFile("empty file")
    if suffix in (".csv", ".txt"):
        return _read_csv(con, export, table, workdir)
    if suffix == ".xlsx":
        return _read_xlsx(con, export, table)
    if suffix == ".parquet":
        return _read_parquet(con, export, table)
    raise UnreadableFile(f"unsupported file type {suffix}")


# ---------------------------------------------------------------- headers

def map_headers(dataset: Dataset, headers: list[str], file_name: str) -> tuple[list[str], list[str]]:
    """Canonical name for each header (extras keep a private name) and the extra headers' text.

    Raises UnreadableFile naming the first missing required column.
    """
    known = header_map(dataset)
    names, extras, seen = [], [], set()
    for i, header in enumerate(headers):
        canonical = known.get(normalise_header(header))
        if canonical and canonical not in seen:
            seen.add(canonical)
            names.append(canonical)
        else:
            names.append(f"_extra_{i}")
            extras.append(str(header))
    missing = [c for c in dataset.required_columns if c not in seen]
    if missing:
        raise UnreadableFile(f"missing required column {missing[0]} in {file_name}")
    return names, extras


def _select_canonical(dataset: Dataset, present: list[str]) -> str:
    """SELECT list giving every column of the dataset as text, NULL where the file lacks it."""
    cols = [
        f'cast("{c}" as varchar) as "{c}"' if c in present else f'cast(null as varchar) as "{c}"'
        for c in dataset.column_names
    ]
    return ", ".join(cols)


# ---------------------------------------------------------------- text files

def _sniff_encoding(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not UTF-8 or GBK text (byte {exc.start})") from None


def _transcode_to_utf8(path: Path, encoding: str, workdir: Path) -> Path:
    """GBK → UTF-8 in 16 MB chunks: DuckDB reads only UTF-8 without a download."""
    decoder = codecs.getincrementaldecoder(encoding)()
    fd, tmp = tempfile.mkstemp(suffix=".csv", dir=workdir)
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(CHUNK_BYTES):
                dst.write(decoder.decode(chunk).encode("utf-8"))
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as exc:
        os.unlink(tmp)
        raise UnreadableFile(f"not valid {encoding.upper()} text (byte {exc.start} of a chunk)") from None
    return Path(tmp)


def _header_line(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        line = f.readline()
    if not line.strip():
        raise UnreadableFile("empty first line: no header")
    return line.lstrip("\ufeff").rstrip("\r\n")


def _detect_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(con, export: ExportFile, table: str, workdir: Path) -> FileRead:
    encoding = _sniff_encoding(export.path)
    source = export.path
    if encoding == "gb18030":
        source = _transcode_to_utf8(export.path, encoding, workdir)
    try:
        header = _header_line(source, "utf-8")
        delimiter = _detect_delimiter(header)
        headers = next(csv.reader([header], delimiter=delimiter))
        names, extras = map_headers(export.dataset, headers, export.name)
        return _load_csv(con, export, table, source, names, delimiter, encoding, extras)
    finally:
        if source != export.path:
            os.unlink(source)


def _load_csv(con, export, table, source: Path, names, delimiter, encoding, extras) -> FileRead:
    rejects = f"{table}_rejects"
    scan = f"{table}_scan"
    con.execute(
        f"""
        create or replace temp table "{table}_raw" as
        select * from read_csv($path, header = true, delim = $delim,
                               quote = '"', escape = '"',
                               auto_detect = false, columns = $columns,
                               store_rejects = true, rejects_table = '{rejects}',
                               rejects_scan = '{scan}', strict_mode = true)
        """,
        {
            "path": str(source), "delim": delimiter,
            "columns": {n: "VARCHAR" for n in names},
        },
    )
    # DuckDB reports a short line once per missing column: one entry per line is enough.
    malformed = [
        (int(line), str(kind), str(text or ""))
        for line, kind, text in con.execute(
            f"select line, min(error_type), min(csv_line) from {rejects} group by line order by line"
        ).fetchall()
    ]
    # Rows left out as malformed shift the rowid; map rowid back to its line in the file.
    line_expr = "rowid + 2"
    if malformed:
        con.execute(f"create or replace temp table \"{table}_gaps\" as "
                    f"select line - 2 - (row_number() over (order by line) - 1) as g, "
                    f"row_number() over (order by line) as skipped from (select distinct line from {rejects}) d")
        line_expr = (f"rowid + 2 + coalesce((select max(skipped) from \"{table}_gaps\" "
                     f"where g <= r.rowid), 0)")
    con.execute(
        f"""create or replace temp table "{table}" as
            select {_select_canonical(export.dataset, names)}, $file as _file, cast({line_expr} as bigint) as _line
            from "{table}_raw" r order by rowid""",
        {"file": export.name},
    )
    con.execute(f'drop table "{table}_raw"; drop table if exists "{table}_gaps"; '
                f"drop table if exists {rejects}; drop table if exists {scan}")
    rows = con.execute(f'select count(*) from "{table}"').fetchall()[0][0]
    return FileRead(rows, encoding, delimiter, extras, malformed)


# ---------------------------------------------------------------- spreadsheets and parquet

def _cell_text(value) -> str | None:
    """A spreadsheet cell as the text a person sees (numbers without a spurious .0)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if (value.hour or value.minute or value.second) \
            else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


def _pick_sheet(sheet_names: list[str], dataset: Dataset) -> str:
    for name in sheet_names:
        if dataset_for_file(name) is dataset:
            return name
    return sheet_names[0]


def _read_xlsx(con, export: ExportFile, table: str) -> FileRead:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(export.path))
        sheet = book.get_sheet_by_name(_pick_sheet(book.sheet_names, export.dataset))
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    if not rows:
        raise UnreadableFile("empty sheet")
    headers = [_cell_text(h) or "" for h in rows[0]]
    names, extras = map_headers(export.dataset, headers, export.name)
    body = [[_cell_text(v) for v in r] + [None] * (len(names) - len(r)) for r in rows[1:]]
    frame = pd.DataFrame([r[: len(names)] for r in body], columns=names, dtype="object")
    frame["_sheet_row"] = range(2, len(frame) + 2)
    frame = frame[frame[names].notna().any(axis=1)]  # blank spreadsheet rows are not data
    con.register(f"{table}_frame", frame)
    con.execute(
        f"""create or replace temp table "{table}" as
            select {_select_canonical(export.dataset, names)}, $file as _file,
                   cast(_sheet_row as bigint) as _line
            from "{table}_frame" order by _sheet_row""",
        {"file": export.name},
    )
    con.unregister(f"{table}_frame")
    return FileRead(len(frame), "xlsx", "", extras)


def _read_parquet(con, export: ExportFile, table: str) -> FileRead:
    try:
        headers = [r[0] for r in con.execute(
            "select name from parquet_schema($p) where num_children is null or num_children = 0",
            {"p": str(export.path)}).fetchall()]
    except duckdb.Error as exc:
        raise UnreadableFile(f"not a readable parquet file ({exc})") from None
    names, extras = map_headers(export.dataset, headers, export.name)
    renames = ", ".join(f'"{h}" as "{n}"' for h, n in zip(headers, names))
    con.execute(
        f"""create or replace temp table "{table}" as
            with renamed as (select {renames}, file_row_number
                             from read_parquet($p, file_row_number = true))
            select {_select_canonical(export.dataset, names)}, $file as _file,
                   cast(file_row_number + 1 as bigint) as _line
            from renamed order by file_row_number""",
        {"p": str(export.path), "file": export.name},
    )
    rows = con.execute(f'select count(*) from "{table}"').fetchall()[0][0]
    return FileRead(rows, "parquet", "", extras)
