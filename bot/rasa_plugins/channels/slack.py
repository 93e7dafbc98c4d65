"""Slack, through Rasa's own Slack connector with what a team's workspace needs on top.

On whenever SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set (credentials.yml names this
class), off otherwise: then /webhooks/slack/webhook answers 404 and says what to set. Rasa's
connector checks each request's signature. On top of it:
- one conversation per user per workspace (`slack:<team>:<user>`), and a separate one per
  thread when the user writes in a thread, with the replies kept in that thread;
- long answers split at paragraph or line breaks into messages Slack accepts (a section of
  blocks holds 3,000 characters), the buttons under the last part;
- reports ("send me my report") uploaded as a file into the conversation (files_upload_v2);
- SLACK_API_URL points the outgoing calls elsewhere (the tests' stand-in of the Slack API).
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from bot.rasa_plugins.channels.off import ChannelOff
from bot.reports.delivery import FILE_KEY

logger = logging.getLogger(__name__)
TOKEN_ENV, SECRET_ENV, API_ENV = "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL"
SECTION_LIMIT = 3000      # characters in one section block
MAX_BUTTONS = 25          # elements in one actions block


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
    def __init__(self, token: str, slack_channel: Optional[str] = None, thread_id: Optional[str] = None,
                 proxy: Optional[str] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        base_url = os.environ.get(API_ENV, "").strip()
        if base_url:
            self.client = AsyncWebClient(token, base_url=base_url.rstrip("/") + "/", proxy=proxy)

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
        path = Path(upload["path"])
        try:
            await self.client.files_upload_v2(channel=self.slack_channel or recipient_id, file=str(path),
                                              filename=path.name, title=upload.get("title") or path.name,
                                              initial_comment=upload.get("comment"), thread_ts=self.thread_id)
        except Exception:  # the turn goes on; the user hears why there is no file
            logger.exception("Uploading a report to Slack failed.")
            await self._post_message(channel=self.slack_channel or recipient_id, mrkdwn=False,
                                     text="I couldn't attach the file here (Slack refused the upload; the app may "
                                          "lack the files:write scope). Please try again later.")


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

    def get_metadata(self, request: Request) -> dict[str, Any]:
        metadata = super().get_metadata(request)
        if request.headers.get("content-type") == "application/json":
            body = request.json or {}
            event = body.get("event") or {}
            metadata["team"] = body.get("team_id") or event.get("team")
            metadata["thread_id"] = event.get("thread_ts")          # only a reply in a thread has one
        else:
            payload = json.loads(request.form["payload"][0])
            message = payload.get("message") or {}
            metadata["team"] = (payload.get("team") or {}).get("id")
            metadata["thread_id"] = message.get("thread_ts") or (payload.get("container") or {}).get("thread_ts")
        return metadata

    async def process_message(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                              text: str, sender_id: Optional[str], metadata: Optional[dict]) -> Any:
        metadata = metadata or {}
        conversation = f"slack:{metadata.get('team') or 'workspace'}:{sender_id}"
        if metadata.get("thread_id"):
            conversation += f":{metadata['thread_id']}"
        return await super().process_message(request, on_new_message, text, conversation, metadata)

    def get_output_channel(self, channel: Optional[str] = None, thread_id: Optional[str] = None) -> OutputChannel:
        return CommonGroundSlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)


class SlackOff(ChannelOff):
    channel, title, settings = "slack", "Slack", (TOKEN_ENV, SECRET_ENV)
