"""Where reports asked for in chat are kept: one folder per report, named by an unguessable token.

A folder also holds `.owner`, the SHA-256 of the sender id that asked, so "delete my data" can
remove that person's reports without the folder names saying whose they are. Reports older than
a week are removed whenever a new one is made: a link is for fetching the file, not for keeping it.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Optional

from bot.config import reports_dir

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")          # secrets.token_urlsafe(24)
FILE = re.compile(r"^[A-Za-z0-9_.-]{1,120}\.docx$")
KEEP_SECONDS = 7 * 24 * 3600
OWNER = ".owner"


def _owner(sender: str) -> str:
    return hashlib.sha256(sender.encode("utf-8")).hexdigest()


def new_folder(sender: str) -> Path:
    """A fresh folder for one report of `sender`'s (old reports are cleared out first)."""
    prune()
    folder = reports_dir() / secrets.token_urlsafe(24)
    folder.mkdir(parents=True)
    (folder / OWNER).write_text(_owner(sender), encoding="utf-8")
    return folder


def stored_report(token: str, filename: str) -> Optional[Path]:
    """The report file for a download link, or None for anything that is not one."""
    if not TOKEN.match(token or "") or not FILE.match(filename or "") or filename.startswith("."):
        return None
    path = reports_dir() / token / filename
    return path if path.is_file() else None


def _asked_by(folder: Path, sender: str) -> bool:
    marker = folder / OWNER
    return marker.is_file() and marker.read_text(encoding="utf-8").strip() == _owner(sender)


def owned_by(path: Path, sender: str) -> bool:
    """Whether `sender` asked for the report at `path`."""
    return _asked_by(path.parent, sender)


def prune(now: Optional[float] = None) -> int:
    """Removes report folders older than a week; returns how many."""
    root, cutoff, removed = reports_dir(), (now or time.time()) - KEEP_SECONDS, 0
    for folder in root.iterdir() if root.is_dir() else ():
        if folder.is_dir() and TOKEN.match(folder.name) and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def forget(sender: str) -> int:
    """Removes every report `sender` asked for; returns how many."""
    root, removed = reports_dir(), 0
    for folder in root.iterdir() if root.is_dir() else ():
        if folder.is_dir() and _asked_by(folder, sender):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
