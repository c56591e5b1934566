"""What killed refreshes leave behind, removed by the next one; which warehouse files are kept.

A refresh killed mid-way (kill -9, a power cut) never damages the published warehouse, but it
leaves its work folder (transcoded UTF-8 copies of GBK files: phone numbers in plain text),
DuckDB spill files, a half-built warehouse file and pointer temp files. The next refresh, holding
the refresh lock (so no other refresh is running), removes them all before it starts.

Which warehouse files stay is judged by what was published, never by name order: PUBLISHED
lists the files CURRENT has pointed at, newest last. The last KEEP_PUBLISHED of them stay (an app
that read CURRENT a moment ago may still be opening the previous one); every other warehouse file
(superseded, or never published because its refresh died) is removed.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

PUBLISHED = "PUBLISHED"
KEEP_PUBLISHED = 2
WORK_PREFIX = "work-"  # a refresh's own work folder in the state folder (transcoded copies)
SPILL = "spill"  # DuckDB's temp_directory during a refresh
UPLOAD_PREFIX = ".upload-"  # an upload being written into the export folder (uploads.save_upload)
UPLOAD_GRACE_SECONDS = 3600  # an upload temp file younger than this may still be being written


def published(state: Path, current: str | None) -> list[str]:
    """The warehouse files CURRENT has pointed at, oldest first (a folder from before PUBLISHED: CURRENT)."""
    path = state / PUBLISHED
    names = path.read_text().split() if path.exists() else []
    if current and (not names or names[-1] != current):
        names.append(current)
    return names


def record_published(state: Path, name: str, previous: str | None) -> None:
    """Add `name` (just published) after `previous` (what CURRENT pointed at before)."""
    names = [n for n in published(state, previous) if n != name] + [name]
    tmp = state / (PUBLISHED + ".tmp")
    tmp.write_text("\n".join(names[-10:]) + "\n")
    os.replace(tmp, state / PUBLISHED)


def remove_leftovers(folder: Path, state: Path) -> list[str]:
    """Remove what killed refreshes (and uploads) left; the names removed, relative to `folder`.

    Call only while holding the refresh lock. Warehouse files are not touched here (see prune).
    """
    removed = []
    for path in sorted(state.iterdir()):
        if path.is_dir() and (path.name.startswith(WORK_PREFIX) or path.name.startswith("tmp")):
            shutil.rmtree(path, ignore_errors=True)  # "tmp…": work folders of versions before the prefix
        elif path.is_dir() and path.name == SPILL:
            for spilled in path.iterdir():
                _remove(spilled)
                removed.append(_rel(spilled, folder))
            continue
        elif path.is_file() and path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)  # CURRENT.tmp, PUBLISHED.tmp: a pointer being written
        else:
            continue
        removed.append(_rel(path, folder))
    now = time.time()
    for path in sorted(folder.glob(UPLOAD_PREFIX + "*")):
        with contextlib.suppress(OSError):
            if path.is_file() and now - path.stat().st_mtime > UPLOAD_GRACE_SECONDS:
                path.unlink()
                removed.append(_rel(path, folder))
    return removed


def prune(folder: Path, state: Path, current: str | None) -> list[str]:
    """Remove every warehouse file but the last KEEP_PUBLISHED published ones; the names removed."""
    keep = set(published(state, current)[-KEEP_PUBLISHED:]) | ({current} if current else set())
    removed = []
    for path in sorted(state.glob("warehouse-*.duckdb*")):
        base = path.name.removesuffix(".wal")
        if base.endswith(".duckdb") and base not in keep:
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(_rel(path, folder))
    return removed


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _rel(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)
