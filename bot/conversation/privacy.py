""""Delete my data": everything a person said, wherever it is stored, after a confirmation.

A person may have several conversations: a Slack user has one per workspace plus one per thread
they wrote in ("slack:T:U" and "slack:T:U:<thread>"). Deleting from any of them covers all: their
rows (answers, reflections, worksheets, profiles, reminders, memberships), the reminders they
asked for on others' behalf (the words name them), messages held for them, where they can be
reached, pending web links, Rasa's conversation logs (the deleting conversation's own log is
dropped by the tracker store, bot/rasa_plugins/tracker_store.py, once the turn ends), the
report files they asked for, and every team report that names them: removed rather than
redacted, since a Word file cannot be trusted to lose a name everywhere it appears (tables,
charts, who-wrote-what) and a member can ask for a fresh one in a moment. In every team they
belonged to, the answers credited to them in the shared worksheets are taken out while their
partners' answers stay. A team they leave without a facilitator gets one (the longest-standing
member); a team left with no members is deleted with its work.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Optional

from bot.worksheets import attribution

from bot.reports import store as report_store
from bot.storage.db import Database
from bot.language.text import clean_text
from bot.worksheets.workbook import WORKSHEETS

_CONFIRM = re.compile(r"^(?:yes|yep|yeah|confirm|confirmed|i confirm|do it|go ahead|sure)?[,!. ]*"
                      r"(?:(?:please\s+)?(?:delete|erase|remove|wipe)\s+(?:it\s+all|everything|all of it|all my data|"
                      r"my data|all my answers|all))?[.! ]*$")


_REQUEST = re.compile(r"\b(?:delete|erase|remove|wipe|forget|purge)\b.*\b(?:my|me|mine|everything|it all|all of it|"
                      r"all data)\b|\bmy (?:data|answers|account|information)\b.*\b(?:deleted|erased|removed|wiped|gone)\b")


def is_delete_request(text: str) -> bool:
    """The words ask to delete the user's data ("delete my data", "yes, delete everything"), as opposed
    to an answer the classifier only took for one ("State FAFSA data in April")."""
    return bool(_REQUEST.search(clean_text(text).lower()))


_KEEP = re.compile(r"^(?:no\b|nope\b|cancel\b|keep\b|don'?t\b|do not\b|stop\b|never ?mind\b)|\bkeep my (?:data|answers)\b")


def is_keep(text: str) -> bool:
    """ "keep my data", "no", "cancel": the answer that turns a deletion down."""
    return bool(_KEEP.search(clean_text(text).lower()))


def is_confirmation(text: str) -> bool:
    """ "yes, delete everything": the words that confirm a deletion the bot just asked about."""
    normal = clean_text(text).lower().strip()
    return bool(normal) and bool(_CONFIRM.match(normal)) and normal not in {"", "please"}


@dataclass(frozen=True)
class Deletion:
    found: bool
    answers: int = 0          # self-assessment ratings, all rounds
    documents: int = 0        # own worksheets and team profiles
    contributions: int = 0    # answers taken out of team worksheets
    teams_left: int = 0
    teams_deleted: int = 0
    reports: int = 0          # report files they had asked for


def person_of(sender: str) -> tuple[str, Optional[str]]:
    """The person behind a conversation id: (their main id, the prefix of their other conversations or None).
    A Slack thread "slack:T:U:<thread>" belongs to "slack:T:U"; other channels give one id per person."""
    parts = sender.split(":")
    if parts[0] == "slack" and len(parts) >= 3 and all(parts[:3]):
        base = ":".join(parts[:3])
        return base, base + ":"
    return sender, None


def delete_user(db: Database, sender: str) -> Deletion:
    base, prefix = person_of(sender)
    with db.transaction() as repo:
        people = repo.participants_of_person(base, prefix)
        conversations = repo.sender_ids_of_person(base, prefix) | {sender}
        repo.personal = True
        answers = documents = contributions = left = deleted = 0
        for p in people:
            answers += len(p.answers)
            documents += sum(len(repo.work_items(p, kind)) for kind in WORKSHEETS)
            for team, member in repo.teams_of(p):
                for item in repo.team_work_items(team):
                    doc = copy.deepcopy(item.data)
                    ws = WORKSHEETS.get(item.kind)
                    taken = attribution.forget(doc, p.id, ws.forget if ws is not None else None)
                    if taken:
                        contributions += taken
                        item.data = doc
                others = [(m, q) for m, q in repo.members(team) if q.id != p.id]
                if not others:
                    repo.delete_team(team)
                    deleted += 1
                    continue
                if member.facilitator and not any(m.facilitator for m, _ in others):
                    others[0][0].facilitator = True
                left += 1
            repo.delete_reminders_requested_by(p)
            repo.delete_participant(p)
        repo.forget_person(base, prefix)
    # the Word reports they asked for hold their answers, and team reports name them
    reports = report_store.forget(*conversations)
    if not people:
        return Deletion(False, reports=reports)
    return Deletion(True, answers, documents, contributions, left, deleted, reports)
