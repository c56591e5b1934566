"""Measuring each page in Chromium (Playwright) against `streamlit run app.py`, and the app's memory."""
from __future__ import annotations

import ast
import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from kam.tooling.bench.folders import REPO_ROOT, Say
from kam.tooling.bench.results import GIB, TARGET_APP_GIB, TARGET_PAGE, Result, Row

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


def page_stems() -> list[str]:
    """The pages app.py registers whose file exists (its PAGES list, read without running it)."""
    tree = ast.parse((REPO_ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            pages = ast.literal_eval(node.value)
            return [Path(p[1]).stem for p in pages if (REPO_ROOT / "pages" / p[1]).exists()]
    return []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(folder: Path):
    """`streamlit run app.py` on the folder, as tests/conftest.py starts it; yields (url, pid)."""
    import urllib.request
    port = _free_port()
    env = dict(os.environ, KAM_DATA=str(folder))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start")
        yield url, proc.pid
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        if proc.poll() is None:
            proc.kill()


def peak_rss(pid: int) -> int:
    """Peak resident memory of a running process (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


_DRAWN = ("() => { const a = document.querySelector(\"[data-testid='stApp']\");"
          " return a && a.getAttribute('data-test-script-state') === 'notRunning'"
          " && !document.querySelector(\"[data-testid='stSkeleton']\"); }")


def time_page(pg, url: str, timeout_ms: float = 120_000) -> float:
    """Seconds from loading the URL until the page is drawn: the app is there and its script has
    finished (tests/conftest.py's wait_for_app, without its fixed pause) with no skeleton left."""
    start = time.perf_counter()
    pg.goto(url)
    pg.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    pg.wait_for_function(_DRAWN, timeout=timeout_ms)
    return time.perf_counter() - start


def _nav_link(pg, base: str, stem: str, default: bool) -> str | None:
    """The selector of the page's link in the app's navigation (expanded if it hides pages)."""
    more = pg.query_selector("[data-testid='stSidebarNavViewButton']")
    if more is not None and "more" in (more.inner_text() or "").lower():
        more.click()
        pg.wait_for_timeout(200)
    hrefs = [f"{base}/{stem}"] + ([f"{base}/", base] if default else [])
    for href in hrefs:
        selector = f"[data-testid='stSidebarNav'] a[href='{href}']"
        if pg.query_selector(selector) is not None:
            return selector
    return None


def time_navigation(pg, base: str, stem: str, default: bool = False, timeout_ms: float = 120_000) -> float:
    """Seconds from clicking the page's link in the app's navigation until it is drawn: what a user
    waits for once the app is open (the browser keeps the app; only the page's script runs). The
    caller makes sure another page is showing. Without a link, the page's URL is loaded instead."""
    link = _nav_link(pg, base, stem, default)
    if link is None:
        return time_page(pg, base + "/" if default else f"{base}/{stem}", timeout_ms)
    # A flag set when the script starts, so the wait cannot end on the previous page's finished state.
    pg.evaluate("""() => { window.__kamRan = false;
        const a = document.querySelector("[data-testid='stApp']");
        new MutationObserver(() => { if (a.getAttribute('data-test-script-state') === 'running')
            window.__kamRan = true; }).observe(a, {attributes: true}); }""")
    start = time.perf_counter()
    pg.click(link, timeout=timeout_ms)
    pg.wait_for_function(f"() => window.__kamRan && ({_DRAWN})()", timeout=timeout_ms)
    return time.perf_counter() - start


def measure_pages(scale: str, folder: Path, say: Say, result: Result, pages: list[str] | None = None) -> None:
    """Each page opened from the app's navigation twice: the first time runs its queries, the second
    (warm) finds them in the query layer's cache, as every later visit by any user does. A page that
    does not finish within the timeout is recorded at the timeout, with the error."""
    from playwright.sync_api import sync_playwright
    every = page_stems()
    stems = pages if pages is not None else every
    default = every[0] if every else None
    with running_app(folder) as (url, pid), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            pg = context.new_page()
            result.details[f"{scale}:app_load"] = time_page(pg, url + "/")
            showing = default
            times: dict[str, list] = {stem: [] for stem in stems}
            for visit in ("first visit", "warm"):
                for stem in stems:
                    say(f"{scale}: page {stem} ({visit})")
                    if stem == showing:  # another page first, untimed, so that the click runs this one
                        other = next(s for s in every if s != stem)
                        _visit(pg, url, other, other == default)
                    times[stem].append(_visit(pg, url, stem, stem == default))
                    showing = stem
            for stem in stems:
                (first, _), (warm, error) = times[stem]
                result.rows.append(Row(f"page {stem}: warm", scale, warm, target=f"≤ {TARGET_PAGE:g} s",
                                       note=error or f"first visit {first:.2f} s"))
            context.close()
        finally:
            browser.close()
        result.rows.append(Row("memory: peak of the app, every page opened", scale, peak_rss(pid) / GIB,
                               unit="GiB", target=f"≤ {TARGET_APP_GIB:g} GiB"))


PAGE_TIMEOUT_MS = 120_000


def _visit(pg, url: str, stem: str, default: bool) -> tuple[float, str]:
    """(seconds, "") or, when the page did not finish, (the timeout, why)."""
    try:
        return time_navigation(pg, url, stem, default, PAGE_TIMEOUT_MS), ""
    except Exception as exc:  # noqa: BLE001 — a page that hangs or fails is a result, not a crash
        with contextlib.suppress(Exception):
            time_page(pg, url + "/")
        return PAGE_TIMEOUT_MS / 1000, f"did not finish: {str(exc).splitlines()[0][:120]}"
