"""Building the warehouse: one DuckDB file from an export folder, swapped in whole.

A refresh writes a *new* database file beside the current one (starting from a copy
of it, so files whose content did not change are not parsed again), checks it, and
only then points CURRENT at it. Until that instant every reader keeps the previous
file, complete; a failed refresh deletes its half-built file and changes nothing.
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
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from kam.readers import ExportFile, UnreadableFile, discover, read_file
from kam.schema import DATASETS, Dataset
from kam.sql import QUERIES_DIR, load_sql, mart_order

STATE_DIR = ".kam"
CURRENT = "CURRENT"
Progress = Callable[[str], None]


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
            with contextlib.suppress(OSError):
                new_file.unlink()
                Path(str(new_file) + ".wal").unlink(missing_ok=True)
            if isinstance(exc, RefreshFailed):
                raise
            raise RefreshFailed(f"refresh failed, previous data kept: {exc}") from exc
        _publish(folder, new_file)
        _prune(folder, keep={new_file.name})
        say(f"published {new_file.name}")
        return report


def _build(db_file: Path, folder: Path, run_id: str, say: Progress,
           fail_after: str | None) -> IngestReport:
    con = duckdb.connect(str(db_file))
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


def _ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Tables that carry state from one refresh to the next."""
    con.execute("""
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
    """)


def _parse_files(con, folder: Path, report: IngestReport, say: Progress, workdir: Path) -> None:
    """Parse every new or changed file into parsed_<dataset>; drop rows of files now gone."""
    known = {r[0]: r for r in con.execute(
        "select file, sha256, size, mtime_ns, status, error from file_manifest").fetchall()}
    exports = discover(folder)
    present = {e.name for e in exports}
    for gone in set(known) - present:
        _forget_file(con, gone)
    for export in exports:
        stat = export.path.stat()
        if export.dataset is None:
            report.files.append(FileOutcome(export.name, None, "unknown",
                                            "file name matches no dataset"))
            _record_file(con, export, "", stat, "unknown", "file name matches no dataset")
            continue
        prev = known.get(export.name)
        same_stat = prev and prev[2] == stat.st_size and prev[3] == stat.st_mtime_ns
        digest = prev[1] if same_stat else _file_hash(export.path)
        if prev and prev[1] == digest and prev[4] in ("loaded", "failed"):
            report.files.append(FileOutcome(export.name, export.dataset.name,
                                            "unchanged" if prev[4] == "loaded" else "failed",
                                            prev[5] or ""))
            say(f"{export.name}: unchanged, not parsed again")
            continue
        _forget_file(con, export.name)
        try:
            read = read_file(con, export, "incoming", workdir)
        except (UnreadableFile, duckdb.Error, OSError, ValueError) as exc:
            msg = str(exc).splitlines()[0][:500]
            report.files.append(FileOutcome(export.name, export.dataset.name, "failed", msg))
            _record_file(con, export, digest, stat, "failed", msg)
            say(f"{export.name}: cannot be read ({msg})")
            continue
        _stage_file(con, export.dataset, export.name, read)
        _record_file(con, export, digest, stat, "loaded", "", read)
        report.files.append(FileOutcome(export.name, export.dataset.name, "loaded"))
        say(f"{export.name}: {read.rows:,} rows read ({export.dataset.name})")


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


def _stage_file(con, ds: Dataset, file_name: str, read) -> None:
    """Type and check the incoming rows with the dataset's staging model."""
    con.execute(f"create or replace temp view raw_{ds.name} as select * from incoming")
    staged = f"select s.*, null::json as _raw from ({load_sql('staging/stg_' + ds.name)}) s"
    if not _table_exists(con, f"parsed_{ds.name}"):
        con.execute(f"create table parsed_{ds.name} as {staged} limit 0")
    con.execute(f"insert into parsed_{ds.name} by name {staged}")
    # Keep the text as exported for the few rows set aside, for the download.
    con.execute(f"""update parsed_{ds.name} p set _raw = to_json(r)
                    from incoming r
                    where p._file = $f and p._line = r._line and p._failure is not null""",
                {"f": file_name})
    for line, kind, text in read.malformed:
        con.execute("insert into malformed_lines values ($ds, $file, $line, 'malformed_line', $raw)",
                    {"ds": ds.name, "file": file_name, "line": line, "raw": f"{kind}: {text}"[:2000]})
    con.execute(f"drop view raw_{ds.name}; drop table incoming")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_exists(con, name: str) -> bool:
    return bool(con.execute(
        "select count(*) from duckdb_tables() where table_name = $n and database_name = current_database()",
        {"n": name}).fetchall()[0][0])


# ---------------------------------------------------------------- settling: references, supersede

def _settle_dataset(con, ds: Dataset) -> None:
    """Build the clean table of one dataset from its parsed rows.

    A row stands when it breaks no rule, its references exist among the loaded rows of
    their datasets (built before it), and no later row has its key (the file that sorts
    last by name wins; within a file the later line).
    """
    cols = ", ".join(_q(c) for c in ds.column_names)
    if not _table_exists(con, f"parsed_{ds.name}"):
        con.execute(f"create table parsed_{ds.name} as select * from ({_empty_staged(con, ds)}) limit 0")
    ref_checks = [
        f"""when p.{_q(col)} is not null and not exists (
                select 1 from {parent} x where x.{_q(pcol)} = p.{_q(col)})
            then {{'column': '{col}', 'reason': 'unknown_reference', 'value': p.{_q(col)}}}"""
        for col, parent, pcol in ds.references
    ]
    ref_case = f"case {' '.join(ref_checks)} end" if ref_checks else "null"
    key = ", ".join(f"p.{_q(c)}" for c in ds.key)
    con.execute(f"""
        create or replace table checked_{ds.name} as
        with
        failures as (
            select p._file, p._line, coalesce(p._failure, {ref_case}) as failure
            from parsed_{ds.name} p
        ),
        valid as (
            select p.*,
                   first_value(p._file) over w as by_file,
                   first_value(p._line) over w as by_line,
                   row_number() over w as rank_in_key
            from parsed_{ds.name} p
            join failures f using (_file, _line)
            where f.failure is null
            window w as (partition by {key} order by p._file desc, p._line desc)
        )
        select v._file, v._line, 'superseded' as status, null::varchar as column_name,
               'superseded' as reason, null::varchar as value, v.by_file, v.by_line
        from valid v where v.rank_in_key > 1
        union all
        select f._file, f._line, 'set_aside', f.failure.column, f.failure.reason, f.failure.value,
               null, null
        from failures f where f.failure is not null
    """)
    con.execute(f"""
        create or replace table {ds.name} as
        select {cols}, p._file, p._line
        from parsed_{ds.name} p
        anti join checked_{ds.name} c using (_file, _line)
        order by p._file, p._line
    """)


def _empty_staged(con, ds: Dataset) -> str:
    empty = ", ".join(f"null::varchar as {_q(c)}" for c in ds.column_names)
    con.execute(f"create or replace temp table incoming as select {empty}, "
                f"null::varchar as _file, null::bigint as _line limit 0")
    con.execute(f"create or replace temp view raw_{ds.name} as select * from incoming")
    return f"select s.*, null::json as _raw from ({load_sql('staging/stg_' + ds.name)}) s"


def _build_marts(con, say: Progress) -> None:
    for name in mart_order():
        con.execute(f"create or replace table {name} as {load_sql('marts/' + name)}")
        say(f"mart {name}: built")


# ---------------------------------------------------------------- the report

def _summarise(con, report: IngestReport, run_id: str) -> None:
    """Counts per file into the manifest, and the set-aside table readers see."""
    parts = []
    for ds in DATASETS.values():
        parts.append(f"""
            select '{ds.name}' as dataset, p._file as file, count(*) as rows_read,
                   count(*) filter (where c.status is null) as loaded,
                   count(*) filter (where c.status = 'set_aside') as set_aside,
                   count(*) filter (where c.status = 'superseded') as superseded
            from parsed_{ds.name} p left join checked_{ds.name} c using (_file, _line)
            group by all""")
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
        cols = ", ".join(f"{c!r}: p.{_q(c)}" for c in ds.column_names)
        rejected.append(f"""
            select '{ds.name}' as dataset, c._file as file, c._line as line, c.status,
                   c.column_name as "column", c.reason, c.value,
                   coalesce(p._raw, to_json({{{cols}}}))::varchar as row_json,
                   c.by_file, c.by_line
            from checked_{ds.name} c join parsed_{ds.name} p using (_file, _line)""")
    rejected.append("""
        select dataset, file, line, 'set_aside', null, reason, raw, to_json({'line': raw})::varchar,
               null, null
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
