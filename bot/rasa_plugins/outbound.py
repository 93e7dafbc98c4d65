"""Messages nobody asked for right now (reminders), sent through the person's own channel, truthfully.

The database is the schedule (bot/conversation/reminders.py). Every few seconds this Rasa server
claims the reminders that came due, runs the reminder intent in each person's conversation with
a collecting channel (so the action server words it and the conversation log keeps it), then
sends the words where the person is:

- Slack: a direct message to the user (chat.postMessage to their user id with the bot token),
  whichever thread the reminder was set in;
- Teams: a proactive message into their personal chat, with the conversation reference stored
  the last time they wrote there (never a group chat or channel);
- the web page: an emit to their socket.io room while a page is connected;
- REST, the terminal, or a web page that is closed: no push; held and shown at their next message.

Only a send that went through marks a reminder delivered. A failed send is tried again with
backoff (COMMON_GROUND_REMINDER_RETRY_SECONDS, e.g. "5,30,120"); after the last failure the
reminder is marked failed, held for the person's next message, and whoever asked for it on the
person's behalf is told, through their own channel or at their next message.

Each message a channel hands to Rasa passes `on_message` first (the agent's `handle_message` is
wrapped): it records where the conversation can be reached and shows what is held for it.
"""
from __future__ import annotations

import asyncio
import copy
import logging
import os
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.botframework import BotFramework
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackInput
from rasa.core.channels.socketio import SocketIOInput

from bot.conversation.reminders import BATCH_ENTITY, Reminders, batch_value
from bot.rasa_plugins import log_privacy
from bot.rasa_plugins.channels.teams import CommonGroundTeams, TeamsOutput
from bot.rasa_plugins.names import REMINDER_INTENT

logger = logging.getLogger(__name__)
POLL_ENV, RETRY_ENV = "COMMON_GROUND_REMINDER_POLL_SECONDS", "COMMON_GROUND_REMINDER_RETRY_SECONDS"
DEFAULT_RETRIES = (5.0, 30.0, 120.0)
TITLES = {"slack": "Slack", "botframework": "Teams", "socketio": "the web page"}


def poll_seconds() -> float:
    return max(float(os.environ.get(POLL_ENV, "") or 3), 0.2)


def retry_delays() -> tuple[float, ...]:
    """The pauses between tries of a failed send: one more try than pauses."""
    raw = os.environ.get(RETRY_ENV, "").strip()
    if not raw:
        return DEFAULT_RETRIES
    return tuple(max(float(part), 0.0) for part in raw.split(",") if part.strip())


class SendFailed(RuntimeError):
    """The channel said it did not take the message."""


def where_from(message: UserMessage) -> Optional[tuple[str, Optional[dict]]]:
    """The channel a message came in on and, for Teams, the reference a proactive message needs. None for
    a Teams group chat or channel: a reminder must not land where others read it."""
    channel, out = message.input_channel or "unknown", message.output_channel
    if not isinstance(out, BotFramework):
        return channel, None
    conversation = dict(getattr(out, "conversation", None) or {})
    if conversation.get("conversationType", "personal") != "personal" or not conversation.get("id"):
        return None
    service_url = getattr(out, "service_url", None) or str(getattr(out, "global_uri", "")).removesuffix("v3/")
    return channel, {"service_url": service_url, "bot": getattr(out, "bot", None),
                     "conversation": {k: conversation[k] for k in ("id", "conversationType", "tenantId")
                                      if conversation.get(k)}}


def default_channel(sender: str) -> str:
    """The channel a conversation id belongs to when none was recorded."""
    return "slack" if sender.startswith("slack:") else "botframework" if sender.startswith("teams:") else "rest"


class Outbound:
    """Delivers reminders (and the notices about them) for one Rasa server."""

    def __init__(self, app: Any, reminders: Reminders) -> None:
        self.app, self.reminders = app, reminders
        self._tasks: set[asyncio.Task] = set()
        self._last: dict[str, str] = {}   # the channel last tried per conversation, to name it when it refused

    # --- every incoming message ----------------------------------------------------------------
    def hook(self) -> None:
        """Wraps the agent's message handling (again after a model replacement made a new agent)."""
        agent = getattr(self.app.ctx, "agent", None)
        if agent is None or getattr(agent.handle_message, "_common_ground_outbound", False):
            return
        handle = agent.handle_message

        async def handle_message(message: UserMessage) -> Any:
            return await self.on_message(message, handle)

        handle_message._common_ground_outbound = True  # type: ignore[attr-defined]
        agent.handle_message = handle_message

    async def on_message(self, message: UserMessage, handle: Callable[[UserMessage], Awaitable[Any]]) -> Any:
        log_privacy.remember([message.text or ""])
        try:
            found = where_from(message)
            if found is not None:
                await asyncio.to_thread(self._record, message.sender_id, *found)
            await self._show_held(message)
        except Exception:  # the person's own message goes on whatever happened here
            logger.exception("Could not record the conversation's channel or show what was held for it.")
        return await handle(message)

    def _record(self, sender: str, channel: str, address: Optional[dict]) -> None:
        with self.reminders.db.transaction() as repo:
            repo.save_channel_address(sender, channel, address)

    async def _show_held(self, message: UserMessage) -> None:
        held = await asyncio.to_thread(self.reminders.take_held, message.sender_id)
        shown: list[int] = []
        for messages, ids in held:
            try:
                for item in messages:   # send_response takes the dict apart: a copy each time
                    await message.output_channel.send_response(message.sender_id, copy.deepcopy(item))
            except Exception as error:
                logger.warning(f"Showing held messages failed ({_why(error)}); they stay held.")
                await asyncio.to_thread(self.reminders.hold, message.sender_id, messages, ids)
                continue
            shown += ids
        if shown:
            await asyncio.to_thread(self.reminders.delivered, shown)

    # --- where a person can be reached ---------------------------------------------------------
    def _input(self, kind: type) -> Any:
        return next((c for c in getattr(self.app.ctx, "input_channels", None) or [] if isinstance(c, kind)), None)

    def _where(self, sender: str) -> tuple[str, Optional[dict]]:
        with self.reminders.db.transaction() as repo:
            row = repo.channel_address(sender)
            return (row.channel, row.address) if row is not None else (default_channel(sender), None)

    def output_for(self, sender: str, channel: str,
                   address: Optional[dict]) -> Optional[tuple[OutputChannel, str, str]]:
        """(the channel to push to, the recipient to name, the channel's kind), or None where no push is
        possible. The channel the person last wrote from comes first, then the one their id belongs to (a
        Teams user last seen on a web page that is closed now still gets the reminder in Teams)."""
        for kind in dict.fromkeys((channel, default_channel(sender))):
            found = self._output(sender, kind, address)
            if found is not None:
                return (*found, kind)
        return None

    def _output(self, sender: str, channel: str, address: Optional[dict]) -> Optional[tuple[OutputChannel, str]]:
        if channel == "slack":
            slack, parts = self._input(SlackInput), sender.split(":")
            if slack is None or len(parts) < 3 or parts[0] != "slack":
                return None
            return slack.get_output_channel(parts[2]), parts[2]     # the user id: their direct messages
        if channel == "botframework":
            teams = self._input(CommonGroundTeams)   # our Teams channel (not Rasa's BotFrameworkInput)
            if teams is None or not address or not address.get("service_url"):
                return None
            out = TeamsOutput(teams.app_id, teams.app_password, address["conversation"], address.get("bot"),
                              address["service_url"])
            return _checked(out), sender
        if channel == "socketio":
            web = self._input(SocketIOInput)
            sio = getattr(web, "sio", None)
            if sio is None or not sio.manager.rooms.get(web.namespace or "/", {}).get(sender):
                return None                                           # no page open: held
            return web.get_output_channel(), sender
        return None

    async def push(self, sender: str, messages: list[dict]) -> Optional[str]:
        """Sends `messages` to `sender` now; the channel's name, or None when no push is possible.
        Raises when the channel refused."""
        channel, address = await asyncio.to_thread(self._where, sender)
        found = self.output_for(sender, channel, address)
        if found is None:
            return None
        out, recipient, kind = found
        self._last[sender] = kind
        for item in messages:   # send_response takes the dict apart: a copy each time
            await out.send_response(recipient, copy.deepcopy(item))
        return kind

    # --- reminders -----------------------------------------------------------------------------
    async def run_forever(self) -> None:
        """Claims the reminders that came due every few seconds and delivers each person's in a task."""
        while True:
            try:
                self.hook()
                agent = getattr(self.app.ctx, "agent", None)
                if agent is not None and agent.is_ready():
                    claimed = await asyncio.to_thread(self.reminders.claim_due)
                    for sender, ids in claimed.items():
                        task = asyncio.create_task(self.fire_and_deliver(agent, sender, ids))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
            except Exception:  # a database hiccup must not end the loop
                logger.exception("Could not look for reminders that came due; trying again.")
            await asyncio.sleep(poll_seconds())

    async def fire_and_deliver(self, agent: Any, sender: str, ids: list[int]) -> None:
        try:
            messages = await self.fire(agent, sender, ids)
            if not messages:   # nothing to say (deleted meanwhile, or the action server was down: retried later)
                logger.info(f"{len(ids)} reminder(s) came due with nothing to send.")
                return
            await self.deliver(sender, messages, ids)
        except Exception:
            logger.exception("Delivering a reminder failed; it stays claimed and is tried again later.")

    async def fire(self, agent: Any, sender: str, ids: list[int]) -> list[dict]:
        """Runs the reminder intent in the person's conversation; the words the bot said for it."""
        collector, processor = CollectingOutputChannel(), agent.processor
        async with processor.lock_store.lock(sender):
            tracker = await processor.fetch_tracker_and_update_session(sender, collector)
            await processor.trigger_external_user_uttered(
                REMINDER_INTENT, [{"entity": BATCH_ENTITY, "value": batch_value(ids)}], tracker, collector)
        return [{k: v for k, v in m.items() if k != "recipient_id" and v is not None} for m in collector.messages]

    async def deliver(self, sender: str, messages: list[dict], ids: list[int]) -> str:
        """Sends, retrying with backoff; "sent", "held" (no push possible) or "failed" (held and reported)."""
        log_privacy.remember([m.get("text") or "" for m in messages])
        delays, attempts, channel = retry_delays(), 0, default_channel(sender)
        while True:
            attempts += 1
            try:
                pushed = await self.push(sender, messages)
            except Exception as error:
                channel = self._last.pop(sender, channel)
                logger.warning(f"Delivery through {TITLES.get(channel, channel)} failed "
                               f"(try {attempts} of {len(delays) + 1}: {_why(error)}).")
                if attempts > len(delays):
                    break
                await asyncio.sleep(delays[attempts - 1])
                continue
            if pushed is None:
                await asyncio.to_thread(self.reminders.hold, sender, messages, ids)
                return "held"
            await asyncio.to_thread(self.reminders.delivered, ids)
            return "sent"
        notices = await asyncio.to_thread(self.reminders.failed, ids, attempts, TITLES.get(channel, channel))
        await asyncio.to_thread(self.reminders.hold, sender, messages, ids)
        for asker, text, member in notices:
            await self.tell(asker, text, (member,))
        return "failed"

    async def tell(self, sender: str, text: str, names: tuple[str, ...] = ()) -> None:
        """A notice for `sender` (naming `names`): pushed to their channel when possible, else held for their
        next message."""
        messages = [{"text": text}]
        try:
            if await self.push(sender, messages) is not None:
                return
        except Exception as error:
            logger.warning(f"Telling a facilitator about an undelivered reminder failed ({_why(error)}); held.")
        await asyncio.to_thread(self.reminders.hold, sender, messages, [], names)


def _why(error: Exception) -> str:
    """What went wrong, without anything the service echoed back: the error's type and a Slack error code."""
    response = getattr(error, "response", None)
    code = response.get("error") if hasattr(response, "get") else None
    return f"{type(error).__name__}: {code}" if isinstance(code, str) else type(error).__name__


def _checked(out: Any) -> Any:
    """Makes a Teams output's `send` raise when it reports a refusal by returning False."""
    send = out.send

    async def checked_send(activity: dict) -> Any:
        result = await send(activity)
        if result is False:
            raise SendFailed("Teams did not take the message")
        return result

    out.send = checked_send
    return out
