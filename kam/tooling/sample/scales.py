"""How big the province is and which months it covers: the scales, and day numbers for the calendar."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import numpy as np

Progress = Callable[[str], None] | None


@dataclass(frozen=True)
class Scale:
    groups: int
    members: int
    months: int
    description: str


SCALES: dict[str, Scale] = {
    "sample": Scale(3_000, 200_000, 24,
                    "~3,000 groups, ~200k members, ~450k billing rows in mixed files with planted flaws"),
    "M": Scale(10_000, 500_000, 24,
               "10,000 groups, 500k members, ~12M billing rows, clean UTF-8 CSV"),
    "L": Scale(50_000, 2_500_000, 24,
               "50,000 groups, 2.5M members, ~60M billing rows, clean UTF-8 CSV"),
}

LAST_MONTH = (2026, 10)  # the data ends 2026-10-31: the as-of time never depends on the wall clock
NEVER = 1_000_000_000    # day number standing for "no leave/close date": compares after any real day
EPOCH = dt.date(1970, 1, 1)


def _day(text: str) -> int:
    return (dt.date.fromisoformat(text) - EPOCH).days


@dataclass(frozen=True)
class Window:
    """The months of the bills: `months` calendar months ending LAST_MONTH."""
    labels: list[str]      # 'YYYY-MM'
    start: np.ndarray      # day number of each month's first day
    end: np.ndarray        # day number of each month's last day

    @property
    def first(self) -> int:
        return int(self.start[0])

    @property
    def last(self) -> int:
        return int(self.end[-1])


def _window(months: int) -> Window:
    year, month = LAST_MONTH
    labels, starts = [], []
    for k in range(months - 1, -1, -1):
        y, m = divmod(year * 12 + month - 1 - k, 12)
        labels.append(f"{y:04d}-{m + 1:02d}")
        starts.append((dt.date(y, m + 1, 1) - EPOCH).days)
    start = np.array(starts, dtype=np.int64)
    y, m = divmod(year * 12 + month, 12)
    end = np.append(start[1:], (dt.date(y, m + 1, 1) - EPOCH).days) - 1
    return Window(labels, start, end)
