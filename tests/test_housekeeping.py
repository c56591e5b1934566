"""A refresh removes what killed refreshes left, keeps the warehouse files that were published last,
and a transcoded copy never outlives the refresh that made it.

Leftovers are made two ways: by hand (a killed run's work folder, spill file, half-built
warehouse named to sort last, pointer temp file, an old upload temp file) and by really killing
`kam ingest` with SIGKILL at a few moments of its run.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import write_text
from kam.cli import main
from kam.storage import housekeeping
from kam.storage.warehouse import current_warehouse, refresh

ROOT = Path(__file__).resolve().parent.parent
BILL_HEADER_ZH = ["账期", "集团编码", "用户号码", "费用科目", "应收金额"]


def gbk_bill(folder: Path, name: str, rows: int, amount: str = "1") -> Path:
    """A GBK billing file (so a refresh transcodes it) of `rows` rows of `amount` yuan, with phone numbers;
    its bill month is the name's last six digits (账单_202607.csv: 2026年7月)."""
    month = f"{name[-10:-6]}年{int(name[-6:-4])}月"
    body = [[month, "G1" if i % 2 else "G2", f"138{i:08d}", "专线", amount] for i in range(rows)]
    return write_text(folder / name, BILL_HEADER_ZH, body, encoding="gbk", delimiter="|")


def revenue(folder: Path) -> tuple[int, float]:
    con = duckdb.connect(str(current_warehouse(folder)), read_only=True)
    try:
        rows, total = con.execute("select count(*), coalesce(sum(amount), 0)::double from billing").fetchall()[0]
        return rows, total
    finally:
        con.close()


def state(folder: Path) -> Path:
    return folder / ".kam"


def warehouse_files(folder: Path) -> set[str]:
    return {p.name for p in state(folder).glob("warehouse-*.duckdb")}


def leftovers(folder: Path) -> list[str]:
    """Everything in the state folder a finished refresh should not leave: work folders, spill, temp files."""
    found = [p.name for p in state(folder).iterdir()
             if p.name.startswith((housekeeping.WORK_PREFIX, "tmp")) or p.name.endswith(".tmp")]
    spill = state(folder) / housekeeping.SPILL
    found += [p.name for p in spill.iterdir()] if spill.exists() else []
    return found


def published_names(folder: Path) -> list[str]:
    return (state(folder) / housekeeping.PUBLISHED).read_text().split()


def test_a_refresh_removes_what_killed_runs_left_and_keeps_the_last_two_published(base_folder):
    gbk_bill(base_folder, "账单_202606.csv", 3)
    refresh(base_folder)
    first = current_warehouse(base_folder).name
    gbk_bill(base_folder, "账单_202607.csv", 2, amount="5")
    refresh(base_folder)
    second = current_warehouse(base_folder).name
    assert published_names(base_folder) == [first, second]
    # what killed runs leave: a work folder with a transcoded (plain UTF-8) copy, one of an older
    # version ("tmp…"), a spill file, pointer temp files, and a half-built warehouse whose name sorts last
    work = state(base_folder) / "work-k1ll3d"
    work.mkdir()
    (work / "tmp1234.csv").write_text("账期|用户号码\n2026年6月|13800000001\n", encoding="utf-8")
    (state(base_folder) / "tmpq8x2").mkdir()
    (state(base_folder) / "spill").mkdir(exist_ok=True)
    (state(base_folder) / "spill" / "duckdb_temp_storage-0.tmp").write_bytes(b"x" * 100)
    (state(base_folder) / "CURRENT.tmp").write_text("warehouse-99991231T235959-ffffff.duckdb")
    half_built = state(base_folder) / "warehouse-99991231T235959-ffffff.duckdb"
    half_built.write_bytes(b"half")
    Path(str(half_built) + ".wal").write_bytes(b"wal")
    stale_upload = base_folder / ".upload-abc123"
    stale_upload.write_bytes(b"old upload")
    os.utime(stale_upload, (time.time() - 7200, time.time() - 7200))
    fresh_upload = base_folder / ".upload-def456"  # may still be being written: kept
    fresh_upload.write_bytes(b"upload in progress")

    report = refresh(base_folder)

    third = current_warehouse(base_folder).name
    assert sorted(report.removed) == sorted([
        ".kam/work-k1ll3d", ".kam/tmpq8x2", ".kam/spill/duckdb_temp_storage-0.tmp", ".kam/CURRENT.tmp",
        ".kam/warehouse-99991231T235959-ffffff.duckdb", ".kam/warehouse-99991231T235959-ffffff.duckdb.wal",
        ".upload-abc123", f".kam/{first}"])
    assert leftovers(base_folder) == []
    assert warehouse_files(base_folder) == {second, third}  # by what was published, not by name
    assert not stale_upload.exists() and fresh_upload.exists()
    assert revenue(base_folder) == (5, 13.0)  # 3 × 1 + 2 × 5: the data is whole


def test_a_folder_from_before_the_published_list_keeps_its_current_warehouse(base_folder):
    gbk_bill(base_folder, "账单_202606.csv", 2)
    refresh(base_folder)
    current = current_warehouse(base_folder).name
    (state(base_folder) / housekeeping.PUBLISHED).unlink()  # as an older version left the folder
    report = refresh(base_folder)
    assert f".kam/{current}" not in report.removed
    assert warehouse_files(base_folder) == {current, current_warehouse(base_folder).name}


def test_a_transcoded_copy_does_not_outlive_its_refresh_even_a_failed_one(base_folder):
    gbk_bill(base_folder, "账单_202606.csv", 2)
    refresh(base_folder)
    assert leftovers(base_folder) == []
    gbk_bill(base_folder, "账单_202607.csv", 2)
    with pytest.raises(Exception):
        refresh(base_folder, fail_after="billing")
    assert leftovers(base_folder) == []
    assert not any(p.suffix == ".csv" for p in state(base_folder).rglob("*"))


def test_kam_ingest_says_what_it_removed(base_folder, capsys):
    gbk_bill(base_folder, "账单_202606.csv", 2)
    refresh(base_folder)
    (state(base_folder) / "work-k1ll3d").mkdir()
    assert main(["ingest", str(base_folder)]) == 0
    out = capsys.readouterr()
    assert "Removed what earlier refreshes left behind:\n  .kam/work-k1ll3d" in out.out
    assert "  removed 1 leftovers of earlier refreshes: .kam/work-k1ll3d" in out.err.splitlines()


# ---------------------------------------------------------------- a real kill -9 of `kam ingest`

def _work_copy_exists(folder: Path) -> bool:
    return any(p.is_file() for w in state(folder).glob(housekeeping.WORK_PREFIX + "*") for p in w.iterdir())


def _new_warehouse_exists(folder: Path, known: set[str]) -> bool:
    return bool(warehouse_files(folder) - known)


def kill_ingest_when(folder: Path, moment, timeout: float = 120) -> bool:
    """Start `kam ingest`, SIGKILL it (and its iconv) once `moment()` holds; True when it was caught running."""
    proc = subprocess.Popen([sys.executable, "-m", "kam.cli", "ingest", str(folder), "--quiet"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if moment():
                os.killpg(proc.pid, signal.SIGKILL)
                return proc.wait(timeout=30) == -signal.SIGKILL
            time.sleep(0.002)
        return False
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_ingest_killed_at_several_moments_then_a_refresh_leaves_nothing_behind(base_folder):
    gbk_bill(base_folder, "账单_202606.csv", 3)
    refresh(base_folder)
    published = current_warehouse(base_folder).name
    assert revenue(base_folder) == (3, 3.0)
    # a big GBK file: the run transcodes it into its work folder (phone numbers in plain text)
    gbk_bill(base_folder, "账单_202607.csv", 300_000, amount="2")
    moments = {"warehouse being built": lambda: _new_warehouse_exists(base_folder, known),
               "transcoding": lambda: _work_copy_exists(base_folder),
               "just started": lambda: True}
    for name, moment in moments.items():
        known = warehouse_files(base_folder)
        assert kill_ingest_when(base_folder, moment), f"ingest finished before the moment: {name}"
        # the published data is untouched by the kill
        assert current_warehouse(base_folder).name == published, name
        assert revenue(base_folder) == (3, 3.0), name
    # the kills did leave something: the transcoded copy and a warehouse file never published
    assert _work_copy_exists(base_folder) and warehouse_files(base_folder) - {published}

    report = refresh(base_folder)

    assert report.removed
    assert leftovers(base_folder) == []
    assert warehouse_files(base_folder) == {published, current_warehouse(base_folder).name}
    assert not any(p.suffix == ".csv" for p in state(base_folder).rglob("*"))
    assert revenue(base_folder) == (300_003, 600_003.0)
