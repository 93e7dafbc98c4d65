"""Reminders: "remind me on Monday" stored, and what a reminder says when it comes due."""
from __future__ import annotations

from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import GuideAction, answered_instead, app, latest_text, send
from bot.conversation.reminders import BATCH_ENTITY, batch_ids, is_reminder_request, reminder_reply


class ActionSetReminder(GuideAction):
    """"Remind me on Monday to finish this": stored. No Rasa reminder event: the Rasa server delivers stored
    reminders itself (bot/rasa_plugins/outbound.py), through the person's own channel, and marks them
    delivered only once they were sent; Rasa's event would go out a second time, and unchecked."""

    def name(self) -> str:
        return "action_set_reminder"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = answered_instead(dispatcher, tracker, is_reminder_request)
        if events is not None:
            return events
        reply, _ = app().guide.set_reminder(tracker.sender_id, latest_text(tracker), datetime.now())
        send(dispatcher, [reply])
        return []


class ActionReminderDue(GuideAction):
    """Runs when reminders come due: says what they were about and what is left to do. The Rasa server names
    the reminders it claimed in an entity; it marks them delivered once the words reached the person."""

    def name(self) -> str:
        return "action_reminder_due"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        named = next((e.get("value") for e in tracker.latest_message.get("entities") or []
                      if e.get("entity") == BATCH_ENTITY), None)
        ids = batch_ids(named)
        if not ids:   # no batch named: whatever came due and nobody is delivering (marked delivered as shown)
            send(dispatcher, app().guide.reminder_due(tracker.sender_id))
            return []
        due = app().reminders.batch(tracker.sender_id, ids)
        if due:
            line, button = app().journey.next_line(tracker.sender_id)
            send(dispatcher, [reminder_reply(due, line, button)])
        return []
