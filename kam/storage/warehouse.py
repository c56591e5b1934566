"""Building the warehouse: one DuckDB file from an export folder, swapped in whole.

A refresh writes a *new* database file beside the current one (starting from a copy
of it, so files whose content did not change are not parsed again), checks it, and
only then points CURRENT at it. Until that instant every reader keeps the previous
file, complete; a failed refresh deletes its half-built file and changes nothing.

The steps live beside this file: parse_files.py (each new or changed export file through
its staging model), settle_rows.py (unknown references, superseded keys), refresh_report.py
(counts per file, set-aside rows, the accounting check); warehouse_file.py holds what they share.

Where the time goes at a province's size (tens of millions of bill rows) and what keeps it
small (docs/benchmarks.md has the numbers):
- Each export file is read once: DuckDB's CSV reader feeds the staging model, whose rows go
  straight into parsed_<dataset>; the text rows are never stored (readers.csv_source). Two
  files are parsed at once, each on its own cursor, and committed in file-name order.
- A clean dataset is a view over its parsed rows (`where _ok`), not a second copy of them:
  writing tens of millions of rows costs more than reading them. `_ok` is set when a row is
  parsed and changed only for the few rows an unknown reference or a later key sets aside.
- References and repeated keys are checked on distinct values and 64-bit key hashes, and a
  group of files checked at an earlier refresh is not checked again (settle_rows.py says how).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import duckdb

from kam.i18n import Message
from kam.storage import housekeeping
from kam.storage.masking import mask_text
from kam.storage.parse_files import empty_source, parse_files, staged_insert_select
from kam.storage.plausible_dates import DEFAULT_FUTURE_DAYS
from kam.storage.refresh_report import IngestReport, RefreshFailed, check_accounting, summarise
from kam.storage.schema import DATASETS
from kam.storage.settle_rows import settle_dataset
from kam.storage.sql import load_sql, mart_order
from kam.storage.warehouse_file import LAYOUT, REFRESH_MEMORY, REFRESH_THREADS, Progress, table_exists

STATE_DIR = ".kam"
CURRENT = "CURRENT"


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
    previous = _current_name(folder)
    tmp = pointer.with_suffix(".tmp")
    tmp.write_text(db_file.name)
    os.replace(tmp, pointer)  # atomic: a reader sees the old name or the new, never half
    housekeeping.record_published(state_dir(folder), db_file.name, previous)


def _current_name(folder: Path) -> str | None:
    current = current_warehouse(folder)
    return current.name if current else None


@contextlib.contextmanager
def _refresh_lock(folder: Path):
    with open(state_dir(folder) / "refresh.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RefreshFailed("busy") from None
        yield


# ---------------------------------------------------------------- the refresh

def refresh(folder: Path, progress: Progress | None = None,
            fail_after: str | None = None, future_days: int = DEFAULT_FUTURE_DAYS) -> IngestReport:
    """Load the export folder into a new warehouse and publish it.

    future_days: settings.toml `quality.future_days` (the caller reads the settings; this layer cannot).

    fail_after: a test hook naming a dataset after whose load the refresh raises, to
    prove that a failure halfway leaves the previous warehouse whole.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise RefreshFailed("no_folder", folder=str(folder))
    say = progress or (lambda _msg: None)
    with _refresh_lock(folder):
        state = state_dir(folder)
        # what killed refreshes left: work folders, spill, half-built and superseded warehouse files
        removed = housekeeping.remove_leftovers(folder, state)
        removed += housekeeping.prune(folder, state, _current_name(folder))
        if removed:
            say(Message("progress.removed", {"count": len(removed), "files": ", ".join(removed)}))
        previous = current_warehouse(folder)
        run_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        new_file = state_dir(folder) / f"warehouse-{run_id}.duckdb"
        if previous:
            shutil.copyfile(previous, new_file)
        try:
            report = _build(new_file, folder, run_id, say, fail_after, future_days)
        except BaseException as exc:
            _delete(new_file)
            if isinstance(exc, RefreshFailed):
                raise
            raise RefreshFailed("error", detail=mask_text(str(exc))) from exc
        _publish(folder, new_file)
        report.removed = removed + housekeeping.prune(folder, state, new_file.name)
        say(Message("progress.published", {"file": new_file.name}))
        return report


def _delete(db_file: Path) -> None:
    with contextlib.suppress(OSError):
        db_file.unlink()
    Path(str(db_file) + ".wal").unlink(missing_ok=True)


def _connect(db_file: Path, folder: Path) -> duckdb.DuckDBPyConnection:
    spill = state_dir(folder) / housekeeping.SPILL
    return duckdb.connect(str(db_file), config={
        "threads": REFRESH_THREADS, "memory_limit": REFRESH_MEMORY, "temp_directory": str(spill),
        "preserve_insertion_order": True})


def _build(db_file: Path, folder: Path, run_id: str, say: Progress,
           fail_after: str | None, future_days: int) -> IngestReport:
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
        # transcoded copies live in here, removed when the parse ends however it ends
        with tempfile.TemporaryDirectory(dir=state_dir(folder), prefix=housekeeping.WORK_PREFIX) as workdir:
            parse_files(con, folder, report, say, Path(workdir))
        con.execute("begin transaction")
        for ds in DATASETS.values():
            settle_dataset(con, ds, future_days)
            say(Message("progress.checked", {"dataset": ds.name}))
            if fail_after == ds.name:
                raise RuntimeError(f"injected failure after {ds.name}")
        _build_marts(con, say)
        summarise(con, report, run_id)
        check_accounting(con)
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
        -- why a file failed as a code and its fields (reader.<code>), for screens to translate;
        -- added to a manifest of an earlier version in place (its rows keep only `error`)
        alter table file_manifest add column if not exists error_code varchar;
        alter table file_manifest add column if not exists error_params json;
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
        if not table_exists(con, f"parsed_{ds.name}"):
            sql, params = staged_insert_select(ds, empty_source(ds))
            con.execute(f"create table parsed_{ds.name} as {sql} limit 0", params)


def _build_marts(con, say: Progress) -> None:
    for name in mart_order():
        con.execute(f"create or replace table {name} as {load_sql('marts/' + name)}")
        say(Message("progress.mart_built", {"mart": name}))
