"""The server's one secret, from which every signature the server makes is derived.

`COMMON_GROUND_SECRET` when set (production: the same value on every server); otherwise a random
secret generated once into var/secret with mode 600, so the embedded default needs no set-up.
Each use gets its own key (`key_for("rest")`, `key_for("actions")`), so a key that leaks from one
place (say, endpoints.yml on the Rasa host) cannot sign anything for another. Rotating the secret
(a new value and a restart) invalidates every token, cookie and link at once.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Optional

from bot.config import VAR_DIR

SECRET_ENV = "COMMON_GROUND_SECRET"
SECRET_FILE = "secret"
MIN_SECRET_CHARS = 32


class SecretError(RuntimeError):
    """The configured secret is unusable (too short to sign with)."""


def _secret_file() -> Path:
    return VAR_DIR / SECRET_FILE


def _generated() -> str:
    path = _secret_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()


@lru_cache(maxsize=1)
def server_secret() -> str:
    value = os.environ.get(SECRET_ENV, "").strip() or _generated()
    if len(value) < MIN_SECRET_CHARS:
        raise SecretError(f"{SECRET_ENV} must be at least {MIN_SECRET_CHARS} characters "
                          f"(e.g. the output of `python -c \"import secrets; print(secrets.token_urlsafe(48))\"`)")
    return value


def key_for(purpose: str, secret: Optional[str] = None) -> str:
    """A key for one purpose, derived from the server's secret (or the one given: a test's servers)."""
    return hmac.new((secret or server_secret()).encode(), purpose.encode(), hashlib.sha256).hexdigest()
