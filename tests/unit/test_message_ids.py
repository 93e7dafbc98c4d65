"""A message the client named with an id is applied once: its retry (after a reply that never arrived) stores
nothing and leaves the open question where the first handling put it. On SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.app import build
from bot.conversation.forms import SELF_ASSESSMENT_FORM
from bot.storage.db import Database
from bot.storage.models import HandledMessage


@pytest.fixture
def guide(db, kb):
    return build(db, kb).guide


def started(guide, user="u"):
    guide.start_self_assessment(user)
    guide.question(user, SELF_ASSESSMENT_FORM)


def ratings(guide, user="u") -> dict[str, str]:
    with guide.db.transaction() as repo:
        return {factor: row.rating for factor, row in repo.answers(repo.participant(user)).items() if row.rating}


def awaiting(guide, user="u") -> str:
    with guide.db.transaction() as repo:
        return repo.participant(user).awaiting


def answer(guide, text, message_id=None, user="u"):
    return guide.handle(user, text, "affirm", SELF_ASSESSMENT_FORM, message_id)


def test_a_retried_answer_is_stored_once_and_the_open_question_stays(guide):
    started(guide)
    first = answer(guide, "agree", "m-1")
    assert "Recorded agree for question 1" in first.replies[0].text
    after_first = awaiting(guide)
    again = answer(guide, "agree", "m-1")                 # the same message, retried
    assert again.replies == () and again.pending and not again.paused
    assert awaiting(guide) == after_first                 # still question 2, not 3
    assert list(ratings(guide).values()) == ["agree"]
    assert guide.question("u", SELF_ASSESSMENT_FORM).text.startswith("Question 2")


def test_the_same_words_under_a_new_id_are_a_new_answer(guide):
    started(guide)
    answer(guide, "agree", "m-1")
    answer(guide, "agree", "m-2")
    assert list(ratings(guide).values()) == ["agree", "agree"]


def test_without_an_id_every_message_is_applied_as_before(guide):
    started(guide)
    answer(guide, "agree")
    answer(guide, "agree")
    assert len(ratings(guide)) == 2
    with guide.db.transaction() as repo:
        assert repo.session.execute(select(func.count()).select_from(HandledMessage)).scalar() == 0


def test_ids_belong_to_one_conversation(guide):
    started(guide, "ana")
    started(guide, "ben")
    answer(guide, "agree", "m-1", user="ana")
    answer(guide, "disagree", "m-1", user="ben")            # another person's m-1 is a message of its own
    assert list(ratings(guide, "ana").values()) == ["agree"]
    assert list(ratings(guide, "ben").values()) == ["disagree"]


def test_a_failed_handling_does_not_count_as_handled(guide, monkeypatch):
    """The id is recorded in the answer's transaction: if the turn fails, neither is kept, and the retry applies."""
    started(guide)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away mid-turn")

    monkeypatch.setattr(guide.assessment, "handle", broken)
    with pytest.raises(RuntimeError):
        with guide.db.transaction():
            answer(guide, "agree", "m-1")
    monkeypatch.undo()
    with guide.db.transaction():
        turn = answer(guide, "agree", "m-1")
    assert "Recorded agree for question 1" in turn.replies[0].text
    assert list(ratings(guide).values()) == ["agree"]


def test_commands_are_applied_once_too(guide):
    started(guide)
    answer(guide, "agree", "m-1")
    answer(guide, "skip", "m-2")
    answer(guide, "skip", "m-2")                          # one skip, not two
    assert awaiting(guide) == guide.assessment.steps[2]


def test_old_ids_are_forgotten(guide):
    started(guide)
    answer(guide, "agree", "m-1")
    with guide.db.transaction() as repo:
        repo.session.execute(HandledMessage.__table__.update().values(handled_at=datetime.utcnow() - timedelta(days=2)))
    answer(guide, "agree", "m-2")
    with guide.db.transaction() as repo:
        kept = repo.session.execute(select(HandledMessage.message_id)).scalars().all()
    assert kept == ["m-2"]


def test_deleting_my_data_removes_the_ids(guide):
    started(guide)
    answer(guide, "agree", "m-1")
    guide.delete_data("u", confirmed=True)
    with guide.db.transaction() as repo:
        assert repo.session.execute(select(func.count()).select_from(HandledMessage)).scalar() == 0


def test_two_servers_handling_one_message_at_once_apply_it_once(postgres_db, kb):
    """Two action servers (a proxy's retry while the first still works): the second waits at the unique key
    and, once the first commits, finds the message handled."""
    guide = build(postgres_db, kb).guide
    started(guide)
    other = build(Database(postgres_db.url, migrate=False), kb).guide
    inside, release, results = threading.Event(), threading.Event(), {}
    real = guide.assessment.handle

    def slow(*args, **kwargs):
        turn = real(*args, **kwargs)
        inside.set()
        release.wait(10)          # the first server holds its transaction open here
        return turn

    guide.assessment.handle = slow

    def first():
        with guide.db.transaction():
            results["first"] = answer(guide, "agree", "m-1")

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    second = threading.Thread(target=lambda: results.__setitem__("second", _in_transaction(other)))
    second.start()
    second.join(1.0)
    assert second.is_alive()      # waiting for the first one's row
    release.set()
    thread.join(10)
    second.join(10)
    other.db.dispose()
    assert "Recorded agree" in results["first"].replies[0].text
    assert results["second"].replies == ()
    assert list(ratings(guide).values()) == ["agree"]


def _in_transaction(guide):
    with guide.db.transaction():
        return answer(guide, "agree", "m-1")
