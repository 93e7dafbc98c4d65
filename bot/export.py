"""A participant's stored work as JSON (a contract other tools read) or as readable Markdown."""
from __future__ import annotations

from typing import Optional

from bot.assessment import STAGE, SelfAssessment
from bot.db import Database
from bot.workbook import PLANNING_ORDER, Workbook
from bot.knowledge import Knowledge, knowledge as load_default
from bot.ratings import LABELS


class UnknownUser(LookupError):
    """No participant with that sender id has talked to the bot."""


def export_user(db: Database, sender_id: str, kb: Optional[Knowledge] = None) -> dict:
    kb = kb or load_default()
    service = SelfAssessment(db, kb)
    with db.transaction() as repo:
        p = repo.find_participant(sender_id)
        if p is None:
            raise UnknownUser(sender_id)
        answers = repo.answers(p)
        reflections = repo.reflections(p)
        results = {r.dimension.id: r for r in service.results(repo, p)}
        section = {}
        for dimension in kb.dimensions:
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
        workbook = Workbook(db, kb)
        completed = [STAGE] if service.is_complete(repo, p) else []
        if workbook.is_complete(repo, p, "purpose"):
            completed.insert(0, "purpose")
        if all(workbook.kind_done(repo, p, kind) for kind in PLANNING_ORDER):
            completed.append("planning")
        return {
            "user": p.sender_id,
            "progress": {"stage": p.stage, "awaiting": _awaiting(p.awaiting), "completed": completed},
            "self_assessment": section,
            **workbook.export(repo, p),
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
    return "\n".join(lines + _purpose_markdown(data) + _planning_markdown(data))


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
