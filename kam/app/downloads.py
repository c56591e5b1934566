"""Tables as downloads (CSV and Excel) that a spreadsheet cannot turn into formulas."""
from __future__ import annotations

import io

import pandas as pd

from kam.storage.masking import mask_frame
from kam.storage.schema import PERSONAL_COLUMNS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula; numbers stay numbers."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return out


def whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding only whole numbers (counts with a gap, which pandas stores as floats) as integers:
    a download says 436856, not 436856.0; an empty cell stays empty."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_float_dtype(values) and values.notna().any():
            present = values.dropna()
            if (present == present.round()).all() and present.abs().max() < 2 ** 53:
                out[col] = values.astype("Int64")
    return out


def prepare(frame: pd.DataFrame, see_phone_numbers: bool) -> pd.DataFrame:
    present = [c for c in frame.columns if c in PERSONAL_COLUMNS]
    if present and not see_phone_numbers:
        frame = mask_frame(frame, columns=tuple(present))
    return neutralise(whole_numbers(frame))


def to_csv_bytes(frame: pd.DataFrame, see_phone_numbers: bool = False) -> bytes:
    # UTF-8 with BOM: Excel on a Chinese Windows opens it without garbling.
    return prepare(frame, see_phone_numbers).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, see_phone_numbers: bool = False, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    out = prepare(frame, see_phone_numbers)
    for col in out.columns:  # Excel has no time zones; and Decimals must be numbers
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
        elif out[col].dtype == object and out[col].map(lambda v: type(v).__name__ == "Decimal").any():
            out[col] = out[col].astype(float)
    with pd.ExcelWriter(buffer, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False,
                                                   "strings_to_urls": False}}) as writer:
        out.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()
