"""Where reports asked for in chat are kept: one folder per report, named by an unguessable token.

A folder also holds `.owner`, the SHA-256 of the sender id that asked, and `.named`, one such hash
per person the report names (a team report names every member), so "delete my data" can remove
the reports that hold a person's answers or name without the folder names saying whose they are.
A report is kept for a week from when it was made: a link is for fetching the file, not for
keeping it. An older one is refused at download and removed by the sweep the Rasa server runs at
start and every hour (bot/rasa_plugins/report_downloads.py), and whenever a new report is made.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Iterable, Optional

from bot.config import reports_dir

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")          # secrets.token_urlsafe(24)
FILE = re.compile(r"^[A-Za-z0-9_.-]{1,120}\.docx$")
KEEP_SECONDS = 7 * 24 * 3600
OWNER = ".owner"
NAMED = ".named"


def _owner(sender: str) -> str:
    return hashlib.sha256(sender.encode("utf-8")).hexdigest()


def new_folder(sender: str, names: Iterable[str] = ()) -> Path:
    """A fresh folder for one report of `sender`'s that names `names` (sender ids) besides the sender;
    old reports are cleared out first."""
    prune()
    folder = reports_dir() / secrets.token_urlsafe(24)
    folder.mkdir(parents=True)
    (folder / OWNER).write_text(_owner(sender), encoding="utf-8")
    (folder / NAMED).write_text("\n".join(sorted({_owner(s) for s in (sender, *names)})), encoding="utf-8")
    return folder


def made_at(folder: Path) -> float:
    """When the report in `folder` was made (the folder's own time: nothing is added to it later)."""
    return folder.stat().st_mtime


def expired(folder: Path, now: Optional[float] = None) -> bool:
    return made_at(folder) < (now or time.time()) - KEEP_SECONDS


def _well_formed(token: str, filename: str) -> bool:
    return bool(TOKEN.match(token or "")) and bool(FILE.match(filename or "")) and not filename.startswith(".")


def stored_report(token: str, filename: str, now: Optional[float] = None) -> Optional[Path]:
    """The report file for a download link, or None for anything that is not one, or no longer one
    (a report older than a week)."""
    if not _well_formed(token, filename):
        return None
    path = reports_dir() / token / filename
    return path if path.is_file() and not expired(path.parent, now) else None


def expired_report(token: str, filename: str, now: Optional[float] = None) -> bool:
    """Whether the link names a report that existed but is older than a week (it is removed at once)."""
    if not _well_formed(token, filename):
        return False
    folder = reports_dir() / token
    if not (folder / filename).is_file() or not expired(folder, now):
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


def _hashes(folder: Path, marker: str) -> set[str]:
    path = folder / marker
    return set(path.read_text(encoding="utf-8").split()) if path.is_file() else set()


def _asked_by(folder: Path, sender: str) -> bool:
    return _owner(sender) in _hashes(folder, OWNER)


def owned_by(path: Path, sender: str) -> bool:
    """Whether `sender` asked for the report at `path`."""
    return _asked_by(path.parent, sender)


def _folders() -> list[Path]:
    root = reports_dir()
    return [f for f in root.iterdir() if f.is_dir() and TOKEN.match(f.name)] if root.is_dir() else []


def prune(now: Optional[float] = None) -> int:
    """Removes report folders older than a week; returns how many."""
    removed = 0
    for folder in _folders():
        try:
            old = expired(folder, now)
        except FileNotFoundError:   # removed meanwhile by another process
            continue
        if old:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def forget(*senders: str) -> int:
    """Removes every report any of `senders` (one person's conversations) asked for or is named in;
    returns how many."""
    wanted, removed = {_owner(s) for s in senders}, 0
    for folder in _folders():
        if wanted & (_hashes(folder, OWNER) | _hashes(folder, NAMED)):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
