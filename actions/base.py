"""What every action shares: one application, one database transaction per call, and the way replies go out.

Each action is a thin door into `bot/`: it reads who is talking and what they said, calls one
service, and turns the replies into Rasa messages. `GuideAction.run` opens the call's single
database transaction; everything the services do in that call joins it, so a turn commits
whole or not at all.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, Iterable, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import app
from bot.conversation.place import speaking_in
from bot.language.replies import Reply, Turn
from bot.rasa_plugins.names import MESSAGE_ID_KEY

RESUME_SLOT = "resume_form"


def send(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    for reply in replies:
        buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        dispatcher.utter_message(text=reply.text, buttons=buttons or None)


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def message_metadata(tracker: Tracker) -> dict:
    """What the channel said about the latest message (its metadata), as it reached Rasa."""
    return tracker.latest_message.get("metadata") or {}


def client_message_id(tracker: Tracker) -> Optional[str]:
    """The id the client gave the latest message (REST's "message_id", kept in its metadata), if any."""
    return message_metadata(tracker).get(MESSAGE_ID_KEY)


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def answered_instead(dispatcher: CollectingDispatcher, tracker: Tracker,
                     is_request: Callable[[str], bool]) -> Optional[list[EventType]]:
    """Inside a form, a message the classifier took for a request but whose words are not one goes to
    the guide, which understands it first: the events to return then (None: it is the request)."""
    form, text = tracker.active_loop_name, latest_text(tracker)
    if not form or is_request(text):
        return None
    turn = app().guide.handle(tracker.sender_id, text, latest_intent(tracker), form, client_message_id(tracker))
    send(dispatcher, turn.replies)
    return pause_events(turn)


def commanded_instead(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[list[EventType]]:
    """Outside a form, a change, delete or "fill in the brackets" the classifier took for a question or
    for nothing ("change my role to head of school"): applied, and the worksheet form asks next if a
    question opened. None when the message is no such command."""
    if tracker.active_loop_name:
        return None
    done = app().guide.command_outside(tracker.sender_id, latest_text(tracker))
    if done is None:
        return None
    turn, form = done
    send(dispatcher, turn.replies)
    return [SlotSet(RESUME_SLOT, form)] + ([FollowupAction(form)] if form else [])


def shared_space(tracker: Tracker) -> bool:
    """Whether the latest message came from a space others read. The Teams channel says so in the message's
    metadata ("shared"), the Slack channel the other way round ("direct"); a Slack channel id that is not a
    direct message's (D...) counts too."""
    metadata = message_metadata(tracker)
    if "shared" in metadata:
        return bool(metadata["shared"])
    if "direct" in metadata:
        return not metadata["direct"]
    channel = metadata.get("out_channel")
    return isinstance(channel, str) and bool(channel) and not channel.startswith("D")


def pause_events(turn: Turn) -> list[EventType]:
    """When the guide paused the open question for something else: the form stops here (the database
    keeps its place), and the next step is the form of the stage asked for, or listening."""
    if not turn.paused:
        return []
    return [SlotSet(RESUME_SLOT, turn.switch_to), ActiveLoop(None), SlotSet("requested_slot", None),
            FollowupAction(turn.switch_to or "action_listen")]


class GuideAction(Action, ABC):
    """An action whose whole call runs in one database transaction."""

    @abstractmethod
    def name(self) -> str:  # abstract, so the action server registers only the concrete actions
        ...

    @abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ...

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        with app().db.transaction(), speaking_in(shared_space(tracker)):
            return self.act(dispatcher, tracker, domain)


class GuideFormValidation(FormValidationAction, ABC):
    """A form's validation (its required slots and every answer) in one database transaction."""

    @abstractmethod
    def name(self) -> str:
        ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        with app().db.transaction(), speaking_in(shared_space(tracker)):
            events = await super().run(dispatcher, tracker, domain)
            return events + self.finish(events, dispatcher, tracker)

    def finish(self, events: list[EventType], dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """What the call ends with, in the same transaction, once the slots are validated (nothing here)."""
        return []
