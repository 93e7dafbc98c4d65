"""The front door: a greeting that knows where the user stands, and the help menu with the journey so far."""
from __future__ import annotations

from typing import Callable

from bot.conversation.forms import Forms
from bot.conversation.journey import Journey
from bot.language.replies import Button, Reply
from bot.storage.db import Database

START = Button("Start the self-assessment", "start the self-assessment")
PURPOSE = Button("Define our purpose and goals", "let's define our unifying purpose")
CONTINUE = Button("Continue where I left off", "continue")
PROGRESS = Button("Show my progress", "show my progress")
FRAMEWORK = Button("What is the framework?", "what is the framework?")
WHY = Button("Why collaborate?", "why should districts and charters collaborate?")


class Home:
    def __init__(self, db: Database, forms: Forms, journey: Journey,
                 reminder_due: Callable[[str], list[Reply]]) -> None:
        self.db, self.forms, self.journey = db, forms, journey
        self.reminder_due = reminder_due   # a reminder that came due while nobody was listening

    def _started(self, sender: str) -> bool:
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            return p is not None and p.stage is not None

    def welcome(self, sender: str) -> list[Reply]:
        if not self._started(sender):
            return [Reply(
                "Hello! I'm Common Ground, a guide to the toolkit for district and charter schools that want to "
                "work together. I can explain the framework, help you state a unifying purpose and SMART goals, "
                "walk you through the self-assessment, planning, implementation check-ins and the sustainability "
                "checklist, bring partner organisations together as a team (\"join team\" and the code a partner "
                "gave you), and save every answer so you can stop and come back.", (PURPOSE, START, FRAMEWORK, WHY))]
        replies = self.reminder_due(sender)
        if self.forms.open_form(sender):
            return replies + [Reply("Welcome back! Your work is saved and waiting where you left it.",
                                    (CONTINUE, PROGRESS, FRAMEWORK))]
        line, button = self.journey.next_line(sender)
        return replies + [Reply(f"Welcome back! {line}", (button, PROGRESS, FRAMEWORK))]

    def help(self, sender: str, understood: bool) -> list[Reply]:
        lead = "Here is what I can do." if understood else "Sorry, I didn't understand that. Here is what I can do."
        text = (f"{lead} Work through the five stages: a unifying purpose and SMART goals (\"let's define our "
                "purpose\"), the self-assessment, planning with the 5 Whys, a logic model and action plans, "
                "implementation check-ins (\"implementation check-in\") and the sustainability checklist. Ask about "
                "any term (\"what is a boundary spanner?\") or what DC and Massachusetts did; say \"where was I?\", "
                "\"what's next?\", \"remind me on Monday\", go back or change an answer. Work with partners: "
                "\"create a team called ...\", \"join team\" and a code, \"compare our ratings\". \"I have to run\" "
                "pauses at any time: everything is saved; \"delete my data\" removes it all.")
        return [Reply(text), self.journey.overview(sender)]
