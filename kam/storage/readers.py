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
first rewritten by Python into a numbered UTF-8 copy (`_normalise_text`): each record with its
first physical line, and each line that cannot be a record (bytes not in the file's encoding,
an unbalanced quote, the wrong number of cells) kept aside with its line and reason.

Spreadsheets are read in a child process with a memory ceiling (kam/storage/xlsx_child.py),
after the workbook's declared size is checked; a name that is not UTF-8 is shown decoded as
GBK where it fits, escaped otherwise (`shown_name`), and read through a link with a plain name.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from kam.i18n import Message
from kam.storage.schema import Dataset, dataset_for_file, header_map, normalise_header

SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet")
DELIMITERS = (",", "\t", "|", ";")
CHUNK_BYTES = 16 << 20
# A quoted cell may run over this many lines; a quote left open longer is a malformed line.
MAX_RECORD_LINES = 100
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

@dataclass
class TextScan:
    """What one pass over every byte of a text file says about it."""
    encoding: str
    clean: bool  # every byte decodes in `encoding`
    plain: bool  # clean, and each record is one physical line with one kind of line ending


def scan_text(path: Path) -> TextScan:
    """The encoding of a text export, from all of it, and whether its records are its lines.

    UTF-8 is the file's encoding when every byte decodes as UTF-8, or when its well-formed
    multi-byte characters outnumber the bytes that are not UTF-8 (a UTF-8 export with a few
    damaged bytes: only their lines are set aside). Otherwise GB18030, a superset of GBK. Text
    that is neither (NUL bytes: UTF-16 or binary) is not a text export at all.
    """
    utf8_bad = utf8_chars = gb_bad = lines = offset = 0
    gb_clean, plain, open_quote, bom = True, True, False, False
    with open(path, "rb") as f:
        for data in _line_chunks(f):
            if offset == 0 and data.startswith(codecs.BOM_UTF8):
                bom, data, offset = True, data[len(codecs.BOM_UTF8):], len(codecs.BOM_UTF8)
            if b"\x00" in data:
                raise UnreadableFile("not_text", byte=offset + data.index(b"\x00"))
            try:
                text = data.decode("utf-8")
                utf8_chars += len(data) - len(text)
            except UnicodeDecodeError:
                text = data.decode("utf-8", "replace")
                bad = text.count("\ufffd")
                utf8_bad += bad
                utf8_chars += len(text.encode("utf-8")) - len(text) - 2 * bad
                try:
                    data.decode("gb18030")
                except UnicodeDecodeError:
                    gb_clean = False
                    gb_bad += data.decode("gb18030", "replace").count("\ufffd")
            if plain:
                plain, open_quote = _plain_lines(data, open_quote)
            lines += data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
            offset += len(data)
    if utf8_bad == 0:
        return TextScan("utf-8-sig" if bom else "utf-8", True, plain and not open_quote)
    if bom or utf8_chars > utf8_bad:
        return TextScan("utf-8-sig" if bom else "utf-8", False, False)
    if not gb_clean and gb_bad > max(lines, 1) // 2:
        raise UnreadableFile("not_text", byte=0)
    return TextScan("gb18030", gb_clean, plain and gb_clean and not open_quote)


def _line_chunks(f):
    """The file in big pieces that each end at a newline (the last one where the file ends)."""
    tail = b""
    while chunk := f.read(CHUNK_BYTES):
        data = tail + chunk
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
        tail = data[cut:]
    if tail:
        yield tail


def _plain_lines(data: bytes, open_quote: bool) -> tuple[bool, bool]:
    """(still plain, a quote left open at the end) for a run of whole lines, with numpy.

    Not plain: a newline inside quotes (odd number of quotes before it), a blank line, a CR that
    is not part of CRLF, or CRLF and LF endings mixed.
    """
    b = np.frombuffer(data, dtype=np.uint8)
    nl = np.flatnonzero(b == 10)
    cr = np.flatnonzero(b == 13)
    if cr.size:
        if cr[-1] + 1 >= b.size or not (b[cr + 1] == 10).all() or cr.size != nl.size:
            return False, open_quote
    quotes = np.flatnonzero(b == 34)
    if quotes.size:
        before = np.searchsorted(quotes, nl) + int(open_quote)
        if (before % 2 == 1).any():
            return False, open_quote
        open_quote = (quotes.size + int(open_quote)) % 2 == 1
    ends = nl - (1 if cr.size else 0)  # where each line's text ends
    starts = np.concatenate(([0], nl[:-1] + 1)) if nl.size else np.array([0])
    if nl.size and (ends[: starts.size] == starts[: ends.size]).any():
        return False, open_quote
    return True, open_quote


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
    scan = scan_text(export.path)
    codec = "utf-8" if scan.encoding.startswith("utf-8") else scan.encoding
    header = _header_line(export.path, codec)
    delimiter = _detect_delimiter(header)
    headers = next(csv.reader([header], delimiter=delimiter))
    names, extras = map_headers(export.dataset, headers, export.name)
    if not scan.plain:
        source, malformed = _normalise_text(export.path, codec, delimiter, names, workdir)
        return OpenedCsv(export, source, scan.encoding, delimiter, names, extras, True, malformed)
    if scan.encoding == "gb18030":
        source = _transcode_to_utf8(export.path, scan.encoding, workdir)
    else:
        source = export.readable_path(workdir)
    return OpenedCsv(export, source, scan.encoding, delimiter, names, extras)


def _physical_lines(src, codec: str):
    """(line number, text, decodes) for each physical line: LF, CRLF or a lone CR ends a line."""
    number = 0
    for data in _line_chunks(src):
        pieces = data.split(b"\n")
        if data.endswith(b"\n"):
            pieces.pop()
        for piece in pieces:
            if piece.endswith(b"\r"):
                piece = piece[:-1]
            for raw in piece.split(b"\r") if b"\r" in piece else (piece,):
                number += 1
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
                try:
                    yield number, raw.decode(codec), True
                except UnicodeDecodeError:
                    yield number, raw.decode(codec, "replace"), False


def _split_record(text: str, delimiter: str, width: int) -> list[str] | None:
    """The cells of one record's text, or None when it is not exactly `width` well-quoted cells."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 and len(rows[0]) == width else None


def _normalise_text(path: Path, codec: str, delimiter: str, names: list[str],
                    workdir: Path) -> tuple[Path, list[tuple[int, str, str]]]:
    """A numbered UTF-8 copy of a text export: each record with its first physical line.

    A line whose bytes are not in the file's encoding is set aside as `bad_encoding`. A line
    with an odd number of quotes opens a cell that runs on to the line where the quotes even
    out (at most MAX_RECORD_LINES); when that span does not make one record of the header's
    cells, only the line that opened it is a `malformed_line`, and the lines after it are read
    again as records of their own. Empty lines are not records.
    """
    width, malformed, pending = len(names), [], []
    fd, tmp = tempfile.mkstemp(suffix=".csv", dir=workdir)
    try:
        with open(path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            out = csv.writer(dst, lineterminator="\n")
            out.writerow(["_line", *names])
            lines = _physical_lines(src, codec)
            next(lines, None)  # the header

            def take():
                return pending.pop() if pending else next(lines, None)

            while (item := take()) is not None:
                number, text, ok = item
                if not ok:
                    malformed.append((number, "bad_encoding", text))
                    continue
                if text == "":
                    continue
                group, quotes = [item], text.count('"')
                while quotes % 2 and len(group) < MAX_RECORD_LINES:
                    nxt = take()
                    if nxt is None or not nxt[2]:
                        if nxt is not None:
                            pending.append(nxt)
                        break
                    group.append(nxt)
                    quotes += nxt[1].count('"')
                cells = None if quotes % 2 else _split_record("\n".join(t for _, t, _ in group), delimiter, width)
                if cells is not None:
                    out.writerow([number, *cells])
                    continue
                malformed.append((number, "malformed_line", text))
                pending.extend(reversed(group[1:]))  # read again, in order (pending pops from its end)
    except BaseException:
        os.unlink(tmp)
        raise
    return Path(tmp), malformed


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
    return [(int(line), "malformed_line", f"{kind}: {text or ''}") for line, kind, text in con.execute(
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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile("bad_xlsx", detail=f"{type(exc).__name__}: {exc}") from None


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
    return scan_text(path).encoding
