"""The action server: rasa_sdk's executor behind a door only our Rasa server can open.

rasa_sdk's own server (`rasa run actions`) listens on every interface, runs any tracker anyone
posts, inflates deflate bodies without a bound and puts the posted body into its error replies.
This one keeps rasa_sdk's routes and answers (/health, /webhook, /actions; 400 for a rejected
action with its name, 404 for an unknown one) and closes those doors:

- it listens on 127.0.0.1 unless COMMON_GROUND_ACTIONS_HOST names another address;
- /webhook and /actions need `Authorization: Bearer <key_for("actions")>` (endpoints.yml sends
  it from COMMON_GROUND_ACTIONS_TOKEN); without it: 401 with an empty body, before any of the
  body is read. /health stays open for probes;
- a body may be MAX_BODY_BYTES, and a deflate-encoded one may inflate to no more (413 past it);
- replies and logs never carry the posted body or the tracker: a failing action is logged by
  its name, the exception's type and where it was raised.
"""
from __future__ import annotations

import hmac
import json
import logging
import os
import time
import traceback
import zlib
from http import HTTPStatus
from pathlib import Path
from typing import Any, Optional

from rasa_sdk import utils as sdk_utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.exceptions import InvalidUsage, PayloadTooLarge, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.identity.secret import key_for
from bot.rasa_plugins.channels.limits import bearer
from bot.teams.limits import calling_from

logger = logging.getLogger("common_ground.actions")

HOST_ENV = "COMMON_GROUND_ACTIONS_HOST"
TOKEN_ENV = "COMMON_GROUND_ACTIONS_TOKEN"    # what the Rasa side sends (endpoints.yml), = shared_secret()
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055
# Rasa posts the whole tracker with every action call, and sessions here never expire, so a
# call grows with the conversation: about 3.7 KB per user turn (measured: 26 turns of the
# self-assessment and a goal gave a 96 KB tracker; the domain adds 3 KB). 16 MB holds some 4,500
# turns, far more than a leader types in years, while one call's worst case (parsing 16 MB of
# JSON) stays at a few hundred MB. Past it, Rasa gets 413 and that turn fails.
MAX_BODY_BYTES = 16 * 1024 * 1024
PROJECT = Path(__file__).resolve().parent.parent


def shared_secret() -> str:
    """The key Rasa must present; derived from the server's secret, so rotating that rotates this."""
    return key_for("actions")


def describe_failure(error: BaseException) -> str:
    """The exception's type and where it was raised, without its message: messages can quote what
    users typed (a database error quotes the row it failed to write)."""
    frames = traceback.extract_tb(error.__traceback__)[-8:]
    where = []
    for frame in frames:
        path = Path(frame.filename)
        try:
            path = path.resolve().relative_to(PROJECT)
        except ValueError:
            path = Path(*path.parts[-3:])
        where.append(f"{path}:{frame.lineno} in {frame.name}")
    return f"{type(error).__name__}" + ("\n  " + "\n  ".join(where) if where else "")


class _Refusals:
    """Counts refused calls and logs them at most once every ten seconds, so a flood of them
    cannot fill the disk."""

    def __init__(self) -> None:
        self.count, self.logged_at = 0, 0.0

    def note(self, request: Request) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.logged_at >= 10:
            logger.warning("refused %d call(s) without the shared secret (latest from %s to %s)",
                           self.count, request.ip, request.path)
            self.count, self.logged_at = 0, now


def authorised(request: Request, secret: str) -> bool:
    token = bearer(request)
    return token is not None and hmac.compare_digest(token.encode(), secret.encode())


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` (the route streams, so Sanic
    has read nothing of it yet)."""
    declared = request.headers.get("content-length")
    if declared is not None and not declared.strip().isdigit():
        raise InvalidUsage("bad length")    # Sanic would wait for a negative length's body forever
    if declared is not None and int(declared) > limit:
        raise PayloadTooLarge("too large")
    chunks, size = [], 0
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge("too large")
        chunks.append(chunk)


def inflate(body: bytes, limit: int) -> bytes:
    """A deflate (zlib) body inflated to at most `limit` bytes: a small bomb stops at the limit."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise InvalidUsage("bad deflate data") from None
    if len(data) > limit or inflater.unconsumed_tail:
        raise PayloadTooLarge("too large")
    if not inflater.eof:
        raise InvalidUsage("bad deflate data")
    return data


def decode_call(body: bytes, encoding: str, limit: int) -> dict[str, Any]:
    encoding = encoding.strip().lower()
    if encoding == "deflate":
        body = inflate(body, limit)
    elif encoding not in ("", "identity"):
        raise SanicException("unsupported encoding", status_code=415)
    try:
        call = json.loads(body)
    except (ValueError, RecursionError):
        raise InvalidUsage("not JSON") from None
    if not isinstance(call, dict) or not isinstance(call.get("next_action"), str) \
            or not isinstance(call.get("tracker"), dict):
        raise InvalidUsage("not an action call")
    return call


def caller_of(call: dict[str, Any]) -> Optional[str]:
    """The network address the channel recorded for the message being answered, if any."""
    latest = call["tracker"].get("latest_message")
    metadata = latest.get("metadata") if isinstance(latest, dict) else None
    address = metadata.get("address") if isinstance(metadata, dict) else None
    return address if isinstance(address, str) else None


def _error(status: int) -> HTTPResponse:
    """A short error reply that says what kind of error, never what was sent."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return response.json({"error": phrase}, status=status)


def create_app(package: str = "actions", secret: Optional[str] = None,
               max_body: int = MAX_BODY_BYTES) -> Sanic:
    secret = secret or shared_secret()
    app = Sanic("common_ground_actions", configure_logging=False)
    # Sanic applies this to bodies it reads itself and to what it discards after a refusal; the
    # webhook streams and applies the same figure on its own.
    app.config.REQUEST_MAX_SIZE = max_body
    executor = ActionExecutor()
    executor.register_package(package)
    refusals = _Refusals()

    def refused(request: Request) -> HTTPResponse:
        refusals.note(request)
        return response.raw(b"", status=401, headers={"WWW-Authenticate": "Bearer"}, content_type="text/plain")

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/actions")
    async def actions(request: Request) -> HTTPResponse:
        if not authorised(request, secret):
            return refused(request)
        return response.json([{"name": name} for name in executor.actions])

    @app.post("/webhook", stream=True)
    async def webhook(request: Request) -> HTTPResponse:
        if not authorised(request, secret):
            return refused(request)
        body = await read_body(request, max_body)
        call = decode_call(body, request.headers.get("content-encoding", ""), max_body)
        sdk_utils.check_version_compatibility(call.get("version"))
        name = call["next_action"]
        try:
            with calling_from(caller_of(call)):
                result = await executor.run(call)
        except ActionExecutionRejection as rejection:
            # Rasa reads the action's name from this reply to predict another action instead.
            logger.info("action %s rejected the call", name)
            return response.json({"error": "the action rejected this call", "action_name": rejection.action_name},
                                 status=400)
        except ActionNotFoundException:
            # The name came in the call, so it is not logged: a stranger's text stays out of the log.
            logger.error("a call named an action that is not registered (are domain.yml and actions/ in step?)")
            return _error(404)
        except Exception as error:   # noqa: BLE001 - any failure of an action becomes one short 500
            logger.error("action %s failed: %s", name, describe_failure(error))   # a registered name
            return _error(500)
        return response.json(result)

    @app.exception(Exception)
    async def on_error(request: Request, error: Exception) -> HTTPResponse:
        if isinstance(error, SanicException):
            return _error(error.status_code)
        logger.error("request to %s failed: %s", getattr(request, "path", "?"), describe_failure(error))
        return _error(500)

    return app


def serve(port: int = DEFAULT_PORT, host: Optional[str] = None) -> None:
    host = host or os.environ.get(HOST_ENV, "").strip() or DEFAULT_HOST
    secret = shared_secret()
    sent = os.environ.get(TOKEN_ENV)
    if sent is not None and not hmac.compare_digest(sent.encode(), secret.encode()):
        logger.warning("%s in this environment is not this server's key: a Rasa server started with it will "
                       "be refused (run `python -m actions token` with the same COMMON_GROUND_SECRET)", TOKEN_ENV)
    from actions.services import app as application
    try:
        application().warm()   # opened now (an out-of-date schema stops the start here), the lesson search built
    except Exception as error:   # noqa: BLE001 - said in one line, without a traceback
        raise SystemExit(f"The action server cannot start: {error}") from None
    app = create_app(secret=secret)
    logger.info("action server listening on %s:%d", host, port)
    app.run(host=host, port=port, workers=1, access_log=False, debug=False)
