"""Shared fixtures: small hand-made export folders, and the generated sample loaded once."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# .streamlit/config.toml shows users Streamlit's generic notice for an unexpected error; a test
# that fails on one (AppTest here, or a server started below, which inherits it) prints it whole.
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")


def write_text(path: Path, header: list[str], rows: list[list[str]], *, delimiter: str = ",",
               encoding: str = "utf-8") -> Path:
    """A delimited export file exactly as given (no quoting magic: cells must not hold the delimiter)."""
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


BRANCHES = (["branch_id", "branch_name", "mgmt_model"],
            [["GZ", "广州", "support"], ["SZ", "深圳", "parallel"]])
MANAGERS = (["manager_id", "manager_name", "branch_id", "star_level", "employment", "hire_date", "leave_date"],
            [["M1", "张三", "GZ", "3", "staff", "2020-01-01", ""],
             ["M2", "李四", "SZ", "2", "outsourced", "2021-01-01", ""]])
GROUPS = (["group_id", "group_name", "branch_id", "industry", "sector", "class", "manager_id", "open_date", "close_date"],
          [["G1", "甲集团", "GZ", "政府", "government", "A", "M1", "2020-01-01", ""],
           ["G2", "乙集团", "SZ", "金融", "enterprise", "B", "M2", "2020-01-01", ""]])


@pytest.fixture
def base_folder(tmp_path) -> Path:
    """A valid folder with two branches, two managers and two groups, ready for more files."""
    folder = tmp_path / "exports"
    folder.mkdir()
    write_text(folder / "branches.csv", *BRANCHES)
    write_text(folder / "managers.csv", *MANAGERS)
    write_text(folder / "groups.csv", *GROUPS)
    return folder


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory) -> Path:
    """The bundled sample, generated once per test session and loaded into its warehouse."""
    from kam.tooling.sample import write_sample
    from kam.storage.warehouse import refresh

    folder = tmp_path_factory.mktemp("sample")
    planted = write_sample(folder)
    refresh(folder)
    (folder / ".kam" / "planted.json").write_text(json.dumps(planted, ensure_ascii=False))
    return folder


@pytest.fixture(scope="session")
def sample_planted(sample_folder) -> dict:
    return json.loads((sample_folder / ".kam" / "planted.json").read_text())


# ---------------------------------------------------------------- browser tests

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(folder: Path, **env_extra: str):
    """Start `streamlit run app.py` on an export folder; returns (process, url) once healthy."""
    import subprocess
    import sys
    import time
    import urllib.request

    port = _free_port()
    env = dict(os.environ, KAM_DATA=str(folder), **env_extra)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start")
    return proc, url


@pytest.fixture(scope="session")
def app_url(sample_folder):
    """The real app on the sample in local single-user mode, started once for the session."""
    proc, url = start_app(sample_folder, KAM_USERS=str(sample_folder / ".kam" / "no-users.toml"))
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()


# Connected, the script has finished its run (Streamlit's own e2e tests wait on that attribute), the status
# widget no longer shows it running, and nothing on screen is a stale copy left from the run before.
APP_SETTLED_JS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    return !!app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
        && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector("[data-testid='stStatusWidgetRunningIcon'], [data-testid='stStatusWidgetRunningManIcon']")
        && !document.querySelector("[data-stale='true']");
}"""


def wait_for_app(pg, timeout: float = 60_000) -> None:
    """Until the app has settled after a run. A run an action has only just asked for may not have
    started yet: the caller then also waits for what that run shows (an element, the URL it writes)."""
    pg.wait_for_function(APP_SETTLED_JS, timeout=timeout)
