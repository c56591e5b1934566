"""Building the warehouse: one DuckDB file from an export folder, swapped in whole.

A refresh writes a *new* database file beside the current one (starting from a copy
of it, so files whose content did not change are not parsed again), checks it, and
only then points CURRENT at it. Until that instant every reader keeps the previous
file, complete; a failed refresh deletes its half-built file and changes nothing.

Where the time goes at a province's size (tens of millions of bill rows) and what keeps it
small (docs/benchmarks.md has the numbers):
- Each export file is read once: DuckDB's CSV reader feeds the staging model, whose rows go
  straight into parsed_<dataset>; the text rows are never stored (readers.csv_source). Two
  files are parsed at once, each on its own cursor, and committed in file-name order.
- A clean dataset is a view over its parsed rows (`where _ok`), not a second copy of them:
  writing tens of millions of rows costs more than reading them. `_ok` is set when a row is
  parsed and changed only for the few rows an unknown reference or a later key sets aside.
- References are checked on the distinct values (50,000 group ids, not 60 million rows).
- A key can only repeat within a partition of the key (billing: its bill_month), so duplicates
  are looked for per group of files sharing partition values, by sorting 64-bit key hashes;
  a group of files already checked at an earlier refresh is not checked again. The exact
  "last file wins" window then runs over the few rows whose hash repeats.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np

from kam.storage.readers import (ExportFile, FileRead, UnreadableFile, csv_malformed, csv_source, discover,
                         is_text, load_csv, open_csv, read_file)
from kam.storage.masking import mask_text
from kam.storage.schema import DATASETS, Dataset
from kam.storage.sql import QUERIES_DIR, load_sql, mart_order

STATE_DIR = ".kam"
CURRENT = "CURRENT"
Progress = Callable[[str], None]

# The layout of the warehouse file; a previous file of another layout is not reused.
LAYOUT = "2"
# Key columns that partition a dataset's keys: rows with different values never share a key.
KEY_PARTITIONS = {"billing": "bill_month"}
# The refresh's own DuckDB: all cores, and a memory ceiling above which it spills to disk.
REFRESH_THREADS = max(2, os.cpu_count() or 2)
REFRESH_MEMORY = os.environ.get("KAM_REFRESH_MEMORY", "3GB")
PARSE_WORKERS = max(2, min(4, os.cpu_count() or 2))


class RefreshFailed(Exception):
    """The refresh did not finish; the previous warehouse is untouched."""


@dataclass
class FileOutcome:
    file: str
    dataset: str | None
    status: str  # loaded | unchanged | failed | unknown
    error: str = ""
    rows_read: int = 0
    loaded: int = 0
    set_aside: int = 0
    superseded: int = 0


@dataclass
class IngestReport:
    run_id: str
    folder: Path
    files: list[FileOutcome] = field(default_factory=list)
    datasets: list[dict] = field(default_factory=list)
    reasons: list[dict] = field(default_factory=list)

    @property
    def loaded_anything(self) -> bool:
        return any(d["loaded"] > 0 for d in self.datasets)


# ---------------------------------------------------------------- locations

def state_dir(folder: Path) -> Path:
    path = Path(folder) / STATE_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def current_warehouse(folder: Path) -> Path | None:
    """The warehouse file readers should use now, or None before the first refresh."""
    pointer = Path(folder) / STATE_DIR / CURRENT
    if not pointer.exists():
        return None
    path = pointer.parent / pointer.read_text().strip()
    return path if path.exists() else None


def _publish(folder: Path, db_file: Path) -> None:
    pointer = state_dir(folder) / CURRENT
    tmp = pointer.with_suffix(".tmp")
    tmp.write_text(db_file.name)
    os.replace(tmp, pointer)  # atomic: a reader sees the old name or the new, never half


def _prune(folder: Path, keep: set[str]) -> None:
    """Delete warehouse files older than the last two; an open reader keeps its own handle."""
    files = sorted(state_dir(folder).glob("warehouse-*.duckdb"))
    for old in files[:-2]:
        if old.name not in keep:
            with contextlib.suppress(OSError):
                old.unlink()
                Path(str(old) + ".wal").unlink(missing_ok=True)


@contextlib.contextmanager
def _refresh_lock(folder: Path):
    with open(state_dir(folder) / "refresh.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RefreshFailed("another refresh of this folder is running") from None
        yield


def _file_hash(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# ---------------------------------------------------------------- the refresh

def refresh(folder: Path, progress: Progress | None = None,
            fail_after: str | None = None) -> IngestReport:
    """Load the export folder into a new warehouse and publish it.

    fail_after: a test hook naming a dataset after whose load the refresh raises, to
    prove that a failure halfway leaves the previous warehouse whole.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise RefreshFailed(f"export folder not found: {folder}")
    say = progress or (lambda _msg: None)
    with _refresh_lock(folder):
        previous = current_warehouse(folder)
        run_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        new_file = state_dir(folder) / f"warehouse-{run_id}.duckdb"
        if previous:
            shutil.copyfile(previous, new_file)
        try:
            report = _build(new_file, folder, run_id, say, fail_after)
        except BaseException as exc:
            _delete(new_file)
            if isinstance(exc, RefreshFailed):
                raise
            raise RefreshFailed(f"refresh failed, previous data kept: {mask_text(str(exc))}") from exc
        _publish(folder, new_file)
        _prune(folder, keep={new_file.name})
        say(f"published {new_file.name}")
        return report


def _delete(db_file: Path) -> None:
    with contextlib.suppress(OSError):
        db_file.unlink()
    Path(str(db_file) + ".wal").unlink(missing_ok=True)


def _connect(db_file: Path, folder: Path) -> duckdb.DuckDBPyConnection:
    spill = state_dir(folder) / "spill"
    return duckdb.connect(str(db_file), config={
        "threads": REFRESH_THREADS, "memory_limit": REFRESH_MEMORY, "temp_directory": str(spill),
        "preserve_insertion_order": True})


def _build(db_file: Path, folder: Path, run_id: str, say: Progress,
           fail_after: str | None) -> IngestReport:
    con = _connect(db_file, folder)
    if not _layout_is_current(con):
        # A warehouse written by an older version: start from an empty file instead.
        con.close()
        _delete(db_file)
        con = _connect(db_file, folder)
    try:
        con.execute(load_sql("staging/macros"))
        _ensure_tables(con)
        report = IngestReport(run_id, folder)
        with tempfile.TemporaryDirectory(dir=state_dir(folder)) as workdir:
            _parse_files(con, folder, report, say, Path(workdir))
        con.execute("begin transaction")
        for ds in DATASETS.values():
            _settle_dataset(con, ds)
            say(f"{ds.name}: checked")
            if fail_after == ds.name:
                raise RuntimeError(f"injected failure after {ds.name}")
        _build_marts(con, say)
        _summarise(con, report, run_id)
        _check_accounting(con)
        con.execute("commit")
        con.execute("checkpoint")
        return report
    finally:
        con.close()


def _layout_is_current(con) -> bool:
    tables = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database()").fetchall()}
    if not tables:
        return True
    if "kam_meta" not in tables:
        return False
    return con.execute("select value from kam_meta where key = 'layout'").fetchall() == [(LAYOUT,)]


def _ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Tables that carry state from one refresh to the next."""
    con.execute("""
        create table if not exists kam_meta (key varchar primary key, value varchar);
        create table if not exists file_manifest (
            file varchar primary key, dataset varchar, sha256 varchar, size bigint,
            mtime_ns bigint, status varchar, error varchar, encoding varchar, delimiter varchar,
            extra_columns varchar[], rows_read bigint, loaded bigint, set_aside bigint,
            superseded bigint, parsed_at timestamp, refreshed_at timestamp);
        create table if not exists malformed_lines (
            dataset varchar, file varchar, line bigint, reason varchar, raw varchar);
        create table if not exists ingest_runs (
            run_id varchar, finished_at timestamp, files bigint, rows_read bigint, loaded bigint,
            set_aside bigint, superseded bigint);
        create table if not exists key_checks (
            dataset varchar, signature varchar, dup_hash ubigint);
    """)
    con.execute("insert or replace into kam_meta values ('layout', $layout)", {"layout": LAYOUT})
    for ds in DATASETS.values():
        if not _table_exists(con, f"parsed_{ds.name}"):
            sql, params = _staged_insert_select(ds, _empty_source(ds))
            con.execute(f"create table parsed_{ds.name} as {sql} limit 0", params)


# ---------------------------------------------------------------- parsing the files

@dataclass
class _Job:
    export: ExportFile
    stat: os.stat_result
    digest: str | None  # None: not known yet (a new file: hashed while it is parsed)


def _parse_files(con, folder: Path, report: IngestReport, say: Progress, workdir: Path) -> None:
    """Parse every new or changed file into parsed_<dataset>; drop rows of files now gone."""
    known = {r[0]: r for r in con.execute(
        "select file, sha256, size, mtime_ns, status, error from file_manifest").fetchall()}
    exports = discover(folder)
    present = {e.name for e in exports}
    for gone in set(known) - present:
        _forget_file(con, gone)
    # What each file needs; a file whose size or time changed is hashed to see if its content did.
    plan: list[FileOutcome | _Job] = []
    for export in exports:
        stat = export.path.stat()
        if export.dataset is None:
            plan.append(FileOutcome(export.name, None, "unknown", "file name matches no dataset"))
            _record_file(con, export, "", stat, "unknown", "file name matches no dataset")
            continue
        prev = known.get(export.name)
        if prev is None:
            plan.append(_Job(export, stat, None))
            continue
        same_stat = prev[2] == stat.st_size and prev[3] == stat.st_mtime_ns
        digest = prev[1] if same_stat else _file_hash(export.path)
        if prev[1] == digest and prev[4] in ("loaded", "failed"):
            plan.append(FileOutcome(export.name, export.dataset.name,
                                    "unchanged" if prev[4] == "loaded" else "failed", prev[5] or ""))
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
                        say(f"{item.file}: unchanged, not parsed again")
                    continue
                export = item.export
                read, check, error = futures[id(item)].result()
                if error is not None:
                    report.files.append(FileOutcome(export.name, export.dataset.name, "failed", error))
                    _record_file(con, export, item.digest, item.stat, "failed", error)
                    say(f"{export.name}: cannot be read ({error})")
                    continue
                for line, kind, text in read.malformed:
                    con.execute("insert into malformed_lines values ($ds, $file, $line, 'malformed_line', $raw)",
                                {"ds": export.dataset.name, "file": export.name, "line": line,
                                 "raw": f"{kind}: {text}"[:2000]})
                _record_file(con, export, item.digest, item.stat, "loaded", "", read)
                sig, hashes = check
                con.executemany("insert into key_checks values (?, ?, ?)",
                                [(export.dataset.name, sig, int(h)) for h in hashes]
                                or [(export.dataset.name, sig, None)])
                report.files.append(FileOutcome(export.name, export.dataset.name, "loaded"))
                say(f"{export.name}: {read.rows:,} rows read ({export.dataset.name})")
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
        if job.digest is None:
            job.digest = _file_hash(job.export.path)
        cur.execute("begin transaction")
        try:
            read = _parse_into(cur, job.export, n, workdir)
        except (UnreadableFile, duckdb.Error, OSError, ValueError) as exc:
            if isinstance(exc, _SQL_MISTAKES):
                raise  # our SQL is wrong, not the file: the refresh fails
            cur.execute("rollback")
            turn.wait(n)
            # The reason is shown to every viewer of the data page and kept in the manifest: a
            # reader's message may quote a cell, so mobile numbers in it are masked here, once.
            return None, None, mask_text(str(exc).splitlines()[0][:500]) if str(exc) else type(exc).__name__
        ds = job.export.dataset
        check = (_key_signature(ds, [(job.export.name, job.digest)]),
                 _repeated_hashes(cur, ds, [job.export.name]))
        turn.wait(n)
        cur.execute("commit")
        return read, check, None
    finally:
        turn.done(n)
        cur.close()


def _parse_into(cur, export: ExportFile, n: int, workdir: Path) -> FileRead:
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
            return FileRead(rows, opened.encoding, opened.delimiter, opened.extras, [])
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


def _empty_source(ds: Dataset) -> tuple[str, dict]:
    empty = ", ".join(f"null::varchar as {_q(c)}" for c in ds.column_names)
    return f"select {empty}, null::varchar as _file, null::bigint as _line", {}


def _staged_insert_select(ds: Dataset, source: tuple[str, dict]) -> tuple[str, dict]:
    """The rows of `source` (text cells, _file, _line) through the dataset's staging model.

    `_raw` keeps the row as exported for the rows set aside; `_ok` starts as "breaks no rule of
    its own" and is narrowed at settling (unknown references, superseded keys).
    """
    sql, params = source
    row = ", ".join(f"{c!r}: {_q(c)}" for c in [*ds.column_names, "_file", "_line"])
    return f"""
        with raw_{ds.name} as (select *, {{{row}}} as _row from ({sql}) src)
        select s.* exclude (_row),
               case when s._failure is not null then to_json(s._row) end::json as _raw,
               s._failure is null as _ok
        from ({load_sql('staging/stg_' + ds.name)}) s""", params


def _insert_staged(cur, ds: Dataset, source: tuple[str, dict]) -> int:
    sql, params = _staged_insert_select(ds, source)
    return cur.execute(f"insert into parsed_{ds.name} by name {sql}", params).fetchall()[0][0]


def _forget_file(con, file_name: str) -> None:
    for ds in DATASETS.values():
        if _table_exists(con, f"parsed_{ds.name}"):
            con.execute(f"delete from parsed_{ds.name} where _file = $f", {"f": file_name})
    con.execute("delete from malformed_lines where file = $f", {"f": file_name})
    con.execute("delete from file_manifest where file = $f", {"f": file_name})


def _record_file(con, export: ExportFile, digest: str, stat, status: str, error: str,
                 read=None) -> None:
    con.execute(
        """insert or replace into file_manifest
           (file, dataset, sha256, size, mtime_ns, status, error, encoding, delimiter,
            extra_columns, parsed_at)
           values ($file, $dataset, $sha, $size, $mtime, $status, $error, $enc, $delim, $extras,
                   current_localtimestamp())""",
        {"file": export.name, "dataset": export.dataset.name if export.dataset else None,
         "sha": digest, "size": stat.st_size, "mtime": stat.st_mtime_ns, "status": status,
         "error": error, "enc": read.encoding if read else None,
         "delim": read.delimiter if read else None,
         "extras": read.extra_columns if read else []},
    )


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_exists(con, name: str) -> bool:
    return bool(con.execute(
        "select count(*) from duckdb_tables() where table_name = $n and database_name = current_database()",
        {"n": name}).fetchall()[0][0])


# ---------------------------------------------------------------- settling: references, supersede

def _settle_dataset(con, ds: Dataset) -> None:
    """Decide which parsed rows of one dataset stand, into checked_<ds> and the clean view.

    A row stands when it breaks no rule, its references exist among the loaded rows of
    their datasets (settled before it), and no later row has its key (the file that sorts
    last by name wins; within a file the later line). checked_<ds> lists every row that
    does not stand, with why; the clean view <ds> shows the rows that do (`_ok`).
    """
    name = f"parsed_{ds.name}"
    _unknown_references(con, ds)
    _superseded_rows(con, ds)
    con.execute(f"""
        create or replace table checked_{ds.name} as
        select _file, _line, 'superseded' as status, null::varchar as column_name,
               'superseded' as reason, null::varchar as value, by_file, by_line
        from superseded_rows
        union all
        select _file, _line, 'set_aside', failure.column, failure.reason, failure.value, null, null
        from (select _file, _line, _failure as failure from {name} where _failure is not null
              union all
              select _file, _line, failure from reference_failures)
    """)
    # _ok: off for the rows set aside at this step, back on for rows no longer set aside.
    con.execute("""create or replace temp table rows_off as
                   select _file, _line from superseded_rows union all
                   select _file, _line from reference_failures""")
    if con.execute("select count(*) from rows_off").fetchall()[0][0]:
        con.execute(f"""update {name} p set _ok = false from rows_off o
                        where p._file = o._file and p._line = o._line and p._ok""")
    if con.execute(f"select count(*) from {name} where _ok = false and _failure is null").fetchall()[0][0]:
        con.execute(f"""update {name} p set _ok = true
                        where p._ok = false and p._failure is null
                          and not exists (select 1 from rows_off o where o._file = p._file and o._line = p._line)""")
    cols = ", ".join(_q(c) for c in ds.column_names)
    con.execute(f"create or replace view {ds.name} as select {cols}, _file, _line from {name} where _ok")


def _unknown_references(con, ds: Dataset) -> None:
    """reference_failures: rows (breaking no rule of their own) naming a parent that is not loaded.

    Checked on the distinct values first: a reference that is always known costs one pass over
    the column, however many rows hold it.
    """
    checks = []
    for i, (col, parent, pcol) in enumerate(ds.references):
        con.execute(f"""
            create or replace temp table unknown_{i} as
            select d.v from (select distinct {_q(col)} as v from parsed_{ds.name}
                             where _failure is null and {_q(col)} is not null) d
            where not exists (select 1 from {parent} x where x.{_q(pcol)} = d.v)""")
        if con.execute(f"select count(*) from unknown_{i}").fetchall()[0][0]:
            checks.append((i, col))
    if not checks:
        con.execute("create or replace temp table reference_failures as "
                    "select null::varchar as _file, null::bigint as _line, "
                    "null::struct(\"column\" varchar, reason varchar, value varchar) as failure limit 0")
        return
    # The first reference (in the contract's order) that is unknown is the row's reason.
    whens = " ".join(
        f"""when p.{_q(col)} in (select v from unknown_{i})
            then {{'column': '{col}', 'reason': 'unknown_reference', 'value': p.{_q(col)}}}"""
        for i, col in checks)
    any_unknown = " or ".join(f"p.{_q(col)} in (select v from unknown_{i})" for i, col in checks)
    con.execute(f"""
        create or replace temp table reference_failures as
        select p._file, p._line, case {whens} end as failure
        from parsed_{ds.name} p
        where p._failure is null and ({any_unknown})""")


def _superseded_rows(con, ds: Dataset) -> None:
    """superseded_rows: rows whose key a later row (file by name, then line) also has.

    Only rows that break no rule and whose references are known take part. Candidates are the
    rows whose 64-bit key hash repeats within a group of files that share key partitions
    (a repeated hash is a repeated key or, rarely, a collision); the exact window then decides.
    """
    key_cols = ", ".join(_q(c) for c in ds.key)
    dup_files: list[str] = []
    dup_hashes: list[np.ndarray] = []
    for files, hashes in _repeated_key_hashes(con, ds):
        if hashes.size:
            dup_files += files
            dup_hashes.append(hashes)
    if not dup_hashes:
        con.execute("create or replace temp table superseded_rows as select null::varchar as _file, "
                    "null::bigint as _line, null::varchar as by_file, null::bigint as by_line limit 0")
        return
    import pyarrow as pa
    con.register("dup_hash_frame", pa.table({"h": np.unique(np.concatenate(dup_hashes))}))
    con.execute("create or replace temp table dup_hashes as select h::ubigint as h from dup_hash_frame")
    con.unregister("dup_hash_frame")
    con.execute(f"""
        create or replace temp table superseded_rows as
        with candidates as (
            select p.* from parsed_{ds.name} p
            where p._failure is null and p._file = any($files)
              and hash({", ".join("p." + _q(c) for c in ds.key)}) in (select h from dup_hashes)
              and not exists (select 1 from reference_failures f where f._file = p._file and f._line = p._line)
        ),
        ranked as (
            select _file, _line,
                   first_value(_file) over w as by_file,
                   first_value(_line) over w as by_line,
                   row_number() over w as rank_in_key
            from candidates
            window w as (partition by {key_cols} order by _file desc, _line desc)
        )
        select _file, _line, by_file, by_line from ranked where rank_in_key > 1""",
                {"files": sorted(set(dup_files))})


def _repeated_key_hashes(con, ds: Dataset):
    """(files, repeated hashes) for each group of files whose keys may meet.

    Groups already checked at an earlier refresh (same files, same content, same code) are
    taken from key_checks; the others are checked now and remembered.
    """
    part = KEY_PARTITIONS.get(ds.name)
    if part:
        pairs = con.execute(f"select distinct _file, {_q(part)} from parsed_{ds.name} "
                            f"where _failure is null").fetchall()
    else:
        pairs = [(f, None) for (f,) in con.execute(
            f"select distinct _file from parsed_{ds.name} where _failure is null").fetchall()]
    groups = _connected_files(pairs)
    shas = dict(con.execute("select file, sha256 from file_manifest").fetchall())
    signatures = [_key_signature(ds, [(f, shas.get(f)) for f in files]) for files in groups]
    cached: dict[str, list] = {}
    for sig, h in con.execute("select signature, dup_hash from key_checks where dataset = $d",
                              {"d": ds.name}).fetchall():
        cached.setdefault(sig, []).append(h)
    todo = [(files, sig) for files, sig in zip(groups, signatures) if sig not in cached]

    def check(item):
        # On its own cursor: the settle transaction is on `con`, and these rows are committed.
        cur = con.cursor()
        try:
            return _repeated_hashes(cur, ds, item[0])
        finally:
            cur.close()

    with ThreadPoolExecutor(PARSE_WORKERS) as pool:
        found = dict(zip([sig for _f, sig in todo], pool.map(check, todo)))
    con.execute("delete from key_checks where dataset = $d", {"d": ds.name})
    rows = []
    for files, sig in zip(groups, signatures):
        hashes = found[sig] if sig in found else np.array([h for h in cached[sig] if h is not None], dtype=np.uint64)
        rows += [(ds.name, sig, int(h)) for h in hashes] or [(ds.name, sig, None)]
        yield files, hashes
    if rows:
        con.executemany("insert into key_checks values (?, ?, ?)", rows)


def _key_signature(ds: Dataset, files: list[tuple[str, str | None]]) -> str:
    """What a key check's result depends on: the files and their content, the code and DuckDB's hash."""
    salt = [LAYOUT, duckdb.__version__, ds.name, load_sql("staging/macros"), load_sql("staging/stg_" + ds.name)]
    return hashlib.sha256("\n".join(salt + [f"{f}\t{sha}" for f, sha in sorted(files)]).encode()).hexdigest()


def _repeated_hashes(cur, ds: Dataset, files: list[str]) -> np.ndarray:
    """The key hashes found more than once among the files' rows that break no rule (sorted, unique)."""
    keys = ", ".join(_q(c) for c in ds.key)
    h = cur.execute(f"select hash({keys}) as h from parsed_{ds.name} "
                    f"where _failure is null and _file = any($files)", {"files": files}).fetchnumpy()["h"]
    h = np.sort(np.asarray(h, dtype=np.uint64))
    return np.unique(h[1:][h[1:] == h[:-1]])


def _connected_files(pairs: list[tuple[str, object]]) -> list[list[str]]:
    """Files grouped so that two files sharing a partition value are in one group."""
    parent: dict[str, str] = {}

    def root(f: str) -> str:
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    owner: dict[object, str] = {}
    for f, value in pairs:
        parent.setdefault(f, f)
        key = ("value", value)
        if key in owner:
            parent[root(f)] = root(owner[key])
        else:
            owner[key] = f
    groups: dict[str, list[str]] = {}
    for f in parent:
        groups.setdefault(root(f), []).append(f)
    return [sorted(g) for g in sorted(groups.values())]


def _build_marts(con, say: Progress) -> None:
    for name in mart_order():
        con.execute(f"create or replace table {name} as {load_sql('marts/' + name)}")
        say(f"mart {name}: built")


# ---------------------------------------------------------------- the report

def _summarise(con, report: IngestReport, run_id: str) -> None:
    """Counts per file into the manifest, and the set-aside table readers see.

    Each count comes from its own place, so that _check_accounting compares independent
    numbers: rows read from parsed_<ds>, loaded from the clean view, set aside and superseded
    from checked_<ds>.
    """
    parts = []
    for ds in DATASETS.values():
        parts.append(f"""
            select '{ds.name}' as dataset, r.file, r.rows_read, coalesce(l.loaded, 0) as loaded,
                   coalesce(c.set_aside, 0) as set_aside, coalesce(c.superseded, 0) as superseded
            from (select _file as file, count(*) as rows_read from parsed_{ds.name} group by all) r
            left join (select _file as file, count(*) as loaded from {ds.name} group by all) l using (file)
            left join (select _file as file, count(*) filter (where status = 'set_aside') as set_aside,
                              count(*) filter (where status = 'superseded') as superseded
                       from checked_{ds.name} group by all) c using (file)""")
    con.execute("create or replace temp table file_counts as " + " union all ".join(parts))
    con.execute("""
        update file_manifest m set
            rows_read = coalesce(c.rows_read, 0) + coalesce(x.n, 0),
            loaded = coalesce(c.loaded, 0),
            set_aside = coalesce(c.set_aside, 0) + coalesce(x.n, 0),
            superseded = coalesce(c.superseded, 0),
            refreshed_at = current_localtimestamp()
        from file_manifest m2
        left join file_counts c on c.file = m2.file
        left join (select file, count(*) as n from malformed_lines group by file) x on x.file = m2.file
        where m.file = m2.file and m.status = 'loaded'
    """)
    rejected = []
    for ds in DATASETS.values():
        if not con.execute(f"select count(*) from checked_{ds.name}").fetchall()[0][0]:
            continue
        cols = ", ".join(f"{c!r}: p.{_q(c)}" for c in ds.column_names)
        rejected.append(f"""
            select '{ds.name}' as dataset, c._file as file, c._line as line, c.status,
                   c.column_name as "column", c.reason, c.value,
                   coalesce(p._raw, to_json({{{cols}}}))::varchar as row_json,
                   c.by_file, c.by_line
            from checked_{ds.name} c join parsed_{ds.name} p using (_file, _line)""")
    rejected.append("""
        select dataset, file, line, 'set_aside' as status, null::varchar as "column", reason,
               raw as value, to_json({'line': raw})::varchar as row_json,
               null::varchar as by_file, null::bigint as by_line
        from malformed_lines""")
    con.execute("create or replace table set_aside_rows as " + " union all ".join(rejected)
                + " order by dataset, file, line")
    con.execute("""
        insert into ingest_runs
        select $run, current_localtimestamp(), count(*), sum(rows_read), sum(loaded),
               sum(set_aside), sum(superseded)
        from file_manifest where status = 'loaded'""", {"run": run_id})
    for row in con.execute("""
            select file, dataset, status, coalesce(error, ''), coalesce(rows_read, 0),
                   coalesce(loaded, 0), coalesce(set_aside, 0), coalesce(superseded, 0)
            from file_manifest""").fetchall():
        for outcome in report.files:
            if outcome.file == row[0]:
                (outcome.rows_read, outcome.loaded, outcome.set_aside, outcome.superseded) = row[4:]
    report.datasets = [dict(zip(("dataset", "files", "rows_read", "loaded", "set_aside", "superseded"), r))
                       for r in con.execute("""
            select dataset, count(*), sum(rows_read), sum(loaded), sum(set_aside), sum(superseded)
            from file_manifest where status = 'loaded' group by dataset order by dataset""").fetchall()]
    report.reasons = [dict(zip(("dataset", "file", "reason", "rows"), r)) for r in con.execute("""
            select dataset, file, reason, count(*) from set_aside_rows
            group by all order by dataset, file, reason""").fetchall()]


def _check_accounting(con) -> None:
    """Every row read is loaded, set aside or superseded: never lost, never counted twice."""
    bad = con.execute("""
        select file, rows_read, loaded, set_aside, superseded from file_manifest
        where status = 'loaded' and rows_read <> loaded + set_aside + superseded""").fetchall()
    if bad:
        raise RefreshFailed(f"row accounting does not add up for {bad[0][0]}: {bad[0][1:]}")
    for ds in DATASETS.values():
        (manifest_loaded,) = con.execute(
            "select coalesce(sum(loaded), 0) from file_manifest where dataset = $d and status = 'loaded'",
            {"d": ds.name}).fetchall()[0]
        (table_rows,) = con.execute(f"select count(*) from {ds.name}").fetchall()[0]
        if manifest_loaded != table_rows:
            raise RefreshFailed(f"{ds.name}: manifest says {manifest_loaded} loaded, table has {table_rows}")
