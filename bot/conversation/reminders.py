"""Reminders: reading "remind me on Monday to finish this", and keeping the reminder until it truly arrived.

The time is read with dateparser (offline, well kept) after a little normalising of the
phrasings it misses ("next Monday", "tonight", a bare "at 9"). The database is the schedule: a
reminder is a row, and the Rasa server (bot/rasa_plugins/reminder_restorer.py) claims the rows
that came due, has the action server word them, sends them through the person's own channel and
only then marks them delivered. Where there is no way to push (REST, a closed web page) or every
try failed, the words are held and shown at the person's next message; a facilitator whose
reminder could not be sent is told so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import dateparser

from bot.content.messages import say
from bot.language.replies import Button, Reply
from bot.language.text import clean_text
from bot.storage.db import Database
from bot.storage.models import Participant
from bot.storage.repository import Repository
from bot.worksheets.team_profile import display_names

DEFAULT_HOUR = 9                      # "on Monday" means Monday morning
CLAIM_LEASE = timedelta(minutes=10)   # a claim older than this was left by a server that stopped: taken over
BATCH_ENTITY = "reminder_batch"       # the entity that tells action_reminder_due which reminders to word
LONGEST = timedelta(days=366)
_REQUEST = re.compile(r"^(?:please |can you |could you |would you |pls )?(?:set a reminder|remind (?:me|us))\b(?P<rest>.*)$",
                      re.I | re.S)
_WHEN_WORDS = (r"on|in (?=\d|an? |half|one |two |three |a few)|at|by|next|this|tomorrow|tonight|today|later|monday|tuesday|wednesday|thursday|friday|"
               r"saturday|sunday|end of|early|first thing|\d")
_ABOUT_WORD = re.compile(r"\s+(?:to|about|that|so (?:i|we))\s+", re.I)
_WHEN_START = re.compile(rf"\s+(?=(?:{_WHEN_WORDS})\b)", re.I)
_WEEKDAY = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_REWRITES = [
    (re.compile(r"\bnext " + _WEEKDAY), r"\1"),
    (re.compile(r"\bthis " + _WEEKDAY), r"\1"),
    (re.compile(r"\btonight\b|\bthis evening\b"), "today 19:00"),
    (re.compile(r"\bthis afternoon\b"), "today 14:00"),
    (re.compile(r"\bthis morning\b"), "today 09:00"),
    (re.compile(r"\blater today\b|\blater\b"), "in 3 hours"),
    (re.compile(r"\b(?:the )?end of (?:the |this )?week\b"), "friday"),
    (re.compile(r"\bfirst thing\b"), "09:00"),
    (re.compile(r"\b(?:at|around) (\d{1,2})(?![:\d]|\s*[ap]\.?m)\b"), r"at \1:00"),
]
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|\d\s*[ap]\.?m\b|\bnoon\b|\bmidnight\b|\bin \d+|\bin an? |\bhours?\b|\bminutes?\b|\bseconds?\b")


@dataclass(frozen=True)
class ReminderRequest:
    due: Optional[datetime]      # None when no time could be read
    about: Optional[str]         # what to be reminded of, as the user said it
    problem: Optional[str] = None  # why `due` is None: "missing", "past", "too_far"


def is_reminder_request(text: str) -> bool:
    return bool(_REQUEST.match(clean_text(text)))


def parse_when(phrase: str, now: datetime) -> Optional[datetime]:
    normal = clean_text(phrase).lower().strip(" .!?")
    normal = re.sub(r"^(?:on|by)\s+", "", normal)
    for pattern, replacement in _REWRITES:
        normal = pattern.sub(replacement, normal)
    found = dateparser.parse(normal, languages=["en"],
                             settings={"PREFER_DATES_FROM": "future", "RELATIVE_BASE": now,
                                       "RETURN_AS_TIMEZONE_AWARE": False})
    if found is None:
        return None
    if not _HAS_TIME.search(normal):
        found = found.replace(hour=DEFAULT_HOUR, minute=0, second=0, microsecond=0)
    return found


def parse_request(text: str, now: datetime) -> ReminderRequest:
    """The time and subject of "remind me ..."; `due` is None (with a reason) when no usable time is given."""
    match = _REQUEST.match(clean_text(text))
    rest = (match.group("rest") if match else clean_text(text)).strip(" .!?")
    candidates: list[tuple[str, Optional[str]]] = []
    lead = re.match(r"^(?:to|about|that)\s+", rest, re.I)
    if lead:  # "to finish this on Monday": the time is at the end; try each place it could start
        body = rest[lead.end():]
        candidates += [(body[m.end():], body[:m.start()]) for m in _WHEN_START.finditer(body)]
    else:     # "on Monday to finish this"
        candidates += [(rest[:m.start()], rest[m.end():]) for m in _ABOUT_WORD.finditer(rest)]
    candidates.append((rest, None))
    about_only = re.match(r"^\s*(?:to|about|that)\s+(?P<about>.+)$", rest, re.S)
    for when, about in candidates:
        due = parse_when(when, now) if when.strip() else None
        if due is None:
            continue
        if due <= now:
            return ReminderRequest(None, about, "past")
        if due - now > LONGEST:
            return ReminderRequest(None, about, "too_far")
        return ReminderRequest(due, about)
    return ReminderRequest(None, about_only.group("about") if about_only else None, "missing")


def describe(due: datetime, now: datetime) -> str:
    """ "Monday 30 November at 09:00", or "in 10 seconds" for a reminder due within a minute."""
    seconds = (due - now).total_seconds()
    if seconds < 60:
        return f"in {max(1, round(seconds))} seconds"
    day = "today" if due.date() == now.date() else \
        "tomorrow" if due.date() == (now + timedelta(days=1)).date() else \
        f"{due.strftime('%A')} {due.day} {due.strftime('%B')}"
    return f"{day} at {due.strftime('%H:%M')}"


def batch_value(ids: list[int]) -> str:
    return " ".join(str(i) for i in ids)


def batch_ids(value: object) -> list[int]:
    """The reminder ids an entity value names ("12 13"); anything else names none."""
    return [int(part) for part in str(value or "").split() if part.isdigit()]


def reminder_reply(due: list[tuple[Optional[str], bool]], next_line: str, next_button: Button) -> Reply:
    """What reminders that came due say: what they were about (a team's first), then what is left."""
    from_team = next((a for a, asked_by_other in due if a and asked_by_other), None)
    about = next((a for a, asked_by_other in due if a and not asked_by_other), None)
    lead = (say("conversation.reminder_from_team", task=from_team) if from_team else
            say("conversation.reminder_about", task=about) if about else say("conversation.reminder_plain"))
    return Reply(f"{lead} {next_line}", (next_button, Button("Show my progress", "show my progress")))


class Reminders:
    """Stores reminders, hands the due ones out once, and records what became of them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, sender: str, due: datetime, about: Optional[str]) -> str:
        with self.db.transaction() as repo:
            return repo.add_reminder(repo.participant(sender), due, about).name

    def take_due(self, sender: str, now: Optional[datetime] = None) -> list[tuple[Optional[str], bool]]:
        """The reminders that came due and that no server is delivering, for a reply the user is about to
        read (the welcome); marked delivered. Returns (what it was about, asked by someone else) for each."""
        now = now or datetime.now()
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            if p is None:
                return []
            taken = [r for r in repo.reminders(p) if r.due_at <= now and r.failed_at is None
                     and repo.claim_reminder(r.id, now, now - CLAIM_LEASE)]
            for reminder in taken:
                reminder.fired_at = now
            return [(r.about, r.requested_by is not None) for r in taken]

    # --- delivery (driven by the Rasa server) ------------------------------------------------
    def claim_due(self, now: Optional[datetime] = None) -> dict[str, list[int]]:
        """Claims every reminder that came due, so that one server delivers it; {sender id: [reminder ids]}."""
        now = now or datetime.now()
        claimed: dict[str, list[int]] = {}
        with self.db.transaction() as repo:
            for sender, reminder in repo.due_reminders(now, now - CLAIM_LEASE):
                if repo.claim_reminder(reminder.id, now, now - CLAIM_LEASE):
                    claimed.setdefault(sender, []).append(reminder.id)
        return claimed

    def batch(self, sender: str, ids: list[int]) -> list[tuple[Optional[str], bool]]:
        """What the claimed reminders `ids` of `sender` are about (those not delivered yet), for their words."""
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            if p is None:
                return []
            return [(r.about, r.requested_by is not None) for r in repo.reminders_by_id(ids)
                    if r.participant_id == p.id and r.fired_at is None]

    def delivered(self, ids: list[int], now: Optional[datetime] = None) -> None:
        """The words of these reminders reached the person: only now are they marked delivered."""
        now = now or datetime.now()
        with self.db.transaction() as repo:
            for reminder in repo.reminders_by_id(ids):
                reminder.fired_at = reminder.fired_at or now

    def hold(self, sender: str, messages: list[dict], ids: list[int], names: tuple[str, ...] = ()) -> None:
        """Keeps messages for the person's next message (no way to push, or every push failed); `names`: the
        others they name, so the messages go when one of them deletes their data."""
        with self.db.transaction() as repo:
            repo.hold_messages(sender, messages, ids, names)

    def take_held(self, sender: str) -> list[tuple[list[dict], list[int]]]:
        with self.db.transaction() as repo:
            return repo.take_held(sender)

    def failed(self, ids: list[int], attempts: int, channel: str,
               now: Optional[datetime] = None) -> list[tuple[str, str, str]]:
        """Every try to send these reminders failed: they are marked so (not delivered), and each person who
        asked for one on a member's behalf gets a sentence saying so; returns [(their sender id, sentence,
        the member's sender id)]."""
        now = now or datetime.now()
        notices = []
        with self.db.transaction() as repo:
            for reminder in repo.reminders_by_id(ids):
                reminder.failed_at, reminder.attempts = now, attempts
                asker = repo.session.get(Participant, reminder.requested_by) if reminder.requested_by else None
                member = repo.session.get(Participant, reminder.participant_id)
                if asker is None or member is None:
                    continue
                notices.append((asker.sender_id, say("teams.reminder_not_delivered", channel=channel,
                                                     member=_name_for(repo, asker, member), attempts=attempts),
                                member.sender_id))
        return notices

    def counts(self) -> dict[str, int]:
        with self.db.transaction() as repo:
            return repo.reminder_counts()


def _name_for(repo: Repository, asker: Participant, member: Participant) -> str:
    """How `asker` knows `member`: their name in a team both belong to."""
    shared = {team.id: team for team, _ in repo.teams_of(member)}
    for team, _ in repo.teams_of(asker):
        if team.id in shared:
            return display_names(repo, team).get(member.id, say("teams.member_unnamed"))
    return say("teams.member_unnamed")
