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

from kam.i18n import Message
from kam.storage.readers import SUPPORTED_SUFFIXES

MAX_UPLOAD_BYTES = 1 << 30  # 1 GiB: a province's monthly billing export
MAX_XLSX_INFLATED_BYTES = 1 << 30
MAX_XLSX_RATIO = 200  # real spreadsheets compress ~5-20x; bombs compress 1000x+


class UploadRefused(ValueError):
    """The upload is refused and nothing was written: why, as a code (`upload.<code>`) and fields.

    str() is the English sentence; the Data page shows `message.text(lang)`.
    """

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        self.message = Message(f"upload.{code}", params)
        super().__init__(str(self.message))


def safe_name(name: str) -> str:
    """A file name that stays inside the export folder: no folders, no hidden files."""
    name = unicodedata.normalize("NFC", str(name))
    name = re.split(r"[\\/]", name)[-1]  # drop any folder part, either separator
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "_", name).strip().lstrip(".")
    if not name or name in (".", ".."):
        raise UploadRefused("no_name")
    if len(name.encode("utf-8")) > 200:
        stem, suffix = os.path.splitext(name)
        name = stem[:60] + suffix
    return name


def check_upload(name: str, data: bytes) -> str:
    """The safe name for an upload, or UploadRefused with the reason."""
    clean = safe_name(name)
    suffix = Path(clean).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRefused("bad_type" if suffix else "no_type", file=clean, suffix=suffix,
                            accepted=", ".join(SUPPORTED_SUFFIXES))
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused("too_large", file=clean, size=len(data), limit=MAX_UPLOAD_BYTES)
    if not data:
        raise UploadRefused("empty", file=clean)
    if suffix == ".xlsx":
        _check_xlsx(clean, data)
    return clean


def _check_xlsx(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UploadRefused("not_zip", file=name) from None
    if inflated > MAX_XLSX_INFLATED_BYTES or inflated > MAX_XLSX_RATIO * max(len(data), 1):
        raise UploadRefused("zip_bomb", file=name, inflated=inflated, size=len(data))


def save_upload(folder: Path, name: str, data: bytes) -> Path:
    """Check, then write atomically into the export folder; returns the path written."""
    clean = check_upload(name, data)
    folder = Path(folder).resolve()
    target = (folder / clean).resolve()
    if target.parent != folder:
        raise UploadRefused("leaves_folder", file=name)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)
    return target
