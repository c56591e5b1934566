"""One file's rows as text cells, with the planted flaws tracked until the file is written."""
from __future__ import annotations

import csv
import io
import pathlib
from typing import Callable


class _Rows:
    """The rows of one file as cells, with planted flaws tracked until the file is written.

    Flaws are inserted among the clean rows; their lines are known only once every insertion
    is done, so each is remembered by the row object and numbered at the end.
    """

    def __init__(self, file: str, dataset: str, header: list[str], rows: list[list],
                 first_line: int = 2):
        self.file, self.dataset, self.header, self.rows = file, dataset, header, rows
        self.first_line = first_line   # line of the first data row: 2 under a header, 1 in parquet
        self._columns = header
        self._marks: list[tuple[list, str | None, str]] = []

    def col(self, name: str) -> int:
        return self._columns.index(name)

    def set_columns(self, canonical: list[str]) -> "_Rows":
        self._columns = canonical
        return self

    def template(self, rng, where: Callable[[list], bool] = lambda r: True) -> list:
        """A copy of a random clean row that satisfies `where`."""
        for _ in range(10_000):
            row = self.rows[int(rng.integers(len(self.rows)))]
            if not any(row is m[0] for m in self._marks) and where(row):
                return list(row)
        raise LookupError(f"no template row in {self.file}")

    def plant(self, rng, row: list, column: str | None, kind: str) -> None:
        """Insert a flawed row at a random place among the data rows."""
        self.rows.insert(int(rng.integers(1, len(self.rows))), row)
        self._marks.append((row, column, kind))

    def duplicate(self, rng) -> None:
        """Repeat a clean row further down: the earlier copy is the one superseded."""
        original = self.rows[int(rng.integers(1, len(self.rows) // 2))]
        while any(original is m[0] for m in self._marks):
            original = self.rows[int(rng.integers(1, len(self.rows) // 2))]
        i = next(k for k, row in enumerate(self.rows) if row is original)
        self.rows.insert(int(rng.integers(i + 1, len(self.rows))), list(original))
        self._marks.append((original, None, "duplicate_key"))

    def mark(self, row: list, column: str | None, kind: str) -> None:
        self._marks.append((row, column, kind))

    def planted(self) -> list[dict]:
        where = {id(r): i for i, r in enumerate(self.rows)}
        return [{"file": self.file, "dataset": self.dataset, "line": where[id(r)] + self.first_line,
                 "column": c, "kind": k} for r, c, k in self._marks]


def _write_text(folder: pathlib.Path, rows: _Rows, encoding: str = "utf-8", delimiter: str = ",",
                newline: str = "\n") -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerow(rows.header)
    writer.writerows(rows.rows)
    # errors='strict': a character GBK cannot hold must fail here, not turn into '?' in the sample.
    (folder / rows.file).write_bytes(buf.getvalue().encode(encoding))
