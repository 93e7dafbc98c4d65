"""The action server's single database connection and the services built on it."""
from __future__ import annotations

from functools import lru_cache

from bot.assessment import SelfAssessment
from bot.db import Database
from bot.home import Home


@lru_cache(maxsize=1)
def database() -> Database:
    return Database()


@lru_cache(maxsize=1)
def self_assessment() -> SelfAssessment:
    return SelfAssessment(database())


@lru_cache(maxsize=1)
def home() -> Home:
    return Home(self_assessment())
