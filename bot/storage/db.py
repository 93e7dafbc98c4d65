"""Opens the database, brings its schema up to date through Alembic, and hands out transactions.

Every caller (Rasa actions, the CLI, tests) goes through `Database.transaction()`, which
commits on success and rolls back on error, so a failed turn never leaves half an answer.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import database_url
from bot.storage.repository import Repository

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")  # the action server and the CLI may write at once
    cursor.close()


class Database:
    """One database: its engine, its migrations and its transactions."""

    def __init__(self, url: Optional[str] = None, migrate: bool = True) -> None:
        self.url = url or database_url()
        self.engine: Engine = create_engine(self.url, future=True, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(bind=self.engine, future=True, expire_on_commit=False)
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        """Applies every pending migration (a no-op when the schema is current)."""
        config = alembic_config(self.url)
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def transaction(self) -> Iterator[Repository]:
        session: Session = self._sessions()
        try:
            yield Repository(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
