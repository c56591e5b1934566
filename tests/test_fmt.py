"""Formatting numbers for people, and keeping phone numbers off screens and out of logs."""
from __future__ import annotations

import logging
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from kam.app.fmt import fmt_delta_pct, fmt_number, fmt_pct, fmt_yuan, fmt_yuan_exact
from kam.storage.masking import PhoneMaskingFilter, install_log_masking, mask_frame, mask_phone, mask_text


@pytest.mark.parametrize("x, zh, en", [
    (9_999, "9,999", "9,999"),
    (10_000, "1万", "10K"),
    (12_345, "1.23万", "12.3K"),
    (123_456_789, "1.23亿", "123.5M"),
    (1.5e8, "1.5亿", "150M"),
    (2.5e9, "25亿", "2.5B"),
    (99_999_999, "1亿", "100M"),  # 9999.9999万 rounds up into the next unit
    (999_950, "100万", "1M"),  # 99.995万 rounds half-up to 100万; 999.95K to 1000K, so 1M
    (1234.5, "1,234.5", "1,234.5"),
    (0, "0", "0"),
    (-12_345, "-1.23万", "-12.3K"),
    (-0.001, "0", "0"),  # no minus on a value shown as zero
])
def test_numbers_are_written_with_the_units_of_the_language(x, zh, en):
    assert fmt_number(x, "zh") == zh
    assert fmt_number(x, "en") == en


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA])
def test_missing_values_show_a_dash(missing):
    for fmt in (lambda x: fmt_number(x, "zh"), lambda x: fmt_yuan(x, "en"), fmt_yuan_exact, fmt_pct, fmt_delta_pct):
        assert fmt(missing) == "—"


def test_explicit_decimals_are_kept():
    assert fmt_number(12_345, "zh", decimals=1) == "1.2万"
    assert fmt_number(5, "zh", decimals=2) == "5.00"


def test_rounding_is_half_up_on_the_decimal_value():
    assert fmt_yuan_exact(2.675) == "¥2.68"  # binary half-even would print 2.67
    assert fmt_pct(0.0125) == "1.3%"


def test_money_compact_and_to_the_fen():
    assert fmt_yuan(12_345, "zh") == "¥1.23万"
    assert fmt_yuan(12_345, "en") == "¥12.3K"
    assert fmt_yuan(-12_345, "zh") == "-¥1.23万"
    assert fmt_yuan_exact(1234.5) == "¥1,234.50"
    assert fmt_yuan_exact(Decimal("-1234.5")) == "-¥1,234.50"
    assert fmt_yuan_exact(np.int64(3)) == "¥3.00"


def test_percentages_and_signed_changes():
    assert fmt_pct(0.1234) == "12.3%"
    assert fmt_pct(1) == "100.0%"
    assert fmt_pct(0.5, decimals=0) == "50%"
    assert fmt_delta_pct(0.032) == "+3.2%"
    assert fmt_delta_pct(-0.01) == "\u22121.0%"
    assert fmt_delta_pct(0) == "0.0%" and fmt_delta_pct(-0.0001) == "0.0%"


# ------------------------------------------------------------------ masking

@pytest.mark.parametrize("raw, masked", [
    ("13812341234", "138****1234"),
    (13812341234, "138****1234"),
    (13812341234.0, "138****1234"),  # a spreadsheet's float
    ("+86 138-1234-1234", "861****1234"),
    ("1234567", "****567"),  # at least four digits stay hidden, even in a short number
    ("123456789", "1****6789"),
    ("123456", "****"),
    ("12", "****"),
    ("", ""),
    (None, None),
])
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


def _longest_original_run(original: str, masked: str) -> int:
    digits = re.sub(r"\D", "", original)
    runs = re.findall(r"\d+", masked)
    return max((len(r) for r in runs if r in digits), default=0)


@pytest.mark.parametrize("raw", ["13812341234", "008613812341234", "1" * 30, "0571-88886666", "1234567"])
def test_masking_never_leaves_eight_consecutive_original_digits(raw):
    masked = mask_phone(raw)
    assert _longest_original_run(raw, masked) < 8
    assert len(re.sub(r"\D", "", raw)) - len(re.sub(r"\D", "", masked)) >= 4


def test_mask_frame_masks_a_copy_like_mask_phone():
    values = ["13812341234", "1234567", "12345678", "123456789", "1234567890", "12", "", None,
              "+86 139-0000-1111"]
    df = pd.DataFrame({"subscriber_id": values, "amount": range(len(values))})
    out = mask_frame(df)
    assert df["subscriber_id"][0] == "13812341234"  # the input is untouched
    expected = [mask_phone(v) for v in values]
    got = [None if pd.isna(v) else v for v in out["subscriber_id"]]
    assert got == expected
    assert list(out["amount"]) == list(df["amount"])


def test_mask_frame_handles_numbers_read_as_floats_and_absent_columns():
    out = mask_frame(pd.DataFrame({"subscriber_id": [13812341234.0, np.nan]}), columns=("subscriber_id", "other"))
    assert out["subscriber_id"][0] == "138****1234" and pd.isna(out["subscriber_id"][1])


def test_mask_text_finds_mobile_numbers_in_free_text():
    assert mask_text("call 13812341234 or +8613912345678") == "call 138****1234 or +86139****5678"
    assert mask_text("order 213812341234 and 12812341234") == "order 213812341234 and 12812341234"


@pytest.fixture
def masking(caplog):
    caplog.set_level(logging.INFO)
    installed = install_log_masking()
    yield caplog
    root = logging.getLogger()
    for target in (root, *root.handlers):
        target.removeFilter(installed)


def test_the_log_filter_masks_a_number_passed_as_an_argument(masking):
    logging.info("%s", "13812341234")
    assert "13812341234" not in masking.text
    assert "138****1234" in masking.text


def test_the_log_filter_masks_numbers_from_child_loggers_and_tracebacks(masking):
    logging.getLogger("kam.test").warning("subscriber %d left", 13912345678)
    try:
        raise ValueError("bad subscriber 15012345678")
    except ValueError:
        logging.exception("failed")
    assert "13912345678" not in masking.text and "139****5678" in masking.text
    assert all("15012345678" not in (r.exc_text or "") for r in masking.records)


def test_installing_twice_adds_one_filter(masking):
    install_log_masking()
    root = logging.getLogger()
    assert sum(isinstance(f, PhoneMaskingFilter) for f in root.filters) == 1


def test_numpy_numbers_format_like_python_numbers():
    import numpy as np
    from kam.app.fmt import fmt_number, fmt_pct
    assert fmt_pct(np.float64(0.9)) == fmt_pct(0.9) == "90.0%"
    assert fmt_number(np.float64(111.0), "zh") == fmt_number(111, "zh")
    assert fmt_number(np.int64(12345), "zh") == "1.23万"
