"""Text exports byte by byte: their encoding, whether their records are their lines, and a
numbered copy of those whose records are not.

`scan_text` reads every byte (in 16 MB pieces, with numpy for the line shapes): the encoding is
decided from the whole file, never from a sample, and a file is *plain* when it decodes whole, no
quoted cell spans lines, no line is empty and its line endings agree. DuckDB reads a plain file
as it is, numbering records as lines. Any other file is rewritten by `normalise_text` into a UTF-8
copy whose first column is each record's first physical line, with the lines that cannot be a
record kept aside with their reason; DuckDB then reads the copy.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHUNK_BYTES = 16 << 20
# A quoted cell may run over this many lines; a quote left open longer is a malformed line.
MAX_RECORD_LINES = 100
# Why a whole line of a text file is set aside: reason codes of docs/exports.md.
MALFORMED_LINE = "malformed_line"  # reason code
BAD_ENCODING = "bad_encoding"  # reason code


class NotText(ValueError):
    """Not UTF-8 or GBK text at all (NUL bytes, or mostly undecodable): where it shows."""

    def __init__(self, byte: int):
        self.byte = byte
        super().__init__(f"not text (byte {byte})")


@dataclass
class TextScan:
    """What one pass over every byte of a text file says about it."""
    encoding: str
    clean: bool  # every byte decodes in `encoding`
    plain: bool  # clean, and each record is one physical line with one kind of line ending


def scan_text(path: Path) -> TextScan:
    """The encoding of a text export, from all of it, and whether its records are its lines.

    UTF-8 is the file's encoding when every byte decodes as UTF-8, or when its well-formed
    multi-byte characters outnumber the bytes that are not UTF-8 (a UTF-8 export with a few
    damaged bytes: only their lines are set aside). Otherwise GB18030, a superset of GBK. Text
    that is neither (NUL bytes: UTF-16 or binary) is not a text export at all.
    """
    utf8_bad = utf8_chars = gb_bad = lines = offset = 0
    gb_clean, plain, open_quote, bom = True, True, False, False
    with open(path, "rb") as f:
        for data in _line_chunks(f):
            if offset == 0 and data.startswith(codecs.BOM_UTF8):
                bom, data, offset = True, data[len(codecs.BOM_UTF8):], len(codecs.BOM_UTF8)
            if b"\x00" in data:
                raise NotText(offset + data.index(b"\x00"))
            try:
                text = data.decode("utf-8")
                utf8_chars += len(data) - len(text)
            except UnicodeDecodeError:
                text = data.decode("utf-8", "replace")
                bad = text.count("\ufffd")
                utf8_bad += bad
                utf8_chars += len(text.encode("utf-8")) - len(text) - 2 * bad
                try:
                    data.decode("gb18030")
                except UnicodeDecodeError:
                    gb_clean = False
                    gb_bad += data.decode("gb18030", "replace").count("\ufffd")
            if plain:
                plain, open_quote = _plain_lines(data, open_quote)
            lines += data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
            offset += len(data)
    if utf8_bad == 0:
        return TextScan("utf-8-sig" if bom else "utf-8", True, plain and not open_quote)
    if bom or utf8_chars > utf8_bad:
        return TextScan("utf-8-sig" if bom else "utf-8", False, False)
    if not gb_clean and gb_bad > max(lines, 1) // 2:
        raise NotText(0)
    return TextScan("gb18030", gb_clean, plain and gb_clean and not open_quote)


def _line_chunks(f):
    """The file in big pieces that each end at a newline (the last one where the file ends).

    Lines ended by CR alone (old Mac exports) are cut at a CR once a piece holds no LF; a piece
    with no line end at all is cut anyway past 64 MB, so that no file is held whole in memory.
    """
    tail = b""
    while chunk := f.read(CHUNK_BYTES):
        data = tail + chunk
        cut = data.rfind(b"\n") + 1
        if not cut and len(data) > CHUNK_BYTES:
            cut = data.rfind(b"\r") + 1 or (len(data) if len(data) > 4 * CHUNK_BYTES else 0)
        if cut:
            yield data[:cut]
        tail = data[cut:]
    if tail:
        yield tail


def _plain_lines(data: bytes, open_quote: bool) -> tuple[bool, bool]:
    """(still plain, a quote left open at the end) for a run of whole lines, with numpy.

    Not plain: a newline inside quotes (odd number of quotes before it), a blank line, a CR that
    is not part of CRLF, or CRLF and LF endings mixed.
    """
    b = np.frombuffer(data, dtype=np.uint8)
    nl = np.flatnonzero(b == 10)
    cr = np.flatnonzero(b == 13)
    if cr.size:
        if cr[-1] + 1 >= b.size or not (b[cr + 1] == 10).all() or cr.size != nl.size:
            return False, open_quote
    quotes = np.flatnonzero(b == 34)
    if quotes.size:
        before = np.searchsorted(quotes, nl) + int(open_quote)
        if (before % 2 == 1).any():
            return False, open_quote
        open_quote = (quotes.size + int(open_quote)) % 2 == 1
    ends = nl - (1 if cr.size else 0)  # where each line's text ends
    starts = np.concatenate(([0], nl[:-1] + 1)) if nl.size else np.array([0])
    if nl.size and (ends[: starts.size] == starts[: ends.size]).any():
        return False, open_quote
    return True, open_quote


def _physical_lines(src, codec: str):
    """(line number, text, decodes) for each physical line: LF, CRLF or a lone CR ends a line."""
    number = 0
    for data in _line_chunks(src):
        pieces = data.split(b"\n")
        if data.endswith(b"\n"):
            pieces.pop()
        for piece in pieces:
            if piece.endswith(b"\r"):
                piece = piece[:-1]
            for raw in piece.split(b"\r") if b"\r" in piece else (piece,):
                number += 1
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
                try:
                    yield number, raw.decode(codec), True
                except UnicodeDecodeError:
                    yield number, raw.decode(codec, "replace"), False


def _split_record(text: str, delimiter: str, width: int) -> list[str] | None:
    """The cells of one record's text, or None when it is not exactly `width` well-quoted cells."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 and len(rows[0]) == width else None


def normalise_text(path: Path, codec: str, delimiter: str, names: list[str],
                    workdir: Path) -> tuple[Path, list[tuple[int, str, str]]]:
    """A numbered UTF-8 copy of a text export: each record with its first physical line.

    A line whose bytes are not in the file's encoding is set aside as `bad_encoding`. A line
    with an odd number of quotes opens a cell that runs on to the line where the quotes even
    out (at most MAX_RECORD_LINES); when that span does not make one record of the header's
    cells, only the line that opened it is a `malformed_line`, and the lines after it are read
    again as records of their own. Empty lines are not records.
    """
    width, malformed, pending = len(names), [], []
    fd, tmp = tempfile.mkstemp(suffix=".csv", dir=workdir)
    try:
        with open(path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            out = csv.writer(dst, lineterminator="\n")
            out.writerow(["_line", *names])
            lines = _physical_lines(src, codec)
            next(lines, None)  # the header

            def take():
                return pending.pop() if pending else next(lines, None)

            while (item := take()) is not None:
                number, text, ok = item
                if not ok:
                    malformed.append((number, BAD_ENCODING, text))
                    continue
                if text == "":
                    continue
                group, quotes = [item], text.count('"')
                while quotes % 2 and len(group) < MAX_RECORD_LINES:
                    nxt = take()
                    if nxt is None or not nxt[2]:
                        if nxt is not None:
                            pending.append(nxt)
                        break
                    group.append(nxt)
                    quotes += nxt[1].count('"')
                cells = None if quotes % 2 else _split_record("\n".join(t for _, t, _ in group), delimiter, width)
                if cells is not None:
                    out.writerow([number, *cells])
                    continue
                malformed.append((number, MALFORMED_LINE, text))
                pending.extend(reversed(group[1:]))  # read again, in order (pending pops from its end)
    except BaseException:
        os.unlink(tmp)
        raise
    return Path(tmp), malformed


def transcode_to_utf8(path: Path, encoding: str, workdir: Path) -> Path:
    """GBK → UTF-8 into a temp file: DuckDB reads only UTF-8 without a download.

    iconv does it at ~4x the speed of Python's codec, in its own process, so a second file
    is transcoded while DuckDB parses the first. It is used only where it gives the very
    text Python's gb18030 codec gives: it must succeed, and the file must hold none of the
    few byte sequences the two decoders map to different characters (GB18030-2005 vs -2022
    private-use code points). Otherwise Python's codec decides, errors included.
    """
    iconv = shutil.which("iconv")
    if iconv and encoding == "gb18030" and not _has_divergent_gb18030(path):
        fd, tmp = tempfile.mkstemp(suffix=".csv", dir=workdir)
        os.close(fd)
        done = subprocess.run([iconv, "-f", "GB18030", "-t", "UTF-8", "-o", tmp, str(path)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        if done.returncode == 0:
            return Path(tmp)
        os.unlink(tmp)
    return _transcode_python(path, encoding, workdir)


def _transcode_python(path: Path, encoding: str, workdir: Path) -> Path:
    """GBK → UTF-8 in 16 MB chunks with Python's incremental decoder."""
    decoder = codecs.getincrementaldecoder(encoding)()
    fd, tmp = tempfile.mkstemp(suffix=".csv", dir=workdir)
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(CHUNK_BYTES):
                dst.write(decoder.decode(chunk).encode("utf-8"))
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as exc:  # not after scan_text found the file clean
        os.unlink(tmp)
        raise NotText(exc.start) from None
    return Path(tmp)


# The GB18030 sequences glibc's iconv (GB18030-2022 tables) and Python's codec (2005 tables) both
# accept but read as different characters; found by decoding every code point both ways.
_DIVERGENT_PAIRS = {0xA6: (0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xEC, 0xED, 0xF3), 0xA8: (0xBC,),
                    0xFE: (0x51, 0x52, 0x53, 0x59, 0x61, 0x66, 0x67, 0x6C, 0x6D, 0x76, 0x7E, 0x90, 0x91, 0xA0)}
_DIVERGENT_QUAD = b"\x81\x35\xf4\x37"
_PAIR_TABLE = np.zeros((256, 256), dtype=bool)
for _lead, _trails in _DIVERGENT_PAIRS.items():
    _PAIR_TABLE[_lead, list(_trails)] = True
_LEADS = np.zeros(256, dtype=bool)
_LEADS[[*_DIVERGENT_PAIRS, _DIVERGENT_QUAD[0]]] = True


def _has_divergent_gb18030(path: Path) -> bool:
    """True when the bytes hold a sequence the two decoders read differently (or seem to: a match
    across two characters is a false alarm, which only costs the slower decoder)."""
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            data = tail + chunk
            b = np.frombuffer(data, dtype=np.uint8)
            at = np.flatnonzero(_LEADS[b[:-1]])
            if at.size and (_PAIR_TABLE[b[at], b[at + 1]].any() or _DIVERGENT_QUAD in data):
                return True
            tail = data[-3:]
    return False
