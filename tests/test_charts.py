"""The shared chart helpers (kam.app.charts, kam.app.palette): axes that read in the viewer's language with
ticks that tell values apart, one colour per meaning, titles and legends that fit.

Every chart of every page goes through these (ui.plot); tests/test_charts_pages.py checks the pages' charts.
"""
from __future__ import annotations

import colorsys

import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from kam.app import palette
from kam.app.charts import (PLOT_CONFIG, TITLE_PX, fill_colours, finish, fit_header, legend_above, localise_axes,
                            log_ticks, month_label, month_labels, nice_ticks, percent_labels, quarter_label,
                            tick_labels)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def hue(colour: str) -> float | None:
    """The hue in degrees of a #rrggbb colour, None for a grey (no hue to speak of)."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    return None if saturation < 0.25 else h * 360


def reddish(colour: str) -> bool:
    h = hue(colour)
    return h is not None and (h < 20 or h > 340)


def greenish(colour: str) -> bool:
    h = hue(colour)
    return h is not None and 90 <= h <= 160


# ---------------------------------------------------------------- ticks

@pytest.mark.parametrize("lo,hi,ticks", [
    (-800_000, 0, [-800_000, -600_000, -400_000, -200_000, 0]),
    (0, 4.3, [0, 1, 2, 3, 4, 5]),
    (0.2, 0.95, [0.2, 0.4, 0.6, 0.8, 1.0]),
    (0, 125_000_000, [0, 25_000_000, 50_000_000, 75_000_000, 100_000_000, 125_000_000]),
    (0, 0, [-1, -0.5, 0, 0.5, 1]),
])
def test_ticks_are_round_values_covering_the_span(lo, hi, ticks):
    assert nice_ticks(lo, hi) == ticks


def test_an_axis_of_counts_has_whole_ticks():
    assert nice_ticks(0, 12) == [0, 2.5, 5, 7.5, 10, 12.5]
    assert nice_ticks(0, 12, whole=True) == [0, 5, 10, 15]  # managers come whole: no 2.5
    assert nice_ticks(0, 2, whole=True) == [0, 1, 2]
    fig = localise_axes(go.Figure(go.Bar(x=["广州", "深圳"], y=[3, 11])), "zh")
    assert all(float(v).is_integer() for v in fig.layout.yaxis.tickvals), fig.layout.yaxis.tickvals


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_churn_axis_from_0_to_2_percent_has_distinct_labels_with_the_decimals_it_needs(lang):
    fig = go.Figure(go.Bar(x=["广州", "深圳", "佛山"], y=[0.004, 0.011, 0.0185])).update_layout(
        yaxis_tickformat=".0%")
    localise_axes(fig, lang)
    labels = list(fig.layout.yaxis.ticktext)
    assert labels == ["0.0%", "0.5%", "1.0%", "1.5%", "2.0%"]  # not Plotly's "0% 1% 1% 2% 2%"
    assert len(set(labels)) == len(labels)
    assert fig.layout.yaxis.tickvals == (0, 0.005, 0.01, 0.015, 0.02)


@pytest.mark.parametrize("ticks,labels", [
    ([0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0%", "20%", "40%", "60%", "80%", "100%"]),
    ([-0.05, -0.025, 0, 0.025], ["-5.0%", "-2.5%", "0.0%", "2.5%"]),
    ([0, 0.0025, 0.005], ["0.00%", "0.25%", "0.50%"]),
])
def test_percent_labels_share_one_number_of_decimals(ticks, labels):
    assert percent_labels(ticks) == labels


def test_a_money_axis_reads_in_wan_in_chinese_and_in_k_in_english():
    def bars():
        return go.Figure(go.Bar(x=[-800_000, -200_000], y=["A类", "B类"], orientation="h"))

    zh = localise_axes(bars(), "zh")
    assert zh.layout.xaxis.ticktext == ("-80万", "-60万", "-40万", "-20万", "0")
    assert zh.layout.xaxis.tickvals == (-800_000, -600_000, -400_000, -200_000, 0)
    assert zh.layout.yaxis.ticktext is None  # the class names keep their own labels
    assert zh.layout.yaxis.type == "category"
    en = localise_axes(bars(), "en")
    assert en.layout.xaxis.ticktext == ("-800K", "-600K", "-400K", "-200K", "0")


def test_stacked_bars_span_their_sums_and_hundred_millions_read_yi():
    fig = go.Figure([go.Bar(x=["GZ", "SZ"], y=[60_000_000, 10_000_000]),
                     go.Bar(x=["GZ", "SZ"], y=[90_000_000, 5_000_000])]).update_layout(barmode="stack")
    localise_axes(fig, "zh")
    # GZ stacks to 1.5亿: the ticks reach it, from zero
    assert fig.layout.yaxis.tickvals[0] == 0 and fig.layout.yaxis.tickvals[-1] >= 150_000_000
    assert fig.layout.yaxis.ticktext == ("0", "0.5亿", "1亿", "1.5亿")


def test_histogram_counts_keep_plotlys_ticks_but_no_english_suffix_in_chinese():
    fig = localise_axes(go.Figure(go.Histogram(x=[0.5, 0.9, 1.2])), "zh")
    assert fig.layout.xaxis.tickvals is None and fig.layout.yaxis.tickvals is None  # bins and counts
    assert fig.layout.yaxis.tickformat == ",~r"  # 100,000 rather than Plotly's "100k"


def test_small_multiples_drawn_to_one_scale_share_their_ticks():
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True)
    fig.add_trace(go.Scatter(x=["1月", "2月"], y=[10_000, 20_000]), row=1, col=1)
    fig.add_trace(go.Scatter(x=["1月", "2月"], y=[30_000, 50_000]), row=1, col=2)
    localise_axes(fig, "zh")
    assert fig.layout.yaxis.tickvals == fig.layout.yaxis2.tickvals
    assert fig.layout.yaxis.tickvals[0] <= 10_000 and fig.layout.yaxis.tickvals[-1] >= 50_000


def test_an_axis_range_set_by_the_page_decides_the_ticks():
    fig = go.Figure(go.Bar(x=["支撑式", "并列式"], y=[3.2, 4.1])).update_layout(yaxis_range=[0, 5])
    localise_axes(fig, "zh")
    assert fig.layout.yaxis.tickvals == (0, 1, 2, 3, 4, 5)


def test_a_right_hand_axis_gets_round_ticks_of_its_own_and_no_second_grid():
    # Left: revenue with its own ticks; right: members 120–396. Plotly syncs the right axis to the left's
    # grid (99 / 198 / 297); here it gets round values spanning its data from zero.
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=["1月", "2月", "3月"], y=[50_000, 120_000, 200_000]), secondary_y=False)
    fig.add_trace(go.Scatter(x=["1月", "2月", "3月"], y=[120, 250, 396]), secondary_y=True)
    fig.update_yaxes(rangemode="tozero", secondary_y=True)
    localise_axes(fig, "en")
    assert fig.layout.yaxis2.tickvals == (0, 100, 200, 300, 400)
    assert fig.layout.yaxis2.ticktext == ("0", "100", "200", "300", "400")
    assert fig.layout.yaxis2.showgrid is False


def test_thresholds_drawn_on_an_axis_are_inside_its_ticks():
    fig = go.Figure(go.Bar(x=[0.62, 0.7], y=["广州", "深圳"], orientation="h")).update_layout(xaxis_tickformat=".0%")
    fig.add_vline(x=0.9)
    localise_axes(fig, "zh")
    assert max(fig.layout.xaxis.tickvals) >= 0.9


def test_a_log_axis_reads_in_wan_in_chinese_and_k_in_english():
    assert log_ticks(300, 4_000) == [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000]
    assert log_ticks(300, 2_000_000) == [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]  # too many: 10ⁿ
    fig = go.Figure(go.Box(x=["A类"] * 3, y=[800, 30_000, 1_500_000])).update_layout(yaxis_type="log")
    localise_axes(fig, "zh")
    text = list(fig.layout.yaxis.ticktext)
    assert "1万" in text and "100万" in text, text
    assert not any(label.endswith(("k", "M")) for label in text), text
    en = localise_axes(go.Figure(go.Box(x=["A"] * 3, y=[800, 30_000, 1_500_000])).update_layout(yaxis_type="log"), "en")
    assert "10K" in en.layout.yaxis.ticktext and "1M" in en.layout.yaxis.ticktext  # not Plotly's "2 5 100k"


@pytest.mark.parametrize("ticks,labels", [
    ([0, 2_500, 5_000, 7_500, 10_000], ["0", "0.25万", "0.5万", "0.75万", "1万"]),  # not "5,000" beside "1万"
    ([0, 500, 1_000, 1_500], ["0", "500", "1,000", "1,500"]),                        # under 1万: plain
    ([-20_000_000, 0, 20_000_000], ["-2,000万", "0", "2,000万"]),
    ([100_000_000, 200_000_000], ["1亿", "2亿"]),
    ([0, 0.5, 1.0], ["0", "0.5", "1.0"]),
])
def test_an_axis_speaks_one_unit_chosen_by_its_largest_tick(ticks, labels):
    assert tick_labels(ticks) == labels


@pytest.mark.parametrize("ticks,labels", [
    ([0, 20_000, 40_000], ["0", "20K", "40K"]),
    ([0, 5_000, 10_000], ["0", "5K", "10K"]),
    ([0, 1_000_000, 2_000_000], ["0", "1M", "2M"]),
])
def test_english_axes_count_in_k_and_m(ticks, labels):
    assert tick_labels(ticks, "en") == labels


# ---------------------------------------------------------------- dates and text

def test_a_chinese_date_axis_has_no_english_month_names():
    months = pd.to_datetime([f"2025-{m:02d}-01" for m in (11, 12)] + [f"2026-{m:02d}-01" for m in range(1, 11)])
    fig = go.Figure(go.Scatter(x=months, y=[0.8] * 12, hovertemplate="%{x}<br>%{y:.1%}<extra></extra>"))
    localise_axes(fig, "zh")
    axis = fig.layout.xaxis
    assert axis.type == "date"
    assert not any(d in axis.tickformat + axis.hoverformat for d in ("%b", "%B", "%a", "%A")), axis.tickformat
    assert axis.tickformat == "%Y年%-m月" and axis.dtick == "M1"  # 2025年11月, one tick a month
    assert fig.data[0].hovertemplate.startswith("%{x|%Y年%-m月}")  # hover says the month the same way
    en = localise_axes(go.Figure(go.Scatter(x=months, y=[0.8] * 12)), "en")
    assert en.layout.xaxis.tickformat == "%b %Y"


def test_months_as_labels_read_in_the_viewers_language():
    assert month_label("2025-11-01", "zh") == "2025年11月"
    assert month_label("2025-11-01", "zh", short=True) == "25年11月"
    assert month_label("2025-11-01", "en") == "Nov 2025"
    many = month_labels(pd.date_range("2024-11-01", periods=24, freq="MS"), "zh")
    assert many[0] == "24年11月" and many[-1] == "26年10月"  # more than twelve: the short form
    assert not any(m in label for label in many for m in MONTHS)
    assert quarter_label("2026-Q3", "zh") == "2026年第3季度" and quarter_label("2026-Q3", "en") == "2026 Q3"


def test_text_that_looks_like_a_date_stays_a_category():
    # Week labels "09-28" left to Plotly were read as dates: every column at one instant of 2010.
    fig = localise_axes(go.Figure(go.Heatmap(x=["09-28", "10-05"], y=["一", "二"], z=[[1, 0], [2, 3]])), "zh")
    assert fig.layout.xaxis.type == "category" and fig.layout.yaxis.type == "category"
    bars = localise_axes(go.Figure(go.Bar(x=["2025-11", "2025-12"], y=[1, 2])), "zh")
    assert bars.layout.xaxis.type == "category"


# ---------------------------------------------------------------- colours, title, legend

def test_the_palette_maps_each_meaning_to_good_bad_or_neutral():
    assert palette.colour("severity", 1) == palette.BAD  # 紧急
    assert palette.colour("severity", "1") == palette.BAD  # as text from a query
    assert palette.WORKLOAD["over"] == palette.BAD  # 超负荷
    assert palette.GAP["short"] == palette.BAD  # 缺编
    assert reddish(palette.BAD) and greenish(palette.GOOD)
    # good or neutral things are never red: 建议升级, 一星, 不饱和, 一般, 按时回访率, 超编
    for name, colour in [("建议升级", palette.CLASS_MOVE["upgrade"]), ("一星", palette.STAR[1]),
                         ("不饱和", palette.WORKLOAD["under"]), ("一般", palette.SEVERITY[3]),
                         ("按时回访率", palette.SLA_STAGE["followup"]), ("超编", palette.GAP["surplus"])]:
        assert not reddish(colour), name
    assert greenish(palette.CLASS_MOVE["upgrade"])
    # 超负荷 and 紧急 are not blue
    assert not (200 <= (hue(palette.WORKLOAD["over"]) or 0) <= 260)


def test_categories_without_a_judgement_are_neither_red_nor_green():
    for colour in (*palette.SERIES, *palette.CLASS.values(), *palette.STAR.values(), *palette.SLA_STAGE.values(),
                   *palette.FEE_ITEM.values(), *palette.VIP_TIER.values()):
        assert not reddish(colour) and not greenish(colour), colour


def test_good_or_bad_follows_the_figures_direction():
    assert palette.good_or_bad(120.0) == palette.GOOD and palette.good_or_bad(-3.0) == palette.BAD
    assert palette.good_or_bad(-0.002, higher_is_better=False) == palette.GOOD  # churn down is good
    assert palette.good_or_bad(0.0) == palette.NEUTRAL and palette.good_or_bad(None) == palette.NEUTRAL


def test_traces_left_uncoloured_get_the_series_colours_not_plotlys_red():
    fig = fill_colours(go.Figure([go.Bar(x=["a"], y=[1]), go.Scatter(x=["a"], y=[2]),
                                  go.Bar(x=["a"], y=[3], marker_color=palette.GOOD)]))
    assert fig.data[0].marker.color == palette.SERIES[0]
    assert fig.data[1].marker.color == fig.data[1].line.color == palette.SERIES[1]
    assert fig.data[2].marker.color == palette.GOOD  # a page's own colour is kept
    assert fig.layout.colorway == palette.SERIES


def test_a_title_and_a_legend_above_the_plot_both_get_room():
    fig = go.Figure([go.Bar(name="更换过客户经理", x=["A类"], y=[0.02]), go.Bar(name="未更换客户经理", x=["A类"], y=[0.01])])
    fig.update_layout(title="六个月成员流失率", margin={"t": 40}, legend={"orientation": "h"})
    fit_header(legend_above(fig))
    assert fig.layout.margin.t >= TITLE_PX + 24  # title, then a legend row, above the plot
    assert (fig.layout.title.yref, fig.layout.title.y, fig.layout.title.yanchor) == ("container", 1, "top")
    assert (fig.layout.legend.y, fig.layout.legend.yanchor) == (1.02, "bottom")  # just above the plot


def test_a_pie_title_is_not_clipped():
    fig = fit_header(go.Figure(go.Pie(labels=["A类", "B类"], values=[3, 1])).update_layout(
        title="收入占比", margin={"t": 20}))
    assert fig.layout.margin.t >= TITLE_PX


def test_a_horizontal_legend_goes_above_the_plot_unless_the_page_placed_it():
    fig = legend_above(go.Figure(go.Bar(x=["2026-01"], y=[1])).update_layout(legend={"orientation": "h"},
                                                                             margin={"t": 20}))
    assert (fig.layout.legend.y, fig.layout.legend.yanchor, fig.layout.margin.t) == (1.02, "bottom", 40)
    placed = legend_above(go.Figure().update_layout(legend={"orientation": "h", "y": 1.1}))
    assert placed.layout.legend.y == 1.1
    vertical = legend_above(go.Figure())
    assert vertical.layout.legend.y is None


def test_plotlys_toolbar_is_hidden():
    assert PLOT_CONFIG["displayModeBar"] is False
    fig = finish(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), "zh")
    assert fig.layout.xaxis.type == "category" and fig.data[0].marker.color == palette.SERIES[0]
