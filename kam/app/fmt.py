"""Numbers, money, percentages, dates and durations as people read them: one rule set, here.

Chinese readers count in 万 (10⁴) and 亿 (10⁸), English readers in K / M / B; both see values
under 10,000 written out with thousands separators, so a table reads the same in both languages
up to that size. A compact figure keeps three significant digits whatever its unit (161,597 →
16.2万, 28,317 → 2.83万, 42,901,620 → 4,290万, 129,000,000 → 1.29亿): "16万" would be 1 % off and
"3万" 6 % off, and a month must not read more precisely than its quarter. Rounding is half-up on
the decimal value (2.675 → 2.68), as people expect from a report, not the binary half-even of
Python's format(). A percentage has one decimal everywhere (75.0 % beside 92.9 %).

Every formatter returns "—" for a missing value (None, NaN, NA, NaT) and never raises on one: a
page must not fail because one cell is empty.

Tables: `column_kind` decides what each column holds (money, rate, count, date, duration…) from
its name and its values; kam.app.ui turns the kind into the table's column format, and the CLI's
table output uses the same kinds. Metric cards: `delta_look` decides a change's arrow (the sign of
the number) and colour (whether that change is good for the figure).

Phone numbers are masked by kam.storage.masking.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pandas as pd

DASH = "—"
MINUS = "\u2212"  # the typographic minus for deltas, so "−1.0%" lines up with "+3.2%"
PLAIN_BELOW = Decimal(10_000)
SIGNIFICANT = 3  # digits a compact figure keeps: 16.2万, 2.83万, 1.29亿, 123K
PCT_DECIMALS = 1  # 92.9%, 75.0%, 1.1%: one precision for every percentage on every screen
# (size, suffix) ascending; each unit is used until the rounded value reaches the next one.
_UNITS = {
    "zh": [(Decimal(10) ** 4, "万"), (Decimal(10) ** 8, "亿"), (Decimal(10) ** 12, "万亿")],
    "en": [(Decimal(10) ** 3, "K"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 12, "T")],
}


def is_missing(x: object) -> bool:
    """None, NaN, pandas NA and NaT: what a table shows as "—"."""
    return x is None or (pd.api.types.is_scalar(x) and pd.isna(x))


def _to_decimal(x: object) -> Decimal | None:
    """The value as an exact Decimal; None when missing or not finite."""
    if is_missing(x) or isinstance(x, bool):
        return None
    if isinstance(x, float):
        # repr is the shortest text that reads back as the same float: 2.675 stays 2.675.
        # float() first: numpy's float64 is a float whose repr is 'np.float64(0.9)'.
        x = repr(float(x)) if math.isfinite(x) else None
    try:
        d = Decimal(x if isinstance(x, (Decimal, str)) else str(x))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return d if d.is_finite() else None


def _round(d: Decimal, places: int) -> Decimal:
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _digits(d: Decimal, places: int, strip: bool) -> str:
    text = f"{_round(d, places):,.{places}f}"
    if strip and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _significant(a: Decimal) -> tuple[Decimal, int]:
    """a (≥ 1) rounded to SIGNIFICANT digits, keeping every digit before the point; and its decimals."""
    places = max(0, SIGNIFICANT - len(str(int(a))))
    rounded = _round(a, places)
    if places and len(str(int(rounded))) > len(str(int(a))):  # 9.995 → 10.00: one digit fewer after the point
        places -= 1
        rounded = _round(a, places)
    return rounded, places


def _compact(d: Decimal, lang: str, decimals: int | None) -> str:
    """abs(d) written plainly below 10,000 (`decimals` places, default up to 2), else in the unit that
    keeps it readable with SIGNIFICANT digits."""
    lang = lang if lang in _UNITS else "en"
    plain_places = 2 if decimals is None else decimals
    a = abs(d)
    if _round(a, plain_places) < PLAIN_BELOW:
        return _digits(a, plain_places, strip=decimals is None)
    units = _UNITS[lang]
    for i, (size, suffix) in enumerate(units):
        scaled, places = _significant(a / size)
        nxt = units[i + 1][0] if i + 1 < len(units) else None
        # 99,999,999 is 9999.9999万, which rounds to 10000万: write it as 1.00亿 instead.
        if nxt is None or scaled < nxt / size:
            return _digits(scaled, places, strip=False) + suffix
    raise AssertionError("unreachable")


def _sign(d: Decimal, text: str, minus: str = "-") -> str:
    # The sign is decided on what is shown: -0.001 shown as 0 gets no minus.
    return minus if d < 0 and any(ch in "123456789" for ch in text) else ""


def fmt_number(x: object, lang: str = "zh", decimals: int | None = None) -> str:
    """12,345 → "1.23万" (zh) / "12.3K" (en); 9,999 → "9,999"; NaN → "—".

    `decimals` is for values under 10,000 (default: up to two, trailing zeros dropped); a compact
    figure always keeps SIGNIFICANT digits, so a count (decimals=0) of 161,597 reads 16.2万.
    """
    d = _to_decimal(x)
    if d is None:
        return DASH if is_missing(x) else str(x)
    text = _compact(d, lang, decimals)
    return _sign(d, text) + text


def fmt_count(x: object, lang: str = "zh") -> str:
    """A count on a card or in a sentence: 9,999 → "9,999", 161,597 → "16.2万" / "162K"."""
    return fmt_number(x, lang, decimals=0)


def fmt_int(x: object) -> str:
    """A whole number written out, for tables and the CLI: 14519 → "14,519"."""
    d = _to_decimal(x)
    if d is None:
        return DASH
    text = _digits(abs(d), 0, strip=False)
    return _sign(d, text) + text


def fmt_decimal(x: object, decimals: int = 2) -> str:
    """A plain measured number (a score, an index, a mean): 1.310345 → "1.31"."""
    d = _to_decimal(x)
    if d is None:
        return DASH
    text = _digits(abs(d), decimals, strip=False)
    return _sign(d, text) + text


def fmt_yuan(x: object, lang: str = "zh", decimals: int | None = None) -> str:
    """Money, compact: "¥1.23万" (zh) / "¥12.3K" (en), "¥264.53" under 10,000; negative "-¥1.23万"."""
    d = _to_decimal(x)
    if d is None:
        return DASH
    text = _compact(d, lang, 2 if decimals is None else decimals)
    return _sign(d, text) + "¥" + text


def fmt_yuan_exact(x: object) -> str:
    """Money to the fen, for tables: "¥1,234.50"; negative "-¥1,234.50"."""
    d = _to_decimal(x)
    if d is None:
        return DASH
    text = _digits(abs(d), 2, strip=False)
    return _sign(d, text) + "¥" + text


def fmt_pct(x: object, decimals: int = PCT_DECIMALS) -> str:
    """A fraction as a percentage: 0.1234 → "12.3%", 0.75 → "75.0%"."""
    d = _to_decimal(x)
    if d is None:
        return DASH
    text = _digits(abs(d) * 100, decimals, strip=False)
    return _sign(d, text) + text + "%"


def _signed(d: Decimal, text: str) -> str:
    """+ for a rise, the typographic minus for a fall, nothing for what shows as zero."""
    if not any(ch in "123456789" for ch in text):
        return text
    return (MINUS if d < 0 else "+") + text


def fmt_delta_pct(x: object, decimals: int = PCT_DECIMALS) -> str:
    """A change as a signed percentage: 0.032 → "+3.2%", -0.01 → "−1.0%", 0 → "0.0%"."""
    d = _to_decimal(x)
    if d is None:
        return DASH
    return _signed(d, _digits(abs(d) * 100, decimals, strip=False) + "%")


def fmt_delta_points(x: object, decimals: int = PCT_DECIMALS) -> str:
    """A difference of two rates in percentage points, the number only: 0.0017 → "+0.2", -0.05 → "−5.0".

    The unit (个百分点 / pts) is the caller's label, in the viewer's language.
    """
    d = _to_decimal(x)
    if d is None:
        return DASH
    return _signed(d, _digits(abs(d) * 100, decimals, strip=False))


def fmt_delta_number(x: object, decimals: int = 0) -> str:
    """A signed difference of counts or scores: 3 → "+3", -2 → "−2", 0 → "0"."""
    d = _to_decimal(x)
    if d is None:
        return DASH
    return _signed(d, _digits(abs(d), decimals, strip=False))


_DURATION_UNITS = {"zh": ("分钟", "小时", "天"), "en": ("min", "h", "d")}


def fmt_duration(hours: object, lang: str = "zh") -> str:
    """A span given in hours, in the unit people count it in: "41 分钟", "14.3 小时", "721 天 19 小时".

    Under an hour in minutes, under a day in hours to one decimal, from a day on in days and whole
    hours ("3 天" when the hours are zero). Negative spans (time left) keep their minus.
    """
    d = _to_decimal(hours)
    if d is None:
        return DASH
    minute, hour, day = _DURATION_UNITS.get(lang, _DURATION_UNITS["en"])
    a = abs(d)
    if _round(a * 60, 0) < 60:
        text = f"{_digits(a * 60, 0, strip=False)} {minute}"
    elif _round(a, 1) < 24:
        text = f"{_digits(a, 1, strip=False)} {hour}"
    else:
        whole = int(_round(a, 0))
        days, rest = divmod(whole, 24)
        text = f"{days:,} {day}" + (f" {rest} {hour}" if rest else "")
    return ("-" if d < 0 and any(ch in "123456789" for ch in text) else "") + text


def _timestamp(x: object) -> pd.Timestamp | None:
    if is_missing(x):
        return None
    try:
        return pd.Timestamp(x)
    except (TypeError, ValueError):
        return None


def fmt_date(x: object) -> str:
    """2026-10-14, without the 00:00:00 of a midnight timestamp."""
    ts = _timestamp(x)
    return DASH if ts is None else ts.strftime("%Y-%m-%d")


def fmt_month(x: object) -> str:
    ts = _timestamp(x)
    return DASH if ts is None else ts.strftime("%Y-%m")


def fmt_datetime(x: object) -> str:
    """To the minute: 2026-10-31 21:52."""
    ts = _timestamp(x)
    return DASH if ts is None else ts.strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------- kinds: what a column or a figure holds

MONEY, RATE, COUNT, NUMBER, DAYS, HOURS, DATE, MONTH, DATETIME, TEXT, BOOL, PLAIN_INT = (
    "money", "rate", "count", "number", "days", "hours", "date", "month", "datetime", "text", "bool", "plain_int")

# Column names are the SQL's snake_case names (before translation). Money: revenue, arpu, amounts and
# monthly values, unless the name says it is a ratio of them (revenue_mom, revenue_share, revenue_rank…).
_MONEY = re.compile(r"(^|_)(revenue|arpu|amount|monthly_value|value_yuan)(_|$)")
_RATE = re.compile(r"(_rate|_share|_ratio|_mom|_yoy|_growth|_compliance|_coverage|_pct)(_[abc])?$"
                   r"|(^|_)(compliance|coverage|conversion|penetration|share|churn_6m)(_|$)|^pr_|^load_")
_RANK = re.compile(r"(^|_)rank$|_rank_")
_HOURS = re.compile(r"_(h|hours)$|^hours_")
_DAYS = re.compile(r"(^|_)days($|_)")
_MONTH = re.compile(r"(^|_)month(_start)?$|^month_")
_COUNT = re.compile(r"(^|_)(groups|members|managers|tickets|orders|visits|rows|leavers|hires)$")
_PLAIN_INTS = {"line", "by_line", "year", "star_level", "level"}  # identifiers, not quantities: no separators


def column_kind(name: str, values: pd.Series | None = None) -> str:
    """What a column holds, from its name first and its values second.

    The name decides money, rates, hours and days (a rate column is a rate even when it holds only
    zeros); the values decide dates (a date without a time of day shows without 00:00:00), counts
    (integers, and floats that are all whole) and plain numbers.
    """
    series = values if values is not None else pd.Series(dtype=object)
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return BOOL
    if pd.api.types.is_datetime64_any_dtype(dtype) or _holds_dates(series):
        return _date_kind(name, series)
    numeric = pd.api.types.is_numeric_dtype(dtype) or _holds_decimals(series)
    if values is not None and not numeric:
        return TEXT
    if _RATE.search(name) and not _RANK.search(name):
        return RATE
    if _MONEY.search(name) and not _RANK.search(name):
        return MONEY
    if _HOURS.search(name):
        return HOURS
    if _DAYS.search(name):
        return DAYS
    if values is None:
        return COUNT if _COUNT.search(name) else NUMBER
    if name in _PLAIN_INTS:
        return PLAIN_INT
    present = series.dropna()
    if pd.api.types.is_integer_dtype(dtype) or (len(present) and (present.astype(float) % 1 == 0).all()):
        return COUNT
    return NUMBER


def _holds_dates(series: pd.Series) -> bool:
    present = series.dropna()
    return series.dtype == object and len(present) > 0 and all(
        isinstance(v, (dt.date, pd.Timestamp)) for v in present.head(20))


def _holds_decimals(series: pd.Series) -> bool:
    present = series.dropna()
    return series.dtype == object and len(present) > 0 and all(
        isinstance(v, (Decimal, int, float)) and not isinstance(v, bool) for v in present.head(20))


def _date_kind(name: str, series: pd.Series) -> str:
    stamps = pd.to_datetime(series.dropna())
    if len(stamps) and (stamps != stamps.dt.normalize()).any():
        return DATETIME
    if _MONTH.search(name) and (stamps.dt.day == 1).all():
        return MONTH
    return DATE


def fmt_kind(x: object, kind: str, lang: str = "zh") -> str:
    """One value as its kind reads in a table cell: money to the fen, counts written out."""
    if is_missing(x):
        return DASH
    if kind == MONEY:
        return fmt_yuan_exact(x)
    if kind == RATE:
        return fmt_pct(x)
    if kind == COUNT:
        return fmt_int(x)
    if kind == PLAIN_INT:
        return str(int(x)) if _to_decimal(x) is not None else str(x)
    if kind == HOURS:
        return fmt_duration(x, lang)
    if kind == DAYS:
        return fmt_decimal(x, 1)
    if kind == DATE:
        return fmt_date(x)
    if kind == MONTH:
        return fmt_month(x)
    if kind == DATETIME:
        return fmt_datetime(x)
    if kind == NUMBER:
        return fmt_decimal(x, 2)
    return str(x)


def fmt_figure(x: object, kind: str, lang: str = "zh") -> str:
    """One value as its kind reads on a card or in a sentence: money and counts compact (¥4,290万, 16.2万)."""
    if kind == MONEY:
        return fmt_yuan(x, lang)
    if kind == COUNT:
        return fmt_count(x, lang)
    return fmt_kind(x, kind, lang)


# ---------------------------------------------------------------- metric cards: arrow and colour of a change

HIGHER, LOWER, NEUTRAL = "higher", "lower", "neutral"  # which way is good for a figure


def delta_look(change: object, better: str = HIGHER, shown: str | None = None) -> tuple[str, str]:
    """(colour, arrow) of a change on a metric card.

    The arrow follows the sign of the number ("up" for a rise, "down" for a fall, "off" when it shows
    as zero); the colour says whether that is good for the figure: a fall in revenue is red, a fall in
    churn (better="lower") is green, a neutral figure is grey. `shown` is the text on the card: a change
    that rounds to 0.0 gets neither arrow nor colour.
    """
    d = _to_decimal(change)
    if better not in (HIGHER, LOWER, NEUTRAL):
        raise ValueError(f"better must be higher, lower or neutral, not {better!r}")
    if d is None or d == 0 or (shown is not None and not any(ch in "123456789" for ch in shown)):
        return "gray", "off"
    arrow = "up" if d > 0 else "down"
    if better == NEUTRAL:
        return "gray", arrow
    good = (d > 0) == (better == HIGHER)
    return ("green" if good else "red"), arrow
