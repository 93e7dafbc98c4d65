"""A participant's or a team's stored work as JSON: the contract other tools read, and what every report is built from.

The per-user export holds the participant's own work (their worksheets, not their teams') and
the teams they are in; a team's export holds its shared work, who wrote what, its members'
profiles and the ratings comparison under the team's own privacy choices.
"""
from __future__ import annotations

from typing import Optional

from bot.assessment.self_assessment import STAGE as SELF_ASSESSMENT, SelfAssessment
from bot.content.knowledge import Knowledge
from bot.storage.db import Database
from bot.teams.comparison import as_dict as comparison_dict
from bot.teams.service import Teams
from bot.worksheets import attribution
from bot.worksheets.progress import DONE, IN_PROGRESS, NOT_STARTED, StageProgress, current_stage
from bot.worksheets.team_profile import display_names, member_profile
from bot.worksheets.workbook import Workbook


class UnknownUser(LookupError):
    """No participant with that sender id has talked to the bot."""


class UnknownTeam(LookupError):
    """No team has that code."""


class Exports:
    """The export contract, built from the services that own each part of it."""

    def __init__(self, db: Database, kb: Knowledge, assessment: SelfAssessment, workbook: Workbook,
                 progress: StageProgress, teams: Teams) -> None:
        self.db, self.kb, self.assessment, self.workbook = db, kb, assessment, workbook
        self.progress, self.teams = progress, teams

    def user(self, sender_id: str) -> dict:
        with self.db.transaction() as repo:
            p = repo.find_participant(sender_id)
            if p is None:
                raise UnknownUser(sender_id)
            repo.personal = True   # the user's own worksheets; a team's are in `export --team`
            answers = repo.answers(p)
            reflections = repo.reflections(p)
            results = {r.dimension.id: r for r in self.assessment.results(repo, p)}
            section = {}
            for dimension in self.kb.dimensions:
                factors = {}
                for factor in dimension.factors:
                    row = answers.get(factor.id)
                    factors[factor.id] = {"rating": row.rating if row else None, "note": row.note if row else None}
                reflection = reflections.get(dimension.id)
                section[dimension.id] = {
                    "factors": factors,
                    "status": results[dimension.id].status,
                    "next_steps": reflection.next_steps if reflection else None,
                }
            states = self.progress.states(repo, p)
            completed = [s.id for s in states if s.state == DONE]
            return {
                "user": p.sender_id,
                "progress": {"stage": current_stage(p, states), "awaiting": _awaiting(p.awaiting),
                             "completed": completed, "stages": {s.id: s.state for s in states}},
                "self_assessment": section,
                "assessment_rounds": self.assessment.rounds(repo, p),
                **self.workbook.export(repo, p),
                "teams": [{"code": team.code, "name": team.name, "facilitator": member.facilitator,
                           "working_on": p.team_id == team.id, "profile": member_profile(repo, team, p)}
                          for team, member in repo.teams_of(p)],
            }

    def team(self, code: str) -> dict:
        with self.db.transaction() as repo:
            team = repo.team_by_code(code.strip().upper())
            if team is None:
                raise UnknownTeam(code)
            names = display_names(repo, team)
            members = []
            for member, participant in repo.members(team):
                answered, finished = self.assessment.completion(repo, participant)
                members.append({**member_profile(repo, team, participant), "facilitator": member.facilitator,
                                "joined": member.joined_at.date().isoformat(),
                                "self_assessment": {"answered": answered, "finished": finished}})
            stages = {s.id: s.state for s in self.progress.states(repo, repo.team_reader(team))}
            finished = sum(1 for m in members if m["self_assessment"]["finished"])
            stages[SELF_ASSESSMENT] = (DONE if members and finished == len(members) else
                                       IN_PROGRESS if any(m["self_assessment"]["answered"] for m in members) else NOT_STARTED)
            items = repo.team_work_items(team)
            work = Workbook.export_documents(lambda kind: [i for i in items if i.kind == kind])
            work.pop("reflections")   # the reflection sheet is personal
            contributions = {}
            for item in items:
                by = attribution.authors(dict(item.data))
                if by:
                    name = item.kind if item.key == "main" else f"{item.kind}.{item.key}"
                    contributions[name] = {path: names.get(writer, "a former member")
                                           for writer, paths in by.items() for path in paths}
            return {
                "team": {"name": team.name, "code": team.code, "created": team.created_at.date().isoformat(),
                         "code_expires": team.code_expires_at.date().isoformat(),
                         "settings": {"min_group": team.min_group, "by_organisation": team.by_organisation}},
                "members": members,
                "progress": {"stages": stages},
                **work,
                "contributions": contributions,
                "comparison": comparison_dict(self.teams.comparison(repo, team)),
            }


def _awaiting(position: Optional[str]) -> Optional[str]:
    """The open field as the export names it: a factor id, "environment.next_steps", "five_whys.whys.1.evidence"."""
    if position is None or ":" not in position:
        return position
    kind, key, path = position.split(":", 2)
    return f"{kind}.{path}" if key == "main" else f"{kind}.{key}.{path}"
