"""Every chart on every page, on the sample, in both languages: read as its spec (AppTest shows a plotly chart
as an unknown element with the spec in `.proto`).

Checked on each: Plotly's toolbar hidden; every axis typed (text is never guessed to be dates); in Chinese no
English month name and no SI suffix ("100k") on any axis; tick labels that tell values apart; right-hand axes
titled; only palette colours, and the colour of its meaning for every class, severity, workload, star level,
gap and class-move trace. Then the charts issue 13 named, one by one.
"""
from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from plotly.colors import get_colorscale
from streamlit.testing.v1 import AppTest

from apptest_pages import open_app_page

from kam.app import palette
from kam.app.charts import TITLE_PX
from kam.i18n import t

LANGS = ["zh", "en"]
VIEWS = [("overview", {}), ("branches", {"view": "compare"}), ("branches", {"view": "trends"}),
         ("branches", {"view": "side_by_side"}),
         *[("classes", {"view": v}) for v in ("distribution", "pareto", "suggested", "migration", "star_fit",
                                              "members", "industry", "products")],
         ("group_profile", {"group": "G00001"}), ("managers", {}), ("manager_profile", {}), ("turnover", {}),
         ("visits", {}), ("orders", {}), ("sla", {}), ("staffing", {}), ("model_matrix", {}), ("retention", {})]
MONTH_NAMES = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b")
ENGLISH_DATE_FORMAT = re.compile(r"%[bBaAp]")
SI_SUFFIX = re.compile(r"^-?[\d.,]+\s*[kKMGB]$")


def open_view(folder, monkeypatch, page: str, lang: str, **query) -> AppTest:
    monkeypatch.setenv("KAM_DATA", str(folder))
    return open_app_page(page, lang, timeout=120, **query)


def decoded(value):
    """A spec value with Plotly's typed arrays ({"dtype", "bdata"}) as lists."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        shape = [int(n) for n in shape.split(",")] if isinstance(shape, str) else shape
        return array.reshape(shape).tolist() if shape else array.tolist()
    return value


def specs(at: AppTest) -> dict[str, dict]:
    return {e.key or e.proto.id: {"spec": json.loads(e.proto.spec), "config": json.loads(e.proto.config or "{}")}
            for e in at.get("plotly_chart")}


def trace_axes(trace: dict) -> list[str]:
    """The layout keys of the axes a cartesian trace is drawn on."""
    if trace["type"] in ("pie", "sankey"):
        return []
    x, y = trace.get("xaxis", "x"), trace.get("yaxis", "y")
    return [f"xaxis{x[1:]}", f"yaxis{y[1:]}"]


def colours_of(trace: dict) -> list[str]:
    found = []
    for part in ("marker", "line"):
        colour = decoded((trace.get(part) or {}).get("color"))
        found += colour if isinstance(colour, list) else [colour] if isinstance(colour, str) else []
    found += decoded((trace.get("marker") or {}).get("colors")) or []
    if trace["type"] == "sankey":
        found += [trace["node"].get("color"), trace["link"].get("color")]
    # px.strip draws its boxes in a fully transparent line: nothing a viewer sees
    return [c for c in found if c is not None and not re.fullmatch(r"rgba\(.*,\s*0\)", c)]


def meanings(lang: str, page: str = "classes") -> dict[str, str]:
    """Translated label → the colour its meaning has in the palette (class moves on the classes page only:
    in English "Upgrade" is also a care theme)."""
    out = {t(f"class.{k}", lang): v for k, v in palette.CLASS.items()}
    out |= {t(f"severity.{k}", lang): v for k, v in palette.SEVERITY.items()}
    out |= {t(f"star.{k}", lang): v for k, v in palette.STAR.items()}
    out |= {t(f"managers.workload.{k}", lang): v for k, v in palette.WORKLOAD.items()}
    if page == "classes":
        out |= {t(f"customers.classes.move.{k}", lang): v for k, v in palette.CLASS_MOVE.items()}
    return out


SCALES = [[[float(at), colour] for at, colour in get_colorscale(name)]
          for name in (palette.SEQUENTIAL, palette.SEQUENTIAL_GOOD)]


@pytest.fixture(scope="module")
def charts_by_view(sample_folder):
    """Every view's chart specs in both languages, run once for the module."""
    mp = pytest.MonkeyPatch()
    try:
        return {(page, tuple(query.items()), lang): specs(open_view(sample_folder, mp, page, lang, **query))
                for page, query in VIEWS for lang in LANGS}
    finally:
        mp.undo()


def test_every_chart_reads_in_its_language_with_clear_ticks_and_palette_colours(charts_by_view):
    problems, charts_seen = [], 0
    for (page, query, lang), charts in charts_by_view.items():
        labels = meanings(lang, page)
        for key, chart in charts.items():
            charts_seen += 1
            where = f"{page}{dict(query)} {lang} {key}"
            spec, layout = chart["spec"], chart["spec"]["layout"]
            if chart["config"].get("displayModeBar") is not False:
                problems.append(f"{where}: Plotly's toolbar shown")
            if (layout.get("title") or {}).get("text") and (layout.get("margin") or {}).get("t", 0) < TITLE_PX:
                problems.append(f"{where}: no room for the title")
            for trace in spec["data"]:
                for axis in trace_axes(trace):
                    if (layout.get(axis) or {}).get("type") in (None, "-"):
                        problems.append(f"{where}: {axis} left for Plotly to guess")
                colours = colours_of(trace)
                if trace["type"] == "heatmap":
                    scale = trace.get("colorscale")
                    scale = [[float(at), colour] for at, colour in scale] if isinstance(scale, list) else scale
                    if scale not in SCALES and not (isinstance(scale, list) and all(c in palette.ALL for _, c in scale)):
                        problems.append(f"{where}: heat map colour scale {scale}")
                elif not colours:
                    problems.append(f"{where}: trace {trace.get('name')} without a colour")
                odd = [c for c in colours if c not in palette.ALL]
                if odd:
                    problems.append(f"{where}: trace {trace.get('name')} has colours outside the palette {odd}")
                name = trace.get("name")
                if name in labels and colours and set(colours) != {labels[name]}:
                    problems.append(f"{where}: {name} drawn in {colours}, its meaning's colour is {labels[name]}")
                if trace["type"] == "pie":
                    for label, colour in zip(trace["labels"], colours):
                        if label in labels and colour != labels[label]:
                            problems.append(f"{where}: pie slice {label} in {colour}, not {labels[label]}")
                if lang == "zh":
                    texts = [trace.get("name") or ""] + [str(v) for v in (decoded(trace.get("x")) or [])
                                                         + (decoded(trace.get("y")) or []) if isinstance(v, str)]
                    if any(MONTH_NAMES.search(s) for s in texts):
                        problems.append(f"{where}: English month names in {trace.get('name')}")
            for name, axis in layout.items():
                if not re.fullmatch(r"[xy]axis\d*", name):
                    continue
                text = [str(v) for v in axis.get("ticktext") or []]
                if len(set(text)) != len(text):
                    problems.append(f"{where}: {name} repeats tick labels {text}")
                if axis.get("overlaying") and not (axis.get("title") or {}).get("text"):
                    problems.append(f"{where}: right-hand {name} has no title")
                if lang == "zh":
                    fmt = axis.get("tickformat") or ""
                    if axis.get("type") == "date" and (not fmt or ENGLISH_DATE_FORMAT.search(fmt)):
                        problems.append(f"{where}: date {name} written by Plotly in English ({fmt!r})")
                    if axis.get("type") in ("linear", "log") and not text and (not fmt or "s" in fmt):
                        problems.append(f"{where}: {name} left to Plotly's SI ticks ({fmt!r})")
                    if any(SI_SUFFIX.match(s) or MONTH_NAMES.search(s) for s in text):
                        problems.append(f"{where}: {name} has English ticks {text}")
    assert charts_seen >= 2 * 40, charts_seen  # every page's charts were seen
    assert not problems, "\n".join(problems)


def chart(charts_by_view, page: str, key: str, lang: str, **query) -> dict:
    return charts_by_view[(page, tuple(query.items()), lang)][key]["spec"]


@pytest.mark.parametrize("lang", LANGS)
def test_class_colours_are_the_same_on_the_overview_and_the_classes_page(charts_by_view, lang):
    def class_colours(spec):
        return {tr["name"]: colours_of(tr)[0] for tr in spec["data"] if tr.get("name") in meanings(lang)}
    overview = class_colours(chart(charts_by_view, "overview", "overview_trend_chart", lang))
    classes = class_colours(chart(charts_by_view, "classes", "classes_groups_chart", lang, view="distribution"))
    assert overview == classes == {t(f"class.{k}", lang): palette.CLASS[k] for k in "ABC"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_visit_calendar_has_one_category_column_per_week(charts_by_view, lang):
    spec = chart(charts_by_view, "manager_profile", "manager_profile_calendar_chart", lang)
    weeks = spec["data"][0]["x"]
    assert spec["layout"]["xaxis"]["type"] == "category"  # "09-28" as a date drew every column in 2010
    assert 4 <= len(weeks) <= 6, weeks  # a month of the sample spans four to six weeks
    assert all(re.fullmatch(r"\d{1,2}月\d{1,2}日" if lang == "zh" else r"[A-Z][a-z]{2} \d{1,2}", w) for w in weeks)


@pytest.mark.parametrize("lang", LANGS)
def test_side_by_side_puts_each_rate_on_its_own_scale(charts_by_view, lang):
    spec = chart(charts_by_view, "branches", "branches_side_chart", lang, view="side_by_side")
    layout = spec["layout"]
    for trace in spec["data"]:
        axis = layout[f"xaxis{trace.get('xaxis', 'x')[1:]}"]
        values = [v for v in decoded(trace["x"]) if v is not None]
        # the ticks span this rate's values, not 0–100 % for a change of −4 %
        assert min(axis["tickvals"]) <= min(values + [0]) and max(axis["tickvals"]) >= max(values + [0])
        step = axis["tickvals"][1] - axis["tickvals"][0]
        assert step <= max(abs(v) for v in values + [1e-9]), (trace["hovertemplate"], axis["tickvals"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_migration_colour_scale_runs_over_the_moves_only(charts_by_view, lang):
    spec = chart(charts_by_view, "classes", "classes_migration_chart", lang, view="migration")
    kept, moved = spec["data"]
    assert kept["colorscale"] == [[0, palette.MUTED], [1, palette.MUTED]]  # groups that kept their class: grey
    z_moved, z_kept = decoded(moved["z"]), decoded(kept["z"])
    for i, row in enumerate(z_moved):
        for j, value in enumerate(row):
            assert (value is None or np.isnan(value)) != (z_kept[i][j] is None or np.isnan(z_kept[i][j]))
    counts = [v for row in z_moved for v in row if v is not None and not np.isnan(v)]
    assert moved["zmax"] == max(counts)  # the largest move is the darkest cell
    texts = [s for tr in (kept, moved) for row in tr["text"] for s in row if s]
    assert len(texts) == len(z_moved) * len(z_moved[0])  # every cell shows its number


@pytest.mark.parametrize("lang", LANGS)
def test_staffing_bars_have_a_legend_entry_per_colour(charts_by_view, lang):
    spec = chart(charts_by_view, "staffing", "staffing_now_chart", lang)
    bars = [tr for tr in spec["data"] if tr["type"] == "bar"]
    for bar in bars:
        status = next(s for s in palette.GAP if t(f"gap.{s}", lang) in bar["name"])
        assert bar["marker"]["color"] == palette.GAP[status]  # one colour per trace, named in the legend
    assert len({b["name"] for b in bars}) == len(bars)


@pytest.mark.parametrize("lang", LANGS)
def test_the_manager_trend_has_titled_round_right_axes(charts_by_view, lang):
    layout = chart(charts_by_view, "manager_profile", "manager_profile_trend_chart", lang)["layout"]
    members = layout["yaxis2"]
    assert members["title"]["text"] == t("column.members", lang)
    assert layout["yaxis4"]["title"]["text"] == t("column.visit_compliance", lang)
    step = members["tickvals"][1] - members["tickvals"][0]
    assert step / 10 ** np.floor(np.log10(step)) in (1, 2, 2.5, 5), members["tickvals"]  # not 99 / 198 / 297


@pytest.mark.parametrize("lang", LANGS)
def test_a_chart_title_sits_above_its_legend(charts_by_view, lang):
    layout = chart(charts_by_view, "turnover", "turnover_member_churn_6m_chart", lang)["layout"]
    assert layout["title"]["yref"] == "container" and layout["title"]["y"] == 1
    assert layout["legend"]["y"] >= 1 and layout["margin"]["t"] >= TITLE_PX + 24


def test_sla_by_manager_charts_the_worst_few_with_a_control(sample_folder, monkeypatch):
    at = open_view(sample_folder, monkeypatch, "sla", "zh")
    at.selectbox(key="sla_cut").set_value("manager").run()
    assert not at.exception, at.exception
    bars = specs(at)["sla_cut_chart"]["spec"]["data"]
    assert 0 < len(bars[0]["y"]) <= 15  # not a 2,000-px column of every manager
    table = next(df.value for df in at.dataframe if t("column.manager_name", "zh") in df.value.columns)
    assert len(table) > 15  # the table still lists all of them
    at.number_input(key="sla_cut_worst_manager").set_value(20).run()
    assert len(specs(at)["sla_cut_chart"]["spec"]["data"][0]["y"]) == 20
