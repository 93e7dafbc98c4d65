"""Team requests: creating, joining and switching teams, the comparison and the facilitator's tools."""
from __future__ import annotations

from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import RESUME_SLOT, GuideAction, app, latest_text, send


class ActionTeam(GuideAction):
    """Creating, joining and switching teams, the ratings comparison and the facilitator's requests.
    Reminders a facilitator sends are only stored here: the Rasa server sends each through the member's own
    channel when it comes due, and tells the facilitator when it could not (bot/rasa_plugins/outbound.py)."""

    def name(self) -> str:
        return "action_team"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn, form, _ = app().guide.team(tracker.sender_id, latest_text(tracker), datetime.now())
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]
