"""Opens the database, brings its schema up to date through Alembic, and hands out transactions.

Migrating is a step of its own (`python -m bot migrate`, which `make serve`, `make chat` and the
tests' servers run first); the servers open the database with `Database.for_server()`, which refuses
a schema other than the one this code was written for instead of changing it under other servers.

Every caller (Rasa actions, the CLI, tests) goes through `Database.transaction()`, which
commits on success and rolls back on error, so a failed turn never leaves half an answer.
Transactions nest: the outermost one (an action call, opened at the edge in actions/base.py)
is the only real one, and every service the call reaches joins it, so one turn is one
transaction however many services it passes through.
"""
from __future__ import annotations

import fcntl
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator, Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import QueuePool
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import database_url
from bot.storage.repository import Repository

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x436F6D47   # any fixed number: the advisory lock every Common Ground process migrates under


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class SchemaError(RuntimeError):
    """The database's schema is not the one this code expects (missing, older or newer)."""


# SQLite connections are pooled too (SQLAlchemy 1.4 opens one per transaction for a file), so the pragmas run
# once per connection and closing one never checkpoints the write-ahead log mid-turn; a pooled connection
# may serve another thread next (the action server's, the Rasa tracker store's worker threads).
SQLITE_POOL = {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}


def sqlite_pragmas(dbapi_connection, _record) -> None:
    """Every SQLite connection's settings (ours and the Rasa tracker store's, which shares the file)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")  # the action server and the CLI may write at once
    # Write-ahead log: readers no longer wait for a writer, and a commit appends to the log instead of
    # rewriting pages and syncing twice; with synchronous=NORMAL a commit syncs only at checkpoints (a
    # power cut may lose the last commits, never corrupt the file). The mode is kept in the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """One database: its engine, its migrations and its transactions."""

    def __init__(self, url: Optional[str] = None, migrate: bool = True) -> None:
        self.url = url or database_url()
        # hide_parameters: an error's log line names the statement, never the answers it carried
        pooled = SQLITE_POOL if self.url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(self.url, future=True, pool_pre_ping=True, hide_parameters=True, **pooled)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", sqlite_pragmas)
        self._sessions = sessionmaker(bind=self.engine, future=True, expire_on_commit=False)
        self._current: ContextVar[Optional[Repository]] = ContextVar(f"transaction-{id(self)}", default=None)
        if migrate:
            self.migrate()

    @classmethod
    def for_server(cls, url: Optional[str] = None) -> "Database":
        """The database as a server opens it: never migrated here, and refused unless its schema is current."""
        db = cls(url, migrate=False)
        try:
            db.check_schema()
        except BaseException:
            db.dispose()
            raise
        return db

    def check_schema(self) -> None:
        head = ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        if current != head:
            where = self.engine.url.render_as_string(hide_password=True)
            found = f"schema revision {current}" if current else "no Common Ground schema"
            raise SchemaError(f"{where} has {found}; this code needs revision {head}. "
                              f"Run `.venv/bin/python -m bot migrate` (make serve and make chat do) and start again.")

    def migrate(self) -> None:
        """Applies every pending migration (a no-op when the schema is current). Processes starting together
        (Rasa, the action server, several servers) take turns: a PostgreSQL advisory lock held for the
        migration's transaction, or a lock file beside a SQLite database; the later ones find it current."""
        config = alembic_config(self.url)
        with self._sqlite_migration_lock(), self.engine.begin() as connection:
            if self.engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def _sqlite_migration_lock(self) -> Iterator[None]:
        path = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        if not path or path == ":memory:":
            yield
            return
        with open(f"{path}.migrate-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)   # released when the file closes, also if this process dies
            yield

    @contextmanager
    def transaction(self) -> Iterator[Repository]:
        """The open transaction of this call if there is one (joined, committed by its opener), else a new one."""
        current = self._current.get()
        if current is not None:
            personal = current.personal
            try:
                yield current
            finally:
                current.personal = personal   # a joined caller's view of the worksheets ends with it
            return
        session: Session = self._sessions()
        repo = Repository(session)
        token = self._current.set(repo)
        try:
            yield repo
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            self._current.reset(token)
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
