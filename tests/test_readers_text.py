"""The text scan on its own: the encoding from every byte, what makes a file plain, names shown readably."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kam.storage.readers import shown_name
from kam.storage.text_scan import NotText, scan_text


def test_a_utf8_file_with_one_stray_byte_stays_utf8(tmp_path):
    path = tmp_path / "g.csv"
    # 增城教育 in UTF-8 is also valid GBK (澧炲煄鏁欒偛): the whole-file count decides, not the first error
    path.write_bytes("id,name\n1,增城教育\n2,天河\n".encode() + b"3,\xff\n")
    scan = scan_text(path)
    assert (scan.encoding, scan.clean, scan.plain) == ("utf-8", False, False)


def test_gbk_after_more_than_a_megabyte_of_ascii_is_gbk(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes(b"id,name\n" + b"1,plain ascii text\n" * 80_000 + "2,海珠区\n".encode("gbk"))
    assert path.stat().st_size > 1 << 20
    scan = scan_text(path)
    assert (scan.encoding, scan.clean, scan.plain) == ("gb18030", True, True)


@pytest.mark.parametrize("body,plain", [
    (b"a,b\r\n1,2\r\n", True),                # CRLF throughout
    (b"a,b\n1,2\r\n3,4\n", False),            # mixed endings
    (b"a,b\r1,2\r", False),                   # CR alone
    (b"a,b\n1,2\n\n3,4\n", False),            # an empty line
    (b'a,b\n1,"x\ny"\n', False),              # a quoted cell over two lines
    (b'a,b\n1,"x,y"\n2,"""q"""\n', True),     # quotes that close on their line
    (b'a,b\n1,"x\n', False),                  # a quote never closed
])
def test_a_file_is_plain_only_when_its_records_are_its_lines(tmp_path, body, plain):
    path = tmp_path / "f.csv"
    path.write_bytes(body)
    assert scan_text(path).plain is plain


def test_nul_bytes_are_not_text(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("a,b\n1,2\n".encode("utf-16"))
    with pytest.raises(NotText):
        scan_text(path)


@pytest.mark.parametrize("raw,shown", [
    ("账单_202606.csv".encode("gbk"), "账单_202606.csv"),
    (b"billing_\xff\xfe.csv", "billing_\\xff\\xfe.csv"),
    ("billing $(x); 'a'.csv".encode(), "billing $(x); 'a'.csv"),
    (b"billing\nx\t.csv", "billing\\nx\\t.csv"),
])
def test_any_name_bytes_are_shown_as_readable_text(tmp_path, raw, shown):
    path = os.path.join(os.fsencode(tmp_path), raw)
    open(path, "wb").close()
    name = shown_name(Path(os.fsdecode(path)))
    assert name == shown
    name.encode("utf-8")  # always encodable: SQL parameters and logs take it
