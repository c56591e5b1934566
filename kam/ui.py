"""What every page shares: the viewer's context, labels, tables with downloads, definitions.

app.py sets the context up once per run (language, period, branch filter, the
warehouse); pages read it with `ctx()` and describe their screen with the helpers here.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import streamlit as st

from kam.downloads import to_csv_bytes, to_xlsx_bytes
from kam.fmt import mask_frame
from kam.i18n import t
from kam.period import Period
from kam.query import NoData, Scope, Warehouse
from kam.schema import PERSONAL_COLUMNS
from kam.settings import load_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Context:
    wh: Warehouse
    lang: str
    period: Period | None
    scope: Scope

    def t(self, key: str, **fmt) -> str:
        return t(key, self.lang, **fmt)

    def query(self, name: str, params: dict | None = None) -> pd.DataFrame:
        """A page query with the period's parameters and the viewer's scope bound."""
        base = self.wh.period_params(self.period) if self.period else {}
        base.update(params or {})
        return self.wh.query(name, base, self.scope)


def data_folder() -> Path:
    return Path(os.environ.get("KAM_DATA", REPO_ROOT / "data" / "sample"))


@st.cache_resource(show_spinner=False)
def warehouse_for(folder: str) -> Warehouse:
    """One warehouse handle per export folder, shared by every session of the server."""
    return Warehouse(Path(folder), load_settings())


def ctx() -> Context:
    """The context app.py prepared for this run; a page run alone (tests) gets a default one."""
    context = st.session_state.get("_kam_context")
    if context is None:
        wh = warehouse_for(str(data_folder()))
        wh.sync()
        context = Context(wh, st.session_state.get("lang", "zh"), wh.default_period() if wh.loaded else None,
                          Scope())
    return context


def set_context(context: Context) -> None:
    st.session_state["_kam_context"] = context


def require_data(context: Context) -> None:
    """Stop the page with a clear message when the folder has never been loaded."""
    if not context.wh.loaded or context.period is None:
        st.info(context.t("app.no_data", folder=str(context.wh.folder)))
        st.stop()


def label_column(frame: pd.DataFrame, column: str, prefix: str, lang: str) -> pd.DataFrame:
    """Replace codes (class A, fee_item line…) with their label in the viewer's language."""
    if column in frame.columns:
        frame = frame.copy()
        frame[column] = frame[column].map(lambda v: t(f"{prefix}.{v}", lang) if pd.notna(v) else v)
    return frame


def show_table(context: Context, frame: pd.DataFrame, name: str, *, column_config: dict | None = None,
               height: int | None = None, key: str | None = None, on_select=None):
    """A table as shown on screen (phone numbers masked) with CSV and Excel downloads."""
    see_phones = context.scope.see_phone_numbers
    personal = [c for c in frame.columns if c in PERSONAL_COLUMNS]
    shown = frame if see_phones or not personal else mask_frame(frame, columns=tuple(personal))
    headers = {c: context.t(f"column.{c}") if not c.startswith("_") else c for c in shown.columns}
    kwargs = {"hide_index": True, "column_config": column_config or {}}
    if height:
        kwargs["height"] = height
    if on_select:
        kwargs.update(on_select=on_select, selection_mode="single-row", key=key)
    event = st.dataframe(shown.rename(columns=headers), **kwargs)
    left, right, _ = st.columns([1, 1, 4])
    stem = f"{name}_{context.period.label if context.period else 'all'}"
    left.download_button(context.t("app.download_csv"), to_csv_bytes(frame, see_phones),
                         file_name=f"{stem}.csv", mime="text/csv", key=f"{key or name}_csv")
    right.download_button(context.t("app.download_xlsx"), to_xlsx_bytes(frame, see_phones),
                          file_name=f"{stem}.xlsx", key=f"{key or name}_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return event


def definitions(context: Context, *metric_keys: str) -> None:
    """Each figure's definition (metrics.md), one click away, in the viewer's language."""
    with st.expander(context.t("app.definitions"), icon=":material/help:"):
        for key in metric_keys:
            st.markdown(f"**{context.t(f'metric.{key}.name')}** — {context.t(f'metric.{key}.help')}")
        settings_file = getattr(context.wh.settings, "path", None)
        if settings_file:
            st.caption(context.t("app.settings_used", file=str(settings_file)))


def period_options(months: list[dt.date]) -> list[str]:
    """Months newest first, then the quarters they make up."""
    labels = [m.strftime("%Y-%m") for m in months]
    quarters = sorted({f"{m.year}-Q{(m.month - 1) // 3 + 1}" for m in months}, reverse=True)
    return labels + quarters
