"""Where things live: the project's folders and the one setting that picks the database."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_DIR / "var"

# The one environment variable that moves all storage (our answers and Rasa's conversation
# history) to another database, e.g. postgresql://user@127.0.0.1:5432/common_ground.
DATABASE_URL_ENV = "COMMON_GROUND_DATABASE_URL"


def database_url() -> str:
    """The database to use: the environment variable if set, else a SQLite file under var/."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        return url
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'common_ground.db'}"


# Reports asked for in chat are written here, one unguessable folder per report, and served by
# the Rasa server (bot/rasa_plugins/report_downloads.py) at PUBLIC_URL/webhooks/reports/<token>/<file>.
REPORTS_DIR_ENV = "COMMON_GROUND_REPORTS_DIR"
PUBLIC_URL_ENV = "COMMON_GROUND_PUBLIC_URL"


def reports_dir() -> Path:
    return Path(os.environ.get(REPORTS_DIR_ENV, "").strip() or VAR_DIR / "reports")


def public_url() -> str:
    """Where people reach the Rasa server (for download links); the local server by default."""
    return (os.environ.get(PUBLIC_URL_ENV, "").strip() or "http://localhost:5005").rstrip("/")


# Who "talk to a human" names when the user's team has no facilitator: a person, an email address
# or a channel, as this install's operators want to be reached.
CONTACT_ENV = "COMMON_GROUND_CONTACT"


def contact() -> str:
    return os.environ.get(CONTACT_ENV, "").strip()
