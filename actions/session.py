"""A new conversation session after an hour away, keeping the user exactly where they were.

Sessions expire (domain.yml) so that Rasa loads, and posts to the action server, only the
current visit's events rather than a conversation's whole history. What must survive a new session
is carried into it here: every slot that holds a value (the stage to resume, the requested slot),
and the form that was running, so an answer typed after lunch still answers the open question.
The one slot not carried is the "data deleted" mark: the tracker store acts on it when it sees it
(bot/rasa_plugins/tracker_store.py), and the deletion it asked for is already done.

The answers themselves, the open question and reminders live in our database, not in the
conversation's events, so a new session loses none of them.
"""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.rasa_plugins.names import DELETED_SLOT

NOT_CARRIED = {DELETED_SLOT, "session_started_metadata"}


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        events += [SlotSet(name, value) for name, value in tracker.slots.items()
                   if value is not None and name not in NOT_CARRIED]
        if tracker.active_loop_name:
            events.append(ActiveLoop(tracker.active_loop_name))
        return events + [ActionExecuted("action_listen")]
