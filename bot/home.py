"""The front door: a greeting that knows where the user stands, and the help menu."""
from __future__ import annotations

from bot.assessment import STAGE, SelfAssessment
from bot.replies import Button, Reply

START = Button("Start the self-assessment", "start the self-assessment")
CONTINUE = Button("Continue where I left off", "continue")
RESULTS = Button("Show my results", "show my results")
FRAMEWORK = Button("What is the framework?", "what is the framework?")
WHY = Button("Why collaborate?", "why should districts and charters collaborate?")


class Home:
    def __init__(self, assessment: SelfAssessment) -> None:
        self.assessment = assessment

    def _where(self, sender: str) -> tuple[bool, bool]:
        """(has started the self-assessment, has a question open)."""
        with self.assessment.db.transaction() as repo:
            p = repo.find_participant(sender)
            if p is None or p.stage != STAGE:
                return False, False
            return True, not self.assessment.is_complete(repo, p)

    def welcome(self, sender: str) -> Reply:
        started, open_questions = self._where(sender)
        if not started:
            return Reply(
                "Hello! I'm Common Ground, a guide to the toolkit for district and charter schools that want to "
                "work together. I can explain the framework and walk you through its self-assessment, saving "
                "every answer so you can stop and come back.", (START, FRAMEWORK, WHY))
        if open_questions:
            return Reply("Welcome back! Your self-assessment is saved and waiting.", (CONTINUE, RESULTS, FRAMEWORK))
        return Reply("Welcome back! Your self-assessment is complete.", (RESULTS, FRAMEWORK))

    def help(self, sender: str, understood: bool) -> Reply:
        started, open_questions = self._where(sender)
        lead = "Here is what I can do." if understood else "Sorry, I didn't understand that. Here is what I can do."
        text = (f"{lead} Start or continue the self-assessment; explain any term (\"what is a boundary "
                "spanner?\"), the stages or the dimensions; show your results; change an answer (\"change "
                "question 2 to agree\"). Say \"I have to run\" at any time: everything is saved.")
        buttons = (CONTINUE if open_questions else START, RESULTS if started else FRAMEWORK, WHY)
        return Reply(text, buttons)
