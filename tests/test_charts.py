"""Charts in the viewer's language: 万/亿 on axes in Chinese instead of Plotly's SI "k"/"M"; legends clear of labels."""
from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots
from streamlit.testing.v1 import AppTest

from kam.app.charts import legend_above, localise_number_axes, nice_ticks, tick_labels


@pytest.mark.parametrize("lo,hi,ticks", [
    (-800_000, 0, [-800_000, -600_000, -400_000, -200_000, 0]),
    (0, 4.3, [0, 1, 2, 3, 4, 5]),
    (0.2, 0.95, [0.2, 0.4, 0.6, 0.8, 1.0]),
    (0, 125_000_000, [0, 25_000_000, 50_000_000, 75_000_000, 100_000_000, 125_000_000]),
    (0, 0, [-1, -0.5, 0, 0.5, 1]),
])
def test_ticks_are_round_values_covering_the_span(lo, hi, ticks):
    assert nice_ticks(lo, hi) == ticks


def test_a_money_axis_reads_in_wan_in_chinese_and_is_left_alone_in_english():
    def bars():
        return go.Figure(go.Bar(x=[-800_000, -200_000], y=["A类", "B类"], orientation="h"))

    zh = localise_number_axes(bars(), "zh")
    assert zh.layout.xaxis.ticktext == ("-80万", "-60万", "-40万", "-20万", "0")
    assert zh.layout.xaxis.tickvals == (-800_000, -600_000, -400_000, -200_000, 0)
    assert zh.layout.yaxis.ticktext is None  # the class names keep their own labels
    en = localise_number_axes(bars(), "en")
    assert en.layout.xaxis.tickvals is None and en.layout.xaxis.ticktext is None


def test_stacked_bars_span_their_sums_and_hundred_millions_read_yi():
    fig = go.Figure([go.Bar(x=["GZ", "SZ"], y=[60_000_000, 10_000_000]),
                     go.Bar(x=["GZ", "SZ"], y=[90_000_000, 5_000_000])]).update_layout(barmode="stack")
    localise_number_axes(fig, "zh")
    # GZ stacks to 1.5亿: the ticks reach it, from zero
    assert fig.layout.yaxis.tickvals[0] == 0 and fig.layout.yaxis.tickvals[-1] >= 150_000_000
    assert fig.layout.yaxis.ticktext == ("0", "0.5亿", "1亿", "1.5亿")


def test_axes_with_their_own_format_dates_or_counts_keep_plotlys_ticks():
    fig = make_subplots(rows=1, cols=3)
    fig.add_trace(go.Scatter(x=["2026-01-01", "2026-02-01"], y=[0.81, 0.93]), row=1, col=1)
    fig.add_trace(go.Histogram(x=[0.5, 0.9, 1.2]), row=1, col=2)
    fig.add_trace(go.Scatter(x=[1, 2], y=[30_000, 90_000]), row=1, col=3)
    fig.update_yaxes(tickformat=".0%", row=1, col=1)
    localise_number_axes(fig, "zh")
    assert fig.layout.xaxis.tickvals is None  # dates
    assert fig.layout.yaxis.tickvals is None  # a percent format of the page's own
    assert fig.layout.xaxis2.tickvals is None and fig.layout.yaxis2.tickvals is None  # histogram bins and counts
    # 30,000 to 90,000 in about six ticks: a step of 20,000 (the round step at or above 12,000)
    assert fig.layout.yaxis3.ticktext == ("2万", "4万", "6万", "8万", "10万")


def test_small_multiples_drawn_to_one_scale_share_their_ticks():
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True)
    fig.add_trace(go.Scatter(x=["1月", "2月"], y=[10_000, 20_000]), row=1, col=1)
    fig.add_trace(go.Scatter(x=["1月", "2月"], y=[30_000, 50_000]), row=1, col=2)
    localise_number_axes(fig, "zh")
    assert fig.layout.yaxis.tickvals == fig.layout.yaxis2.tickvals
    assert fig.layout.yaxis.tickvals[0] <= 10_000 and fig.layout.yaxis.tickvals[-1] >= 50_000


def test_an_axis_range_set_by_the_page_decides_the_ticks():
    fig = go.Figure(go.Bar(x=["支撑式", "并列式"], y=[3.2, 4.1])).update_layout(yaxis_range=[0, 5])
    localise_number_axes(fig, "zh")
    assert fig.layout.yaxis.tickvals == (0, 1, 2, 3, 4, 5)


def test_the_overview_page_in_chinese_labels_its_revenue_change_in_wan(sample_folder, monkeypatch):
    monkeypatch.setenv("KAM_DATA", str(sample_folder))
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    labels = [t for spec in specs for axis in ("xaxis", "yaxis")
              for t in spec["layout"].get(axis, {}).get("ticktext") or []]
    assert any(label.endswith("万") for label in labels), labels
    assert not any(label.endswith(("k", "K", "M")) for label in labels), labels


@pytest.mark.parametrize("ticks,labels", [
    ([0, 2_500, 5_000, 7_500, 10_000], ["0", "0.25万", "0.5万", "0.75万", "1万"]),  # not "5,000" beside "1万"
    ([0, 500, 1_000, 1_500], ["0", "500", "1,000", "1,500"]),                        # under 1万: plain
    ([-20_000_000, 0, 20_000_000], ["-2,000万", "0", "2,000万"]),
    ([100_000_000, 200_000_000], ["1亿", "2亿"]),
])
def test_an_axis_speaks_one_unit_chosen_by_its_largest_tick(ticks, labels):
    assert tick_labels(ticks) == labels


def test_a_horizontal_legend_goes_above_the_plot_unless_the_page_placed_it():
    fig = legend_above(go.Figure(go.Bar(x=["2026-01"], y=[1])).update_layout(legend={"orientation": "h"},
                                                                             margin={"t": 20}))
    assert (fig.layout.legend.y, fig.layout.legend.yanchor, fig.layout.margin.t) == (1.02, "bottom", 40)
    placed = legend_above(go.Figure().update_layout(legend={"orientation": "h", "y": 1.1}))
    assert placed.layout.legend.y == 1.1
    vertical = legend_above(go.Figure())
    assert vertical.layout.legend.y is None
