"""Reading one export file into a DuckDB table of text cells under canonical column names.

Values stay text here; the staging SQL types and checks them, so that a bad cell is
set aside with its reason instead of failing the whole file. The work per row is
DuckDB's: Python only looks at the header, and GBK files are re-encoded by iconv (or,
where iconv is missing or would read a character differently, Python's codec in big chunks).

A CSV file is read in one pass: `csv_source` gives the SELECT that the warehouse feeds
straight into the staging model, so the text rows are never stored. Its line numbers come
from the file's row order; when DuckDB had to leave malformed lines out, the warehouse
reads the file again with `read_file`, which maps every row to its line around the gaps.

That fast path is taken only for a *plain* text file, whose records are its physical lines:
the whole file decodes in one encoding, no quoted cell spans lines, no line is blank and the
line endings agree (`scan_text` looks at every byte, not a sample). Any other text file is
first rewritten by Python into a numbered UTF-8 copy (kam/storage/text_scan.py): each record with its
first physical line, and each line that cannot be a record (bytes not in the file's encoding,
an unbalanced quote, the wrong number of cells) kept aside with its line and reason.

Spreadsheets are read in a child process with a memory ceiling (kam/storage/xlsx_child.py),
after the workbook's declared size is checked; a name that is not UTF-8 is shown decoded as
GBK where it fits, escaped otherwise (`shown_name`), and read through a link with a plain name.
"""
from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from kam.i18n import Message
from kam.storage.schema import Dataset, dataset_for_file, header_map, normalise_header
from kam.storage.text_scan import MALFORMED_LINE, NotText, normalise_text, scan_text, transcode_to_utf8

SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet")
DELIMITERS = (",", "\t", "|", ";")
# What a workbook may declare before it is opened: cells of its largest sheet, bytes inflated.
MAX_XLSX_CELLS = int(os.environ.get("KAM_XLSX_MAX_CELLS", 40_000_000))
MAX_XLSX_INFLATED = int(os.environ.get("KAM_XLSX_MAX_INFLATED", 2 << 30))
# The address space of the child process that reads a workbook, and how long it may take.
XLSX_MEMORY = int(os.environ.get("KAM_XLSX_MEMORY", 4 << 30))
XLSX_SECONDS = int(os.environ.get("KAM_XLSX_SECONDS", 1800))


class UnreadableFile(Exception):
    """The whole file cannot be read: why, as a code (`reader.<code>` in the locales) and its fields.

    str() is the English sentence the ingest report and the command line print; the Data page
    shows `message.text(lang)`, in its viewer's language.
    """

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        self.message = Message(f"reader.{code}", params)
        super().__init__(str(self.message))


def shown_name(path: Path) -> str:
    """The file's name as screens, logs and the warehouse show it: always valid, printable text.

    Unzipping a Windows archive on Linux leaves GBK bytes in names; they are decoded as GBK where
    that fits, any other byte that is not UTF-8 is shown as \\xNN, and control characters (a
    newline would split a log line) as their escape.
    """
    raw = os.fsencode(Path(path).name)
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            name = raw.decode("gbk")
        except UnicodeDecodeError:
            name = raw.decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name)


def _utf8_path(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


@dataclass
class ExportFile:
    path: Path
    dataset: Dataset | None

    @property
    def name(self) -> str:
        return shown_name(self.path)

    def readable_path(self, workdir: Path) -> Path:
        """A path DuckDB can be given: the file's own, or a link with a plain name when its name is
        not UTF-8 (DuckDB takes paths as UTF-8 text)."""
        if _utf8_path(self.path):
            return self.path
        link = Path(tempfile.mkdtemp(dir=workdir)) / ("export" + self.path.suffix.lower())
        os.symlink(os.path.abspath(self.path), link)
        return link


@dataclass
class FileRead:
    rows: int
    encoding: str = ""
    delimiter: str = ""
    extra_columns: list[str] = field(default_factory=list)
    # Lines set aside whole: (line, reason — malformed_line or bad_encoding —, raw text).
    malformed: list[tuple[int, str, str]] = field(default_factory=list)


def discover(folder: Path) -> list[ExportFile]:
    """Every file in the export folder, with the dataset its name says (None: no dataset)."""
    files = []
    for path in sorted(Path(folder).iterdir(), key=lambda p: p.name):
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        ds = dataset_for_file(shown_name(path)) if path.suffix.lower() in SUPPORTED_SUFFIXES else None
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
    try:
        if suffix == ".xlsx":
            return _read_xlsx(con, export, table)
        if suffix == ".parquet":
            return _read_parquet(con, export, table, workdir)
    except (UnreadableFile, MemoryError):
        raise
    except Exception as exc:  # whatever the library raises about this file is this file's reason
        raise UnreadableFile("parse_error", detail=f"{type(exc).__name__}: {exc}") from None
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
    """A CSV export ready for DuckDB: UTF-8 source, delimiter, canonical header names.

    numbered: the source is the numbered copy `_normalise_text` wrote (its first column `_line`
    is each record's physical line), and `malformed` the lines it kept aside.
    """
    export: ExportFile
    source: Path
    encoding: str
    delimiter: str
    names: list[str]
    extras: list[str]
    numbered: bool = False
    malformed: list[tuple[int, str, str]] = field(default_factory=list)

    def close(self) -> None:
        if self.source != self.export.path:
            with contextlib.suppress(OSError):
                os.unlink(self.source)


def open_csv(export: ExportFile, workdir: Path) -> OpenedCsv:
    """Scan the encoding and shape, the delimiter and the header of a text export; a plain
    UTF-8 file is read as it is, a plain GBK one transcoded, any other rewritten numbered."""
    if export.path.stat().st_size == 0:
        raise UnreadableFile("empty_file")
    try:
        scan = scan_text(export.path)
    except NotText as exc:
        raise UnreadableFile("not_text", byte=exc.byte) from None
    codec = "utf-8" if scan.encoding.startswith("utf-8") else scan.encoding
    header = _header_line(export.path, codec)
    delimiter = _detect_delimiter(header)
    headers = next(csv.reader([header], delimiter=delimiter))
    names, extras = map_headers(export.dataset, headers, export.name)
    if not scan.plain:
        source, malformed = normalise_text(export.path, codec, delimiter, names, workdir)
        return OpenedCsv(export, source, scan.encoding, delimiter, names, extras, True, malformed)
    if scan.encoding == "gb18030":
        source = transcode_to_utf8(export.path, scan.encoding, workdir)
    else:
        source = export.readable_path(workdir)
    return OpenedCsv(export, source, scan.encoding, delimiter, names, extras)


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
    line = "_line" if opened.numbered else "cast(row_number() over () + 1 as bigint)"
    columns = {n: "VARCHAR" for n in opened.names}
    if opened.numbered:
        columns = {"_line": "BIGINT", **columns}
    sql = (f"select {_select_canonical(opened.export.dataset, opened.names)}, $file as _file, "
           f"{line} as _line from {_read_csv_call(rejects)}")
    return sql, {"path": str(opened.source), "delim": "," if opened.numbered else opened.delimiter,
                 "columns": columns, "file": opened.export.name}


def csv_malformed(con, rejects: str) -> list[tuple[int, str, str]]:
    """Lines DuckDB could not split into the header's columns: (line, reason, raw text); drops the tables."""
    try:
        return _rejected_lines(con, rejects)
    finally:
        con.execute(f"drop table if exists {rejects}_errors; drop table if exists {rejects}_scans")


def _rejected_lines(con, rejects: str) -> list[tuple[int, str, str]]:
    # DuckDB reports a short line once per missing column: one entry per line is enough.
    return [(int(line), MALFORMED_LINE, f"{kind}: {text or ''}") for line, kind, text in con.execute(
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

_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def _column_number(letters: bytes) -> int:
    n = 0
    for code in letters:
        n = n * 26 + code - 64
    return n


def _check_xlsx_size(path: Path) -> None:
    """Refuse a workbook before it is opened when it declares more than a sane export holds:
    more bytes inflated than MAX_XLSX_INFLATED, or a sheet dimension of more than MAX_XLSX_CELLS."""
    try:
        with zipfile.ZipFile(path) as book:
            infos = book.infolist()
            inflated = sum(i.file_size for i in infos)
            if inflated > MAX_XLSX_INFLATED:
                raise UnreadableFile("xlsx_too_large", cells=0, inflated=inflated)
            for info in infos:
                if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                    continue
                with book.open(info) as sheet:
                    head = sheet.read(8192)
                found = _DIMENSION.search(head)
                if found and found.group(3):
                    rows = int(found.group(4)) - int(found.group(2) or 1) + 1
                    cols = _column_number(found.group(3)) - _column_number(found.group(1) or b"A") + 1
                    if rows * cols > MAX_XLSX_CELLS:
                        raise UnreadableFile("xlsx_too_large", cells=rows * cols, inflated=inflated)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, OSError, ValueError, RuntimeError):
        pass  # damaged: the reader (in its child) says how, in its own words


def _limit_child_memory() -> None:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (XLSX_MEMORY, XLSX_MEMORY))


def _sheet_rows(export: ExportFile) -> list[list[str | None]]:
    """The sheet's cells as text, read by kam/storage/xlsx_child.py in a child process with a
    memory ceiling: a workbook that makes the library abort ends the child, not the refresh."""
    _check_xlsx_size(export.path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")])}
    try:
        done = subprocess.run([sys.executable, "-m", "kam.storage.xlsx_child", export.dataset.name,
                               os.fsencode(export.path)], stdin=subprocess.DEVNULL, capture_output=True,
                              env=env, preexec_fn=_limit_child_memory, timeout=XLSX_SECONDS)
    except subprocess.TimeoutExpired:
        raise UnreadableFile("xlsx_too_large", cells="?", inflated="?") from None
    try:
        answer = json.loads(done.stdout) if done.returncode == 0 else {"error": "memory"}
    except ValueError:
        answer = {"error": "memory"}
    if answer.get("error") == "memory":
        # Killed by the ceiling (an allocation that failed aborts the child) or out of memory.
        raise UnreadableFile("xlsx_too_large", cells="?", inflated="?")
    if "error" in answer:
        raise UnreadableFile("bad_xlsx", detail=answer["error"])
    return answer["rows"]


def _read_xlsx(con, export: ExportFile, table: str) -> FileRead:
    rows = _sheet_rows(export)
    # Blank rows above the header (a sheet laid out for print) are skipped; lines stay sheet rows.
    first = next((i for i, r in enumerate(rows) if any(v is not None for v in r)), None)
    if first is None:
        raise UnreadableFile("empty_sheet")
    headers = [h or "" for h in rows[first]]
    names, extras = map_headers(export.dataset, headers, export.name)
    body = [r[: len(names)] + [None] * (len(names) - len(r)) for r in rows[first + 1:]]
    frame = pd.DataFrame(body, columns=names, dtype="object")
    frame["_sheet_row"] = range(first + 2, len(frame) + first + 2)
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


def _nested(column_type: str) -> bool:
    return column_type.endswith("]") or column_type.startswith(("STRUCT", "MAP", "UNION"))


def _read_parquet(con, export: ExportFile, table: str, workdir: Path) -> FileRead:
    path = str(export.readable_path(workdir))
    try:
        described = con.execute("describe select * from read_parquet($p)", {"p": path}).fetchall()
    except duckdb.Error as exc:
        raise UnreadableFile("bad_parquet", detail=str(exc)) from None
    headers = [r[0] for r in described]
    names, extras = map_headers(export.dataset, headers, export.name)
    # A nested column (list, struct, map) has no text form of the contract: a known column that is
    # nested fails the file with its name; an unknown one is listed with the extras and not read.
    for (header, column_type, *_), name in zip(described, names):
        if _nested(column_type) and not name.startswith("_extra_"):
            raise UnreadableFile("nested_column", column=header, type=column_type)
    keep = [(h, n) for (h, column_type, *_), n in zip(described, names) if not _nested(column_type)]
    renames = ", ".join(f'{_quote(h)} as "{n}"' for h, n in keep)
    con.execute(
        f"""create or replace temp table "{table}" as
            with renamed as (select {renames + ", " if renames else ""}file_row_number
                             from read_parquet($p, file_row_number = true))
            select {_select_canonical(export.dataset, [n for _h, n in keep])}, $file as _file,
                   cast(file_row_number + 1 as bigint) as _line
            from renamed order by file_row_number""",
        {"p": path, "file": export.name},
    )
    rows = con.execute(f'select count(*) from "{table}"').fetchall()[0][0]
    return FileRead(rows, "parquet", "", extras)


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _sniff_encoding(path: Path) -> str:
    """The encoding of a text export (kept for the benchmark tools): see scan_text."""
    try:
        return scan_text(path).encoding
    except NotText as exc:
        raise UnreadableFile("not_text", byte=exc.byte) from None
