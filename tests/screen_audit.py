"""What a person reads on a screen, checked: the rules of the screen audit (tests/test_screen_audit.py).

Two sources, because a dataframe is drawn on a canvas (its DOM copy holds raw values, not what is shown):
- the messages the server sent the browser over the websocket (Streamlit's ForwardMsg protobufs):
  every table with its column formats, every metric with its arrow, every chart's spec, every error;
- the visible text of the page (a walk over the DOM's text nodes that are rendered).

Each rule returns findings as sentences ("table 集团画像 column 原始值: 17 cells show None"); a screen
passes when there are none. tests/test_screen_audit_rules.py proves each rule can fail.
"""
from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field

import pyarrow as pa
from playwright.sync_api import Error as PlaywrightError
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Metric_pb2 import Metric

from kam.i18n import labels

# ---------------------------------------------------------------- words that may cross languages
# Kept short and reviewed: abbreviations Chinese BI uses as they are, file formats, the product's
# name, the name of the other language on the language switch, and units.
EN_ON_ZH = {"ARPU", "VIP", "ICT", "IDC", "CSV", "Excel", "PDF", "KAM", "Cockpit", "English", "5G", "P90",
            "SLA", "V", "IoT", "Top", "TOP"}
ZH_ON_EN = {"中文"}
CODE = re.compile(r"^(?:[A-Z]{1,3}\d{2,}[A-Z\d]*|\d+[A-Za-z]?|Q[1-4]|[A-Z]\d?)$")  # G0001, M0284, T00012, Q3, 5G
MISSING_WORDS = re.compile(r"(?<![\w-])(None|nan|NaN|NaT|<NA>)(?![\w-])")
MIDNIGHT = "00:00:00"
FILE_EXTENSION = re.compile(r"\.(?:csv|tsv|txt|xlsx|xls|parquet|json|toml|zip)\b", re.I)  # 账单_202606.csv, (.xlsx)
CJK = re.compile(r"[\u3400-\u9fff]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")
# Canonical column names that hold yuan (the rest of a name ending may say it is a rate or a rank).
MONEY_NAME = re.compile(r"(revenue|amount|arpu|monthly_value|_value$|money|yuan|_due$|_paid$)")
NOT_MONEY_NAME = re.compile(r"(share|rate|_mom|_yoy|growth|retention|rank|pct|ratio|_months?$|count|groups)")
MAX_DECIMALS = 4


@dataclass
class Screen:
    """What one page run sent and showed."""
    name: str
    lang: str
    messages: list[ForwardMsg] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # visible text, once per tab shown


# ---------------------------------------------------------------- reading the websocket
class Capture:
    """Every ForwardMsg the page receives; a reference to a cached message is resolved to the message."""

    def __init__(self, page):
        self.page = page
        self.by_hash: dict[str, ForwardMsg] = {}
        self.messages: list[ForwardMsg] = []
        self.socket = None  # the page's latest websocket
        page.on("websocket", self._opened)

    def _opened(self, socket) -> None:
        self.socket = socket
        socket.on("framereceived", self._received)

    def _received(self, payload) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg.FromString(payload)
        if msg.WhichOneof("type") == "ref_hash" and msg.ref_hash in self.by_hash:
            msg = self.by_hash[msg.ref_hash]
        elif msg.hash:
            self.by_hash[msg.hash] = msg
        self.messages.append(msg)

    def reset(self) -> None:
        self.messages = []

    def finished(self) -> bool:
        """A run has finished for good (not stopped early for a rerun that follows)."""
        done = (ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
                ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
        return any(m.WhichOneof("type") == "script_finished" and m.script_finished in done for m in self.messages)

    def wait_finished(self, timeout_ms: float) -> None:
        """Until a run has finished for good. Each wait ends at the next frame the server sends (the
        frame is read by _received before the wait returns), so this reads each frame as it comes."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not self.finished():
            left = (deadline - time.monotonic()) * 1000
            if left <= 0:
                raise AssertionError("the page's script never finished")
            try:
                if self.socket is None or self.socket.is_closed():
                    self.page.wait_for_event("websocket", timeout=left)
                else:
                    self.socket.wait_for_event("framereceived", timeout=min(left, 5_000))
            except PlaywrightError:
                pass  # no frame yet, or the socket closed under a navigation: check again


def elements(messages: list[ForwardMsg]):
    for m in messages:
        if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element":
            yield m.delta.new_element


# ---------------------------------------------------------------- rules
def header_names(lang: str) -> dict[str, str]:
    """Translated column header → canonical column name (column.<name> in the locale files)."""
    out = {}
    for key, label in labels(lang).items():
        if key.startswith("column."):
            out.setdefault(label, key.rsplit(".", 1)[-1])
    return out


def _decimals(x: float) -> int:
    text = repr(float(x))
    if "e" in text or "." not in text:
        return 0 if "e" not in text else MAX_DECIMALS + 1
    return len(text.split(".")[1].rstrip("0"))


def _printf_decimals(fmt: str) -> int | None:
    m = re.search(r"%[^a-z%]*\.(\d+)[fe]", fmt)
    return int(m.group(1)) if m else None


def table_findings(df_proto, lang: str, headers: dict[str, str] | None = None) -> list[str]:
    """None cells, midnight times, too many decimals, money without ¥ — in one st.dataframe."""
    headers = headers if headers is not None else header_names(lang)
    table = pa.ipc.open_stream(df_proto.arrow_data.data).read_all()
    config = json.loads(df_proto.columns) if df_proto.columns else {}
    shown_order = list(df_proto.column_order) or None
    styled = df_proto.arrow_data.HasField("styler") and df_proto.arrow_data.styler.display_values
    display = pa.ipc.open_stream(df_proto.arrow_data.styler.display_values).read_all() if styled else None
    title = next((n for n in table.schema.names if not n.startswith("__")), "?")
    out = []
    for i, name in enumerate(table.schema.names):
        col_cfg = config.get(name, {})
        if name.startswith("__") or name == "_index" or col_cfg.get("hidden") or (shown_order and name not in shown_order):
            continue
        column = table.column(i)
        type_cfg = col_cfg.get("type_config", {})
        fmt = type_cfg.get("format") or ""
        where = f"table [{title}…] column {name}"
        if display is not None and name in display.schema.names:
            values = [v for v in display.column(name).to_pylist()]
            bad = [v for v in values if v is None or MISSING_WORDS.fullmatch(str(v).strip() or "x")]
            if bad:
                out.append(f"{where}: {len(bad)} cells show {bad[0]!r}")
            continue
        nulls = column.null_count
        # A missing cell is drawn as the table's placeholder ("—") when it has one, else as "None".
        shows_none = not df_proto.placeholder or MISSING_WORDS.fullmatch(df_proto.placeholder.strip())
        if nulls and shows_none and type_cfg.get("type") not in ("link",):
            out.append(f"{where}: {nulls} cells show None")
        kind = column.type
        values = [v for v in column.to_pylist() if v is not None]
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            bad = [v for v in values if MISSING_WORDS.fullmatch(v.strip() or "x")]
            if bad:
                out.append(f"{where}: {len(bad)} cells read {bad[0]!r}")
            if any(MIDNIGHT in v for v in values):
                out.append(f"{where}: times shown as {MIDNIGHT}")
        elif pa.types.is_timestamp(kind):
            all_midnight = all(v.hour == v.minute == v.second == 0 for v in values)
            if all_midnight and values and (not fmt or "HH" in fmt or "H:" in fmt):
                out.append(f"{where}: dates shown with {MIDNIGHT}")
        elif pa.types.is_floating(kind) or pa.types.is_decimal(kind):
            floats = [float(v) for v in values if not (isinstance(v, float) and math.isnan(v))]
            if isinstance(column.to_pylist()[0] if len(column) else None, float) and len(floats) < len(values):
                out.append(f"{where}: cells show NaN")
            places = _printf_decimals(fmt) if fmt and fmt != "percent" else None
            if not fmt and floats and max(map(_decimals, floats)) > MAX_DECIMALS:
                out.append(f"{where}: numbers with more than {MAX_DECIMALS} decimals and no format")
            if places is not None and places > MAX_DECIMALS:
                out.append(f"{where}: format {fmt} shows more than {MAX_DECIMALS} decimals")
        if (pa.types.is_floating(kind) or pa.types.is_decimal(kind) or pa.types.is_integer(kind)):
            canonical = headers.get(name, name)
            if MONEY_NAME.search(canonical) and not NOT_MONEY_NAME.search(canonical) and "¥" not in fmt:
                out.append(f"{where}: money ({canonical}) shown without ¥")
    return out


def _sign(text: str) -> int:
    """-1, 0 or 1: the sign of the first number in a metric's delta text."""
    m = re.search(r"([+\-\u2212]?)\s*(\d[\d,]*(?:\.\d+)?)", text)
    if not m:
        return 0
    if float(m.group(2).replace(",", "")) == 0:
        return 0
    return -1 if m.group(1) in ("-", "\u2212") else 1


def metric_findings(metric) -> list[str]:
    if not metric.delta:
        return []
    sign, direction = _sign(metric.delta), metric.direction
    if direction == Metric.MetricDirection.NONE:  # a delta shown as a plain caption, without an arrow
        return []
    want = {1: Metric.MetricDirection.UP, -1: Metric.MetricDirection.DOWN}.get(sign)
    if want is None:
        arrow = "↑" if direction == Metric.MetricDirection.UP else "↓"
        return [f"metric {metric.label}: {metric.delta} is zero but shows {arrow}"]
    if want is not None and direction != want:
        arrow = {Metric.MetricDirection.UP: "↑", Metric.MetricDirection.DOWN: "↓"}.get(direction, "no arrow")
        return [f"metric {metric.label}: {metric.delta} shows {arrow}"]
    return []


ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def chart_strings(spec: dict) -> list[str]:
    """The words a chart shows: titles, axis titles, legend names, tick and category labels, annotations."""
    found: list[str] = []

    def text_of(node):
        if isinstance(node, dict):
            node = node.get("text")
        if isinstance(node, str):
            found.append(node)

    layout = spec.get("layout", {})
    text_of(layout.get("title"))
    for key, axis in layout.items():
        if re.match(r"^[xy]axis\d*$", key) and isinstance(axis, dict):
            text_of(axis.get("title"))
            found.extend(str(v) for v in axis.get("ticktext", []) or [])
    text_of((layout.get("legend") or {}).get("title"))
    for ann in layout.get("annotations", []) or []:
        text_of(ann)
    for trace in spec.get("data", []):
        if trace.get("name") and trace.get("showlegend", True) is not False:
            found.append(str(trace["name"]))
        for axis in ("x", "y", "labels"):
            vals = trace.get(axis)
            if isinstance(vals, list) and vals and all(isinstance(v, str) for v in vals):
                # dates on a date axis are drawn by its tick format (read from the drawn ticks), not as sent
                found.extend(v for v in vals if not ISO_TIMESTAMP.match(v))
        if isinstance(trace.get("text"), list):
            found.extend(str(v) for v in trace["text"] if isinstance(v, str))
    return [re.sub(r"<[^>]+>", " ", s) for s in found]


def text_findings(text: str, lang: str, names: set[str], where: str) -> list[str]:
    """Missing-value words, midnight times and the other language in a piece of visible text."""
    out = []
    m = MISSING_WORDS.search(text)
    if m:
        out.append(f"{where}: shows {m.group(1)!r} in …{text[max(0, m.start() - 30):m.end() + 30]}…")
    if MIDNIGHT in text:
        out.append(f"{where}: shows {MIDNIGHT}")
    for name in sorted(names, key=len, reverse=True):  # proper names from the data are not words
        if name and name in text:
            text = text.replace(name, " ")
    text = FILE_EXTENSION.sub(" ", text)  # a file's type is a code, in either language
    if lang == "zh":
        words = {w for w in LATIN_WORD.findall(text) if w not in EN_ON_ZH and not CODE.match(w)}
        if words:
            out.append(f"{where}: English on a Chinese screen: {', '.join(sorted(words)[:8])}")
    else:
        runs = {r for r in CJK.findall(text) if r not in ZH_ON_EN}
        if runs:
            out.append(f"{where}: Chinese on an English screen: {', '.join(sorted(runs)[:8])}")
    return out


def screen_findings(screen: Screen, names: set[str]) -> list[str]:
    """Every rule over one screen."""
    out: list[str] = []
    headers = header_names(screen.lang)
    for m in screen.messages:
        if m.WhichOneof("type") == "page_not_found":
            out.append(f"{screen.name}: Streamlit's 'Page not found'")
    for el in elements(screen.messages):
        kind = el.WhichOneof("type")
        if kind == "exception":
            out.append(f"{screen.name}: traceback {el.exception.type}: {el.exception.message[:200]}")
        elif kind == "alert" and el.alert.format == Alert.Format.ERROR:
            out.append(f"{screen.name}: error box: {el.alert.body[:200]}")
        elif kind == "dataframe":
            out.extend(f"{screen.name}: {f}" for f in table_findings(el.dataframe, screen.lang, headers))
        elif kind == "metric":
            out.extend(f"{screen.name}: {f}" for f in metric_findings(el.metric))
        elif kind == "plotly_chart":
            spec = json.loads(el.plotly_chart.spec) if el.plotly_chart.spec else {}
            title = spec.get("layout", {}).get("title", {})
            title = title.get("text", "") if isinstance(title, dict) else str(title)
            out.extend(text_findings(" · ".join(chart_strings(spec)), screen.lang, names,
                                     f"{screen.name}: chart {title[:30]!r}"))
    for i, text in enumerate(screen.texts):
        out.extend(text_findings(text, screen.lang, names, f"{screen.name} (tab {i + 1})" if i else screen.name))
    return out


# ---------------------------------------------------------------- the visible text of a page
VISIBLE_TEXT_JS = """() => {
  // Tables are read from what the server sent (their DOM copy holds raw values); a chart's drawn text
  // (ticks, legend) is read here, its toolbar is not text; icons are ligatures of a symbol font (a glyph
  // name, not a word anyone reads); the skip link shows only to keyboard focus; code is a command name.
  const skip = "[data-testid='stDataFrame'], .modebar-container, style, script, [translate='no'], code, " +
               "[data-testid='stSkipToContent'], [data-testid='stDecoration'], [data-testid='stStatusWidget']";
  const walker = document.createTreeWalker(document.querySelector("[data-testid='stApp']"), NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(skip) || !n.textContent.trim()) continue;
    if (el.checkVisibility && !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    parts.push(n.textContent.trim());
  }
  return parts.join("\\n");
}"""
