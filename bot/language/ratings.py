"""Turns what people type into a rating on the self-assessment scale, or says why it could not.

Busy people answer "absolutely", "not really", "3", "stongly agree", "agree, but funding is
unclear" or "we meet monthly, so agree". The parser reads each clause of the message; a clause
that is an answer on its own ("so agree", "no, not at all") decides over a remark that merely
contains a rating word ("the unions disagree"), and the rest is kept as the factor's note. Anything
it is not sure of (a question, "partly", "no idea", a number off the scale, a command such as "go
back", two contradicting answers) comes back without a rating and with a reason, so that nothing
that is not a rating is ever stored as one.
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

# Clause readings that are not ratings and never reach the caller as such.
_COMMAND = "command"         # "go back", "skip this one", "not now": the person wants to move, not rate
_WEAKER = "weaker"           # "not 100%", "not strongly": softens a rating; alone it is in between

_EMOJI = {
    "👍👍": " strongly agree ", "💯": " strongly agree ", "🙌": " strongly agree ",
    "👎👎": " strongly disagree ",
    "👍": " agree ", "✅": " agree ", "✔": " agree ", "☑": " agree ", "🙂": " agree ", "👌": " agree ",
    "👎": " disagree ", "❌": " disagree ", "✖": " disagree ",
    "🤷": " not sure ",
}
# Slack sends emoji as :codes: and mentions as <@U123>; the codes become the emoji above.
_SLACK_EMOJI = {
    "+1": "👍", "thumbsup": "👍", "-1": "👎", "thumbsdown": "👎", "white_check_mark": "✅",
    "heavy_check_mark": "✔", "ballot_box_with_check": "☑", "x": "❌", "100": "💯", "raised_hands": "🙌",
    "ok_hand": "👌", "slightly_smiling_face": "🙂", "shrug": "🤷",
}
_SLACK_CODE = re.compile(r":([a-z0-9_+-]+):")
_SLACK_NOISE = re.compile(r"<[@#!][^<>\s]*>|:skin-tone-\d:")
_EMOJI_MODIFIERS = re.compile("[\ufe0f\u200d\U0001F3FB-\U0001F3FF]")

# Words the typo corrector may snap to. Only these are corrected, and only when close.
_VOCABULARY = [
    "strongly", "agree", "disagree", "applicable", "absolutely", "definitely", "totally",
    "completely", "certainly", "mostly", "largely", "really", "generally", "partially",
    "somewhat", "neither", "neutral", "entirely", "agreed", "disagreed", "probably",
]
_MIN_TYPO_LENGTH = 4
# Real words a letter or two away from the vocabulary: "the general feeling" is not "generally".
_REAL_WORDS = {
    "general", "generals", "centrally", "federally", "costly", "wrongly", "strong", "stronger", "complete",
    "completes", "certain", "certainty", "either", "rally", "realty", "replicable", "absolute", "definite",
    "entire", "entirety", "partial", "probable", "tonally", "mortally",
}

# Clause separators: punctuation, a spaced dash (not between two numbers: "3 - 4" is one answer),
# words like "but" or "because", and "so" right before an answer ("we meet monthly so agree").
# "mostly because" is the start of a reason, not a hedge followed by one.
_ANSWER_AHEAD = (r"(?:i'?d say |i would say |i'?d go with |i guess |i think |probably |i )?"
                 r"(?:strongly |totally |completely |definitely |absolutely )?"
                 r"(?:agree|disagree|yes|yeah|yep|no|nope|nah|[1-4]\b|sa\b|sd\b|n/?a\b|not applicable)")
_SEPARATORS = re.compile(
    r"\s*(?:(?:[,;:]\s*|\s+)(?:mostly|partly|largely|mainly|only|just|simply|partially) because\s+|"
    r"[,;:!—]|[.?](?:\s|$)|(?<!\d)\s[-–]\s|\s[-–]\s(?!\d)|"
    r"\s+(?:but|because|since(?!\s+\d)|though|although|however|except)\s+|"
    rf"\s+so\s+(?={_ANSWER_AHEAD}))\s*", re.IGNORECASE)

# What people put around an answer without changing it: "honestly, ...", "I'd say ...", "... tbh".
_LEAD = re.compile(
    r"^(?:(?:oh|ok|okay|well|so|still|but|and|yet|though|actually|wait|sorry|oops|um+|uh+|h?mm+|erm|"
    r"honestly|frankly|tbh|ngl|imo|imho|fwiw|i mean|overall|"
    r"on balance|i think|i guess|i'?d (?:still )?say|i would (?:still )?say|i'?ll say|i'?d have to say|"
    r"i have to say|(?:i'?d |i'?ll |i would |let'?s )?go with|let'?s say|say|(?:i'?d )?call it|"
    r"(?:i'?d |i would |i'?ll )?put (?:me|us|it)(?: down)?(?: as| for| at)?|"
    r"mark (?:it|me|us)(?: down)?(?: as)?|(?:i'?d |i would |i )?(?:rate|give) (?:it|this|us|this one)(?: as)?|"
    r"my (?:answer|rating|score)(?: is| would be)?|"
    r"answer|rating|score|we'?re(?: at)?|we are(?: at)?|it'?s|it is|that'?s|that is)(?:\s*,\s*|\s+|$))+")
_TRAIL = re.compile(
    r"(?:[\s,]+(?:i think|i guess|i suppose|i'?d say|i reckon|tbh|imo|imho|ngl|honestly|lol|haha|fwiw|"
    r"obviously|for now|right now|at the moment|atm|currently|here|on this one|overall|then|though|anyway))+$")

# A clause made of nothing but these (after the words that carried the rating) is an answer on its
# own; "the unions disagree" is a remark about someone else and does not count against the answer.
_FILLER = set("""
    i i'd id i'm im i'll we we'd we're were would will say said think guess suppose reckon so well oh ok okay
    um umm uh hmm hm erm honestly frankly tbh ngl imo imho fwiw actually really just still then also too
    it it's its that that's this one on for us me here now overall balance have has to go with as put down
    mark call give rate a an the my our answer rating score is be am are lol haha please pls sorry wait
    oops mean statement side yes yeah yep yup ya yea yah yeh sure no nope nah naw though but and yet w
""".split())
# For a hedge the scale words count as filler too: "maybe strongly agree" is still only a maybe.
_SCALE_WORDS = {"agree", "disagree", "strongly", "1", "2", "3", "4"}

_NUMBER_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NUMBER = re.compile(r"^(?:(?:a|an|solid|probably|prob|prolly|definitely|def|like|#)\s*)*"
                     r"([0-9]+(?:\.[0-9]+)?|zero|one|two|three|four|five)(?:\s*(?:/|out of|of)\s*4)?$")
# "2-3", "3 or 4", "between 2 and 3": two neighbouring points at once.
_RANGE = re.compile(r"^(?:(?:somewhere )?(?:in )?between )?[1-4]\s*(?:-|–|to|or|and|/)\s*[1-4](?:\s*-?ish)?$")
# "3 - agree", "4 = disagree": a number and a label in one clause must say the same thing.
_NUMBER_AND_LABEL = re.compile(r"^([1-4])\s*(?:=|is|means)?\s+(\D.*)$")

# Said right after an answer, these only strengthen it ("yes, completely", "no, absolutely not").
_INTENSIFIER = re.compile(r"(?:absolutely|completely|totally|definitely|entirely|fully|certainly|strongly|100 ?%|"
                          r"very much(?: so)?|for sure|without a doubt|no doubt|all the way|💯|"
                          r"(?:absolutely|definitely) not)(?: so)?[.!]*")

_INTENSE = (r"(?:totally|completely|absolutely|definitely|def|fully|entirely|wholeheartedly|very much|really|"
            r"certainly|100 ?(?:%|percent)|(?:a |one )?hundred percent)")
_STRENGTH_AFTER = r"(?:completely|totally|strongly|fully|entirely|absolutely|wholeheartedly|100|very much|a lot)"

# Ordered: the first pattern that matches a clause decides. Commands, uncertainty and strong
# negatives come before the words they contain ("not now" and "not sure" before "not",
# "not even a little" before "a little", "absolutely not" before "absolutely").
_PATTERNS: list[tuple[str, re.Pattern]] = [
    (_COMMAND, re.compile(
        r"^(?:(?:no|yes|yeah|ok|okay|nope|wait|sorry|oops|actually|please|pls|um+|h?mm+)[\s,]+)*"
        r"(?:(?:skip|go back|undo|start (?:over|again)|change my|let me change|come back to (?:this|it|that)|"
        r"not now|brb|gotta (?:go|run))\b|(?:back|next(?: question| one)?|previous(?: question| one)?|pass|later|"
        r"pause|stop|cancel|restart)$)")),
    ("not_applicable", re.compile(
        r"\b(?:n[./]?a\b|not applicable|(?:doesn'?t|does not|don'?t|do not) (?:really )?apply|"
        r"(?:not|isn'?t|is not) (?:really )?relevant|irrelevant|does not matter here|not for us)")),
    (UNSURE, re.compile(
        r"\b(?:not (?:at all |really |too |so |very |entirely |completely |100 ?% )?(?:sure|certain)|unsure|"
        r"uncertain|(?:i )?don'?t know|"
        r"do not know|dunno|idk|no idea|hard to say|tough (?:to say|call|one)|(?:can'?t|cannot) (?:really )?say|"
        r"no clue|who knows|too (?:early|soon) to (?:tell|say)|(?:i )?hope so|like to think so)\b")),
    (_WEAKER, re.compile(
        r"\bnot (?:entirely|completely|fully|totally|wholly|strongly|all the way|100 ?(?:%|percent)|"
        r"(?:a |one )?hundred percent)")),
    # "more agree than disagree", "closer to disagree than agree": the side named first wins
    ("disagree", re.compile(r"\bdisagree (?:(?:a bit |slightly |a little )?more )?than\b")),
    ("agree", re.compile(r"\bagree (?:(?:a bit |slightly |a little )?more )?than\b")),
    ("strongly_disagree", re.compile(
        r"\bnot (?:even )?(?:a little|a bit|slightly|one bit|in the (?:slightest|least))\b|\bnot even close\b|"
        r"\b(?:not a|no) chance\b|\bnowhere near\b|\b(?:not|never) in a million years\b")),
    (IN_BETWEEN, re.compile(
        r"\b(?:somewhat|partly|partially|in part|sort of|sorta|kind of|kinda|a bit|a little|slightly|mildly|"
        r"maybe|perhaps|possibly|could be|might be|neutral|neither|either way|in between|in the middle|"
        r"middle of the road|mixed|50 ?[-/ ] ?50|fifty[- ]fifty|half|so[- ]so|meh|depends|depending|varies|"
        r"complicated|on the fence|torn|to (?:some|a certain) (?:extent|degree)|to a degree|in some ways|"
        r"some days|sometimes|hit or miss|yes and no|not (?:everyone|everybody|all of (?:us|them))|"
        r"no (?:strong )?(?:opinion|feelings?|views?|preference)|"
        r"(?:agree|disagree|yes|no|[0-9])-?ish|ish)\b"
        # two points at once: "agree/disagree", "agree or strongly agree", "SA/A", 👍👎
        r"|\bagree\w*\s*(?:[/&+,]|and|or|to|nor)?\s*(?:strongly )?disagree\b"
        r"|\bdisagree\w*\s*(?:[/&+,]|and|or|to|nor)\s*(?:strongly )?agree\b"
        r"|\b(?:strongly )?(?:dis)?agree\s*(?:[/&+]|or|to)\s*(?:strongly )?(?:dis)?agree\b"
        r"|\b(?:sa|a|d|sd)\s*(?:/|\bor\b)\s*(?:sa|a|d|sd)\b"
        r"|^(?:somewhere )?(?:in )?between\b|^both$")),
    ("strongly_disagree", re.compile(
        rf"\b(?:strong(?:ly)? disagreed?|{_INTENSE} disagree|disagree,? {_STRENGTH_AFTER}|"
        r"(?:absolutely|definitely|def|certainly|really|totally|of course|obviously|clearly) not|not at all|no way|"
        r"hell no|heck no|far from it|never ever|nothing like that|s\.?d)\b")),
    ("disagree", re.compile(
        r"\b(?:disagreed?|"
        r"(?:don'?t|do not|doesn'?t|does not|can'?t|cannot|not|never|wouldn'?t) (?:really )?agree(?! more)|"
        r"(?:wouldn'?t|would not|can'?t|cannot|couldn'?t|don'?t|do not) (?:really |honestly )?(?:say|claim|think|"
        r"believe)(?: that)? (?:we|i|they|it|everyone|people) (?:really |fully |all )?agree|"
        r"not really|not rly|not yet|not quite|not so much|not much|not true|not the case|not exactly|"
        r"not particularly|not especially|hardly|barely|rarely|seldom|incorrect|inaccurate|doubtful|doubt it|"
        r"(?:don'?t|do not|wouldn'?t|would not) (?:think|believe|say|guess) so|(?:guess|suppose|think) not|"
        r"(?:mostly|largely|generally|mainly|usually|probably|prob|pretty much) (?:not|no)|"
        r"not (?:mostly|largely|generally))\b"
        r"|^(?:(?:yeah|yes|yea),? no|no+|nope|nah+|naw|nay|not|never)\b"
        r"(?!\s*(?:one|doubt|question|problem|prob|worries|comment|opinion))"
        r"|^(?:n|negative|false|wrong)$"
        r"|^(?:we|they|i|it) "
        r"(?:don'?t|do not|haven'?t|have not|aren'?t|are not|can'?t|cannot|isn'?t|is not|doesn'?t)$")),
    ("strongly_agree", re.compile(
        rf"\b(?:strong(?:ly)? agreed?|{_INTENSE} agree|agree,? {_STRENGTH_AFTER}|very much so|without (?:a )?doubt|"
        r"no doubt|no question|for sure|very true|could(?:n'?t| not) agree more|all the way|"
        r"(?:we|they) (?:definitely|absolutely|certainly|totally) (?:do|have|are|can)|s\.?a)\b"
        r"|\b100 ?(?:%|percent)|\b(?:a |one )?hundred percent"
        r"|^(?:absolutely|definitely|totally|totes|completely|certainly|entirely|strongly|of course|indeed|obviously|"
        r"hell ye(?:s|ah)|heck ye(?:s|ah)|very much)\b"
        r"|^(?:yes|yeah|yep|yup|ya|yea),? (?:absolutely|completely|totally|definitely|def|certainly|fully|entirely|"
        r"100|very much|for sure)\b")),
    ("agree", re.compile(
        r"\b(?:agreed?|mostly|largely|generally|mainly|usually|broadly|probably|prolly|pretty much|by and large|"
        r"more or less|for the most part|most of the time|on the whole|in general|in principle|"
        r"(?:think|believe|guess|suppose|reckon|say) so|that'?s right|that'?s true|sounds (?:about )?right|"
        r"sounds like us)\b"
        r"|^(?:yes+|yess?ir|yeah+|yea|yah|yeh|ya|yep|yup|uh[- ]?huh|mhm+|mm[- ]?hmm|sure|ok|okay|fine|affirmative)\b"
        r"|^(?:true|correct|right|accurate)(?: for (?:us|me|our \w+)| here| enough)?$"
        r"|^(?:y|\+1|i suppose|i guess|we do|we have|we are|we can|it is|there is|they do)$")),
]

_LEADING_CONNECTOR = re.compile(r"^(?:but|because|since|though|although|however|except)\b[\s,]*", re.IGNORECASE)
_TRAILING_CONNECTOR = re.compile(r"[\s,]*\b(?:but|because|since|though|although|however|except|so)$", re.IGNORECASE)
_QUESTION_START = re.compile(
    r"^(?:what|why|how|who|which|where|when|whats)\b"
    r"|^(?:is|are|does|do|did|can|could|should|shall)\s+(?:i|you|we|it|this|that|they|there|the|a|my|our|[0-9]+)\b")


@dataclass(frozen=True)
class ParsedRating:
    """What the parser made of one message: a rating with an optional note, or a reason why not."""

    rating: Optional[str]
    note: Optional[str] = None
    reason: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.rating is not None


@dataclass(frozen=True)
class _Reading:
    """One clause: what it says (a rating, a reason or nothing) and whether it is an answer on its own."""

    span: tuple[int, int]
    text: str
    label: Optional[str]
    bare: bool          # nothing in it but the answer and filler words
    filler: bool        # no answer and nothing but filler words ("honestly", "rating")
    number: bool


def _fix_typos(clause: str) -> str:
    words = []
    for word in clause.split(" "):
        if (len(word) >= _MIN_TYPO_LENGTH and word.isalpha()
                and word not in _VOCABULARY and word not in _REAL_WORDS):
            # OSA counts a swapped pair of letters ("argee") as one edit.
            match = process.extractOne(word, _VOCABULARY, scorer=OSA.normalized_similarity, score_cutoff=0.75)
            if match and OSA.distance(word, match[0]) <= 2:
                word = match[0]
        words.append(word)
    return " ".join(words)


def _slack(text: str) -> str:
    """Slack's :emoji: codes as the emoji they stand for, mentions and skin tones dropped."""
    text = _SLACK_NOISE.sub(" ", text)
    return _SLACK_CODE.sub(lambda m: _SLACK_EMOJI.get(m.group(1).lower(), m.group(0)), text).strip()


def _normalise(text: str) -> str:
    text = _EMOJI_MODIFIERS.sub("", text)
    for emoji, words in _EMOJI.items():
        text = text.replace(emoji, words)
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"([a-z])\1{2,}", r"\1\1", text)  # "agreeee", "nooooo"
    text = re.sub(r"[\"“”*_`~#()\[\]{}<>]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _core(clause: str) -> str:
    """The clause without the openers and tails that never change an answer."""
    return _TRAIL.sub("", _LEAD.sub("", clause)).strip(" ,")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9'+]+", text)


def _number(core: str) -> Optional[str]:
    """A rating or reason for a clause that is a number, a range or a number with its label."""
    number = _NUMBER.match(core)
    if number:
        raw = number.group(1)
        value = float(_NUMBER_WORDS.get(raw, raw))
        if value != int(value):
            return IN_BETWEEN if 1 < value < 4 else OFF_SCALE
        return list(SCORES)[int(value) - 1] if 1 <= value <= 4 else OFF_SCALE
    if _RANGE.match(core):
        return IN_BETWEEN
    labelled = _NUMBER_AND_LABEL.match(core)
    if labelled:
        said = list(SCORES)[int(labelled.group(1)) - 1]
        label = _label(labelled.group(2))[0]
        if label in SCORES:
            return said if label == said else CONFLICT
    return None


def _label(text: str) -> tuple[Optional[str], str]:
    """The first pattern that matches, and what is left of the text without its matches."""
    for label, pattern in _PATTERNS:
        if pattern.search(text):
            return label, pattern.sub(" ", text)
    return None, text


def _read(span: tuple[int, int], original: str) -> _Reading:
    clause = _fix_typos(_normalise(original[span[0]:span[1]]).strip(" .!?-"))
    core = _core(clause)
    label = _number(core)
    if label is not None:
        return _Reading(span, clause, label, True, False, True)
    label, rest = _label(core)
    if label is None and core != clause:
        label, rest = _label(clause)
    if label is None:
        return _Reading(span, clause, None, False, all(w in _FILLER for w in _words(clause)), False)
    allowed = _FILLER | _SCALE_WORDS if label not in SCORES else _FILLER
    return _Reading(span, clause, label, all(w in allowed for w in _words(rest)), False, False)


def _clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the clauses in `text`, split at punctuation and at words like "but" or "because"."""
    spans, start = [], 0
    for sep in _SEPARATORS.finditer(text):
        spans.append((start, sep.start()))
        start = sep.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


_SIDES = {"agree": "+", "strongly_agree": "+", "disagree": "-", "strongly_disagree": "-"}
_STRONG = {"agree": "strongly_agree", "disagree": "strongly_disagree"}
_PLAIN = {v: k for k, v in _STRONG.items()}
_REASONS = {_COMMAND: UNCLEAR, _WEAKER: IN_BETWEEN}


def parse_rating(text: Optional[str]) -> ParsedRating:
    """Reads a rating (and the explanation that came with it) from free text."""
    original = _slack(clean_text(text or ""))
    if not original:
        return ParsedRating(None, reason=EMPTY)
    normal = _normalise(original)
    if normal.endswith("?") or _QUESTION_START.match(normal):
        return ParsedRating(None, reason=QUESTION)

    readings = [_read(span, original) for span in _clauses(original)]
    if any(r.label == _COMMAND for r in readings):
        return ParsedRating(None, reason=UNCLEAR)
    answers = [r for r in readings if r.label and r.bare]
    if answers:
        # An answer on its own decides; remarks that mention a rating word are only the note.
        chosen, others = answers[0], answers[1:]
        if others and _is_intensifier(chosen.text) and others[0].label in _SIDES:
            # "strongly, strongly disagree", "totally, disagree": the strength belongs to what follows
            chosen, others = others[0], [chosen] + others[1:]
    else:
        found = [r for r in readings if r.label]
        if not found:
            return ParsedRating(None, reason=UNCLEAR)
        chosen, others = found[0], found[1:]
    if chosen.label not in RATINGS:
        return ParsedRating(None, reason=_REASONS.get(chosen.label, chosen.label))

    rating = chosen.label
    for other in others:
        if answers and other.label in (IN_BETWEEN, UNSURE, CONFLICT):
            return ParsedRating(None, reason=other.label)
        rating = _combine(rating, chosen, other)
        if rating is None:
            return ParsedRating(None, reason=CONFLICT)
    return ParsedRating(rating, note=_note(original, readings, chosen, rating))


def _combine(rating: str, chosen: _Reading, other: _Reading) -> Optional[str]:
    """The rating after one more clause: strengthened, softened, kept, or None for a contradiction."""
    if other.label == _WEAKER:
        return _PLAIN.get(rating, rating)
    if rating not in _SIDES or other.label not in _SIDES:
        # not applicable next to a rating contradicts it; a reason inside a remark changes nothing
        clash = "not_applicable" in (rating, other.label) and other.label in RATINGS and other.label != rating
        return None if clash else rating
    same_side = _SIDES[other.label] == _SIDES[rating]
    if not other.bare:
        return rating if same_side else None
    if _is_intensifier(other.text) and (same_side or other.label == "strongly_agree"):
        # "yes, completely", "no, absolutely not", "disagree, totally": one strong answer
        return _STRONG.get(rating, rating)
    if not same_side:
        return None
    if other.label in _PLAIN and not other.number and not chosen.number:
        return other.label  # "no, not at all", "yes, strongly agree"
    return rating


def _note(original: str, readings: list[_Reading], chosen: _Reading, rating: str) -> Optional[str]:
    """Everything but the answer, in the user's own words and order.

    The answer's span grows over neighbouring clauses that only restate or strengthen it
    ("yes, definitely, ...") or say nothing ("honestly, ..."), so they do not end up in the note.
    """
    def absorbed(r: _Reading) -> bool:
        same_side = r.label in _SIDES and _SIDES[r.label] == _SIDES.get(rating)
        return r.filler or (r.bare and (r.label in (_WEAKER, rating) or same_side or _is_intensifier(r.text)))

    index = readings.index(chosen)
    first = last = index
    while first > 0 and absorbed(readings[first - 1]):
        first -= 1
    while last + 1 < len(readings) and absorbed(readings[last + 1]):
        last += 1
    start, end = readings[first].span[0], readings[last].span[1]
    before = _TRAILING_CONNECTOR.sub("", original[:start].strip(" ,;:.!?-–—"))
    note = " ".join(part.strip(" ,;:.!?-–—") for part in (before, original[end:])).strip()
    note = _LEADING_CONNECTOR.sub("", note)
    return note[:1].upper() + note[1:] if note else None


def _is_intensifier(clause: str) -> bool:
    """A clause that only strengthens the one before it ("completely", "100%", "absolutely not")."""
    return bool(_INTENSIFIER.fullmatch(clause.strip(" ,;:.!-–—").lower()))
