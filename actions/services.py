"""The action server's one application, built on first use from the configured database."""
from __future__ import annotations

from functools import lru_cache

from bot.app import App, build


@lru_cache(maxsize=1)
def app() -> App:
    return build()
