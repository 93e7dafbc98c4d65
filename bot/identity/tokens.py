"""Signed statements of who someone is: bearer tokens for the REST channel, the web page's cookie.

Both are JWTs (PyJWT, HS256) whose subject is the conversation's sender id, each signed with its own
key derived from the server's secret and marked with its own audience, so a web cookie is no REST
token and the other way round. Only HS256 is accepted, whatever a token's header claims.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

import jwt

from bot.identity.secret import key_for

ISSUER = "common-ground"
REST, WEB = "rest", "web"
ALGORITHM = "HS256"
DEFAULT_REST_DAYS = 30
WEB_DAYS = 180          # a browser that keeps coming back keeps its identity for half a year
MAX_SENDER_CHARS = 255  # the length of participants.sender_id


class TokenError(ValueError):
    """The token is missing, malformed, forged, for another use, or expired."""


@dataclass(frozen=True)
class Identity:
    sender: str
    expires_at: int   # seconds since the epoch


def issue(sender: str, audience: str, days: float, secret: Optional[str] = None) -> str:
    if not sender or len(sender) > MAX_SENDER_CHARS:
        raise ValueError(f"a user id is 1 to {MAX_SENDER_CHARS} characters")
    if days <= 0:
        raise ValueError("a token must be valid for some time")
    now = int(time.time())
    claims = {"sub": sender, "aud": audience, "iss": ISSUER, "iat": now, "exp": now + int(days * 86400)}
    return jwt.encode(claims, key_for(f"token:{audience}", secret), algorithm=ALGORITHM)


def verify(token: Optional[str], audience: str) -> Identity:
    if not token:
        raise TokenError("no token")
    try:
        claims = jwt.decode(token, key_for(f"token:{audience}"), algorithms=[ALGORITHM], audience=audience,
                            issuer=ISSUER, options={"require": ["sub", "exp", "iat", "aud", "iss"]})
    except jwt.ExpiredSignatureError as error:
        raise TokenError("the token has expired") from error
    except jwt.PyJWTError as error:
        raise TokenError("the token is not valid here") from error
    sender = claims.get("sub")
    if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
        raise TokenError("the token names no user")
    return Identity(sender, int(claims["exp"]))


def rest_token(sender: str, days: float = DEFAULT_REST_DAYS, secret: Optional[str] = None) -> str:
    """A bearer token for POST /webhooks/rest/webhook as `sender` (`python -m bot token --user ID`)."""
    return issue(sender, REST, days, secret)


def web_cookie(sender: str) -> str:
    return issue(sender, WEB, WEB_DAYS)
