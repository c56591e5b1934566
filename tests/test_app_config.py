"""The project's Streamlit settings (.streamlit/config.toml): what an operator's users must not see is off."""
from __future__ import annotations

import tomllib
from pathlib import Path

from kam.storage.uploads import MAX_UPLOAD_BYTES

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"


def test_users_get_no_developer_chrome_and_no_error_details():
    client = tomllib.loads(CONFIG.read_text("utf-8"))["client"]
    assert client["toolbarMode"] == "minimal"  # no Deploy button, no developer menu
    assert client["showErrorDetails"] == "none"  # no message or traceback on screen; the log has them
    assert client["disableDataExport"] is True  # the tables' own English CSV button; ours stays


def test_streamlit_takes_every_upload_our_own_check_would():
    server = tomllib.loads(CONFIG.read_text("utf-8"))["server"]
    assert server["maxUploadSize"] * (1 << 20) == MAX_UPLOAD_BYTES


def test_streamlit_reads_this_file_when_started_from_the_repository(monkeypatch):
    from streamlit import config
    monkeypatch.chdir(CONFIG.parent.parent)
    monkeypatch.delenv("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", raising=False)  # tests/conftest.py's
    config.get_config_options(force_reparse=True)
    try:
        assert config.get_option("client.toolbarMode") == "minimal"
        assert config.get_option("client.showErrorDetails") == "none"
    finally:
        monkeypatch.undo()
        config.get_config_options(force_reparse=True)
