"""Rows set aside, as the export file had them: the Data page's examples and downloads.

set_aside_rows keeps each row as JSON under the contract's column names, with codes for its
status and reason. A data administrator reads and corrects them as rows of the export, so
here each becomes a table row: where it was (file, line), what is wrong with it (status,
reason, the column and its value, in the viewer's language), then the row's own cells under
the headers its export files use (Chinese on a Chinese screen: kam.i18n.export_header).
A download of one dataset's rows, corrected, can be uploaded again: the readers recognise
those headers and keep the extra columns (file, line, reason...) aside.
"""
from __future__ import annotations

import json
import re

import pandas as pd

from kam.i18n import column_label, export_header, label_of, t
from kam.storage.schema import DATASETS

# Where the row was and what is wrong with it, before the row's own cells.
_WHERE = ("file", "line", "status", "reason", "column", "value")
# Columns holding a code (the label table that names it). A row superseded or naming an unknown
# reference is kept typed, with its codes: a Chinese export writes their Chinese labels, which
# the readers accept (tests/test_set_aside.py reads each one back).
CODE_COLUMNS = {"mgmt_model": "model", "employment": "employment", "sector": "sector", "class": "class",
                "vip_tier": "vip_tier", "fee_item": "fee_item", "product": "fee_item", "kind": "kind",
                "theme": "theme", "category": "category", "severity": "severity", "channel": "channel"}


def _cell(value) -> str:
    """A cell as text, as the export had it; an empty cell stays empty (never "None")."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def export_value(column: str, value, lang: str) -> str:
    """A cell as an export in lang writes it: a code as its Chinese label in Chinese, else as is."""
    text = _cell(value)
    if lang == "zh" and text and column in CODE_COLUMNS:
        return label_of(CODE_COLUMNS[column], text, lang)
    if column == "bill_month" and re.fullmatch(r"\d{4}-\d{2}-01", text):
        return text[:7]  # a typed month (its first day) as the export writes a month
    return text


def readable(rows: pd.DataFrame, dataset: str, lang: str) -> pd.DataFrame:
    """One dataset's set-aside rows (columns of queries/pages/data_set_aside.sql) as shown and downloaded."""
    columns = DATASETS[dataset].column_names
    header = {c: export_header(c, lang, dataset) for c in columns}
    whole_line = t("set_aside.whole_line", lang)
    records = []
    for row in rows.itertuples(index=False):
        cells = json.loads(row.row_json) if isinstance(row.row_json, str) and row.row_json else {}
        record = {
            column_label("file", lang): row.file,
            column_label("line", lang): int(row.line),
            column_label("status", lang): label_of("status", row.status, lang),
            column_label("reason", lang): label_of("reason", row.reason, lang),
            column_label("column", lang, "set_aside"): header.get(row.column, _cell(row.column)),
            column_label("value", lang, "set_aside"): _cell(row.value),
        }
        if "line" in cells and not set(cells) & set(columns):
            record[whole_line] = _cell(cells["line"])  # a malformed line: only its raw text is known
        for c in columns:
            record[header[c]] = export_value(c, cells.get(c), lang)
        if pd.notna(row.by_file):
            record[column_label("by_file", lang)] = row.by_file
            record[column_label("by_line", lang)] = int(row.by_line)
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        order = [column_label(c, lang, "set_aside" if c in ("column", "value") else None) for c in _WHERE]
        return pd.DataFrame(columns=order + [header[c] for c in columns])
    return frame


def file_name(dataset: str, lang: str, suffix: str) -> str:
    """The download's name in the viewer's language: 搁置记录_账单.csv, set_aside_billing.csv."""
    return t("set_aside.file_name", lang, code=dataset, name=label_of("dataset", dataset, lang)) + suffix
