"""The web page in a real browser: Debian's chromium driven by Playwright, on a phone-sized screen.

Needs /usr/bin/chromium (`make test` installs it) and the chat widget under var/web/ (`make web`).
Screenshots are kept in test-artifacts/ for a person to look at.
"""
from pathlib import Path

import pytest

from bot.rasa_plugins.channels.web import WEBCHAT_JS
from tests.helpers.app import exports
from tests.helpers.servers import PROJECT, Servers

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT / "test-artifacts"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists() or not WEBCHAT_JS.exists():
        pytest.fail(f"needs {CHROMIUM} and {WEBCHAT_JS}: run `make test`, which installs both")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def web_servers(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-web")
    servers = Servers(f"sqlite:///{workdir / 'web.db'}", workdir)
    servers.start()
    yield servers
    servers.stop()


def bot_said(page, piece, timeout=30000):
    page.locator(".rw-response", has_text=piece).last.wait_for(timeout=timeout)


def test_start_answer_with_buttons_and_the_keyboard_reload_and_continue(browser, web_servers):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{web_servers.rasa_port}/webhooks/web/")
    bot_said(page, "I'm Common Ground")                      # the greeting, from initPayload "hi"
    box = page.locator(".rw-new-message")
    box.fill("let's do the self-assessment")
    box.press("Enter")
    bot_said(page, "Question 1 of 17")
    page.get_by_role("button", name="Agree", exact=True).last.click()    # a button, tapped
    bot_said(page, "Recorded agree for question 1")
    bot_said(page, "Question 2 of 17")
    disagree = page.get_by_role("button", name="Disagree", exact=True).last
    disagree.focus()                                          # the keyboard alone: Tab reaches it, Enter presses
    assert page.evaluate("document.activeElement.getAttribute('role')") == "button"
    page.keyboard.press("Enter")
    bot_said(page, "Recorded disagree for question 2")
    bot_said(page, "Question 3 of 17")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-page-before-reload.png"))

    page.reload()
    bot_said(page, "Recorded disagree for question 2")       # the history is still on screen
    bot_said(page, "Question 3 of 17")                        # ...and so is the open question
    box = page.locator(".rw-new-message")
    box.fill("strongly agree, the mayor backs it")
    box.press("Enter")
    bot_said(page, "Recorded strongly agree for question 3")
    box.fill("send me my report")
    box.press("Enter")
    link = page.locator('.rw-response a[href*="/webhooks/reports/"]').last
    link.wait_for(timeout=30000)
    download = page.request.get(link.get_attribute("href"))
    assert download.ok and download.headers["content-type"].startswith("application/vnd.openxmlformats")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]                             # nothing runs off a phone's screen
    page.screenshot(path=str(ARTIFACTS / "web-page.png"))
    context.close()
    answers = web_servers.export(_sender(web_servers))["self_assessment"]["unifying_purpose"]["factors"]
    assert [answers[f"unifying_purpose_{n}"]["rating"] for n in (1, 2, 3)] == ["agree", "disagree", "strongly_agree"]


def _sender(servers) -> str:
    """The one conversation the page had (the server named it when it set the page's cookie)."""
    from sqlalchemy import create_engine, text
    engine = create_engine(servers.database_url, future=True)
    with engine.connect() as connection:
        senders = [row[0] for row in connection.execute(text("SELECT sender_id FROM participants"))]
    engine.dispose()
    assert len(senders) == 1, senders
    return senders[0]


def test_a_rendered_page_of_the_html_report(browser, tmp_path, sqlite_db, kb):
    from bot.app import build
    from bot.reports.blocks import user_report
    from bot.reports.html import write_html
    guide = build(sqlite_db, kb).guide
    guide.start_self_assessment("u")
    guide.assessment.handle("u", "agree, <b>our</b> board meets monthly")
    path = write_html(user_report(exports(sqlite_db).user("u"), kb), tmp_path / "report.html")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(path.as_uri())
    assert page.locator("h1").inner_text() == "Common Ground: the work of u"
    first = page.locator("table").nth(0)
    assert first.locator("th").all_inner_texts()[:3] == ["#", "Factor", "Strongly disagree"]
    assert "Our board meets monthly" in first.locator("tr").nth(1).inner_text()
    sizes = page.evaluate("[...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert sizes == [[True, 900, 500], [True, 900, 500]]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "html-report.png"), full_page=False)
    page.close()


def test_started_elsewhere_finished_in_the_browser_through_a_one_time_link(browser, web_servers):
    """A principal answers two questions over REST (as Slack or Teams would carry them), asks for the
    web, opens the link on a laptop: the same participant, at the same question."""
    s, user = web_servers, "slack:T0SCHOOL:U0PRINCIPAL"
    s.say(user, "let's do the self-assessment")
    s.say(user, "agree")
    said = " ".join(m.get("text") or "" for m in s.say(user, "can I continue on my laptop?"))
    link = next(word for word in said.split() if "/webhooks/web/continue/" in word)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(link)
    page.get_by_role("button", name="Continue in this browser").click()
    page.wait_for_url("**/webhooks/web/")
    rating = page.get_by_role("button", name="Strongly agree", exact=True).last
    rating.wait_for(timeout=30000)                            # the open question's buttons, on a fresh page
    rating.click()
    bot_said(page, "Recorded strongly agree for question 2")
    context.close()
    factors = s.export(user)["self_assessment"]["unifying_purpose"]["factors"]
    assert [factors[f"unifying_purpose_{n}"]["rating"] for n in (1, 2)] == ["agree", "strongly_agree"]
    # the link is spent: a second browser gets nothing
    other = browser.new_context()
    page = other.new_page()
    page.goto(link)
    page.get_by_role("button", name="Continue in this browser").click()
    assert "expired or was already used" in page.content()
    other.close()
