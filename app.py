"""KAM Cockpit · 大客户经营驾驶舱 — the entry file: page frame, navigation and the shared sidebar."""
from pathlib import Path

import streamlit as st

from kam.app import auth, ui
from kam.storage.masking import install_log_masking
from kam.i18n import LANGS, t
from kam.figures.period import Period

install_log_masking()
st.set_page_config(page_title="KAM Cockpit · 大客户经营驾驶舱", page_icon=":material/monitoring:",
                   layout="wide")

PAGES_DIR = Path(__file__).parent / "pages"
# (section, page file, title key, icon); a page appears once its file exists.
PAGES = [
    ("executive", "overview.py", "page.overview", ":material/dashboard:"),
    ("executive", "branches.py", "page.branches", ":material/compare_arrows:"),
    ("executive", "retention.py", "page.retention", ":material/photo_camera:"),
    ("analysis", "classes.py", "page.classes", ":material/stacked_bar_chart:"),
    ("analysis", "group_profile.py", "page.group_profile", ":material/apartment:"),
    ("analysis", "managers.py", "page.managers", ":material/badge:"),
    ("analysis", "manager_profile.py", "page.manager_profile", ":material/person:"),
    ("analysis", "turnover.py", "page.turnover", ":material/sync_alt:"),
    ("analysis", "visits.py", "page.visits", ":material/event_available:"),
    ("analysis", "orders.py", "page.orders", ":material/filter_alt:"),
    ("analysis", "sla.py", "page.sla", ":material/support_agent:"),
    ("planning", "staffing.py", "page.staffing", ":material/groups:"),
    ("planning", "model_matrix.py", "page.model_matrix", ":material/grid_on:"),
    ("data", "data.py", "page.data", ":material/database:"),
]

# ---------------------------------------------------------------- language first: every label needs it
# The language lives in a plain session key: a widget's own key would be dropped on a page switch.
if "lang" not in st.session_state:
    st.session_state["lang"] = st.query_params.get("lang") if st.query_params.get("lang") in LANGS else "zh"
lang = st.session_state["lang"]


def _choose_language() -> None:
    st.session_state["lang"] = st.session_state["language_radio"]


def login_form() -> None:
    """Local users (users.toml, Argon2 hashes) or the operator's single sign-on (st.login, OIDC)."""
    st.title(t("app.title", lang))
    if ui._sso_configured():
        if not st.user.is_logged_in:
            st.button(t("auth.sso_login", lang), on_click=st.login, icon=":material/login:")
            return
        users = auth.load_users(auth.role_file()) if auth.role_file() else {}
        entry = users.get(st.user.get("email", ""))
        if not entry:
            st.error(t("auth.not_registered", lang))
            return
        st.session_state["viewer"] = auth.viewer_from_entry(st.user["email"], entry)
        st.rerun()
    with st.form("login"):
        user = st.text_input(t("auth.user", lang))
        password = st.text_input(t("auth.password", lang), type="password")
        if st.form_submit_button(t("auth.login", lang)):
            viewer = auth.check_password(auth.load_users(auth.role_file()), user, password)
            if viewer:
                st.session_state["viewer"] = viewer
                st.rerun()
            st.error(t("auth.bad_login", lang))


viewer = ui.current_viewer()
if viewer is None:
    # The login screen is the only page: no other page is listed, or reachable, before it.
    st.navigation([st.Page(login_form, title=t("auth.login", lang), icon=":material/login:")],
                  position="hidden").run()
    st.stop()


wh = ui.warehouse_for(str(ui.data_folder()))
wh.sync()  # a refresh published by `kam ingest` or the Data page is seen at the next click

# ---------------------------------------------------------------- sidebar
with st.sidebar:
    st.session_state["language_radio"] = lang
    st.radio(t("app.language", lang), options=list(LANGS), format_func=LANGS.get, key="language_radio",
             horizontal=True, on_change=_choose_language)
    lang = st.session_state["lang"]
    if viewer.is_local:
        st.caption(":material/computer: " + t("auth.local_mode", lang))
    else:
        st.caption(f":material/person: {viewer.name} · {t('role.' + viewer.role, lang)}")
        if st.button(t("auth.logout", lang), key="logout"):
            st.session_state.pop("viewer", None)
            st.logout() if ui._sso_configured() else st.rerun()
    period = None
    if wh.loaded:
        options = ui.period_options(wh.months())
        if options:
            chosen = st.selectbox(t("app.period", lang), options, key="period")
            period = Period.parse(chosen)
        branches = wh.query("meta/branches", scope=viewer.scope())
        names = dict(zip(branches.branch_id, branches.branch_name))
        st.multiselect(t("app.branch_filter", lang), list(names), format_func=lambda b: names.get(b, b),
                       placeholder=t("app.all_branches", lang), key="branch_filter")
        as_of = wh.as_of()
        fresh = wh.query("meta/freshness")
        st.caption(t("app.as_of", lang) + (f": {as_of:%Y-%m-%d %H:%M}" if as_of else ": —"))
        if not fresh.empty:
            st.caption(t("app.last_refresh", lang) + f": {fresh.finished_at.iloc[0]:%Y-%m-%d %H:%M}")
    else:
        st.warning(t("app.no_data", lang, folder=str(wh.folder)))

scope, comparison = ui.scopes_for(viewer, tuple(st.session_state.get("branch_filter") or ()))
ui.set_context(ui.Context(wh, lang, period, scope, viewer, comparison))

# ---------------------------------------------------------------- navigation: only the pages this viewer may open
sections: dict[str, list] = {}
for section, file_name, title_key, icon in PAGES:
    stem = file_name.removesuffix(".py")
    if (PAGES_DIR / file_name).exists() and viewer.may_open(stem):
        page = st.Page(f"pages/{file_name}", title=t(title_key, lang), icon=icon, url_path=stem)
        sections.setdefault(t(f"app.section.{section}", lang), []).append(page)
# Every page listed: a collapsed menu would end in Streamlit's own "View N more", in English only.
st.navigation(sections, expanded=True).run()
