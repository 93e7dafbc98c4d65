"""The front door: a greeting that knows where the user stands, and the help menu with the journey so far."""
from __future__ import annotations

import re
from typing import Callable

from bot.content.messages import say
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
MORE_HELP = Button("All I can do", "help: all commands")


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
            return [Reply(say("conversation.welcome_new"), (PURPOSE, START, FRAMEWORK, WHY))]
        replies = self.reminder_due(sender)
        if self.forms.open_form(sender):
            return replies + [Reply(say("conversation.welcome_back_saved"), (CONTINUE, PROGRESS, FRAMEWORK))]
        line, button = self.journey.next_line(sender)
        return replies + [Reply(say("conversation.welcome_back", next_step=line), (button, PROGRESS, FRAMEWORK))]

    def help(self, sender: str, understood: bool, text: str = "") -> list[Reply]:
        """Short help about where the user stands, with the likely next steps as buttons; the whole
        menu only when asked for ("all commands", "more help")."""
        lead = say("conversation.help_lead") if understood else say("conversation.help_lead_not_understood")
        if re.search(r"\b(?:all|every|more|full|detail(?:ed|s)?|everything|commands)\b", text.lower()):
            return [Reply(say("conversation.help_menu", lead=lead), (PROGRESS, FRAMEWORK))]
        line, button = self.journey.next_line(sender)
        buttons = (CONTINUE,) if self.forms.open_form(sender) else ()
        buttons += tuple(b for b in (button, PROGRESS, MORE_HELP) if b.payload not in {x.payload for x in buttons})
        return [Reply(say("conversation.help_short", lead=lead, next_step=line), buttons)]
