"""The translation tables: in step between languages, and covering every code the data can hold."""
from __future__ import annotations

import pytest

import re
from pathlib import Path

from kam.i18n import LANGS, column_label, label_of, labels, missing_keys, t
from kam.storage.schema import DATASETS

REPO = Path(__file__).resolve().parent.parent

REASONS = ["required", "bad_date", "bad_timestamp", "bad_month", "bad_amount", "bad_number", "bad_enum",
           "out_of_range", "bad_period", "unknown_reference", "stage_order", "time_order", "malformed_line", "superseded",
           "unreadable_file", "missing_column", "unknown_file"]

CODES = {
    "class": ["A", "B", "C"], "star": [1, 2, 3], "severity": [1, 2, 3],
    "model": ["support", "parallel", "vertical"], "strategy": ["steady", "leap", "catch_up"],
    "fee_item": ["voice", "data", "sms", "line", "fixed", "vnet", "conference", "ict", "cloud", "iot", "5g_private",
                 "idc", "other"],
    "kind": ["visit", "received", "care"], "theme": ["reward", "communicate", "upgrade", "optimize"],
    "category": ["billing", "attitude", "network", "provisioning", "fault", "other"],
    "channel": ["hotline", "manager", "store", "online"],
    "vip_tier": ["diamond", "gold", "silver", "vip", "none"], "employment": ["staff", "outsourced"],
    "sector": ["government", "enterprise"],
}


def test_no_key_is_missing_between_chinese_and_english():
    assert labels("zh") and labels("en")
    assert missing_keys() == {}


@pytest.mark.parametrize("lang", LANGS)
def test_every_reason_code_and_dataset_has_a_label(lang):
    for key in [f"reason.{r}" for r in REASONS] + [f"dataset.{d}" for d in DATASETS]:
        assert t(key, lang) != key, key


@pytest.mark.parametrize("lang", LANGS)
def test_every_code_value_has_a_label(lang):
    for area, codes in CODES.items():
        for code in codes:
            assert f"{area}.{code}" in labels(lang), f"{area}.{code}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_export_column_has_a_label(lang):
    for ds in DATASETS.values():
        for col in ds.columns:
            assert f"column.{col.name}" in labels(lang), col.name


def test_chinese_column_labels_are_the_export_headers():
    # exports.md's 中文 header is the first alias in kam.storage.schema; the label must read the same.
    for ds in DATASETS.values():
        for col in ds.columns:
            assert column_label(col.name, "zh", ds.name) == col.aliases[0], (ds.name, col.name)
    assert column_label("leave_date", "zh", "managers") == "离职日期"
    assert column_label("leave_date", "zh", "members") == "离网日期"


def test_labels_from_the_spec():
    assert t("app.title", "zh") == "KAM Cockpit · 大客户经营驾驶舱"
    assert [t(f"app.section.{k}", "zh") for k in ("executive", "analysis", "planning", "data")] == \
           ["经营总览", "分析", "规划", "数据"]
    assert [t(f"app.section.{k}", "en") for k in ("executive", "analysis", "planning", "data")] == \
           ["Executive", "Analysis", "Planning", "Data"]
    assert t("reason.required", "zh") == "必填项为空"
    assert t("dataset.assignments", "zh") == "客户经理变更记录"
    assert t("star.3", "zh") == "三星客户经理"
    assert t("model.support", "zh") == "支撑式"


def test_a_missing_key_falls_back_to_the_key_and_never_raises():
    assert t("no.such.key", "en") == "no.such.key"
    assert t("data.refresh", "fr") == t("data.refresh", "zh")
    assert t("data.saved", "en", file="billing_202606.csv") == "Saved billing_202606.csv"
    assert t("data.saved", "zh", file="账单_202606.csv") == "已保存 账单_202606.csv"
    assert "{file}" in t("data.saved", "en")  # no fields given: the template itself
    assert t("data.saved", "en", wrong="x") == t("data.saved", "en")  # a field missing: never raises


def test_label_of_shows_an_unknown_code_as_itself():
    assert label_of("fee_item", "line", "zh") == "专线"
    assert label_of("severity", 1, "en") == "Urgent"
    assert label_of("fee_item", "satellite", "zh") == "satellite"
    assert label_of("fee_item", None, "zh") == ""


def test_every_literal_key_the_app_asks_for_has_a_label():
    # A key the code asks for but no table holds shows up on screen as the bare key.
    sources = [REPO / "app.py", *(REPO / "pages").glob("*.py"), *(REPO / "kam").rglob("*.py")]
    used = {key for path in sources if path.exists()
            for key in re.findall(r"""\bt\(\s*["']([a-z_]+(?:\.[A-Za-z0-9_]+)+)["']""", path.read_text("utf-8"))}
    assert used, "no t(...) calls found"
    assert sorted(k for k in used if k not in labels("zh")) == []


def test_every_metric_has_a_name_and_a_help_text():
    metrics = {k.split(".")[1] for k in labels("en") if k.startswith("metric.")}
    assert {"rows_read", "set_aside", "superseded", "visit_compliance", "score", "top20_share"} <= metrics
    for lang in LANGS:
        for m in metrics:
            assert f"metric.{m}.name" in labels(lang) and f"metric.{m}.help" in labels(lang), (lang, m)


def test_no_label_is_defined_in_two_locale_files():
    from kam.i18n import duplicate_keys
    assert duplicate_keys() == []
