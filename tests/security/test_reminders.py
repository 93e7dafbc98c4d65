"""Reminders arrive through the member's own channel and are marked delivered only then: against the real
servers, with a Slack stand-in that can refuse posts.

A facilitator (REST) nudges two Slack members: one gets a direct message, marked delivered after Slack
took it; the other's posts are refused, retried, left undelivered, and the facilitator is told at their
next message; the refused one reaches the member when they next write. A reminder a member set comes
due while the servers are down and goes out to their direct messages after the restart.
"""
import re
import sqlite3
import time
from datetime import datetime

import pytest

from tests.helpers.servers import started
from tests.helpers.slack_api import slack_settings
from tests.security.slack_stand_in import SECRET, FlakySlack, slack_message

FACILITATOR = "rem-facilitator"


@pytest.fixture(scope="module")
def slack():
    api = FlakySlack().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def servers(tmp_path_factory, slack):
    with started(tmp_path_factory, "security-reminders", env=slack_settings(slack.url, SECRET) | {"COMMON_GROUND_REMINDER_POLL_SECONDS": "1", "COMMON_GROUND_REMINDER_RETRY_SECONDS": "0.5,1,1.5"}) as servers:
        yield servers


def reminder_rows(servers, sender):
    with sqlite3.connect(servers.sqlite_file, timeout=10) as conn:
        return conn.execute("SELECT r.fired_at, r.failed_at, r.attempts FROM reminders r JOIN participants p "
                            "ON p.id = r.participant_id WHERE p.sender_id = ? ORDER BY r.id", (sender,)).fetchall()


def member(servers, slack, user, text, expect):
    before = len(slack.posts(f"D{user}", expect))
    assert slack_message(servers, text, user) == 200
    slack.wait_for(f"D{user}", expect, count=before + 1)


def facilitator(servers, text, *expected):
    reply = "\n".join(m.get("text") or "" for m in servers.say(FACILITATOR, text))
    for piece in expected:
        assert piece in reply, f"after {text!r} expected {piece!r} in:\n{reply}"
    return reply


def join(servers, slack, user, code, name):
    member(servers, slack, user, f"join team {code}", "Welcome to Numbat Alliance")
    for answer, expect in ((name, "Which organisation"), (f"{name} Academy", "Which sector"),
                           ("Charter", "role"), ("principal", "Your partners will see you as")):
        member(servers, slack, user, answer, expect)


def test_a_facilitators_nudge_arrives_or_is_retried_reported_and_kept(servers, slack):
    code = re.search(r"join team ([A-Z0-9]{6})", facilitator(servers, "create a team called Numbat Alliance",
                                                             "facilitator")).group(1)
    for answer in ("Fay", "Northside District", "District", "chief of staff"):
        facilitator(servers, answer)
    join(servers, slack, "U1", code, "Mo")
    join(servers, slack, "U2", code, "Noor")
    slack.refuse.add("U2")

    facilitator(servers, "remind those who have not finished", "I'll remind", "Mo", "Noor")

    (arrived,) = slack.wait_for("U1", "A reminder from your team")           # Mo's direct messages
    assert "Numbat Alliance" in arrived["body"]["text"]
    deadline = time.monotonic() + 20
    while not reminder_rows(servers, "slack:T1:U1")[0][0] and time.monotonic() < deadline:
        time.sleep(0.3)
    fired_at, failed_at, _ = reminder_rows(servers, "slack:T1:U1")[0]
    assert fired_at and failed_at is None
    assert datetime.fromisoformat(fired_at) >= datetime.fromtimestamp(arrived["at"])   # marked only after Slack took it

    refused = slack.wait_for("U2", "A reminder from your team", count=4)      # tried 4 times
    assert all(call["refused"] for call in refused)
    deadline = time.monotonic() + 20
    while not reminder_rows(servers, "slack:T1:U2")[0][1] and time.monotonic() < deadline:
        time.sleep(0.3)
    assert reminder_rows(servers, "slack:T1:U2") == [(None, reminder_rows(servers, "slack:T1:U2")[0][1], 4)]
    time.sleep(2)
    assert len(slack.posts("U2", "A reminder from your team")) == 4           # then no more tries
    assert servers.get("/webhooks/reminders/") == {"pending": 0, "held": 1, "failed": 1}

    facilitator(servers, "hi", "couldn't deliver your reminder to Noor (Noor Academy)", "Slack refused it 4 times")

    slack.refuse.clear()
    member(servers, slack, "U2", "hi", "A reminder from your team")           # shown when Noor writes again
    assert reminder_rows(servers, "slack:T1:U2")[0][0] is not None


def test_a_reminder_due_during_a_restart_arrives_after_it(servers, slack):
    member(servers, slack, "U3", "let's do the self-assessment", "Question 1 of 17")
    member(servers, slack, "U3", "remind me in 12 seconds to finish this", "I'll remind you in 12 seconds")
    servers.stop()                                                          # due while the servers are down
    assert reminder_rows(servers, "slack:T1:U3")[0][0] is None
    servers.start()
    (arrived,) = slack.wait_for("U3", "Reminder: you asked me to remind you to finish this")
    assert "Next:" in arrived["body"]["text"]
    deadline = time.monotonic() + 20
    while not reminder_rows(servers, "slack:T1:U3")[0][0] and time.monotonic() < deadline:
        time.sleep(0.3)
    assert reminder_rows(servers, "slack:T1:U3")[0][0] is not None
    assert servers.get("/webhooks/reminders/")["pending"] == 0
