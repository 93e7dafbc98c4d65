"""Slack, through Rasa's own Slack connector with what a team's workspace needs on top.

On whenever SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set (credentials.yml names this
class), off otherwise: then /webhooks/slack/webhook answers 404 and says what to set. Rasa's
connector checks each request's signature and refuses a timestamp more than five minutes away
(400). On top of it:
- a signed request seen before is refused too (400), so a captured request cannot be replayed
  inside those five minutes;
- a message over the length limit is answered with a request to split it and never reaches Rasa
  (nothing of it is stored or logged);
- one conversation per user per workspace (`slack:<team>:<user>`), and a separate one per
  thread when the user writes in a thread, with the replies kept in that thread;
- long answers split at paragraph or line breaks into messages Slack accepts (a section of
  blocks holds 3,000 characters), the buttons under the last part;
- reports ("send me my report") are personal: uploaded as a file (files_upload_v2) into the
  user's direct conversation with the bot; asked for in a channel, the whole answer goes to that
  direct conversation and the channel (or thread) only hears that it was sent there;
- SLACK_API_URL points the outgoing calls elsewhere (the tests' stand-in of the Slack API).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any, Awaitable, Callable, Coroutine, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from bot.content.messages import say
from bot.rasa_plugins.channels.limits import too_long, too_long_reply
from bot.rasa_plugins.channels.off import ChannelOff
from bot.reports.delivery import FILE_KEY, is_report_request

logger = logging.getLogger(__name__)
TOKEN_ENV, SECRET_ENV, API_ENV = "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL"
SECTION_LIMIT = 3000      # characters in one section block
MAX_BUTTONS = 25          # elements in one actions block
REPLAY_WINDOW = 5 * 60    # seconds: Rasa refuses older signatures; we remember newer ones


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Parts of at most `limit` characters, cut at a blank line, else a line break, else a space."""
    parts, rest = [], text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or max(window.rfind(" "), 0) or limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts + ([rest] if rest else [])


class CommonGroundSlackBot(SlackBot):
    """Replies into one Slack conversation. `user` is the Slack user the turn answers and `direct`
    whether the conversation is their direct one with the bot: a report file goes only there."""

    def __init__(self, token: str, slack_channel: Optional[str] = None, thread_id: Optional[str] = None,
                 proxy: Optional[str] = None, user: Optional[str] = None, direct: bool = False) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.user, self.direct = user, direct
        base_url = os.environ.get(API_ENV, "").strip()
        if base_url:
            self.client = AsyncWebClient(token, base_url=base_url.rstrip("/") + "/", proxy=proxy)

    async def open_direct(self) -> Optional[str]:
        """The id of the user's direct conversation with the bot (conversations.open), or None."""
        if not self.user:
            return None
        try:
            answer = await self.client.conversations_open(users=self.user)
            return answer["channel"]["id"]
        except Exception as error:  # the caller tells the user; nothing is sent to the shared channel instead
            logger.error("Could not open a direct conversation in Slack (%s).", error.__class__.__name__)
            return None

    def in_direct(self, channel: str) -> "CommonGroundSlackBot":
        """An output into the user's direct conversation `channel`, outside any thread."""
        return CommonGroundSlackBot(self.client.token, channel, None, self.proxy, user=self.user, direct=True)

    async def say_here(self, text: str) -> None:
        await self._post_message(channel=self.slack_channel or "", text=text, mrkdwn=False)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_text(text):
            await self._post_message(channel=self.slack_channel or recipient_id, text=part, mrkdwn=False)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any) -> None:
        parts = split_text(text)
        for part in parts[:-1]:
            await self._post_message(channel=self.slack_channel or recipient_id, text=part, mrkdwn=False)
        last = parts[-1] if parts else ""
        blocks = [{"type": "section", "text": {"type": "plain_text", "text": last or " "}},
                  {"type": "actions", "elements": [
                      {"type": "button", "text": {"type": "plain_text", "text": b["title"][:75]}, "value": b["payload"]}
                      for b in buttons[:MAX_BUTTONS]]}]
        await self._post_message(channel=self.slack_channel or recipient_id, text=last, blocks=blocks)

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        upload = json_message.get(FILE_KEY)
        if not upload:
            return await super().send_custom_json(recipient_id, json_message, **kwargs)
        target: CommonGroundSlackBot = self
        if not self.direct:     # a channel's members could all open the file: it goes to the DM instead
            channel = await self.open_direct()
            if channel is None:
                return await self.say_here(say("channels.slack_no_direct_message"))
            target = self.in_direct(channel)
        path = Path(upload["path"])
        try:
            await target.client.files_upload_v2(channel=target.slack_channel or recipient_id, file=str(path),
                                                filename=path.name, title=upload.get("title") or path.name,
                                                initial_comment=upload.get("comment"), thread_ts=target.thread_id)
        except Exception:  # the turn goes on; the user hears why there is no file
            logger.exception("Uploading a report to Slack failed.")
            await target.send_text_message(recipient_id, say("channels.slack_upload_failed"))
            return
        if target is not self:
            await self.say_here(say("channels.slack_sent_privately"))


def _direct(channel_type: Optional[str], channel: Optional[str]) -> bool:
    """Whether a message came from the user's direct conversation with the bot (Slack's `im`; when the
    type is not given, as in button clicks, a direct conversation's id starts with D)."""
    if channel_type:
        return channel_type == "im"
    return isinstance(channel, str) and channel.startswith("D")


class CommonGroundSlack(SlackInput):
    @classmethod
    def name(cls) -> str:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict]) -> InputChannel:
        token, secret = os.environ.get(TOKEN_ENV, "").strip(), os.environ.get(SECRET_ENV, "").strip()
        if not (token and secret):
            return SlackOff()
        credentials = credentials or {}
        # use_threads: replies go into the thread the user wrote in (top-level messages have none)
        return cls(token, slack_signing_secret=secret, use_threads=True, proxy=credentials.get("proxy"),
                   slack_retry_reason_header="x-slack-retry-reason", slack_retry_number_header="x-slack-retry-num",
                   conversation_granularity="sender")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen: dict[str, float] = {}     # signature -> when it stops counting, oldest first

    def is_request_from_slack_authentic(self, request: Request) -> bool:
        """Rasa's check (signature, timestamp within five minutes), and no signature twice."""
        if not super().is_request_from_slack_authentic(request):
            return False
        now, signature = time.monotonic(), request.headers.get("X-Slack-Signature", "")
        while self._seen and next(iter(self._seen.values())) <= now:
            self._seen.pop(next(iter(self._seen)))
        if signature in self._seen:
            logger.warning("Refused a Slack request whose signature was already used.")
            return False
        self._seen[signature] = now + 2 * REPLAY_WINDOW     # the timestamp may be up to 5 min either way
        return True

    @staticmethod
    def _sanitize_user_message(text: str, uids_to_remove: Optional[list[str]]) -> str:
        if too_long(text):      # refused next anyway; its regular expressions need not run over it
            return text
        return SlackInput._sanitize_user_message(text, uids_to_remove)

    def get_metadata(self, request: Request) -> dict[str, Any]:
        metadata = super().get_metadata(request)
        if request.headers.get("content-type") == "application/json":
            body = request.json or {}
            event = body.get("event") or {}
            metadata["team"] = body.get("team_id") or event.get("team")
            metadata["thread_id"] = event.get("thread_ts")          # only a reply in a thread has one
            metadata["user"] = event.get("user")
            metadata["direct"] = _direct(event.get("channel_type"), event.get("channel"))
        else:
            payload = json.loads(request.form["payload"][0])
            message = payload.get("message") or {}
            metadata["team"] = (payload.get("team") or {}).get("id")
            metadata["thread_id"] = message.get("thread_ts") or (payload.get("container") or {}).get("thread_ts")
            metadata["user"] = (payload.get("user") or {}).get("id")
            metadata["direct"] = _direct(None, (payload.get("channel") or {}).get("id"))
        return metadata

    async def process_message(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                              text: str, sender_id: Optional[str], metadata: Optional[dict]) -> Any:
        """Rasa's version with the door checks: Slack's own retries are still dropped, a message over
        the limit is answered here, and a report asked for outside the user's DM is answered in it."""
        retries = request.headers.get(self.retry_num_header)
        if retries and request.headers.get(self.retry_reason_header) in self.errors_ignore_retry:
            return response.text("", status=HTTPStatus.CREATED, headers={"X-Slack-No-Retry": "1"})
        metadata = metadata or {}
        output = self.get_output_channel(metadata.get("out_channel"),
                                         metadata.get("thread_id") if self.use_threads else None)
        output.user, output.direct = metadata.get("user"), bool(metadata.get("direct"))
        if too_long(text):
            self._in_background(output.send_text_message(sender_id or "", too_long_reply(text)))
            return response.text("")
        conversation = f"slack:{metadata.get('team') or 'workspace'}:{sender_id}"
        if metadata.get("thread_id"):
            conversation += f":{metadata['thread_id']}"
        message = UserMessage(text, output, conversation, input_channel=self.name(), metadata=metadata)
        if not output.direct and is_report_request(text):
            self._in_background(self._answer_in_direct(message, output, on_new_message))
        else:
            self._in_background(on_new_message(message))
        return response.text("")

    async def _answer_in_direct(self, message: UserMessage, shared: CommonGroundSlackBot,
                                on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """The whole turn goes to the user's DM; the channel or thread hears only that it did."""
        channel = await shared.open_direct()
        if channel is None:
            return await shared.say_here(say("channels.slack_no_direct_message"))
        message.output_channel = shared.in_direct(channel)
        await on_new_message(message)
        await shared.say_here(say("channels.slack_sent_privately"))

    def _in_background(self, work: Coroutine[Any, Any, Any]) -> None:
        """Slack wants its answer within three seconds: the turn runs after it (a reference is kept
        so the task is not collected half-way, as in Rasa's connector)."""
        async def run() -> None:
            try:
                await work
            except Exception:
                logger.exception("Handling a Slack message failed.")
        task = asyncio.create_task(run())
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    def get_output_channel(self, channel: Optional[str] = None, thread_id: Optional[str] = None) -> OutputChannel:
        return CommonGroundSlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)


class SlackOff(ChannelOff):
    channel, title, settings = "slack", "Slack", (TOKEN_ENV, SECRET_ENV)
