"""Each action reads who is talking and what they said, calls one service, sends its replies."""
from __future__ import annotations

from typing import Any, Iterable, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from bot.replies import Reply

FORM = "self_assessment_form"
ANSWER_SLOT = "assessment_answer"
CONTINUE_SLOT = "continue_assessment"


def send(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    for reply in replies:
        buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        dispatcher.utter_message(text=reply.text, buttons=buttons or None)


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


class ActionWelcome(Action):
    def name(self) -> str:
        return "action_welcome"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, [services.home().welcome(tracker.sender_id)])
        return []


class ActionHelp(Action):
    def name(self) -> str:
        return "action_help"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, [services.home().help(tracker.sender_id, understood=latest_intent(tracker) == "help")])
        return []


class ActionStartSelfAssessment(Action):
    """Starts, or ("continue", a stray rating) resumes, the self-assessment."""

    def name(self) -> str:
        return "action_start_self_assessment"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        resume = latest_intent(tracker) in ("resume", "rate")
        turn = services.self_assessment().start(tracker.sender_id, resume=resume)
        send(dispatcher, turn.replies)
        return [SlotSet(CONTINUE_SLOT, turn.pending)]


class ActionAskAssessmentAnswer(Action):
    """The form's question: whichever step the service is waiting on."""

    def name(self) -> str:
        return "action_ask_assessment_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, [services.self_assessment().question(tracker.sender_id)])
        return []


class ValidateSelfAssessmentForm(FormValidationAction):
    """Hands every answer to the service; the form keeps asking while questions are open."""

    def name(self) -> str:
        return "validate_self_assessment_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        return domain_slots if services.self_assessment().has_pending(tracker.sender_id) else []

    def validate_assessment_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        turn = services.self_assessment().handle(tracker.sender_id, str(value or ""), latest_intent(tracker))
        send(dispatcher, turn.replies)
        return {ANSWER_SLOT: None}


class ActionAssessmentCommand(Action):
    """Skip, go back or change an answer while no question is open (after a pause or the end)."""

    def name(self) -> str:
        return "action_assessment_command"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn = services.self_assessment().handle(tracker.sender_id, latest_text(tracker), latest_intent(tracker))
        send(dispatcher, turn.replies)
        return [SlotSet(CONTINUE_SLOT, turn.pending)]


class ActionExplain(Action):
    """Explains a term, the framework, or the open question; then the form asks again."""

    def name(self) -> str:
        return "action_explain"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = latest_text(tracker)
        service = services.self_assessment()
        # The classifier can mistake an answer that mentions a term for a question: the service decides.
        if tracker.active_loop_name == FORM and service.takes_as_answer(tracker.sender_id, text):
            send(dispatcher, service.handle(tracker.sender_id, text, latest_intent(tracker)).replies)
            return []
        send(dispatcher, [service.explain(tracker.sender_id, text)])
        return []


class ActionPause(Action):
    def name(self) -> str:
        return "action_pause"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, [services.self_assessment().pause(tracker.sender_id)])
        return []


class ActionSelfAssessmentOverview(Action):
    def name(self) -> str:
        return "action_self_assessment_overview"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, services.self_assessment().overview(tracker.sender_id))
        return []
