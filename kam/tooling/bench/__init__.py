"""How fast KAM Cockpit is at a province's size, against the limits: `python -m kam.tooling.bench`.

    python -m kam.tooling.bench [--scales S,M,L] [--out docs/benchmarks.md] [--no-browser]

For each scale (S: the sample; M: 10,000 groups; L: 50,000 groups, ~65M bill rows) it generates the
export folder once under data/bench/<scale> (kept, with a marker file, for the next run), then
measures side by side and writes one table to docs/benchmarks.md:

- ingest: our full refresh (kam.storage.warehouse.refresh, from no warehouse) against DuckDB's bare
  read_csv of the same files into a database file (the limit) and against pandas reading them;
  the same for a copy whose billing files are GBK (GB18030) with Chinese headers;
- incremental: the refresh after one new month of billing is added, against reading that month alone;
- each `kam report` table, cold (a fresh Warehouse, nothing cached) and warm (run again with the
  query layer's result cache cleared, so the time is DuckDB's), against the same table computed in
  pandas (kam/tooling/bench_pandas/) from the same inputs loaded into DataFrames;
- each page in Chromium (Playwright): time from navigation until the script has finished and the
  page is drawn, warm (the second visit), at the largest scale run;
- memory: peak RSS of a full refresh (its own process) and of the app's server while every page
  is opened.

Refreshes and reads run in child processes (`--child`), so that each peak RSS is its own and no
run warms another's Python. Times are wall-clock seconds; the machine may be shared (the run
records the load average before and after).

The package: folders.py (the export folders, made once), ingest.py (refreshes and bare reads in
child processes), reports.py (each report against pandas: kam/tooling/bench_pandas/), pages.py
(each page in Chromium), results.py (rows, targets, the table), doc.py (docs/benchmarks.md); here,
the run and its command line (__main__.py).
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from kam.tooling.bench.doc import DOC, write_doc
from kam.tooling.bench.folders import REPO_ROOT, ROOT, SCALES, Say, prepare, prepare_extra, prepare_gbk
from kam.tooling.bench.ingest import CHILDREN, measure_ingest
from kam.tooling.bench.pages import measure_pages
from kam.tooling.bench.reports import measure_reports
from kam.tooling.bench.results import GIB, Result, judge, print_table
# What tests/test_bench.py and tests/test_browser_data.py use as `bench.<name>`.
from kam.tooling.bench.folders import _is_billing_text, _marker_text  # noqa: F401
from kam.tooling.bench.ingest import _phases  # noqa: F401
from kam.tooling.bench.pages import CHROMIUM, page_stems  # noqa: F401
from kam.tooling.bench.reports import report_names  # noqa: F401
from kam.tooling.bench.results import Row  # noqa: F401


def machine() -> dict:
    import duckdb
    import pandas as pd
    mem = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "commit": commit + (" + uncommitted changes" if dirty else ""),
            "cores": os.cpu_count(), "memory_gib": round(mem / GIB, 1), "cpu": _cpu_model(),
            "python": platform.python_version(), "duckdb": duckdb.__version__, "pandas": pd.__version__,
            "load_before": os.getloadavg()}


def _git(*args: str) -> str:
    with contextlib.suppress(Exception):
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()
    return ""


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def run(scales: list[str], out: Path | None = DOC, root: Path = ROOT, browser: bool = True,
        pages: list[str] | None = None, page_scale: str | None = None, say: Say = print,
        repeat: int = 2) -> Result:
    """Measure every scale; pages and the app's memory at `page_scale` (default: the largest)."""
    result = Result(machine=machine())
    root.mkdir(parents=True, exist_ok=True)
    page_scale = page_scale or scales[-1]
    for scale in scales:
        folder = prepare(scale, root, say)
        gbk = prepare_gbk(folder, say)
        extra = prepare_extra(folder, say)
        measure_ingest(scale, folder, gbk, extra, say, result, repeat)
        measure_reports(scale, folder, say, result)
        if browser and scale == page_scale:
            measure_pages(scale, folder, say, result, pages)
    result.machine["load_after"] = os.getloadavg()
    judge(result.rows, "L" if "L" in scales else scales[-1])
    print_table(result.rows, result.machine)
    if out is not None:
        write_doc(result, out, scales, "L" if "L" in scales else scales[-1])
        say(f"written {out}")
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        print(json.dumps(CHILDREN[argv[1]](*argv[2:])))
        return 0
    parser = argparse.ArgumentParser(prog="python -m kam.tooling.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="S,M,L", help="comma-separated scales among S, M, L (default S,M,L)")
    parser.add_argument("--out", type=Path, default=DOC, help="the Markdown file to write (default docs/benchmarks.md)")
    parser.add_argument("--root", type=Path, default=ROOT, help="where the generated folders live (default data/bench)")
    parser.add_argument("--no-browser", action="store_true", help="skip the pages in Chromium")
    args = parser.parse_args(argv)
    scales = [s.strip().upper() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in scales if s not in SCALES]
    if unknown:
        parser.error(f"unknown scale(s) {unknown}: use S, M, L")
    run(scales, args.out, args.root, browser=not args.no_browser)
    return 0
