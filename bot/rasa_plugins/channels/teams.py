"""Microsoft Teams, through Rasa's Bot Framework connector, with cards Teams can act on.

On whenever TEAMS_APP_ID and TEAMS_APP_PASSWORD are set (credentials.yml names this class), off
otherwise (the webhook answers 404 and says what to set). Rasa's connector checks each request's
JWT against the Bot Framework's published keys. On top of it:
- buttons: Rasa sends plain buttons, which Teams ignores; here each is an `imBack` action on a hero
  card, so one tap sends the answer back as if typed (rating choices stay one tap);
- one message per answer (Rasa's connector split every blank line into its own message);
- a report is a file upload by Teams' rules for bots: a consent card ("Allow" / "Decline"); on
  Allow, Teams sends an invoke with an upload URL in the user's OneDrive, the bot puts the file
  there and posts it as a file card (in group chats, where Teams offers no consent, a card with a
  download button instead);
- conversations are `teams:<user id>`;
- BOTFRAMEWORK_OPENID_URL and BOTFRAMEWORK_LOGIN_URL point the key and token lookups elsewhere
  (the tests' stand-in of the Microsoft endpoints).
"""
from __future__ import annotations

import datetime
import logging
import os
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

import requests
from rasa.core.channels import botframework
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.rasa_plugins.channels.off import ChannelOff
from bot.reports.store import owned_by, stored_report
from bot.reports.delivery import FILE_KEY

logger = logging.getLogger(__name__)
ID_ENV, PASSWORD_ENV = "TEAMS_APP_ID", "TEAMS_APP_PASSWORD"
OPENID_ENV, LOGIN_ENV = "BOTFRAMEWORK_OPENID_URL", "BOTFRAMEWORK_LOGIN_URL"


def openid_url() -> str:
    return os.environ.get(OPENID_ENV, "").strip() or botframework.MICROSOFT_OPEN_ID_URI


def login_url() -> str:
    return (os.environ.get(LOGIN_ENV, "").strip()
            or f"{botframework.MICROSOFT_OAUTH2_URL}/{botframework.MICROSOFT_OAUTH2_PATH}")


def hero_card(text: str, buttons: list[dict]) -> dict:
    return {"contentType": "application/vnd.microsoft.card.hero",
            "content": {"text": text, "buttons": [{"type": "imBack", "title": b["title"], "value": b["payload"]}
                                                  for b in buttons]}}


class TeamsOutput(BotFramework):
    async def _get_headers(self) -> Optional[dict]:
        if BotFramework.token_expiration_date < datetime.datetime.now():
            answer = requests.post(login_url(), data={
                "client_id": self.app_id, "client_secret": self.app_password, "grant_type": "client_credentials",
                "scope": "https://api.botframework.com/.default"}, timeout=30)
            if not answer.ok:
                logger.error("Could not get a Bot Framework token.")
                return None
            token = answer.json()
            BotFramework.token_expiration_date = datetime.datetime.now() + datetime.timedelta(
                seconds=int(token["expires_in"]) - 60)
            BotFramework.headers = {"content-type": "application/json",
                                    "Authorization": f"Bearer {token['access_token']}"}
        return BotFramework.headers

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send(self.prepare_message(recipient_id, {"text": text, "textFormat": "plain"}))

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any) -> None:
        await self.send(self.prepare_message(recipient_id, {"attachments": [hero_card(text, buttons)]}))

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        upload = json_message.get(FILE_KEY)
        if not upload:
            return await super().send_custom_json(recipient_id, json_message, **kwargs)
        path = Path(upload["path"])
        if self.conversation.get("conversationType", "personal") == "personal" and path.is_file():
            context = {"token": path.parent.name, "filename": path.name}
            card = {"contentType": "application/vnd.microsoft.teams.card.file.consent", "name": path.name,
                    "content": {"description": "Your Common Ground report (a Word document you can edit)",
                                "sizeInBytes": path.stat().st_size, "acceptContext": context,
                                "declineContext": context}}
        else:
            card = {"contentType": "application/vnd.microsoft.card.hero",
                    "content": {"title": upload.get("title"), "text": "Your report, as a Word document.",
                                "buttons": [{"type": "openUrl", "title": "Download", "value": upload.get("link")}]}}
        await self.send(self.prepare_message(recipient_id, {"attachments": [card]}))

    async def deliver_consented(self, recipient_id: str, sender: str, consent: dict) -> None:
        """The user allowed the upload: put the file at Teams' upload URL, then show it as a file card.
        Only a report this same user asked for is ever uploaded."""
        context, info = consent.get("context") or {}, consent.get("uploadInfo") or {}
        path = stored_report(str(context.get("token")), str(context.get("filename")))
        if path is not None and not owned_by(path, sender):
            path = None
        if consent.get("action") != "accept" or path is None or not info.get("uploadUrl"):
            await self.send_text_message(recipient_id, "No file then. Say \"send me my report\" whenever you want it.")
            return
        data = path.read_bytes()
        put = requests.put(info["uploadUrl"], data=data, timeout=60, headers={
            "Content-Length": str(len(data)), "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"})
        if not put.ok:
            logger.error(f"Uploading a report to Teams failed: {put.status_code}")
            await self.send_text_message(recipient_id, "Teams did not take the file; please try again later.")
            return
        card = {"contentType": "application/vnd.microsoft.teams.card.file.info", "contentUrl": info.get("contentUrl"),
                "name": info.get("name") or path.name,
                "content": {"uniqueId": info.get("uniqueId"), "fileType": info.get("fileType") or "docx"}}
        await self.send(self.prepare_message(recipient_id, {"attachments": [card]}))


class CommonGroundTeams(BotFrameworkInput):
    @classmethod
    def name(cls) -> str:
        return "botframework"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict]) -> InputChannel:
        app_id, password = os.environ.get(ID_ENV, "").strip(), os.environ.get(PASSWORD_ENV, "").strip()
        if not (app_id and password):
            return TeamsOff()
        return cls(app_id, password)

    def _update_cached_jwk_keys(self) -> None:
        conf = requests.get(openid_url(), timeout=30)
        conf.raise_for_status()
        keys = requests.get(conf.json()["jwks_uri"], timeout=30)
        keys.raise_for_status()
        self.jwt_keys = {key["kid"]: key for key in keys.json()["keys"]}
        self.jwt_update_time = datetime.datetime.now()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("teams_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_request: Request) -> Any:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> Any:
            refused = self._validate_auth(request.headers.get("Authorization"))
            if refused:
                return refused
            activity = request.json or {}
            kind = activity.get("type")
            if kind not in ("message", "invoke"):
                return response.text("ignored")
            output = TeamsOutput(self.app_id, self.app_password, activity["conversation"], activity["recipient"],
                                 activity["serviceUrl"])
            sender = (activity.get("from") or {}).get("aadObjectId") or activity["from"]["id"]
            if kind == "invoke":
                if activity.get("name") == "fileConsent/invoke":
                    await output.deliver_consented(activity["from"]["id"], f"teams:{sender}",
                                                   activity.get("value") or {})
                return response.json({"status": 200})
            # a message in a channel starts with the bot's mention, "<at>Common Ground</at> ..."
            text = re.sub(r"<at>.*?</at>", " ", activity.get("text") or "").strip()
            metadata = self.add_attachments_to_metadata(activity, self.get_metadata(request))
            await on_new_message(UserMessage(text=text, output_channel=output, sender_id=f"teams:{sender}",
                                             input_channel=self.name(), metadata=metadata))
            return response.text("success")

        return blueprint


class TeamsOff(ChannelOff):
    channel, title, settings = "botframework", "Teams", (ID_ENV, PASSWORD_ENV)
