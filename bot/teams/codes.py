"""Join codes: six characters, easy to read aloud, with a clear answer for every kind of typo."""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Optional

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
        return None, "Which code? Say it like this: \"join team K7P2QX\" (the code is 6 letters and digits)."
    single = [w for w in words if len(w) == CODE_LENGTH and any(ch.isdigit() for ch in w)]
    candidate = (single[0] if single else "".join(words)).upper().replace("-", "")
    if not any(ch.isdigit() for ch in candidate) and len(words) > 1:
        return None, ("To join I need the team's code, not its name: 6 letters and digits like K7P2QX. Whoever "
                      "created the team can see it by saying \"which teams am I in?\".")
    if len(candidate) != CODE_LENGTH:
        return None, (f"Team codes have {CODE_LENGTH} letters and digits; \"{candidate[:40]}\" has {len(candidate)}. "
                      "Please check the code you were given.")
    confusable = sorted(set(candidate) & set("IL O01".replace(" ", "")))
    if confusable:
        return None, (f"Team codes never contain {', '.join(confusable)} (we leave out I, L, O, 0 and 1 to avoid "
                      f"mix-ups), so \"{candidate}\" has a typo. Please check the code you were given.")
    if set(candidate) - set(ALPHABET):
        return None, "Team codes are made of letters and digits only. Please check the code you were given."
    return candidate, None
