"""Numbers, money and percentages as people read them.

Chinese readers count in 万 (10⁴) and 亿 (10⁸), English readers in K / M / B; both see values
under 10,000 written out with thousands separators, so a table reads the same in both languages
up to that size. Rounding is half-up on the decimal value (2.675 → 2.68), as people expect from a
report, not the binary half-even of Python's format().

Every formatter returns "—" for a missing value (None, NaN, NA) and never raises on one: a page
must not fail because one cell is empty.

Phone numbers are masked by kam.storage.masking.
"""
from __future__ import annotations

import logging
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pandas as pd

DASH = "—"
MINUS = "\u2212"  # the typographic minus for deltas, so "−1.0%" lines up with "+3.2%"
PLAIN_BELOW = Decimal(10_000)
# (size, suffix) ascending; each unit is used until the rounded value reaches the next one.
_UNITS = {
    "zh": [(Decimal(10) ** 4, "万"), (Decimal(10) ** 8, "亿"), (Decimal(10) ** 12, "万亿")],
    "en": [(Decimal(10) ** 3, "K"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 12, "T")],
}
_DEFAULT_DECIMALS = {"zh": 2, "en": 1}  # 1.23万, 12.3K: three significant digits or so


def _to_decimal(x: object) -> Decimal | None:
    """The value as an exact Decimal; None when missing or not finite."""
    if x is None or (pd.api.types.is_scalar(x) and pd.isna(x)):
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


def _compact(d: Decimal, lang: str, decimals: int | None) -> str:
    """abs(d) written plainly below 10,000, else with the unit that keeps it readable."""
    lang = lang if lang in _UNITS else "en"
    places = _DEFAULT_DECIMALS[lang] if decimals is None else decimals
    plain_places = 2 if decimals is None else decimals
    strip = decimals is None  # default: "1万", not "1.00万"; an explicit count is kept
    a = abs(d)
    if _round(a, plain_places) < PLAIN_BELOW:
        return _digits(a, plain_places, strip)
    units = _UNITS[lang]
    for i, (size, suffix) in enumerate(units):
        scaled = _round(a / size, places)
        nxt = units[i + 1][0] if i + 1 < len(units) else None
        # 99,999,999 is 9999.9999万, which rounds to 10000万: write it as 1亿 instead.
        if nxt is None or scaled < nxt / size:
            return _digits(scaled, places, strip) + suffix
    raise AssertionError("unreachable")


def _sign(d: Decimal, text: str, minus: str = "-") -> str:
    # The sign is decided on what is shown: -0.001 shown as 0 gets no minus.
    return minus if d < 0 and any(ch in "123456789" for ch in text) else ""


def fmt_number(x: object, lang: str = "zh", decimals: int | None = None) -> str:
    """12,345 → "1.23万" (zh) / "12.3K" (en); 9,999 → "9,999"; NaN → "—"."""
    d = _to_decimal(x)
    if d is None:
        return DASH if x is None or (pd.api.types.is_scalar(x) and pd.isna(x)) else str(x)
    text = _compact(d, lang, decimals)
    return _sign(d, text) + text


def fmt_yuan(x: object, lang: str = "zh", decimals: int | None = None) -> str:
    """Money, compact: "¥1.23万" (zh) / "¥12.3K" (en); negative "-¥1.23万"."""
    d = _to_decimal(x)
    if d is None:
        return DASH
    text = _compact(d, lang, decimals)
    return _sign(d, text) + "¥" + text


def fmt_yuan_exact(x: object) -> str:
    """Money to the fen, for tables: "¥1,234.50"; negative "-¥1,234.50"."""
    d = _to_decimal(x)
    if d is None:
        return DASH
    text = _digits(abs(d), 2, strip=False)
    return _sign(d, text) + "¥" + text


def fmt_pct(x: object, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.1234 → "12.3%"."""
    d = _to_decimal(x)
    if d is None:
        return DASH
    text = _digits(abs(d) * 100, decimals, strip=False)
    return _sign(d, text) + text + "%"


def fmt_delta_pct(x: object, decimals: int = 1) -> str:
    """A change as a signed percentage: 0.032 → "+3.2%", -0.01 → "−1.0%", 0 → "0.0%"."""
    d = _to_decimal(x)
    if d is None:
        return DASH
    text = _digits(abs(d) * 100, decimals, strip=False)
    shown_nonzero = any(ch in "123456789" for ch in text)
    sign = "" if not shown_nonzero else (MINUS if d < 0 else "+")
    return sign + text + "%"
