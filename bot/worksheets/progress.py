"""Where each of the five stages stands for a participant or a team: done, in progress or not started.

The journey's overview, the facilitator's team view and the export all read these states, so the
same answer is given everywhere. Stage B's state comes from the self-assessment; the others from
the worksheets.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bot.assessment.self_assessment import STAGE as SELF_ASSESSMENT, SelfAssessment
from bot.assessment.scoring import READY
from bot.content.knowledge import Knowledge
from bot.storage.models import Participant
from bot.storage.repository import Repository
from bot.worksheets.workbook import PLANNING_ORDER, WORKSHEETS, Workbook

DONE, IN_PROGRESS, NOT_STARTED = "done", "in progress", "not started"
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


class StageProgress:
    def __init__(self, kb: Knowledge, assessment: SelfAssessment, workbook: Workbook) -> None:
        self.kb, self.assessment, self.workbook = kb, assessment, workbook

    def states(self, repo: Repository, p: Participant) -> list[StageState]:
        wb, sa = self.workbook, self.assessment
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
                    else f"{answered} of {len(self.kb.factors)} answered{round_text}" if b_state == IN_PROGRESS else "")
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

