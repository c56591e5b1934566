"""The words and numbers on chart axes: round ticks, and their labels in the viewer's language.

Chinese readers count in 万 and 亿 (20万, 1.5亿), English readers in K / M; months read 2025年11月 or
Nov 2025. kam.app.charts places these on a figure's axes; pages use the month helpers directly.
"""
from __future__ import annotations

import math
import re

import pandas as pd

from kam.app.fmt import fmt_number

TICKS = 6  # about how many ticks an axis gets
_STEPS = (1, 2, 2.5, 5, 10)
_UNITS = {"zh": ((100_000_000, "亿"), (10_000, "万")),
          "en": ((1_000_000_000, "B"), (1_000_000, "M"), (10_000, "K"))}
# Plotly's modebar (zoom, pan, "Download plot as a png", in English) sits on the chart's title and
# legend; hover still shows exact values and the tables beside each chart download the data.


def log_ticks(lo: float, hi: float) -> list[float]:
    """1, 2, 5 × 10ⁿ from at or below lo to at or above hi; only the powers of ten when that is too many."""
    if not (lo > 0 and hi > 0 and math.isfinite(lo) and math.isfinite(hi)):
        return []
    first, last = math.floor(math.log10(min(lo, hi))), math.ceil(math.log10(max(lo, hi)))
    powers = [10.0 ** n for n in range(first, last + 1)]
    dense = [_clean(m * p) for p in powers for m in (1, 2, 5) if min(lo, hi) / 5 <= m * p <= max(lo, hi) * 5]
    return dense if len(dense) <= 8 else [_clean(p) for p in powers]


def nice_ticks(lo: float, hi: float, count: int = TICKS, whole: bool = False) -> list[float]:
    """Round values from at or below lo to at or above hi, about `count` of them (1/2/2.5/5 × 10ⁿ apart).

    whole: the axis counts things (managers, tickets): ticks are whole numbers, never 2.5 or 0.5.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        lo, hi = (lo - 1, hi + 1) if lo == 0 else (lo - abs(lo) / 2, hi + abs(hi) / 2)
    raw = (hi - lo) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in _STEPS if m * magnitude >= raw * (1 - 1e-9)
                and not (whole and (m * magnitude) % 1))
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [_clean(i * step) for i in range(first, last + 1)]


def _clean(v: float) -> float:
    """0.30000000000000004 → 0.3; -0.0 → 0.0."""
    return float(f"{v:.12g}") + 0.0


def _places(values: list[float]) -> int:
    """The fewest decimals that write every value exactly (up to 6)."""
    return next(d for d in range(7) if all(abs(round(x, d) - x) < 1e-9 for x in values) or d == 6)


def percent_labels(ticks: list[float]) -> list[str]:
    """Fractions as percentages, all with the decimals the step needs: 0.0% 0.5% 1.0%, 0% 20% 40%."""
    scaled = [_clean(v * 100) for v in ticks]
    places = _places(scaled)
    return [f"{x:,.{places}f}%" for x in scaled]


def tick_labels(ticks: list[float], lang: str = "zh") -> list[str]:
    """One unit for the whole axis, chosen by its largest tick: 0, 0.5万, 1万, 1.5万 — not 5,000 beside 1万.

    Below 10,000 numbers are written out in both languages (as kam.app.fmt does); English above that
    counts in K / M / B.
    """
    top = max(abs(v) for v in ticks)
    units = _UNITS["zh" if lang == "zh" else "en"]
    size, unit = next(((s, u) for s, u in units if top >= s), (1, ""))
    if not unit:
        places = _places(ticks)
        return ["0" if v == 0 else f"{v:,.{places}f}" for v in ticks]
    if lang != "zh":
        size = {"K": 1_000}.get(unit, size)  # 20K, not 0.02M: K counts thousands
    scaled = [v / size for v in ticks]
    places = _places(scaled)
    return ["0" if x == 0 else _strip_zeros(f"{x:,.{places}f}") + unit for x in scaled]


def compact_label(value: float, lang: str = "zh") -> str:
    """One tick of a log axis, in its own unit: 1,000 / 1万 / 100万 / 1亿 (English 1,000 / 10K / 1M).

    A tick is a round number: fmt_number's significant digits (1.00万) would only add zeros to it.
    """
    text = fmt_number(value, lang)
    return re.sub(r"\.0+(?=\D*$)", "", re.sub(r"(\.\d*?[1-9])0+(?=\D*$)", r"\1", text))


def month_label(month, lang: str, short: bool = False) -> str:
    """A month as a category label: 2025年11月 (25年11月 short) in Chinese, Nov 2025 (Nov 25) in English."""
    month = pd.Timestamp(month)
    if lang == "zh":
        return f"{month:%y}年{month.month}月" if short else f"{month.year}年{month.month}月"
    return f"{month:%b %y}" if short else f"{month:%b %Y}"


def month_labels(months, lang: str) -> list[str]:
    """Months of one axis as category labels, short (25年11月) when there are more than twelve."""
    months = list(months)
    short = len(set(months)) > 12
    return [month_label(m, lang, short) for m in months]


def month_axis(months, lang: str, every: int | None = None) -> dict:
    """A category axis of month labels (month_labels) in calendar order, whatever order traces add them.

    every: label only every n-th month (small multiples too narrow for a label per month), level.
    """
    order = month_labels(sorted(set(pd.to_datetime(pd.Series(list(months))))), lang)
    axis = {"type": "category", "categoryorder": "array", "categoryarray": order}
    if every and len(order) > every:
        axis.update(tickmode="array", tickvals=order[::every], tickangle=0)
    return axis


def quarter_label(quarter: str, lang: str) -> str:
    """"2026-Q3" (as the queries label quarters) as 2026年第3季度 in Chinese, 2026 Q3 in English."""
    year, _, number = str(quarter).partition("-Q")
    return f"{year}年第{number}季度" if lang == "zh" else f"{year} Q{number}"


def day_label(day, lang: str) -> str:
    """A day as a category label: 11月3日 in Chinese, Nov 3 in English."""
    day = pd.Timestamp(day)
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day:%b} {day.day}"


def _strip_zeros(text: str) -> str:
    """"1.50" → "1.5", "1.00" → "1", "10" stays."""
    return text.rstrip("0").rstrip(".") if "." in text else text
