"""Streamlit's own controls in the viewer's language: reworded where CSS can, hidden where not.

Streamlit has no translation of its built-in words. What the project's config hides
(.streamlit/config.toml: the "Deploy" button and developer menu, the tables' own CSV download)
is not repeated here; this is what is left on a page:
- The file uploader's button ("Upload") and instructions ("1GB per file • CSV, ...") are drawn
  by Streamlit in English: CSS replaces both with our words, the size from our own limit.
- A table's search box ("Type to search", "No results") and column picker, and every column's
  menu (sort, statistics, pin, hide), speak English only: hidden. Sorting by clicking a header,
  resizing and our own downloads stay.
- Toolbar buttons left (fullscreen) are icons: their English tooltips are not shown.
"""
from __future__ import annotations

import streamlit as st

from kam.i18n import t
from kam.storage.uploads import MAX_UPLOAD_BYTES

_HIDDEN = """
[data-testid="stDataFrame"] [data-testid="stElementToolbarButton"]:has(button[aria-label="Search"]),
[data-testid="stDataFrame"] [data-testid="stElementToolbarButton"]:has(button[aria-label="Show/hide columns"]),
[data-testid="stDataFrameColumnMenu"],
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"],
[data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }
body:has([data-testid="stElementToolbar"] button:hover) #stFloatingOverlayPortal { display: none; }
"""


def css_text(text: str) -> str:
    """text as a CSS string literal (content: ...), whatever quotes or backslashes it holds."""
    return '"' + "".join(c if c.isalnum() or c in " ·，、：；（）()." else f"\\{ord(c):x} " for c in text) + '"'


def upload_limit(lang: str) -> str:
    """Our own upload limit in words (每个文件不超过 1 GB), from kam.storage.uploads."""
    gib = MAX_UPLOAD_BYTES / (1 << 30)
    size = f"{gib:g} GB" if gib >= 1 else f"{MAX_UPLOAD_BYTES / (1 << 20):g} MB"
    return t("data.upload_limit", lang, size=size)


def style(lang: str) -> str:
    """The stylesheet for one language."""
    return _HIDDEN + f"""
[data-testid="stFileUploaderDropzone"] button span[data-has-shortcut]::after {{
    content: {css_text(t("data.upload_button", lang))}; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
    content: {css_text(t("data.upload_drop", lang) + " · " + upload_limit(lang))}; }}
"""


def apply(lang: str) -> None:
    """Called once per run by app.py, before any page draws (a style tag takes no room)."""
    st.html(f"<style>{style(lang)}</style>")


# ---------------------------------------------------------------- an address that names no page
# Streamlit answers one with an English modal ("Page not found … in the app's pages/ directory") and runs
# the first page. The function st.navigation calls to send that modal is replaced by one that only notes it
# in the session, and app.py says it in the viewer's language. A private hook of Streamlit 1.67's
# (streamlit/commands/navigation.py): tests/test_browser_navigation.py fails if a release renames it.
_NOT_FOUND_KEY = "page_not_found"


def _note_page_not_found(ctx) -> None:
    st.session_state[_NOT_FOUND_KEY] = True


def quiet_page_not_found() -> None:
    """Called by app.py before st.navigation (idempotent)."""
    import streamlit.commands.navigation as navigation
    navigation.send_page_not_found = _note_page_not_found


def say_page_not_found(lang: str) -> None:
    """After st.navigation: the notice, in lang, when the address named no page."""
    if st.session_state.pop(_NOT_FOUND_KEY, False):
        st.toast(t("app.page_not_found", lang), icon=":material/travel_explore:", duration="long")
