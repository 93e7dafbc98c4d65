"""The composition root: every service built once, each handed only the collaborators it uses.

The Rasa actions, the command line and the tests all start here, so swapping a real
collaborator for another (a second database, a test's knowledge) happens in one place and
nothing below reaches back up for what it needs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bot.assessment.self_assessment import SelfAssessment
from bot.content.knowledge import Knowledge, knowledge as load_knowledge
from bot.conversation.forms import Forms
from bot.conversation.guide import Guide
from bot.conversation.home import Home
from bot.conversation.journey import Journey
from bot.conversation.reminders import Reminders
from bot.lessons.advisor import Advisor
from bot.reports.delivery import ReportDesk
from bot.reports.export import Exports
from bot.storage.db import Database
from bot.teams.facilitator import Facilitator
from bot.teams.service import Teams
from bot.worksheets.progress import StageProgress
from bot.worksheets.workbook import Workbook


@dataclass(frozen=True)
class App:
    db: Database
    kb: Knowledge
    advisor: Advisor
    assessment: SelfAssessment
    workbook: Workbook
    progress: StageProgress
    forms: Forms
    teams: Teams
    facilitator: Facilitator
    exports: Exports
    reports: ReportDesk
    reminders: Reminders
    journey: Journey
    guide: Guide
    home: Home

    def warm(self) -> None:
        """Builds now what a first question would otherwise wait for: the lesson search (spaCy's pipeline and
        the BM25 index over every lesson, about a second, which the self-assessment's next-steps prompts
        consult). Servers call it before they listen."""
        self.advisor.search.search("shared enrollment")


def build(db: Optional[Database] = None, kb: Optional[Knowledge] = None) -> App:
    """The whole application on one database (the configured one when none is given)."""
    db = db or Database()
    kb = kb or load_knowledge()
    advisor = Advisor()
    assessment = SelfAssessment(db, kb, advisor)
    workbook = Workbook(db, kb, advisor)
    progress = StageProgress(kb, assessment, workbook)
    forms = Forms(db, assessment, workbook)
    teams = Teams(db, kb, workbook)
    facilitator = Facilitator(db, kb, teams, assessment, workbook, progress)
    exports = Exports(db, kb, assessment, workbook, progress, teams)
    reports = ReportDesk(db, kb, exports, teams)
    reminders = Reminders(db)
    journey = Journey(db, assessment, workbook, progress, forms)
    guide = Guide(db, kb, advisor, assessment, workbook, forms, journey, reminders, teams, facilitator)
    home = Home(db, forms, journey, guide.reminder_due)
    return App(db, kb, advisor, assessment, workbook, progress, forms, teams, facilitator, exports, reports,
               reminders, journey, guide, home)
