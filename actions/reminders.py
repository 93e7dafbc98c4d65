"""Reminders: "remind me on Monday" stored and scheduled with Rasa, and what a reminder says when it fires."""
from __future__ import annotations

from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, ReminderScheduled
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import GuideAction, answered_instead, app, latest_text, send
from bot.conversation.reminders import is_reminder_request
from bot.rasa_plugins.names import REMINDER_INTENT


class ActionSetReminder(GuideAction):
    """"Remind me on Monday to finish this": stored, then scheduled by Rasa as a reminder event."""

    def name(self) -> str:
        return "action_set_reminder"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = answered_instead(dispatcher, tracker, is_reminder_request)
        if events is not None:
            return events
        reply, scheduled = app().guide.set_reminder(tracker.sender_id, latest_text(tracker), datetime.now())
        send(dispatcher, [reply])
        if scheduled is None:
            return []
        name, due = scheduled
        # Not killed by later messages: the user keeps working, and still wants the reminder.
        return [ReminderScheduled(REMINDER_INTENT, trigger_date_time=due, name=name, kill_on_user_message=False)]


class ActionReminderDue(GuideAction):
    """Runs when a reminder fires: says what it was about and what is left to do."""

    def name(self) -> str:
        return "action_reminder_due"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, app().guide.reminder_due(tracker.sender_id))
        return []
