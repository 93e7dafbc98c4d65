"""Attacks on the Teams webhook, tried against the real Rasa and action servers.

The Microsoft side is the local stand-in of tests/helpers/microsoft_api.py (its keys, token endpoint
and conversation API); an `Eavesdropper` plays the attacker's server that a tampered activity names as
its serviceUrl. Every refused request must get 401/403 (413 for a huge body, 400 for a malformed
one), quickly, with no reply sent anywhere and nothing reaching the conversation.
"""
import asyncio
import json
import threading
import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.rasa_plugins.channels import teams
from bot.rasa_plugins.channels.limits import BODY_LIMIT, MESSAGE_LIMIT
from bot.reports.delivery import FILE_KEY
from tests.helpers.microsoft_api import Eavesdropper, MicrosoftAPI
from tests.helpers.servers import started

APP_ID = "00000000-security-app"
WEBHOOK = "/webhooks/botframework/webhook"
QUICK = 2.0        # seconds: a refusal or a door answer comes at least this fast


@pytest.fixture(scope="module")
def microsoft():
    api = MicrosoftAPI(APP_ID).start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def attacker():
    server = Eavesdropper().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def servers(tmp_path_factory, microsoft):
    with started(tmp_path_factory, "security-teams", env=microsoft.settings()) as servers:
        yield servers


def activity(microsoft, text, user=None, conversation=None, token=None, service_url=None, channel="msteams",
             conversation_type=None):
    """(body, headers, user, conversation) of a message activity as Teams would post it."""
    user, conversation = user or f"29:{uuid.uuid4().hex[:8]}", conversation or f"a:{uuid.uuid4().hex[:8]}"
    body = {"type": "message", "text": text, "from": {"id": user, "name": "Someone"},
            "recipient": {"id": "28:bot", "name": "Common Ground"}, "conversation": {"id": conversation},
            "serviceUrl": service_url or microsoft.base, "channelId": channel}
    if conversation_type:
        body["conversation"]["conversationType"] = conversation_type
    headers = {"Content-Type": "application/json"}
    if token is not False:
        headers["Authorization"] = f"Bearer {token or microsoft.token()}"
    return json.dumps(body).encode(), headers, user, conversation


def timed_post(servers, body, headers):
    started = time.monotonic()
    status, text = servers.post(WEBHOOK, body, headers)
    return status, text, time.monotonic() - started


def user_events(servers, sender):
    tracker = servers.get(f"/conversations/{sender}/tracker")
    return [e for e in tracker["events"] if e.get("event") == "user"]


def assert_nothing_happened(servers, microsoft, user, conversation):
    time.sleep(1.5)          # long enough for a reply that was going to be sent
    assert microsoft.sent_to(conversation) == []
    assert user_events(servers, f"teams:{user}") == []


FORGED = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ATTACKS = {
    "no token": lambda ms: False,
    "signed by a key not in the key set (same key id)": lambda ms: ms.token(key=FORGED),
    "signed by a key not in the key set (own key id)": lambda ms: ms.token(key=FORGED, kid="attacker-key"),
    "wrong issuer": lambda ms: ms.token(issuer="https://sts.windows.net/attacker/"),
    "another bot's audience": lambda ms: ms.token(audience="another-bot"),
    "HS256 keyed with the public key": lambda ms: ms.hmac_token(),
    "alg none": lambda ms: ms.unsigned_token(),
    "expired beyond the leeway": lambda ms: ms.token(expires_in=-900),
    "a key endorsed only for Web Chat": lambda ms: ms.token(key=ms.webchat_key, kid="webchat-only-key"),
    "no serviceurl claim": lambda ms: ms.token(service_url=False),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_forged_or_misused_token_is_refused(servers, microsoft, attack):
    body, headers, user, conversation = activity(microsoft, "let's do the self-assessment",
                                                 token=ATTACKS[attack](microsoft))
    status, text, took = timed_post(servers, body, headers)
    assert status in (401, 403), (status, text)
    assert took < QUICK
    assert "self-assessment" not in text
    assert_nothing_happened(servers, microsoft, user, conversation)


def test_a_genuine_activity_still_gets_its_answer(servers, microsoft):
    body, headers, user, conversation = activity(microsoft, "let's do the self-assessment")
    assert servers.post(WEBHOOK, body, headers)[0] == 200
    question = microsoft.wait_for("Question 1 of 17", conversation)
    assert question["auth"] == "Bearer bot-token"
    assert [e["text"] for e in user_events(servers, f"teams:{user}")] == ["let's do the self-assessment"]


def test_a_slow_microsoft_endpoint_does_not_stall_other_users(servers, microsoft):
    """Replies go out asynchronously: while Teams takes 10 s to take one user's reply, another user's
    conversation goes on (with blocking calls the whole server waited)."""
    body, headers, _, slow = activity(microsoft, "what is a logic model?")
    microsoft.slow[slow] = 10
    waiting = threading.Thread(target=servers.post, args=(WEBHOOK, body, headers))
    waiting.start()
    time.sleep(1.5)                       # the slow reply is on its way by now
    body, headers, _, other = activity(microsoft, "what is a logic model?")
    started = time.monotonic()
    servers.post(WEBHOOK, body, headers)
    microsoft.wait_for("Logic model", other, timeout=8)
    took = time.monotonic() - started
    assert not microsoft.sent_to(slow)    # the slow one is still waiting
    assert took < 5, took
    waiting.join(30)
    microsoft.wait_for("Logic model", slow, timeout=15)


def test_a_replayed_token_cannot_send_the_bot_to_another_address(servers, microsoft, attacker):
    """A genuine token (its serviceurl claim is Microsoft's) on a body rewritten to name the attacker."""
    body, headers, user, conversation = activity(microsoft, "let's do the self-assessment",
                                                 service_url=attacker.base)
    status, _, took = timed_post(servers, body, headers)
    assert status in (401, 403) and took < QUICK
    assert_nothing_happened(servers, microsoft, user, conversation)
    assert attacker.requests == []


def test_a_service_url_outside_microsoft_is_refused_even_when_the_token_names_it(servers, microsoft, attacker):
    token = microsoft.token(service_url=attacker.base)
    body, headers, user, conversation = activity(microsoft, "let's do the self-assessment", token=token,
                                                 service_url=attacker.base)
    status, _, took = timed_post(servers, body, headers)
    assert status in (401, 403) and took < QUICK
    assert_nothing_happened(servers, microsoft, user, conversation)
    assert attacker.requests == []          # in particular, never an Authorization header with the bot's token


def test_made_up_key_ids_do_not_make_the_bot_hammer_microsoft(servers, microsoft):
    servers.post(WEBHOOK, *activity(microsoft, "hi")[:2])         # the key set is fetched by now
    before = microsoft.key_fetches
    for _ in range(20):
        token = microsoft.token(key=FORGED, kid=f"made-up-{uuid.uuid4().hex}")
        assert servers.post(WEBHOOK, *activity(microsoft, "hi", token=token)[:2])[0] == 401
    assert microsoft.key_fetches - before <= 1


MALFORMED = {
    "not JSON": b"this is not json SECRET-MARKER",
    "a JSON array": b'["SECRET-MARKER"]',
    "no from": {"from": None},
    "no conversation": {"conversation": None},
    "no serviceUrl": {"serviceUrl": None},
    "text that is not a string": {"text": {"SECRET-MARKER": 1}},
    "deeply nested": b"[" * 20000 + b"]" * 20000,
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_body_gets_a_short_400_without_echo(servers, microsoft, case):
    body, headers, user, conversation = activity(microsoft, "hi SECRET-MARKER")
    change = MALFORMED[case]
    if isinstance(change, dict):
        parsed = json.loads(body)
        parsed.update(change)
        body = json.dumps({k: v for k, v in parsed.items() if v is not None}).encode()
    else:
        body = change
    status, text, took = timed_post(servers, body, headers)
    assert status == 400, (status, text)
    assert "SECRET-MARKER" not in text and len(text) < 120 and took < QUICK
    assert_nothing_happened(servers, microsoft, user, conversation)


def test_a_body_over_the_limit_is_refused_with_413(servers, microsoft):
    """More than Teams itself can carry (about 28 KB a message): refused before anything is read."""
    body, headers, user, conversation = activity(microsoft, "y" * 300_000)
    assert len(body) > BODY_LIMIT
    status, _, took = timed_post(servers, body, headers)
    assert status == 413 and took < QUICK
    assert servers.post(WEBHOOK, body, {"Content-Type": "application/json"})[0] == 413
    assert_nothing_happened(servers, microsoft, user, conversation)


def test_a_long_message_gets_the_split_request_at_once_and_is_never_kept(servers, microsoft):
    text = ("Our partnership plan SPLITMARKER " * 2000)[:60_000]
    assert MESSAGE_LIMIT < len(text)
    body, headers, user, conversation = activity(microsoft, text)
    assert len(body) <= BODY_LIMIT
    started = time.monotonic()
    assert servers.post(WEBHOOK, body, headers)[0] == 200
    reply = microsoft.wait_for("60,000 characters", conversation, timeout=QUICK)
    assert time.monotonic() - started < QUICK
    assert "shorter parts" in reply["text"]
    assert user_events(servers, f"teams:{user}") == []
    for log in servers.workdir.glob("*.log"):
        assert "SPLITMARKER" not in log.read_text(errors="replace"), log.name


@pytest.mark.parametrize("conversation_type", ["groupChat", "channel"])
def test_a_report_asked_for_in_a_shared_conversation_is_not_posted_there(servers, microsoft, conversation_type):
    user = f"29:{uuid.uuid4().hex[:8]}"
    body, headers, _, personal = activity(microsoft, "let's do the self-assessment", user=user)
    servers.post(WEBHOOK, body, headers)
    microsoft.wait_for("Question 1 of 17", personal)
    reports_before = set((servers.workdir / "reports").glob("*"))
    for request in ("<at>Common Ground</at> send me my report", "send me our team report"):
        body, headers, _, shared = activity(microsoft, request, user=user, conversation_type=conversation_type)
        assert servers.post(WEBHOOK, body, headers)[0] == 200
        reply = microsoft.wait_for("one-to-one chat", shared)
        time.sleep(1)
        sent = microsoft.sent_to(shared)
        assert sent == [reply] and not reply.get("attachments")          # no card, no link, no file
        assert "/webhooks/reports/" not in json.dumps(sent)
    assert set((servers.workdir / "reports").glob("*")) == reports_before


def test_a_report_card_never_goes_to_a_shared_conversation_nor_to_a_stranger(microsoft, attacker, monkeypatch,
                                                                             tmp_path):
    """The output's own guard, for a report that reached it some other way: in a group chat it sends
    the sentence and no card; to an address outside Microsoft's it sends nothing at all."""
    monkeypatch.setenv("BOTFRAMEWORK_LOGIN_URL", f"{microsoft.base}/token")
    monkeypatch.setenv("BOTFRAMEWORK_SERVICE_HOSTS", f"127.0.0.1:{microsoft.port}")
    report = tmp_path / "report.docx"
    report.write_bytes(b"PK fake")
    upload = {FILE_KEY: {"path": str(report), "title": "report.docx", "link": "http://x/webhooks/reports/a/b"}}

    async def deliver(conversation, service_url):
        output = teams.TeamsOutput(APP_ID, "secret", conversation, {"id": "28:bot"}, service_url)
        await output.send_custom_json("29:ana", json.loads(json.dumps(upload)))
        await output.send_text_message("29:ana", "hello")
        await teams.HTTP.session().close()

    asyncio.run(deliver({"id": "19:group", "conversationType": "groupChat"}, microsoft.base))
    sent = microsoft.sent_to("19:group")
    assert [bool(a.get("attachments")) for a in sent] == [False, False]
    assert "one-to-one chat" in sent[0]["text"] and "webhooks/reports" not in json.dumps(sent)
    asyncio.run(deliver({"id": "a:personal"}, attacker.base))
    time.sleep(0.5)
    assert attacker.requests == []
