"""Rasa's conversation locks: in memory for one server, Redis when several servers share the work.

A lock makes a conversation's messages run one at a time. One Rasa server keeps them in memory;
behind a load balancer every server must see the same locks, so COMMON_GROUND_REDIS_URL
(e.g. redis://127.0.0.1:6379/1) switches to Rasa's RedisLockStore. endpoints.yml names this
class, as it names our tracker store, so the choice is one environment variable.
"""
from __future__ import annotations

import os
from typing import Any, Optional
from urllib.parse import urlparse

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

REDIS_URL_ENV = "COMMON_GROUND_REDIS_URL"
KEY_PREFIX = "commonground"


def redis_settings(url: str) -> dict[str, Any]:
    """RedisLockStore's arguments from a redis:// or rediss:// URL."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss") or not parsed.hostname:
        raise ValueError(f"{REDIS_URL_ENV} must look like redis://host:6379/1, not {url!r}")
    database = parsed.path.strip("/") or "1"
    return {"host": parsed.hostname, "port": parsed.port or 6379, "db": int(database),
            "username": parsed.username or None, "password": parsed.password or None,
            "use_ssl": parsed.scheme == "rediss", "key_prefix": KEY_PREFIX}


class CommonGroundLockStore(LockStore):
    """Builds the lock store the environment asks for (Rasa creates lock stores from endpoints.yml
    by calling the named class, so choosing here keeps endpoints.yml the same everywhere)."""

    def __new__(cls, endpoint_config: Optional[Any] = None) -> LockStore:  # type: ignore[misc]
        url = os.environ.get(REDIS_URL_ENV, "").strip()
        if not url and sanic_workers() > 1:
            # Rasa lets any lock store named by class run several workers; memory locks are per worker, so two
            # messages of one conversation could run at once in two workers.
            raise ValueError(f"SANIC_WORKERS above 1 needs {REDIS_URL_ENV} (locks every worker sees)")
        return RedisLockStore(**redis_settings(url)) if url else InMemoryLockStore()


def sanic_workers() -> int:
    try:
        return int(os.environ.get("SANIC_WORKERS", "1"))
    except ValueError:
        return 1
