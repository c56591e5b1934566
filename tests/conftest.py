"""Shared fixtures: small hand-made export folders, and the generated sample loaded once."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def write_text(path: Path, header: list[str], rows: list[list[str]], *, delimiter: str = ",",
               encoding: str = "utf-8") -> Path:
    """A delimited export file exactly as given (no quoting magic: cells must not hold the delimiter)."""
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


BRANCHES = (["branch_id", "branch_name", "mgmt_model"],
            [["GZ", "广州", "support"], ["SZ", "深圳", "parallel"]])
MANAGERS = (["manager_id", "manager_name", "branch_id", "star_level", "employment", "hire_date", "leave_date"],
            [["M1", "张三", "GZ", "3", "staff", "2020-01-01", ""],
             ["M2", "李四", "SZ", "2", "outsourced", "2021-01-01", ""]])
GROUPS = (["group_id", "group_name", "branch_id", "industry", "sector", "class", "manager_id", "open_date", "close_date"],
          [["G1", "甲集团", "GZ", "政府", "government", "A", "M1", "2020-01-01", ""],
           ["G2", "乙集团", "SZ", "金融", "enterprise", "B", "M2", "2020-01-01", ""]])


@pytest.fixture
def base_folder(tmp_path) -> Path:
    """A valid folder with two branches, two managers and two groups, ready for more files."""
    folder = tmp_path / "exports"
    folder.mkdir()
    write_text(folder / "branches.csv", *BRANCHES)
    write_text(folder / "managers.csv", *MANAGERS)
    write_text(folder / "groups.csv", *GROUPS)
    return folder


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory) -> Path:
    """The bundled sample, generated once per test session and loaded into its warehouse."""
    from kam.sample import write_sample
    from kam.warehouse import refresh

    folder = tmp_path_factory.mktemp("sample")
    planted = write_sample(folder)
    refresh(folder)
    (folder / ".kam" / "planted.json").write_text(json.dumps(planted, ensure_ascii=False))
    return folder


@pytest.fixture(scope="session")
def sample_planted(sample_folder) -> dict:
    return json.loads((sample_folder / ".kam" / "planted.json").read_text())
