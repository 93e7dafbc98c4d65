"""Which Rasa form asks the next question: the self-assessment's (stage B) or the worksheets' (A, C, D, E).

The actions stay thin by asking here: a form runs while the user has an open question, and the
participant's stage says whose question it is.
"""
from __future__ import annotations

from typing import Optional

from bot.assessment.self_assessment import STAGE as SELF_ASSESSMENT, SelfAssessment
from bot.language.replies import Turn
from bot.storage.db import Database
from bot.worksheets.workbook import Workbook

SELF_ASSESSMENT_FORM = "self_assessment_form"
WORKSHEET_FORM = "worksheet_form"


class Forms:
    def __init__(self, db: Database, assessment: SelfAssessment, workbook: Workbook) -> None:
        self.db, self.assessment, self.workbook = db, assessment, workbook

    def stage(self, sender: str) -> Optional[str]:
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            return p.stage if p is not None else None

    def open_form(self, sender: str) -> Optional[str]:
        """The form that should ask the next question, if any question is open."""
        if self.stage(sender) == SELF_ASSESSMENT:
            return SELF_ASSESSMENT_FORM if self.assessment.has_pending(sender) else None
        return WORKSHEET_FORM if self.workbook.has_pending(sender) else None


def worksheet_form(turn: Turn) -> Optional[str]:
    """The worksheet form while the turn leaves a worksheet question open."""
    return WORKSHEET_FORM if turn.pending else None


def assessment_form(turn: Turn) -> Optional[str]:
    return SELF_ASSESSMENT_FORM if turn.pending else None
