"""Our tracker store: Rasa's SQL store on our database, its work off the event loop, its session lookups indexed."""
from __future__ import annotations

import asyncio
import shutil

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import DATABASE_URL_ENV
from bot.rasa_plugins.tracker_store import SESSION_INDEX, CommonGroundTrackerStore


def store(tmp_path, monkeypatch, migrated_sqlite) -> CommonGroundTrackerStore:
    path = tmp_path / "store.db"
    shutil.copyfile(migrated_sqlite, path)
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{path}")
    return CommonGroundTrackerStore(domain=Domain.empty())


def test_only_the_latest_session_loads_and_its_lookup_is_indexed(tmp_path, monkeypatch, migrated_sqlite):
    tracker_store = store(tmp_path, monkeypatch, migrated_sqlite)
    events = []
    for visit in range(3):
        events += [SessionStarted(timestamp=100 + visit * 10.0), ActionExecuted("action_listen", timestamp=101 + visit * 10.0),
                   UserUttered(f"visit {visit}", timestamp=102 + visit * 10.0)]
    asyncio.run(tracker_store.save(DialogueStateTracker.from_events("member", events)))
    loaded = asyncio.run(tracker_store.retrieve("member"))
    assert [e.text for e in loaded.events if isinstance(e, UserUttered)] == ["visit 2"]
    full = asyncio.run(tracker_store.retrieve_full_tracker("member"))
    assert len(full.events) == 9
    with tracker_store.engine.connect() as connection:
        names = [row[1] for row in connection.execute(sa.text("PRAGMA index_list('events')"))]
        plan = " ".join(str(row) for row in connection.execute(sa.text(
            "EXPLAIN QUERY PLAN SELECT max(timestamp) FROM events "
            "WHERE sender_id = 'member' AND type_name = 'session_started'")))
        mode = connection.execute(sa.text("PRAGMA journal_mode")).scalar()
    assert SESSION_INDEX in names and SESSION_INDEX in plan
    assert mode == "wal"
    tracker_store.engine.dispose()


def test_a_second_store_on_the_same_database_starts_too(tmp_path, monkeypatch, migrated_sqlite):
    first = store(tmp_path, monkeypatch, migrated_sqlite)
    second = CommonGroundTrackerStore(domain=Domain.empty())      # the index is there already: no error
    asyncio.run(second.save(DialogueStateTracker.from_events("x", [UserUttered("hi", timestamp=1.0)])))
    assert asyncio.run(first.retrieve("x")).events[-1].text == "hi"
    first.engine.dispose()
    second.engine.dispose()
