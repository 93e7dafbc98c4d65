"""The five stages as one journey: what is done, what is open, and the sensible next step with its reason.

"Show my progress", "what's next?", the help menu and the welcome back all read this, so the
user hears the same story everywhere. The reasons follow the toolkit's logic: purpose before
anything, the self-assessment before planning, a right-sized pilot where capacity is thin,
regular check-ins once work starts, and a fresh self-assessment when a cycle ends.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Optional

from bot.assessment.self_assessment import STAGE as SELF_ASSESSMENT
from bot.worksheets import checklists
from bot.storage.models import Participant
from bot.language.replies import Button, Reply
from bot.storage.repository import Repository
from bot.assessment.scoring import NEEDS_WORK, READY
from bot.worksheets.workbook import PLANNING_ORDER, WORKSHEETS

if TYPE_CHECKING:
    from bot.conversation.guide import Guide

DONE, IN_PROGRESS, NOT_STARTED = "done", "in progress", "not started"
CHECK_IN_AGAIN_AFTER = timedelta(days=30)   # a check-in older than this suggests another one
_MARKS = {DONE: "✓", IN_PROGRESS: "…", NOT_STARTED: "·"}


@dataclass(frozen=True)
class StageState:
    letter: str
    id: str          # the stage id the export and Participant.stage use
    title: str
    state: str
    detail: str = ""

    def line(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{_MARKS[self.state]} {self.letter}. {self.title}: {self.state}{detail}"


@dataclass(frozen=True)
class NextStep:
    what: str
    why: str
    button: Button


class Journey:
    def __init__(self, guide: "Guide") -> None:
        self.guide = guide

    # --- where each stage stands ---------------------------------------------------------
    def states(self, repo: Repository, p: Participant) -> list[StageState]:
        wb, sa = self.guide.workbook, self.guide.assessment
        purpose = repo.work_item(p, "purpose")
        goals = len([g for g in (purpose.data.get("goals") or []) if g.get("text")]) if purpose else 0
        a_state = DONE if wb.is_complete(repo, p, "purpose") else IN_PROGRESS if purpose else NOT_STARTED
        a = StageState("A", "purpose", "Unifying purpose and SMART goals", a_state,
                       f"{goals} goal{'s' if goals != 1 else ''}" if purpose else "")

        answered, finished = sa.completion(repo, p)
        round_no = p.assessment_round or 1
        b_state = DONE if finished else IN_PROGRESS if answered or p.stage == SELF_ASSESSMENT else NOT_STARTED
        results = sa.results(repo, p)
        ready = sum(1 for r in results if r.status == READY)
        round_text = f", round {round_no}" if round_no > 1 else ""
        b_detail = (f"{ready} of {len(results)} dimensions ready{round_text}" if b_state == DONE
                    else f"{answered} of {len(self.guide.kb.factors)} answered{round_text}" if b_state == IN_PROGRESS else "")
        b = StageState("B", SELF_ASSESSMENT, "Self-assessment", b_state, b_detail)

        tools = [k for k in PLANNING_ORDER if repo.work_items(p, k)]
        done_tools = [k for k in PLANNING_ORDER if wb.kind_done(repo, p, k)]
        c_state = DONE if len(done_tools) == len(PLANNING_ORDER) else IN_PROGRESS if tools else NOT_STARTED
        c_detail = ", ".join(f"{WORKSHEETS[k].title} {'done' if k in done_tools else 'started'}" for k in tools)
        c = StageState("C", "planning", "Planning (5 Whys, logic model, action plans)", c_state, c_detail)

        check_ins = repo.work_items(p, "implementation")
        finished = [i for i in check_ins if wb.is_complete(repo, p, "implementation", i.key)]
        d_state = DONE if finished else IN_PROGRESS if check_ins else NOT_STARTED
        d_detail = ""
        if finished:
            last = WORKSHEETS["implementation"].export(dict(finished[-1].data))
            d_detail = (f"{len(finished)} check-in{'s' if len(finished) != 1 else ''}, last on {last['date']}: "
                        f"{(last['phase'] or '').replace('_', ' ')}, {last['in_place']} of {last['total']} in place")
        d = StageState("D", "implementation", "Implementing (progress check-ins)", d_state, d_detail)

        checklist = repo.work_item(p, "sustainability")
        e_state = (DONE if wb.is_complete(repo, p, "sustainability") else IN_PROGRESS if checklist else NOT_STARTED)
        e_detail = ""
        if checklist is not None:
            exported = WORKSHEETS["sustainability"].export(dict(checklist.data))
            e_detail = f"{exported['in_place']} of {exported['total']} points in place"
        e = StageState("E", "sustainability", "Sustaining (scale-up checklist)", e_state, e_detail)
        return [a, b, c, d, e]

    def current_stage(self, repo: Repository, p: Participant) -> Optional[str]:
        """The stage the user works in (or last worked in); for a newcomer, the first one not done."""
        if p.stage is not None:
            return p.stage
        for state in self.states(repo, p):
            if state.state != DONE:
                return state.id
        return None

    # --- what to do next --------------------------------------------------------------------
    def next_step(self, repo: Repository, p: Participant, states: Optional[list[StageState]] = None) -> NextStep:
        states = states or self.states(repo, p)
        by_id = {s.id: s for s in states}
        if p.awaiting is not None and self.guide.open_form(p.sender_id):
            title = "self-assessment" if p.stage == SELF_ASSESSMENT else WORKSHEETS[p.awaiting.split(":")[0]].title
            return NextStep(f"finish your {title}", "you stopped in the middle, and your answers so far are saved",
                            Button("Continue where I left off", "continue"))
        if by_id["purpose"].state != DONE:
            return NextStep("agree on your unifying purpose and SMART goals (stage A)",
                            "every later step is judged against a purpose both sectors share",
                            Button("Define our purpose", "let's define our unifying purpose"))
        if by_id[SELF_ASSESSMENT].state != DONE:
            return NextStep("complete the self-assessment (stage B)",
                            "it shows whether the ground is ready before you plan, and where it needs work",
                            Button("Continue the self-assessment", "start the self-assessment"))
        results = {r.dimension.id: r for r in self.guide.assessment.results(repo, p)}
        weak = [r for r in results.values() if r.status == NEEDS_WORK]
        capacity_weak = results.get("capacity") is not None and results["capacity"].status == NEEDS_WORK
        if by_id["planning"].state != DONE:
            tool = next(k for k in PLANNING_ORDER if not self.guide.workbook.kind_done(repo, p, k))
            if capacity_weak:
                why = ("the self-assessment shows capacity needs work, so plan a right-sized pilot: start small "
                       "where staff time and resources are thin")
            elif weak:
                why = (f"the self-assessment shows {weak[0].dimension.title.lower()} needs work: find out why and "
                       "build the fix into the plan")
            else:
                why = "every dimension looks ready, so turn the goals into a plan"
            return NextStep(f"plan: the {WORKSHEETS[tool].title} (stage C)", why,
                            Button(f"Start the {WORKSHEETS[tool].title}", f"start the {WORKSHEETS[tool].title}"))
        if by_id["implementation"].state != DONE:
            why = ("the plan is ready; think small before going big and check the pilot's progress regularly"
                   if capacity_weak else "the plan is ready, and a regular check-in keeps it from slipping behind "
                                         "daily school business")
            return NextStep("start implementing and do a progress check-in (stage D)", why,
                            Button("Implementation check-in", "start an implementation check-in"))
        if by_id["sustainability"].state != DONE:
            return NextStep("go through the sustainability checklist (stage E)",
                            "laying the groundwork early helps the work outlast a first pilot and grow",
                            Button("Sustainability checklist", "start the sustainability checklist"))
        last = self._last_check_in(repo, p)
        if last is not None and checklists.today() - last >= CHECK_IN_AGAIN_AFTER:
            return NextStep("do another implementation check-in",
                            f"the last one was on {last.isoformat()}, over a month ago",
                            Button("Implementation check-in", "start an implementation check-in"))
        return NextStep("start a new self-assessment round",
                        "the toolkit ends a cycle with a fresh self-assessment to find the new starting point; "
                        "your earlier round is kept for comparison",
                        Button("New self-assessment round", "start a new self-assessment round"))

    def _last_check_in(self, repo: Repository, p: Participant) -> Optional[date]:
        dates = [item.data.get("date") for item in repo.work_items(p, "implementation") if item.data.get("date")]
        return date.fromisoformat(max(dates)) if dates else None

    # --- what the user sees -----------------------------------------------------------------
    def overview(self, sender: str) -> Reply:
        with self.guide.db.transaction() as repo:
            p = repo.participant(sender)
            states = self.states(repo, p)
            step = self.next_step(repo, p, states)
            reflection = repo.work_item(p, "reflections")
            reflected = (DONE if self.guide.workbook.is_complete(repo, p, "reflections") else
                         IN_PROGRESS if reflection is not None else NOT_STARTED)
            team = repo.team(p.team_id)
        heading = (f"Your journey through the five stages, working on {team.name} (stages A, C, D and E are shared "
                   "with the team; the self-assessment is yours):" if team is not None
                   else "Your journey through the five stages:")
        lines = [heading] + [s.line() for s in states]
        lines.append(f"Also: reflection on the DC and Massachusetts profiles: {reflected}.")
        lines.append(f"Next: {step.what}. Why: {step.why}.")
        return Reply("\n".join(lines), (step.button, Button("Help", "help")))

    def next_line(self, sender: str) -> tuple[str, Button]:
        with self.guide.db.transaction() as repo:
            p = repo.participant(sender)
            step = self.next_step(repo, p)
        return f"Next: {step.what}. Why: {step.why}.", step.button
