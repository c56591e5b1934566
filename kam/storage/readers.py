"""Reading one export file into a DuckDB table of text cells under canonical column names.

Values stay text here; the staging SQL types and checks them, so that a bad cell is
set aside with its reason instead of failing the whole file. The work per row is
DuckDB's: Python only looks at the header, and GBK files are re-encoded by iconv (or,
where iconv is missing or would read a character differently, Python's codec in big chunks).

A CSV file is read in one pass: `csv_source` gives the SELECT that the warehouse feeds
straight into the staging model, so the text rows are never stored. Its line numbers come
from the file's row order; when DuckDB had to leave malformed lines out, the warehouse
reads the file again with `read_file`, which maps every row to its line around the gaps.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from kam.i18n import Message
from kam.storage.schema import Dataset, dataset_for_file, header_map, normalise_header

SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet")
DELIMITERS = (",", "\t", "|", ";")
SNIFF_BYTES = 1 << 20
CHUNK_BYTES = 16 << 20


class UnreadableFile(Exception):
    """The whole file cannot be read: why, as a code (`reader.<code>` in the locales) and its fields.

    str() is the English sentence the ingest report and the command line print; the Data page
    shows `message.text(lang)`, in its viewer's language.
    """

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        self.message = Message(f"reader.{code}", params)
        super().__init__(str(self.message))


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
        raise UnreadableFile("empty_file")
    if suffix in (".csv", ".txt"):
        return _read_csv(con, export, table, workdir)
    if suffix == ".xlsx":
        return _read_xlsx(con, export, table)
    if suffix == ".parquet":
        return _read_parquet(con, export, table)
    raise UnreadableFile("unsupported_type", suffix=suffix)


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
        raise UnreadableFile("missing_column", column=missing[0], file=file_name, dataset=dataset.name)
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
        raise UnreadableFile("not_text", byte=exc.start) from None


def _transcode_to_utf8(path: Path, encoding: str, workdir: Path) -> Path:
    """GBK → UTF-8 into a temp file: DuckDB reads only UTF-8 without a download.

    iconv does it at ~4x the speed of Python's codec, in its own process, so a second file
    is transcoded while DuckDB parses the first. It is used only where it gives the very
    text Python's gb18030 codec gives: it must succeed, and the file must hold none of the
    few byte sequences the two decoders map to different characters (GB18030-2005 vs -2022
    private-use code points). Otherwise Python's codec decides, errors included.
    """
    iconv = shutil.which("iconv")
    if iconv and encoding == "gb18030" and not _has_divergent_gb18030(path):
        fd, tmp = tempfile.mkstemp(suffix=".csv", dir=workdir)
        os.close(fd)
        done = subprocess.run([iconv, "-f", "GB18030", "-t", "UTF-8", "-o", tmp, str(path)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        if done.returncode == 0:
            return Path(tmp)
        os.unlink(tmp)
    return _transcode_python(path, encoding, workdir)


def _transcode_python(path: Path, encoding: str, workdir: Path) -> Path:
    """GBK → UTF-8 in 16 MB chunks with Python's incremental decoder."""
    decoder = codecs.getincrementaldecoder(encoding)()
    fd, tmp = tempfile.mkstemp(suffix=".csv", dir=workdir)
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(CHUNK_BYTES):
                dst.write(decoder.decode(chunk).encode("utf-8"))
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as exc:
        os.unlink(tmp)
        raise UnreadableFile("bad_encoding", encoding=encoding.upper(), byte=exc.start) from None
    return Path(tmp)


# The GB18030 sequences glibc's iconv (GB18030-2022 tables) and Python's codec (2005 tables) both
# accept but read as different characters; found by decoding every code point both ways.
_DIVERGENT_PAIRS = {0xA6: (0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xEC, 0xED, 0xF3), 0xA8: (0xBC,),
                    0xFE: (0x51, 0x52, 0x53, 0x59, 0x61, 0x66, 0x67, 0x6C, 0x6D, 0x76, 0x7E, 0x90, 0x91, 0xA0)}
_DIVERGENT_QUAD = b"\x81\x35\xf4\x37"
_PAIR_TABLE = np.zeros((256, 256), dtype=bool)
for _lead, _trails in _DIVERGENT_PAIRS.items():
    _PAIR_TABLE[_lead, list(_trails)] = True
_LEADS = np.zeros(256, dtype=bool)
_LEADS[[*_DIVERGENT_PAIRS, _DIVERGENT_QUAD[0]]] = True


def _has_divergent_gb18030(path: Path) -> bool:
    """True when the bytes hold a sequence the two decoders read differently (or seem to: a match
    across two characters is a false alarm, which only costs the slower decoder)."""
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            data = tail + chunk
            b = np.frombuffer(data, dtype=np.uint8)
            at = np.flatnonzero(_LEADS[b[:-1]])
            if at.size and (_PAIR_TABLE[b[at], b[at + 1]].any() or _DIVERGENT_QUAD in data):
                return True
            tail = data[-3:]
    return False


def _header_line(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        line = f.readline()
    if not line.strip():
        raise UnreadableFile("no_header")
    return line.lstrip("\ufeff").rstrip("\r\n")


def _detect_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class OpenedCsv:
    """A CSV export ready for DuckDB: UTF-8 source, delimiter, canonical header names."""
    export: ExportFile
    source: Path
    encoding: str
    delimiter: str
    names: list[str]
    extras: list[str]

    def close(self) -> None:
        if self.source != self.export.path:
            with contextlib.suppress(OSError):
                os.unlink(self.source)


def open_csv(export: ExportFile, workdir: Path) -> OpenedCsv:
    """Sniff the encoding (transcoding GBK), the delimiter and the header of a text export."""
    if export.path.stat().st_size == 0:
        raise UnreadableFile("empty_file")
    encoding = _sniff_encoding(export.path)
    source = export.path
    if encoding == "gb18030":
        source = _transcode_to_utf8(export.path, encoding, workdir)
    opened = OpenedCsv(export, source, encoding, ",", [], [])
    try:
        header = _header_line(source, "utf-8")
        opened.delimiter = _detect_delimiter(header)
        headers = next(csv.reader([header], delimiter=opened.delimiter))
        opened.names, opened.extras = map_headers(export.dataset, headers, export.name)
    except BaseException:
        opened.close()
        raise
    return opened


def is_text(export: ExportFile) -> bool:
    return export.path.suffix.lower() in (".csv", ".txt")


def _read_csv_call(rejects: str) -> str:
    return (f"read_csv($path, header = true, delim = $delim, quote = '\"', escape = '\"', "
            f"auto_detect = false, columns = $columns, store_rejects = true, "
            f"rejects_table = '{rejects}_errors', rejects_scan = '{rejects}_scans', strict_mode = true)")


def csv_source(opened: OpenedCsv, rejects: str) -> tuple[str, dict]:
    """One pass over the file: the SELECT of its text rows (canonical columns, _file, _line).

    row_number() over () is a streaming window: DuckDB runs it on one thread in the file's
    order (a FIXED_ORDER operator), so it is the row's position among the rows read. That is
    its line when no line was left out as malformed; the caller checks `csv_malformed` after.
    """
    sql = (f"select {_select_canonical(opened.export.dataset, opened.names)}, $file as _file, "
           f"cast(row_number() over () + 1 as bigint) as _line from {_read_csv_call(rejects)}")
    return sql, {"path": str(opened.source), "delim": opened.delimiter,
                 "columns": {n: "VARCHAR" for n in opened.names}, "file": opened.export.name}


def csv_malformed(con, rejects: str) -> list[tuple[int, str, str]]:
    """Lines DuckDB could not split into the header's columns: (line, kind, raw text); drops the tables."""
    try:
        return _rejected_lines(con, rejects)
    finally:
        con.execute(f"drop table if exists {rejects}_errors; drop table if exists {rejects}_scans")


def _rejected_lines(con, rejects: str) -> list[tuple[int, str, str]]:
    # DuckDB reports a short line once per missing column: one entry per line is enough.
    return [(int(line), str(kind), str(text or "")) for line, kind, text in con.execute(
        f"select line, min(error_type), min(csv_line) from {rejects}_errors group by line order by line"
    ).fetchall()]


def _read_csv(con, export: ExportFile, table: str, workdir: Path) -> FileRead:
    opened = open_csv(export, workdir)
    try:
        return load_csv(con, opened, table)
    finally:
        opened.close()


def load_csv(con, opened: OpenedCsv, table: str) -> FileRead:
    """The file's rows as a table, each with its line in the file even around malformed lines."""
    export, rejects = opened.export, f"{table}_rejects"
    con.execute(f'create or replace temp table "{table}_raw" as select * from {_read_csv_call(rejects)}',
                {"path": str(opened.source), "delim": opened.delimiter,
                 "columns": {n: "VARCHAR" for n in opened.names}})
    malformed = _rejected_lines(con, rejects)
    # Rows left out as malformed shift the rowid; map rowid back to its line in the file.
    line_expr = "rowid + 2"
    if malformed:
        con.execute(f"create or replace temp table \"{table}_gaps\" as "
                    f"select line - 2 - (row_number() over (order by line) - 1) as g, "
                    f"row_number() over (order by line) as skipped from (select distinct line from {rejects}_errors) d")
        line_expr = (f"rowid + 2 + coalesce((select max(skipped) from \"{table}_gaps\" "
                     f"where g <= r.rowid), 0)")
    con.execute(
        f"""create or replace temp table "{table}" as
            select {_select_canonical(export.dataset, opened.names)}, $file as _file, cast({line_expr} as bigint) as _line
            from "{table}_raw" r order by rowid""",
        {"file": export.name},
    )
    con.execute(f'drop table "{table}_raw"; drop table if exists "{table}_gaps"; '
                f"drop table if exists {rejects}_errors; drop table if exists {rejects}_scans")
    rows = con.execute(f'select count(*) from "{table}"').fetchall()[0][0]
    return FileRead(rows, opened.encoding, opened.delimiter, opened.extras, malformed)


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
        raise UnreadableFile("bad_xlsx", detail=f"{type(exc).__name__}: {exc}") from None
    if not rows:
        raise UnreadableFile("empty_sheet")
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
        raise UnreadableFile("bad_parquet", detail=str(exc)) from None
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
