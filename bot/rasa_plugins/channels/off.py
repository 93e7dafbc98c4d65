"""A chat channel that is switched off: its webhook answers 404 and names the settings that turn it on.

The Slack and Teams channels are always registered in credentials.yml, so the file stays the
same on every machine; without their environment variables they stand in with one of these.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request


class ChannelOff(InputChannel):
    channel = ""                    # the webhook's path under /webhooks/
    title = ""                      # how people call the channel
    settings: tuple[str, ...] = ()  # the environment variables that turn it on

    @classmethod
    def name(cls) -> str:
        return cls.channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint(f"{self.channel}_off", __name__)
        message = f"The {self.title} channel is off: set {' and '.join(self.settings)} and restart."

        @blueprint.route("/webhook", methods=["GET", "POST"])
        async def webhook(_request: Request) -> Any:
            return response.text(message, status=404)

        return blueprint
