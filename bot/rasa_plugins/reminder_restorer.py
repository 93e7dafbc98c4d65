"""A Rasa server plugin that schedules the stored reminders again when the server starts.

Rasa keeps scheduled reminders in memory only, so a restart would silently lose "remind me on
Monday". credentials.yml registers this class as an input channel, the hook Rasa offers a
plugin at start-up; once the model is loaded it reads the reminders not yet delivered from our
database and hands each back to Rasa's scheduler with the event stored in the conversation.
One that came due while the server was down fires a few seconds after start. It also answers
GET /webhooks/reminders/ with the number of reminders waiting.

A facilitator's "remind those who have not finished" is stored by the action server for other
members' conversations, which Rasa's reminder events cannot reach; every few seconds this
plugin picks such reminders up, adds the reminder event to the member's conversation and
schedules it, so it arrives like one they set themselves.
"""
from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Optional

from rasa.core import jobs
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import ReminderScheduled
from sanic import Blueprint, response
from sanic.request import Request

from bot.rasa_plugins.names import REMINDER_INTENT
from bot.storage.db import Database

logger = logging.getLogger(__name__)
OVERDUE_DELAY = timedelta(seconds=3)   # a reminder missed during downtime fires this soon after start
POLL_SECONDS = float(os.environ.get("COMMON_GROUND_REMINDER_POLL_SECONDS", "3"))


def pending_reminders(db: Database) -> list[tuple[str, str, datetime]]:
    with db.transaction() as repo:
        return [(sender, r.name, r.due_at) for sender, r in repo.pending_reminders()]


def _schedule(scheduler: Any, agent: Any, event: ReminderScheduled, sender: str, due: datetime,
              earliest: datetime) -> None:
    """Hands one reminder to Rasa's scheduler, as Rasa itself does, but not before `earliest`."""
    scheduler.add_job(agent.processor.handle_reminder, "date", run_date=max(due, earliest),
                      args=[event, sender, CollectingOutputChannel()], id=event.name, replace_existing=True,
                      name=event.scheduled_job_name(sender))


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
        _schedule(scheduler, agent, event, sender, due, now + OVERDUE_DELAY)
        restored += 1
    return restored


async def schedule_requested(agent: Any, db: Database, now: Optional[datetime] = None) -> int:
    """Schedules reminders someone asked for on another member's behalf; returns how many."""
    with db.transaction() as repo:
        pending = [(sender, r.name, r.due_at) for sender, r in repo.pending_requested_reminders()]
    scheduler = await jobs.scheduler()
    now = now or datetime.now()
    scheduled = 0
    for sender, name, due in pending:
        if scheduler.get_job(name) is not None:
            continue
        event = ReminderScheduled(REMINDER_INTENT, trigger_date_time=due, name=name, kill_on_user_message=False)
        async with agent.processor.lock_store.lock(sender):
            tracker = await agent.tracker_store.get_or_create_tracker(sender)
            if not any(isinstance(e, ReminderScheduled) and e.name == name for e in tracker.events):
                tracker.update(event)
                await agent.tracker_store.save(tracker)
        _schedule(scheduler, agent, event, sender, due, now + timedelta(seconds=1))
        scheduled += 1
    return scheduled


async def poll_requested(agent: Any) -> None:
    db = Database()
    try:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                count = await schedule_requested(agent, db)
                if count:
                    logger.info(f"Scheduled {count} reminder(s) a facilitator asked for.")
            except Exception:  # a database hiccup must not stop the loop for good
                logger.exception("Could not schedule the reminders facilitators asked for; trying again.")
    finally:
        db.dispose()


class ReminderRestorer(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "reminders"

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
            app.add_task(poll_requested(agent))

        return blueprint
