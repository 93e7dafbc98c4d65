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
from bot.content.messages import say
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
                return [Reply(say("teams.status_facilitators_only", team=team.name), (COMPARE,))]
            names = display_names(repo, team)
            total = len(self.kb.factors)
            expires = format_date(team.code_expires_at)
            lines = [say("teams.status_head_one_member", team=team.name, code=team.code, expires=expires)
                     if len(names) == 1 else
                     say("teams.status_head", team=team.name, count=len(names), code=team.code, expires=expires)]
            behind = 0
            for m, q in repo.members(team):
                answered, finished = self.assessment.completion(repo, q)
                behind += not finished
                state = (say("teams.assessment_done") if finished else
                         say("teams.assessment_answered", answered=answered, total=total) if answered else
                         say("teams.assessment_not_started"))
                profile_done = self.workbook.is_complete(repo, q, PROFILE, profile_key(team.id))
                profile = say("teams.profile_done") if profile_done else say("teams.profile_not_finished")
                lines.append(say("teams.facilitator_status", member=names[q.id], assessment=state, profile=profile)
                             if m.facilitator else
                             say("teams.member_status", member=names[q.id], assessment=state, profile=profile))
            working = p.team_id == team.id
            if working:
                states = self.progress.states(repo, p)
                lines.append(say("teams.shared_work",
                                 stages="; ".join(f"{s.letter}. {s.state}" for s in states if s.letter != "B")))
        buttons = (Button("Remind the others", "remind those who have not finished"), COMPARE) if behind else (COMPARE,)
        return [Reply("\n".join(lines), buttons)]

    def remind(self, sender: str, now: datetime) -> tuple[Reply, list[tuple[str, str, datetime]]]:
        """Reminders for members who have not finished the self-assessment; returns (reply, [(sender, name, due)]).
        They are stored only: the Rasa server sends each through the member's own channel when due and tells
        this facilitator if it could not (bot/rasa_plugins/outbound.py). One that could not be sent does not
        count as waiting, so the facilitator may try again."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            team, member, problem = self.teams.active_team(repo, p)
            if problem is not None:
                return problem, []
            if not member.facilitator:
                return Reply(say("teams.remind_facilitators_only", team=team.name)), []
            names = display_names(repo, team)
            scheduled, waiting = [], []
            for _, q in repo.members(team):
                if q.id == p.id or self.assessment.completion(repo, q)[1]:
                    continue
                if any(r.requested_by is not None and r.failed_at is None for r in repo.reminders(q)):
                    waiting.append(names[q.id])
                    continue
                reminder = repo.add_reminder(q, now + REMINDER_DELAY,
                                             say("teams.reminder_to_finish", team=team.name, facilitator=names[p.id]),
                                             requested_by=p)
                scheduled.append((q.sender_id, reminder.name, reminder.due_at, names[q.id]))
        if not scheduled and not waiting:
            return Reply(say("teams.nobody_to_remind"), (COMPARE,)), []
        parts = []
        if scheduled:
            parts.append(say("teams.reminding", members=", ".join(s[3] for s in scheduled)))
        if waiting:
            parts.append(say("teams.already_reminded", members=", ".join(waiting)))
        return Reply(" ".join(parts)), [(s[0], s[1], s[2]) for s in scheduled]
    def contact_for(self, sender: str) -> Optional[str]:
        """The facilitators of the user's current team, by name ("Ana (Boston Public Schools)"), other
        than the user; None when there is no team or no one else facilitates it."""
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            team = repo.team(p.team_id) if p is not None else None
            if team is None:
                return None
            names = display_names(repo, team)
            people = [names[q.id] for m, q in repo.members(team) if m.facilitator and q.id != p.id]
        return " or ".join(people) if people else None

    # --- the team's settings -----------------------------------------------------------------
    def _facilitated(self, repo: Repository, sender: str) -> tuple[Optional[Team], Optional[Reply]]:
        team, member, problem = self.teams.active_team(repo, repo.participant(sender))
        if problem is not None:
            return None, problem
        if not member.facilitator:
            return None, Reply(say("teams.settings_facilitators_only", team=team.name))
        return team, None

    def set_min_group(self, sender: str, number: int) -> Reply:
        with self.db.transaction() as repo:
            team, problem = self._facilitated(repo, sender)
            if problem is not None:
                return problem
            if not 1 <= number <= MAX_MIN_GROUP:
                return Reply(say("teams.min_group_out_of_range", limit=MAX_MIN_GROUP))
            team.min_group = number
            name = team.name
        sentences = [say("teams.min_group_set_to_one", team=name) if number == 1 else
                     say("teams.min_group_set", team=name, count=number)]
        if number < 3:
            sentences.append(say("teams.min_group_small"))
        return Reply(" ".join(sentences), (COMPARE,))

    def set_by_organisation(self, sender: str, on: bool) -> Reply:
        with self.db.transaction() as repo:
            team, problem = self._facilitated(repo, sender)
            if problem is not None:
                return problem
            team.by_organisation = on
            name = team.name
        if on:
            return Reply(say("teams.by_organisation_on", team=name), (COMPARE,))
        return Reply(say("teams.by_organisation_off", team=name), (COMPARE,))

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
                return Reply(say("teams.which_member", team=team.name, members=listed))
            _, member, shown = scored[0]
            member.facilitator = True
        return Reply(say("teams.facilitator_added", member=shown, team=team.name))

    def renew_code(self, sender: str, now: Optional[datetime] = None) -> Reply:
        now = now or utcnow()
        with self.db.transaction() as repo:
            team, problem = self._facilitated(repo, sender)
            if problem is not None:
                return problem
            code = unique_code(repo)
            team.code, team.code_expires_at = code, now + CODE_VALID_FOR
            name, expires = team.name, team.code_expires_at
        return Reply(say("teams.code_renewed", team=name, code=code, expires=format_date(expires)))
