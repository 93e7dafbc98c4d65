"""What the bot says: text with optional buttons, independent of any chat channel."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Button:
    title: str
    payload: str  # sent back as if the user had typed it


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {"text": self.text, "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons]}


@dataclass(frozen=True)
class Turn:
    """The bot's replies to one message, and whether a question is still open afterwards.

    `paused`: the open question waits while the user does something else ("continue" returns to it);
    `switch_to`: the form that asks next when the message opened another stage."""

    replies: tuple[Reply, ...]
    pending: bool
    paused: bool = False
    switch_to: Optional[str] = None
