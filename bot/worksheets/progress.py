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
from bot.content.messages import say
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
        a_detail = ("" if not purpose else say("stages.one_goal") if goals == 1
                    else say("stages.goal_count", goals=goals))
        a = StageState("A", "purpose", say("stages.title_purpose"), a_state, a_detail)

        answered, finished = sa.completion(repo, p)
        round_no = p.assessment_round or 1
        b_state = DONE if finished else IN_PROGRESS if answered or p.stage == SELF_ASSESSMENT else NOT_STARTED
        results = sa.results(repo, p)
        ready = sum(1 for r in results if r.status == READY)
        b_detail = (say("stages.dimensions_ready", ready=ready, total=len(results)) if b_state == DONE
                    else say("stages.factors_answered", answered=answered, total=len(self.kb.factors))
                    if b_state == IN_PROGRESS else "")
        if b_detail and round_no > 1:
            b_detail = say("stages.in_round", detail=b_detail, round=round_no)
        b = StageState("B", SELF_ASSESSMENT, say("stages.title_self_assessment"), b_state, b_detail)

        tools = [k for k in PLANNING_ORDER if repo.work_items(p, k)]
        done_tools = [k for k in PLANNING_ORDER if wb.kind_done(repo, p, k)]
        c_state = DONE if len(done_tools) == len(PLANNING_ORDER) else IN_PROGRESS if tools else NOT_STARTED
        c_detail = ", ".join(say("stages.tool_done", title=WORKSHEETS[k].title) if k in done_tools
                             else say("stages.tool_started", title=WORKSHEETS[k].title) for k in tools)
        c = StageState("C", "planning", say("stages.title_planning"), c_state, c_detail)

        check_ins = repo.work_items(p, "implementation")
        finished = [i for i in check_ins if wb.is_complete(repo, p, "implementation", i.key)]
        d_state = DONE if finished else IN_PROGRESS if check_ins else NOT_STARTED
        d_detail = ""
        if finished:
            last = WORKSHEETS["implementation"].export(dict(finished[-1].data))
            phase = (last["phase"] or "").replace("_", " ")
            d_detail = (say("stages.one_check_in", date=last["date"], phase=phase, in_place=last["in_place"],
                            total=last["total"]) if len(finished) == 1
                        else say("stages.check_ins", count=len(finished), date=last["date"], phase=phase,
                                 in_place=last["in_place"], total=last["total"]))
        d = StageState("D", "implementation", say("stages.title_implementation"), d_state, d_detail)

        checklist = repo.work_item(p, "sustainability")
        e_state = (DONE if wb.is_complete(repo, p, "sustainability") else IN_PROGRESS if checklist else NOT_STARTED)
        e_detail = ""
        if checklist is not None:
            exported = WORKSHEETS["sustainability"].export(dict(checklist.data))
            e_detail = say("stages.points_in_place", in_place=exported["in_place"], total=exported["total"])
        e = StageState("E", "sustainability", say("stages.title_sustainability"), e_state, e_detail)
        return [a, b, c, d, e]


def current_stage(p: Participant, states: list[StageState]) -> Optional[str]:
    """The stage the user works in (or last worked in); for a newcomer, the first one not done."""
    if p.stage is not None:
        return p.stage
    return next((state.id for state in states if state.state != DONE), None)
