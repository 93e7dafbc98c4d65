"""A participant's stored work as JSON (a contract other tools read) or as readable Markdown."""
from __future__ import annotations

from typing import Optional

from bot.assessment import STAGE, SelfAssessment
from bot.db import Database
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
        completed = [STAGE] if service.is_complete(repo, p) else []
        return {
            "user": p.sender_id,
            "progress": {"stage": p.stage, "awaiting": p.awaiting, "completed": completed},
            "self_assessment": section,
        }


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
    return "\n".join(lines)
