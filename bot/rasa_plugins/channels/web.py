"""A Rasa server plugin that serves the chat page for newcomers at /webhooks/web/.

The page embeds rasa-webchat (a well-kept React widget, fetched from the npm registry by `make`
into var/web/, never from a CDN at run time) talking to Rasa's socket.io channel (credentials.yml)
on the same server. The widget keeps its session id and messages in the browser's localStorage
and the socket.io channel keeps the session, so a reload continues the same conversation.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.config import VAR_DIR

WEBCHAT_VERSION = "1.0.1"
WEBCHAT_JS = VAR_DIR / "web" / f"rasa-webchat-{WEBCHAT_VERSION}.js"
PAGE = Path(__file__).resolve().parent / "chat.html"
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self' ws: wss:")


class PersistentSocketIO(SocketIOInput):
    """Rasa's socket.io channel with session persistence that works: Rasa 3.6 calls
    `enter_room` without awaiting it, which python-socketio 5.9+ made a coroutine, so a
    persistent session's replies went to a room nobody had joined and the page stayed blank."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Optional[dict]) -> None:
            data = data or {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, data["session_id"], namespace=self.namespace)
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)

        return blueprint


class WebChatPage(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "web"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("common_ground_web", __name__)

        @blueprint.route("/", methods=["GET"])
        async def page(_request: Request) -> Any:
            # Only this server: the widget's stylesheet asks Google for a font, which the browser
            # must not fetch (no third party learns who uses the guide).
            return response.html(PAGE.read_text(encoding="utf-8"), headers={"Content-Security-Policy": CSP})

        @blueprint.route("/webchat.js", methods=["GET"])
        async def widget(_request: Request) -> Any:
            if not WEBCHAT_JS.is_file():
                return response.text("The chat widget is not installed: run `make serve` (it fetches it).", status=503)
            return await response.file(str(WEBCHAT_JS), mime_type="application/javascript",
                                       headers={"Cache-Control": "max-age=86400"})

        return blueprint
