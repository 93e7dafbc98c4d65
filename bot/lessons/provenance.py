"""Where each lesson's facts come from, and a check that its names and figures are really there.

Leaders quote what the guide says to their boards, so a lesson's years, numbers and proper names
must appear in the source document it cites. The sentences are ours; the facts are the source's.
`check_lessons` compares every fact-bearing field with the text of its cited seed file (the
numbered documents in `../shared/seeds/`) and lists what it cannot find, by lesson and field.
Only names and figures are compared: wording is deliberately not.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from bot.content.knowledge import KNOWLEDGE_DIR
from bot.lessons.catalogue import FACT_FIELDS, Lesson

# The source documents sit beside the checkout on the team's machines and in CI.
SEEDS_DIR = Path(os.environ.get("COMMON_GROUND_SEEDS_DIR")
                 or Path(__file__).resolve().parents[3] / "shared" / "seeds")

# Capitalised words that are ordinary English in our own sentences, not names a source must hold.
COMMON_WORDS = frozenset("""
A An The This That These Those It Its Their They Them He She His Her We Our Us You Your I
And Or But Nor So Yet If When While Where Why How What Which Who Whom Whose Each Every Both
All Any Some Most Many Few No Not Only Also Even Then Than Once After Before During Since Until
By For From In Into Of On Onto Over Under Up With Without About Across Against Along Among
Around At Between Beyond Through Toward Towards Via Per As To Like Unlike Within
Chart Remedies Barriers Source See Note Notes Example Examples First Second Third Fourth Fifth
One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve
Yes No Not OK Here There More Less Later Earlier Today Now
""".split())
NUMBER = re.compile(r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?")  # 1996,23 is a year and a footnote
WORD = re.compile(r"[A-Za-z][A-Za-z'’&-]*")
_LOOKBACK = 8   # longer than any opener SENTENCE_START looks for ("(1) ", " - ")
SENTENCE_START = re.compile(r"(?:^|[.!?:;(\"“”\[]|\s[-–—]|\(\d\)|\d\))\s*$")


@dataclass(frozen=True)
class Missing:
    """One name or figure in a lesson field that the cited source does not contain."""
    lesson_id: str
    field: str
    token: str
    seed: str

    def __str__(self) -> str:
        return f"{self.lesson_id}.{self.field}: '{self.token}' not in {self.seed}"


def seed_file(document: str, seeds_dir: Path = SEEDS_DIR) -> Optional[Path]:
    """The seed file a source's document names by its number ('001: the toolkit' -> 001_*.txt)."""
    match = re.match(r"\s*(\d{3})\b", document)
    if not match:
        return None
    found = sorted(seeds_dir.glob(f"{match.group(1)}_*.txt"))
    return found[0] if found else None


def _normalise(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("\u00ad", "")
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)  # words split over a line end
    return " ".join(text.split())


@dataclass(frozen=True)
class SeedText:
    """A seed document's words and figures, for membership tests."""
    words: frozenset[str]
    numbers: frozenset[str]
    text: str

    @classmethod
    def read(cls, path: Path) -> "SeedText":
        text = _normalise(path.read_text(encoding="utf-8", errors="replace"))
        words = set()
        for word in WORD.findall(text):
            for part in re.split(r"[-'&]", word.replace("’", "'")):
                if part:
                    words.add(part)
            words.add(word.strip("'-"))
        return cls(frozenset(words), frozenset(_number(n) for n in NUMBER.findall(text)), text)


@lru_cache(maxsize=8)
def _seed(path: Path) -> SeedText:
    return SeedText.read(path)


def _number(token: str) -> str:
    return token.replace(",", "").rstrip(".")


def names_and_figures(text: str) -> list[str]:
    """The figures and the capitalised words of a text that are not just the start of a sentence."""
    text = _normalise(text)
    found: list[str] = []
    for match in NUMBER.finditer(text):
        if text[match.start() - 1:match.start()] == "(" and text[match.end():match.end() + 1] == ")":
            continue   # "(1)" numbers our own lists
        found.append(_number(match.group()))
    for match in WORD.finditer(text):
        word = match.group().strip("'-")
        if not word or not word[0].isupper() or word in COMMON_WORDS:
            continue
        # whitespace is single after _normalise, so the few characters before the word decide
        if SENTENCE_START.search(text[max(0, match.start() - _LOOKBACK):match.start()]):
            continue
        found.append(word)
    return found


def _in_seed(token: str, seed: SeedText) -> bool:
    if token[0].isdigit():
        return token in seed.numbers
    if token in seed.words:
        return True
    parts = [p for p in re.split(r"[-'&]", token) if p]
    return all(p in seed.words or p.lower() in seed.words or not p[0].isupper() for p in parts)


def check_lesson(lesson: Lesson, seeds_dir: Path = SEEDS_DIR) -> list[Missing]:
    missing: list[Missing] = []
    for field in FACT_FIELDS:
        text = getattr(lesson, field)
        if not text:
            continue
        document, _section = lesson.source_of(field)
        path = seed_file(document, seeds_dir)
        if path is None:
            missing.append(Missing(lesson.id, field, document, "(no seed file for this document)"))
            continue
        seed = _seed(path)
        for token in dict.fromkeys(names_and_figures(text)):
            if not _in_seed(token, seed) and (lesson.id, field, token) not in lesson_exceptions():
                missing.append(Missing(lesson.id, field, token, path.name))
    return missing


def check_lessons(lessons: Iterable[Lesson], seeds_dir: Path = SEEDS_DIR) -> list[Missing]:
    """Every name and figure, in every lesson, that its cited source does not contain."""
    return [m for lesson in lessons for m in check_lesson(lesson, seeds_dir)]


EXCEPTIONS_FILE = KNOWLEDGE_DIR / "lesson_fact_exceptions.yml"


@lru_cache(maxsize=1)
def lesson_exceptions() -> frozenset[tuple[str, str, str]]:
    """(lesson, field, token) triples that are right although the seed spells them otherwise."""
    import yaml
    if not EXCEPTIONS_FILE.exists():
        return frozenset()
    entries = yaml.safe_load(EXCEPTIONS_FILE.read_text(encoding="utf-8")) or []
    for entry in entries:
        if not entry.get("reason"):
            raise ValueError(f"{EXCEPTIONS_FILE.name}: every exception needs a one-line reason: {entry}")
    return frozenset((e["lesson"], e["field"], str(e["token"])) for e in entries)
