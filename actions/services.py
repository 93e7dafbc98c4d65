"""The action server's one application, built on first use from the configured database (which must
already be migrated: the servers never change the schema)."""
from __future__ import annotations

from functools import lru_cache

from bot.app import App, build
from bot.storage.db import Database


@lru_cache(maxsize=1)
def app() -> App:
    return build(Database.for_server())
