"""Join codes: six characters, easy to read aloud, with a clear answer for every kind of typo."""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Optional

from bot.content.messages import say

# No I, L, O, 0 or 1: codes are read aloud in meetings and copied from slides.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_VALID_FOR = timedelta(days=14)
_FILLER = {"team", "the", "a", "our", "code", "with", "using", "by", "to", "please", "group", "it", "is", "number"}


def new_code() -> str:
    """Six characters with at least one digit, so a code never reads like a word (or a team's name)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if any(ch.isdigit() for ch in code):
            return code


def read_code(raw: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """(code, None) for a well-formed code, else (None, what is wrong with it)."""
    words = [w.strip(".,!?\"'“”()#:") for w in (raw or "").split()]
    words = [w for w in words if w and w.lower() not in _FILLER]
    if not words:
        return None, say("teams.code_missing")
    single = [w for w in words if len(w) == CODE_LENGTH and any(ch.isdigit() for ch in w)]
    candidate = (single[0] if single else "".join(words)).upper().replace("-", "")
    if not any(ch.isdigit() for ch in candidate) and len(words) > 1:
        return None, say("teams.code_is_a_name")
    if len(candidate) != CODE_LENGTH:
        return None, say("teams.code_wrong_length", length=CODE_LENGTH, code=candidate[:40], count=len(candidate))
    confusable = sorted(set(candidate) & set("IL O01".replace(" ", "")))
    if confusable:
        return None, say("teams.code_confusable", characters=", ".join(confusable), code=candidate)
    if set(candidate) - set(ALPHABET):
        return None, say("teams.code_bad_characters")
    return candidate, None
