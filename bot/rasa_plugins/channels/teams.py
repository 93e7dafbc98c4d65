"""Microsoft Teams through the Bot Framework, with every activity's sender proven and every reply async.

On whenever TEAMS_APP_ID and TEAMS_APP_PASSWORD are set (credentials.yml names this class), off
otherwise (the webhook answers 404 and says what to set).

Inbound, before anything reaches Rasa (Rasa's own connector checked only key and audience, and took
the algorithm from the token's header):
- the body is at most BODY_LIMIT bytes (413);
- the bearer token is an RS256 JWT (nothing else is accepted, whatever the header says) signed by a
  key of the Bot Framework's published set, issued by https://api.botframework.com for our app id,
  within its lifetime (five minutes' leeway for clocks); the key set named by the OpenID
  configuration is cached, fetched again after a day or, at most every five minutes, when a token
  names a key id we have not seen (401);
- the body is a JSON activity with `type`, `from`, `conversation`, `serviceUrl` and `channelId` (400);
- a key that lists endorsements must list the activity's channel (401);
- the token's `serviceurl` claim equals the activity's `serviceUrl`, and that address is one of
  Microsoft's Bot Framework service hosts (403): the bot sends its own token only there, so a
  replayed token with a rewritten body cannot make it call a stranger.
Outbound, every call (token, keys, activities, the OneDrive upload) goes through aiohttp with
timeouts, the token under a lock, so a slow Microsoft endpoint delays only the turn waiting for it.

On top of that, for users:
- buttons: each is an `imBack` action on a hero card (Rasa's plain buttons do nothing in Teams);
- one message per answer (Rasa's connector split every blank line into its own message);
- a message over the length limit is answered at the door and never reaches Rasa;
- a report is personal: in the one-to-one chat, a consent card, then (on Allow) the file goes to
  the upload URL in the user's OneDrive and shows as a file card; in a group chat or channel the
  bot only asks the user to request it in their one-to-one chat;
- conversations are `teams:<Azure AD object id>` (or the Teams user id).

Settings for other clouds and for the tests' stand-in of Microsoft: BOTFRAMEWORK_OPENID_URL,
BOTFRAMEWORK_LOGIN_URL, and BOTFRAMEWORK_SERVICE_HOSTS (comma-separated `host` or `host:port`
entries trusted as service URLs besides Microsoft's; plain http is allowed only for these).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import quote, urlsplit

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels import botframework
from rasa.core.channels.botframework import BotFramework
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.content.messages import say
from bot.rasa_plugins.channels.limits import BODY_LIMIT, too_long, too_long_reply
from bot.rasa_plugins.channels.off import ChannelOff
from bot.reports.delivery import FILE_KEY, is_report_request
from bot.reports.store import owned_by, stored_report

logger = logging.getLogger(__name__)
ID_ENV, PASSWORD_ENV = "TEAMS_APP_ID", "TEAMS_APP_PASSWORD"
OPENID_ENV, LOGIN_ENV, HOSTS_ENV = "BOTFRAMEWORK_OPENID_URL", "BOTFRAMEWORK_LOGIN_URL", "BOTFRAMEWORK_SERVICE_HOSTS"

ISSUER = "https://api.botframework.com"
ALGORITHM = "RS256"
LEEWAY_SECONDS = 300
BEARER = re.compile(r"Bearer\s+(\S+)")
# Where Microsoft's Bot Framework service posts from (and takes replies): the public cloud, GCC,
# GCC High and DoD exactly (anyone can register a name under trafficmanager.net), and any name
# under Microsoft's own Bot Framework and Teams domains.
SERVICE_HOSTS = frozenset({"smba.trafficmanager.net", "smba.infra.gcc.teams.microsoft.com",
                           "smba.infra.gov.teams.microsoft.us", "smba.infra.dod.teams.microsoft.us"})
SERVICE_DOMAINS = (".botframework.com", ".teams.microsoft.com", ".teams.microsoft.us")

CALL_TIMEOUT = aiohttp.ClientTimeout(total=20, sock_connect=5, sock_read=15)
UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=90, sock_connect=5, sock_read=30)
TOKEN_RETRY_SECONDS = 10      # after a failed token fetch, replies fail at once for this long


def openid_url() -> str:
    return os.environ.get(OPENID_ENV, "").strip() or botframework.MICROSOFT_OPEN_ID_URI


def login_url() -> str:
    return (os.environ.get(LOGIN_ENV, "").strip()
            or f"{botframework.MICROSOFT_OAUTH2_URL}/{botframework.MICROSOFT_OAUTH2_PATH}")


def _extra_hosts() -> list[tuple[str, Optional[int]]]:
    entries = []
    for entry in os.environ.get(HOSTS_ENV, "").split(","):
        entry = entry.strip().lower()
        host, colon, port = entry.rpartition(":")
        if not colon:
            host, port = entry, ""
        if host and (not port or port.isdigit()):
            entries.append((host, int(port) if port else None))
    return entries


def trusted_service_url(url: str) -> bool:
    """Whether `url` belongs to Microsoft's Bot Framework service (or a host listed in
    BOTFRAMEWORK_SERVICE_HOSTS): the only places the bot sends its token."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = parts.hostname or ""
    if not host or parts.username is not None or parts.password is not None:
        return False
    default_port = {"https": 443, "http": 80}.get(parts.scheme)
    for listed, listed_port in _extra_hosts():
        if host == listed and default_port and (listed_port is None or (port or default_port) == listed_port):
            return True
    if parts.scheme != "https" or port not in (None, 443):
        return False
    return host in SERVICE_HOSTS or host.endswith(SERVICE_DOMAINS)


class _Http:
    """One aiohttp session per event loop (Rasa's server runs one), made on first use."""

    def __init__(self) -> None:
        self._session: Optional[aiohttp.ClientSession] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session, self._loop = aiohttp.ClientSession(), loop
        return self._session


HTTP = _Http()
_NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)


class _BotToken:
    """The bot's own Bot Framework token, shared by every conversation. Fetched under a lock, so a
    burst of replies asks Microsoft once; a failure is remembered briefly so that replies do not
    queue behind a login endpoint that is down."""

    def __init__(self) -> None:
        self.value: Optional[str] = None
        self.expires = 0.0
        self.failed_at = -TOKEN_RETRY_SECONDS
        self._lock: Optional[asyncio.Lock] = None

    def _fresh(self) -> bool:
        return self.value is not None and time.monotonic() < self.expires

    async def header(self, app_id: str, password: str) -> Optional[str]:
        if self._fresh():
            return self.value
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._fresh():
                return self.value
            if time.monotonic() - self.failed_at < TOKEN_RETRY_SECONDS:
                return None
            form = {"client_id": app_id, "client_secret": password, "grant_type": "client_credentials",
                    "scope": "https://api.botframework.com/.default"}
            try:
                async with HTTP.session().post(login_url(), data=form, timeout=CALL_TIMEOUT,
                                               allow_redirects=False) as answer:
                    if answer.status != 200:
                        raise ValueError(f"HTTP {answer.status}")
                    token = await answer.json(content_type=None)
                self.value = f"Bearer {token['access_token']}"
                self.expires = time.monotonic() + max(int(token.get("expires_in", 0)) - 300, 60)
            except (*_NETWORK_ERRORS, ValueError, KeyError, TypeError) as error:
                self.failed_at = time.monotonic()
                logger.error("Could not get a Bot Framework token (%s).", error.__class__.__name__)
                return None
        return self.value


BOT_TOKEN = _BotToken()


@dataclass(frozen=True)
class SigningKey:
    key: Any
    endorsements: tuple[str, ...]   # the channels the key may sign for; empty: any


class SigningKeys:
    """The Bot Framework's published signing keys by id, from the JWKS its OpenID configuration names.

    Fetched on first use and again after a day; a token naming an unknown key id triggers one more
    fetch, at most every five minutes (every 30 s while we hold no keys at all), so made-up key ids
    cannot make the bot hammer Microsoft, and a failed fetch keeps the keys we had.
    """
    MAX_AGE, RETRY_GAP, EMPTY_RETRY_GAP = 24 * 3600, 300, 30

    def __init__(self) -> None:
        self.keys: dict[str, SigningKey] = {}
        self.fetched_at: Optional[float] = None
        self.tried_at: Optional[float] = None
        self._lock: Optional[asyncio.Lock] = None

    def _wanted(self, kid: str) -> bool:
        now = time.monotonic()
        stale = self.fetched_at is None or now - self.fetched_at > self.MAX_AGE
        if kid in self.keys and not stale:
            return False
        gap = self.RETRY_GAP if self.keys else self.EMPTY_RETRY_GAP
        return self.tried_at is None or now - self.tried_at >= gap

    async def find(self, kid: str) -> Optional[SigningKey]:
        if self._wanted(kid):
            if self._lock is None:
                self._lock = asyncio.Lock()
            async with self._lock:
                if self._wanted(kid):
                    self.tried_at = time.monotonic()
                    await self._fetch()
        return self.keys.get(kid)

    async def _fetch(self) -> None:
        try:
            async with HTTP.session().get(openid_url(), timeout=CALL_TIMEOUT) as answer:
                answer.raise_for_status()
                jwks_uri = (await answer.json(content_type=None))["jwks_uri"]
            async with HTTP.session().get(jwks_uri, timeout=CALL_TIMEOUT) as answer:
                answer.raise_for_status()
                published = (await answer.json(content_type=None))["keys"]
        except (*_NETWORK_ERRORS, ValueError, KeyError, TypeError) as error:
            logger.error("Could not fetch the Bot Framework signing keys from %s (%s).", openid_url(),
                         error.__class__.__name__)
            return
        keys = {}
        for entry in published if isinstance(published, list) else ():
            kid = entry.get("kid") if isinstance(entry, dict) else None
            if not isinstance(kid, str) or entry.get("kty") != "RSA":
                continue
            try:
                key = RSAAlgorithm.from_jwk(entry)
            except (jwt.PyJWTError, ValueError, KeyError, TypeError):
                continue
            endorsements = tuple(e for e in entry.get("endorsements") or () if isinstance(e, str))
            keys[kid] = SigningKey(key, endorsements)
        if keys:
            self.keys, self.fetched_at = keys, time.monotonic()
        else:
            logger.error("The Bot Framework key set at %s held no usable RSA key.", jwks_uri)


class Refused(Exception):
    """A request turned away: the status and the short text the caller gets; `reason` is for the log."""

    def __init__(self, status: int, public: str, reason: str = "") -> None:
        super().__init__(reason or public)
        self.status, self.public, self.reason = status, public, reason or public


NOT_AUTHENTICATED = "The request's Bot Framework token was not accepted."
NOT_ALLOWED = "The activity's serviceUrl is not allowed for this token."
NOT_AN_ACTIVITY = "The request body is not a JSON activity."


def parse_activity(body: bytes) -> dict:
    """The activity in `body`, with the fields the bot relies on present and of the right kind (400 if not).
    Error texts name the missing fields, never echo what was sent."""
    try:
        activity = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Refused(400, NOT_AN_ACTIVITY)
    if not isinstance(activity, dict):
        raise Refused(400, NOT_AN_ACTIVITY)
    missing = [name for name in ("from", "conversation")
               if not isinstance(activity.get(name), dict) or not isinstance(activity[name].get("id"), str)
               or not activity[name]["id"]]
    missing += [name for name in ("type", "serviceUrl", "channelId")
                if not isinstance(activity.get(name), str) or not activity[name]]
    if missing:
        raise Refused(400, f"The activity lacks {', '.join(missing)}.")
    if not isinstance(activity.get("text") or "", str) or not isinstance(activity.get("recipient") or {}, dict):
        raise Refused(400, "The activity's text must be a string and its recipient an object.")
    return activity


def hero_card(text: str, buttons: list[dict]) -> dict:
    return {"contentType": "application/vnd.microsoft.card.hero",
            "content": {"text": text, "buttons": [{"type": "imBack", "title": b["title"], "value": b["payload"]}
                                                  for b in buttons]}}


class TeamsOutput(BotFramework):
    """Replies to one Teams conversation, through aiohttp with timeouts (Rasa's BotFramework blocks
    the event loop with `requests` and no timeout), and only to a trusted service URL."""

    def __init__(self, app_id: str, app_password: str, conversation: dict, bot: dict, service_url: str) -> None:
        super().__init__(app_id, app_password, conversation, bot, service_url)
        self.service_url = service_url

    @property
    def personal(self) -> bool:
        """A one-to-one chat with the bot (not a group chat or a channel)."""
        return (self.conversation.get("conversationType") in (None, "personal")
                and not self.conversation.get("isGroup"))

    async def _get_headers(self) -> Optional[dict]:
        token = await BOT_TOKEN.header(self.app_id, self.app_password)
        return None if token is None else {"content-type": "application/json", "Authorization": token}

    async def send(self, message_data: dict) -> bool:
        """Posts one activity; False when it did not arrive (a reminder is then retried, not marked sent)."""
        if not trusted_service_url(self.service_url):   # checked at the door too; the token goes nowhere else
            logger.error("Not sending to an untrusted Bot Framework service URL.")
            return False
        headers = await self._get_headers()
        if headers is None:
            return False
        url = f"{self.global_uri}conversations/{quote(str(self.conversation['id']), safe='')}/activities"
        try:
            async with HTTP.session().post(url, json=message_data, headers=headers, timeout=CALL_TIMEOUT,
                                           allow_redirects=False) as answer:
                if answer.status >= 300:
                    logger.error("Teams did not take a reply: HTTP %s.", answer.status)
                    return False
                return True
        except _NETWORK_ERRORS as error:
            logger.error("Sending a reply to Teams failed (%s).", error.__class__.__name__)
            return False

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send(self.prepare_message(recipient_id, {"text": text, "textFormat": "plain"}))

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any) -> None:
        await self.send(self.prepare_message(recipient_id, {"attachments": [hero_card(text, buttons)]}))

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        upload = json_message.get(FILE_KEY)
        if not upload:
            return await super().send_custom_json(recipient_id, json_message, **kwargs)
        if not self.personal:       # anyone in a group chat or channel could open a card's file
            return await self.send_text_message(recipient_id, say("channels.teams_report_in_private"))
        path = Path(upload["path"])
        if not path.is_file():
            return await self.send_text_message(recipient_id, say("channels.report_gone"))
        context = {"token": path.parent.name, "filename": path.name}
        card = {"contentType": "application/vnd.microsoft.teams.card.file.consent", "name": path.name,
                "content": {"description": say("channels.teams_consent_description"),
                            "sizeInBytes": path.stat().st_size, "acceptContext": context, "declineContext": context}}
        await self.send(self.prepare_message(recipient_id, {"attachments": [card]}))

    async def deliver_consented(self, recipient_id: str, sender: str, consent: dict) -> None:
        """The user allowed the upload: put the file at Teams' upload URL, then show it as a file card.
        Only a report this same user asked for is ever uploaded, and only in their one-to-one chat."""
        context, info = consent.get("context") or {}, consent.get("uploadInfo") or {}
        if not isinstance(context, dict) or not isinstance(info, dict):
            context, info = {}, {}
        path = stored_report(str(context.get("token")), str(context.get("filename")))
        if path is not None and not owned_by(path, sender):
            path = None
        upload_url = info.get("uploadUrl")
        if (consent.get("action") != "accept" or path is None or not self.personal
                or not isinstance(upload_url, str) or urlsplit(upload_url).scheme not in ("https", "http")):
            await self.send_text_message(recipient_id, say("channels.teams_no_file"))
            return
        data = path.read_bytes()
        try:
            async with HTTP.session().put(upload_url, data=data, timeout=UPLOAD_TIMEOUT, allow_redirects=False,
                                          headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"}) as put:
                taken = put.status < 300
                if not taken:
                    logger.error("Uploading a report to Teams failed: HTTP %s.", put.status)
        except _NETWORK_ERRORS as error:
            logger.error("Uploading a report to Teams failed (%s).", error.__class__.__name__)
            taken = False
        if not taken:
            await self.send_text_message(recipient_id, say("channels.teams_upload_failed"))
            return
        card = {"contentType": "application/vnd.microsoft.teams.card.file.info", "contentUrl": info.get("contentUrl"),
                "name": info.get("name") or path.name,
                "content": {"uniqueId": info.get("uniqueId"), "fileType": info.get("fileType") or "docx"}}
        await self.send(self.prepare_message(recipient_id, {"attachments": [card]}))


class CommonGroundTeams(InputChannel):
    """The Teams webhook. Not Rasa's BotFrameworkInput: that one fetches keys with blocking calls at
    start-up and trusts the token's header for the algorithm."""

    @classmethod
    def name(cls) -> str:
        return "botframework"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict]) -> InputChannel:
        app_id, password = os.environ.get(ID_ENV, "").strip(), os.environ.get(PASSWORD_ENV, "").strip()
        if not (app_id and password):
            return TeamsOff()
        return cls(app_id, password)

    def __init__(self, app_id: str, app_password: str) -> None:
        self.app_id, self.app_password = app_id, app_password
        self.keys = SigningKeys()

    async def verify_token(self, authorization: Optional[str]) -> tuple[dict, SigningKey]:
        """The token's claims and the key that signed it; Refused(401) for anything less than a valid
        RS256 token of the Bot Framework for this bot."""
        match = BEARER.fullmatch((authorization or "").strip())
        if not match:
            raise Refused(401, NOT_AUTHENTICATED, "no bearer token")
        token = match.group(1)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Refused(401, NOT_AUTHENTICATED, "not a JWT")
        if header.get("alg") != ALGORITHM:
            raise Refused(401, NOT_AUTHENTICATED, "an algorithm other than RS256")
        kid = header.get("kid")
        found = await self.keys.find(kid) if isinstance(kid, str) and kid else None
        if found is None:
            raise Refused(401, NOT_AUTHENTICATED, "a key id not in the Bot Framework's key set")
        try:
            claims = jwt.decode(token, found.key, algorithms=[ALGORITHM], audience=self.app_id, issuer=ISSUER,
                                leeway=LEEWAY_SECONDS, options={"require": ["exp", "iss", "aud"]})
        except jwt.PyJWTError as error:
            raise Refused(401, NOT_AUTHENTICATED, error.__class__.__name__)
        return claims, found

    @staticmethod
    def check_activity(claims: dict, key: SigningKey, activity: dict) -> None:
        """What ties the signed token to this body: the channel endorsement and the service URL."""
        if key.endorsements and activity["channelId"] not in key.endorsements:
            raise Refused(401, NOT_AUTHENTICATED, "a key not endorsed for the activity's channel")
        claimed = claims.get("serviceurl", claims.get("serviceUrl"))
        if not isinstance(claimed, str) or claimed.rstrip("/") != activity["serviceUrl"].rstrip("/"):
            raise Refused(403, NOT_ALLOWED, "a serviceUrl other than the token's")
        if not trusted_service_url(activity["serviceUrl"]):
            raise Refused(403, NOT_ALLOWED, "a serviceUrl outside Microsoft's Bot Framework hosts")

    async def accept(self, request: Request) -> dict:
        """The activity of a request that passed every check, or Refused."""
        if len(request.body or b"") > BODY_LIMIT:
            raise Refused(413, "The request body is too large.")
        claims, key = await self.verify_token(request.headers.get("Authorization"))
        activity = parse_activity(request.body)
        self.check_activity(claims, key, activity)
        return activity

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("teams_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_request: Request) -> Any:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> Any:
            try:
                activity = await self.accept(request)
            except Refused as refusal:
                logger.warning("Refused a Teams request (HTTP %s): %s.", refusal.status, refusal.reason)
                return response.text(refusal.public, status=refusal.status)
            kind = activity["type"]
            if kind not in ("message", "invoke"):
                return response.text("ignored")
            user = activity["from"]
            output = TeamsOutput(self.app_id, self.app_password, activity["conversation"],
                                 activity.get("recipient") or {}, activity["serviceUrl"])
            aad = user.get("aadObjectId")
            sender = f"teams:{aad if isinstance(aad, str) and aad else user['id']}"
            if kind == "invoke":
                if activity.get("name") == "fileConsent/invoke":
                    value = activity.get("value")
                    await output.deliver_consented(user["id"], sender, value if isinstance(value, dict) else {})
                return response.json({"status": 200})
            text = activity.get("text") or ""
            if too_long(text):          # answered here: never parsed, stored or logged
                await output.send_text_message(user["id"], too_long_reply(text))
                return response.text("success")
            # a message in a channel starts with the bot's mention, "<at>Common Ground</at> ..."
            text = re.sub(r"<at>.*?</at>", " ", text).strip()
            if not output.personal and is_report_request(text):
                await output.send_text_message(user["id"], say("channels.teams_report_in_private"))
                return response.text("success")
            attachments = activity.get("attachments")
            metadata: dict[str, Any] = {"shared": not output.personal}   # a group chat or channel: others read it
            if attachments:
                metadata["attachments"] = attachments
            try:
                await on_new_message(UserMessage(text=text, output_channel=output, sender_id=sender,
                                                 input_channel=self.name(), metadata=metadata))
            except Exception:     # the service would retry a failure; the log says what broke
                logger.exception("Handling a Teams message failed.")
            return response.text("success")

        return blueprint


class TeamsOff(ChannelOff):
    channel, title, settings = "botframework", "Teams", (ID_ENV, PASSWORD_ENV)
