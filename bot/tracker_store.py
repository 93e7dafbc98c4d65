"""Rasa's SQL tracker store pointed at our database, so one setting moves all storage.

endpoints.yml names this class; it reads COMMON_GROUND_DATABASE_URL (or the SQLite default
under var/) instead of the separate host/port/db keys Rasa's own SQL store wants.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa.core.tracker_store import SQLTrackerStore

from bot.config import database_url


class CommonGroundTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Optional[Any] = None, host: Optional[str] = None,
                 event_broker: Optional[Any] = None, **kwargs: Any) -> None:
        # A URL with "://" in `host` is used as it stands by SQLTrackerStore.get_db_url.
        super().__init__(domain=domain, host=host or database_url(), event_broker=event_broker, **kwargs)
