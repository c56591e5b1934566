"""Numbers, money and percentages as people read them, and phone numbers as they may see them.

Chinese readers count in 万 (10⁴) and 亿 (10⁸), English readers in K / M / B; both see values
under 10,000 written out with thousands separators, so a table reads the same in both languages
up to that size. Rounding is half-up on the decimal value (2.675 → 2.68), as people expect from a
report, not the binary half-even of Python's format().

Every formatter returns "—" for a missing value (None, NaN, NA) and never raises on one: a page
must not fail because one cell is empty.

subscriber_id is a phone number (exports.md "Personal data"): it is shown masked and never logged.
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


# ------------------------------------------------------------------------ phone numbers

STARS = "****"


def _kept(n: int) -> tuple[int, int]:
    """(head, tail) digits kept of an n-digit number: 3 and 4 for a mobile number (138****1234).

    Shorter numbers keep less, so that at least four digits are always hidden: a 7-digit number
    masked as 3 + 4 would show every digit.
    """
    tail = min(4, n - 4)
    return min(3, n - 4 - tail), tail


def mask_phone(s: object) -> object:
    """"13812341234" → "138****1234". Fewer than 7 digits → "****"; None/NaN returned as is."""
    if s is None or (pd.api.types.is_scalar(s) and pd.isna(s)):
        return s
    if isinstance(s, float) and s.is_integer():
        s = int(s)  # a spreadsheet turned the number into 13812341234.0
    text = str(s)
    if text == "":
        return text
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7:
        return STARS
    head, tail = _kept(len(digits))
    return digits[:head] + STARS + digits[len(digits) - tail:]


def mask_series(s: pd.Series) -> pd.Series:
    """mask_phone for a whole column, with vectorised string operations."""
    if pd.api.types.is_float_dtype(s):
        s = s.round().astype("Int64")
    text = s.astype("string")
    digits = text.str.replace(r"\D", "", regex=True)
    n = digits.str.len().fillna(0).astype(int)
    out = pd.Series(STARS, index=s.index, dtype="string")
    out[text.isna()] = pd.NA
    out[(text == "").fillna(False)] = ""
    # One vectorised slice per distinct rule: lengths 7–10 each keep differently, 11+ all keep 3 + 4.
    for length, rows in ((n_, n == n_) for n_ in (7, 8, 9, 10)):
        head, tail = _kept(length)
        out[rows] = digits[rows].str[:head] + STARS + digits[rows].str[length - tail:]
    long = n >= 11
    out[long] = digits[long].str[:3] + STARS + digits[long].str[-4:]
    return out


def mask_frame(df: pd.DataFrame, columns: tuple[str, ...] = ("subscriber_id",)) -> pd.DataFrame:
    """A copy of df with the named columns masked; columns it lacks are skipped."""
    out = df.copy()
    for col in columns:
        if col in out.columns:
            out[col] = mask_series(out[col])
    return out


# A mobile number, optionally with the +86 country code, not inside a longer run of digits.
_MOBILE = re.compile(r"(?<!\d)((?:\+?86)?)(1[3-9]\d{9})(?!\d)")


def mask_text(text: str) -> str:
    """Every mobile number in free text masked: "call 13812341234" → "call 138****1234"."""
    return _MOBILE.sub(lambda m: m.group(1) + mask_phone(m.group(2)), text)


class PhoneMaskingFilter(logging.Filter):
    """Masks mobile numbers in a log record: the message with its arguments, and any traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg, record.args = mask_text(record.getMessage()), None
        except Exception:  # a bad format string: mask the parts; logging reports the error itself
            record.msg = mask_text(str(record.msg))
            if isinstance(record.args, tuple):
                record.args = tuple(mask_text(a) if isinstance(a, str) else a for a in record.args)
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when set, so masking it here covers the printed traceback.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def install_log_masking() -> PhoneMaskingFilter:
    """Attach the filter to the root logger and its handlers (call after logging is configured).

    A logger's own filters see only records logged on it, while a handler's see every record
    that reaches it, including those propagated from child loggers: hence both.
    """
    root = logging.getLogger()
    existing = next((f for f in root.filters if isinstance(f, PhoneMaskingFilter)), None)
    masking = existing or PhoneMaskingFilter()
    for target in (root, *root.handlers):
        if not any(isinstance(f, PhoneMaskingFilter) for f in target.filters):
            target.addFilter(masking)
    return masking
