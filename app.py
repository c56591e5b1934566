"""KAM Cockpit · 大客户经营驾驶舱 — the entry file: page frame, navigation and the shared sidebar.

Every page has its own address (/overview, /group_profile?group=G0001…) and the URL carries the
view: language, period and branch filter (app.py) plus what a page shows (group, manager, KPI,
tab; the page). The URL wins when it names a valid value (a copied link, the browser's back
button); a change in the sidebar writes the URL in its callback, before this script reads it back;
and every run puts the session's view back into the URL, so copying it copies the view.
"""
import math
from pathlib import Path

import streamlit as st

from kam.app import auth, chrome, login_guard, ui
from kam.figures.settings import load_settings
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
    ("executive", "warnings.py", "page.warnings", ":material/notification_important:"),
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
if st.query_params.get("lang") in LANGS:
    st.session_state["lang"] = st.query_params["lang"]
st.session_state.setdefault("lang", "zh")
lang = st.session_state["lang"]
chrome.apply(lang)  # Streamlit's own controls: reworded in lang, or hidden where they cannot be
chrome.quiet_page_not_found()  # an unknown address: our notice in lang, not Streamlit's English modal
STEMS = [f.removesuffix(".py") for _, f, _, _ in PAGES if (PAGES_DIR / f).exists()]
HOME = "home"  # the url_path behind the root address, logged in or not


def _view_to_url() -> None:
    """Put the session's shared view into the URL, keeping the page's own parameters (group=…)."""
    view = {k: v if isinstance(v, list) else [v] for k, v in ui.view_params().items()}
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if all(current.get(k) == view.get(k) for k in ui.VIEW_PARAMS):
        return  # unchanged: no new entry in the browser's history
    st.query_params.from_dict({**view, **{k: v for k, v in current.items() if k not in ui.VIEW_PARAMS}})


def _choose_language(widget_key: str) -> None:
    # Only the language: on the login form the rest of the URL is the view a copied link asks for.
    st.session_state["lang"] = st.query_params["lang"] = st.session_state[widget_key]


def language_picker(where, key: str) -> str:
    st.session_state[key] = st.session_state["lang"]
    where.radio(t("app.language", lang), options=list(LANGS), format_func=LANGS.get, key=key,
                horizontal=True, on_change=_choose_language, args=(key,))
    return st.session_state["lang"]


def login_form() -> None:
    """Local users (users.toml, Argon2 hashes) or the operator's single sign-on (st.login, OIDC)."""
    st.title(t("app.title", lang))
    language_picker(st, "login_language")
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
            viewer, verdict = login_guard.attempt(auth.load_users(auth.role_file()), user, password,
                                                  _client_address(), load_settings().login)
            if viewer:
                st.session_state["viewer"] = viewer
                st.rerun()  # same address, same parameters: the page the link named, now with its content
            if verdict.locked:
                st.error(t("auth.locked", lang, minutes=math.ceil(verdict.seconds / 60)))
            elif verdict.seconds > 0:
                st.error(t("auth.bad_login_wait", lang, seconds=math.ceil(verdict.seconds)))
            else:
                st.error(t("auth.bad_login", lang))


def _client_address() -> str | None:
    """The client's address for the login throttle: the connection's, else what a local proxy passed on."""
    address = st.context.ip_address  # None for localhost (also where a local proxy forwards from)
    forwarded = st.context.headers.get("X-Forwarded-For") or st.context.headers.get("X-Real-IP")
    if not isinstance(address, str) and isinstance(forwarded, str):
        # the last entry is the one the proxy itself saw; earlier ones are whatever the client claimed
        address = forwarded.split(",")[-1].strip()
    return address if isinstance(address, str) and address else None


viewer = ui.current_viewer()
if viewer is None:
    # The login form is the only thing to see, but under every page's address: a copied link
    # (/group_profile?group=G0001&period=2026-Q3) shows the login, no "Page not found", and the
    # rerun after logging in opens that very page with the view its URL names.
    title = t("auth.login", lang)
    login = [st.Page(login_form, title=title, icon=":material/login:", url_path=HOME, default=True)]
    login += [st.Page(login_form, title=title, icon=":material/login:", url_path=stem, visibility="hidden")
              for stem in STEMS]
    login_page = st.navigation(login, position="hidden")
    chrome.say_page_not_found(lang)
    login_page.run()
    st.stop()


def log_out() -> None:
    """Logging out leaves nothing of this user for the next one on this browser but the language:
    no viewer, filter, period, selected group or manager, page keys, nor the URL that named them."""
    kept = st.session_state["lang"]
    st.session_state.clear()
    st.session_state["lang"] = kept
    if ui._sso_configured():
        st.logout()
    st.switch_page(home, query_params={"lang": kept})  # the next user starts at the root


# ---------------------------------------------------------------- pages: every one under its own address
# A page this viewer may not open is registered hidden: its address gets the refusal (ui.ctx), in
# the viewer's language, instead of Streamlit's "Page not found".
sections: dict[str, list] = {}
hidden = []
home = None
for section, file_name, title_key, icon in PAGES:
    stem = file_name.removesuffix(".py")
    if stem in STEMS:
        allowed = viewer.may_open(stem)
        page = st.Page(f"pages/{file_name}", title=t(title_key, lang), icon=icon, url_path=stem,
                       visibility="visible" if allowed else "hidden")
        (sections.setdefault(t(f"app.section.{section}", lang), []) if allowed else hidden).append(page)
        if allowed and home is None:
            # The root address shows the viewer's first page (the overview; the Data page for a data admin)
            # as a hidden copy: /overview stays the overview's own address, and no redirect from the root
            # traps the browser's back button.
            home = st.Page(f"pages/{file_name}", title=t(title_key, lang), icon=icon, url_path=HOME,
                           default=True, visibility="hidden")

wh = ui.warehouse_for(str(ui.data_folder()))
wh.sync()  # a refresh published by `kam ingest` or the Data page is seen at the next click

# ---------------------------------------------------------------- sidebar
with st.sidebar:
    lang = language_picker(st, "language_radio")
    if viewer.is_local:
        st.caption(":material/computer: " + t("auth.local_mode", lang))
    else:
        st.caption(f":material/person: {ui.plain(viewer.name)} · {t('role.' + viewer.role, lang)}")
        st.button(t("auth.logout", lang), key="logout", on_click=log_out)
    period = None
    if wh.loaded:
        options = ui.period_options(wh.months())
        if options:
            if st.query_params.get("period") in options:
                st.session_state["period"] = st.query_params["period"]
            chosen = st.selectbox(t("app.period", lang), options, key="period", on_change=_view_to_url)
            period = Period.parse(chosen)
        branches = wh.query("meta/branches", scope=viewer.scope())
        names = dict(zip(branches.branch_id, branches.branch_name))
        if "branches" in st.query_params:  # only branches this viewer may pick: a URL widens nothing
            st.session_state["branch_filter"] = [b for b in st.query_params.get_all("branches") if b in names]
        st.multiselect(t("app.branch_filter", lang), list(names), format_func=lambda b: names.get(b, b),
                       placeholder=t("app.all_branches", lang), key="branch_filter", on_change=_view_to_url)
        as_of = wh.as_of()
        fresh = wh.query("meta/freshness")
        st.caption(t("app.as_of", lang) + (f": {as_of:%Y-%m-%d %H:%M}" if as_of else ": —"))
        if not fresh.empty:
            st.caption(t("app.last_refresh", lang) + f": {fresh.finished_at.iloc[0]:%Y-%m-%d %H:%M}")
    else:
        st.warning(t("app.no_data", lang, folder=ui.plain(wh.folder)))
_view_to_url()

scope, comparison = ui.scopes_for(viewer, tuple(st.session_state.get("branch_filter") or ()))
ui.set_context(ui.Context(wh, lang, period, scope, viewer, comparison))

# ---------------------------------------------------------------- navigation: the pages this viewer may open
# Every page listed: a collapsed menu would end in Streamlit's own "View N more", in English only.
current_page = st.navigation({**sections, "": [*hidden, home]}, expanded=True)
chrome.say_page_not_found(lang)
current_page.run()
