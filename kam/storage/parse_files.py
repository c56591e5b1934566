"""Parsing the export files: each new or changed file, once, through its staging model into parsed_<dataset>.

Files whose content did not change since the last refresh are not read again (their size and
time, else their sha256, say so). Two files are parsed at once, each on its own cursor, and
committed in file-name order so the rows stay in the order of the files. The file manifest
(file_manifest, malformed_lines) records what became of each file.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kam.i18n import Message
from kam.storage.masking import mask_text
from kam.storage.readers import (ExportFile, FileRead, UnreadableFile, csv_malformed, csv_source, discover,
                                 is_text, load_csv, open_csv, read_file)
from kam.storage.refresh_report import FileOutcome, IngestReport
from kam.storage.schema import DATASETS, Dataset, header_map
from kam.storage.settle_rows import key_signature, repeated_hashes
from kam.storage.sql import load_sql
from kam.storage.warehouse_file import PARSE_WORKERS, Progress, q, table_exists


@dataclass
class _Job:
    export: ExportFile
    stat: os.stat_result
    digest: str | None  # None: not known yet (a new file: hashed while it is parsed)


def parse_files(con, folder: Path, report: IngestReport, say: Progress, workdir: Path) -> None:
    """Parse every new or changed file into parsed_<dataset>; drop rows of files now gone."""
    known = {r[0]: r for r in con.execute(
        "select file, sha256, size, mtime_ns, status, error, error_code, error_params from file_manifest").fetchall()}
    exports = discover(folder)
    present = {e.name for e in exports}
    for gone in set(known) - present:
        _forget_file(con, gone)
    # What each file needs; a file whose size or time changed is hashed to see if its content did.
    plan: list[FileOutcome | _Job] = []
    for export in exports:
        stat = export.path.stat()
        if export.dataset is None:
            why = Message("reader.unknown_file")
            plan.append(FileOutcome(export.name, None, "unknown", str(why), reason=why))
            _record_file(con, export, "", stat, "unknown", why)
            continue
        prev = known.get(export.name)
        if prev is None:
            plan.append(_Job(export, stat, None))
            continue
        same_stat = prev[2] == stat.st_size and prev[3] == stat.st_mtime_ns
        digest = prev[1] if same_stat else file_hash(export.path)
        # A file that failed before error codes were kept (no error_code) is read again, once.
        if prev[1] == digest and (prev[4] == "loaded" or prev[4] == "failed" and prev[6]):
            why = stored_reason(prev[6], prev[7])
            plan.append(FileOutcome(export.name, export.dataset.name,
                                    "unchanged" if prev[4] == "loaded" else "failed", prev[5] or "", reason=why))
            continue
        _forget_file(con, export.name)
        plan.append(_Job(export, stat, digest))

    jobs = [j for j in plan if isinstance(j, _Job)]
    turn = _Turns()
    with ThreadPoolExecutor(PARSE_WORKERS) as pool:
        futures = {id(j): pool.submit(_parse_job, con, j, n, workdir, turn) for n, j in enumerate(jobs)}
        try:
            for item in plan:
                if isinstance(item, FileOutcome):
                    report.files.append(item)
                    if item.status == "unchanged":
                        say(Message("progress.unchanged", {"file": item.file}))
                    continue
                export = item.export
                read, check, why = futures[id(item)].result()
                if why is not None:
                    report.files.append(FileOutcome(export.name, export.dataset.name, "failed", str(why),
                                                    reason=why))
                    _record_file(con, export, item.digest, item.stat, "failed", why)
                    say(Message("progress.unreadable", {"file": export.name, "reason": why}))
                    continue
                for line, reason, text in read.malformed:
                    con.execute("insert into malformed_lines values ($ds, $file, $line, $reason, $raw)",
                                {"ds": export.dataset.name, "file": export.name, "line": line,
                                 "reason": reason, "raw": text[:2000]})
                _record_file(con, export, item.digest, item.stat, "loaded", None, read)
                sig, hashes = check
                con.executemany("insert into key_checks values (?, ?, ?)",
                                [(export.dataset.name, sig, int(h)) for h in hashes]
                                or [(export.dataset.name, sig, None)])
                report.files.append(FileOutcome(export.name, export.dataset.name, "loaded"))
                say(Message("progress.rows_read",
                            {"file": export.name, "rows": read.rows, "dataset": export.dataset.name}))
        except BaseException:
            turn.abort()
            raise


class _Turns:
    """Parse jobs commit in file-name order, so the rows stay in the order of the files."""

    def __init__(self):
        self._next = 0
        self._finished: set[int] = set()
        self._aborted = False
        self._cond = threading.Condition()

    def wait(self, n: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._next == n or self._aborted)
            if self._aborted:
                raise RuntimeError("refresh aborted")

    def done(self, n: int) -> None:
        with self._cond:
            self._finished.add(n)
            while self._next in self._finished:
                self._next += 1
            self._cond.notify_all()

    def abort(self) -> None:
        with self._cond:
            self._aborted = True
            self._cond.notify_all()


# Errors that say the staging SQL is wrong rather than the file: these fail the refresh.
_SQL_MISTAKES = (duckdb.BinderException, duckdb.ParserException, duckdb.CatalogException)


def _parse_job(con, job: _Job, n: int, workdir: Path, turn: _Turns):
    """Parse one file on its own cursor: (what was read, its key check, None) or (None, None, why not).

    The key check of the file on its own (repeated key hashes) is done here, while other files
    are being parsed: at settling it is all the check a file needs when no other file shares
    its key partitions (each month's bill file).
    """
    cur = con.cursor()
    try:
        try:
            if job.digest is None:
                job.digest = file_hash(job.export.path)
        except OSError as exc:  # gone or not readable since the folder was listed
            turn.wait(n)
            return None, None, _reason(exc)
        cur.execute("begin transaction")
        try:
            read = parse_into(cur, job.export, n, workdir)
        except Exception as exc:  # noqa: BLE001 — whatever one file does is that file's reason
            if isinstance(exc, _SQL_MISTAKES):
                raise  # our SQL is wrong, not the file: the refresh fails (readers wrap their own)
            cur.execute("rollback")
            turn.wait(n)
            return None, None, _reason(exc)
        ds = job.export.dataset
        check = (key_signature(ds, [(job.export.name, job.digest)]),
                 repeated_hashes(cur, ds, [job.export.name]))
        turn.wait(n)
        cur.execute("commit")
        return read, check, None
    finally:
        turn.done(n)
        cur.close()


def parse_into(cur, export: ExportFile, n: int, workdir: Path) -> FileRead:
    """Rows of one file, typed and checked by the staging model, into parsed_<dataset>."""
    ds = export.dataset
    if not is_text(export):
        read = read_file(cur, export, "incoming", workdir)
        _insert_staged(cur, ds, ("select * from incoming", {}))
        cur.execute("drop table incoming")
        return read
    opened = open_csv(export, workdir)
    try:
        rejects = f"rejects_{n}"
        rows = _insert_staged(cur, ds, csv_source(opened, rejects))
        if not (malformed := csv_malformed(cur, rejects)):
            return FileRead(rows, opened.encoding, opened.delimiter, opened.extras, opened.malformed)
        if opened.numbered:  # the numbered copy has the header's cells on every line
            raise UnreadableFile("parse_error", detail=f"numbered copy rejected at line {malformed[0][0]}")
        # Lines were left out: number the rows again around the gaps, from a stored copy (made
        # outside the transaction: there a new table's rowids are not its row positions).
        cur.execute("rollback")
        read = load_csv(cur, opened, "incoming")
        cur.execute("begin transaction")
        _insert_staged(cur, ds, ("select * from incoming", {}))
        cur.execute("drop table incoming")
        return read
    finally:
        opened.close()


def empty_source(ds: Dataset) -> tuple[str, dict]:
    empty = ", ".join(f"null::varchar as {q(c)}" for c in ds.column_names)
    return f"select {empty}, null::varchar as _file, null::bigint as _line", {}


# A row that sums the rows above it, as exports from spreadsheets end: its first cell that holds one
# of these words (trimmed) sets it aside as `totals_row`.
TOTALS_WORDS = ("合计", "总计", "小计", "合計", "總計", "总合计", "Total", "TOTAL", "total", "Grand total")


def _shape_failure(ds: Dataset) -> str:
    """SQL (over `_row`, the row's text cells) for a row that is not data at all: the header again
    (every required cell is a header spelling of its column) or a totals row; NULL otherwise."""
    spellings: dict[str, set[str]] = {}
    for spelling, column in header_map(ds).items():
        spellings.setdefault(column, set()).add(spelling)
    header_again = " and ".join(
        f"lower(trim(_row.{q(c)})) in ({', '.join(_literal(v) for v in sorted(spellings[c]))})"
        for c in ds.required_columns)
    words = ", ".join(_literal(w) for w in TOTALS_WORDS)
    totals = " ".join(f"when trim(_row.{q(c)}) in ({words}) "
                      f"then {{'column': '{c}', 'reason': 'totals_row', 'value': _row.{q(c)}}}"
                      for c in ds.column_names)
    return (f"case when {header_again} "
            f"then {{'column': null::varchar, 'reason': 'repeated_header', 'value': null::varchar}} "
            f"{totals} end")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def staged_insert_select(ds: Dataset, source: tuple[str, dict]) -> tuple[str, dict]:
    """The rows of `source` (text cells, _file, _line) through the dataset's staging model.

    `_raw` keeps the row as exported for the rows set aside; `_ok` starts as "breaks no rule of
    its own" and is narrowed at settling (unknown references, superseded keys). A row that is not
    data (the header repeated, a totals row) is set aside for that before any rule of the model.
    """
    sql, params = source
    row = ", ".join(f"{c!r}: {q(c)}" for c in [*ds.column_names, "_file", "_line"])
    return f"""
        with raw_{ds.name} as (select *, {{{row}}} as _row from ({sql}) src),
        staged as (select *, {_shape_failure(ds)} as _shape from ({load_sql('staging/stg_' + ds.name)}) s)
        select * exclude (_row, _shape) replace (coalesce(_shape, _failure) as _failure),
               case when coalesce(_shape, _failure) is not null then to_json(_row) end::json as _raw,
               coalesce(_shape, _failure) is null as _ok
        from staged""", params


def _insert_staged(cur, ds: Dataset, source: tuple[str, dict]) -> int:
    sql, params = staged_insert_select(ds, source)
    return cur.execute(f"insert into parsed_{ds.name} by name {sql}", params).fetchall()[0][0]


def _forget_file(con, file_name: str) -> None:
    for ds in DATASETS.values():
        if table_exists(con, f"parsed_{ds.name}"):
            con.execute(f"delete from parsed_{ds.name} where _file = $f", {"f": file_name})
    con.execute("delete from malformed_lines where file = $f", {"f": file_name})
    con.execute("delete from file_manifest where file = $f", {"f": file_name})


def _reason(exc: Exception) -> Message:
    """Why a file could not be read, as a message: the reader's own code, else the error's first line.

    The reason is shown to every viewer of the data page and kept in the manifest: a reader's
    message may quote a cell, so mobile numbers in it are masked here, once.
    """
    if isinstance(exc, UnreadableFile):
        key, params = exc.message.key, exc.params
    else:
        key, params = "reader.parse_error", {"detail": str(exc) or type(exc).__name__}
    return Message(key, {k: mask_text(v.splitlines()[0][:500]) if isinstance(v, str) and v else v
                         for k, v in params.items()})


def stored_reason(code, params) -> Message | None:
    """The reason a manifest row keeps (`error_code`, `error_params`) as a message again; None
    when it keeps none (a loaded file, or a manifest row older than the codes: NULL, or NaN in pandas)."""
    if not isinstance(code, str) or not code:
        return None
    return Message(f"reader.{code}", json.loads(params) if isinstance(params, str) and params else {})


def _record_file(con, export: ExportFile, digest: str, stat, status: str, why: Message | None,
                 read=None) -> None:
    con.execute(
        """insert or replace into file_manifest
           (file, dataset, sha256, size, mtime_ns, status, error, error_code, error_params, encoding,
            delimiter, extra_columns, parsed_at)
           values ($file, $dataset, $sha, $size, $mtime, $status, $error, $code, $params, $enc, $delim,
                   $extras, current_localtimestamp())""",
        {"file": export.name, "dataset": export.dataset.name if export.dataset else None,
         "sha": digest, "size": stat.st_size, "mtime": stat.st_mtime_ns, "status": status,
         # error: the English sentence (`kam ingest`, logs); code and fields: what screens translate
         "error": str(why).splitlines()[0][:500] if why else "",
         "code": why.key.removeprefix("reader.") if why else None,
         "params": json.dumps(why.params, ensure_ascii=False) if why else None,
         "enc": read.encoding if read else None,
         "delim": read.delimiter if read else None,
         "extras": read.extra_columns if read else []},
    )


def file_hash(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
