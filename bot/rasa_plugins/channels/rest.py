"""The REST channel with proven identity: POST /webhooks/rest/webhook needs a bearer token.

The token (bot/identity/tokens.py; `python -m bot token --user ID` prints one) names the sender;
the body's `sender` may repeat it but never name someone else. Everything is checked before Rasa
sees the message: the token (401), the sender (403), the body's shape and size (400, 413) and the
message's length (answered with a request to split it, nothing stored). The caller's network
address goes into the message's metadata (the join-code limit counts by it); whatever metadata
or input channel the body claims is ignored.

A client may name each message with "message_id" (at most 64 of A-Z a-z 0-9 _ . : -) and send the same id
again when it retries after a failed request: the message becomes Rasa's message id and goes into the
metadata too (MESSAGE_ID_KEY), where the actions find it, and an answer already applied under that id is
not applied again (bot/conversation/guide.py). Without one, nothing changes.
"""
from __future__ import annotations

import logging
import re
from asyncio import CancelledError
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.identity.tokens import REST, TokenError, verify
from bot.rasa_plugins.channels.limits import BODY_LIMIT, bearer, caller_address, too_long, too_long_reply
from bot.rasa_plugins.names import MESSAGE_ID_KEY

logger = logging.getLogger(__name__)
USAGE = ('POST a JSON object {"message": "...", "message_id": "<optional id, the same when retrying>"} '
         'with the header "Authorization: Bearer <token>"')
MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def refuse(status: int, reason: str) -> Any:
    headers = {"WWW-Authenticate": 'Bearer realm="common-ground"'} if status == 401 else None
    return response.json({"error": reason, "usage": USAGE}, status=status, headers=headers)


class AuthenticatedRest(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("common_ground_rest", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_request: Request) -> Any:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            try:
                identity = verify(bearer(request), REST)
            except TokenError as error:
                return refuse(401, f"Sign in first: {error}.")
            if len(request.body or b"") > BODY_LIMIT:
                return refuse(413, f"The body is larger than {BODY_LIMIT // 1024} KB.")
            try:
                body = request.json
            except Exception:  # Sanic raises its own error for invalid JSON
                body = None
            if not isinstance(body, dict):
                return refuse(400, "The body must be a JSON object.")
            message, sender = body.get("message"), body.get("sender", identity.sender)
            if not isinstance(message, str):
                return refuse(400, 'The body needs "message" as a string.')
            if not isinstance(sender, str):
                return refuse(400, '"sender", when given, must be a string.')
            message_id = body.get("message_id")
            if message_id is not None and not (isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id)):
                return refuse(400, '"message_id", when given, must be a string of 1 to 64 characters from '
                                   'A-Z, a-z, 0-9 and _ . : -')
            if sender != identity.sender:
                return refuse(403, "The token is not for this sender.")
            if too_long(message):
                return response.json([{"recipient_id": sender, "text": too_long_reply(message)}])
            metadata = {"address": caller_address(request)}
            if message_id is not None:
                metadata[MESSAGE_ID_KEY] = message_id
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(message, collector, sender, input_channel=self.name(),
                                                 metadata=metadata, message_id=message_id))
            except CancelledError:
                logger.error("A REST message timed out before it was answered.")
            except Exception:
                logger.exception("Handling a REST message failed.")   # no message text in the log
            return response.json(collector.messages)

        return blueprint
