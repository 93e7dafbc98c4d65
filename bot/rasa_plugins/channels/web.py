"""The chat page for newcomers at /webhooks/web/, and the socket.io channel it talks to.

The page embeds rasa-webchat (a well-kept React widget, fetched from the npm registry by `make`
into var/web/, never from a CDN at run time). Who the browser is, the server decides: the page sets
a signed, HttpOnly cookie naming a new web participant (bot/identity/tokens.py), and the socket.io
channel takes the conversation from that cookie alone; whatever session id the widget sends is
ignored, and a page on another site cannot connect (same-origin check). "Open this on the web" in
another channel gives a one-time link (/webhooks/web/continue/<secret>, bot/identity/links.py) that
sets the cookie to that same participant. The page allows no inline script and connects only to
this server (CSP).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from socketio import AsyncServer

from bot.config import VAR_DIR, public_url
from bot.identity.links import redeem
from bot.identity.secret import key_for
from bot.identity.tokens import WEB, WEB_DAYS, TokenError, verify, web_cookie
from bot.rasa_plugins.channels.limits import BODY_LIMIT, caller_address, too_long, too_long_reply
from bot.storage.db import Database

logger = logging.getLogger(__name__)
WEBCHAT_VERSION = "1.0.1"
WEBCHAT_JS = VAR_DIR / "web" / f"rasa-webchat-{WEBCHAT_VERSION}.js"
HERE = Path(__file__).resolve().parent
PAGE, PAGE_JS, CONTINUE_PAGE = HERE / "chat.html", HERE / "chat.js", HERE / "continue.html"
COOKIE = "common_ground_web"
# The widget injects its own <style> elements, hence 'unsafe-inline' for styles only.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY", "Cache-Control": "no-store"}

_database: Optional[Database] = None


def database() -> Database:
    global _database
    if _database is None:
        _database = Database.for_server()
    return _database


def sender_from_cookie(header: Optional[str]) -> Optional[str]:
    """The participant a request's cookie proves, or None."""
    if not header:
        return None
    try:
        morsel = SimpleCookie(header).get(COOKIE)
    except Exception:   # a malformed Cookie header proves nothing
        return None
    try:
        return verify(morsel.value, WEB).sender if morsel else None
    except TokenError:
        return None


def session_id_for(sender: str) -> str:
    """The id the widget keeps for its session: stable for a participant, telling nothing about them."""
    return hmac.new(key_for("web-session").encode(), sender.encode(), hashlib.sha256).hexdigest()[:32]


def with_identity(reply: Any, sender: str) -> Any:
    reply.cookies[COOKIE] = web_cookie(sender)
    cookie = reply.cookies[COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Lax"   # Strict would drop it when someone arrives from a link in Slack
    cookie["path"] = "/"
    cookie["max-age"] = WEB_DAYS * 86400
    if public_url().startswith("https://"):
        cookie["secure"] = True
    return reply


class PersistentSocketIO(SocketIOInput):
    """Rasa's socket.io channel with the conversation taken from the page's signed cookie. (Rasa 3.6's
    own also calls `enter_room` without awaiting it, which python-socketio 5.9+ made a coroutine.)"""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # cors_allowed_origins=None: python-socketio accepts only pages served by this same host
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=None, max_http_buffer_size=BODY_LIMIT)
        blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        namespace = self.namespace

        @blueprint.route("/", methods=["GET"])
        async def health(_request: Request) -> Any:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, _auth: Optional[dict] = None) -> bool:
            sender = sender_from_cookie(environ.get("HTTP_COOKIE"))
            if sender is None:
                return False   # no page of ours was loaded first: nobody to talk as
            request = environ.get("sanic.request")
            address = caller_address(request) if request is not None else ""
            await sio.save_session(sid, {"sender": sender, "address": address}, namespace=namespace)
            await sio.enter_room(sid, sender, namespace=namespace)   # replies to this participant reach this page
            return True

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, _data: Optional[dict] = None) -> None:
            session = await sio.get_session(sid, namespace=namespace)
            await sio.emit("session_confirm", session_id_for(session["sender"]), room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def user_message(sid: str, data: Any) -> None:
            session = await sio.get_session(sid, namespace=namespace)
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str):
                return
            if too_long(text):
                await sio.emit(self.bot_message_evt, {"text": too_long_reply(text)}, room=sid, namespace=namespace)
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            await on_new_message(UserMessage(text, output, session["sender"], input_channel=self.name(),
                                             metadata={"address": session["address"]}))

        return blueprint


class WebChatPage(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "web"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("common_ground_web", __name__)

        @blueprint.route("/", methods=["GET"])
        async def page(request: Request) -> Any:
            reply = response.html(PAGE.read_text(encoding="utf-8"), headers=HEADERS)
            if sender_from_cookie(request.headers.get("cookie")) is None:
                with_identity(reply, f"web:{uuid.uuid4().hex}")   # a new participant, named by the server
            return reply

        @blueprint.route("/chat.js", methods=["GET"])
        async def page_script(_request: Request) -> Any:
            return response.text(PAGE_JS.read_text(encoding="utf-8"), content_type="application/javascript",
                                 headers={"X-Content-Type-Options": "nosniff"})

        @blueprint.route("/webchat.js", methods=["GET"])
        async def widget(_request: Request) -> Any:
            if not WEBCHAT_JS.is_file():
                return response.text("The chat widget is not installed: run `make serve` (it fetches it).", status=503)
            return await response.file(str(WEBCHAT_JS), mime_type="application/javascript",
                                       headers={"Cache-Control": "max-age=86400", "X-Content-Type-Options": "nosniff"})

        # A GET only shows a button: link previews (Slack and Teams fetch links to draw them) must not
        # use up the link. The POST the button sends redeems it.
        @blueprint.route("/continue/<secret>", methods=["GET"])
        async def continue_page(_request: Request, secret: str) -> Any:
            return response.html(CONTINUE_PAGE.read_text(encoding="utf-8"), headers=HEADERS)

        @blueprint.route("/continue/<secret>", methods=["POST"])
        async def continue_here(_request: Request, secret: str) -> Any:
            sender = redeem(database(), secret)
            if sender is None:
                return response.html(CONTINUE_PAGE.read_text(encoding="utf-8").replace(
                    "<!--state-->", '<p class="problem">This link has expired or was already used. Ask for a new '
                                    'one in your chat: say "open this on the web".</p>'), status=410, headers=HEADERS)
            return with_identity(response.redirect("../", status=303, headers=HEADERS), sender)

        return blueprint
