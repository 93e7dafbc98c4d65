"""Reading yes/no and multiple-choice answers typed in free words, not only the buttons' titles.

People answer "prob, if we share the ESL coaches", "yeah mostly", "nah" or "the district one".
Yes/no reads the opening words (with hedges: "probably" is a yes, "probably not" a no, "maybe" not
sure) and keeps what follows as a note. A choice takes an option's number, its words or their
lemmas, a near spelling (rapidfuzz), or a few synonyms; when two options are equally near, none
is guessed and the caller asks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from bot.language.text import clean_text

YES, NO, UNSURE = "yes", "no", "unsure"

_NO_WORDS = (r"n|no+|nope|nah+|naw|not really|not quite|never|negative|no thanks|don'?t think so|i don'?t think so|"
             r"i doubt it|doubt it|unlikely|probably not|prob not|likely not|not likely|not yet|hardly|no way|"
             r"absolutely not|definitely not|not at all|don'?t|do not|we don'?t|we haven'?t|haven'?t|isn'?t|"
             r"it isn'?t|not|👎|❌")
_UNSURE_WORDS = (r"not sure|unsure|maybe|perhaps|possibly|don'?t know|dunno|idk|no idea|hard to say|depends|"
                 r"it depends|50/50|50-50|fifty[- ]fifty|could go either way|unclear|kind of|sort of|partly|somewhat|"
                 r"not certain|can'?t say|🤷")
_YES_WORDS = (r"y|ye+s+|yea+h?|yep|yup|ya|yah|yas|sure|surely|ok(?:ay)?|k|correct|right|absolutely|definitely|"
              r"def|of course|certainly|totally|for sure|please|use (?:it|that|this|the suggestion)|sounds good|"
              r"looks good|go ahead|that works|works for me|accept|agreed?|i think so|i believe so|i guess(?: so)?|"
              r"probably|prob|likely|most likely|mostly|should be|i hope so|hopefully|it is|we do|we are|we have|"
              r"it does|yes please|👍|✅|💯")
_OPENING = re.compile(rf"^(?:(?P<no>{_NO_WORDS})|(?P<unsure>{_UNSURE_WORDS})|(?P<yes>{_YES_WORDS}))"
                      r"(?=$|[\s,.;:!?)\-–—]|(?<=[👍👎✅❌💯🤷]))")
_UNSURE_ANYWHERE = re.compile(rf"\b(?:not sure|unsure|don'?t know|dunno|no idea|hard to say|it depends)\b")
# Misspellings of the plain words, for a reply of a single short word ("yse", "noo", "yesss").
_PLAIN = {"yes": YES, "yeah": YES, "yep": YES, "no": NO, "nope": NO, "sure": YES}


@dataclass(frozen=True)
class YesNo:
    value: str              # YES, NO or UNSURE
    note: Optional[str]     # what the user added after the answer ("if we share the ESL coaches")


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", clean_text(text).lower().replace("’", "'")).strip()


def read_yes_no(text: str) -> Optional[YesNo]:
    """A yes, no or not-sure answer in free words, with the rest kept as a note; None if it is none of them."""
    normal = _normal(text)
    match = _OPENING.match(normal)
    if match is None:
        words = normal.strip(" .!?").split()
        if len(words) == 1 and len(words[0]) >= 2:
            guess = process.extractOne(words[0], list(_PLAIN), scorer=DamerauLevenshtein.normalized_similarity,
                                       score_cutoff=0.66)  # one slip in a short word: "yse", "noo"
            if guess is not None:
                return YesNo(_PLAIN[guess[0]], None)
        if _UNSURE_ANYWHERE.search(normal):
            return YesNo(UNSURE, None)
        return None
    value = NO if match.group("no") else UNSURE if match.group("unsure") else YES
    if value != UNSURE and _UNSURE_ANYWHERE.search(normal):
        value = UNSURE
    rest = clean_text(text)[match.end():].strip(" ,.;:!-–—")
    again = _OPENING.match(_normal(rest)) if rest else None
    if again is not None and again.end() >= len(_normal(rest).rstrip(" .!")):
        rest = ""  # "yes, sure", "no no": nothing more was said
    return YesNo(value, rest[0].upper() + rest[1:] if rest else None)


# --- choices ----------------------------------------------------------------------------------
_FILLER = re.compile(r"\b(?:the|a|an|one|option|choice|i'?d say|i think|probably|we'?re|we are|i'?m|i am|it'?s|"
                     r"it is|that'?s|that is|more like|mostly|definitely|please|pick|choose|go with)\b")
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "last": -1}
SOMETHING_ELSE = re.compile(r"^(?:something else|other|none of (?:these|those|them|the above)|neither)\b")


def match_option(text: str, options: tuple[str, ...], synonyms: Optional[dict[str, str]] = None) -> Optional[str]:
    """The option a free-words answer names, or None when no option (or more than one) is near enough."""
    normal = _normal(text).strip(" .!?")
    if not normal or not options:
        return None
    number = re.fullmatch(r"(?:option |number |no\.? |#)?(\d{1,2})(?:st|nd|rd|th)?(?: one| option)?", normal)
    if number and 1 <= int(number.group(1)) <= len(options):
        return options[int(number.group(1)) - 1]
    ordinal = re.fullmatch(rf"(?:the )?({'|'.join(_ORDINAL)})(?: one| option)?", normal)
    if ordinal:
        index = _ORDINAL[ordinal.group(1)]
        return options[index - 1] if index > 0 and index <= len(options) else options[-1] if index < 0 else None
    lowered = {option.lower(): option for option in options}
    if normal in lowered:
        return lowered[normal]
    for word, option in (synonyms or {}).items():
        if re.search(rf"\b{re.escape(word)}\b", normal) and option in options:
            return option
    core = re.sub(r"\s+", " ", _FILLER.sub(" ", normal)).strip() or normal
    scored = sorted(((max(fuzz.token_set_ratio(core, key), fuzz.partial_ratio(core, key) if len(core) >= 4 else 0),
                      option) for key, option in lowered.items()), reverse=True)
    best, runner_up = scored[0], scored[1] if len(scored) > 1 else (0, None)
    if best[0] >= 75 and best[0] - runner_up[0] >= 8:
        return best[1]
    return None
