"""Periods: a calendar month `YYYY-MM` or a quarter `YYYY-Qn` (metrics.md: Time)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(first_day: dt.date) -> dt.date:
    return add_months(first_day, 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day of the first month
    months: int  # 1 or 3

    @classmethod
    def parse(cls, text: str) -> "Period":
        text = text.strip()
        if m := _MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            if 1 <= month <= 12:
                return cls(dt.date(year, month, 1), 1)
        if m := _QUARTER.match(text):
            return cls(dt.date(int(m[1]), 3 * int(m[2]) - 2, 1), 3)
        raise ValueError(f"not a period: {text!r} (expected YYYY-MM or YYYY-Qn)")

    @classmethod
    def month_of(cls, day: dt.date) -> "Period":
        return cls(dt.date(day.year, day.month, 1), 1)

    @property
    def end(self) -> dt.date:
        return month_end(self.last_month)

    @property
    def last_month(self) -> dt.date:
        return add_months(self.start, self.months - 1)

    @property
    def month_starts(self) -> list[dt.date]:
        return [add_months(self.start, i) for i in range(self.months)]

    @property
    def is_quarter(self) -> bool:
        return self.months == 3

    @property
    def label(self) -> str:
        if self.is_quarter:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return self.start.strftime("%Y-%m")

    def previous(self) -> "Period":
        return Period(add_months(self.start, -self.months), self.months)

    def year_before(self) -> "Period":
        return Period(add_months(self.start, -12), self.months)

    def sql_params(self) -> dict:
        """The period parameters every report query may use."""
        prev, yoy = self.previous(), self.year_before()
        return {
            "period_start": self.start,
            "period_end": self.end,
            "period_last_month": self.last_month,
            "period_months": self.months,
            "period_label": self.label,  # how targets name a period: 2026-06, 2026-Q3
            "prev_start": prev.start,
            "prev_end": prev.end,
            "yoy_start": yoy.start,
            "yoy_end": yoy.end,
        }
