"""Slack end to end: signed events into the running Rasa server, the bot's posts caught by a stand-in
of the Slack Web API (tests/slack_api.py) instead of slack.com."""
import json
import time
import urllib.parse

import pytest

from bot.rasa_plugins.channels.slack import split_text
from tests.helpers.servers import started
from tests.helpers.slack_api import SlackAPI, slack_settings, slack_signature

SECRET = "test-signing-secret"


@pytest.fixture(scope="module")
def slack():
    api = SlackAPI().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def servers(tmp_path_factory, slack):
    with started(tmp_path_factory, "e2e-slack", env=slack_settings(slack.url, SECRET)) as servers:
        yield servers


def signed(body: bytes, stamp: float = None) -> dict:
    return slack_signature(body, SECRET, stamp)


def message(servers, text, user="U1", team="T1", channel="D1", thread=None, headers=None):
    event = {"type": "message", "channel_type": "im", "user": user, "text": text, "channel": channel,
             "ts": f"{time.time():.6f}", "team": team}
    if thread:
        event["thread_ts"] = thread
    body = json.dumps({"type": "event_callback", "team_id": team, "event": event}).encode()
    return servers.post("/webhooks/slack/webhook", body,
                        {"Content-Type": "application/json", **(headers if headers is not None else signed(body))})


def click(servers, value, user="U1", team="T1", channel="D1"):
    payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": team}, "channel": {"id": channel},
               "message": {"ts": "1.0"}, "actions": [{"type": "button", "value": value, "action_id": "a"}]}
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    return servers.post("/webhooks/slack/webhook", body,
                        {"Content-Type": "application/x-www-form-urlencoded", **signed(body)})


def test_requests_without_a_valid_signature_are_refused(servers, slack):
    before = len(slack.posted())
    assert message(servers, "hi", headers={})[0] == 400
    assert message(servers, "hi", headers=signed(b"something else"))[0] == 400
    old = json.dumps({"event": {"type": "message", "text": "hi", "user": "U9", "channel": "D9"}}).encode()
    assert servers.post("/webhooks/slack/webhook", old, {"Content-Type": "application/json",
                                                        **signed(old, stamp=time.time() - 3600)})[0] == 400
    time.sleep(2)
    assert len(slack.posted()) == before


def test_a_conversation_with_slack_buttons_per_user_per_workspace(servers, slack):
    assert message(servers, "let's do the self-assessment")[0] == 200
    question = slack.wait_for("Question 1 of 17", "D1")
    buttons = [e["text"]["text"] for e in question["blocks"][1]["elements"]]
    assert buttons == ["Strongly disagree", "Disagree", "Agree", "Strongly agree", "Not applicable"]
    assert click(servers, question["blocks"][1]["elements"][2]["value"])[0] == 200
    slack.wait_for("Recorded agree for question 1", "D1")
    assert servers.export("slack:T1:U1")["self_assessment"]["unifying_purpose"]["factors"][
        "unifying_purpose_1"]["rating"] == "agree"
    # the same user id in another workspace is another person
    message(servers, "let's do the self-assessment", team="T2", channel="D2")
    slack.wait_for("Question 1 of 17", "D2")
    assert servers.export("slack:T2:U1")["self_assessment"]["unifying_purpose"]["factors"][
        "unifying_purpose_1"]["rating"] is None


def test_a_thread_is_its_own_conversation_and_replies_stay_in_it(servers, slack):
    message(servers, "what is a logic model?", channel="C1", thread="1700000000.000100")
    reply = slack.wait_for("Logic model", "C1", thread_ts="1700000000.000100")
    assert reply["thread_ts"] == "1700000000.000100"
    said = [e.get("text") for e in servers.get("/conversations/slack:T1:U1:1700000000.000100/tracker")["events"]
            if e.get("event") == "user"]
    assert said == ["what is a logic model?"]
    assert "what is a logic model?" not in [e.get("text") for e in servers.get(
        "/conversations/slack:T1:U1/tracker")["events"]]


def test_a_report_is_uploaded_as_a_file(servers, slack):
    message(servers, "let's do the self-assessment", user="U3", channel="D3")
    slack.wait_for("Question 1 of 17", "D3")
    message(servers, "send me my report", user="U3", channel="D3")
    slack.wait_for("is attached below", "D3")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not slack.posted("files.completeUploadExternal"):
        time.sleep(0.3)
    uploaded = [c["body"]["raw"] for c in slack.calls if c["path"] == "/upload/F1"]
    assert uploaded and uploaded[0][:2] == b"PK"                      # a .docx is a zip file
    completed = slack.posted("files.completeUploadExternal")[0]
    assert completed["channel_id"] == "D3" and "common-ground" in completed["files"]


def test_long_answers_are_split_at_paragraphs_then_lines():
    text = "\n\n".join(f"Paragraph {i}: " + "word " * 200 for i in range(6))
    parts = split_text(text)
    assert all(len(p) <= 3000 for p in parts) and len(parts) >= 3
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())   # nothing lost
    assert all(p.startswith("Paragraph") for p in parts)                  # cut between paragraphs
    one_line = "x" * 7000
    assert [len(p) for p in split_text(one_line)] == [3000, 3000, 1000]
