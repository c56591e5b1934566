"""Opening one page of the app in Streamlit's AppTest, as a person opens its address: the one way the page
tests do it (the warehouse comes from KAM_DATA, which each test sets with monkeypatch)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def open_app_page(page: str, lang: str, *, period: str | None = None, session: dict | None = None,
                  timeout: float = 60, **query) -> AppTest:
    """The app run once on its first page, then switched to `pages/<page>.py` with `query` in the URL.

    `period` and `session` are set before the first run, as the sidebar's pickers leave them; a traceback on
    the page fails the test with its stack."""
    at = AppTest.from_file("../app.py", default_timeout=timeout)
    at.session_state["lang"] = lang
    if period:
        at.session_state["period"] = period
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    return at
