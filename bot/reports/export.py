"""A participant's or a team's stored work as JSON (a contract other tools read) or as readable Markdown.

The per-user export holds the participant's own work (their worksheets, not their teams') and
the teams they are in; a team's export holds its shared work, who wrote what, its members'
profiles and the ratings comparison under the team's own privacy choices.
"""
from __future__ import annotations

from typing import Optional

from bot.assessment.self_assessment import STAGE as SELF_ASSESSMENT, SelfAssessment
from bot.content.knowledge import Knowledge, knowledge as load_default
from bot.language.ratings import LABELS, RATINGS
from bot.storage.db import Database
from bot.teams.comparison import as_dict as comparison_dict
from bot.teams.service import Teams
from bot.worksheets import attribution
from bot.worksheets.progress import DONE, IN_PROGRESS, NOT_STARTED, StageProgress
from bot.worksheets.team_profile import display_names, member_profile, sector_labels
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
                "progress": {"stage": self.progress.current_stage(repo, p), "awaiting": _awaiting(p.awaiting),
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


def to_markdown(data: dict, kb: Optional[Knowledge] = None) -> str:
    kb = kb or load_default()
    progress = data["progress"]
    lines = [f"# Common Ground: work of {data['user']}", ""]
    where = progress["awaiting"] or ("finished" if progress["completed"] else "not started")
    lines += [f"Stage: {progress['stage'] or 'not started'}; waiting for: {where}", ""]
    lines += ["## B. Self-assessment: assessing the environment for collaboration", ""]
    for dimension in kb.dimensions:
        part = data["self_assessment"][dimension.id]
        status = {"ready": "ready for next steps", "needs_work": "needs work"}.get(part["status"], "no status yet")
        lines += [f"### {dimension.title} ({status})", "", "| # | Factor | Rating | Note |", "|---|---|---|---|"]
        for factor in dimension.factors:
            answer = part["factors"][factor.id]
            rating = LABELS.get(answer["rating"], "-") if answer["rating"] else "-"
            note = (answer["note"] or "").replace("|", "\\|")
            lines.append(f"| {factor.number} | {factor.title} | {rating} | {note} |")
        lines += ["", f"Next steps: {part['next_steps'] or '-'}", ""]
    return "\n".join(lines + _rounds_markdown(data, kb) + _purpose_markdown(data) + _planning_markdown(data)
                     + _checklists_markdown(data))


def team_markdown(data: dict, kb: Optional[Knowledge] = None) -> str:
    kb = kb or load_default()
    team, labels = data["team"], sector_labels()
    lines = [f"# Common Ground: the work of {team['name']}", "",
             f"Code {team['code']} (valid until {team['code_expires']}); ratings compared once "
             f"{team['settings']['min_group']} members have answered; ratings by organisation "
             f"{'shown' if team['settings']['by_organisation'] else 'not shown'}.", "",
             "## Members", "", "| Name | Organisation | Sector | Role | Facilitator | Self-assessment |",
             "|---|---|---|---|---|---|"]
    for m in data["members"]:
        state = "finished" if m["self_assessment"]["finished"] else f"{m['self_assessment']['answered']} answered"
        lines.append(f"| {_cell(m['name'])} | {_cell(m['organisation'])} | {_cell(labels.get(m['sector'] or '', '-'))} | "
                     f"{_cell(m['role'])} | {'yes' if m['facilitator'] else 'no'} | {state} |")
    lines += [""] + _comparison_markdown(data["comparison"], kb)
    lines += _purpose_markdown(data) + _planning_markdown(data) + _checklists_markdown(data)
    if data["contributions"]:
        lines += ["## Who wrote what", ""]
        for document, paths in data["contributions"].items():
            lines.append(f"- {document}: " + "; ".join(f"{path}: {who}" for path, who in paths.items()))
        lines.append("")
    return "\n".join(lines)


def _comparison_markdown(comparison: dict, kb: Knowledge) -> list[str]:
    lines = ["## B. Self-assessment: the members' ratings side by side", ""]
    if not comparison["shown"]:
        return lines + [f"{comparison['answered']} of {comparison['members']} members have answered; ratings are "
                        f"compared once {comparison['min_group']} have.", ""]
    for dimension in kb.dimensions:
        part = comparison["dimensions"][dimension.id]
        readiness = f"{part['readiness']:.1f}" if part["readiness"] is not None else "-"
        lines += [f"### {dimension.title} ({part['answered']} answered, readiness {readiness})", "",
                  "| # | Factor | Answered | SD | D | A | SA | N/A | Average | To discuss |", "|---|---|---|---|---|---|---|---|---|---|"]
        for factor in dimension.factors:
            f = part["factors"][factor.id]
            counts = f["counts"] or {}
            cells = [str(counts.get(r, "-")) if f["shown"] else "-" for r in RATINGS]
            average = f"{f['mean']:.1f}" if f["mean"] is not None else "-"
            lines.append(f"| {factor.number} | {factor.title} | {f['answered']} | " + " | ".join(cells) +
                         f" | {average} | {_cell(f['prompt'] or '-')} |")
        lines.append("")
    return lines


def _cell(value) -> str:
    if isinstance(value, list):
        value = "<br>".join(str(v) for v in value)
    return str(value if value not in (None, "") else "-").replace("|", "\\|").replace("\n", " ")


def _yes_no(value) -> str:
    return {True: "yes", False: "no"}.get(value, "not sure")


def _purpose_markdown(data: dict) -> list[str]:
    lines = ["## A. Unifying purpose and SMART goals", "", f"Purpose: {data.get('purpose') or '-'}", ""]
    if data.get("smart_goals"):
        lines += ["| # | Goal | Specific | Measurable | Achievable | Results-oriented | Time-bound |",
                  "|---|---|---|---|---|---|---|"]
        for number, goal in enumerate(data["smart_goals"], start=1):
            c = goal["checks"]
            lines.append(f"| {number} | {_cell(goal['text'])} | " + " | ".join(
                _yes_no(c[k]) for k in ("specific", "measurable", "achievable", "results_oriented", "time_bound")) + " |")
        lines.append("")
    return lines


def _planning_markdown(data: dict) -> list[str]:
    five = data.get("five_whys") or {}
    lines = ["## C. Planning", "", "### Getting the problem right: 5 Whys", "",
             f"Problem statement: {five.get('problem') or '-'}", "",
             "| Why | Reason the problem occurs | How do we know? (evidence) |", "|---|---|---|"]
    lines += [f"| {i} | {_cell(w['answer'])} | {_cell(w['evidence'])} |" for i, w in enumerate(five.get("whys") or [], 1)]
    lines += ["", "| Root cause | How do we know? | Removing it would prevent the problem? |", "|---|---|---|"]
    lines += [f"| {_cell(c['text'])} | {_cell(c['evidence'])} | {_yes_no(c['validated'])} |"
              for c in five.get("root_causes") or []]
    model = data.get("logic_model") or {}
    lines += ["", "### Logic model", "", f"The problem: {model.get('problem') or '-'}", "",
              "| Inputs/resources | Activities | Outputs | Short-term outcomes (1 year) | Long-term outcomes (3 years) | Impact |",
              "|---|---|---|---|---|---|",
              "| " + " | ".join(_cell(model.get(k) or []) for k in ("inputs", "activities", "outputs",
                                                                     "short_term_outcomes", "long_term_outcomes",
                                                                     "impact")) + " |",
              "", f"Enabling factors: {_cell(model.get('enabling_factors') or [])}",
              f"Constraining factors: {_cell(model.get('constraining_factors') or [])}", ""]
    for number, plan in enumerate(data.get("action_plans") or [], start=1):
        lines += [f"### Action plan {number}", "", f"Goal: {plan.get('goal') or '-'}", "",
                  f"Outcomes: {_cell(plan.get('outcomes') or [])}", "",
                  "| Step | What will be done | Who | By when | Resources needed | Resources available | "
                  "Potential barriers | Communications plan |", "|---|---|---|---|---|---|---|---|"]
        lines += [f"| {i} | " + " | ".join(_cell(step.get(k)) for k in (
            "action", "who", "by_when", "resources_needed", "resources_available", "barriers", "communications")) + " |"
            for i, step in enumerate(plan.get("steps") or [], 1)]
        lines += ["", f"Evidence of success: {_cell(plan.get('evidence_of_success'))}",
                  f"Evaluation process: {_cell(plan.get('evaluation_process'))}",
                  f"Capacity to collaborate: {_cell(plan.get('capacity_to_collaborate'))}",
                  f"Scope: {_cell(plan.get('scope'))}", ""]
    return lines


def _rounds_markdown(data: dict, kb: Knowledge) -> list[str]:
    rounds = data.get("assessment_rounds") or []
    if len(rounds) < 2:
        return []
    lines = ["### Self-assessment rounds compared", "",
             "| Dimension | " + " | ".join(f"Round {r['round']} ({r['started'] or '-'})" for r in rounds) + " |",
             "|---|" + "---|" * len(rounds)]
    for dimension in kb.dimensions:
        cells = []
        for r in rounds:
            result = r["dimensions"][dimension.id]
            status = {"ready": "ready", "needs_work": "needs work"}.get(result["status"], "-")
            cells.append(f"{result['mean']:.1f}, {status}" if result["mean"] is not None else "-")
        lines.append(f"| {dimension.title} | " + " | ".join(cells) + " |")
    return lines + [""]


_STATUS_WORDS = {"yes": "yes", "partly": "partly", "not_yet": "not yet", "not_applicable": "n/a"}


def _checklist_rows(points: list[dict]) -> list[str]:
    rows = ["| # | Quality | In place? | Successes/challenges | Next steps |", "|---|---|---|---|---|"]
    return rows + [f"| {i} | {_cell(p['text'])} | {_STATUS_WORDS.get(p['status'] or '', '-')} | {_cell(p['note'])} | "
                   f"{_cell(p['next_step'])} |" for i, p in enumerate(points, 1)]


def _checklists_markdown(data: dict) -> list[str]:
    lines = ["## D. Implementing: assessing implementation progress", ""]
    check_ins = data.get("implementation") or []
    if not check_ins:
        lines += ["No check-in yet.", ""]
    for check_in in check_ins:
        phase = (check_in["phase"] or "-").replace("_", " ")
        lines += [f"### Check-in of {check_in['date']}: {phase} ({check_in['in_place']} of {check_in['total']} in place)",
                  ""] + _checklist_rows(check_in["qualities"]) + [""]
    sustain = data.get("sustainability") or {}
    lines += ["## E. Sustaining collaboration: preparing for scale-up and sustainability", ""]
    if sustain.get("date"):
        lines += [f"Last updated {sustain['date']}: {sustain['in_place']} of {sustain['total']} points in place.", ""]
        lines += _checklist_rows(sustain["points"]) + [""]
    else:
        lines += ["Not started.", ""]
    return lines
