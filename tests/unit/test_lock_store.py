"""The lock store endpoints.yml names: memory for one worker, Redis when set, never memory for several workers."""
from __future__ import annotations

import pytest
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

from bot.rasa_plugins.lock_store import REDIS_URL_ENV, CommonGroundLockStore, redis_settings


def test_one_worker_without_redis_keeps_its_locks_in_memory(monkeypatch):
    monkeypatch.delenv(REDIS_URL_ENV, raising=False)
    monkeypatch.delenv("SANIC_WORKERS", raising=False)
    assert isinstance(CommonGroundLockStore(), InMemoryLockStore)


def test_several_workers_without_redis_are_refused(monkeypatch):
    monkeypatch.delenv(REDIS_URL_ENV, raising=False)
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(ValueError, match=REDIS_URL_ENV):
        CommonGroundLockStore()


def test_several_workers_with_redis_share_its_locks(monkeypatch):
    monkeypatch.setenv(REDIS_URL_ENV, "redis://127.0.0.1:6379/5")
    monkeypatch.setenv("SANIC_WORKERS", "2")
    assert isinstance(CommonGroundLockStore(), RedisLockStore)     # connects lazily: no Redis needed here


def test_the_redis_url_is_read_whole():
    assert redis_settings("rediss://user:pw@cache.example:6380/2") == {
        "host": "cache.example", "port": 6380, "db": 2, "username": "user", "password": "pw", "use_ssl": True,
        "key_prefix": "commonground"}
    with pytest.raises(ValueError):
        redis_settings("http://cache.example")
