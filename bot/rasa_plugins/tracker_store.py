"""Rasa's SQL tracker store pointed at our database, so one setting moves all storage.

endpoints.yml names this class; it reads COMMON_GROUND_DATABASE_URL (or the SQLite default
under var/) instead of the separate host/port/db keys Rasa's own SQL store wants.

Its database work runs in a worker thread: Rasa's SQL store is synchronous inside `async` methods,
so under load the Rasa server's one event-loop thread stood still while a commit waited for SQLite's
write lock or for PostgreSQL over the network, and every other conversation waited with it. SQLite
connections are kept in a pool (Rasa's default opens one per query, and in WAL mode closing the last
one checkpoints the file).

It also honours "delete my data": the conversation log holds every answer as typed, so when a
turn carries the `data_deleted` slot (set by action_delete_my_data once the user confirmed),
the stored events of that conversation are removed and only what follows the mark is kept.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Optional, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import database_url
from bot.rasa_plugins import action_results, log_privacy
from bot.rasa_plugins.names import DELETED_SLOT
from bot.storage.db import SQLITE_POOL, Database, sqlite_pragmas

# Every Rasa process loads this store (`make chat`'s shell too): no texts in its logs, and the action
# server's replies checked against a schema compiled once.
log_privacy.install()
action_results.install()



T = TypeVar("T")
logger = logging.getLogger(__name__)
SESSION_INDEX = "ix_events_sender_type_time"


def run_to_end(step: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never waits: Rasa's SQL store methods are `async` only in name (with
    no event broker, which we never configure, they await nothing that suspends), so a worker thread can
    run one without an event loop of its own."""
    try:
        step.send(None)
    except StopIteration as finished:
        return finished.value
    step.close()
    raise RuntimeError("a tracker store step waited on the event loop; it cannot run in a worker thread")


def deletion_mark(tracker: DialogueStateTracker) -> Optional[int]:
    """The index of the last "data deleted" mark among the tracker's events, if any."""
    marks = [i for i, event in enumerate(tracker.events)
             if isinstance(event, SlotSet) and event.key == DELETED_SLOT and event.value]
    return marks[-1] if marks else None


class CommonGroundTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Optional[Any] = None, host: Optional[str] = None,
                 event_broker: Optional[Any] = None, **kwargs: Any) -> None:
        # A URL with "://" in `host` is used as it stands by SQLTrackerStore.get_db_url. The Rasa server
        # refuses to start on a database whose schema is not current (it never migrates it).
        Database.for_server().dispose()
        super().__init__(domain=domain, host=host or database_url(), event_broker=event_broker, **kwargs)
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, **SQLITE_POOL)
            sa.event.listen(self.engine, "connect", sqlite_pragmas)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        self._index_sessions()

    def _index_sessions(self) -> None:
        """Rasa finds a conversation's latest session start, and counts what is stored since, on every turn;
        with only its index on sender_id that reads every event the conversation ever had. This index
        answers both from the index alone (Rasa creates its own table at start; this is its companion)."""
        try:
            with self.engine.begin() as connection:
                connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {SESSION_INDEX} "
                                           "ON events (sender_id, type_name, timestamp)"))
        except sa.exc.SQLAlchemyError as error:   # another server creating it at the same moment
            logger.warning("the events index %s was not created here: %s", SESSION_INDEX, type(error).__name__)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        step = super()._retrieve(sender_id, fetch_events_from_all_sessions)
        return await asyncio.to_thread(run_to_end, step)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await asyncio.to_thread(run_to_end, self._save(tracker))

    async def _save(self, tracker: DialogueStateTracker) -> None:
        mark = deletion_mark(tracker)
        if mark is None:
            return await super().save(tracker)
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
            session.commit()
        kept = DialogueStateTracker.from_events(tracker.sender_id, list(tracker.events)[mark + 1:],
                                                slots=list(tracker.slots.values()))
        await super().save(kept)
