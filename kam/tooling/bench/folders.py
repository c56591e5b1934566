"""The export folders the benchmark measures, made once and kept under data/bench/ for the next run.

Per scale: the generated folder (a marker file says which generator and seed wrote it), a copy
whose billing files are GB18030 with Chinese headers, and one new month of billing for the
incremental refresh.
"""
from __future__ import annotations

import codecs
import csv
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parents[3]
ROOT = REPO_ROOT / "data" / "bench"
SCALES = {"S": "sample", "M": "M", "L": "L"}
SEED = 7

Say = Callable[[str], None]


def _marker_text(scale: str) -> str:
    """What wrote a scale's folder: the scale, the seed and a hash of the generator's files."""
    import hashlib
    generator = hashlib.sha256()
    for path in sorted((REPO_ROOT / "kam" / "tooling" / "sample").glob("*.py")):
        generator.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"scale={scale} seed={SEED} generator={generator.hexdigest()[:16]}\n"


def prepare(scale: str, root: Path, say: Say) -> Path:
    """The export folder of a scale, generated unless the marker says it is already there."""
    from kam.tooling.sample import write_sample
    folder = root / scale
    marker = folder / ".bench-ready"
    if marker.exists() and marker.read_text() == _marker_text(scale):
        say(f"{scale}: reusing {folder}")
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    say(f"{scale}: writing {folder}")
    write_sample(folder, seed=SEED, scale=SCALES[scale])
    marker.write_text(_marker_text(scale))
    return folder


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _export_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _is_billing_text(path: Path) -> bool:
    from kam.storage.schema import dataset_for_file
    ds = dataset_for_file(path.name)
    return ds is not None and ds.name == "billing" and path.suffix.lower() in (".csv", ".txt")


def _chinese_header(header: list[str]) -> list[str]:
    """Each header cell as its Chinese alias in the contract (the way BOSS exports it)."""
    from kam.storage.schema import DATASETS, header_map, normalise_header
    ds = DATASETS["billing"]
    known = header_map(ds)
    out = []
    for cell in header:
        name = known.get(normalise_header(cell))
        col = next((c for c in ds.columns if c.name == name), None)
        zh = next((a for a in col.aliases if re.search(r"[\u4e00-\u9fff]", a)), None) if col else None
        out.append(zh or cell)
    return out


def prepare_gbk(folder: Path, say: Say) -> Path:
    """A copy of the folder whose billing files are GB18030 with Chinese headers (made once).

    The cells are the same (the generated ones are ASCII codes and numbers), so the difference
    from the UTF-8 folder is the encoding alone; other files are hard links to the originals.
    """
    from kam.storage.readers import _detect_delimiter, _sniff_encoding
    gbk = folder.with_name(folder.name + "-gbk")
    marker = gbk / ".bench-ready"
    expected = (folder / ".bench-ready").read_text()
    if marker.exists() and marker.read_text() == expected:
        return gbk
    shutil.rmtree(gbk, ignore_errors=True)
    gbk.mkdir(parents=True)
    say(f"{folder.name}: writing the GBK copy {gbk}")
    for path in _export_files(folder):
        if not _is_billing_text(path):
            _link(path, gbk / path.name)
            continue
        encoding = _sniff_encoding(path)
        with open(path, "rb") as src, open(gbk / path.name, "wb") as dst:
            first = src.readline()
            text = first.decode(encoding).lstrip("\ufeff")
            ending = "\r\n" if text.endswith("\r\n") else "\n"
            delimiter = _detect_delimiter(text.rstrip("\r\n"))
            header = next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter))
            dst.write((delimiter.join(_chinese_header(header)) + ending).encode("gb18030"))
            decoder = codecs.getincrementaldecoder(encoding)()
            while chunk := src.read(16 << 20):
                dst.write(decoder.decode(chunk).encode("gb18030"))
            dst.write(decoder.decode(b"", final=True).encode("gb18030"))
    marker.write_text(expected)
    return gbk


def prepare_extra(folder: Path, say: Say) -> Path:
    """One new month of billing (the month after the data's last), made from the last month's file."""
    import duckdb
    from kam.storage.readers import discover, open_csv
    from kam.tooling.sample import LAST_MONTH
    extra_dir = folder.with_name(folder.name + "-extra")
    y, m = divmod(LAST_MONTH[0] * 12 + LAST_MONTH[1], 12)
    month = f"{y:04d}{m + 1:02d}"
    target = extra_dir / f"billing_{month}.csv"
    marker = extra_dir / ".bench-ready"
    expected = (folder / ".bench-ready").read_text()
    if marker.exists() and marker.read_text() == expected and target.exists():
        return target
    shutil.rmtree(extra_dir, ignore_errors=True)
    extra_dir.mkdir(parents=True)
    last = f"billing_{LAST_MONTH[0]:04d}{LAST_MONTH[1]:02d}"
    source = next(e for e in discover(folder) if e.name.startswith(last) and e.path.suffix == ".csv")
    say(f"{folder.name}: writing the new month {target.name} from {source.name}")
    with tempfile.TemporaryDirectory() as tmp:
        opened = open_csv(source, Path(tmp))
        try:
            cols = ", ".join(f'"{c}"' for c in opened.names if c != "bill_month")
            duckdb.connect().execute(
                f"""copy (select '{month}' as bill_month, {cols}
                          from read_csv($p, header = true, delim = $d, columns = $c, auto_detect = false,
                                        ignore_errors = true))
                    to '{target}' (header, delimiter ',')""",
                {"p": str(opened.source), "d": opened.delimiter, "c": {n: "VARCHAR" for n in opened.names}})
        finally:
            opened.close()
    marker.write_text(expected)
    return target


def _incremental_folder(folder: Path, extra: Path) -> Path:
    """The folder plus the new month, with the folder's current warehouse as its previous one."""
    from kam.storage.warehouse import current_warehouse
    inc = folder.with_name(folder.name + "-inc")
    shutil.rmtree(inc, ignore_errors=True)
    (inc / ".kam").mkdir(parents=True)
    for path in _export_files(folder):
        _link(path, inc / path.name)
    _link(extra, inc / extra.name)
    current = current_warehouse(folder)
    _link(current, inc / ".kam" / current.name)
    (inc / ".kam" / "CURRENT").write_text(current.name)
    return inc
