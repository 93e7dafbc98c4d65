"""Partners working together: creating and joining teams, switching between them, the comparison.

"Create a team called Boston Compact" gives a six-character code; "join team K7P2QX" joins.
While a participant works on a team, the shared worksheets (repository.SHARED_KINDS) are the
team's; the self-assessment stays each member's own and meets the others' only in the
comparison. Every command acts on teams the sender belongs to: naming another team's code or a
person's id reveals nothing. The facilitator's tools are in `facilitator.py`.
"""
from __future__ import annotations

import math
from datetime import datetime
from typing import Optional

from rapidfuzz import fuzz

from bot.content.knowledge import Knowledge
from bot.content.messages import say
from bot.language.replies import Button, Reply, Turn
from bot.language.text import clean_text
from bot.storage.db import Database
from bot.storage.models import Participant, Team, TeamMember, utcnow
from bot.storage.repository import SHARED_KINDS, Repository
from bot.teams.codes import CODE_VALID_FOR, new_code, read_code
from bot.teams.comparison import MemberRatings, TeamComparison, compare, render
from bot.teams.limits import JoinLimits, caller_address
from bot.worksheets.team_profile import KIND as PROFILE, member_profile
from bot.worksheets.workbook import Workbook

MAX_TEAM_NAME = 120

COMPARE = Button("Compare our ratings", "compare our ratings")
STATUS = Button("Team progress", "team progress")
MY_TEAMS = Button("My teams", "which teams am I in?")


def format_date(moment: datetime) -> str:
    return f"{moment.day} {moment.strftime('%B %Y')}"


def unique_code(repo: Repository) -> str:
    code = new_code()
    while repo.team_by_code(code) is not None:
        code = new_code()
    return code


class Teams:
    def __init__(self, db: Database, kb: Knowledge, workbook: Workbook, limits: Optional[JoinLimits] = None) -> None:
        self.db, self.kb = db, kb
        self.workbook = workbook   # opens the member's profile worksheet after creating or joining
        self.limits = limits or JoinLimits()

    # --- reading ------------------------------------------------------------------------------
    def active_team(self, repo: Repository, p: Participant, named: Optional[str] = None
                ) -> tuple[Optional[Team], Optional[TeamMember], Optional[Reply]]:
        """The team a command is about: the named one or the one worked on; only the sender's own teams."""
        mine = repo.teams_of(p)
        if named:
            found = self._find(mine, named)
            if found is None:
                return None, None, Reply(say("teams.not_your_team", named=named[:60], teams=self._teams_line(repo, p)),
                                         (MY_TEAMS,))
            return found[0], found[1], None
        if p.team_id is not None:
            for team, member in mine:
                if team.id == p.team_id:
                    return team, member, None
        if len(mine) == 1:
            return mine[0][0], mine[0][1], None
        if not mine:
            return None, None, Reply(say("teams.no_team_yet"))
        return None, None, Reply(say("teams.which_team", teams=self._teams_line(repo, p)), (MY_TEAMS,))

    @staticmethod
    def _find(mine: list[tuple[Team, TeamMember]], named: str) -> Optional[tuple[Team, TeamMember]]:
        code, _ = read_code(named)
        for team, member in mine:
            if code is not None and team.code == code:
                return team, member
        scored = [(fuzz.ratio(named.lower(), team.name.lower()), team, member) for team, member in mine]
        best = max(scored, default=None, key=lambda s: s[0])
        return (best[1], best[2]) if best is not None and best[0] >= 85 else None

    def _teams_line(self, repo: Repository, p: Participant) -> str:
        mine = repo.teams_of(p)
        if not mine:
            return say("teams.no_teams")
        parts = []
        for team, member in mine:
            roles = [say("teams.role_facilitator")] if member.facilitator else []
            if p.team_id == team.id:
                roles.append(say("teams.role_working_on_it"))
            parts.append(say("teams.team_entry_with_roles", team=team.name, code=team.code, roles=", ".join(roles))
                         if roles else say("teams.team_entry", team=team.name, code=team.code))
        return say("teams.your_teams", teams="; ".join(parts))

    # --- joining -----------------------------------------------------------------------------
    def create(self, sender: str, name: Optional[str], now: Optional[datetime] = None) -> Turn:
        name = clean_text(name or "").strip(" .\"'“”")
        if not name:
            return Turn((Reply(say("teams.team_name_missing")),), False)
        if len(name) > MAX_TEAM_NAME:
            return Turn((Reply(say("teams.team_name_too_long", length=len(name), limit=MAX_TEAM_NAME)),), False)
        now = now or utcnow()
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            code = unique_code(repo)
            team = repo.add_team(name, code, now + CODE_VALID_FOR)
            repo.add_member(team, p, facilitator=True)
            self._work_on(repo, p, team)
            expires = team.code_expires_at
        lead = Reply(say("teams.team_created", team=name, code=code, expires=format_date(expires)))
        return self._profile(sender, lead)

    def join(self, sender: str, raw_code: Optional[str], now: Optional[datetime] = None,
             address: Optional[str] = None) -> Turn:
        """Joins the team whose code this is. Every code that opens nothing is recorded against the
        sender and their network address (`address`, else the caller's, see limits.calling_from);
        past the limits every attempt gets the same request to wait, and nothing is looked up."""
        now = now or utcnow()
        address = address or caller_address()
        with self.db.transaction() as repo:
            until = self.limits.locked_until(repo, sender, address, now)
            if until is not None:
                minutes = max(1, math.ceil((until - now).total_seconds() / 60))
                return Turn((Reply(say("teams.join_paused", minutes=minutes,
                                       unit="minute" if minutes == 1 else "minutes")),), False)
            code, problem = read_code(raw_code)
            if code is None:
                return Turn((Reply(problem or ""),), False)
            p = repo.participant(sender)
            team = repo.team_by_code(code)
            member = repo.membership(team, p) if team is not None else None
            if team is None or (member is None and team.code_expires_at < now):
                self.limits.record(repo, sender, address, False, now)
                return Turn((Reply(say("teams.code_not_valid", code=code, days=CODE_VALID_FOR.days)),), False)
            self.limits.record(repo, sender, address, True, now)
            if member is not None:
                self._work_on(repo, p, team)
                return Turn((Reply(say("teams.already_member", team=team.name), (COMPARE, STATUS)),), False)
            repo.add_member(team, p)
            self._work_on(repo, p, team)
            name, count = team.name, len(repo.members(team))
        lead = Reply(say("teams.joined", team=name, count=count))
        return self._profile(sender, lead)

    def _profile(self, sender: str, lead: Reply) -> Turn:
        """The team news and the profile's introduction in one message (the form asks the first question)."""
        turn = self.workbook.start(sender, PROFILE)
        text = "\n".join([lead.text] + [r.text for r in turn.replies if r.text])
        return Turn((Reply(text, lead.buttons + tuple(b for r in turn.replies for b in r.buttons)),), turn.pending)

    @staticmethod
    def _work_on(repo: Repository, p: Participant, team: Optional[Team]) -> None:
        """Switches the shared worksheets to `team` (None: the participant's own); an open shared
        question belongs to the other owner, so it is closed (its answers are saved)."""
        if p.team_id == (team.id if team else None):
            return
        p.team_id = team.id if team else None
        kind = (p.awaiting or "").split(":")[0]
        if kind in SHARED_KINDS:
            repo.set_position(p, p.stage, None)

    def switch(self, sender: str, named: Optional[str]) -> Reply:
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            found = self._find(repo.teams_of(p), named or "") if named else None
            if found is None:
                code, _ = read_code(named)
                shown, teams = (named or "")[:60], self._teams_line(repo, p)
                text = (say("teams.not_in_team_named_join", named=shown, code=code, teams=teams) if code
                        else say("teams.not_in_team_named", named=shown, teams=teams))
                return Reply(text, (MY_TEAMS,))
            self._work_on(repo, p, found[0])
            return Reply(say("teams.working_on_team", team=found[0].name), (COMPARE, STATUS))

    def personal(self, sender: str) -> Reply:
        with self.db.transaction() as repo:
            self._work_on(repo, repo.participant(sender), None)
        return Reply(say("teams.working_on_own"))

    def list(self, sender: str) -> Reply:
        with self.db.transaction() as repo:
            line = self._teams_line(repo, repo.participant(sender))
        return Reply(say("teams.teams_and_commands", teams=line))

    def leave(self, sender: str, named: Optional[str]) -> Reply:
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            team, member, problem = self.active_team(repo, p, named)
            if problem is not None:
                return problem
            others = [(m, q) for m, q in repo.members(team) if q.id != p.id]
            if not others:
                return Reply(say("teams.only_member", team=team.name))
            if member.facilitator and not any(m.facilitator for m, _ in others):
                others[0][0].facilitator = True   # a team always keeps a facilitator
            repo.remove_member(member)
            if p.team_id == team.id:
                self._work_on(repo, p, None)
            return Reply(say("teams.left_team", team=team.name))

    # --- seeing together ---------------------------------------------------------------------
    def comparison(self, repo: Repository, team: Team) -> TeamComparison:
        members = []
        for _, participant in repo.members(team):
            profile = member_profile(repo, team, participant)
            ratings = {fid: row.rating for fid, row in repo.answers(participant).items()}
            members.append(MemberRatings(profile["name"] or say("teams.member_unnamed"),
                                         profile["organisation"] or say("teams.organisation_not_given"),
                                         profile["sector"], ratings))
        return compare(self.kb, team.name, members, team.min_group, team.by_organisation)

    def summary(self, sender: str, named: Optional[str] = None, detail: bool = False) -> list[Reply]:
        with self.db.transaction() as repo:
            team, _, problem = self.active_team(repo, repo.participant(sender), named)
            if problem is not None:
                return [problem]
            return render(self.comparison(repo, team), detail)

    def profile(self, sender: str) -> Turn:
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            team, _, problem = self.active_team(repo, p)
            if problem is None:
                self._work_on(repo, p, team)
        if problem is not None:
            return Turn((problem,), False)
        return self.workbook.start(sender, PROFILE)
