"""Reads moving-around requests in plain words: skip, go back, change an earlier answer.

"change my answer on the second question to strongly disagree", "set question 5 to agree",
"go back", "skip this one", "redo the champions question". The conversation uses these
before it tries to read a rating, so a request is never mistaken for an answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.content.knowledge import Knowledge
from bot.language.ratings import ParsedRating, parse_rating
from bot.language.text import clean_text

SKIP, BACK, CHANGE = "skip", "back", "change"

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17,
}
_ORDINAL_WORD = "|".join(sorted(_ORDINALS, key=len, reverse=True))

_SKIP = re.compile(r"^(?:please |can we |let'?s |i'?d like to |i want to )?(?:skip|pass|next|move on|keep(?: it| my answer| that)?|"
                   r"leave it|come back to (?:it|this|that) later|later)\b(?: (?:this|that|it|one|question|for now|please))*[.!]?$")
_BACK = re.compile(r"\b(?:go back|back up|previous question|last question|one back|step back|undo|"
                   r"back to the (?:previous|last) (?:question|one))\b|^back$")
_CHANGE = re.compile(r"\b(?:change|changed|edit|update|revise|redo|fix|correct|amend|modify|set|make)\b")
_QUESTION_REF = re.compile(
    rf"\b(?:question|q|factor|item|number|no\.?|#)\s*#?(\d{{1,2}})\b"
    rf"|#(\d{{1,2}})\b"
    rf"|\b(\d{{1,2}})(?:st|nd|rd|th)? (?:question|factor|one|item)\b"
    rf"|\b({_ORDINAL_WORD}) (?:question|factor|one|item|answer)\b"
    rf"|\b(?:question|factor|item) ({_ORDINAL_WORD})\b"
)
_NEW_VALUE = re.compile(r"\b(?:to|into|as|with|now|it'?s|is)\s+(.+)$")


@dataclass(frozen=True)
class Command:
    kind: str                              # SKIP, BACK or CHANGE
    factor_id: Optional[str] = None        # CHANGE: the factor meant, if one was named
    rating: Optional[ParsedRating] = None  # CHANGE: the new rating, if one was given


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", clean_text(text).lower().replace("’", "'")).strip()


def _named_factor(text: str, knowledge: Knowledge) -> Optional[str]:
    """The factor a request points at: by number (overall or within a dimension) or by name."""
    dimension = next((d for d in knowledge.dimensions
                      if re.search(rf"\b{re.escape(d.title.lower())}\b|\b{d.id.replace('_', ' ')}\b", text)), None)
    for match in _QUESTION_REF.finditer(text):
        raw = next(g for g in match.groups() if g)
        number = int(raw) if raw.isdigit() else _ORDINALS[raw]
        if dimension is not None and 1 <= number <= len(dimension.factors):
            return dimension.factors[number - 1].id
        factor = next((f for f in knowledge.factors.values() if f.number == number), None)
        if factor:
            return factor.id
    if dimension is not None:
        local = re.search(rf"\b(?:{'|'.join(map(re.escape, [dimension.title.lower(), dimension.id.replace('_', ' ')]))}) "
                          rf"(?:question |factor )?#?(\d)\b", text)
        if local and 1 <= int(local.group(1)) <= len(dimension.factors):
            return dimension.factors[int(local.group(1)) - 1].id
    best, best_len = None, 0
    for factor in knowledge.factors.values():
        for name in (factor.short, *factor.keywords):
            if len(name) > best_len and re.search(rf"\b{re.escape(name.lower())}\b", text):
                best, best_len = factor.id, len(name)
    return best


def is_skip(text: str) -> bool:
    """"skip", "pass", "next", "later", "keep it": leave this question for now."""
    return bool(_SKIP.match(_normal(text)))


def parse_command(text: str, knowledge: Knowledge) -> Optional[Command]:
    """A skip / back / change request in the text, or None when the text is something else."""
    normal = _normal(text)
    if not normal:
        return None
    if is_skip(normal):
        return Command(SKIP)
    if _CHANGE.search(normal) and ("answer" in normal or _QUESTION_REF.search(normal) or
                                   _named_factor(normal, knowledge)):
        factor_id = _named_factor(normal, knowledge)
        value = _NEW_VALUE.search(normal.split("question", 1)[-1] if "question" in normal else normal)
        rating = parse_rating(value.group(1)) if value else None
        if rating is not None and not rating.ok:
            rating = None
        if factor_id or rating:
            return Command(CHANGE, factor_id, rating)
    if _BACK.search(normal):
        return Command(BACK)
    return None


_DECLINE = re.compile(r"^(?:no|nope|none|nothing|n/?a|skip|pass|not now|later|not yet|no thanks|"
                      r"no next steps|nothing for now|nothing yet|not really|don'?t know|dunno)\b[ .!]*$")


def declines(text: str) -> bool:
    """True when an optional free-text answer is a polite 'nothing to add'."""
    return bool(_DECLINE.match(_normal(text)))
