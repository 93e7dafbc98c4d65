"""How many join codes one person, or one network address, may try before joining pauses.

A join code is six characters from 31 (about 887 million codes), valid 14 days. Without a limit
a script could try hundreds a second; with these two, guessing any live code takes years:

- per sender: 5 codes that open nothing in 15 minutes. A person copying a code from a slide
  gets it right within a few tries; 5 leaves room for typos and a wrong slide.
- per network address: 20 in an hour. The web page hands every new browser a fresh identity, so
  the sender limit alone is no wall there; 20 still lets four people behind one school's shared
  address each use up their own 5. IPv6 callers are counted by their /64 network, since one
  subscriber usually holds all of it. Slack and Teams report no address: there the sender limit,
  tied to a workspace account, does the work.

Only codes that were looked up and opened nothing count. A refused attempt during the pause is
not counted (it tells the caller nothing), so the time the reply names stays true. Attempts live
in the database (join_attempts), so every server sharing it counts the same ones; rows older
than the longest window are removed as new attempts arrive.
"""
from __future__ import annotations

import ipaddress
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterator, Optional

from bot.storage.repository import Repository


@dataclass(frozen=True)
class Window:
    limit: int            # failed attempts allowed inside the window
    period: timedelta


PER_SENDER = Window(5, timedelta(minutes=15))
PER_ADDRESS = Window(20, timedelta(hours=1))

# The network address of the call being served, as the channel reported it (REST and the web page
# put it in the message metadata; Slack and Teams give none). The action server sets it per call.
_caller_address: ContextVar[Optional[str]] = ContextVar("caller_address", default=None)


@contextmanager
def calling_from(address: Optional[str]) -> Iterator[None]:
    """Runs a call on behalf of a caller at `address` (None: unknown)."""
    token = _caller_address.set(address_key(address))
    try:
        yield
    finally:
        _caller_address.reset(token)


def caller_address() -> Optional[str]:
    return _caller_address.get()


def address_key(raw: object) -> Optional[str]:
    """What an address is counted as: IPv4 as is, IPv6 as its /64, IPv4-mapped IPv6 as the IPv4;
    anything else (not an IP address) as its first 64 characters, so a proxy's odd value still counts."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return text[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


class JoinLimits:
    """Counts failed join attempts and says until when a sender or an address must wait."""

    def __init__(self, per_sender: Window = PER_SENDER, per_address: Window = PER_ADDRESS) -> None:
        self.per_sender, self.per_address = per_sender, per_address

    def locked_until(self, repo: Repository, sender: str, address: Optional[str], now: datetime) -> Optional[datetime]:
        """When joining opens again for this caller, or None when they may try now."""
        until = self._until(repo.failed_join_times(now - self.per_sender.period, sender_id=sender),
                            self.per_sender)
        if address:
            by_address = self._until(repo.failed_join_times(now - self.per_address.period, address=address),
                                     self.per_address)
            if by_address is not None and (until is None or by_address > until):
                until = by_address
        return until if until is not None and until > now else None

    @staticmethod
    def _until(times: list[datetime], window: Window) -> Optional[datetime]:
        """With `times` the failures inside the window, oldest first: when enough of them have aged
        out of the window that one more try is allowed (None: allowed now)."""
        excess = len(times) - window.limit
        return None if excess < 0 else times[excess] + window.period

    def record(self, repo: Repository, sender: str, address: Optional[str], succeeded: bool, now: datetime) -> None:
        repo.add_join_attempt(sender, address, succeeded, now)
        repo.prune_join_attempts(now - max(self.per_sender.period, self.per_address.period))
