"""Where the current message was written: a direct chat, or a space others read (a Slack channel, a
Teams group chat). Some replies are for the person alone: a link that signs in as them is only ever
given in a direct chat. The actions set it for the length of one call."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_SHARED: ContextVar[bool] = ContextVar("shared_space", default=False)


def in_shared_space() -> bool:
    return _SHARED.get()


@contextmanager
def speaking_in(shared: bool) -> Iterator[None]:
    token = _SHARED.set(shared)
    try:
        yield
    finally:
        _SHARED.reset(token)
