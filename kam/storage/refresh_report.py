"""What a refresh reports: what became of each file and dataset, and the check that no row was lost.

The counts go into file_manifest and set_aside_rows (what the data page shows) and into the
IngestReport that `kam ingest` prints.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kam.i18n import Message
from kam.storage.schema import DATASETS
from kam.storage.warehouse_file import q


class RefreshFailed(Exception):
    """The refresh did not finish; the previous warehouse is untouched.

    Why, as a code (`refresh_failed.<code>`) and fields: str() is the English sentence `kam ingest`
    prints, the Data page shows `message.text(lang)`.
    """

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        self.message = Message(f"refresh_failed.{code}", params)
        super().__init__(str(self.message))


@dataclass
class FileOutcome:
    file: str
    dataset: str | None
    status: str  # loaded | unchanged | failed | unknown
    error: str = ""  # why it failed, in English (`kam ingest`); reason: the same as a message
    rows_read: int = 0
    loaded: int = 0
    set_aside: int = 0
    superseded: int = 0
    reason: Message | None = None


@dataclass
class IngestReport:
    run_id: str
    folder: Path
    files: list[FileOutcome] = field(default_factory=list)
    datasets: list[dict] = field(default_factory=list)
    reasons: list[dict] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # leftovers of earlier refreshes removed (housekeeping)

    @property
    def loaded_anything(self) -> bool:
        return any(d["loaded"] > 0 for d in self.datasets)


def summarise(con, report: IngestReport, run_id: str) -> None:
    """Counts per file into the manifest, and the set-aside table readers see.

    Each count comes from its own place, so that check_accounting compares independent
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
        cols = ", ".join(f"{c!r}: p.{q(c)}" for c in ds.column_names)
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


def check_accounting(con) -> None:
    """Every row read is loaded, set aside or superseded: never lost, never counted twice."""
    bad = con.execute("""
        select file, rows_read, loaded, set_aside, superseded from file_manifest
        where status = 'loaded' and rows_read <> loaded + set_aside + superseded""").fetchall()
    if bad:
        raise RefreshFailed("accounting", file=bad[0][0], counts=str(bad[0][1:]))
    for ds in DATASETS.values():
        (manifest_loaded,) = con.execute(
            "select coalesce(sum(loaded), 0) from file_manifest where dataset = $d and status = 'loaded'",
            {"d": ds.name}).fetchall()[0]
        (table_rows,) = con.execute(f"select count(*) from {ds.name}").fetchall()[0]
        if manifest_loaded != table_rows:
            raise RefreshFailed("table_count", dataset=ds.name, manifest=manifest_loaded, table=table_rows)
