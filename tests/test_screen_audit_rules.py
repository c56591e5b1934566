"""The screen audit's rules can fail: each is fed a screen that breaks it, and one that does not.

The messages are built the way Streamlit builds them (st.dataframe / st.metric / st.error marshalled into
a ForwardMsg), so a rule sees exactly what it sees in the browser test.
"""
from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.proto.Dataframe_pb2 import Dataframe
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Metric_pb2 import Metric

from screen_audit import Screen, chart_strings, metric_findings, screen_findings, table_findings, text_findings


def dataframe_proto(frame: pd.DataFrame, columns: dict | None = None) -> Dataframe:
    proto = Dataframe()
    sink = pa.BufferOutputStream()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    proto.arrow_data.data = sink.getvalue().to_pybytes()
    proto.columns = json.dumps(columns or {})
    return proto


def money(fmt="¥%,.2f"):
    return {"type_config": {"type": "number", "format": fmt}}


HEADERS = {"收入": "revenue", "走访达标率": "visit_compliance", "集团数": "groups", "收入环比": "revenue_mom"}


def test_a_clean_table_passes():
    frame = pd.DataFrame({"集团数": [1200, 3], "收入": [4539249.29, 12.5], "走访达标率": [0.5846645367412141, 1.0]})
    config = {"收入": money(), "走访达标率": {"type_config": {"type": "number", "format": "percent"}}}
    assert table_findings(dataframe_proto(frame, config), "zh", HEADERS) == []


@pytest.mark.parametrize("frame,config,finding", [
    (pd.DataFrame({"集团数": [1.0, None]}), {}, "cells show None"),
    (pd.DataFrame({"分公司": ["广州", "None"]}), {}, "cells read 'None'"),
    (pd.DataFrame({"最近走访": ["2026-06-01 00:00:00"]}), {}, "00:00:00"),
    (pd.DataFrame({"最近走访": pd.to_datetime(["2026-06-01", "2026-06-02"])}), {}, "dates shown with 00:00:00"),
    (pd.DataFrame({"走访达标率": [0.5846645367412141]}), {}, "more than 4 decimals"),
    (pd.DataFrame({"走访达标率": [0.58]}), {"走访达标率": money("%.6f")}, "more than 4 decimals"),
    (pd.DataFrame({"收入": [4539249.29]}), {}, "money (revenue) shown without ¥"),
    (pd.DataFrame({"收入": [4539249.29]}), {"收入": money("%,.2f")}, "money (revenue) shown without ¥"),
])
def test_a_table_that_misleads_is_found(frame, config, finding):
    found = table_findings(dataframe_proto(frame, config), "zh", HEADERS)
    assert any(finding in f for f in found), found


def test_a_missing_cell_drawn_as_the_placeholder_is_not_none():
    proto = dataframe_proto(pd.DataFrame({"集团数": [1.0, None]}), {"集团数": money("%,d")})
    proto.placeholder = "—"
    assert table_findings(proto, "zh", HEADERS) == []


def test_a_rate_of_revenue_is_not_money():
    frame = pd.DataFrame({"收入环比": [-0.0352]})
    config = {"收入环比": {"type_config": {"type": "number", "format": "percent"}}}
    assert table_findings(dataframe_proto(frame, config), "zh", HEADERS) == []


def metric(delta: str, direction) -> Metric:
    m = Metric(label="收入", body="¥4,290.16万", delta=delta)
    m.direction = direction
    return m


@pytest.mark.parametrize("delta,direction,ok", [
    ("−6.7%", Metric.MetricDirection.UP, False),  # the typographic minus read as a rise
    ("−6.7%", Metric.MetricDirection.DOWN, True),
    ("-6.7%", Metric.MetricDirection.DOWN, True),
    ("+0.2 个百分点", Metric.MetricDirection.UP, True),
    ("+0.2 个百分点", Metric.MetricDirection.DOWN, False),
    ("0.0 个百分点", Metric.MetricDirection.UP, False),  # no change, yet an arrow
    ("0.0 个百分点", Metric.MetricDirection.NONE, True),
    ("同星级第 70 / 94 名", Metric.MetricDirection.NONE, True),  # a caption, no arrow
])
def test_a_metric_arrow_follows_the_sign_of_its_number(delta, direction, ok):
    assert (metric_findings(metric(delta, direction)) == []) is ok


@pytest.mark.parametrize("text,lang,ok", [
    ("经营总览 收入 ¥4,290.16万 ARPU VIP G0001 2026-Q3", "zh", True),
    ("经营总览 Page not found", "zh", False),
    ("收入 None", "zh", False),
    ("最近走访 2026-06-01 00:00:00", "zh", False),
    ("文件名应以数据集名称开头，例如 账单_202606.csv；不是可读取的 Excel（.xlsx）工作簿", "zh", True),
    ("文件名应以数据集名称开头，例如 账单_202606 csv", "zh", False),
    ("Overview Revenue ¥42.9M 广州智联贸易有限公司", "en", True),  # a group's name is a proper name
    ("Overview 收入", "en", False),
    ("Members nan", "en", False),
    ("switch to 中文", "en", True),
])
def test_visible_text_in_the_wrong_language_or_missing_is_found(text, lang, ok):
    assert (text_findings(text, lang, {"广州智联贸易有限公司"}, "page") == []) is ok


def test_a_chart_speaks_through_its_titles_ticks_and_legend():
    spec = {"layout": {"title": {"text": "收入趋势"}, "xaxis": {"title": {"text": "月份"}, "ticktext": ["Nov 2025"]}},
            "data": [{"type": "bar", "name": "A类", "x": ["广州分公司"], "y": [1.0]}]}
    words = chart_strings(spec)
    assert {"收入趋势", "月份", "Nov 2025", "A类", "广州分公司"} <= set(words)
    assert text_findings(" · ".join(words), "zh", {"广州分公司"}, "chart") != []


def test_dates_sent_to_a_date_axis_are_not_read_but_category_labels_with_a_time_are():
    on_date_axis = {"data": [{"type": "scatter", "x": ["2025-11-01T00:00:00.000000"], "y": [0.9]}]}
    as_categories = {"data": [{"type": "bar", "x": ["2025-11-01 00:00:00"], "y": [0.9]}]}
    assert text_findings(" · ".join(chart_strings(on_date_axis)), "zh", set(), "chart") == []
    assert text_findings(" · ".join(chart_strings(as_categories)), "zh", set(), "chart") != []


def test_errors_tracebacks_and_page_not_found_fail_a_screen():
    error, exc, missing = ForwardMsg(), ForwardMsg(), ForwardMsg()
    error.delta.new_element.alert.body = "出错了"
    error.delta.new_element.alert.format = 1  # ERROR
    exc.delta.new_element.exception.type = "KeyError"
    exc.delta.new_element.exception.message = "'revenue'"
    missing.page_not_found.page_name = "overview"
    found = screen_findings(Screen("p", "zh", [error, exc, missing], []), set())
    assert len(found) == 3 and any("traceback KeyError" in f for f in found)
