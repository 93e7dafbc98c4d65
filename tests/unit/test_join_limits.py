"""The limit on join-code guessing (bot/teams/limits.py), on SQLite and PostgreSQL."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import build
from bot.storage.models import JoinAttempt, utcnow
from bot.teams.codes import ALPHABET
from bot.teams.limits import PER_ADDRESS, PER_SENDER, address_key, caller_address, calling_from

START = utcnow().replace(microsecond=0)


@pytest.fixture
def teams(db, kb):
    return build(db, kb).teams


def text(turn):
    return "\n".join(r.text for r in turn.replies)


def real_code(teams):
    teams.create("ana", "Boston Compact", START)
    with teams.db.transaction() as repo:
        return repo.teams_of(repo.participant("ana"))[0][0].code


def wrong(code, n=0):
    """A well-formed code that differs from `code` (the n-th of several)."""
    others = [c for c in ALPHABET if c != code[-1] and c.isdigit()]
    return code[:4] + ALPHABET[n % len(ALPHABET)] + others[n % len(others)]


def rows(teams, **where):
    with teams.db.transaction() as repo:
        query = select(func.count()).select_from(JoinAttempt)
        for column, value in where.items():
            query = query.where(getattr(JoinAttempt, column) == value)
        return repo.session.execute(query).scalar_one()


def members(teams, code):
    with teams.db.transaction() as repo:
        return [p.sender_id for _, p in repo.members(repo.team_by_code(code))]


def test_five_codes_that_open_nothing_pause_joining_for_the_sender_even_with_the_right_code(teams):
    code = real_code(teams)
    for n in range(PER_SENDER.limit):
        assert "doesn't open a team" in text(teams.join("ben", wrong(code, n), START + timedelta(minutes=n)))
    paused = text(teams.join("ben", code, START + timedelta(minutes=5)))
    assert paused.startswith("Joining is paused for now") and "wait 10 minutes" in paused
    # a malformed code, an unknown one and the right one all get the same answer while paused
    assert text(teams.join("ben", "K7P2Q", START + timedelta(minutes=5))) == paused
    assert text(teams.join("ben", wrong(code, 9), START + timedelta(minutes=5))) == paused
    assert members(teams, code) == ["ana"]
    # refused attempts are not counted, so the time named stays true
    assert rows(teams, sender_id="ben") == PER_SENDER.limit
    assert "wait 1 minute," in text(teams.join("ben", code, START + timedelta(minutes=14, seconds=30)))
    # once the first failure is 15 minutes old, one more try is allowed, and the right code works
    assert "Welcome to Boston Compact" in text(teams.join("ben", code, START + timedelta(minutes=15, seconds=1)))
    assert members(teams, code) == ["ana", "ben"]


def test_the_window_slides_one_failure_at_a_time(teams):
    code = real_code(teams)
    for n in range(PER_SENDER.limit):
        teams.join("ben", wrong(code, n), START + timedelta(minutes=2 * n))
    later = START + PER_SENDER.period + timedelta(seconds=1)
    assert "doesn't open a team" in text(teams.join("ben", wrong(code, 7), later))
    # the oldest failure still inside the window is the one at minute 2: paused until minute 17
    assert "wait 2 minutes" in text(teams.join("ben", code, later))


def test_a_success_does_not_reset_the_count(teams):
    code = real_code(teams)
    for n in range(PER_SENDER.limit - 1):
        teams.join("ben", wrong(code, n), START)
    assert "Welcome" in text(teams.join("ben", code, START))
    assert "already in Boston Compact" in text(teams.join("ben", code, START))
    assert "doesn't open a team" in text(teams.join("ben", wrong(code, 5), START))
    assert text(teams.join("ben", code, START)).startswith("Joining is paused")
    assert rows(teams, sender_id="ben", succeeded=True) == 2


def test_expired_and_unknown_codes_share_one_answer_and_both_count(teams):
    code = real_code(teams)
    with teams.db.transaction() as repo:
        repo.team_by_code(code).code_expires_at = START - timedelta(days=1)
    expired = text(teams.join("ben", code, START))
    unknown = text(teams.join("ben", wrong(code), START))
    assert expired == unknown.replace(wrong(code), code)
    assert rows(teams, sender_id="ben", succeeded=False) == 2


def test_twenty_failures_from_one_address_pause_everyone_there_but_nobody_else(teams):
    code = real_code(teams)
    office = "198.51.100.7"
    for person in range(PER_ADDRESS.limit // PER_SENDER.limit):
        for n in range(PER_SENDER.limit):
            teams.join(f"guest-{person}", wrong(code, n), START + timedelta(minutes=person), address=office)
    paused = text(teams.join("cara", code, START + timedelta(minutes=10), address=office))
    assert paused.startswith("Joining is paused") and "wait 50 minutes" in paused
    assert "Welcome" in text(teams.join("dan", code, START + timedelta(minutes=10), address="198.51.100.8"))
    assert "Welcome" in text(teams.join("eve", code, START + timedelta(minutes=10)))   # Slack, Teams: no address
    assert "Welcome" in text(teams.join("cara", code, START + timedelta(minutes=60, seconds=1), address=office))
    assert members(teams, code) == ["ana", "dan", "eve", "cara"]


def test_the_address_comes_from_the_call_when_not_given(teams):
    code = real_code(teams)
    with calling_from("203.0.113.9"):
        assert caller_address() == "203.0.113.9"
        teams.join("ben", wrong(code), START)
    assert caller_address() is None
    assert rows(teams, address="203.0.113.9") == 1


@pytest.mark.parametrize("raw, key", [
    ("198.51.100.7", "198.51.100.7"),
    (" 198.51.100.7 ", "198.51.100.7"),
    ("::ffff:198.51.100.7", "198.51.100.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2::/64"),
    ("fe80::1%eth0", "fe80::/64"),
    ("a proxy's odd value " + "x" * 80, ("a proxy's odd value " + "x" * 80)[:64]),
    ("", None), (None, None), (42, None),
])
def test_addresses_are_counted_by_what_one_caller_controls(raw, key):
    assert address_key(raw) == key


def test_old_attempts_are_pruned(teams):
    code = real_code(teams)
    for n in range(3):
        teams.join(f"old-{n}", wrong(code, n), START, address="198.51.100.7")
    assert rows(teams) == 3
    teams.join("ben", wrong(code), START + PER_ADDRESS.period + timedelta(seconds=1))
    assert rows(teams) == 1
