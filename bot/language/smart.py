"""Checks a goal against the SMART criteria, offline and explainably, with spaCy rule patterns.

Specific: it names who or what the goal is about, in more than vague words.
Measurable: it states a quantity, rate, count or threshold ("from 44% to 54%", "30 teachers",
"by a third", "$500,000").
Achievable: cannot be read from text; the conversation asks (always None here).
Results-oriented: it names a change in a result (a rate, scores, attendance, enrollment), not only
an activity ("hold meetings").
Time-bound: it states a deadline or time frame ("by June 2027", "within two years", "this semester").

Each missing criterion becomes a concrete issue, and the suggestion rewrites the user's own goal
with bracketed blanks for what is missing (both worded in knowledge/messages/language.yml).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from typing import Optional

from bot.content.messages import say
from bot.language.nlp import blank_english
from bot.language.text import clean_text

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"]
SEASONS = ["spring", "summer", "fall", "autumn", "winter"]
PERIODS = ["semester", "term", "year", "quarter", "month", "week", "trimester", "cycle", "round", "season",
           "school year", "academic year"]
UNITS = ["day", "days", "week", "weeks", "month", "months", "year", "years", "semester", "semesters",
         "quarter", "quarters", "term", "terms"]
NUMBER_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "a"]

# Who or what a goal can be about.
TARGETS = {
    "student", "learner", "family", "parent", "teacher", "principal", "school", "graduate", "senior",
    "freshman", "grader", "staff", "counselor", "leader", "educator", "child", "youth", "classroom",
    "district", "charter", "campus", "application", "enrollment", "enrolment", "lottery", "attendance",
    "graduation", "transfer", "record", "data", "facility", "building", "bus", "transportation", "seat",
    "applicant", "coach", "paraprofessional", "ell", "el", "sped", "iep", "kindergarten", "pre-k", "prek",
    "grade", "course", "program", "absence", "absenteeism", "suspension", "dropout", "credit", "reading",
    "math", "literacy", "science", "ap", "college", "fafsa", "placement", "waitlist", "mobility",
}
# Results a goal can aim at.
OUTCOME_NOUNS = {
    "rate", "score", "proficiency", "attendance", "absence", "absenteeism", "graduation", "achievement",
    "outcome", "result", "enrollment", "enrolment", "retention", "satisfaction", "completion", "readiness",
    "gap", "suspension", "dropout", "percentage", "proportion", "growth", "performance", "access",
    "participation", "persistence", "placement", "turnover", "mobility", "literacy", "on-track", "track",
    "waitlist", "wait", "time", "delay", "service",
}
OUTCOME_VERBS = {
    "increase", "raise", "improve", "reduce", "decrease", "lower", "cut", "close", "narrow", "grow", "boost",
    "double", "triple", "halve", "reach", "achieve", "attain", "eliminate", "prevent", "graduate", "gain",
    "rise", "drop", "fall", "decline", "shrink", "expand", "lift", "ensure", "enroll", "enrol", "complete",
    "pass", "score", "read", "receive", "arrive", "transfer", "apply", "return", "certify",
}
ACTIVITY_VERBS = {
    "hold", "meet", "create", "develop", "form", "host", "attend", "discuss", "plan", "write", "convene",
    "launch", "organize", "organise", "hire", "train", "build", "set", "establish", "design", "draft", "run",
    "start", "begin", "explore", "talk", "share", "work", "collaborate", "partner", "learn", "study", "review",
    "schedule", "invite", "publish", "map", "identify", "try",
}
VAGUE = {"better", "more", "thing", "things", "stuff", "do", "make", "next", "year", "month", "week", "education", "good", "great", "improve", "improvement", "work",
         "together", "collaborate", "collaboration", "relationship", "relationships", "everything", "kid", "kids",
         "best", "quality", "overall", "general", "generally", "somehow", "really"}
STOP = {"the", "a", "an", "and", "or", "of", "to", "for", "in", "on", "at", "by", "with", "our", "we", "us",
        "all", "be", "is", "are", "will", "that", "this", "it", "its", "their", "they", "from", "as", "so"}

_BLANK = re.compile(r"\[[^\]]*\]")
ISSUE_SPECIFIC = say("language.issue_specific")
ISSUE_MEASURABLE = say("language.issue_measurable")
ISSUE_RESULTS = say("language.issue_results")
ISSUE_TIME = say("language.issue_time")
ISSUE_ACHIEVABLE = say("language.issue_achievable")


@dataclass(frozen=True)
class SmartCheck:
    specific: bool
    measurable: bool
    achievable: Optional[bool]
    results_oriented: bool
    time_bound: bool
    issues: list[str] = field(default_factory=list)
    suggestion: str = ""

    @property
    def checks(self) -> dict[str, Optional[bool]]:
        return {k: getattr(self, k) for k in ("specific", "measurable", "achievable", "results_oriented", "time_bound")}

    @property
    def passes(self) -> bool:
        """Everything that can be judged from the text is there."""
        return self.specific and self.measurable and self.results_oriented and self.time_bound

    def as_dict(self) -> dict:
        return asdict(self)


def _is_year(token) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d(?:[-–/](?:\d\d|\d{4}))?", token.text))


def _quantity(token) -> bool:
    """A number that is a quantity, not a year."""
    return (token.like_num or token.lower_ in NUMBER_WORDS[:-1]) and not _is_year(token)


@lru_cache(maxsize=1)
def _pipeline():
    nlp = blank_english()
    from spacy.matcher import Matcher  # only after bot.language.nlp has imported spaCy its own way

    matcher = Matcher(nlp.vocab)
    num = {"LIKE_NUM": True}
    matcher.add("MEASURE", [
        [num, {"TEXT": {"IN": ["%", "percent", "per", "percentage"]}}],
        [num, {"LOWER": {"IN": ["percentage", "points", "point", "pts", "ppt"]}}],
        [{"LOWER": "from"}, num, {"TEXT": "%", "OP": "?"}, {"LOWER": {"IN": ["to", "-"]}}, num],
        [{"TEXT": {"IN": ["$", "£", "€"]}}, num],
        [num, {"LOWER": {"IN": ["dollars", "million", "thousand", "k"]}}],
        [{"LOWER": "by"}, {"LOWER": {"IN": ["a", "one"]}}, {"LOWER": {"IN": ["third", "quarter", "fifth", "half"]}}],
        [{"LOWER": {"IN": ["by", "in"]}}, {"LOWER": "half"}],
        [{"LOWER": {"IN": ["double", "doubles", "doubling", "triple", "halve", "halving", "half"]}}],
        [{"LOWER": {"IN": ["at", "no"]}}, {"LOWER": {"IN": ["least", "more", "fewer", "most"]}}, {"LOWER": "than", "OP": "?"}, num],
        [num, {"LOWER": "out"}, {"LOWER": "of"}, num],
        # a target in units ("to 10 days", "under 5 school days") or a plain amount ("by 2,000"), years excluded
        [{"LOWER": {"IN": ["to", "under", "below", "above", "than"]}}, num,
         {"LOWER": {"IN": ["school", "calendar", "business"]}, "OP": "?"}, {"LOWER": {"IN": UNITS}}],
        [{"LOWER": {"IN": ["by", "to", "than"]}}, {"TEXT": {"REGEX": r"^(?!(?:19|20)\d\d$)\d[\d,.]*$"}}],
        [{"LOWER": {"IN": ["every", "each", "all"]}}, num],
        [{"LOWER": {"IN": ["zero", "no"]}}, {"LOWER": {"IN": ["students", "families", "schools", "days", "gaps"]}}],
    ])
    matcher.add("TIME", [
        [{"LOWER": {"IN": ["by", "before", "until", "through", "during", "in", "from"]}},
         {"LOWER": {"IN": ["the", "early", "late", "mid"]}, "OP": "?"},
         {"LOWER": {"IN": MONTHS + SEASONS}}],
        [{"LOWER": {"IN": MONTHS + SEASONS}}, {"TEXT": {"REGEX": r"^(?:19|20)\d\d"}}],
        [{"LOWER": {"IN": ["by", "before", "until", "through", "during", "in", "for"]}},
         {"LOWER": {"IN": ["the", "sy", "fy"]}, "OP": "?"}, {"TEXT": {"REGEX": r"^(?:SY|FY)?(?:19|20)\d\d"}}],
        [{"LOWER": {"IN": ["by", "before", "until", "at"]}}, {"LOWER": "the", "OP": "?"},
         {"LOWER": {"IN": ["end", "start", "beginning", "close", "middle"]}}, {"LOWER": "of"}],
        [{"LOWER": {"IN": ["within", "in", "over", "after"]}}, {"LOWER": {"IN": ["the", "next", "a", "one"]}, "OP": "*"},
         {"LIKE_NUM": True, "OP": "?"}, {"LOWER": {"IN": ["school", "academic", "calendar"]}, "OP": "?"},
         {"LOWER": {"IN": UNITS}}],
        [{"LOWER": {"IN": ["this", "next", "each", "every", "by", "per"]}},
         {"LOWER": {"IN": ["school", "academic", "fiscal", "calendar"]}, "OP": "?"},
         {"LOWER": {"IN": [p for p in PERIODS if " " not in p] + SEASONS}}],
        [{"LOWER": {"IN": ["annually", "yearly", "quarterly", "monthly", "weekly"]}}],
        [{"LOWER": "by"}, {"LOWER": {"IN": ["graduation", "kindergarten", "tomorrow", "then"]}}],
        [{"TEXT": {"REGEX": r"^(?:19|20)\d\d[-–/](?:\d\d|\d{4})$"}}],
        [{"TEXT": {"REGEX": r"^(?:SY|FY)\d\d"}}],
    ])
    return nlp, matcher


def _lemmas(doc) -> list[str]:
    return [(t.lemma_ or t.text).lower() for t in doc]


def _has_count(doc) -> bool:
    """A number followed by a thing counted ("30 teachers", "five schools"), years excluded."""
    for i, token in enumerate(doc[:-1]):
        nxt = doc[i + 1]
        if i >= 2 and doc[i - 1].text in "-–/" and _is_year(doc[i - 2]):
            continue  # the "27" of "2026-27"
        if _quantity(token) and nxt.is_alpha and nxt.lower_ not in UNITS + MONTHS + ["of", "to", "and", "or"] \
                and not (i > 0 and doc[i - 1].lower_ in ("within", "over", "in", "next")):
            return True
    return False


def check_goal(text: str, today: Optional[date] = None) -> SmartCheck:
    """Judges one goal; `today` sets the year the suggestion proposes (tests pin it)."""
    goal = clean_text(text).strip()
    nlp, matcher = _pipeline()
    doc = nlp(_BLANK.sub(" ", goal))  # "[baseline] to [target]" is a blank to fill, not a measure
    matches = {nlp.vocab.strings[m_id] for m_id, _, _ in matcher(doc)}
    lemmas = _lemmas(doc)
    words = [t.lower_ for t in doc]

    measurable = "MEASURE" in matches or _has_count(doc)
    time_bound = "TIME" in matches
    has_outcome_noun = any(l in OUTCOME_NOUNS for l in lemmas)
    has_outcome_verb = any(l in OUTCOME_VERBS for l in lemmas)
    first_verb = next((l for l in lemmas if l.isalpha() and l not in STOP and l not in ("our", "we", "will", "to")), "")
    activity_only = first_verb in ACTIVITY_VERBS and not has_outcome_noun
    results_oriented = (has_outcome_noun or has_outcome_verb) and not activity_only

    content = [l for l, t in zip(lemmas, doc) if t.is_alpha and l not in STOP and l not in MONTHS + SEASONS + UNITS]
    targets = [l for l in lemmas if l in TARGETS]
    proper = [t for t in doc[1:] if t.is_title and t.lower_ not in MONTHS + SEASONS and t.text not in ("I",)]
    concrete = [l for l in content if l not in VAGUE]
    specific = bool(targets or proper) and len(concrete) >= 2 and len(words) >= 4

    issues = []
    if not specific:
        issues.append(ISSUE_SPECIFIC)
    if not measurable:
        issues.append(ISSUE_MEASURABLE)
    if not results_oriented:
        issues.append(ISSUE_RESULTS)
    if not time_bound:
        issues.append(ISSUE_TIME)
    issues.append(ISSUE_ACHIEVABLE)
    return SmartCheck(specific, measurable, None, results_oriented, time_bound, issues,
                      _suggest(goal, specific, measurable, results_oriented, time_bound, has_outcome_noun,
                               today or date.today()))


def _suggest(goal: str, specific: bool, measurable: bool, results: bool, timed: bool, outcome_noun: bool,
             today: date) -> str:
    """The user's goal with bracketed blanks for each missing part."""
    text = goal.rstrip(" .!") or say("language.suggest_empty_goal")
    if not specific:
        text = say("language.suggest_specific", goal=text[:1].lower() + text[1:])
    if not results:
        text = say("language.suggest_results", goal=text)
    if not measurable:
        text = (say("language.suggest_from_to", goal=text) if outcome_noun or not results
                else say("language.suggest_how_much", goal=text))
    if not timed:
        deadline_year = today.year + 1 if today.month >= 6 else today.year
        text = say("language.suggest_deadline", goal=text, year=deadline_year)
    return text + "."


# --- drafting a goal from facts ----------------------------------------------------------------
_POPULATION = re.compile(
    r"\b(?:(?:in |for |of )?(?:grades?|gr\.?)\s*(?:k|pre-?k|\d{1,2})(?:\s*(?:-|–|to|through|thru)\s*(?:\d{1,2}|12))?"
    r"(?:\s+(?:ells?|els|english (?:language )?learners|students|readers|kids|scholars|boys|girls|sped students|"
    r"students with disabilities|families))?"
    r"|(?:our |all )?(?:ells?|els|english (?:language )?learners|students with disabilities|sped students|"
    r"chronically absent students|ninth graders|high schoolers|middle schoolers|families|new families|"
    r"kindergartners|seniors|freshmen)\b)", re.IGNORECASE)
_CHANGE = re.compile(r"(?P<sign>[+-]|up |down |raise (?:by )?|increase (?:by )?|cut (?:by )?|reduce (?:by )?|by )?"
                     r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>%|percent(?:age points?)?|pts?\.?|points?|ppts?|days?)"
                     r"|from (?P<from>\d+(?:\.\d+)?\s*%?) to (?P<to>\d+(?:\.\d+)?\s*%?)", re.IGNORECASE)
_MEASURES = ["reading proficiency", "math proficiency", "reading scores", "math scores", "ela scores", "reading",
             "math", "ela", "literacy", "attendance", "chronic absenteeism", "graduation rate", "graduation",
             "enrollment", "suspensions", "suspension rate", "test scores", "scores", "proficiency", "on-time arrival"]
_DEADLINE = re.compile(rf"\b(?:by|before|until|in|for)?\s*(?:the )?(?:end of |spring |fall |summer |winter |autumn |"
                       rf"(?:{'|'.join(MONTHS[:12])}) )?(?:sy ?)?(?:19|20)\d\d(?:[-–/]\d\d)?\b"
                       r"|\b(?:by |within |in )(?:the )?(?:end of (?:the )?)?(?:next |this )?(?:school )?(?:year|semester)\b",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    text: str
    used: str   # the facts the draft was built from, as the user gave them


def draft_goal(text: str) -> Optional[Draft]:
    """A SMART goal sentence from the facts in a request ("grades 3-8 ELLs, +10 pts reading by spring 2027");
    blanks in brackets for what is missing; None when the request holds no facts at all."""
    cleaned = clean_text(text)
    population = _POPULATION.search(cleaned)
    change = _CHANGE.search(cleaned)
    deadline = _DEADLINE.search(cleaned)
    lowered = cleaned.lower()
    measure = next((m for m in _MEASURES if re.search(rf"\b{re.escape(m)}\b", lowered)), None)
    facts = [m.group(0).strip() for m in (population, change, deadline) if m] + ([measure] if measure else [])
    if len(facts) < 2:
        return None
    who = population.group(0).strip() if population else "[which students]"
    who = re.sub(r"^(?:in|for|of) ", "", who, flags=re.IGNORECASE)
    who = re.sub(r"\bells?\b", "English learners", who, flags=re.IGNORECASE)
    what = measure or "[which result]"
    if change and change.group("from"):
        how = f"from {change.group('from')} to {change.group('to')}"
    elif change:
        unit = change.group("unit").lower().rstrip(".")
        unit = {"%": " percentage points", "pt": " points", "pts": " points", "ppt": " percentage points",
                "ppts": " percentage points", "point": " points", "percent": " percent"}.get(unit, f" {unit}")
        how = f"by {change.group('amount')}{unit}"
    else:
        how = "from [baseline] to [target]"
    direction = "reduce" if re.search(r"\b(?:absent|absenteeism|suspension|cut|reduce|down)\b", lowered) else "raise"
    when = deadline.group(0).strip() if deadline else "[by when]"
    when = when if re.match(r"(?i)by|before|until|within", when) else "by " + re.sub(r"^(?:in|for) ", "", when)
    sentence = say("language.drafted_goal", when=when[0].upper() + when[1:], direction=direction, what=what,
                   who=who, how=how)
    return Draft(sentence, "; ".join(facts))
