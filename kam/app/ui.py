"""What every page shares: the viewer's context, labels, tables with downloads, definitions.

app.py sets the context up once per run (language, period, branch filter, the
warehouse); pages read it with `ctx()` and describe their screen with the helpers here.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import parse_qsl

import numpy as np
import pandas as pd
import streamlit as st

from kam.app.auth import LOCAL_VIEWER, Viewer, role_file
from kam.app import charts, fmt
from kam.app.downloads import to_csv_bytes, to_xlsx_bytes
from kam.storage.masking import mask_frame
from kam.i18n import column_label, t
from kam.figures.period import Period
from kam.figures.query import Scope, Warehouse
from kam.storage.schema import PERSONAL_COLUMNS
from kam.figures.settings import load_settings

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Context:
    wh: Warehouse
    lang: str
    period: Period | None
    scope: Scope
    viewer: Viewer = LOCAL_VIEWER
    # Branch-level comparison figures only (a regional head compares with every branch).
    comparison_scope: Scope = field(default_factory=Scope)

    def t(self, key: str, **values) -> str:
        """The label in the viewer's language; a whole number in it reads with separators (1,382 个集团)."""
        return t(key, self.lang, **{k: fmt.fmt_int(v) if _is_whole_number(v) else v for k, v in values.items()})

    def query(self, name: str, params: dict | None = None) -> pd.DataFrame:
        """A page query with the period's parameters and the viewer's scope bound."""
        base = self.wh.period_params(self.period) if self.period else {}
        base.update(params or {})
        return self.wh.query(name, base, self.scope)


# Markdown (and Streamlit's extensions: :material/icons:, :red[colour], $math$) that text may hold;
# at a line's start also headings, lists, quotes.
_MARKDOWN_CHARS = re.compile(r"([\\`*_{}\[\]()<>#|$~:@&!])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+\.)")
# Streamlit links bare URLs and e-mail addresses, and draws :material/icons: and :emoji:, in text it
# has already unescaped, so a backslash cannot stop those: an invisible word joiner (U+2060) after
# each ":" and "www", and before each "@", does.
_AUTOLINK = re.compile(r"(www(?=\.)|\\:|(?=\\@))", re.IGNORECASE)  # ":" and "@" are escaped by then
WORD_JOINER = "\u2060"


def plain(text) -> str:
    """Text from outside the code (a file name, a cell of an export, a URL parameter, a scenario name)
    made literal for Streamlit's markdown (st.markdown, st.write, st.caption, st.info/warning/error/success,
    subheaders, expander and status labels): an upload named `[x](http://evil)` reads as itself, never
    as a link, bold text or an icon. Escape only the outside text, not the label around it."""
    text = _MARKDOWN_CHARS.sub(r"\\\1", str(text).replace("\r", " ").replace("\n", " "))
    text = _AUTOLINK.sub(lambda m: m.group(1) + WORD_JOINER, text)
    # "- x" a list, "1. x" a numbered one: escape the mark (the dot after the number)
    return _LINE_START.sub(lambda m: m.group(1) + (m.group(2)[:-1] + "\\." if m.group(2).endswith(".")
                                                   else "\\" + m.group(2)), text)


def _is_whole_number(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def data_folder() -> Path:
    return Path(os.environ.get("KAM_DATA", REPO_ROOT / "data" / "sample"))


@st.cache_resource(show_spinner=False)
def warehouse_for(folder: str) -> Warehouse:
    """One warehouse handle per export folder, shared by every session of the server."""
    return Warehouse(Path(folder), load_settings())


def current_viewer() -> Viewer | None:
    """The logged-in viewer; the local single-user viewer when there is no role file."""
    viewer = st.session_state.get("viewer")
    if viewer is not None:
        return viewer
    if role_file() is None and not _sso_configured():
        return LOCAL_VIEWER
    return None


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def scopes_for(viewer: Viewer, picked_branches: tuple[str, ...] = ()) -> tuple[Scope, Scope]:
    """The viewer's detail scope, narrowed by the sidebar's branch filter, and comparison scope."""
    scope = viewer.scope()
    if picked_branches:
        allowed = picked_branches if scope.branches is None else tuple(
            b for b in picked_branches if b in scope.branches)
        scope = Scope(branches=allowed, manager_id=scope.manager_id, see_phone_numbers=scope.see_phone_numbers)
    return scope, viewer.comparison_scope()


def _run_through_app_py() -> None:
    """Make a deep link (/data) run app.py's frame and navigation, not the page file alone.

    Streamlit runs the first request of a fresh server the old "pages/ folder" way,
    until some run has called st.navigation; a page opened by URL before that would
    appear without the sidebar. Rerunning once in navigation mode fixes it for good.
    """
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def ctx() -> Context:
    """The context for the calling page, after checking the viewer may open it.

    Every page calls this first: navigation alone does not protect a page (a page can be
    run directly), so the check happens here, inside the page's own run.
    """
    page = Path(sys._getframe(1).f_globals.get("__file__", "") or "").stem
    _run_through_app_py()
    viewer = current_viewer()
    lang = st.session_state.get("lang", "zh")
    if viewer is None:
        st.warning(t("auth.login_required", lang))
        st.stop()
    if page and page != "app" and not viewer.may_open(page):
        st.error(t("auth.forbidden", lang))
        st.stop()
    context = st.session_state.get("_kam_context")
    wh = context.wh if context else warehouse_for(str(data_folder()))
    wh.sync()
    period = context.period if context else (wh.default_period() if wh.loaded else None)
    # The scope is derived from the viewer on every run, never trusted from an earlier one.
    scope, comparison = scopes_for(viewer, st.session_state.get("branch_filter") or ())
    return Context(wh, lang, period, scope, viewer, comparison)


def set_context(context: Context) -> None:
    st.session_state["_kam_context"] = context


def require_data(context: Context) -> None:
    """Stop the page with a clear message when the folder has never been loaded."""
    if not context.wh.loaded or context.period is None:
        st.info(context.t("app.no_data", folder=plain(context.wh.folder)))
        st.stop()


def label_column(frame: pd.DataFrame, column: str, prefix: str, lang: str) -> pd.DataFrame:
    """Replace codes (class A, fee_item line…) with their label in the viewer's language."""
    if column in frame.columns:
        frame = frame.copy()
        frame[column] = frame[column].map(lambda v: t(f"{prefix}.{v}", lang) if pd.notna(v) and v != "" else v)
    return frame


def branch_names(context: Context) -> dict[str, str]:
    """Branch id → name: a branch is shown by its name (广州), never by its code (GZ)."""
    if not context.wh.loaded:
        return {}
    branches = context.wh.query("meta/branches")  # only ids a page already holds are looked up
    return dict(zip(branches.branch_id, branches.branch_name))


def _branches_by_name(context: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """The branch_id column as names; beside a branch_name column it is only a code, and goes."""
    if "branch_id" not in frame.columns:
        return frame
    if "branch_name" in frame.columns:
        return frame.drop(columns="branch_id")
    names = branch_names(context)
    return frame.assign(branch_id=frame.branch_id.map(lambda b: names.get(b, b)))


def show_table(context: Context, frame: pd.DataFrame, name: str, *, column_config: dict | None = None,
               height: int | None = None, key: str | None = None, on_select=None, kinds: dict | None = None,
               screen: pd.DataFrame | None = None, dataset: str | None = None):
    """A table as shown on screen (phone numbers masked) with CSV and Excel downloads.

    Every column reads by its kind (column_formats): money in yuan to the fen, rates in % with one
    decimal, counts with separators, dates without 00:00:00, durations in days and hours; a missing
    value shows "—". column_config adds labels, links or a page's own format (keyed by the raw column
    name or its header); kinds overrides what a column is taken to hold. `screen`, when given, is what
    the screen shows instead of `frame` (e.g. a column whose rows are of different kinds, written out
    row by row). Headers are the columns' labels in the viewer's language; `dataset` names the dataset
    or report whose own wording wins for a shared column name (managers: leave_date = 离职日期).
    Branches are shown by name. The downloads keep the values, under the same headers as the screen.
    """
    see_phones = context.scope.see_phone_numbers
    frame = _branches_by_name(context, frame)
    shown = frame if screen is None else _branches_by_name(context, screen)
    personal = [c for c in shown.columns if c in PERSONAL_COLUMNS]
    shown = shown if see_phones or not personal else mask_frame(shown, columns=tuple(personal))
    kept = frame if see_phones or not personal else mask_frame(frame, columns=tuple(c for c in personal if c in frame))
    headers = {c: column_label(c, context.lang, dataset) if not c.startswith("_") else c
               for c in [*shown.columns, *frame.columns]}
    if "branch_id" in headers:
        headers["branch_id"] = context.t("column.branch")  # it holds names now
    # Formats may be keyed by the raw column name or by its header: both reach the column.
    raw_of = {h: c for c, h in headers.items()}
    given = {raw_of.get(k, k): v for k, v in (column_config or {}).items()}
    column_kinds = {**table_kinds(shown, kinds), **{c: k for c, k in ((c, _kind_of_config(v)) for c, v in given.items())
                                                  if k and c in shown.columns}}
    display = for_display(shown, column_kinds, context.lang)
    config = column_formats(display, kinds=column_kinds)
    for col, value in given.items():
        config[col] = _with_kind_format(value, column_kinds.get(col))
    kwargs = {"hide_index": True, "column_config": {headers.get(k, k): v for k, v in config.items()},
              "placeholder": fmt.DASH}
    if height:
        kwargs["height"] = height
    if on_select:
        kwargs.update(on_select=on_select, selection_mode="single-row", key=key)
    event = st.dataframe(display.rename(columns=headers), **kwargs)
    headed = kept.rename(columns=headers)
    left, right, _ = st.columns([1, 1, 4])
    stem = f"{name}_{context.period.label if context.period else 'all'}"
    # `shown` is masked already where the viewer may not see phone numbers.
    left.download_button(context.t("app.download_csv"), to_csv_bytes(headed, see_phones),
                         file_name=f"{stem}.csv", mime="text/csv", key=f"{key or name}_csv")
    # The workbook is written only when asked for: for a list of tens of thousands of rows it takes
    # seconds, which every run of the page would otherwise pay (docs/benchmarks.md, pages at L).
    right.download_button(context.t("app.download_xlsx"), functools.partial(to_xlsx_bytes, headed, see_phones),
                          file_name=f"{stem}.xlsx", key=f"{key or name}_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return event


def plot(context: Context, fig, key: str, where=None) -> None:
    """A plotly chart in the app's palette, its title and legend clear of each other and of Plotly's
    toolbar (hidden), its axes in the viewer's language (kam.app.charts: 20万, not 200k, in Chinese)."""
    (where or st).plotly_chart(charts.finish(fig, context.lang), key=key, config=charts.PLOT_CONFIG)


# How each kind of column reads in a table (kam.app.fmt.column_kind decides the kind). Rates are shown
# multiplied by 100 (for_display) so that every one has the same single decimal: Streamlit's "percent"
# drops trailing zeros and would put 75% beside 92.86%.
RATE_FORMAT = "%.1f%%"
_NUMBER_FORMATS = {fmt.MONEY: "¥%,.2f", fmt.RATE: RATE_FORMAT, fmt.COUNT: "%,d", fmt.NUMBER: "%,.2f",
                   fmt.PLAIN_INT: "%d"}
_DATE_FORMATS = {fmt.DATE: "YYYY-MM-DD", fmt.MONTH: "YYYY-MM"}


def table_kinds(frame: pd.DataFrame, kinds: dict | None = None) -> dict[str, str]:
    """What each column holds: fmt.column_kind from its name and values, unless `kinds` says otherwise."""
    kinds = kinds or {}
    return {col: kinds.get(col) or fmt.column_kind(str(col), frame[col]) for col in frame.columns}


def for_display(frame: pd.DataFrame, kinds: dict[str, str], lang: str) -> pd.DataFrame:
    """The values as the table shows them: rates in percent, durations as "2 天 4 小时", decimals as floats."""
    out = frame.copy()
    for col, kind in kinds.items():
        if col not in out.columns:
            continue
        if kind in (fmt.RATE, fmt.MONEY, fmt.COUNT, fmt.NUMBER, fmt.DAYS) and out[col].dtype == object:
            out[col] = pd.to_numeric(out[col], errors="coerce")  # Decimals from the warehouse, None as NaN
        if kind == fmt.RATE:
            out[col] = out[col].astype(float) * 100
        elif kind == fmt.HOURS:
            # Text: Streamlit cannot write "721 天 19 小时" from a number (the list's own order stays).
            out[col] = pd.Series([None if fmt.is_missing(v) else fmt.fmt_duration(v, lang) for v in out[col]],
                                 index=out.index, dtype=object)
    return out


def column_formats(frame: pd.DataFrame, *, rates=(), money=(), decimals=(), months=(),
                   kinds: dict | None = None) -> dict:
    """How a table's columns read, by kind: money in yuan to the fen, rates in %, counts with separators,
    plain numbers to two decimals, days to one, dates without a time of day, times to the minute.

    Keyed by the raw column name (show_table moves the keys onto the translated headers). The kind of
    each column is inferred (fmt.column_kind); rates, money, decimals, months and kinds override it.
    A column that opens another page is drill_table's, never a LinkColumn (a new browser tab is a new session).
    """
    explicit = {**{c: fmt.RATE for c in rates}, **{c: fmt.MONEY for c in money}, **{c: fmt.NUMBER for c in decimals},
                **{c: fmt.MONTH for c in months}, **(kinds or {})}
    config = {}
    for col, kind in table_kinds(frame, explicit).items():
        if kind in _NUMBER_FORMATS:
            config[col] = st.column_config.NumberColumn(format=_NUMBER_FORMATS[kind])
        elif kind == fmt.DAYS:
            whole = (frame[col].dropna().astype(float) % 1 == 0).all() if col in frame else False
            config[col] = st.column_config.NumberColumn(format="%,d" if whole else "%,.1f")
        elif kind in _DATE_FORMATS:
            config[col] = st.column_config.DateColumn(format=_DATE_FORMATS[kind])
        elif kind == fmt.DATETIME:
            config[col] = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
        elif kind == fmt.HOURS:
            config[col] = st.column_config.TextColumn(alignment="right")
    return config


def _kind_of_config(config) -> str | None:
    """The kind a page's own column format implies: "percent" is a rate, "¥…" money, a date format a date."""
    if not isinstance(config, dict):
        return None
    type_config = config.get("type_config") or {}
    number_format = type_config.get("format")
    if type_config.get("type") == "number":
        if number_format in ("percent", RATE_FORMAT):
            return fmt.RATE
        if isinstance(number_format, str) and number_format.startswith("¥"):
            return fmt.MONEY
    if type_config.get("type") == "date":
        return fmt.MONTH if number_format == "YYYY-MM" else fmt.DATE
    return None


def _with_kind_format(config, kind: str | None):
    """A page's column config, with the one rate format (its values are shown ×100) and durations as text."""
    type_config = (config.get("type_config") or {}) if isinstance(config, dict) else {}
    if kind == fmt.RATE and type_config.get("format"):
        config = {**config, "type_config": {**type_config, "format": RATE_FORMAT}}
    elif kind == fmt.HOURS and type_config.get("type") == "number":  # "721 天 19 小时" is text now
        config = {**config, "type_config": {"type": "text"}, "alignment": "right"}
    return config


TONES = {"good": "green", "bad": "red", "warn": "orange", "neutral": "gray"}


def metric(context: Context, where, label: str, value, delta=None, *, better: str = fmt.HIGHER,
           delta_text: str | None = None, description: str | None = None, note: str | None = None,
           tone: str = "neutral", help: str | None = None, border: bool = True) -> None:
    """A metric card; every card on every page is drawn here so that its arrow and colour tell the truth.

    delta: the change as a number (a fraction for growth, a difference of rates for points); it decides
    the arrow (its sign) and the colour (fmt.delta_look: good or bad for a figure where `better` is
    "higher", "lower" or "neutral"). delta_text: how the change reads (default: "+3.2%" from the fraction).
    note: a label under the value instead of a change (a rank, a workload), without an arrow, coloured
    by `tone` (good, bad, warn or neutral). A whole number as value reads as a count (16.2万).
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = fmt.fmt_count(value, context.lang)
    kwargs = {"help": help, "border": border}
    if delta is not None and not fmt.is_missing(delta):
        text = delta_text if delta_text is not None else fmt.fmt_delta_pct(delta)
        colour, arrow = fmt.delta_look(delta, better, text)
        kwargs.update(delta=text, delta_color=colour, delta_arrow=arrow)
        if description:
            kwargs["delta_description"] = description
    elif note:
        kwargs.update(delta=note, delta_color=TONES[tone], delta_arrow="off")
    (where or st).metric(label, value, **kwargs)


def definitions(context: Context, *metric_keys: str) -> None:
    """Each figure's definition (metrics.md), one click away, in the viewer's language."""
    with st.expander(context.t("app.definitions"), icon=":material/help:"):
        for key in metric_keys:
            st.markdown(f"**{context.t(f'metric.{key}.name')}** — {context.t(f'metric.{key}.help')}")
        settings_file = getattr(context.wh.settings, "path", None)
        if settings_file:
            st.caption(context.t("app.settings_used", file=plain(settings_file)))


def period_options(months: list[dt.date]) -> list[str]:
    """Months newest first, then the quarters they make up."""
    labels = [m.strftime("%Y-%m") for m in months]
    quarters = sorted({f"{m.year}-Q{(m.month - 1) // 3 + 1}" for m in months}, reverse=True)
    return labels + quarters


# ---------------------------------------------------------------- the view in the URL; drilling inside the session
# The view every page shares travels in the URL (app.py keeps it there at every run), so a
# copied link opens the same view, after logging in too. Links between pages never open a
# new browser tab: that would be a new session, logged out, the language and period lost.
VIEW_PARAMS = ("lang", "period", "branches")


def view_params() -> dict[str, str | list[str]]:
    """This session's shared view as URL parameters: language, period, branch filter."""
    state = st.session_state
    params: dict[str, str | list[str]] = {"lang": state.get("lang", "zh")}
    if state.get("period"):
        params["period"] = state["period"]
    if state.get("branch_filter"):
        params["branches"] = list(state["branch_filter"])
    return params


def link_target(link: str) -> tuple[str, dict[str, str]]:
    """An in-app address as the SQL writes it ("/group_profile?group=G0001") → (page file, its parameters)."""
    path, _, query = link.partition("?")
    return f"pages/{path.strip('/')}.py", dict(parse_qsl(query))


def go(link: str) -> NoReturn:
    """Open an in-app address in this session, with the shared view.

    The parameters of the page left behind go along: Streamlit writes the new parameters into
    the URL of the page being left before it switches, and that entry is where the browser's
    back button returns, so it must still name the view it had (tab, branch…).
    """
    page, params = link_target(link)
    here = {k: st.query_params.get_all(k) for k in st.query_params}
    st.switch_page(page, query_params={**here, **view_params(), **params})


def page_link(link: str, label: str, *, icon: str | None = ":material/arrow_forward:", where=None) -> None:
    """A link to an in-app address ("/classes?view=misfits") that stays in this session, with the shared view."""
    page, params = link_target(link)
    (where or st).page_link(page, label=label, icon=icon, query_params={**view_params(), **params})


def drill_table(context: Context, frame: pd.DataFrame, name: str, link: str, *, key: str,
                column_config: dict | None = None, height: int | None = None, dataset: str | None = None):
    """A table whose rows open another page in this session: ticking a row opens its page.

    `link` names the column holding each row's in-app address, as the SQL writes it
    ("/group_profile?group=G0001"). The address never reaches the browser as a link (a new
    tab, a new session): on screen and in the downloads the row shows the id it opens instead,
    first, as group_id / manager_id.
    """
    targets = frame[link].reset_index(drop=True)
    opened = [link_target(v) if isinstance(v, str) else (None, {}) for v in targets]
    id_column = next((f"{k}_id" for _, params in opened for k in params), f"{link}_id")
    ids = pd.Series([next(iter(params.values()), None) or None for _, params in opened], dtype=object)
    shown = frame.reset_index(drop=True).drop(columns=[link])
    if id_column not in shown:
        shown.insert(0, id_column, ids)
    shown = shown[[id_column, *shown.columns.drop(id_column)]]
    st.caption(":material/ads_click: " + context.t("app.drill_help", page=context.t(f"column.{link}")))
    addresses = [v if i else None for v, i in zip(targets, ids)]
    # A tick opens the page from the callback, before this page would run again; a selection set
    # some other way (through the session state) opens it from here.
    event = show_table(context, shown, name, column_config=column_config, height=height, key=key, dataset=dataset,
                       on_select=functools.partial(_open_ticked, key, addresses))
    _open_ticked(key, addresses, event)
    return event


def _open_ticked(key: str, addresses: list, event=None) -> None:
    rows = (event or st.session_state.get(key) or {}).get("selection", {}).get("rows") or []
    if rows and rows[0] < len(addresses) and addresses[rows[0]]:
        go(addresses[rows[0]])
