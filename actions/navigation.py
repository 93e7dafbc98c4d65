"""Getting around: the welcome, help, continuing, skipping or going back, pausing, progress, explanations."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import (RESUME_SLOT, GuideAction, answered_instead, app, commanded_instead, latest_intent, latest_text,
                          send)
from bot.language.replies import Reply
from bot.language.text import looks_like_pause, looks_like_progress_request


class ActionWelcome(GuideAction):
    def name(self) -> str:
        return "action_welcome"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, app().home.welcome(tracker.sender_id))
        return []


class ActionWebLink(GuideAction):
    """"Open this on the web": a one-time link to the web page as this same participant."""

    def name(self) -> str:
        return "action_web_link"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, [Reply(app().guide.web_link(tracker.sender_id))])
        return []


class ActionHelp(GuideAction):
    def name(self) -> str:
        return "action_help"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = commanded_instead(dispatcher, tracker)  # a command the classifier could not place
        if events is not None:
            return events
        send(dispatcher, app().home.help(tracker.sender_id, understood=latest_intent(tracker) == "help",
                                         text=latest_text(tracker)))
        return []


class ActionResume(GuideAction):
    """"continue", "where was I?", or an answer typed when no question is open: pick up where we were."""

    def name(self) -> str:
        return "action_resume"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn, form = app().guide.resume(tracker.sender_id)
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]


class ActionNavigate(GuideAction):
    """Skip, go back or change an answer while no question is open (after a pause or the end)."""

    def name(self) -> str:
        return "action_navigate"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn, form = app().guide.navigate(tracker.sender_id, latest_text(tracker), latest_intent(tracker))
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]


class ActionExplain(GuideAction):
    """Explains a term, the framework, or the open question; then the form asks again."""

    def name(self) -> str:
        return "action_explain"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        guide, form = app().guide, tracker.active_loop_name
        # The classifier can mistake an answer that mentions a term for a question: the guide decides.
        events = answered_instead(dispatcher, tracker, lambda text: not guide.takes_as_answer(tracker.sender_id, text, form))
        if events is not None:
            return events
        events = commanded_instead(dispatcher, tracker)  # "change my role to head of school"
        if events is not None:
            return events
        send(dispatcher, guide.explain(tracker.sender_id, latest_text(tracker), form))
        return []


class ActionPause(GuideAction):
    """Stops for now; inside a form, a message that only sounded like stopping is kept as the answer."""

    def name(self) -> str:
        return "action_pause"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = answered_instead(dispatcher, tracker, looks_like_pause)
        if events is not None:
            return events or [SlotSet(RESUME_SLOT, tracker.active_loop_name)]
        send(dispatcher, [app().guide.pause(tracker.sender_id)])
        return [SlotSet(RESUME_SLOT, None)]


class ActionShowProgress(GuideAction):
    def name(self) -> str:
        return "action_show_progress"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = answered_instead(dispatcher, tracker, looks_like_progress_request)  # "registrar logs show delays"
        if events is not None:
            return events
        send(dispatcher, app().guide.progress(tracker.sender_id))
        return []
