"""Phone numbers as a viewer may see them, and as logs may never hold them.

subscriber_id is a phone number (exports.md "Personal data"): it is shown masked (138****1234)
everywhere except to a role allowed to see it, and never written to logs. This sits with the
export contract, below every other layer, because the warehouse masks reader messages it stores.
"""
from __future__ import annotations

import logging
import re

import pandas as pd


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
