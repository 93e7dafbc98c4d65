""""Delete my data": everything a participant said, wherever it is stored, after a confirmation.

Their own rows go (answers, reflections, worksheets, profiles, reminders, memberships, and the
report files they asked for), and in
every team they belonged to, the answers credited to them in the shared worksheets are taken out
while their partners' answers stay. A team they leave without a facilitator gets one (the
longest-standing member); a team left with no members is deleted with its work.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass

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


def delete_user(db: Database, sender: str) -> Deletion:
    with db.transaction() as repo:
        p = repo.find_participant(sender)
        if p is None:
            return Deletion(False)
        repo.personal = True
        answers = len(p.answers)
        documents = sum(len(repo.work_items(p, kind)) for kind in WORKSHEETS)
        contributions = left = deleted = 0
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
        repo.delete_participant(p)
    reports = report_store.forget(sender)   # the Word reports they asked for hold their answers too
    return Deletion(True, answers, documents, contributions, left, deleted, reports)
