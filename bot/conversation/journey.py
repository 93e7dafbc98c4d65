"""What to do next, and the five stages at a glance, with the reason for the suggested step.

"Show my progress", "what's next?", the help menu and the welcome back all read this, so the
user hears the same story everywhere. The reasons follow the toolkit's logic: purpose before
anything, the self-assessment before planning, a right-sized pilot where capacity is thin,
regular check-ins once work starts, and a fresh self-assessment when a cycle ends. Where each
stage stands comes from `worksheets/progress.py`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from bot.assessment.scoring import NEEDS_WORK
from bot.assessment.self_assessment import STAGE as SELF_ASSESSMENT, SelfAssessment
from bot.content.messages import say
from bot.conversation.forms import Forms
from bot.language.replies import Button, Reply
from bot.storage.db import Database
from bot.storage.models import Participant
from bot.storage.repository import Repository
from bot.worksheets import checklists
from bot.worksheets.progress import DONE, IN_PROGRESS, NOT_STARTED, StageProgress, StageState
from bot.worksheets.workbook import PLANNING_ORDER, WORKSHEETS, Workbook

CHECK_IN_AGAIN_AFTER = timedelta(days=30)   # a check-in older than this suggests another one


@dataclass(frozen=True)
class NextStep:
    what: str
    why: str
    button: Button


class Journey:
    def __init__(self, db: Database, assessment: SelfAssessment, workbook: Workbook, progress: StageProgress,
                 forms: Forms) -> None:
        self.db, self.assessment, self.workbook = db, assessment, workbook
        self.progress, self.forms = progress, forms

    # --- what to do next --------------------------------------------------------------------
    def next_step(self, repo: Repository, p: Participant, states: Optional[list[StageState]] = None) -> NextStep:
        states = states or self.progress.states(repo, p)
        by_id = {s.id: s for s in states}
        if p.awaiting is not None and self.forms.open_form(p.sender_id):
            what = (say("conversation.step_finish_self_assessment") if p.stage == SELF_ASSESSMENT
                    else say("conversation.step_finish", title=WORKSHEETS[p.awaiting.split(":")[0]].title))
            return NextStep(what, say("conversation.why_finish"), Button("Continue where I left off", "continue"))
        if by_id["purpose"].state != DONE:
            return NextStep(say("conversation.step_purpose"), say("conversation.why_purpose"),
                            Button("Define our purpose", "let's define our unifying purpose"))
        if by_id[SELF_ASSESSMENT].state != DONE:
            return NextStep(say("conversation.step_self_assessment"), say("conversation.why_self_assessment"),
                            Button("Continue the self-assessment", "start the self-assessment"))
        results = {r.dimension.id: r for r in self.assessment.results(repo, p)}
        weak = [r for r in results.values() if r.status == NEEDS_WORK]
        capacity_weak = results.get("capacity") is not None and results["capacity"].status == NEEDS_WORK
        if by_id["planning"].state != DONE:
            tool = next(k for k in PLANNING_ORDER if not self.workbook.kind_done(repo, p, k))
            if capacity_weak:
                why = say("conversation.why_plan_pilot")
            elif weak:
                why = say("conversation.why_plan_fix", dimension=weak[0].dimension.title.lower())
            else:
                why = say("conversation.why_plan_ready")
            return NextStep(say("conversation.step_plan", title=WORKSHEETS[tool].title), why,
                            Button(f"Start the {WORKSHEETS[tool].title}", f"start the {WORKSHEETS[tool].title}"))
        if by_id["implementation"].state != DONE:
            why = say("conversation.why_implement_pilot") if capacity_weak else say("conversation.why_implement")
            return NextStep(say("conversation.step_implement"), why,
                            Button("Implementation check-in", "start an implementation check-in"))
        if by_id["sustainability"].state != DONE:
            return NextStep(say("conversation.step_sustain"), say("conversation.why_sustain"),
                            Button("Sustainability checklist", "start the sustainability checklist"))
        last = self._last_check_in(repo, p)
        if last is not None and checklists.today() - last >= CHECK_IN_AGAIN_AFTER:
            return NextStep(say("conversation.step_check_in_again"),
                            say("conversation.why_check_in_again", last=last.isoformat()),
                            Button("Implementation check-in", "start an implementation check-in"))
        return NextStep(say("conversation.step_new_round"), say("conversation.why_new_round"),
                        Button("New self-assessment round", "start a new self-assessment round"))

    def _last_check_in(self, repo: Repository, p: Participant) -> Optional[date]:
        dates = [item.data.get("date") for item in repo.work_items(p, "implementation") if item.data.get("date")]
        return date.fromisoformat(max(dates)) if dates else None

    # --- what the user sees -----------------------------------------------------------------
    def overview(self, sender: str) -> Reply:
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            states = self.progress.states(repo, p)
            step = self.next_step(repo, p, states)
            reflection = repo.work_item(p, "reflections")
            reflected = (DONE if self.workbook.is_complete(repo, p, "reflections") else
                         IN_PROGRESS if reflection is not None else NOT_STARTED)
            team = repo.team(p.team_id)
        heading = (say("conversation.overview_heading_team", team=team.name) if team is not None
                   else say("conversation.overview_heading"))
        lines = [heading] + [s.line() for s in states]
        lines.append(say("conversation.overview_reflection", state=reflected))
        lines.append(say("conversation.next_step", what=step.what, why=step.why))
        return Reply("\n".join(lines), (step.button, Button("Help", "help")))

    def next_line(self, sender: str) -> tuple[str, Button]:
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            step = self.next_step(repo, p)
        return say("conversation.next_step", what=step.what, why=step.why), step.button
