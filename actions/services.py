"""The action server's single database connection and the guide built on it."""
from __future__ import annotations

from functools import lru_cache

from bot.storage.db import Database
from bot.conversation.guide import Guide
from bot.conversation.home import Home


@lru_cache(maxsize=1)
def database() -> Database:
    return Database()


@lru_cache(maxsize=1)
def guide() -> Guide:
    return Guide(database())


@lru_cache(maxsize=1)
def home() -> Home:
    return Home(guide())
