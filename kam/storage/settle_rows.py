"""Settling a dataset: which of its parsed rows stand, and why the others do not.

A row stands when it breaks no rule of its own, its references name rows that are loaded,
and no later row has its key. What makes this cheap at a province's size:
- References are checked on the distinct values (50,000 group ids, not 60 million rows).
- A key can only repeat within a partition of the key (billing: its bill_month), so duplicates
  are looked for per group of files sharing partition values, by sorting 64-bit key hashes;
  a group of files already checked at an earlier refresh is not checked again (key_checks).
  The exact "last file wins" window then runs over the few rows whose hash repeats.
"""
from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np

from kam.storage.plausible_dates import DEFAULT_FUTURE_DAYS, add_implausible_dates
from kam.storage.schema import Dataset
from kam.storage.sql import load_sql
from kam.storage.warehouse_file import LAYOUT, PARSE_WORKERS, q

# Key columns that partition a dataset's keys: rows with different values never share a key.
KEY_PARTITIONS = {"billing": "bill_month"}


def settle_dataset(con, ds: Dataset, future_days: int = DEFAULT_FUTURE_DAYS) -> None:
    """Decide which parsed rows of one dataset stand, into checked_<ds> and the clean view.

    A row stands when it breaks no rule, its references exist among the loaded rows of
    their datasets (settled before it), and no later row has its key (the file that sorts
    last by name wins; within a file the later line). checked_<ds> lists every row that
    does not stand, with why; the clean view <ds> shows the rows that do (`_ok`).
    """
    name = f"parsed_{ds.name}"
    _unknown_references(con, ds)
    add_implausible_dates(con, ds, future_days)  # joins reference_failures (plausible_dates.py says why)
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
    cols = ", ".join(q(c) for c in ds.column_names)
    con.execute(f"create or replace view {ds.name} as select {cols}, _file, _line from {name} where _ok")


def _unknown_references(con, ds: Dataset) -> None:
    """reference_failures: rows (breaking no rule of their own) naming a parent that is not loaded.

    Checked on the distinct values first: a reference that is always known costs one pass over
    the column, however many rows hold it.
    """
    checks = []
    for i, (col, parent, pcol) in enumerate(ds.references):
        # A reference within the dataset (a contract renewing another) looks among its own rows that
        # break no rule: the clean view of this dataset is only made once it is settled.
        rows = f"(select * from parsed_{ds.name} where _failure is null)" if parent == ds.name else parent
        con.execute(f"""
            create or replace temp table unknown_{i} as
            select d.v from (select distinct {q(col)} as v from parsed_{ds.name}
                             where _failure is null and {q(col)} is not null) d
            where not exists (select 1 from {rows} x where x.{q(pcol)} = d.v)""")
        if con.execute(f"select count(*) from unknown_{i}").fetchall()[0][0]:
            checks.append((i, col))
    if not checks:
        con.execute("create or replace temp table reference_failures as "
                    "select null::varchar as _file, null::bigint as _line, "
                    "null::struct(\"column\" varchar, reason varchar, value varchar) as failure limit 0")
        return
    # The first reference (in the contract's order) that is unknown is the row's reason.
    whens = " ".join(
        f"""when p.{q(col)} in (select v from unknown_{i})
            then {{'column': '{col}', 'reason': 'unknown_reference', 'value': p.{q(col)}}}"""
        for i, col in checks)
    any_unknown = " or ".join(f"p.{q(col)} in (select v from unknown_{i})" for i, col in checks)
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
    key_cols = ", ".join(q(c) for c in ds.key)
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
              and hash({", ".join("p." + q(c) for c in ds.key)}) in (select h from dup_hashes)
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
        pairs = con.execute(f"select distinct _file, {q(part)} from parsed_{ds.name} "
                            f"where _failure is null").fetchall()
    else:
        pairs = [(f, None) for (f,) in con.execute(
            f"select distinct _file from parsed_{ds.name} where _failure is null").fetchall()]
    groups = _connected_files(pairs)
    shas = dict(con.execute("select file, sha256 from file_manifest").fetchall())
    signatures = [key_signature(ds, [(f, shas.get(f)) for f in files]) for files in groups]
    cached: dict[str, list] = {}
    for sig, h in con.execute("select signature, dup_hash from key_checks where dataset = $d",
                              {"d": ds.name}).fetchall():
        cached.setdefault(sig, []).append(h)
    todo = [(files, sig) for files, sig in zip(groups, signatures) if sig not in cached]

    def check(item):
        # On its own cursor: the settle transaction is on `con`, and these rows are committed.
        cur = con.cursor()
        try:
            return repeated_hashes(cur, ds, item[0])
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


def key_signature(ds: Dataset, files: list[tuple[str, str | None]]) -> str:
    """What a key check's result depends on: the files and their content, the code and DuckDB's hash."""
    salt = [LAYOUT, duckdb.__version__, ds.name, load_sql("staging/macros"), load_sql("staging/stg_" + ds.name)]
    return hashlib.sha256("\n".join(salt + [f"{f}\t{sha}" for f, sha in sorted(files)]).encode()).hexdigest()


def repeated_hashes(cur, ds: Dataset, files: list[str]) -> np.ndarray:
    """The key hashes found more than once among the files' rows that break no rule (sorted, unique)."""
    keys = ", ".join(q(c) for c in ds.key)
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
