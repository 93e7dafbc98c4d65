"""Turns what people type into a rating on the self-assessment scale, or says why it could not.

Busy people answer "absolutely", "not really", "3", "stongly agree" or "agree, but funding is
unclear". The parser maps the first clause that carries a rating onto the scale and keeps the
rest as the factor's note. Anything it is not sure of (a question, "partly", "no idea", a number
off the scale, two contradicting answers) comes back without a rating and with a reason, so that
nothing that is not a rating is ever stored as one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.content.knowledge import knowledge
from bot.language.text import clean_text

# The scale as knowledge/self_assessment.yml states it (its loader checks the ids and their order).
_SCALE = knowledge().scale
RATINGS = tuple(point.id for point in _SCALE)
SCORES = {point.id: point.score for point in _SCALE if point.score is not None}
LABELS = {point.id: point.label.lower() for point in _SCALE}
SHORT = {point.id: point.short for point in _SCALE}

# Reasons a text was not taken as a rating; the conversation turns each into a clear reply.
UNCLEAR = "unclear"          # no rating in it at all
IN_BETWEEN = "in_between"    # "partly", "sort of": the scale has no middle, so ask which side
UNSURE = "unsure"            # "no idea", "not sure": suggest not applicable or skip
OFF_SCALE = "off_scale"      # "5", "0": numbers run 1 to 4
CONFLICT = "conflict"        # "agree ... disagree" in one breath
QUESTION = "question"        # "agree?" or "what is a champion?"
EMPTY = "empty"

_EMOJI = {
    "👍👍": " strongly agree ", "💯": " strongly agree ", "🙌": " strongly agree ",
    "👍": " agree ", "✅": " agree ", "✔": " agree ", "🙂": " agree ",
    "👎": " disagree ", "❌": " disagree ", "✖": " disagree ",
    "🤷": " not sure ",
}

# Words the typo corrector may snap to. Only these are corrected, and only when close.
_VOCABULARY = [
    "strongly", "agree", "disagree", "applicable", "absolutely", "definitely", "totally",
    "completely", "certainly", "mostly", "largely", "really", "generally", "partially",
    "somewhat", "neither", "neutral", "entirely", "agreed", "disagreed",
]
_MIN_TYPO_LENGTH = 4

# Clause separators: the first clause with a rating is the answer, the rest is the note.
_SEPARATORS = re.compile(
    r"\s*(?:[,;:!]|\.(?:\s|$)|\s[-–—]\s|\s+(?:but|because|since|though|although|however|except)\s+)\s*"
)

_NUMBER = re.compile(r"^(?:(?:i'?d say|i would say|i give it|a|rating|my rating is)\s+)?([0-9]+)(?:\s*(?:/|out of)\s*4)?$")

# Ordered: the first pattern that matches a clause decides. Uncertainty and strong negatives
# come before the words they contain ("not sure" before "not", "absolutely not" before "absolutely").
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("not_applicable", re.compile(
        r"\b(?:n/?a|not applicable|doesn'?t apply|does not apply|not relevant|irrelevant|"
        r"does not matter here|not for us)\b")),
    (UNSURE, re.compile(
        r"\b(?:not sure|unsure|(?:i )?don'?t know|do not know|dunno|no idea|hard to say|"
        r"can'?t say|cannot say|no clue|who knows)\b")),
    (IN_BETWEEN, re.compile(
        r"\b(?:somewhat|partly|partially|sort of|kind of|kinda|a bit|a little|maybe|perhaps|"
        r"neutral|neither|in between|in the middle|mixed|50/50|so-so|meh|it depends|depends)\b")),
    ("strongly_disagree", re.compile(
        r"\b(?:strongly disagree|(?:totally|completely|absolutely|definitely|entirely|really|"
        r"fully|very much) disagree|(?:absolutely|definitely|certainly|really|totally) not|"
        r"not at all|no way|hell no|far from it|never ever|nothing like that)\b")),
    ("disagree", re.compile(
        r"\b(?:disagree|disagreed|(?:don'?t|do not|doesn'?t|does not|can'?t|cannot|not|never|wouldn'?t) "
        r"(?:really )?agree|not really|not yet|not quite|not so much|not much|not true|"
        r"not the case|not exactly|hardly|barely|rarely|seldom|"
        r"(?:mostly|largely|generally|mainly|usually|probably|pretty much) (?:not|no)|not (?:mostly|largely|generally))\b"
        r"|^(?:no|nope|nah|not|negative|never|false|wrong)\b")),
    ("strongly_agree", re.compile(
        r"\b(?:strongly agree|(?:totally|completely|absolutely|definitely|fully|entirely|"
        r"wholeheartedly|very much|really|certainly) agree|very much so|without a doubt|"
        r"no doubt|for sure|very true|couldn'?t agree more|all the way)\b|\b100 ?%"
        r"|^(?:absolutely|definitely|totally|completely|certainly|entirely|strongly|"
        r"hell yes|of course|indeed)\b")),
    ("agree", re.compile(
        r"\b(?:agree|agreed|mostly|largely|generally|pretty much|by and large|more or less|"
        r"i think so|i believe so|that'?s right|that'?s true|on the whole)\b"
        r"|^(?:yes|yeah|yea|yep|yup|ya|sure|true|correct|right|ok|okay|fine|affirmative)\b"
        r"|^(?:we do|we have|we are|we can|it is|there is|they do)$")),
]

_LEADING_CONNECTOR = re.compile(r"^(?:but|because|since|though|although|however|except)\b[\s,]*", re.IGNORECASE)
_QUESTION_START = re.compile(r"^(?:what|why|how|who|which|where|when)\b")


@dataclass(frozen=True)
class ParsedRating:
    """What the parser made of one message: a rating with an optional note, or a reason why not."""

    rating: Optional[str]
    note: Optional[str] = None
    reason: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.rating is not None


def _fix_typos(clause: str) -> str:
    words = []
    for word in clause.split(" "):
        if len(word) >= _MIN_TYPO_LENGTH and word.isalpha() and word not in _VOCABULARY:
            # OSA counts a swapped pair of letters ("argee") as one edit.
            match = process.extractOne(word, _VOCABULARY, scorer=OSA.normalized_similarity, score_cutoff=0.75)
            if match and OSA.distance(word, match[0]) <= 2:
                word = match[0]
        words.append(word)
    return " ".join(words)


def _normalise(text: str) -> str:
    for emoji, words in _EMOJI.items():
        text = text.replace(emoji, words)
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[\"“”*_`~#()\[\]{}<>]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _classify_clause(clause: str) -> Optional[str]:
    """Returns a rating id, a reason code, or None when the clause says nothing about the scale."""
    clause = clause.strip(" .!?-")
    if not clause:
        return None
    number = _NUMBER.match(clause)
    if number:
        value = int(number.group(1))
        return list(SCORES)[value - 1] if 1 <= value <= 4 else OFF_SCALE
    clause = _fix_typos(clause)
    for label, pattern in _PATTERNS:
        if pattern.search(clause):
            return label
    return None


def _clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the clauses in `text`, split at punctuation and at words like "but" or "because"."""
    spans, start = [], 0
    for sep in _SEPARATORS.finditer(text):
        spans.append((start, sep.start()))
        start = sep.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def parse_rating(text: Optional[str]) -> ParsedRating:
    """Reads a rating (and the explanation that came with it) from free text."""
    original = clean_text(text or "")
    if not original:
        return ParsedRating(None, reason=EMPTY)
    normal = _normalise(original)
    if normal.endswith("?") or _QUESTION_START.match(normal):
        return ParsedRating(None, reason=QUESTION)

    found: list[tuple[tuple[int, int], str]] = []
    for span in _clauses(original):
        label = _classify_clause(_normalise(original[span[0]:span[1]]))
        if label:
            found.append((span, label))
    if not found:
        return ParsedRating(None, reason=UNCLEAR)

    (start, end), first = found[0]
    if first not in RATINGS:
        return ParsedRating(None, reason=first)
    later = found[1:]
    if first in _INTENSIFIED and later and _is_intensifier(original[slice(*later[0][0])]):
        # "yes, completely", "no, absolutely not": one strong answer, not a plain one with a note
        if later[0][1] != "strongly_disagree" or first == "disagree":
            first, end, later = _INTENSIFIED[first], later[0][0][1], later[1:]
    if any(_contradicts(first, label) for _, label in later):
        return ParsedRating(None, reason=CONFLICT)
    # The note is everything but the rating clause, in the user's own words and order.
    note = " ".join(part.strip(" ,;:.!-–—") for part in (original[:start], original[end:])).strip()
    note = _LEADING_CONNECTOR.sub("", note)
    return ParsedRating(first, note=note[:1].upper() + note[1:] if note else None)


_INTENSIFIED = {"agree": "strongly_agree", "disagree": "strongly_disagree"}
_INTENSIFIER = re.compile(r"(?:absolutely|completely|totally|definitely|entirely|fully|certainly|strongly|100 ?%|"
                          r"very much(?: so)?|for sure|without a doubt|no doubt|all the way|💯|(?:absolutely |definitely )?not)"
                          r"(?: so)?[.!]*")


def _is_intensifier(clause: str) -> bool:
    """A clause that only strengthens the one before it ("completely", "100%", "absolutely not")."""
    return bool(_INTENSIFIER.fullmatch(clause.strip(" ,;:.!-–—").lower()))


def _contradicts(first: str, later: str) -> bool:
    """An explicit opposite later on ("agree ... but really I disagree") makes the answer unclear."""
    sides = {"agree": "+", "strongly_agree": "+", "disagree": "-", "strongly_disagree": "-"}
    return first in sides and later in sides and sides[first] != sides[later]


