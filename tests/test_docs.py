"""The documentation is tested: SQL files state their grain, every command has help and is in the README,
and the user docs (docs/exports.md, docs/metrics.md) name exactly what the code has."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from conftest import write_text

from kam.cli import build_parser, main
from kam.figures.reports import CONTRACT_REPORTS, available_reports, run_report
from kam.figures.settings import CLASSES, MODELS, SECTIONS, SEVERITIES
from kam.i18n import labels, t
from kam.storage.schema import DATASETS
from kam.storage.sql import load_sql

REPO = Path(__file__).resolve().parent.parent
SQL_FILES = sorted((REPO / "queries").rglob("*.sql"))
# Tables without a branch dimension: the data-quality view describes files, not customers.
UNSCOPED = {"reports/quality", "pages/data_datasets", "pages/data_files", "pages/data_examples",
            "pages/data_set_aside"}


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_sql_file_starts_with_a_comment_stating_its_grain(path):
    first = path.read_text(encoding="utf-8").lstrip().splitlines()[0]
    assert re.match(r"^-- grain: \S", first), f"{path.name} must start with '-- grain: ...'"


@pytest.mark.parametrize("path", [p for p in SQL_FILES if p.parent.name in ("reports", "pages")],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_every_page_and_report_query_applies_the_viewers_scope(path):
    name = f"{path.parent.name}/{path.stem}"
    if name in UNSCOPED:
        return
    # the statement as it runs: the filter may come with a shared definition it references
    assert "$branches" in load_sql(name), f"{name} must filter by $branches"


def test_there_is_at_least_one_sql_file_per_layer():
    layers = {p.parent.name for p in SQL_FILES}
    assert {"staging", "marts", "reports", "pages", "meta"} <= layers


def _commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(sub.choices)


@pytest.mark.parametrize("command", ["", *_commands()])
def test_every_kam_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"] if command else ["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "usage: kam" in out and len(out.splitlines()) > 3


@pytest.mark.parametrize("command", _commands())
def test_every_kam_command_is_in_the_readme(command):
    assert f"`kam {command}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    assert "make test" in (REPO / ".ci" / "run").read_text()
    assert "make test " in (REPO / "README.md").read_text()


# ---------------------------------------------------------------- the user docs against the code
# docs/exports.md and docs/metrics.md are the contract a user has: every dataset, column, Chinese
# header, reason code, figure, report (and its columns) and setting the code knows is in them, and
# nothing they name is missing from the code. Both state the conventions parsed here at their top:
# a table's kind is its first header cell (`| column |`, `| reason |`, `| figure |`, `| report |`,
# `| setting |`), a name is the backticked first cell of a row, a dataset is a
# "### `name` — 中文名" heading followed by "File names start with:" and "Key:" lines.

EXPORTS_MD = REPO / "docs" / "exports.md"
METRICS_MD = REPO / "docs" / "metrics.md"
TICKED = re.compile(r"`([^`]+)`")
# ``…`` spans show the notation itself (`` `name` ``): they name nothing
DOUBLE_TICKED = re.compile(r"``.*?``")
# What a step of a documented settings key may stand for (metrics.md "Settings" states the same).
PLACEHOLDERS = {"<class>": CLASSES, "<severity>": tuple(str(s) for s in SEVERITIES), "<model>": MODELS}


def _cells(line: str) -> list[str]:
    # `\|` inside a cell is a literal pipe, not a cell border
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]


def md_tables(text: str) -> list[tuple[str, list[list[str]]]]:
    """Every markdown table as (kind, body rows): kind is the first header cell, lowercased."""
    lines, tables, i = text.splitlines(), [], 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and re.fullmatch(r"\|[\s:|-]+\|", lines[i + 1].strip()):
            kind, rows, i = _cells(lines[i])[0].lower(), [], i + 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            tables.append((kind, rows))
        else:
            i += 1
    return tables


def _rows(text: str, kind: str) -> list[list[str]]:
    return [row for k, rows in md_tables(text) if k == kind for row in rows]


def _name(cell: str) -> str | None:
    found = TICKED.fullmatch(cell)
    return found.group(1) if found else None


def _ticked(text: str) -> list[str]:
    """The backticked names in a text."""
    return TICKED.findall(DOUBLE_TICKED.sub("", text))


def _compare(problems: list[str], what: str, code: set, docs: set, doc: str) -> None:
    problems += [f"{what} `{n}`: in the code, not in {doc}" for n in sorted(code - docs, key=str)]
    problems += [f"{what} `{n}`: in {doc}, not in the code" for n in sorted(docs - code, key=str)]


def _paths_exist(problems: list[str], text: str, doc: str) -> None:
    for token in set(_ticked(text)):
        if "/" in token and token.endswith((".sql", ".py")) and not (REPO / token).is_file():
            problems.append(f"file `{token}`: named in {doc}, not in the repository")


def reason_codes() -> set[str]:
    """The reason codes the code labels for the Data page (`reason.<code>` in the locale files)."""
    return {k.split(".", 1)[1] for k in labels("en") if k.startswith("reason.")}


def documented_datasets(text: str) -> dict[str, dict]:
    """name → {zh, starts, key, columns: {column: (aliases, required/optional)}} from the ### sections."""
    found = {}
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        section = re.split(r"^## ", section, flags=re.M)[0]  # a section ends at the next chapter
        head = re.match(r"`(\w+)` — (\S+)", section)
        starts = re.search(r"^File names start with: (.+)$", section, re.M)
        if not head or not starts:
            continue  # not a dataset section
        key = re.search(r"^Key: (.+)$", section, re.M)
        columns = {_name(row[0]): (set(_ticked(row[1])), row[2]) for row in _rows(section, "column")
                   if len(row) > 2 and _name(row[0])}
        found[head.group(1)] = {"zh": head.group(2), "starts": _ticked(starts.group(1)),
                                "key": _ticked(key.group(1)) if key else [], "columns": columns}
    return found


def exports_problems(text: str) -> list[str]:
    """Every difference between docs/exports.md (as `text`) and the export contract in the code."""
    doc, problems = "docs/exports.md", []
    documented = documented_datasets(text)
    _compare(problems, "dataset", set(DATASETS), set(documented), doc)
    for name in sorted(set(DATASETS) & set(documented)):
        ds, d = DATASETS[name], documented[name]
        if d["zh"] != ds.zh:
            problems.append(f"dataset `{name}`: Chinese name {d['zh']} in {doc}, {ds.zh} in the code")
        _compare(problems, f"{name} file-name start", set(ds.name_starts), set(d["starts"]), doc)
        if d["key"] != list(ds.key):
            problems.append(f"dataset `{name}`: key {d['key']} in {doc}, {list(ds.key)} in the code")
        _compare(problems, f"{name} column", set(ds.column_names), set(d["columns"]), doc)
        for col in ds.columns:
            if col.name not in d["columns"]:
                continue
            aliases, required = d["columns"][col.name]
            _compare(problems, f"{name}.{col.name} Chinese header", set(col.aliases), aliases, doc)
            if required != ("required" if col.required else "optional"):
                problems.append(f"{name}.{col.name}: `{required}` in {doc}, "
                                f"{'required' if col.required else 'optional'} in the code")
    reasons = {_name(row[0]): row for row in _rows(text, "reason") if _name(row[0])}
    _compare(problems, "reason code", reason_codes(), set(reasons), doc)
    for code in sorted(reason_codes() & set(reasons)):
        if reasons[code][1] != t(f"reason.{code}", "zh"):
            problems.append(f"reason code `{code}`: label {reasons[code][1]} in {doc}, "
                            f"{t(f'reason.{code}', 'zh')} in the code")
    _paths_exist(problems, text, doc)
    return problems


def metric_keys() -> set[str]:
    """The figures that have an on-screen name and help text (`metric.<name>.name` / `.help`)."""
    return {k.split(".")[1] for k in labels("en") if k.startswith("metric.") and k.endswith(".name")}


def settings_paths(node=None, prefix: tuple[str, ...] = ()) -> list[str]:
    """Every leaf key of settings.toml as a dotted path; a [[table]] element is its position from 1."""
    if node is None:
        node = tomllib.loads((REPO / "settings.toml").read_text(encoding="utf-8"))
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in settings_paths(v, (*prefix, str(k)))]
    if isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        return [p for i, x in enumerate(node, start=1) for p in settings_paths(x, (*prefix, str(i)))]
    return [".".join(prefix)]


def _setting_pattern(key: str) -> re.Pattern:
    steps = []
    for step in key.split("."):
        if step == "<n>":
            steps.append(r"[1-9]\d*")
        elif step in PLACEHOLDERS:
            steps.append("(?:" + "|".join(map(re.escape, PLACEHOLDERS[step])) + ")")
        else:
            steps.append(re.escape(step))
    return re.compile(r"\.".join(steps))


def documented_reports(text: str) -> dict[str, list[str]]:
    return {_name(row[0]): _ticked(row[-1]) for row in _rows(text, "report") if _name(row[0])}


def metrics_problems(text: str) -> list[str]:
    """Every difference between docs/metrics.md (as `text`) and the figures, reports and settings."""
    doc, problems = "docs/metrics.md", []
    figure_rows = [row for row in _rows(text, "figure") if _name(row[0])]
    figures = [_name(row[0]) for row in figure_rows]
    problems += [f"figure `{f}`: defined more than once in {doc}" for f in sorted({f for f in figures
                                                                                   if figures.count(f) > 1})]
    _compare(problems, "figure", metric_keys(), set(figures), doc)
    for row in figure_rows:
        if len(row) < 5 or not [p for p in _ticked(row[3]) if p.endswith((".sql", ".py"))]:
            problems.append(f"figure `{_name(row[0])}`: names no file that computes it in {doc}")
    _compare(problems, "report", set(available_reports()) | set(CONTRACT_REPORTS), set(documented_reports(text)),
             doc)
    # settings: the reference table covers every key; any key named anywhere must exist
    leaves = settings_paths()
    inner = {".".join(p.split(".")[:i]) for p in leaves for i in range(1, p.count(".") + 1)}
    table_keys = {k for row in _rows(text, "setting") for k in _ticked(row[0])}
    patterns = {k: _setting_pattern(k) for k in table_keys}
    problems += [f"setting `{leaf}`: in settings.toml, not in the settings table of {doc}"
                 for leaf in leaves if not any(p.fullmatch(leaf) for p in patterns.values())]
    named = {k for k in _ticked(text) if k.split(".")[0] in SECTIONS and "." in k}
    for key in sorted(named | table_keys):
        pattern = _setting_pattern(key)
        if not any(pattern.fullmatch(p) for p in [*leaves, *inner]):
            problems.append(f"setting `{key}`: in {doc}, not in settings.toml")
    _paths_exist(problems, text, doc)
    return problems


def test_the_export_contract_doc_matches_the_code():
    assert exports_problems(EXPORTS_MD.read_text(encoding="utf-8")) == []


def test_the_metrics_doc_matches_the_code():
    assert metrics_problems(METRICS_MD.read_text(encoding="utf-8")) == []


def test_the_checks_see_what_the_docs_hold():
    # a parser that found nothing would pass the two tests above on any text
    exports, metrics = EXPORTS_MD.read_text(encoding="utf-8"), METRICS_MD.read_text(encoding="utf-8")
    datasets = documented_datasets(exports)
    assert set(datasets) == set(DATASETS)
    assert datasets["members"]["columns"]["join_date"] == ({"加入日期", "入网日期"}, "required")
    assert datasets["members"]["starts"] == ["members", "member", "集团成员", "成员"]
    assert {"time_order", "unknown_file"} <= {_name(r[0]) for r in _rows(exports, "reason")}
    assert {"revenue", "sla_late", "model_total"} <= {_name(r[0]) for r in _rows(metrics, "figure")}
    assert documented_reports(metrics)["pareto"] == ["groups", "top_groups", "revenue", "active_revenue", "inactive_revenue", "top20_revenue",
                                                     "top20_share", "groups_for_80", "share_for_80"]
    assert "sla.response_hours.2.B" in settings_paths() and "capacity.bands.7.c" in settings_paths()
    assert _setting_pattern("sla.response_hours.<severity>.<class>").fullmatch("sla.response_hours.2.B")
    assert not _setting_pattern("sla.response_hours.<severity>.<class>").fullmatch("sla.response_hours.4.B")


def test_every_reason_the_code_gives_is_a_labelled_reason_code():
    # The reasons written by the staging models, the warehouse and the quality report are exactly the
    # labelled ones, so the reason table of docs/exports.md (checked against the labels) has them all.
    given = set()
    for path in (REPO / "queries" / "staging").glob("*.sql"):
        sql = path.read_text(encoding="utf-8")
        given |= set(re.findall(r"kam_rule\(\s*'\w+',\s*'(\w+)'", sql))
        given |= set(re.findall(r"(?:true|false),\s*'(\w+)'\s*\)", sql))  # kam_cell(..., required, 'reason')
        given |= set(re.findall(r"'reason':\s*'(\w+)'", sql))
    # the refresh and the modules beside it (parse_files, settle_rows, refresh_report)
    warehouse = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "kam" / "storage").glob("*.py"))
    given |= set(re.findall(r"'reason':\s*'(\w+)'", warehouse)) | set(re.findall(r"'(\w+)' as reason", warehouse))
    given |= set(re.findall(r"\$line, '(\w+)', \$raw", warehouse))
    given |= set(re.findall(r'^[A-Z_]+ = "(\w+)"  # reason code$', warehouse, re.M))  # whole lines set aside
    given |= set(re.findall(r"(?:then|else)\s+'(\w+)'", (REPO / "queries" / "reports" / "quality.sql").read_text()))
    assert {"required", "bad_month", "stage_order", "unknown_reference", "superseded", "malformed_line",
            "missing_column"} <= given  # the patterns above still find the reasons
    assert given == reason_codes()


def test_every_report_column_is_in_the_metrics_doc(base_folder):
    from kam.figures.query import Warehouse
    from kam.figures.settings import load_settings
    from kam.storage.warehouse import refresh

    write_text(base_folder / "billing_202606.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202606", "G1", "13800000001", "voice", "100"], ["202606", "G2", "", "line", "50"]])
    refresh(base_folder)
    wh = Warehouse(base_folder, load_settings(REPO / "settings.toml"))
    documented = documented_reports(METRICS_MD.read_text(encoding="utf-8"))
    for name in available_reports():
        assert documented.get(name) == list(run_report(wh, name).columns), name


# A copy of a doc with one name taken out (or one put in that the code lacks): the check must say which.
EXPORTS_LOST = "in the code, not in docs/exports.md"
METRICS_LOST = "in the code, not in docs/metrics.md"


@pytest.mark.parametrize("old, new, expected", [
    ("| `fee_item` | `费用科目` / `业务类型` | required |", "| `fee_items` | `费用科目` / `业务类型` | required |",
     f"billing column `fee_item`: {EXPORTS_LOST}"),
    ("`客户经理编码` / `工号`", "`客户经理编码`", f"managers.manager_id Chinese header `工号`: {EXPORTS_LOST}"),
    ("| `visit_date` | `走访日期` | required |", "| `visit_date` | `走访日期` | optional |",
     "visits.visit_date: `optional` in docs/exports.md, required in the code"),
    ("| `time_order` |", "| `times_order` |", f"reason code `time_order`: {EXPORTS_LOST}"),
    ("File names start with: `assignments`, `变更`", "File names start with: `assignments`",
     f"assignments file-name start `变更`: {EXPORTS_LOST}"),
    ("## Reason codes", "### `budgets` — 预算\n\nFile names start with: `budgets`\n\n## Reason codes",
     "dataset `budgets`: in docs/exports.md, not in the code"),
    ("| `county` | `区县` / `营业部` | optional | text | the unit below the branch the group",
     "| `county` | `区县` | optional | text | the unit below the branch the group",
     f"groups.county Chinese header `营业部`: {EXPORTS_LOST}"),
])
def test_the_exports_check_names_what_the_doc_lost(old, new, expected):
    text = EXPORTS_MD.read_text(encoding="utf-8")
    assert text.count(old) == 1
    assert expected in exports_problems(text.replace(old, new))


@pytest.mark.parametrize("old, new, expected", [
    ("| `revenue_drop` |", "| `revenue_dip` |", f"figure `revenue_drop`: {METRICS_LOST}"),
    ("| `rows_read` |", "| `set_aside` |", "figure `set_aside`: defined more than once in docs/metrics.md"),
    ("\n| `alerts.revenue_drop` |", "\n| `alerts.revenue_dip` |",
     "setting `alerts.revenue_drop`: in settings.toml, not in the settings table of docs/metrics.md"),
    ("\n| `alerts.revenue_drop` |", "\n| `alerts.revenue_dip` |",
     "setting `alerts.revenue_dip`: in docs/metrics.md, not in settings.toml"),
    ("| `pareto` |", "| `concentration` |", f"report `pareto`: {METRICS_LOST}"),
    ("`queries/reports/funnel.sql` | — |", "`queries/reports/funnl.sql` | — |",
     "file `queries/reports/funnl.sql`: named in docs/metrics.md, not in the repository"),
])
def test_the_metrics_check_names_what_the_doc_lost(old, new, expected):
    text = METRICS_MD.read_text(encoding="utf-8")
    assert text.count(old) == 1
    assert expected in metrics_problems(text.replace(old, new))


def test_the_readme_points_at_the_docs_in_the_repository():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme
    for doc in ("docs/exports.md", "docs/metrics.md"):
        assert f"]({doc})" in readme and (REPO / doc).is_file(), doc


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("doc", ["exports.md", "metrics.md"])
def test_the_docs_links_stay_inside_the_repository_and_resolve(doc):
    text = (REPO / "docs" / doc).read_text(encoding="utf-8")
    assert "../shared" not in text
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        file, _, anchor = target.partition("#")
        path = (REPO / "docs" / file) if file else REPO / "docs" / doc
        assert path.is_file(), target
        if anchor:
            headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
            assert anchor in {_anchor(h) for h in headings}, target
