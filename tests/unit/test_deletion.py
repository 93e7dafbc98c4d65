""""Delete my data" reaches every record of the person: all their Slack conversations, Rasa's logs of them,
held messages, addresses, web links, reminders they asked for, their reports and the team reports naming
them; and reports expire. On both databases."""
import os
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from bot.app import build
from bot.conversation.privacy import person_of
from bot.reports import store as report_store
from bot.storage.models import WebLink
from tests.helpers.app import exports, reports
from tests.helpers.conversation import answer_assessment
from tests.helpers.teams import ANA, boston, team

MAIN, THREAD = "slack:T1:U1", "slack:T1:U1:1700000000.000100"
NEIGHBOURS = ("slack:T1:U10", "slack:T2:U1", "slack:T1:U1x", "U1")   # look alike, are someone else


@pytest.fixture
def reports_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMON_GROUND_REPORTS_DIR", str(tmp_path / "reports"))
    return tmp_path / "reports"


@pytest.fixture
def guide(db, kb):
    return build(db, kb).guide


def rasa_log(db, rows):
    """A stand-in of Rasa's tracker store table in the same database, with rows for these senders."""
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)"))
        for i, (sender, data) in enumerate(rows, start=1):
            conn.execute(text("INSERT INTO events (id, sender_id, data) VALUES (:i, :s, :d)"),
                         {"i": i, "s": sender, "d": data})


def logged(db):
    with db.engine.connect() as conn:
        return sorted(row[0] for row in conn.execute(text("SELECT DISTINCT sender_id FROM events")))


@pytest.mark.parametrize("sender, person", [
    ("slack:T1:U1", ("slack:T1:U1", "slack:T1:U1:")),
    ("slack:T1:U1:1700000000.000100", ("slack:T1:U1", "slack:T1:U1:")),
    ("teams:aad-1", ("teams:aad-1", None)),
    ("ana", ("ana", None)),
    ("slack::U1", ("slack::U1", None)),
])
def test_a_conversation_belongs_to_its_person(sender, person):
    assert person_of(sender) == person


def test_deleting_from_one_thread_removes_every_record_of_the_person(guide, db, reports_dir):
    code = boston(guide, members=((MAIN, "Ulla", "Eastside Schools", "District"),
                                  ("ben", "Ben", "Match Charter", "Charter")))
    answer_assessment(guide, ANA, MAIN)
    guide.start_self_assessment(THREAD)
    for neighbour in NEIGHBOURS:
        guide.start_self_assessment(neighbour)
    desk = reports(db)
    own = desk.deliver(MAIN, "send me my report", "slack")[1].path
    named = desk.deliver("ben", "send me our team report", "rest")[1].path        # Ben's, naming Ulla
    bens = desk.deliver("ben", "send me my report", "rest")[1].path
    team(guide, MAIN, "remind those who have not finished")                        # Ulla's words for Ben
    rasa_log(db, [(MAIN, "my note"), (THREAD, "in the thread"), *[(n, "theirs") for n in NEIGHBOURS]])
    with db.transaction() as repo:
        repo.hold_messages(THREAD, [{"text": "held"}], [])
        repo.save_channel_address(MAIN, "slack", None)
        repo.session.add(WebLink(token_hash="x" * 64, sender_id=THREAD,
                                 expires_at=datetime.now() + timedelta(minutes=15)))
        assert any(r.requested_by for _, r in repo.pending_reminders())

    done = guide.delete_data(THREAD, confirmed=True)

    assert "17 ratings" in done.text
    assert logged(db) == sorted(NEIGHBOURS)
    with db.transaction() as repo:
        assert [p.sender_id for p in repo.participants_of_person(MAIN, MAIN + ":")] == []
        assert sorted(repo.session.execute(text("SELECT sender_id FROM participants")).scalars()) == sorted(
            ["ben", *NEIGHBOURS])
        assert repo.take_held(THREAD) == [] and repo.channel_address(MAIN) is None
        assert repo.session.execute(text("SELECT count(*) FROM web_links")).scalar() == 0
        assert repo.pending_reminders() == []                       # the nudge naming Ulla went too
    assert not own.exists() and not named.exists() and bens.exists()
    data = exports(db).team(code)
    assert [m["name"] for m in data["members"]] == ["Ben"] and "Ulla" not in str(data)


def test_deleting_a_person_with_no_answers_still_clears_their_logs(db, guide, reports_dir):
    rasa_log(db, [(THREAD, "what is a logic model?"), ("other", "hi")])
    assert "nothing to delete" in guide.delete_data(MAIN, confirmed=True).text
    assert logged(db) == ["other"]


def test_a_team_report_made_after_someone_left_is_not_theirs(guide, db, reports_dir):
    boston(guide)
    desk = reports(db)
    before = desk.deliver("ben", "send me our team report", "rest")[1].path
    guide.delete_data("cara", confirmed=True)
    after = desk.deliver("ben", "send me our team report", "rest")[1].path
    guide.delete_data("eve", confirmed=True)           # never here: touches nothing
    assert not before.exists() and after.exists()


def test_an_expired_report_is_refused_removed_and_swept(guide, db, reports_dir):
    guide.start_self_assessment("u")
    desk = reports(db)
    old = desk.deliver("u", "send me my report", "rest")[1].path
    fresh = desk.deliver("u", "send me my report", "rest")[1].path
    week_ago = time.time() - report_store.KEEP_SECONDS - 60
    os.utime(old.parent, (week_ago, week_ago))
    assert report_store.stored_report(old.parent.name, old.name) is None        # a download finds nothing
    assert report_store.stored_report(fresh.parent.name, fresh.name) == fresh
    assert not report_store.expired_report(fresh.parent.name, fresh.name)
    assert report_store.expired_report(old.parent.name, old.name) and not old.parent.exists()
    assert not report_store.expired_report(old.parent.name, old.name)          # gone: an unknown link now
    another = desk.deliver("u", "send me my report", "rest")[1].path
    os.utime(another.parent, (week_ago, week_ago))
    assert report_store.prune() == 1 and not another.exists() and fresh.exists()
