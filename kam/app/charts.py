"""Charts that read in the viewer's language and keep their labels clear (used through `ui.plot`).

`finish(fig, lang)` is what every chart goes through before it is drawn:

Colours: a trace the page left uncoloured gets the next neutral series colour (kam.app.palette), never
Plotly's or Streamlit's default colourway, which paints a second series red whatever it means.

Header: the title sits at the top of the figure and a horizontal legend right above the plot, under
it, with the top margin made tall enough for both (a legend under the plot covers tick labels that
Plotly has turned aslant; a title in a margin too small is clipped or overlaps the legend).

Axes: every axis a trace uses gets an explicit type read from its values, so Plotly never guesses:
text is a category (Plotly otherwise reads "09-28" or "2025-11" as dates), dates are dates.
- Number axes whose span can be told from the figure (bars, lines, points, boxes, shapes drawn on them)
  get round ticks (1/2/2.5/5 × 10ⁿ) labelled here: in Chinese 20万, 1.5亿 as the rest of the app writes
  numbers (Plotly's "200k" is English), in English 1,000 / 20K. Right-hand axes then show round values
  too, instead of the primary axis's grid carried over (99 / 198 / 297).
- Rate axes (a page's tickformat ending in "%") get the same round ticks, labelled with as many
  decimals as their step needs: a churn axis from 0 to 2 % reads 0.0% 0.5% 1.0%, not 0% 1% 1% 2%.
- Date axes get a format in the viewer's language (2025年11月 in Chinese) and, for months, one tick
  per month or per few months.
- Log axes get ticks at 1, 2, 5 × 10ⁿ (or 10ⁿ only), each in its own unit: 1万, 100万 in Chinese.
Any other axis keeps Plotly's ticks (in Chinese without SI suffixes).
"""
from __future__ import annotations


import datetime as dt
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kam.app import palette
from kam.app.chart_labels import (compact_label, day_label, log_ticks, month_axis, month_label,  # noqa: F401
                                  month_labels, nice_ticks, percent_labels, quarter_label, tick_labels)

_STACKED = ("stack", "relative")
PLOT_CONFIG = {"displayModeBar": False, "displaylogo": False}
TITLE_PX, LEGEND_ROW_PX, GAP_PX = 30, 24, 10
# Date formats per language and cadence: (tick format, hover format).
_DATE_FORMATS = {
    ("zh", "month"): ("%Y年%-m月", "%Y年%-m月"), ("zh", "month_long"): ("%y年%-m月", "%Y年%-m月"),
    ("zh", "day"): ("%-m月%-d日", "%Y年%-m月%-d日"),
    ("en", "month"): ("%b %Y", "%b %Y"), ("en", "month_long"): ("%b %y", "%b %Y"),
    ("en", "day"): ("%b %-d", "%Y-%m-%d"),
}
_CARTESIAN = ("bar", "scatter", "scattergl", "box", "violin", "histogram", "heatmap", "funnel", "waterfall")


def finish(fig: go.Figure, lang: str) -> go.Figure:
    """The figure as it is drawn: palette colours, a header that fits, axes in the viewer's language."""
    fill_colours(fig)
    legend_above(fig)
    fit_header(fig)
    localise_axes(fig, lang)
    return fig


# ---------------------------------------------------------------- colours

def fill_colours(fig: go.Figure) -> go.Figure:
    """Traces without a colour of their own get the neutral series colours, in order."""
    fig.update_layout(colorway=list(palette.SERIES))
    i = 0
    for trace in fig.data:
        kind = trace.type
        if kind == "pie":
            if trace.marker.colors is None:
                trace.marker.colors = [palette.series(k) for k in range(len(trace.labels or ()))]
        elif kind == "heatmap":
            if trace.colorscale is None:
                trace.colorscale = palette.SEQUENTIAL
        elif kind == "sankey":
            if trace.node.color is None:
                trace.node.color = palette.SERIES[0]
            if trace.link.color is None:
                trace.link.color = palette.LINK
        elif kind in _CARTESIAN and trace_colour(trace) is None:
            colour = palette.series(i)
            i += 1
            if kind in ("scatter", "scattergl"):
                trace.update(marker_color=colour, line_color=colour)
            else:
                trace.update(marker_color=colour)
    return fig


def trace_colour(trace):
    """The colour a page gave a trace (a colour or a list of them), or None when it left it to Plotly."""
    marker = getattr(trace, "marker", None)
    colour = getattr(marker, "color", None) if marker is not None else None
    if colour is None and trace.type in ("scatter", "scattergl", "box", "violin"):
        colour = trace.line.color
    return colour


# ---------------------------------------------------------------- title and legend

def legend_above(fig: go.Figure) -> go.Figure:
    """A horizontal legend that the page has not placed itself, moved above the plot."""
    if fig.layout.legend.orientation == "h" and fig.layout.legend.y is None:
        fig.update_layout(legend={"y": 1.02, "yanchor": "bottom", "x": 0, "xanchor": "left"},
                          margin={"t": max(fig.layout.margin.t or 0, 40)})
    return fig


def fit_header(fig: go.Figure) -> go.Figure:
    """Room at the top for the title and, under it, a legend placed above the plot: neither clipped nor
    drawn over the other."""
    title = bool(fig.layout.title.text)
    legend = _legend_above_plot(fig)
    if not title and not legend:
        return fig
    needed = GAP_PX + (TITLE_PX if title else 0) + (LEGEND_ROW_PX * _legend_rows(fig) if legend else 0)
    fig.update_layout(margin={"t": max(fig.layout.margin.t or 0, needed)})
    if title:
        fig.update_layout(title={"x": 0, "xanchor": "left", "xref": "container", "y": 1, "yanchor": "top",
                                 "yref": "container", "pad": {"t": GAP_PX, "l": 10}})
    return fig


def _legend_above_plot(fig: go.Figure) -> bool:
    placed = fig.layout.legend
    if fig.layout.showlegend is False or placed.orientation != "h" or placed.y is None or placed.y < 1:
        return False
    shown = [t for t in fig.data if t.showlegend is not False and t.type not in ("pie", "sankey", "heatmap")]
    return len(shown) > 1 or fig.layout.showlegend is True


def _legend_rows(fig: go.Figure) -> int:
    """Rows a horizontal legend takes in a column about 600 px wide: CJK glyphs ~14 px, others ~7 px."""
    width = sum(40 + sum(14 if ord(ch) > 0x2E80 else 7 for ch in str(t.name or "")) for t in fig.data
                if t.showlegend is not False)
    return max(1, math.ceil(width / 600))


# ---------------------------------------------------------------- axes

def localise_axes(fig: go.Figure, lang: str) -> go.Figure:
    """Every axis a trace uses typed from its values and ticked as the module docstring says."""
    axes = _collect(fig)
    for group in _matched_groups(fig, axes):
        kinds = {axes[a].kind for a in group} - {None}
        kind = next(iter(kinds)) if len(kinds) == 1 else None
        for a in group:
            if fig.layout[a].type in (None, "-") and kind in ("category", "date", "number"):
                fig.update_layout({a: {"type": "linear" if kind == "number" else kind}})
        layout = fig.layout[group[0]]
        values = [v for a in group for v in axes[a].values]
        unknown = any(axes[a].unknown for a in group)
        for a in group:
            if fig.layout[a].overlaying:
                fig.update_layout({a: {"showgrid": False}})  # one grid per plot: the left axis's
        if kind == "date":
            for a in group:
                _date_axis(fig, a, values, lang)
        elif layout.type == "log":
            if not unknown and _untouched(layout):
                for a in group:
                    _log_ticks(fig, a, values, lang)
        elif layout.type == "linear":
            for a in group:
                _number_axis(fig, a, values, unknown, lang)
    return fig


class _Axis:
    __slots__ = ("kind", "values", "unknown")

    def __init__(self):
        self.kind, self.values, self.unknown = None, [], False

    def note(self, values, *, span: bool = True) -> None:
        """Values drawn on this axis; span=False: the axis holds numbers whose span is not known here."""
        kind, numbers = _kind(values)
        if kind is None:
            return
        self.kind = kind if self.kind in (None, kind) else "mixed"
        if kind == "number":
            if span and numbers is not None:
                self.values.extend(numbers)
            else:
                self.unknown = True
        elif kind == "date":
            self.values.extend(numbers or [])


def _collect(fig: go.Figure) -> dict[str, _Axis]:
    axes: dict[str, _Axis] = {}

    def axis(name: str) -> _Axis:
        return axes.setdefault(name, _Axis())

    stacked: dict[tuple[str, object], list[float]] = {}
    for trace in fig.data:
        if trace.type not in _CARTESIAN:
            continue
        x_axis = _axis_name(getattr(trace, "xaxis", None), "x")
        y_axis = _axis_name(getattr(trace, "yaxis", None), "y")
        kind = trace.type
        horizontal = _horizontal(trace)
        if kind in ("bar", "funnel", "waterfall"):
            value_axis, category_axis = (x_axis, y_axis) if horizontal else (y_axis, x_axis)
            values, categories = (trace.x, trace.y) if horizontal else (trace.y, trace.x)
            axis(category_axis).note(categories if categories is not None else [])
            numbers = _numbers(values)
            if kind != "bar" or numbers is None or trace.base is not None:
                axis(value_axis).note([0], span=False)
                continue
            axis(value_axis).note([0.0])  # bars grow from zero
            if fig.layout.barmode in _STACKED:
                cats = categories if categories is not None else range(len(numbers))
                for category, v in zip(cats, numbers):
                    sums = stacked.setdefault((value_axis, _hashable(category)), [0.0, 0.0])
                    sums[0 if v >= 0 else 1] += v
            else:
                axis(value_axis).note(numbers)
        elif kind in ("scatter", "scattergl"):
            axis(x_axis).note(trace.x if trace.x is not None else [])
            axis(y_axis).note(_with_errors(trace.y, trace.error_y) if trace.y is not None else [])
        elif kind in ("box", "violin"):
            values, categories = (trace.x, trace.y) if horizontal else (trace.y, trace.x)
            value_axis, category_axis = (x_axis, y_axis) if horizontal else (y_axis, x_axis)
            axis(value_axis).note(values if values is not None else [])
            axis(category_axis).note(categories if categories is not None else [trace.name or ""])
        elif kind == "histogram":
            bins, counts = (y_axis, x_axis) if horizontal else (x_axis, y_axis)
            drawn = trace.y if horizontal else trace.x
            axis(bins).note(drawn if drawn is not None else [], span=False)
            axis(counts).note([0], span=False)
        elif kind == "heatmap":
            axis(x_axis).note(trace.x if trace.x is not None else [], span=False)
            axis(y_axis).note(trace.y if trace.y is not None else [], span=False)
    for (name, _category), sums in stacked.items():
        axis(name).note(sums)
    for shape in fig.layout.shapes or ():  # add_hline / add_vline: a threshold the ticks must reach
        for ref, ends in ((shape.xref, (shape.x0, shape.x1)), (shape.yref, (shape.y0, shape.y1))):
            if ref and not ref.endswith(("paper", "domain")) and ref[1:2] in ("", *"0123456789"):
                name = _axis_name(ref, ref[0])
                if name in axes and axes[name].kind == "number":
                    axes[name].note([e for e in ends if e is not None])
    return axes


def _horizontal(trace) -> bool:
    """Whether a trace's values run along x: as the page set it, else Plotly's default for the type."""
    orientation = getattr(trace, "orientation", None)
    if orientation is not None:
        return orientation == "h"
    if trace.type == "funnel":
        return True  # a funnel's stages are on y unless told otherwise
    if trace.type in ("box", "violin"):
        return trace.x is not None and trace.y is None
    if trace.type == "histogram":
        return trace.y is not None and trace.x is None  # bins on y
    return False


def _with_errors(values, error):
    """Points with error bars (the needed range on the staffing page) span their bars too."""
    numbers = _numbers(values)
    if numbers is None or error is None or error.type != "data" or error.array is None or error.visible is False:
        return values
    plus = np.asarray(error.array, dtype=float)
    minus = np.asarray(error.arrayminus if error.arrayminus is not None else error.array, dtype=float)
    base = np.asarray(pd.to_numeric(pd.Series(np.asarray(values, dtype=object).ravel()), errors="coerce"),
                      dtype=float)
    if not (len(base) == len(plus) == len(minus)):
        return values
    return [*(base + plus), *(base - minus)]


def _hashable(v):
    return tuple(v) if isinstance(v, (list, np.ndarray)) else v


def _matched_groups(fig: go.Figure, axes: dict[str, _Axis]) -> list[list[str]]:
    """Axes drawn to one scale (`matches`, as small multiples are) are ticked as one."""
    def root(name: str) -> str:
        matches = fig.layout[name].matches if name in fig.layout else None
        return _axis_name(matches, name[0]) if matches else name

    groups: dict[str, list[str]] = {}
    for name in axes:
        if name in fig.layout:
            groups.setdefault(root(name), []).append(name)
    for members in groups.values():  # an axis matched to one without traces still shares its span
        for name in members:
            axes.setdefault(name, _Axis())
    return [sorted(m) for m in groups.values()]


def _kind(values) -> tuple[str | None, list[float] | None]:
    """("category" | "date" | "number", numbers or epoch seconds) for the values a trace draws."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":  # datetime64 of any unit
        stamps = pd.to_datetime(values.ravel()).dropna()
        return ("date", [s.timestamp() for s in stamps]) if len(stamps) else (None, None)
    items = [v for v in np.asarray(values if values is not None else [], dtype=object).ravel()
             if v is not None and not (isinstance(v, float) and math.isnan(v)) and v is not pd.NaT]
    if not items:
        return None, None
    if all(isinstance(v, (pd.Timestamp, np.datetime64, dt.date)) for v in items):
        return "date", [pd.Timestamp(v).timestamp() for v in items]
    if any(isinstance(v, (str, bytes, list, tuple, np.ndarray)) for v in items):
        return "category", None
    numbers = _numbers(items)
    return ("number", numbers) if numbers is not None else ("category", None)


def _numbers(values) -> list[float] | None:
    """The values as floats (blanks left out), or None when they are not all numbers (dates, names)."""
    if values is None:
        return None
    series = pd.Series(np.asarray(values, dtype=object).ravel())
    if series.map(lambda v: isinstance(v, (str, bytes, pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat")).any():
        return None
    numbers = pd.to_numeric(series, errors="coerce")
    if numbers.isna().sum() > series.isna().sum():
        return None
    return [float(v) for v in numbers.dropna() if math.isfinite(v)]


def _axis_name(ref: str | None, letter: str) -> str:
    """A trace's axis reference ("y2") as its layout key ("yaxis2")."""
    ref = ref or letter
    return f"{letter}axis{ref[1:]}"


def _untouched(layout) -> bool:
    """Ticks nobody has set: the only ones changed here."""
    return layout.tickvals is None and layout.dtick is None and layout.tickmode in (None, "auto")


def _span(layout, values: list[float]) -> tuple[float, float] | None:
    if layout.range is not None and None not in tuple(layout.range):
        lo, hi = layout.range
        return float(lo), float(hi)
    if not values:
        return None
    if layout.rangemode == "tozero":  # Plotly draws the axis from zero: so do its ticks
        values = [*values, 0.0]
    return min(values), max(values)


def _number_axis(fig: go.Figure, axis: str, values: list[float], unknown: bool, lang: str) -> None:
    layout = fig.layout[axis]
    if not _untouched(layout):
        return
    rate = bool(layout.tickformat) and layout.tickformat.endswith("%")
    span = None if unknown else _span(layout, values)
    if span is None:
        if lang == "zh" and not layout.tickformat:
            fig.update_layout({axis: {"tickformat": ",~r"}})  # 100,000, not Plotly's English "100k"
        return
    if layout.tickformat and not rate:
        return  # a format of the page's own (",d", ".2f"): Plotly's ticks in it
    whole = not rate and bool(values) and all(float(v).is_integer() for v in values)
    ticks = nice_ticks(*span, whole=whole)
    if ticks:
        text = percent_labels(ticks) if rate else tick_labels(ticks, lang)
        fig.update_layout({axis: {"tickmode": "array", "tickvals": ticks, "ticktext": text}})


def _date_axis(fig: go.Figure, axis: str, seconds: list[float], lang: str) -> None:
    layout = fig.layout[axis]
    own = layout.tickformat
    if own and not (lang == "zh" and any(d in own for d in ("%b", "%B", "%a", "%A", "%p"))):
        return  # the page's own format, unless it writes English names on a Chinese screen
    stamps = sorted({pd.Timestamp(s, unit="s") for s in seconds})
    months = bool(stamps) and all(s.day == 1 and s.hour == s.minute == s.second == 0 for s in stamps)
    update = {}
    if months:
        count = (stamps[-1].year - stamps[0].year) * 12 + stamps[-1].month - stamps[0].month + 1
        cadence = "month" if count <= 12 else "month_long"
        if _untouched(layout):
            step = 1 if count <= 12 else 2 if count <= 24 else 3
            update.update(dtick=f"M{step}", tick0=stamps[0].strftime("%Y-%m-%d"))
    else:
        cadence = "day"
    tick, hover = _DATE_FORMATS[(lang if lang == "zh" else "en", cadence)]
    hover = layout.hoverformat or hover
    update.update(tickformat=tick, hoverformat=hover)
    fig.update_layout({axis: update})
    # A hover template's %{x} is the raw value ("2025-11-01"): give it the axis's format.
    letter, ref = axis[0], axis[0] + axis[len("xaxis"):]
    for trace in fig.data:
        if trace.type in _CARTESIAN and (getattr(trace, letter + "axis", None) or letter) == ref \
                and trace.hovertemplate and isinstance(trace.hovertemplate, str):
            trace.hovertemplate = trace.hovertemplate.replace("%{" + letter + "}", "%{" + letter + "|" + hover + "}")


def _log_ticks(fig: go.Figure, axis: str, values: list[float], lang: str) -> None:
    layout = fig.layout[axis]
    if layout.range is not None and None not in tuple(layout.range):
        lo, hi = (10 ** float(v) for v in layout.range)
    else:
        positive = [v for v in values if v > 0]
        if not positive:
            return
        lo, hi = min(positive), max(positive)
    ticks = log_ticks(lo, hi)
    if ticks:
        fig.update_layout({axis: {"tickmode": "array", "tickvals": ticks,
                                  "ticktext": [compact_label(v, lang) for v in ticks]}})
