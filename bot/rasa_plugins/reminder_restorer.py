"""A Rasa server plugin that delivers reminders: the ones people set, the ones a facilitator sends, and
the ones that came due while the server was down.

Rasa's own reminder events live in memory and go out through the channel the reminder was set
from (for REST and after a restart: a collecting channel nobody reads), so they could be marked
delivered without reaching anyone. Instead, reminders are rows in our database; credentials.yml
registers this class as an input channel, the hook Rasa offers a plugin at start-up, and once the
model is loaded it starts bot/rasa_plugins/outbound.py, which claims the rows that came due every
few seconds (COMMON_GROUND_REMINDER_POLL_SECONDS, 3 by default; one missed during downtime goes
out at the first look), sends them through each person's own channel and marks them delivered
only when that worked. GET /webhooks/reminders/ tells how many are waiting to come due
(`pending`), held for the person's next message (`held`) and given up on after retries (`failed`).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.conversation.reminders import Reminders
from bot.rasa_plugins import log_privacy
from bot.rasa_plugins.outbound import Outbound
from bot.storage.db import Database

logger = logging.getLogger(__name__)
log_privacy.install()


class ReminderRestorer(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "reminders"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("common_ground_reminders", __name__)
        state: dict[str, Any] = {}

        def reminders() -> Reminders:
            if "reminders" not in state:
                state["reminders"] = Reminders(Database.for_server())   # migrated beforehand, never here
            return state["reminders"]

        @blueprint.route("/", methods=["GET"])
        async def status(_request: Request) -> Any:
            return response.json(await asyncio.to_thread(reminders().counts))

        @blueprint.listener("after_server_start")
        async def start(app: Any, _loop: Any) -> None:
            outbound = Outbound(app, reminders())
            outbound.hook()
            agent = getattr(app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                logger.warning("No model loaded yet: reminders go out once one is.")
            app.add_task(outbound.run_forever())

        @blueprint.listener("after_server_stop")
        async def stop(_app: Any, _loop: Any) -> None:
            if "reminders" in state:
                state.pop("reminders").db.dispose()

        return blueprint
