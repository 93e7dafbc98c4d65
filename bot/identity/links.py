"""One-time links that open the web page as someone who is already talking to the guide elsewhere.

"Open this on the web" in Slack or Teams gives a link valid for 15 minutes and usable once; the page
it opens is then the same participant, with the same answers and position. Only a hash of the link's
secret is stored, and redeeming it is one conditional UPDATE, so two clicks racing (or two servers)
cannot both use it.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import update

from bot.storage.db import Database
from bot.storage.models import WebLink

LINK_MINUTES = 15
TOKEN_BYTES = 32


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(db: Database, sender: str, minutes: int = LINK_MINUTES) -> str:
    """A fresh link secret for `sender`; earlier unused links of the same sender stop working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = _now()
    with db.transaction() as repo:
        repo.session.execute(update(WebLink).where(WebLink.sender_id == sender, WebLink.used_at.is_(None))
                             .values(used_at=now))
        repo.session.add(WebLink(token_hash=_hash(token), sender_id=sender, created_at=now,
                                 expires_at=now + timedelta(minutes=minutes)))
    return token


def redeem(db: Database, token: str) -> Optional[str]:
    """The sender the link was made for, once; None when it is unknown, used or expired."""
    if not token or len(token) > 128:
        return None
    now = _now()
    with db.transaction() as repo:
        claimed = repo.session.execute(
            update(WebLink).where(WebLink.token_hash == _hash(token), WebLink.used_at.is_(None),
                                  WebLink.expires_at > now).values(used_at=now))
        if claimed.rowcount != 1:
            return None
        return repo.session.query(WebLink.sender_id).filter(WebLink.token_hash == _hash(token)).scalar()
