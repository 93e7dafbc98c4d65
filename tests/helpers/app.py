"""The application's services for a test's database, built through the composition root like production."""
from __future__ import annotations

from bot.app import build
from bot.conversation.home import Home
from bot.reports.delivery import ReportDesk
from bot.reports.export import Exports
from bot.storage.db import Database


def exports(db: Database) -> Exports:
    return build(db).exports


def reports(db: Database) -> ReportDesk:
    return build(db).reports


def home(db: Database) -> Home:
    return build(db).home
