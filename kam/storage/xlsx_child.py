"""Reading one .xlsx sheet as text cells, in a child process with a memory ceiling.

The spreadsheet library (calamine, in Rust) sizes its buffers from what the workbook declares:
a sheet claiming a cell at XFD1048576 makes it ask for hundreds of GiB, and a failed allocation
aborts the process rather than raising. Run here, under RLIMIT_AS, such a file only ends this
child; the refresh reports the file and goes on. Imports only the standard library, the schema
and calamine, so that the child starts fast and fits its ceiling.

    python -m kam.storage.xlsx_child <dataset> <path>  →  JSON {"rows": [[text | null, ...], ...]}
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys


def cell_text(value) -> str | None:
    """A spreadsheet cell as the text a person sees (numbers without a spurious .0)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if (value.hour or value.minute or value.second) \
            else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


def pick_sheet(sheet_names: list[str], dataset: str) -> str:
    """The first sheet whose name fits the dataset, else the first sheet."""
    from kam.storage.schema import dataset_for_file

    for name in sheet_names:
        found = dataset_for_file(name)
        if found is not None and found.name == dataset:
            return name
    return sheet_names[0]


def read_sheet(path: str | bytes, dataset: str) -> list[list[str | None]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(os.fsdecode(path))
    sheet = book.get_sheet_by_name(pick_sheet(book.sheet_names, dataset))
    return [[cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]


def main(argv: list[str]) -> int:
    dataset, path = argv[0], os.fsencode(argv[1])
    try:
        rows = read_sheet(path, dataset)
    except MemoryError:
        print(json.dumps({"error": "memory"}))
        return 0
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:500]}))
        return 0
    json.dump({"rows": rows}, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
