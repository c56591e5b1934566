"""Charts that read in the viewer's language and keep their labels clear.

Legends: a horizontal legend goes above the plot, not under it, where it covers tick labels that
Plotly has turned aslant (months on a category axis).

Axes:

Plotly writes large tick values with SI suffixes ("800k", "1.2M"), which is English. In Chinese, an
axis of numbers is labelled the way the rest of the app writes numbers: 20万, 1.5亿 (kam.app.fmt). Plotly
has no such format, so the ticks are placed here: nice values over the data's span, each labelled by
fmt_number. Only axes whose span can be told from the figure are changed (bar and line/scatter
traces on linear axes without a format of their own); any other axis keeps Plotly's ticks.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kam.app.fmt import fmt_number

TICKS = 6  # about how many ticks an axis gets
_STEPS = (1, 2, 2.5, 5, 10)
_STACKED = ("stack", "relative")
_UNITS = ((100_000_000, "亿"), (10_000, "万"))


def legend_above(fig: go.Figure) -> go.Figure:
    """A horizontal legend that the page has not placed itself, moved above the plot."""
    if fig.layout.legend.orientation == "h" and fig.layout.legend.y is None:
        fig.update_layout(legend={"y": 1.02, "yanchor": "bottom", "x": 0, "xanchor": "left"},
                          margin={"t": max(fig.layout.margin.t or 0, 40)})
    return fig


def localise_number_axes(fig: go.Figure, lang: str) -> go.Figure:
    """The figure, its numeric axes labelled in `lang` (Chinese: 万/亿); other languages unchanged."""
    if lang != "zh":
        return fig
    spans: dict[str, list[float]] = {}
    unknown: set[str] = set()
    stacked: dict[tuple[str, object], list[float]] = {}  # (axis, category) → [positive sum, negative sum]
    for trace in fig.data:
        x_axis, y_axis = _axis_name(getattr(trace, "xaxis", None), "x"), _axis_name(getattr(trace, "yaxis", None), "y")
        if trace.type == "bar":
            horizontal = trace.orientation == "h"
            value_axis, category_axis = (x_axis, y_axis) if horizontal else (y_axis, x_axis)
            values = _numbers(trace.x if horizontal else trace.y)
            if values is None or trace.base is not None:
                unknown.add(value_axis)
                continue
            spans.setdefault(value_axis, []).append(0.0)  # bars grow from zero
            if fig.layout.barmode in _STACKED:
                categories = trace.y if horizontal else trace.x
                categories = range(len(values)) if categories is None else categories
                for category, v in zip(categories, values):
                    sums = stacked.setdefault((value_axis, category), [0.0, 0.0])
                    sums[0 if v >= 0 else 1] += v
            else:
                spans[value_axis].extend(values)
            unknown.add(category_axis)  # names or codes side by side: Plotly's own ticks suit them
        elif trace.type in ("scatter", "scattergl"):
            _note_numbers(spans, unknown, x_axis, trace.x)
            _note_numbers(spans, unknown, y_axis, trace.y)
        else:  # counts, bins, cells: what Plotly draws cannot be told from the trace here
            unknown.update((x_axis, y_axis))
    for (axis, _category), sums in stacked.items():
        spans.setdefault(axis, []).extend(sums)
    for axis, values in _merge_matched(fig, spans, unknown).items():
        _label(fig, axis, values)
    return fig


def nice_ticks(lo: float, hi: float, count: int = TICKS) -> list[float]:
    """Round values from at or below lo to at or above hi, about `count` of them (1/2/2.5/5 × 10ⁿ apart)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        lo, hi = (lo - 1, hi + 1) if lo == 0 else (lo - abs(lo) / 2, hi + abs(hi) / 2)
    raw = (hi - lo) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in _STEPS if m * magnitude >= raw * (1 - 1e-9))
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [_clean(i * step) for i in range(first, last + 1)]


def _clean(v: float) -> float:
    """0.30000000000000004 → 0.3; -0.0 → 0.0."""
    return float(f"{v:.12g}") + 0.0


def _axis_name(ref: str | None, letter: str) -> str:
    """A trace's axis reference ("y2") as its layout key ("yaxis2")."""
    ref = ref or letter
    return f"{letter}axis{ref[1:]}"


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


def _note_numbers(spans: dict, unknown: set, axis: str, values) -> None:
    numbers = _numbers(values)
    if numbers is None:
        unknown.add(axis)
    else:
        spans.setdefault(axis, []).extend(numbers)


def _merge_matched(fig: go.Figure, spans: dict[str, list[float]], unknown: set[str]) -> dict[str, list[float]]:
    """Axes drawn to one scale (`matches`, as small multiples are) get one set of ticks."""
    def root(axis: str) -> str:
        matches = fig.layout[axis].matches if axis in fig.layout else None
        return _axis_name(matches, axis[0]) if matches else axis

    groups: dict[str, list[str]] = {}
    for axis in set(spans) | unknown:
        groups.setdefault(root(axis), []).append(axis)
    out = {}
    for members in groups.values():
        if any(a in unknown or not _plain(fig, a) for a in members):
            continue
        values = [v for a in members for v in spans.get(a, [])]
        for a in members:
            out[a] = values
    return out


def _plain(fig: go.Figure, axis: str) -> bool:
    """A linear axis whose ticks nobody has set: the only kind changed here."""
    layout = fig.layout[axis] if axis in fig.layout else None
    if layout is None:
        return True
    return (layout.type in (None, "-", "linear") and not layout.tickformat and layout.tickvals is None
            and layout.dtick is None and layout.tickmode in (None, "auto"))


def _label(fig: go.Figure, axis: str, values: list[float]) -> None:
    layout = fig.layout[axis] if axis in fig.layout else None
    if layout is not None and layout.range is not None and None not in tuple(layout.range):
        lo, hi = layout.range
    elif values:
        lo, hi = min(values), max(values)
    else:
        return
    ticks = nice_ticks(float(lo), float(hi))
    if ticks:
        fig.update_layout({axis: {"tickmode": "array", "tickvals": ticks, "ticktext": tick_labels(ticks)}})


def tick_labels(ticks: list[float]) -> list[str]:
    """One unit for the whole axis, chosen by its largest tick: 0, 0.5万, 1万, 1.5万 — not 5,000 beside 1万."""
    top = max(abs(v) for v in ticks)
    size, unit = next(((s, u) for s, u in _UNITS if top >= s), (1, ""))
    if not unit:
        return [fmt_number(v, "zh") for v in ticks]
    scaled = [v / size for v in ticks]
    places = next(d for d in range(7) if all(abs(round(x, d) - x) < 1e-9 for x in scaled) or d == 6)
    return ["0" if x == 0 else _strip_zeros(f"{x:,.{places}f}") + unit for x in scaled]


def _strip_zeros(text: str) -> str:
    """"1.50" → "1.5", "1.00" → "1", "10" stays."""
    return text.rstrip("0").rstrip(".") if "." in text else text
