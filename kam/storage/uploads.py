"""Export files uploaded through the browser: checked before a byte reaches the export folder.

Names are reduced to a plain file name (no folder can be escaped), the type must be one
the readers accept, the size is capped, and an .xlsx (a zip) is refused when it would
inflate beyond a sane size (a zip bomb) or is not a zip at all.
"""
from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from kam.storage.readers import SUPPORTED_SUFFIXES

MAX_UPLOAD_BYTES = 1 << 30  # 1 GiB: a province's monthly billing export
MAX_XLSX_INFLATED_BYTES = 1 << 30
MAX_XLSX_RATIO = 200  # real spreadsheets compress ~5-20x; bombs compress 1000x+


class UploadRefused(ValueError):
    """The upload is refused; the message says why and nothing was written."""


def safe_name(name: str) -> str:
    """A file name that stays inside the export folder: no folders, no hidden files."""
    name = unicodedata.normalize("NFC", str(name))
    name = re.split(r"[\\/]", name)[-1]  # drop any folder part, either separator
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "_", name).strip().lstrip(".")
    if not name or name in (".", ".."):
        raise UploadRefused("the file has no usable name")
    if len(name.encode("utf-8")) > 200:
        stem, suffix = os.path.splitext(name)
        name = stem[:60] + suffix
    return name


def check_upload(name: str, data: bytes) -> str:
    """The safe name for an upload, or UploadRefused with the reason."""
    clean = safe_name(name)
    suffix = Path(clean).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRefused(f"{clean}: type {suffix or '(none)'} is not accepted; "
                            f"use {', '.join(SUPPORTED_SUFFIXES)}")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(f"{clean}: {len(data):,} bytes is over the {MAX_UPLOAD_BYTES:,}-byte limit")
    if not data:
        raise UploadRefused(f"{clean}: the file is empty")
    if suffix == ".xlsx":
        _check_xlsx(clean, data)
    return clean


def _check_xlsx(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UploadRefused(f"{name}: not a valid .xlsx workbook (not a zip archive)") from None
    if inflated > MAX_XLSX_INFLATED_BYTES or inflated > MAX_XLSX_RATIO * max(len(data), 1):
        raise UploadRefused(f"{name}: the workbook would inflate to {inflated:,} bytes "
                            f"from {len(data):,} (a zip bomb?); refused")


def save_upload(folder: Path, name: str, data: bytes) -> Path:
    """Check, then write atomically into the export folder; returns the path written."""
    clean = check_upload(name, data)
    folder = Path(folder).resolve()
    target = (folder / clean).resolve()
    if target.parent != folder:
        raise UploadRefused(f"{name}: refused, the name leaves the export folder")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)
    return target
