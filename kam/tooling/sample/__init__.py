"""A realistic, deterministic export folder for one province: the bundled sample and the benchmarks.

`write_sample(folder)` writes what a province's BOSS and CRM would export for 24 months ending
2026-10 (see ../shared/spec/exports.md): branches, managers, groups, members, monthly bills,
visits, orders, complaints and the manager history. The sample scale mixes the file names,
formats, encodings and header languages met in the field and plants a few rows of every error
the contract sets aside, so the data-quality view has something honest to show; the returned
dict lists each planted row, file and line so tests can check the reader finds it.

The M and L scales (`SCALES`) are clean UTF-8 CSV for benchmarks. Everything is vectorised
(numpy arrays, DuckDB SQL writing the bills), so L's ~60 million billing rows take minutes.

Same seed, same bytes: all randomness comes from one `numpy.random.default_rng(seed)` drawn in a
fixed order (or, in SQL, from `hash()` of row numbers and the seed), and no wall clock is read.

The package: scales.py (sizes and the calendar), province.py (the fixed facts), world.py (what
happened, as arrays), channels.py (visits, orders, complaints), text_forms.py and rows.py (cells
as exports write them), sample_folder.py (the sample scale's files and planted flaws), scaled.py
(the M and L scales), plan.py (targets, contracts, arrears, counties, the new products' bills); here,
write_sample.
"""
from __future__ import annotations

import pathlib

import numpy as np

from kam.tooling.sample.plan import Plan, write_plan_exports
from kam.tooling.sample.sample_folder import _Sample
from kam.tooling.sample.scaled import _write_scaled
from kam.tooling.sample.scales import LAST_MONTH, SCALES, Progress, Scale  # noqa: F401 (callers import them from here)
from kam.tooling.sample.world import build_world


def write_sample(folder: pathlib.Path, seed: int = 7, scale: str = "sample", progress: Progress = None) -> dict:
    """Write an export folder; returns {"files": [...], "planted": [...], "rows": {file: data rows}}.

    Each planted item is {"file", "dataset", "line", "column", "kind"}: `line` is the file line
    (header = 1; for the xlsx the sheet row; for parquet the row number from 1), None for a
    whole-file problem; `column` the canonical column, None for a whole row or file. Kinds
    are the reasons the reader gives: bad_date, bad_timestamp, bad_month, bad_amount,
    bad_number, out_of_range, bad_enum, required, unknown_reference, stage_order,
    time_order, duplicate_key (the earlier copy, which is superseded), superseded (rows a
    later, corrected export replaces), unreadable_file, missing_column, unknown_file.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: one of {', '.join(SCALES)}")
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)
    spec = SCALES[scale]
    if scale != "sample":
        return _write_scaled(folder, spec.groups, spec.members, spec.months, seed=seed, progress=progress)
    rng = np.random.default_rng(seed)
    say(f"building the province ({spec.groups:,} groups, {spec.members:,} members, {spec.months} months)")
    world = build_world(rng, spec.groups, spec.members, spec.months)
    s = _Sample(folder, rng, world, say)
    s.plan = Plan(world, seed)   # issue 14's exports, from a generator of their own
    for step in (s.branches, s.managers, s.groups, s.members, s.assignments, s.billing,
                 s.visits, s.orders, s.complaints, lambda: write_plan_exports(s, s.plan), s.bad_files):
        step()
    return {"files": s.files, "planted": s.planted, "rows": s.rows}
