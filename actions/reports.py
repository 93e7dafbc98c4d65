""""Send me my report": the Word report, delivered the way the user's channel can take it."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import GuideAction, answered_instead, app, latest_text, send
from bot.reports.delivery import FILE_CHANNELS, FILE_KEY, is_report_request


class ActionSendReport(GuideAction):
    """"Send me my report": a Word document, as a path in the terminal and a download link elsewhere."""

    def name(self) -> str:
        return "action_send_report"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = answered_instead(dispatcher, tracker, is_report_request)  # "a one-page report to the board"
        if events is not None:
            return events
        channel = tracker.get_latest_input_channel()
        replies, made = app().reports.deliver(tracker.sender_id, latest_text(tracker), channel)
        send(dispatcher, replies)
        if made is not None and channel in FILE_CHANNELS:   # the channel uploads it (bot/rasa_plugins/channels/slack.py)
            dispatcher.utter_message(json_message={FILE_KEY: {"path": str(made.path), "title": made.path.name,
                                                              "link": made.link}})
        return []
