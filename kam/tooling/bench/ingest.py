"""Measuring ingest: our refresh against DuckDB's bare read and pandas, each in its own child process.

Refreshes and reads run as `python -m kam.tooling.bench --child ...`, so that each peak RSS is its
own and no run warms another's Python.
"""
from __future__ import annotations

import contextlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kam.tooling.bench.folders import REPO_ROOT, Say, _export_files, _incremental_folder, _is_billing_text
from kam.tooling.bench.results import (GIB, TARGET_GBK, TARGET_INCREMENTAL, TARGET_REFRESH, TARGET_REFRESH_GIB,
                                       Result, Row)


def _child(args: list[str]) -> dict:
    """Run `python -m kam.tooling.bench --child ...` and return the JSON it prints last."""
    done = subprocess.run([sys.executable, "-m", "kam.tooling.bench", "--child", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _usage() -> dict:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
            "peak_bytes": max(me.ru_maxrss, kids.ru_maxrss) * 1024}


def child_refresh(folder: str) -> dict:
    from kam.storage.warehouse import refresh
    marks: list[tuple[float, str]] = []
    start = time.perf_counter()
    refresh(Path(folder), progress=lambda msg: marks.append((time.perf_counter() - start, str(msg))))
    wall = time.perf_counter() - start
    return {"wall": wall, **_usage(), "phases": _phases(marks, wall)}


def _phases(marks: list[tuple[float, str]], wall: float) -> dict:
    """Where the refresh's time went, from its progress messages."""
    first = lambda pred: next((t for t, m in marks if pred(m)), None)  # noqa: E731
    settled = first(lambda m: m.endswith(": checked"))
    mart = first(lambda m: m.startswith("mart "))
    last_mart = max((t for t, m in marks if m.startswith("mart ")), default=None)
    if settled is None or mart is None:
        return {}
    # the first dataset's check is quick: parsing ends just before it
    return {"parse": settled, "settle": mart - settled, "marts": last_mart - mart,
            "publish": wall - last_mart}


def _bare_read(con, files: list[Path]) -> None:
    """What DuckDB does with the files by itself: read_csv (or read_parquet) with its defaults."""
    from kam.storage.schema import dataset_for_file
    groups: dict[str, list[Path]] = {}
    for path in files:
        ds = dataset_for_file(path.name)
        groups.setdefault(ds.name if ds else path.stem, []).append(path)
    n = 0
    for name, paths in groups.items():
        texts = [str(p) for p in paths if p.suffix.lower() in (".csv", ".txt")]
        parquet = [str(p) for p in paths if p.suffix.lower() == ".parquet"]
        for batch, reader in ((texts, "read_csv"), (parquet, "read_parquet")):
            if not batch:
                continue
            try:  # all the dataset's files at once, as DuckDB reads them fastest
                con.execute(f'create table "{name}_{n}" as select * from {reader}($f, union_by_name = true)',
                            {"f": batch})
                n += 1
                continue
            except Exception:  # noqa: BLE001 — mixed files: one by one, skipping what it cannot read
                pass
            for f in batch:
                with contextlib.suppress(Exception):
                    con.execute(f'create table "{name}_{n}" as select * from {reader}($f)', {"f": f})
                    n += 1


def child_bare(db: str, iconv: str, *files: str) -> dict:
    """DuckDB's bare read of the files into a fresh database file; `iconv` = 1 converts GBK first."""
    import duckdb
    paths = [Path(f) for f in files]
    for p in (Path(db), Path(db + ".wal")):
        p.unlink(missing_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=Path(db).parent) as tmp:
        if iconv == "1":  # DuckDB reads only UTF-8 offline: the limit for GBK includes iconv
            converted = []
            for p in paths:
                if _is_billing_text(p):
                    out = Path(tmp) / p.name
                    subprocess.run(["iconv", "-f", "GB18030", "-t", "UTF-8", "-o", str(out), str(p)], check=True)
                    converted.append(out)
                else:
                    converted.append(p)
            paths = converted
        con = duckdb.connect(db)
        _bare_read(con, paths)
        con.execute("checkpoint")
        con.close()
    wall = time.perf_counter() - start
    for p in (Path(db), Path(db + ".wal")):
        p.unlink(missing_ok=True)
    return {"wall": wall, **_usage()}


def child_pandas(encoding: str, *files: str) -> dict:
    """pandas reading the same files (read_csv with its defaults; Excel with calamine; parquet)."""
    import pandas as pd
    from kam.storage.readers import _sniff_encoding
    frames = []
    start = time.perf_counter()
    for f in map(Path, files):
        suffix = f.suffix.lower()
        with contextlib.suppress(Exception):  # a file pandas cannot read is left out, as for DuckDB
            if suffix in (".csv", ".txt"):
                enc = encoding if encoding != "auto" else _sniff_encoding(f)
                frames.append(pd.read_csv(f, encoding=enc, sep=None if suffix == ".txt" else ",",
                                          engine="python" if suffix == ".txt" else "c"))
            elif suffix == ".parquet":
                frames.append(pd.read_parquet(f))
            elif suffix == ".xlsx":
                frames.append(pd.read_excel(f, engine="calamine"))
    wall = time.perf_counter() - start
    return {"wall": wall, **_usage(), "rows": int(sum(len(x) for x in frames))}


CHILDREN = {"refresh": child_refresh, "bare": child_bare, "pandas": child_pandas}


def measure_ingest(scale: str, folder: Path, gbk: Path, extra: Path, say: Say, result: Result,
                   repeat: int = 2) -> None:
    """Refreshes and bare reads, each the best of `repeat` runs taken in turns (UTF-8, its bare
    read, GBK, its bare read, again ...), so that a burst of load on the shared machine does not
    land on one side of a ratio only. pandas reads once."""
    files = [str(p) for p in _export_files(folder)]
    gbk_files = [str(p) for p in _export_files(gbk)]
    runs: dict[str, list[dict]] = {"full": [], "bare": [], "gbk": [], "gbk_bare": [], "inc": [], "inc_bare": []}
    for n in range(repeat):
        say(f"{scale}: full refresh, bare read ({n + 1}/{repeat})")
        shutil.rmtree(folder / ".kam", ignore_errors=True)
        runs["full"].append(_child(["refresh", str(folder)]))
        runs["bare"].append(_child(["bare", str(folder / ".bench-bare.duckdb"), "0", *files]))
        say(f"{scale}: GBK copy: refresh, bare read ({n + 1}/{repeat})")
        shutil.rmtree(gbk / ".kam", ignore_errors=True)
        runs["gbk"].append(_child(["refresh", str(gbk)]))
        shutil.rmtree(gbk / ".kam", ignore_errors=True)
        runs["gbk_bare"].append(_child(["bare", str(gbk / ".bench-bare.duckdb"), "1", *gbk_files]))
    for n in range(repeat):
        say(f"{scale}: incremental refresh (one new month), bare read of the month ({n + 1}/{repeat})")
        inc = _incremental_folder(folder, extra)
        try:
            runs["inc"].append(_child(["refresh", str(inc)]))
        finally:
            shutil.rmtree(inc, ignore_errors=True)
        runs["inc_bare"].append(_child(["bare", str(folder / ".bench-bare.duckdb"), "0", str(extra)]))
    say(f"{scale}: pandas reads")
    pdr = _child(["pandas", "auto", *files])
    g_pd = _child(["pandas", "auto", *gbk_files])
    i_pd = _child(["pandas", "auto", str(extra)])
    best = {k: min(v, key=lambda r: r["wall"]) for k, v in runs.items()}
    full, bare, g, g_bare, i, i_bare = (best[k] for k in ("full", "bare", "gbk", "gbk_bare", "inc", "inc_bare"))
    result.details[f"{scale}:ingest_runs"] = runs
    result.rows.append(Row("ingest: full refresh", scale, full["wall"], target=f"≤ {TARGET_REFRESH} × bare",
                           note=_phase_note(full, bare))
                       .compare("DuckDB bare read_csv", bare["wall"]).against_pandas(pdr["wall"]))
    result.rows.append(Row("ingest GBK: full refresh", scale, g["wall"], note=_phase_note(g, g_bare))
                       .compare("iconv + DuckDB bare read", g_bare["wall"]).against_pandas(g_pd["wall"]))
    result.rows.append(Row("ingest GBK ÷ UTF-8: full refresh", scale, g["wall"],
                           target=f"≤ {TARGET_GBK} × UTF-8 refresh",
                           note=f"cpu {g['cpu']:.0f} s ÷ {full['cpu']:.0f} s = {g['cpu'] / full['cpu']:.2f}×")
                       .compare("our UTF-8 refresh", full["wall"]))
    result.rows.append(Row("ingest: incremental refresh, one new month", scale, i["wall"],
                           target=f"≤ {TARGET_INCREMENTAL} × reading the month", note=_phase_note(i, i_bare))
                       .compare("DuckDB bare read of the month", i_bare["wall"]).against_pandas(i_pd["wall"]))
    result.rows.append(Row("memory: peak of a full refresh", scale,
                           max(r["peak_bytes"] for r in runs["full"] + runs["gbk"]) / GIB, unit="GiB",
                           target=f"≤ {TARGET_REFRESH_GIB:g} GiB", note="the larger of the UTF-8 and GBK refreshes"))


def _phase_note(r: dict, bare: dict | None = None) -> str:
    """The refresh's phases (s), its CPU seconds and, beside them, the bare read's."""
    ph = r.get("phases") or {}
    text = " · ".join(f"{k} {v:.1f}" for k, v in ph.items()) + f" · cpu {r['cpu']:.0f}"
    return text + (f" (bare read: cpu {bare['cpu']:.0f})" if bare else "")
