"""Who is talking over REST is proven, Rasa's HTTP API is closed, and no message is too big to refuse:
each attack of issue 15 tried against the real servers."""
from __future__ import annotations

import json
import re
import time
import urllib.request

import jwt
import pytest

import rasa.server
from bot.identity.secret import key_for
from bot.identity.tokens import WEB, issue
from tests.helpers.servers import started

VICTIM = "slack:T0SCHOOL:U0ANA"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with started(tmp_path_factory, "security-rest") as servers:
        # the victim has started the self-assessment and given one rating
        servers.say(VICTIM, "hi")
        servers.say(VICTIM, "let's do the self-assessment")
        servers.say(VICTIM, "agree")
        yield servers


def webhook(servers, body, token=None, raw: bytes = None, headers=None):
    data = raw if raw is not None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    status, text = servers.post("/webhooks/rest/webhook", data, sent)
    return status, text


def victims_events(servers) -> list[dict]:
    return servers.get(f"/conversations/{VICTIM}/tracker")["events"]


def test_without_a_token_nobody_speaks_as_the_victim(servers):
    before = len(victims_events(servers))
    status, text = webhook(servers, {"sender": VICTIM, "message": "show my progress"})
    assert status == 401 and "Sign in" in text and "Recorded" not in text
    status, _ = webhook(servers, {"sender": VICTIM, "message": "hi"}, headers={"Authorization": "Basic YW5hOmFuYQ=="})
    assert status == 401
    assert len(victims_events(servers)) == before      # nothing reached the conversation


def test_a_token_for_someone_else_is_forbidden_and_tells_nothing(servers):
    status, text = webhook(servers, {"sender": VICTIM, "message": "show my progress"}, token=servers.token("mallory"))
    assert status == 403 and "not for this sender" in text
    assert "agree" not in text.lower() and "question" not in text.lower()


def test_forged_expired_and_misused_tokens_are_refused(servers):
    now = int(time.time())
    claims = {"sub": VICTIM, "aud": "rest", "iss": "common-ground", "iat": now, "exp": now + 3600}
    forged = [
        jwt.encode(claims, "a guessed secret that is long enough to sign", algorithm="HS256"),   # another key
        jwt.encode(claims, None, algorithm="none"),                                             # unsigned
        jwt.encode(claims, key_for("api", servers.secret), algorithm="HS256"),                  # the API's key
        jwt.encode({**claims, "exp": now - 10, "iat": now - 100},                               # expired
                   key_for("token:rest", servers.secret), algorithm="HS256"),
        issue(VICTIM, WEB, 1, secret=servers.secret),                                          # a web cookie
        servers.token("mallory")[:-4] + "AAAA",                                                # tampered
    ]
    header, payload, signature = servers.token("mallory").split(".")
    swapped = json.loads(jwt.utils.base64url_decode(payload))
    swapped["sub"] = VICTIM                                                                    # subject swapped
    forged.append(".".join([header, jwt.utils.base64url_encode(json.dumps(swapped).encode()).decode(), signature]))
    for token in forged:
        status, text = webhook(servers, {"message": "show my progress"}, token=token)
        assert status == 401, (token, text)


def test_the_token_alone_says_who_speaks(servers):
    status, text = webhook(servers, {"message": "hi"}, token=servers.token("no-sender-in-body"))
    assert status == 200 and json.loads(text)[0]["recipient_id"] == "no-sender-in-body"
    events = servers.get("/conversations/no-sender-in-body/tracker")["events"]
    assert any(e.get("event") == "user" and e.get("text") == "hi" for e in events)
    assert "hi" not in [e.get("text") for e in servers.get("/conversations/default/tracker")["events"]]


@pytest.mark.parametrize("raw, reason", [
    (b"[1, 2]", "JSON object"),
    (b'{"message": 5}', '"message" as a string'),
    (b'{"message": null}', '"message" as a string'),
    (b'{"sender": "x"}', '"message" as a string'),
    (b'{"message": "hi", "sender": ["x"]}', '"sender"'),
    (b"{not json", "JSON object"),
    (b"", "JSON object"),
])
def test_malformed_bodies_get_a_clear_400(servers, raw, reason):
    status, text = webhook(servers, None, token=servers.token("x"), raw=raw)
    assert status == 400 and reason in json.loads(text)["error"]


@pytest.mark.parametrize("message_id", [5, "", "x" * 65, "has space", "ünïcode", "a/b", "semi;colon", ["m-1"]])
def test_a_malformed_message_id_gets_a_clear_400_and_reaches_nobody(servers, message_id):
    sender = "bad-message-id"
    status, text = webhook(servers, {"message": "hi", "message_id": message_id}, token=servers.token(sender))
    assert status == 400 and '"message_id"' in json.loads(text)["error"]
    assert "64 characters" in json.loads(text)["error"]
    events = servers.get(f"/conversations/{sender}/tracker")["events"]
    assert not any(e.get("event") == "user" for e in events)


def test_a_retried_message_id_is_answered_with_the_open_question_and_stored_once(servers):
    sender, token = "retrying-client", servers.token("retrying-client")
    for text in ("hi", "let's do the self-assessment"):
        assert webhook(servers, {"message": text}, token=token)[0] == 200
    body = {"message": "agree", "message_id": "client-7:answer.1_a-b"}
    status, first = webhook(servers, body, token=token)
    assert status == 200 and "Recorded agree for question 1" in first and "Question 2" in first
    status, again = webhook(servers, body, token=token)       # the reply was lost; the client sends it again
    assert status == 200 and "Recorded" not in again and "Question 2" in again and "Question 3" not in again
    dimensions = servers.export(sender)["self_assessment"].values()
    assert [f["rating"] for d in dimensions for f in d["factors"].values() if f["rating"]] == ["agree"]
    events = servers.get(f"/conversations/{sender}/tracker")["events"]
    assert [e["message_id"] for e in events if e.get("event") == "user"][-2:] == [body["message_id"]] * 2


def test_an_oversized_body_is_refused_before_it_is_read(servers):
    status, _ = webhook(servers, {"message": "hi", "padding": "x" * 300_000}, token=servers.token("big"))
    assert status == 413


def rss_mb(pid: int) -> float:
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def test_a_100_kb_message_is_answered_at_once_and_costs_no_memory(servers):
    user, text = "long-writer", "We plan to share bus routes. " * 3600     # about 100 KB
    assert len(text.encode()) > 100_000
    before = rss_mb(servers.rasa_pid)
    started = time.monotonic()
    status, reply = webhook(servers, {"message": text}, token=servers.token(user))
    seconds = time.monotonic() - started
    grown = rss_mb(servers.rasa_pid) - before
    assert status == 200 and seconds < 2, seconds
    said = json.loads(reply)[0]["text"]
    assert "shorter parts" in said and f"{len(text):,} characters" in said
    assert grown < 100, f"the Rasa server grew by {grown:.0f} MB"
    events = servers.get(f"/conversations/{user}/tracker")["events"]
    assert not any(e.get("event") == "user" for e in events)            # nothing of it was kept
    assert "bus routes" not in (servers.workdir / f"rasa-{servers.starts}.log").read_text()


def _api_routes() -> list[tuple[str, str]]:
    source = open(rasa.server.__file__).read()
    routes = re.findall(r'@app\.(get|post|put|delete)\("([^"]+)"\)', source)
    return [(method.upper(), path.replace("<conversation_id:path>", VICTIM)) for method, path in routes]


def test_every_http_api_route_needs_its_token(servers):
    routes = [(m, p) for m, p in _api_routes() if p not in ("/", "/version")]
    assert len(routes) == 17      # the whole API of Rasa 3.6, read from its source
    for method, path in routes:
        for suffix in ("", "?token=wrong", f"?token={servers.token(VICTIM)}"):
            request = urllib.request.Request(f"http://127.0.0.1:{servers.rasa_port}{path}{suffix}", method=method,
                                             data=b"{}" if method in ("POST", "PUT") else None,
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            assert status in (401, 403), f"{method} {path}{suffix} answered {status}"
    assert servers.say("after-the-attempts", "hi")                  # DELETE /model did not stop the bot


def test_browsers_may_call_only_from_the_public_url(servers):
    def allowed_origin(origin: str):
        request = urllib.request.Request(f"http://127.0.0.1:{servers.rasa_port}/webhooks/rest/webhook",
                                         method="OPTIONS", headers={"Origin": origin,
                                                                    "Access-Control-Request-Method": "POST"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.headers.get("Access-Control-Allow-Origin")
        except urllib.error.HTTPError as error:
            return error.headers.get("Access-Control-Allow-Origin")
    assert allowed_origin("https://attacker.example") in (None, "")
    public = servers.env["COMMON_GROUND_PUBLIC_URL"]
    assert allowed_origin(public) == public
