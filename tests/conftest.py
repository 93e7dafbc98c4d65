"""Shared fixtures: a fresh database per test, on SQLite and (when reachable) PostgreSQL.

`db` runs a test on both databases; COMMON_GROUND_TEST_DATABASES=sqlite (what `make test-fast`
sets) keeps to the embedded one. What each server needs is in tests/helpers/services.py.
"""
from __future__ import annotations

import os
import shutil

import pytest

from bot.content.knowledge import knowledge
from bot.storage.db import Database
from tests.helpers.services import postgres_schema

DATABASES = os.environ.get("COMMON_GROUND_TEST_DATABASES", "sqlite,postgres").split(",")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """One SQLite file migrated to the current schema; each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "schema.db"
    Database(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def sqlite_db(tmp_path, migrated_sqlite):
    path = tmp_path / "test.db"
    shutil.copyfile(migrated_sqlite, path)
    db = Database(f"sqlite:///{path}", migrate=False)
    yield db
    db.dispose()


@pytest.fixture
def postgres_db():
    with postgres_schema() as (url, _, _):
        db = Database(url)
        yield db
        db.dispose()


@pytest.fixture(params=DATABASES)
def db(request):
    """The same test on each database."""
    yield request.getfixturevalue(f"{request.param}_db")


@pytest.fixture(scope="session")
def kb():
    return knowledge()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request, tmp_path):
    """The URL of a database with nothing in it yet, on each database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        with postgres_schema("cg_empty") as (url, _, _):
            yield url
