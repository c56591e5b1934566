"""Journeys in a real browser, on the sample, logged in as each user, in both languages (issue 13).

- executive: changes the period and reads that period's figures (one card checked against a sum over
  the raw billing files), then follows an alert to the page that shows its rows;
- complaints lead: the SLA page's at-risk, breach and open lists hold as many rows as its cards say;
- data admin (on a copy of the sample): the set-aside rows, their download with the export's headers,
  an upload through the uploader and the refresh that counts its rows;
- account manager: only their own book; another manager's group by its address is refused.
Each journey ends by opening its last address in a new browser: after logging in, the same view.
"""
from __future__ import annotations

import io
import re
import shutil

import pandas as pd
import pytest
from playwright.sync_api import expect

from browser_helpers import (LONG, expect_rows, grid, grid_rows, login, menu, metric_value, pick, sidebar, users_toml,
                             warehouse_rows)
from conftest import start_app, wait_for_app
from kam.app import fmt
from kam.i18n import t

pytestmark = pytest.mark.browser
LANGS = ["zh", "en"]


@pytest.fixture(scope="module")
def journeys_url(sample_folder, tmp_path_factory):
    users = users_toml(tmp_path_factory.mktemp("journey_users") / "users.toml", sample_folder)
    proc, url = start_app(sample_folder, KAM_USERS=str(users))
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(autouse=True)
def patient(page):
    page.set_default_timeout(LONG)


def reopened(browser, url: str, user: str):
    """The address opened in a new browser (a new session): the login form, then logged in there."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(LONG)
    page.goto(url)
    login(page, user)
    return context, page


def still_in_session(page, lang: str, period: str | None = None) -> None:
    """Logged in, in the language (and period) the journey chose, no "Page not found"."""
    assert sidebar(page).get_by_role("button", name=t("auth.logout", lang)).is_visible()
    assert f"lang={lang}" in page.url
    if period:
        assert sidebar(page).get_by_role("combobox", name=t("app.period", lang)).input_value() == period
        assert f"period={period}" in page.url
    assert "Page not found" not in page.inner_text("body")


def heading(page, key: str, lang: str):
    return page.get_by_role("heading", name=t(key, lang), exact=True)


def download(page, key: str) -> pd.DataFrame:
    """The table as its download button under it writes it (CSV, UTF-8 with BOM), read with pandas."""
    with page.expect_download() as got:
        page.locator(f".st-key-{key} button").click()
    return pd.read_csv(io.BytesIO(got.value.path().read_bytes()), encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)


# ---------------------------------------------------------------- executive

def billing_revenue(folder, month: str) -> float:
    """Revenue of a month worked out from the raw billing files alone: their amounts of that bill month
    summed (headers English or Chinese; comma, tab or bar separated). The month chosen has no row set
    aside or superseded (checked here: no key twice, every amount a number), so nothing is left out."""
    frames = []
    for path in sorted(folder.glob("billing*")):
        text = path.read_bytes().decode("utf-8-sig")
        first = text.splitlines()[0]
        sep = next((s for s in ("|", "\t") if s in first), ",")
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        frames.append(frame.rename(columns={"账期": "bill_month", "集团编码": "group_id", "用户号码": "subscriber_id",
                                            "费用科目": "fee_item", "金额": "amount"}))
    bills = pd.concat(frames)
    bills = bills[bills.bill_month == month]
    assert not bills.duplicated(["group_id", "subscriber_id", "fee_item"]).any()
    amounts = pd.to_numeric(bills.amount, errors="raise")
    return round(float(amounts.sum()), 2)


def alert_view_shows(page, lang: str, names: list[str]) -> None:
    """The branches page opened by the visit alert: its rule with the alerted branches, and those first in the table."""
    heading(page, "page.branches", lang).wait_for()
    warning = page.locator("[data-testid='stAlert']").filter(has_text=t("column.visit_compliance", lang)).first
    warning.wait_for()
    for name in names:
        assert name in warning.inner_text(), name
    table = grid(page, "branches_table")
    first_rows = [table.locator("[role='row']").nth(i + 1).inner_text() for i in range(len(names))]
    for name in names:
        assert any(name in row for row in first_rows), (name, first_rows)


@pytest.mark.parametrize("lang", LANGS)
def test_an_executive_changes_the_period_and_follows_an_alert_to_its_rows(journeys_url, page, browser,
                                                                          sample_folder, lang):
    june = fmt.fmt_figure(billing_revenue(sample_folder, "202606"), "money", lang)
    page.goto(f"{journeys_url}/?lang={lang}")
    login(page, "ceo")
    revenue = t("metric.revenue.name", lang)
    card = page.locator("[data-testid='stMetric']").filter(has_text=revenue).locator("[data-testid='stMetricValue']")
    default = metric_value(page, revenue)
    assert default != june  # the default period (the latest month) reads otherwise

    pick(page, t("app.period", lang), "2026-06")
    page.wait_for_url(re.compile(r"period=2026-06"))
    expect(card.first).to_have_text(june, timeout=LONG)
    wait_for_app(page, LONG)
    still_in_session(page, lang, "2026-06")

    # the visit alert: its line opens the branch comparison; the branches it names are in its list
    links = page.locator("[data-testid='stPageLink'] a[href*='alert=visit_below']")
    links.first.wait_for()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    named = sorted({m.group(1) for h in hrefs if (m := re.search(r"[?&]branch=(\w+)", h))})
    assert named, hrefs
    names = [n for (n,) in warehouse_rows(sample_folder, "select branch_name from branches where branch_id in ("
                                          + ", ".join(f"'{b}'" for b in named) + ")")]
    whole = next(i for i, h in enumerate(hrefs) if "branch=" not in h)
    links.nth(whole).click()
    page.wait_for_url(re.compile(r"/branches\?.*alert=visit_below"))
    alert_view_shows(page, lang, names)
    wait_for_app(page, LONG)
    still_in_session(page, lang, "2026-06")
    assert len(page.context.pages) == 1  # the same tab

    context, again = reopened(browser, page.url, "ceo")
    try:
        alert_view_shows(again, lang, names)
        still_in_session(again, lang, "2026-06")
    finally:
        context.close()


# ---------------------------------------------------------------- complaints lead

def card_number(page, key: str, lang: str) -> int:
    return int(metric_value(page, t(key, lang)).replace(",", ""))


def card_rate(page, key: str, lang: str) -> float:
    return float(metric_value(page, t(f"metric.{key}.name", lang)).rstrip("%")) / 100


def backlog_tab(page, lang: str):
    return page.get_by_role("tabpanel", name=t("sla.tab_backlog", lang))


def sla_lists_agree_with_the_cards(page, lang: str) -> None:
    """At risk: its tickets are the card's; open: its rows are the card's; breaches not done: as the caption says."""
    panel = backlog_tab(page, lang)
    panel.get_by_text(t("sla.breaches", lang), exact=True).wait_for()
    at_risk = card_number(page, "sla.kpi_at_risk", lang)
    if at_risk:
        listed = download(page, "sla_at_risk_csv")
        assert listed[t("column.ticket_id", lang)].nunique() == at_risk
        expect_rows(grid(page, "sla_at_risk"), len(listed))
    else:
        panel.get_by_text(t("sla.no_at_risk", lang)).wait_for()
    backlog = card_number(page, "sla.kpi_backlog", lang)
    panel.get_by_text(t("sla.open_list", lang, n=fmt.fmt_count(backlog, lang))).click()
    expect_rows(grid(page, "sla_open"), backlog)


@pytest.mark.parametrize("lang", LANGS)
def test_a_complaints_lead_finds_the_lists_agree_with_the_cards(journeys_url, page, browser, lang):
    page.goto(f"{journeys_url}/sla?lang={lang}")
    login(page, "sla_lead")
    heading(page, "page.sla", lang).wait_for()
    tickets = card_number(page, "sla.kpi_tickets", lang)
    response, resolve = card_rate(page, "sla_response_compliance", lang), card_rate(page, "sla_resolve_compliance", lang)
    page.get_by_role("tab", name=t("sla.tab_backlog", lang)).click()
    page.wait_for_url(re.compile(r"view=backlog"))
    wait_for_app(page, LONG)
    panel = backlog_tab(page, lang)

    # every breach of the period's tickets: as many rows per stage as the compliance cards leave
    pending = download(page, "sla_breaches_csv")
    panel.get_by_text(t("sla.only_pending", lang)).click()
    expect(panel.get_by_text(t("sla.breaches_pending", lang, n=fmt.fmt_count(len(pending), lang)).strip())).to_have_count(0)
    wait_for_app(page, LONG)
    everything = download(page, "sla_breaches_csv")
    stage = everything[t("column.sla_stage", lang)]
    for name, rate in (("response", response), ("resolve", resolve)):
        breached = int((stage == t(f"sla.stage.{name}", lang)).sum())
        assert abs(breached - tickets * (1 - rate)) <= tickets * 0.0005 + 1e-9, (name, breached, tickets, rate)
    expect_rows(grid(page, "sla_breaches"), len(everything))
    # the ones not done yet are some of them
    keys = [t("column.ticket_id", lang), t("column.sla_stage", lang)]
    assert set(map(tuple, pending[keys].values)) <= set(map(tuple, everything[keys].values))
    assert len(pending) <= len(everything)

    # back to the default list, the one a copied link shows
    panel.get_by_text(t("sla.only_pending", lang)).click()
    panel.get_by_text(t("sla.breaches_pending", lang, n=fmt.fmt_count(len(pending), lang)).strip()).wait_for()
    wait_for_app(page, LONG)
    expect_rows(grid(page, "sla_breaches"), len(pending))
    sla_lists_agree_with_the_cards(page, lang)
    still_in_session(page, lang)

    context, again = reopened(browser, page.url, "sla_lead")
    try:
        again.get_by_role("tab", name=t("sla.tab_backlog", lang), selected=True).wait_for()
        sla_lists_agree_with_the_cards(again, lang)
        expect_rows(grid(again, "sla_breaches"), len(pending))
        still_in_session(again, lang)
    finally:
        context.close()


# ---------------------------------------------------------------- data admin

SET_ASIDE_HEADERS = {"zh": ["文件", "行号", "状态", "原因", "问题列", "问题值", "账期", "集团编码", "用户号码",
                            "费用科目", "金额"]}


@pytest.fixture
def copy_url(sample_folder, tmp_path):
    """The app on a copy of the loaded sample: uploads and refreshes change the copy only."""
    folder = tmp_path / "exports"
    shutil.copytree(sample_folder, folder, ignore=shutil.ignore_patterns("refresh.lock"))
    users = users_toml(tmp_path / "users.toml", sample_folder)
    proc, url = start_app(folder, KAM_USERS=str(users))
    yield url, folder
    proc.terminate()
    proc.wait(timeout=20)


def loaded_rows(page, lang: str, dataset: str) -> int:
    table = download(page, "data_datasets_csv")
    row = table[table[t("column.dataset", lang)] == t(f"dataset.{dataset}", lang)]
    return int(float(row[t("column.loaded", lang)].iloc[0].replace(",", "")))


def choose(page, label: str, option: str) -> None:
    """Choose an option of a select box in the page, as a person does."""
    page.locator("[data-testid='stMain']").get_by_role("combobox", name=label, exact=True).click()
    page.keyboard.type(option)  # long lists only render the options in view: narrow them first
    page.get_by_role("option").filter(has_text=re.compile(f"^{re.escape(option)}$")).first.click()


def set_aside_download_shows(page, lang: str) -> pd.DataFrame:
    button = page.locator(".st-key-data_download_set_aside button")
    button.wait_for()
    rows = download(page, "data_download_set_aside")
    assert button.inner_text().strip() == t("set_aside.download_csv", lang, rows=len(rows))
    return rows


@pytest.mark.parametrize("lang", LANGS)
def test_a_data_admin_downloads_the_set_aside_rows_uploads_and_refreshes(copy_url, page, browser, tmp_path,
                                                                          sample_folder, lang):
    url, folder = copy_url
    page.goto(f"{url}/?lang={lang}")
    login(page, "data")
    heading(page, "page.data", lang).wait_for()
    assert grid_rows(grid(page, "data_quality")) > 0  # the set-aside rows, by reason
    (billing_set_aside,), = warehouse_rows(sample_folder, "select count(*) from set_aside_rows "
                                                          "where dataset = 'billing' and status = 'set_aside'")

    # the billing rows set aside, downloaded headed as the export files are in that language
    choose(page, t("set_aside.download_dataset", lang), t("dataset.billing", lang))
    page.wait_for_url(re.compile(r"dataset=billing"))
    page.locator(".st-key-data_download_set_aside button").filter(
        has_text=re.compile(r"\d")).wait_for()
    wait_for_app(page, LONG)
    rows = set_aside_download_shows(page, lang)
    if lang == "zh":
        assert list(rows.columns[:11]) == SET_ASIDE_HEADERS["zh"]
        assert not any(re.search(r"[A-Za-z]{3,}", c) for c in rows.columns), list(rows.columns)
    else:
        assert not any(re.search(r"[\u3400-\u9fff]", c) for c in rows.columns), list(rows.columns)
    assert (rows[t("column.status", lang)] == t("status.set_aside", lang)).sum() == billing_set_aside

    # a new billing export through the uploader, then the refresh: its three rows counted as loaded
    before = loaded_rows(page, lang, "billing")
    new_file = tmp_path / "billing_202610_extra.csv"
    new_file.write_text("bill_month,group_id,subscriber_id,fee_item,amount\n"
                        "202610,G00001,13900000001,sms,10.00\n202610,G00002,13900000002,sms,20.00\n"
                        "202610,G00003,13900000003,sms,30.00\n", encoding="utf-8")
    page.get_by_text(t("data.upload", lang)).first.click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(new_file))
    page.locator(f"[data-testid='stFileChipName'][title='{new_file.name}']").wait_for()  # its name, shortened on screen
    upload = page.get_by_role("button", name=t("data.upload_and_refresh", lang))
    expect(upload).to_be_enabled()
    upload.click()
    page.get_by_text(t("data.saved", lang, file=new_file.name)).wait_for()
    done = t("data.refresh_succeeded", lang, run="").split("(")[0].split("（")[0].strip()
    page.get_by_text(re.compile(re.escape(done))).first.wait_for()
    wait_for_app(page, LONG)
    assert (folder / new_file.name).exists()
    assert loaded_rows(page, lang, "billing") == before + 3

    # the refresh button on its own: nothing new, the same rows
    page.get_by_role("button", name=t("data.refresh", lang)).click()
    page.get_by_text(re.compile(re.escape(done))).first.wait_for()
    wait_for_app(page, LONG)
    assert loaded_rows(page, lang, "billing") == before + 3
    still_in_session(page, lang)

    context, again = reopened(browser, page.url, "data")
    try:
        heading(again, "page.data", lang).wait_for()
        assert set_aside_download_shows(again, lang).columns.tolist() == rows.columns.tolist()  # billing's rows
        still_in_session(again, lang)
    finally:
        context.close()


# ---------------------------------------------------------------- account manager

@pytest.mark.parametrize("lang", LANGS)
def test_an_account_manager_sees_only_their_own_book(journeys_url, page, browser, sample_folder, lang):
    from browser_helpers import gz_manager
    manager = gz_manager(sample_folder)
    own = {g for (g,) in warehouse_rows(sample_folder, f"select group_id from groups where manager_id = '{manager}'")}
    (other, other_name), = warehouse_rows(
        sample_folder, f"select group_id, group_name from groups where manager_id <> '{manager}' "
                       "and branch_id = 'GZ' order by group_id limit 1")
    page.goto(f"{journeys_url}/?lang={lang}")
    login(page, "gz_manager")
    for other_page in ("overview", "managers", "branches", "sla"):  # not in their menu
        assert menu(page, t(f"page.{other_page}", lang)).count() == 0, other_page

    menu(page, t("page.manager_profile", lang)).click()
    page.wait_for_url(re.compile(r"/manager_profile\?"))
    heading(page, "page.manager_profile", lang).wait_for()
    page.get_by_role("tab", name=t("managers.profile.tab_book", lang)).click()
    grid(page, "manager_profile_book")
    book = download(page, "manager_profile_book_csv")
    listed = set(book[t("column.group_id", lang)])
    assert listed and listed <= own, listed - own

    # another manager's group by its address (typed in: a new session, so the login first): refused
    page.goto(f"{journeys_url}/group_profile?group={other}&lang={lang}")
    login(page, "gz_manager")
    page.get_by_text(t("customers.profile.not_found", lang)).wait_for()
    assert other_name not in page.inner_text("body")
    assert f"group={other}" in page.url
    context, again = reopened(browser, page.url, "gz_manager")
    try:
        again.get_by_text(t("customers.profile.not_found", lang)).wait_for()
        assert other_name not in again.inner_text("body")
        still_in_session(again, lang)
    finally:
        context.close()
