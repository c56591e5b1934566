"""Measuring each `kam report` table, cold and warm, against the same table computed in pandas."""
from __future__ import annotations

import time
from pathlib import Path

from kam.tooling.bench.folders import Say
from kam.tooling.bench.results import TARGET_COLD, TARGET_PANDAS, TARGET_WARM, Result, Row, _ratio, _times


def report_names() -> list[str]:
    """The contract's reports that have a pandas twin to be measured against (targets, retention and
    warnings have none yet, so the benchmark leaves them out rather than print a ratio it cannot have)."""
    from kam.figures.reports import CONTRACT_REPORTS, available_reports
    from kam.tooling.bench_pandas import REPORTS
    return [n for n in CONTRACT_REPORTS if n in set(available_reports()) and n in REPORTS]


def measure_reports(scale: str, folder: Path, say: Say, result: Result, repeat: int = 3) -> None:
    """Each report cold and warm, and pandas computing the same table two ways: from the loaded data
    (clean datasets: it builds the marts it needs, as a notebook would; the ratio of the row) and
    from the same inputs as the SQL, marts included (the note)."""
    from kam.tooling import bench_pandas
    from kam.figures.query import Warehouse
    from kam.figures.reports import run_report
    from kam.figures.settings import load_settings
    settings = load_settings()
    probe = Warehouse(folder, settings)
    period = probe.default_period()
    say(f"{scale}: loading the report inputs into pandas")
    start = time.perf_counter()
    frames = bench_pandas.load(probe, with_data=True)
    result.details[f"{scale}:pandas_load"] = time.perf_counter() - start
    params = bench_pandas.params(probe, period)
    probe._con.close()
    marts, took = bench_pandas.build_marts(frames)
    result.details[f"{scale}:pandas_marts"] = took
    from_data = {**frames, **marts}

    def pandas_best(name, inputs, runs=2):
        best, table = None, None
        for _ in range(runs):
            start = time.perf_counter()
            table = bench_pandas.run(name, inputs, params, settings)
            took_s = time.perf_counter() - start
            best = took_s if best is None else min(best, took_s)
        return best, table

    for name in report_names():
        say(f"{scale}: report {name}")
        wh = Warehouse(folder, settings)
        start = time.perf_counter()
        ours = run_report(wh, name, period)
        cold = time.perf_counter() - start
        warm = []
        for _ in range(repeat):
            wh._cache.clear()  # the query layer's result cache: the warm time is DuckDB's
            start = time.perf_counter()
            run_report(wh, name, period)
            warm.append(time.perf_counter() - start)
        wh._con.close()
        on_marts, table_m = pandas_best(name, frames)
        report_s, table_d = pandas_best(name, from_data)
        on_data = report_s + sum(took[m] for m in bench_pandas.NEEDS[name])
        agree_d, agree_m = bench_pandas.agreement(ours, table_d), bench_pandas.agreement(ours, table_m)
        approx = bench_pandas.APPROXIMATE.get(name, "")
        note = (f"pandas table: {agree_d}" + (f" ({approx})" if approx else "")
                + f"; pandas from the SQL's own marts: {on_marts:.3f} s ({_times(_ratio(on_marts, min(warm)))}"
                + ("" if agree_m == "same" else f", {agree_m}") + ")")
        result.rows.append(Row(f"report {name}: warm", scale, min(warm),
                               target=f"≤ {TARGET_WARM} s, ≥ {TARGET_PANDAS:g} × pandas", note=note)
                           .against_pandas(on_data))
        result.rows.append(Row(f"report {name}: cold", scale, cold, target=f"≤ {TARGET_COLD:g} s"))
