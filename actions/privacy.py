""""Delete my data": a confirmation first, then everything the user said is removed.

Importing this module also keeps message texts out of the action server's logs (the action server
imports every module of the package at start): bot/rasa_plugins/log_privacy.py.
"""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import RESUME_SLOT, GuideAction, answered_instead, app, latest_text, send
from bot.conversation.privacy import is_confirmation, is_delete_request, is_keep
from bot.rasa_plugins import log_privacy
from bot.rasa_plugins.names import DELETED_SLOT

log_privacy.install_in_action_server()


def asked_to_delete_just_before(tracker: Tracker) -> bool:
    """Whether the user's previous message was a request to delete their data (which the bot
    answered by asking for a confirmation), not a "keep my data" or anything else."""
    said = [e for e in tracker.events if e.get("event") == "user"]
    if len(said) < 2:
        return False
    previous = said[-2]
    intent = ((previous.get("parse_data") or {}).get("intent") or {}).get("name")
    text = previous.get("text") or ""
    return intent == "delete_my_data" and is_delete_request(text) and not is_keep(text)


class ActionDeleteMyData(GuideAction):
    """"Delete my data" asks for a confirmation; "yes, delete everything" right after it deletes.
    The `data_deleted` slot marks the moment for the tracker store, which then drops the
    conversation so far (bot/rasa_plugins/tracker_store.py): the typed answers live there too."""

    def name(self) -> str:
        return "action_delete_my_data"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = answered_instead(dispatcher, tracker, is_delete_request)  # "State FAFSA data in April"
        if events is not None:
            return events or [SlotSet(RESUME_SLOT, tracker.active_loop_name)]
        if is_keep(latest_text(tracker)):
            dispatcher.utter_message(text="Nothing was deleted: your work is just as it was.")
            return [SlotSet(RESUME_SLOT, None)]
        if not is_delete_request(latest_text(tracker)):
            send(dispatcher, app().home.help(tracker.sender_id, understood=False))
            return [SlotSet(RESUME_SLOT, None)]
        confirmed = asked_to_delete_just_before(tracker) and is_confirmation(latest_text(tracker))
        send(dispatcher, [app().guide.delete_data(tracker.sender_id, confirmed)])
        events: list[EventType] = [SlotSet(RESUME_SLOT, None)]
        return events + [SlotSet(DELETED_SLOT, True)] if confirmed else events
