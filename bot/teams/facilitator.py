"""A facilitator's tools: who has finished what, reminders to the others, the team's settings.

A facilitator is the team's creator or a member they named. Every tool first checks that the
sender facilitates the team the request is about; anyone else gets a one-line refusal.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from rapidfuzz import fuzz

from bot.assessment.self_assessment import SelfAssessment
from bot.content.knowledge import Knowledge
from bot.language.replies import Button, Reply
from bot.storage.db import Database
from bot.storage.models import Team, utcnow
from bot.storage.repository import Repository
from bot.teams.codes import CODE_VALID_FOR
from bot.teams.service import COMPARE, Teams, format_date, unique_code
from bot.worksheets.progress import StageProgress
from bot.worksheets.team_profile import KIND as PROFILE, display_names, profile_key
from bot.worksheets.workbook import Workbook

MAX_MIN_GROUP = 10
REMINDER_DELAY = timedelta(seconds=5)


class Facilitator:
    def __init__(self, db: Database, kb: Knowledge, teams: Teams, assessment: SelfAssessment, workbook: Workbook,
                 progress: StageProgress) -> None:
        self.db, self.kb, self.teams = db, kb, teams
        self.assessment, self.workbook, self.progress = assessment, workbook, progress

    def status(self, sender: str, named: Optional[str] = None) -> list[Reply]:
        """The facilitator's view: who has finished which stage, and the team's shared work."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            team, member, problem = self.teams.active_team(repo, p, named)
            if problem is not None:
                return [problem]
            if not member.facilitator:
                return [Reply(f"Only a facilitator of {team.name} sees who has finished what. You can see the shared "
                              "work (\"show my progress\") and the comparison (\"compare our ratings\").", (COMPARE,))]
            names = display_names(repo, team)
            total = len(self.kb.factors)
            lines = [f"{team.name}: {len(names)} member{'s' if len(names) != 1 else ''} (code {team.code}, valid until "
                     f"{format_date(team.code_expires_at)})."]
            behind = 0
            for m, q in repo.members(team):
                answered, finished = self.assessment.completion(repo, q)
                behind += not finished
                state = "done" if finished else f"{answered} of {total} answered" if answered else "not started"
                profile = "profile done" if self.workbook.is_complete(repo, q, PROFILE, profile_key(team.id)) \
                    else "profile not finished"
                lines.append(f"- {names[q.id]}{' [facilitator]' if m.facilitator else ''}: self-assessment {state}; "
                             f"{profile}")
            working = p.team_id == team.id
            if working:
                states = self.progress.states(repo, p)
                lines.append("Shared work: " + "; ".join(f"{s.letter}. {s.state}" for s in states if s.letter != "B") + ".")
        buttons = (Button("Remind the others", "remind those who have not finished"), COMPARE) if behind else (COMPARE,)
        return [Reply("\n".join(lines), buttons)]

    def remind(self, sender: str, now: datetime) -> tuple[Reply, list[tuple[str, str, datetime]]]:
        """Reminders for members who have not finished the self-assessment; returns (reply, [(sender, name, due)])."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            team, member, problem = self.teams.active_team(repo, p)
            if problem is not None:
                return problem, []
            if not member.facilitator:
                return Reply(f"Only a facilitator of {team.name} can send reminders to the team."), []
            names = display_names(repo, team)
            scheduled, waiting = [], []
            for _, q in repo.members(team):
                if q.id == p.id or self.assessment.completion(repo, q)[1]:
                    continue
                if any(r.requested_by is not None for r in repo.reminders(q)):
                    waiting.append(names[q.id])
                    continue
                reminder = repo.add_reminder(q, now + REMINDER_DELAY, f"finish your self-assessment for {team.name}: "
                                                                      f"{names[p.id]} is preparing the partner meeting",
                                             requested_by=p)
                scheduled.append((q.sender_id, reminder.name, reminder.due_at, names[q.id]))
        if not scheduled and not waiting:
            return Reply("Everyone else has finished the self-assessment: nobody to remind.", (COMPARE,)), []
        parts = []
        if scheduled:
            parts.append("I'll remind " + ", ".join(s[3] for s in scheduled) + " to finish the self-assessment; "
                         "they'll see it in their chat in a moment.")
        if waiting:
            parts.append("Already reminded and not yet seen: " + ", ".join(waiting) + ".")
        return Reply(" ".join(parts)), [(s[0], s[1], s[2]) for s in scheduled]

    # --- the team's settings -----------------------------------------------------------------
    def _facilitated(self, repo: Repository, sender: str) -> tuple[Optional[Team], Optional[Reply]]:
        team, member, problem = self.teams.active_team(repo, repo.participant(sender))
        if problem is not None:
            return None, problem
        if not member.facilitator:
            return None, Reply(f"Only a facilitator of {team.name} can change that. Ask the person who created it.")
        return team, None

    def set_min_group(self, sender: str, number: int) -> Reply:
        with self.db.transaction() as repo:
            team, problem = self._facilitated(repo, sender)
            if problem is not None:
                return problem
            if not 1 <= number <= MAX_MIN_GROUP:
                return Reply(f"Pick a number from 1 to {MAX_MIN_GROUP}: how many members must have answered before "
                             "ratings are compared.")
            team.min_group = number
            name = team.name
        warning = (" With fewer than three, partners may be able to tell who gave which rating: agree on this together."
                   if number < 3 else "")
        return Reply(f"{name} now compares ratings once {number} member{'s' if number != 1 else ''} "
                     f"{'have' if number != 1 else 'has'} answered.{warning}", (COMPARE,))

    def set_by_organisation(self, sender: str, on: bool) -> Reply:
        with self.db.transaction() as repo:
            team, problem = self._facilitated(repo, sender)
            if problem is not None:
                return problem
            team.by_organisation = on
            name = team.name
        if on:
            return Reply(f"{name}'s comparison now shows each rating next to the organisation that gave it. Make sure "
                         "every partner agreed; say \"hide ratings by organisation\" to go back to totals.", (COMPARE,))
        return Reply(f"{name}'s comparison shows totals only again.", (COMPARE,))

    def add_facilitator(self, sender: str, name: Optional[str]) -> Reply:
        with self.db.transaction() as repo:
            team, problem = self._facilitated(repo, sender)
            if problem is not None:
                return problem
            names = display_names(repo, team)
            wanted = (name or "").lower()
            scored = sorted(((max(fuzz.ratio(wanted, names[q.id].split(" (")[0].lower()),
                                  fuzz.ratio(wanted, names[q.id].lower())), m, names[q.id])
                             for m, q in repo.members(team)), key=lambda s: -s[0])
            if not scored or scored[0][0] < 80 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
                listed = ", ".join(n for n in names.values())
                return Reply(f"Which member? The members of {team.name} are: {listed}. Say \"make <name> a facilitator\".")
            _, member, shown = scored[0]
            member.facilitator = True
        return Reply(f"{shown} is now a facilitator of {team.name}: they can see who has finished what, send "
                     "reminders and change the team's settings.")

    def renew_code(self, sender: str, now: Optional[datetime] = None) -> Reply:
        now = now or utcnow()
        with self.db.transaction() as repo:
            team, problem = self._facilitated(repo, sender)
            if problem is not None:
                return problem
            code = unique_code(repo)
            team.code, team.code_expires_at = code, now + CODE_VALID_FOR
            name, expires = team.name, team.code_expires_at
        return Reply(f"{name}'s new join code is {code}, valid until {format_date(expires)}. The old code no longer works; "
                     "members who already joined stay in.")
