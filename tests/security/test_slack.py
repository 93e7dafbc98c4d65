"""Attacks on the Slack webhook, tried against the real Rasa and action servers, with the Slack Web API
played by the stand-in of tests/helpers/slack_api.py: unsigned, stale and replayed requests, a report
asked for where others can read, and a message far over the length limit."""
import asyncio
import json
import time
import uuid

import pytest

from bot.content.messages import say
from bot.rasa_plugins.channels import slack as slack_channel
from bot.rasa_plugins.channels.limits import MESSAGE_LIMIT
from bot.reports.delivery import FILE_KEY
from tests.helpers.servers import started
from tests.helpers.slack_api import SlackAPI, slack_settings, slack_signature

SECRET = "security-signing-secret"
WEBHOOK = "/webhooks/slack/webhook"
QUICK = 2.0


@pytest.fixture(scope="module")
def slack():
    api = SlackAPI().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def servers(tmp_path_factory, slack):
    with started(tmp_path_factory, "security-slack", env=slack_settings(slack.url, SECRET)) as servers:
        yield servers


def signed(body: bytes, secret: str = SECRET, stamp: float = None) -> dict:
    return {"Content-Type": "application/json", **slack_signature(body, secret, stamp)}


def event(text, user, channel, kind="message", channel_type="im", team="T1") -> bytes:
    body = {"type": "event_callback", "team_id": team, "event_id": f"Ev{uuid.uuid4().hex[:8]}",
            "authorizations": [{"user_id": "UBOT"}],
            "event": {"type": kind, "user": user, "text": text, "channel": channel, "ts": f"{time.time():.6f}",
                      "team": team}}
    if channel_type:
        body["event"]["channel_type"] = channel_type
    return json.dumps(body).encode()


def user_texts(servers, sender):
    tracker = servers.get(f"/conversations/{sender}/tracker")
    return [e.get("text") for e in tracker["events"] if e.get("event") == "user"]


def posts_to(slack, channel):
    return [p for p in slack.posted() if p.get("channel") == channel]


def test_unsigned_or_wrongly_signed_requests_are_refused(servers, slack):
    body = event("let's do the self-assessment", "U1", "DU1")
    assert servers.post(WEBHOOK, body, {"Content-Type": "application/json"})[0] == 400
    assert servers.post(WEBHOOK, body, signed(body, secret="guessed"))[0] == 400
    assert servers.post(WEBHOOK, body, signed(b"another body"))[0] == 400
    time.sleep(1.5)
    assert posts_to(slack, "DU1") == [] and user_texts(servers, "slack:T1:U1") == []


def test_a_request_signed_more_than_five_minutes_ago_is_refused(servers, slack):
    body = event("let's do the self-assessment", "U2", "DU2")
    assert servers.post(WEBHOOK, body, signed(body, stamp=time.time() - 6 * 60))[0] == 400
    assert servers.post(WEBHOOK, body, signed(body, stamp=time.time() + 6 * 60))[0] == 400
    time.sleep(1.5)
    assert posts_to(slack, "DU2") == [] and user_texts(servers, "slack:T1:U2") == []


def test_a_captured_request_replayed_within_the_five_minutes_is_refused(servers, slack):
    body = event("what is a logic model?", "U3", "DU3")
    headers = signed(body)
    assert servers.post(WEBHOOK, body, headers)[0] == 200
    slack.wait_for("Logic model", "DU3")
    assert servers.post(WEBHOOK, body, headers)[0] == 400
    time.sleep(2)
    assert user_texts(servers, "slack:T1:U3") == ["what is a logic model?"]
    assert len([p for p in posts_to(slack, "DU3") if "Logic model" in (p.get("text") or "")]) == 1


def test_a_report_asked_for_in_a_channel_arrives_in_the_direct_conversation(servers, slack):
    body = event("let's do the self-assessment", "U7", "DU7")
    servers.post(WEBHOOK, body, signed(body))
    slack.wait_for("Question 1 of 17", "DU7")
    mention = event("<@UBOT> send me my report", "U7", "C7", kind="app_mention", channel_type=None)
    assert servers.post(WEBHOOK, mention, signed(mention))[0] == 200
    slack.wait_for("direct message", "C7")
    slack.wait_for("is attached below", "DU7")
    completed = slack.posted("files.completeUploadExternal")
    assert [c["channel_id"] for c in completed] == ["DU7"]
    assert [c["users"] for c in slack.posted("conversations.open")] == ["U7"]
    time.sleep(1)
    assert [p.get("text") for p in posts_to(slack, "C7")] == [say("channels.slack_sent_privately")]


def test_a_report_file_never_lands_in_a_channel_whatever_reached_the_output(slack, monkeypatch, tmp_path):
    """The output's own guard, for a report that got there without the door seeing a report request."""
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    report = tmp_path / "report.docx"
    report.write_bytes(b"PK fake report")

    async def deliver():
        output = slack_channel.CommonGroundSlackBot("xoxb-test", "C8", "1700000000.000200", user="U8", direct=False)
        await output.send_custom_json("slack:T1:U8", {FILE_KEY: {"path": str(report), "title": "report.docx"}})

    asyncio.run(deliver())
    completed = [c["channel_id"] for c in slack.posted("files.completeUploadExternal")]
    assert "DU8" in completed and "C8" not in completed
    note = posts_to(slack, "C8")
    assert len(note) == 1 and "direct message" in note[0]["text"] and note[0]["thread_ts"] == "1700000000.000200"


def test_a_100_kb_message_gets_the_split_request_at_once_and_is_never_kept(servers, slack):
    text = ("Our district plan SLACKMARKER " * 4000)[:100_000]
    assert len(text) > MESSAGE_LIMIT
    body = event(text, "U9", "DU9")
    started = time.monotonic()
    assert servers.post(WEBHOOK, body, signed(body))[0] == 200
    reply = slack.wait_for("100,000 characters", "DU9", timeout=QUICK)
    assert time.monotonic() - started < QUICK
    assert "shorter parts" in reply["text"]
    time.sleep(1)
    assert user_texts(servers, "slack:T1:U9") == []
    assert len(posts_to(slack, "DU9")) == 1
    for log in servers.workdir.glob("*.log"):
        assert "SLACKMARKER" not in log.read_text(errors="replace"), log.name
