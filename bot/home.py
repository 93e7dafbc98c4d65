"""The front door: a greeting that knows where the user stands, and the help menu."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.replies import Button, Reply

if TYPE_CHECKING:
    from bot.guide import Guide

START = Button("Start the self-assessment", "start the self-assessment")
PURPOSE = Button("Define our purpose and goals", "let's define our unifying purpose")
PLAN = Button("Start planning (5 Whys)", "let's do the 5 whys")
CONTINUE = Button("Continue where I left off", "continue")
PROGRESS = Button("Show my progress", "show my progress")
FRAMEWORK = Button("What is the framework?", "what is the framework?")
WHY = Button("Why collaborate?", "why should districts and charters collaborate?")


class Home:
    def __init__(self, guide: "Guide") -> None:
        self.guide = guide

    def _started(self, sender: str) -> bool:
        with self.guide.db.transaction() as repo:
            p = repo.find_participant(sender)
            return p is not None and p.stage is not None

    def welcome(self, sender: str) -> Reply:
        if not self._started(sender):
            return Reply(
                "Hello! I'm Common Ground, a guide to the toolkit for district and charter schools that want to "
                "work together. I can explain the framework, help you state a unifying purpose and SMART goals, "
                "walk you through the self-assessment and the planning tools, and save every answer so you can "
                "stop and come back.", (PURPOSE, START, FRAMEWORK, WHY))
        if self.guide.open_form(sender):
            return Reply("Welcome back! Your work is saved and waiting where you left it.", (CONTINUE, PROGRESS, FRAMEWORK))
        return Reply("Welcome back! What would you like to work on?", (PROGRESS, PURPOSE, START, PLAN))

    def help(self, sender: str, understood: bool) -> Reply:
        lead = "Here is what I can do." if understood else "Sorry, I didn't understand that. Here is what I can do."
        text = (f"{lead} State your unifying purpose and SMART goals (\"let's define our purpose\", \"add a goal\"); "
                "do the self-assessment; plan with the 5 Whys, a logic model and action plans; explain any term "
                "(\"what is a boundary spanner?\"); show your progress; go back or change an answer (\"change "
                "question 2 to agree\"). Say \"I have to run\" at any time: everything is saved.")
        buttons = (CONTINUE, PROGRESS, FRAMEWORK) if self.guide.open_form(sender) else (PURPOSE, START, PLAN)
        return Reply(text, buttons)
