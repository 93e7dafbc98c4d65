"""Reminders: reading "remind me on Monday to finish this", and keeping the reminder until it is delivered.

The time is read with dateparser (offline, well kept) after a little normalising of the
phrasings it misses ("next Monday", "tonight", a bare "at 9"). Rasa schedules the reminder
itself (a ReminderScheduled event); the row stored here lets the server schedule it again
after a restart, and lets the welcome mention a reminder that came due while nobody listened.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import dateparser

from bot.storage.db import Database
from bot.language.text import clean_text

DEFAULT_HOUR = 9                      # "on Monday" means Monday morning
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


class Reminders:
    """Stores reminders and says which are due; Rasa does the scheduling."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, sender: str, due: datetime, about: Optional[str]) -> str:
        with self.db.transaction() as repo:
            return repo.add_reminder(repo.participant(sender), due, about).name

    def take_due(self, sender: str, now: Optional[datetime] = None) -> list[tuple[Optional[str], bool]]:
        """Marks every reminder that has come due as delivered; returns (what it was about, asked by
        someone else) for each."""
        now = now or datetime.now()
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            if p is None:
                return []
            due = [r for r in repo.reminders(p) if r.due_at <= now]
            for reminder in due:
                reminder.fired_at = now
            return [(r.about, r.requested_by is not None) for r in due]
