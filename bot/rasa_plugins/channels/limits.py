"""What every door checks before a message reaches language understanding, and what it reads off a request.

A message longer than `MESSAGE_LIMIT` characters is answered at the door with a short request to
split it: it never reaches the model (whose attention grows with the square of the tokens: a
100 KB message once took 35 s and 10 GB) and nothing of it is stored or logged.
"""
from __future__ import annotations

from typing import Optional

from sanic.request import Request

from bot.content.messages import say
from bot.language.text import MAX_ANSWER_CHARS

MESSAGE_LIMIT = MAX_ANSWER_CHARS      # characters; the longest answer the worksheets keep
# Bytes of a request body on the chat webhooks and of one socket.io message: far above any message we
# take (so a long paste still gets the kind reply, not an error), far below what costs memory.
BODY_LIMIT = 256 * 1024


def too_long(text: object) -> bool:
    return isinstance(text, str) and len(text) > MESSAGE_LIMIT


def too_long_reply(text: str) -> str:
    return say("conversation.message_too_long", length=f"{len(text):,}", limit=f"{MESSAGE_LIMIT:,}")


def bearer(request: Request) -> Optional[str]:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def caller_address(request: Request) -> str:
    """The caller's address as this server sees it (behind a proxy, Sanic's forwarded settings apply)."""
    return str(request.remote_addr or request.ip or "")[:64]
