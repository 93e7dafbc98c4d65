"""Reminders are marked delivered only once they reached the person: claimed once, pushed through the
person's channel (stand-in channels here), held where no push is possible, retried and reported when
refused. On both databases; bot/rasa_plugins/outbound.py with fake channels, no Rasa server."""
import asyncio
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from rasa.core.channels.botframework import BotFramework
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackInput
from rasa.core.channels.socketio import SocketIOInput

from bot.app import build
from bot.conversation.reminders import CLAIM_LEASE, batch_ids, batch_value
from bot.rasa_plugins import outbound as outbound_module
from bot.rasa_plugins.channels.teams import CommonGroundTeams
from bot.rasa_plugins.outbound import Outbound, where_from
from tests.helpers.teams import boston, team

NOW = datetime(2026, 11, 24, 10, 0)


@pytest.fixture
def app(db, kb):
    return build(db, kb)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setenv(outbound_module.RETRY_ENV, "0,0,0")


class Recorder(OutputChannel):
    """A channel that takes messages, or refuses the first `refusals` of them."""

    def __init__(self, refusals: int = 0) -> None:
        self.sent, self.refusals, self.tries, self.channel = [], refusals, 0, None

    async def send_text_message(self, recipient_id, text, **kwargs):
        self.tries += 1
        if self.tries <= self.refusals:
            raise RuntimeError("refused")
        self.sent.append((recipient_id, text))

    async def send_text_with_buttons(self, recipient_id, text, buttons, **kwargs):
        await self.send_text_message(recipient_id, text)


class FakeSlack(SlackInput):
    def __init__(self, out):   # no token: nothing leaves the test
        self.out = out

    def get_output_channel(self, channel=None, thread_id=None):
        self.out.channel = channel
        return self.out


def outbound(app, *channels):
    return Outbound(SimpleNamespace(ctx=SimpleNamespace(agent=None, input_channels=list(channels))), app.reminders)


def state(app, ids):
    with app.db.transaction() as repo:
        return [(r.fired_at is not None, r.failed_at is not None, r.attempts) for r in repo.reminders_by_id(ids)]


def test_a_due_reminder_is_claimed_once_and_a_stale_claim_is_taken_over(app):
    app.reminders.add("u", NOW + timedelta(minutes=1), "finish this")
    assert app.reminders.claim_due(NOW) == {}
    (ids,) = app.reminders.claim_due(NOW + timedelta(minutes=2)).values()
    assert app.reminders.claim_due(NOW + timedelta(minutes=3)) == {}                 # claimed: not twice
    assert app.reminders.take_due("u", NOW + timedelta(minutes=3)) == []             # nor by the welcome
    assert app.reminders.claim_due(NOW + timedelta(minutes=2) + CLAIM_LEASE + timedelta(seconds=1)) == {"u": ids}
    assert batch_ids(batch_value(ids)) == ids and batch_ids("x; DROP") == []
    assert app.reminders.batch("u", ids) == [("finish this", False)] and app.reminders.batch("other", ids) == []
    assert state(app, ids) == [(False, False, 0)]


def test_a_slack_member_gets_a_direct_message_and_only_then_it_counts_as_delivered(app):
    out = Recorder()
    app.reminders.add("slack:T1:U7:1700.1", NOW, "finish this")       # set in a thread
    (ids,) = app.reminders.claim_due(NOW + timedelta(seconds=1)).values()
    assert app.reminders.counts() == {"pending": 0, "held": 0, "failed": 0}
    done = asyncio.run(outbound(app, FakeSlack(out)).deliver("slack:T1:U7:1700.1", [{"text": "Reminder!"}], ids))
    assert done == "sent" and out.channel == "U7" and out.sent == [("U7", "Reminder!")]   # their DMs
    assert state(app, ids) == [(True, False, 0)]


def test_a_refused_send_is_retried_then_reported_to_the_facilitator_and_held(app):
    boston(app.guide, members=(("ana", "Ana", "BPS", "District"), ("slack:T1:U8", "Ben", "Match", "Charter")))
    _, _, scheduled = team(app.guide, "ana", "remind those who have not finished")
    assert [s for s, _, _ in scheduled] == ["slack:T1:U8"]
    (ids,) = app.reminders.claim_due(datetime.now() + timedelta(minutes=1)).values()
    out = Recorder(refusals=10)
    sender = outbound(app, FakeSlack(out))
    assert asyncio.run(sender.deliver("slack:T1:U8", [{"text": "A reminder from your team"}], ids)) == "failed"
    assert out.tries == 4 and out.sent == []                                     # 1 + 3 retries
    assert state(app, ids) == [(False, True, 4)]                                 # not delivered
    told = app.reminders.take_held("ana")
    assert len(told) == 1 and "couldn't deliver your reminder to Ben (Match): Slack refused it 4 times" in \
        told[0][0][0]["text"]
    assert app.reminders.counts() == {"pending": 0, "held": 1, "failed": 1}
    # a failed nudge does not count as waiting: the facilitator may try again
    assert "I'll remind Ben" in team(app.guide, "ana", "remind those who have not finished")[0]
    # and Ben sees the held one at his next message, which delivers it
    collector = CollectingOutputChannel()
    asyncio.run(sender.on_message(UserMessage("hi", collector, "slack:T1:U8", input_channel="slack"), _nothing))
    assert [m["text"] for m in collector.messages] == ["A reminder from your team"]
    assert state(app, ids) == [(True, True, 4)]


async def _nothing(message):
    return None


def test_rest_has_no_push_so_the_reminder_waits_for_the_next_message(app):
    app.reminders.add("ana", NOW, None)
    (ids,) = app.reminders.claim_due(NOW).values()
    sender = outbound(app, FakeSlack(Recorder()))
    assert asyncio.run(sender.deliver("ana", [{"text": "Here is the reminder", "buttons": [
        {"title": "Show my progress", "payload": "show my progress"}]}], ids)) == "held"
    assert state(app, ids) == [(False, False, 0)]
    collector = CollectingOutputChannel()
    asyncio.run(sender.on_message(UserMessage("agree", collector, "ana", input_channel="rest"), _nothing))
    assert collector.messages[0]["text"] == "Here is the reminder" and collector.messages[0]["buttons"]
    assert state(app, ids) == [(True, False, 0)]
    with app.db.transaction() as repo:
        assert repo.channel_address("ana").channel == "rest"


def test_teams_keeps_the_personal_chat_reference_and_never_a_group_chat(app, monkeypatch):
    def message(kind):
        out = BotFramework("app", "pw", {"id": f"a:{kind}", "conversationType": kind, "tenantId": "t"},
                           {"id": "28:bot"}, "https://smba.trafficmanager.net/emea/")
        return UserMessage("hi", out, "teams:aad-1", input_channel="botframework")

    assert where_from(message("groupChat")) is None
    channel, address = where_from(message("personal"))
    assert channel == "botframework" and address == {
        "service_url": "https://smba.trafficmanager.net/emea/", "bot": {"id": "28:bot"},
        "conversation": {"id": "a:personal", "conversationType": "personal", "tenantId": "t"}}
    teams = CommonGroundTeams("app", "pw")          # the Teams channel credentials.yml names
    sender = outbound(app, teams)
    assert asyncio.run(sender.push("teams:aad-1", [{"text": "x"}])) is None      # no reference yet: held
    asyncio.run(sender.on_message(message("personal"), _nothing))
    asyncio.run(sender.on_message(message("groupChat"), _nothing))                # does not replace it
    posted = []

    async def send(self, activity):
        posted.append((self.conversation["id"], self.global_uri, activity["text"]))
    monkeypatch.setattr("bot.rasa_plugins.channels.teams.TeamsOutput.send", send)
    assert asyncio.run(sender.push("teams:aad-1", [{"text": "Reminder"}])) == "botframework"
    assert posted == [("a:personal", "https://smba.trafficmanager.net/emea/v3/", "Reminder")]
    # last seen on a web page that is closed now: the reminder still goes to their Teams chat
    asyncio.run(sender.on_message(UserMessage("hi", CollectingOutputChannel(), "teams:aad-1",
                                              input_channel="socketio"), _nothing))
    assert asyncio.run(sender.push("teams:aad-1", [{"text": "Again"}])) == "botframework"
    assert posted[-1] == ("a:personal", "https://smba.trafficmanager.net/emea/v3/", "Again")


def test_the_web_page_gets_it_while_open_else_it_waits(app):
    emitted = []

    class Sio:
        manager = SimpleNamespace(rooms={"/": {}})

        async def emit(self, event, data, room=None, **kwargs):
            emitted.append((event, data.get("text"), room))

    web = SocketIOInput(bot_message_evt="bot_uttered")
    web.sio = Sio()
    sender = outbound(app, web)
    with app.db.transaction() as repo:
        repo.save_channel_address("web-1", "socketio", None)
    assert asyncio.run(sender.push("web-1", [{"text": "Reminder"}])) is None
    web.sio.manager.rooms["/"]["web-1"] = {"sid-1": "eio-1"}
    assert asyncio.run(sender.push("web-1", [{"text": "Reminder"}])) == "socketio"
    assert emitted == [("bot_uttered", "Reminder", "web-1")]


def test_a_notice_naming_a_member_goes_when_the_member_deletes_their_data(app, tmp_path, monkeypatch):
    monkeypatch.setenv("COMMON_GROUND_REPORTS_DIR", str(tmp_path / "reports"))
    boston(app.guide, members=(("ana", "Ana", "BPS", "District"), ("slack:T1:U8", "Ben", "Match", "Charter")))
    team(app.guide, "ana", "remind those who have not finished")
    (ids,) = app.reminders.claim_due(datetime.now() + timedelta(minutes=1)).values()
    refused = outbound(app, FakeSlack(Recorder(refusals=10)))
    assert asyncio.run(refused.deliver("slack:T1:U8", [{"text": "A reminder from your team"}], ids)) == "failed"
    app.guide.delete_data("slack:T1:U8:1700.5", confirmed=True)      # from one of Ben's threads
    assert app.reminders.take_held("ana") == [] and app.reminders.counts() == {"pending": 0, "held": 0, "failed": 0}
