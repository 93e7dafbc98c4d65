"""The web page: the server decides who the browser is. Tried against the real servers with a socket.io
client (as the page's widget talks) and plain HTTP: chosen session ids, foreign origins, forged cookies,
the one-time "continue on the web" link, and the page's Content-Security-Policy."""
from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie

import pytest
import socketio

from bot.identity.links import create_link
from bot.identity.tokens import REST, issue
from bot.rasa_plugins.channels.web import COOKIE
from bot.storage.db import Database
from tests.helpers.servers import started

VICTIM = "slack:T0SCHOOL:U0ANA"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with started(tmp_path_factory, "security-web") as servers:
        servers.say(VICTIM, "hi")
        servers.say(VICTIM, "let's do the self-assessment")
        servers.say(VICTIM, "agree")
        yield servers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, method: str = "GET", cookie: str = ""):
    """(status, headers, body) without following redirects."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None,
                                     headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def identity_cookie(headers) -> str:
    """The `name=value` of the identity cookie a response sets ('' when it sets none)."""
    for header in headers.get_all("Set-Cookie") or []:
        if header.startswith(f"{COOKIE}="):
            return header.split(";")[0]
    return ""


class WebChat:
    """A socket.io client speaking as the page's widget does (polling transport)."""

    def __init__(self, servers, cookie: str = "", origin: str = "") -> None:
        self.url = f"http://127.0.0.1:{servers.rasa_port}"
        self.client = socketio.Client(reconnection=False)
        self.said: list[str] = []
        self.confirmed: list[str] = []
        self.arrived = threading.Event()
        self.client.on("bot_uttered", self._bot)
        self.client.on("session_confirm", lambda session: self.confirmed.append(session))
        headers = {"Origin": origin or self.url}
        if cookie:
            headers["Cookie"] = cookie
        self.client.connect(self.url, headers=headers, transports=["polling"], socketio_path="/socket.io",
                            wait_timeout=2)
        self.client.emit("session_request", {"session_id": ""})      # as the widget does on connecting

    def _bot(self, data):
        self.said.append(data.get("text") or "")
        self.arrived.set()

    def say(self, message: str, session_id: str = "", wait_for: str = "", timeout: float = 30) -> list[str]:
        self.said, deadline = [], time.monotonic() + timeout
        self.arrived.clear()
        self.client.emit("user_uttered", {"message": message, "session_id": session_id})
        while time.monotonic() < deadline:
            if self.said and (not wait_for or any(wait_for in s for s in self.said)):
                time.sleep(0.3)      # the rest of the turn's messages
                return self.said
            self.arrived.wait(0.2)
        raise AssertionError(f"no reply with {wait_for!r} to {message!r}; got {self.said}")

    def close(self):
        self.client.eio.disconnect(abort=True)   # without waiting for the open long-poll (up to 25 s)


def page_cookie(servers) -> str:
    status, headers, _ = fetch(f"http://127.0.0.1:{servers.rasa_port}/webhooks/web/")
    assert status == 200
    return identity_cookie(headers)


def user_texts(servers, sender: str) -> list[str]:
    return [e.get("text") for e in servers.get(f"/conversations/{sender}/tracker")["events"] if e.get("event") == "user"]


def test_the_page_names_a_new_participant_in_an_httponly_cookie_under_a_strict_csp(servers):
    status, headers, body = fetch(f"http://127.0.0.1:{servers.rasa_port}/webhooks/web/")
    cookie = next(h for h in headers.get_all("Set-Cookie") if h.startswith(f"{COOKIE}="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "ws:" not in policy and "wss:" not in policy
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)      # no inline script on the page
    assert headers["X-Frame-Options"] == "DENY"
    # a second visit with the cookie keeps it: the same participant
    status, headers, _ = fetch(f"http://127.0.0.1:{servers.rasa_port}/webhooks/web/", cookie=cookie.split(";")[0])
    assert identity_cookie(headers) == ""


def test_without_the_cookie_the_socket_is_refused(servers):
    with pytest.raises(socketio.exceptions.ConnectionError):
        WebChat(servers)
    forged = [
        f"{COOKIE}={issue(VICTIM, 'web', 1, secret='another server secret that is long enough')}",
        f"{COOKIE}={issue(VICTIM, REST, 1, secret=servers.secret)}",           # a REST token is no cookie
        f"{COOKIE}=not-a-token",
    ]
    for cookie in forged:
        with pytest.raises(socketio.exceptions.ConnectionError):
            WebChat(servers, cookie)
    assert user_texts(servers, VICTIM) == ["hi", "let's do the self-assessment", "agree"]


def test_a_page_on_another_site_cannot_connect_even_with_the_cookie(servers):
    cookie = page_cookie(servers)
    with pytest.raises(socketio.exceptions.ConnectionError):
        WebChat(servers, cookie, origin="https://attacker.example")


def test_a_chosen_session_id_changes_nothing_the_cookie_decides(servers):
    cookie = page_cookie(servers)
    chat = WebChat(servers, cookie)
    try:
        chat.client.emit("session_request", {"session_id": VICTIM})
        said = chat.say("show my progress", session_id=VICTIM)
        assert not any("Recorded" in s or "1 of 17" in s for s in said)
        assert chat.confirmed and VICTIM not in chat.confirmed
    finally:
        chat.close()
    assert user_texts(servers, VICTIM) == ["hi", "let's do the self-assessment", "agree"]


def test_a_long_message_on_the_socket_is_refused_kindly(servers):
    chat = WebChat(servers, page_cookie(servers))
    try:
        said = chat.say("Our districts share buses. " * 200, wait_for="shorter parts")
        assert any("5,400 characters" in s for s in said)
    finally:
        chat.close()


def test_continue_on_the_web_works_once_within_fifteen_minutes(servers):
    said = " ".join(m.get("text") or "" for m in servers.say(VICTIM, "open this on the web"))
    link = re.search(r"(http://\S+/webhooks/web/continue/[\w-]+)", said).group(1)
    assert "15 minutes" in said
    status, headers, body = fetch(link)                        # a link preview: shows a button, uses nothing
    assert status == 200 and identity_cookie(headers) == "" and "<form method=\"post\">" in body
    status, headers, _ = fetch(link, "POST")
    assert status == 303 and headers["Location"] == "../"       # back to the page, now as the victim
    cookie = identity_cookie(headers)
    assert cookie
    chat = WebChat(servers, cookie)
    try:
        said = chat.say("continue", wait_for="Question 2")       # the same participant, at the same question
    finally:
        chat.close()
    assert user_texts(servers, VICTIM)[-1] == "continue"
    status, headers, body = fetch(link, "POST")                 # the second use
    assert status == 410 and identity_cookie(headers) == "" and "expired or was already used" in body


def test_an_expired_or_unknown_link_binds_nothing(servers):
    db = Database(servers.database_url, migrate=False)
    try:
        expired = create_link(db, VICTIM, minutes=-1)
    finally:
        db.dispose()
    base = f"http://127.0.0.1:{servers.rasa_port}/webhooks/web/continue/"
    for secret in (expired, "made-up-link-secret", "x" * 300):
        status, headers, _ = fetch(base + secret, "POST")
        assert status == 410 and identity_cookie(headers) == ""
