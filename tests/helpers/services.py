"""The servers some tests need (PostgreSQL, Redis, the source documents): each one found, or a skip
that says what is missing; under CI (CI=true) or REQUIRE_SERVICES=1 a missing one fails the run.

PostgreSQL tests use COMMON_GROUND_TEST_POSTGRES_URL (default: the local server on 127.0.0.1:5432,
trust auth, database `test`) and a throw-away schema per test; Redis tests use
COMMON_GROUND_TEST_REDIS_URL (default redis://127.0.0.1:6379/3).
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from bot.lessons.provenance import SEEDS_DIR

POSTGRES_URL = os.environ.get("COMMON_GROUND_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("COMMON_GROUND_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
SERVICES_REQUIRED = os.environ.get("CI") == "true" or os.environ.get("REQUIRE_SERVICES") == "1"


def _postgres_or_skip() -> None:
    try:
        engine = create_engine(POSTGRES_URL, future=True, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:  # any driver error means: no usable server here
        message = (f"needs PostgreSQL at {POSTGRES_URL} (set COMMON_GROUND_TEST_POSTGRES_URL); "
                   f"could not connect: {error.__class__.__name__}")
        if SERVICES_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)


def redis_or_skip():
    """A Redis client for REDIS_URL, or a skip (a failure under CI) saying what is needed."""
    import redis
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except Exception as error:
        message = (f"needs Redis at {REDIS_URL} (set COMMON_GROUND_TEST_REDIS_URL); could not connect: "
                   f"{error.__class__.__name__}")
        if SERVICES_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return client


def seeds_or_skip() -> None:
    """The source documents beside the checkout (../shared/seeds), or a skip (a failure under CI)."""
    if any(SEEDS_DIR.glob("00[0-9]_*.txt")):
        return
    message = (f"needs the source documents in {SEEDS_DIR} (set COMMON_GROUND_SEEDS_DIR); "
               "they sit beside the checkout on the team's machines")
    if SERVICES_REQUIRED:
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def postgres_schema(prefix: str = "cg_test"):
    """A throw-away PostgreSQL schema: yields (database URL pointing at it, schema name, admin engine)."""
    _postgres_or_skip()
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}", schema, admin
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def postgres_database(prefix: str = "cg_cluster"):
    """A throw-away PostgreSQL database (several servers need a whole database, not a schema): yields its URL;
    dropped afterwards, connections and all. Needs the right to create databases on POSTGRES_URL's server."""
    from sqlalchemy.engine import make_url
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
