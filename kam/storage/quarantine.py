"""Uploaded files that could not be loaded, moved aside so that every later refresh goes on without them.

An upload that fails (or whose name matches no dataset) would otherwise stay in the export folder
and be reported, or fail, at every refresh, with no way in the app to take it out. It is moved to
`<exports>/.quarantine/` (readers.discover skips hidden folders) with a note of why and when; the
Data page lists them, and a data administrator removes one for good or restores it (after fixing
what made it fail elsewhere, e.g. a reader that now copes) for the next refresh.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from kam.i18n import Message

QUARANTINE = ".quarantine"
_NOTE = ".why.json"  # beside each file: why it was moved aside, and when


class QuarantineError(ValueError):
    """A restore or removal that cannot be done: why, as a message (`quarantine.<code>`)."""

    def __init__(self, code: str, **params):
        self.message = Message(f"quarantine.{code}", params)
        super().__init__(str(self.message))


@dataclass(frozen=True)
class Quarantined:
    file: str
    reason: Message | None  # why it failed, for screens (reader.<code>); None: only `error` is known
    error: str  # the same in English, as `kam ingest` says it
    moved_at: dt.datetime


def folder_of(exports: Path) -> Path:
    return Path(exports) / QUARANTINE


def move_aside(exports: Path, file: str, reason: Message | None, error: str) -> Path:
    """Move `file` of the export folder into quarantine (replacing one of the same name there)."""
    source = _inside(Path(exports), file)
    target_dir = folder_of(exports)
    target_dir.mkdir(exist_ok=True)
    target = target_dir / source.name
    note = {"file": source.name, "error": error, "moved_at": dt.datetime.now().isoformat(timespec="seconds"),
            "code": reason.key if reason else None, "params": _plain(reason.params) if reason else {}}
    (target_dir / (source.name + _NOTE)).write_text(json.dumps(note, ensure_ascii=False), encoding="utf-8")
    os.replace(source, target)
    return target


def listed(exports: Path) -> list[Quarantined]:
    """The files in quarantine, newest first."""
    where = folder_of(exports)
    if not where.is_dir():
        return []
    found = []
    for path in where.iterdir():
        if path.name.endswith(_NOTE) or not path.is_file():
            continue
        note = _read_note(where / (path.name + _NOTE))
        reason = Message(note["code"], note.get("params") or {}) if note.get("code") else None
        moved = note.get("moved_at")
        found.append(Quarantined(path.name, reason, note.get("error", ""),
                                 dt.datetime.fromisoformat(moved) if moved else
                                 dt.datetime.fromtimestamp(path.stat().st_mtime)))
    return sorted(found, key=lambda q: (q.moved_at, q.file), reverse=True)


def remove(exports: Path, file: str) -> None:
    """Delete a quarantined file and its note for good."""
    path = _inside(folder_of(exports), file)
    path.unlink()
    (path.parent / (path.name + _NOTE)).unlink(missing_ok=True)


def restore(exports: Path, file: str) -> Path:
    """Put a quarantined file back into the export folder, for the next refresh to try again."""
    path = _inside(folder_of(exports), file)
    target = Path(exports) / path.name
    if target.exists():
        raise QuarantineError("exists", file=path.name)
    os.replace(path, target)
    (path.parent / (path.name + _NOTE)).unlink(missing_ok=True)
    return target


def _inside(where: Path, file: str) -> Path:
    """`file` as a plain name inside `where`: a name with a folder part (../x) is refused."""
    path = where / file
    if Path(file).name != file or file in ("", ".", "..") or not path.is_file():
        raise QuarantineError("not_found", file=file)
    return path


def _read_note(path: Path) -> dict:
    try:
        note = json.loads(path.read_text(encoding="utf-8"))
        return note if isinstance(note, dict) else {}
    except (OSError, ValueError):
        return {}  # no note (or a broken one): the file is still listed, with no reason


def _plain(params: dict) -> dict:
    # a field holding a Message (progress.unreadable's reason) is kept as its English text
    return {k: str(v) if isinstance(v, Message) else v for k, v in params.items()}
