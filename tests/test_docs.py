"""The documentation is tested: SQL files state their grain, every command has help and is in the README."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kam.cli import build_parser, main
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
