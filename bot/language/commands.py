"""The one grammar of commands about the open question, shared by every stage.

Skip ("skip", "pass", "later"), back ("go back", "previous question", "step back", "undo") and
change ("change X to Y", "edit why 2", "set question 5 to agree") read the same way in the
self-assessment and in every worksheet. A command is short and comes first: polite openers
("wait,", "can we", "please") are allowed, but an answer that only mentions going back ("students
go back to their home school") stays an answer. Each stage then resolves what a change names:
the self-assessment a factor (below), a worksheet one of its fields.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.content.knowledge import Knowledge
from bot.language.ratings import ParsedRating, parse_rating
from bot.language.text import clean_text

SKIP, BACK, CHANGE = "skip", "back", "change"

# What people put before a command: "wait, go back", "can we skip this", "I'd like to change ...".
_OPENER = re.compile(r"^(?:(?:ok(?:ay)?|oops|wait|sorry|hmm+|no|oh|actually|um+)[,!. ]+)*"
                     r"(?:please |pls |can we |could we |can you |could you |let'?s |let me |i want to |i'?d like to |"
                     r"we want to |take me |bring me )?")
_BACK = re.compile(r"(?:(?:go|step|move|going) )?back(?: up)?(?: one| a step| one step| a question)?"
                   r"(?: to the (?:previous|last) (?:question|one))?|(?:the )?previous(?: question| one)?|"
                   r"(?:the )?last (?:question|one)|one back|undo(?: that| the last answer| my last answer)?")
_SKIP = re.compile(r"(?:skip|pass|next|move on|keep(?: it| my answer| that)?|leave it|come back to (?:it|this|that) "
                   r"later|later)(?: (?:this|that|it|one|question|for now|please))*")
_CHANGE_VERBS = r"change|edit|update|revise|redo|fix|correct|amend|modify|replace|rewrite|reword"
# "make" and "set" are everyday verbs ("make sure we agree on ..."): a command only when a
# question, goal, why or step is named right after them.
_REFERENCE = r"(?:question|q|number|no\.?|#|goal|why|step|answer|rating|item)\s*#?\d{1,2}\b|\d{1,2}\b"
_CHANGE = re.compile(rf"(?:(?:{_CHANGE_VERBS})\s+(?:my |the |our )?(?P<rest>.+)|"
                     rf"(?:make|set)\s+(?:my |the |our )?(?P<ref>(?:{_REFERENCE}).*))")
# "10 should be disagree", "goal 2 should say ...", "q4 -> agree": a correction without a verb first.
_SHOULD_BE = re.compile(rf"(?P<target>(?:{_REFERENCE}))\s*(?:should (?:be|have been|say|read)|is meant to be|"
                        r"was meant to be|=|->|→|:)\s*(?P<value>.+)")
_NEW_VALUE = re.compile(r"^(?P<target>.*?)\s+(?:to|into|as|with)\s+[\"“]?(?P<value>.+?)[\"”]?$")


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", clean_text(text).lower().replace("’", "'")).strip()


def _command_words(text: str) -> str:
    """The text without a polite opener or a closing "please" and punctuation."""
    words = _OPENER.sub("", _normal(text))
    return re.sub(r"(?:,? please)?[\s?.!]*$", "", words)


def is_skip(text: str) -> bool:
    """"skip", "pass", "next", "later", "keep it": leave this question for now."""
    return bool(_SKIP.fullmatch(_command_words(text)))


def is_back(text: str) -> bool:
    """"go back", "previous question", "take me back to the last question", "undo": the question before."""
    return bool(_BACK.fullmatch(_command_words(text)))


@dataclass(frozen=True)
class ChangeRequest:
    target: str            # what the user named, in their words ("why 2", "my answer on question 5")
    value: Optional[str]   # the new value, with the user's capitals, when one was given


LAST_ANSWER = "last answer"
# "make that strongly agree", "change it to no": the answer given just before.
_THAT_CHANGE = re.compile(r"(?:make|change|set|switch|put|turn) (?:that|it|this|the last one|my last answer|the last answer)"
                          r"(?: (?:to|into|as|with))? (?P<value>.+)")


def change_request(text: str) -> Optional[ChangeRequest]:
    """"change the problem statement to ...", "edit why 2", "set question 5 to agree", "make that
    strongly agree" (target LAST_ANSWER); None otherwise."""
    cleaned = re.sub(r"\s+", " ", clean_text(text)).strip()
    words = _command_words(cleaned)
    that = _THAT_CHANGE.fullmatch(words)
    if that is not None:
        return ChangeRequest(LAST_ANSWER, _users_capitals(cleaned, that.group("value")).strip(" ?.!"))
    should = _SHOULD_BE.fullmatch(words)
    if should is not None:
        return ChangeRequest(should.group("target").strip(), _users_capitals(cleaned, should.group("value")).strip(" ?.!"))
    match = _CHANGE.fullmatch(words)
    if match is None:
        return None
    rest = _users_capitals(cleaned, match.group("rest") or match.group("ref"))
    split = _NEW_VALUE.match(rest)
    if split is None:
        return ChangeRequest(rest.strip(" ?.!"), None)
    return ChangeRequest(split.group("target").strip(), split.group("value").strip(" ?.!") or None)


def _users_capitals(cleaned: str, part: str) -> str:
    """`part` (found in the lowered text) as the user typed it."""
    start = cleaned.lower().replace("’", "'").find(part)
    return cleaned[start:start + len(part)] if start >= 0 else part


# --- the self-assessment's questions, by number, ordinal or name -------------------------------
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17,
}
_ORDINAL_WORD = "|".join(sorted(_ORDINALS, key=len, reverse=True))

_QUESTION_REF = re.compile(
    rf"\b(?:question|q|factor|item|number|no\.?|#)\s*#?(\d{{1,2}})\b"
    rf"|#(\d{{1,2}})\b"
    rf"|\b(\d{{1,2}})(?:st|nd|rd|th)? (?:question|factor|one|item)\b"
    rf"|\b({_ORDINAL_WORD}) (?:question|factor|one|item|answer)\b"
    rf"|\b(?:question|factor|item) ({_ORDINAL_WORD})\b"
)
_RATING_VALUE = re.compile(r"\b(?:to|into|as|with|now|it'?s|is)\s+(.+)$")


@dataclass(frozen=True)
class Command:
    kind: str                              # SKIP, BACK or CHANGE
    factor_id: Optional[str] = None        # CHANGE: the factor meant, if one was named
    rating: Optional[ParsedRating] = None  # CHANGE: the new rating, if one was given


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


def parse_command(text: str, knowledge: Knowledge) -> Optional[Command]:
    """A self-assessment command: skip, back, or a change that names a factor or a rating (None otherwise)."""
    normal = _normal(text)
    if not normal:
        return None
    if is_skip(normal):
        return Command(SKIP)
    request = change_request(normal)
    bare = re.fullmatch(r"(?:q|#)?(\d{1,2})", request.target) if request is not None else None
    if request is not None and ("answer" in normal or _QUESTION_REF.search(normal) or bare or
                                request.target == LAST_ANSWER or _named_factor(normal, knowledge)):
        numbered = [f for f in knowledge.factors.values() if bare and f.number == int(bare.group(1))]
        factor_id = numbered[0].id if numbered else _named_factor(request.target, knowledge) or _named_factor(
            normal, knowledge)
        if request.target == LAST_ANSWER:
            factor_id = None  # the stage takes the question answered just before
        if bare or request.target == LAST_ANSWER or _SHOULD_BE.fullmatch(_command_words(normal)):
            rating = parse_rating(request.value) if request.value else None
        else:
            value = _RATING_VALUE.search(normal.split("question", 1)[-1] if "question" in normal else normal)
            rating = parse_rating(value.group(1)) if value else None
        if rating is not None and not rating.ok:
            rating = None
        if factor_id or rating:
            return Command(CHANGE, factor_id, rating)
    if is_back(normal):
        return Command(BACK)
    return None


_DECLINE = re.compile(r"^(?:no|nope|none|nothing|n/?a|skip|pass|not now|later|not yet|no thanks|"
                      r"no next steps|nothing for now|nothing yet|not really|don'?t know|dunno)\b[ .!]*$")


def declines(text: str) -> bool:
    """True when an optional free-text answer is a polite 'nothing to add'."""
    return bool(_DECLINE.match(_normal(text)))
