"""A Rasa server plugin that schedules the stored reminders again when the server starts.

Rasa keeps scheduled reminders in memory only, so a restart would silently lose "remind me on
Monday". credentials.yml registers this class as an input channel, the hook Rasa offers a
plugin at start-up; once the model is loaded it reads the reminders not yet delivered from our
database and hands each back to Rasa's scheduler with the event stored in the conversation.
One that came due while the server was down fires a few seconds after start. It also answers
GET /webhooks/reminders/ with the number of reminders waiting.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Optional

from rasa.core import jobs
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import ReminderScheduled
from sanic import Blueprint, response
from sanic.request import Request

from bot.db import Database

logger = logging.getLogger(__name__)
OVERDUE_DELAY = timedelta(seconds=3)   # a reminder missed during downtime fires this soon after start


def pending_reminders(db: Database) -> list[tuple[str, str, datetime]]:
    with db.transaction() as repo:
        return [(sender, r.name, r.due_at) for sender, r in repo.pending_reminders()]


async def restore_reminders(agent: Any, now: Optional[datetime] = None) -> int:
    """Schedules every undelivered reminder again; returns how many were scheduled."""
    db = Database()
    try:
        pending = pending_reminders(db)
    finally:
        db.dispose()
    now = now or datetime.now()
    scheduler = await jobs.scheduler()
    restored = 0
    for sender, name, due in pending:
        tracker = await agent.tracker_store.retrieve(sender)
        events = tracker.events if tracker is not None else []
        event = next((e for e in reversed(events) if isinstance(e, ReminderScheduled) and e.name == name), None)
        if event is None:  # the conversation was reset: nothing to deliver into
            continue
        scheduler.add_job(agent.processor.handle_reminder, "date", run_date=max(due, now + OVERDUE_DELAY),
                          args=[event, sender, CollectingOutputChannel()], id=name, replace_existing=True,
                          name=event.scheduled_job_name(sender))
        restored += 1
    return restored


class ReminderRestorer(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "reminders"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict]) -> "ReminderRestorer":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("common_ground_reminders", __name__)

        @blueprint.route("/", methods=["GET"])
        async def status(_request: Request) -> Any:
            db = Database()
            try:
                return response.json({"pending": len(pending_reminders(db))})
            finally:
                db.dispose()

        @blueprint.listener("after_server_start")
        async def restore(app: Any, _loop: Any) -> None:
            agent = getattr(app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                logger.warning("No model loaded: stored reminders were not scheduled again.")
                return
            count = await restore_reminders(agent)
            logger.info(f"Scheduled {count} stored reminder(s) again.")

        return blueprint
