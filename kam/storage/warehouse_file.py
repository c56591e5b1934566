"""What every part of a refresh shares about the warehouse file: its layout, its DuckDB settings, its names.

The refresh (warehouse.py) parses files (parse_files.py), settles which rows stand
(settle_rows.py) and reports (refresh_report.py); these are the few facts they all use.
"""
from __future__ import annotations

import os
from typing import Callable

from kam.i18n import Message

# A refresh says how it goes as messages (progress.<code> and fields): `kam ingest` prints them in
# English (str), the Data page in its viewer's language (Message.text).
Progress = Callable[[Message], None]

# The layout of the warehouse file; a previous file of another layout is not reused.
LAYOUT = "3"
# The refresh's own DuckDB: all cores, and a memory ceiling above which it spills to disk.
REFRESH_THREADS = max(2, os.cpu_count() or 2)
REFRESH_MEMORY = os.environ.get("KAM_REFRESH_MEMORY", "3GB")
PARSE_WORKERS = max(2, min(4, os.cpu_count() or 2))


def q(name: str) -> str:
    """A column or table name quoted for the warehouse's SQL."""
    return '"' + name.replace('"', '""') + '"'


def table_exists(con, name: str) -> bool:
    return bool(con.execute(
        "select count(*) from duckdb_tables() where table_name = $n and database_name = current_database()",
        {"n": name}).fetchall()[0][0])
