"""Starting the stages and asking their questions: the two forms and the actions that lead into them.

Two forms ask the questions: `self_assessment_form` (stage B) and `worksheet_form` (stages A, C,
D and E, the reflection sheet and a team member's profile). Each has one text slot; its
validation passes the message to the guide, clears the slot and asks the question left open, so
the form runs until the guide has none open. Rasa calls the validation on every turn of a form
(its activation, each answer, its return after a side question), so asking there costs no second
action-server call. Actions that may lead into a form set `resume_form` to
the form that should run next (or None).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from contextvars import ContextVar
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import (RESUME_SLOT, GuideAction, GuideFormValidation, app, client_message_id, latest_intent,
                          latest_text, pause_events, send)
from bot.conversation.forms import SELF_ASSESSMENT_FORM, WORKSHEET_FORM
from bot.conversation.guide import requested_worksheet
from bot.language.replies import Turn

# The turn a validation produced, read back by `run` in the same request (each request is its own task).
_TURN: ContextVar[Optional[list]] = ContextVar("validated_turn", default=None)

START_INTENTS = {"start_purpose": "purpose", "add_goal": "add_goal", "start_five_whys": "five_whys",
                 "start_logic_model": "logic_model", "start_action_plan": "action_plan", "start_planning": "planning",
                 "start_reflection": "reflections", "start_implementation": "implementation",
                 "start_sustainability": "sustainability"}


class ActionStartSelfAssessment(GuideAction):
    def name(self) -> str:
        return "action_start_self_assessment"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn, form = app().guide.start_self_assessment(tracker.sender_id)
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]


class ActionStartWorksheet(GuideAction):
    """Opens stage A (purpose, goals) or a planning tool, from the intent or the words used."""

    def name(self) -> str:
        return "action_start_worksheet"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = latest_text(tracker)
        request = requested_worksheet(text) or START_INTENTS.get(latest_intent(tracker) or "", "purpose")
        turn, form = app().guide.start_worksheet(tracker.sender_id, request, text)
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]


class ActionStartNewRound(GuideAction):
    """A fresh pass through the self-assessment; the earlier rounds are kept for comparison."""

    def name(self) -> str:
        return "action_start_new_round"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn, form = app().guide.start_new_round(tracker.sender_id, latest_text(tracker))
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]


def form_ends(events: list[EventType]) -> bool:
    """Whether a validation's events end the form (the SDK sets `requested_slot` to None when no slot is
    required any more, that is when the guide has no question of this form open)."""
    return any(e.get("event") == "slot" and e.get("name") == "requested_slot" and e.get("value") is None
               for e in events)


def follows_a_message(tracker: Tracker, form: str) -> bool:
    """Whether this run of the form comes straight after the user's message, no other action between (Rasa
    sends the form's own run as the tracker's last action; the latest action name is always the form's)."""
    own_run_seen = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") != "action" or event.get("name") == "action_extract_slots":
            continue
        if event.get("name") != form or own_run_seen:   # another action, or an earlier run of this form
            return False
        own_run_seen = True
    return False


class ValidateGuideForm(GuideFormValidation, ABC):
    """Hands every answer to the guide and asks the question that stays open; the form keeps running while
    one is."""

    form = ""
    slot = ""

    @abstractmethod
    def name(self) -> str:
        ...

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        return domain_slots if app().forms.open_form(tracker.sender_id) == self.form else []

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        holder: list[Turn] = []
        token = _TURN.set(holder)
        try:
            return await super().run(dispatcher, tracker, domain)
        finally:
            _TURN.reset(token)

    def finish(self, events: list[EventType], dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """The question that stays open is asked here, in this call: the domain names no `action_ask_*`, so
        Rasa's form asks nothing itself (one action-server call per answer instead of two)."""
        holder = _TURN.get() or []
        paused = pause_events(holder[0]) if holder else []
        # A message that reached no slot ("what does this mean?") gets this call rejected by Rasa, which then
        # lets the rules answer it and runs the form again: the question is asked in that second call.
        rejected = follows_a_message(tracker, self.form) and not holder
        if not paused and not rejected and not form_ends(events):
            send(dispatcher, [app().guide.question(tracker.sender_id, self.form)])
        return paused

    def _validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        if value is None:  # the form starting (after another stage was asked for): nothing was typed for it
            return {self.slot: None}
        turn = app().guide.handle(tracker.sender_id, str(value or ""), latest_intent(tracker), self.form,
                                  client_message_id(tracker))
        send(dispatcher, turn.replies)
        holder = _TURN.get()
        if holder is not None:
            holder.append(turn)
        return {self.slot: None}


class ValidateSelfAssessmentForm(ValidateGuideForm):
    form, slot = SELF_ASSESSMENT_FORM, "assessment_answer"

    def name(self) -> str:
        return "validate_self_assessment_form"

    def validate_assessment_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        return self._validate(value, dispatcher, tracker)


class ValidateWorksheetForm(ValidateGuideForm):
    form, slot = WORKSHEET_FORM, "worksheet_answer"

    def name(self) -> str:
        return "validate_worksheet_form"

    def validate_worksheet_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        return self._validate(value, dispatcher, tracker)


class ActionSelfAssessmentOverview(GuideAction):
    """The self-assessment's overview, shown when its last question is answered."""

    def name(self) -> str:
        return "action_self_assessment_overview"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, app().assessment.overview(tracker.sender_id))
        return []
