"""Rasa's SQL tracker store pointed at our database, so one setting moves all storage.

endpoints.yml names this class; it reads COMMON_GROUND_DATABASE_URL (or the SQLite default
under var/) instead of the separate host/port/db keys Rasa's own SQL store wants.

It also honours "delete my data": the conversation log holds every answer as typed, so when a
turn carries the `data_deleted` slot (set by action_delete_my_data once the user confirmed),
the stored events of that conversation are removed and only what follows the mark is kept.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import database_url
from bot.rasa_plugins import log_privacy
from bot.rasa_plugins.names import DELETED_SLOT
from bot.storage.db import Database

log_privacy.install()   # every Rasa process loads this store (`make chat`'s shell too): no texts in its logs



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

    async def save(self, tracker: DialogueStateTracker) -> None:
        mark = deletion_mark(tracker)
        if mark is None:
            return await super().save(tracker)
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
            session.commit()
        kept = DialogueStateTracker.from_events(tracker.sender_id, list(tracker.events)[mark + 1:],
                                                slots=list(tracker.slots.values()))
        await super().save(kept)
