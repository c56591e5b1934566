"""Formatting numbers for people, and keeping phone numbers off screens and out of logs."""
from __future__ import annotations

import logging
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from kam.app.fmt import (column_kind, delta_look, fmt_count, fmt_date, fmt_delta_number, fmt_delta_pct,
                         fmt_delta_points, fmt_duration, fmt_figure, fmt_int, fmt_kind, fmt_number, fmt_pct, fmt_yuan,
                         fmt_yuan_exact)
from kam.storage.masking import PhoneMaskingFilter, install_log_masking, mask_frame, mask_phone, mask_text


@pytest.mark.parametrize("x, zh, en", [
    (9_999, "9,999", "9,999"),
    (10_000, "1.00万", "10.0K"),  # three significant digits in every unit, zeros included
    (12_345, "1.23万", "12.3K"),
    (28_317, "2.83万", "28.3K"),  # not "3万": 6 % off
    (161_597, "16.2万", "162K"),  # not "16万"
    (123_456_789, "1.23亿", "123M"),
    (42_748_981.96, "4,275万", "42.7M"),  # four digits before the point are all kept
    (129_400_000, "1.29亿", "129M"),  # a quarter reads to the same three digits as its month
    (1.5e8, "1.50亿", "150M"),
    (2.5e9, "25.0亿", "2.50B"),
    (99_995, "10.0万", "100K"),  # 9.9995万 rounds to 10.00万: one decimal fewer, still three digits
    (99_999_999, "1.00亿", "100M"),  # 9999.9999万 rounds up into the next unit
    (999_950, "100万", "1.00M"),  # 99.995万 rounds half-up to 100万; 999.95K to 1000K, so 1.00M
    (1234.5, "1,234.5", "1,234.5"),
    (0, "0", "0"),
    (-12_345, "-1.23万", "-12.3K"),
    (-0.001, "0", "0"),  # no minus on a value shown as zero
])
def test_numbers_are_written_with_the_units_of_the_language(x, zh, en):
    assert fmt_number(x, "zh") == zh
    assert fmt_number(x, "en") == en


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_show_a_dash(missing):
    for fmt in (lambda x: fmt_number(x, "zh"), lambda x: fmt_yuan(x, "en"), fmt_yuan_exact, fmt_pct, fmt_delta_pct,
                fmt_delta_points, fmt_int, fmt_date, lambda x: fmt_duration(x, "zh"), lambda x: fmt_count(x, "zh"),
                lambda x: fmt_kind(x, "money"), lambda x: fmt_figure(x, "count")):
        assert fmt(missing) == "—"


def test_decimals_are_for_the_plain_part_and_compact_figures_keep_three_digits():
    assert fmt_number(5, "zh", decimals=2) == "5.00"
    assert fmt_number(9_999.4, "zh", decimals=0) == "9,999"
    assert fmt_count(161_597, "zh") == "16.2万"  # a count (no decimals) is still 16.2万 once compact
    assert fmt_count(14_519, "zh") == "1.45万" and fmt_count(285, "zh") == "285"


def test_rounding_is_half_up_on_the_decimal_value():
    assert fmt_yuan_exact(2.675) == "¥2.68"  # binary half-even would print 2.67
    assert fmt_pct(0.0125) == "1.3%"


def test_money_compact_and_to_the_fen():
    assert fmt_yuan(12_345, "zh") == "¥1.23万"
    assert fmt_yuan(12_345, "en") == "¥12.3K"
    assert fmt_yuan(-12_345, "zh") == "-¥1.23万"
    assert fmt_yuan(42_901_620.72, "zh") == "¥4,290万"  # not ¥4,290.16万 beside a quarter's ¥1.29亿
    assert fmt_yuan(264.5, "zh") == "¥264.50"  # money under 10,000 to the fen
    assert fmt_yuan_exact(1234.5) == "¥1,234.50"
    assert fmt_yuan_exact(42_748_981.96) == "¥42,748,981.96"
    assert fmt_yuan_exact(Decimal("-1234.5")) == "-¥1,234.50"
    assert fmt_yuan_exact(np.int64(3)) == "¥3.00"


def test_percentages_have_one_decimal_and_changes_a_typographic_minus():
    assert fmt_pct(0.1234) == "12.3%"
    assert fmt_pct(0.75) == "75.0%" and fmt_pct(0.928571) == "92.9%"  # one precision side by side
    assert fmt_pct(1) == "100.0%"
    assert fmt_pct(0.5, decimals=0) == "50%"
    assert fmt_delta_pct(0.032) == "+3.2%"
    assert fmt_delta_pct(-0.067) == "\u22126.7%"
    assert fmt_delta_pct(0) == "0.0%" and fmt_delta_pct(-0.0001) == "0.0%"
    assert fmt_delta_points(0.0017) == "+0.2" and fmt_delta_points(-0.0523) == "\u22125.2"
    assert fmt_delta_points(0.0004) == "0.0"
    assert fmt_delta_number(3) == "+3" and fmt_delta_number(-2) == "\u22122" and fmt_delta_number(0) == "0"


def test_counts_and_dates_for_tables():
    assert fmt_int(14_519) == "14,519" and fmt_int(-1_704.0) == "-1,704"
    assert fmt_date(pd.Timestamp("2026-10-14 00:00:00")) == "2026-10-14"
    assert fmt_date("2026-10-14") == "2026-10-14"
    assert fmt_kind(pd.Timestamp("2026-09-01"), "month") == "2026-09"


@pytest.mark.parametrize("hours, zh, en", [
    (17_323.23, "721 天 19 小时", "721 d 19 h"),  # not "17,323 hours"
    (72, "3 天", "3 d"),
    (26.4, "1 天 2 小时", "1 d 2 h"),
    (14.266, "14.3 小时", "14.3 h"),
    (0.6833, "41 分钟", "41 min"),
    (-4.27, "-4.3 小时", "-4.3 h"),
])
def test_durations_read_in_days_and_hours(hours, zh, en):
    assert fmt_duration(hours, "zh") == zh
    assert fmt_duration(hours, "en") == en


def test_figures_and_table_cells_by_kind():
    assert fmt_figure(161_597, "count", "zh") == "16.2万" and fmt_kind(161_597, "count") == "161,597"
    assert fmt_figure(42_901_620.72, "money", "zh") == "¥4,290万"
    assert fmt_kind(42_901_620.72, "money") == "¥42,901,620.72"
    assert fmt_kind(0.010563, "rate") == "1.1%"
    assert fmt_kind(1.310345, "number") == "1.31"


@pytest.mark.parametrize("name, values, kind", [
    ("revenue", [4539249.29], "money"),
    ("arpu", [264.53], "money"),
    ("avg_revenue_3m", [1.5], "money"),
    ("monthly_value", [1997.91], "money"),
    ("revenue_change", [-21500.0], "money"),  # the overview's change in yuan
    ("revenue_mom", [-0.0427], "rate"),
    ("revenue_share", [0.55], "rate"),
    ("revenue_rank", [3], "count"),
    ("visit_compliance_rank", [1], "count"),
    ("member_churn_rate", [0.0], "rate"),  # a rate even when every value is zero
    ("visit_compliance_a", [0.5], "rate"),
    ("pr_revenue_growth", [0.92], "rate"),
    ("sla_late_h", [17323.2], "hours"),
    ("hours_open", [3.5], "hours"),
    ("median_days_visited_handled", [3.67], "days"),
    ("members", [14519], "count"),
    ("rows_read", [3490.0, 427333.0], "count"),  # floats that are all whole
    ("avg_members", [276.3], "number"),
    ("line", [73820], "plain_int"),
    ("is_active", [True], "bool"),
    ("group_name", ["甲集团"], "text"),
    ("visit_date", pd.to_datetime(["2026-10-14", None]), "date"),
    ("month_start", pd.to_datetime(["2026-09-01"]), "month"),
    ("created_at", pd.to_datetime(["2026-10-30 21:52"]), "datetime"),
])
def test_column_kinds_come_from_the_name_and_the_values(name, values, kind):
    assert column_kind(name, pd.Series(values)) == kind


def test_indicator_names_without_values_have_a_kind():
    assert column_kind("active_groups") == "count"
    assert column_kind("line_ict_data_share") == "rate"
    assert column_kind("manager_capability") == "number"


@pytest.mark.parametrize("change, better, colour, arrow", [
    (-0.067, "higher", "red", "down"),  # revenue fell: down and red (the −6.7 % that showed a green ↑)
    (0.032, "higher", "green", "up"),
    (-0.002, "lower", "green", "down"),  # churn fell: down, and good
    (0.002, "lower", "red", "up"),
    (-3, "neutral", "gray", "down"),
    (0, "higher", "gray", "off"),
    (None, "higher", "gray", "off"),
])
def test_the_arrow_follows_the_sign_and_the_colour_whether_it_is_good(change, better, colour, arrow):
    assert delta_look(change, better) == (colour, arrow)


def test_a_change_shown_as_zero_has_no_arrow():
    assert delta_look(0.0001, "higher", shown=fmt_delta_pct(0.0001)) == ("gray", "off")
    assert delta_look(-0.067, "higher", shown=fmt_delta_pct(-0.067)) == ("red", "down")  # "−6.7%": still down
    with pytest.raises(ValueError):
        delta_look(1, "up")


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
