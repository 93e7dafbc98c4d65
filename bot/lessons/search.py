"""Finds the lessons that answer a leader's question, in their words rather than the source's.

Text on both sides goes through the same analyzer: spaCy's offline tokenizer and lookup
lemmatizer (so "pilots" matches "pilot"), stop words dropped, and every phrase listed in
knowledge/search_terms.yml replaced by its concept as well ("ELL", "English learners" and
"students learning English" all carry c_english_learners). Ranking is BM25 from the bm25s
library over a field-weighted text (title, initiative and keywords count more than details).
A question that names a place ("in DC", "Boston", "Massachusetts") ranks that place's lessons
first; organisation names (OSSE, the compact) only match as words, since "compact" or "board"
also appear in questions about other places.

`plain_bm25` is the baseline the benchmark compares against: the same library on the same
lessons with its default tokenizer, without lemmas, concepts or field weights.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional, Sequence

import bm25s
import numpy as np
import yaml

from bot.content.knowledge import KNOWLEDGE_DIR
from bot.lessons.catalogue import Lesson, lessons as load_lessons
from bot.language.nlp import blank_english
from bot.language.text import clean_text

# How often each field's text is repeated in a lesson's indexed document.
PLACE_CONCEPTS = {"c_dc": "DC", "c_massachusetts": "Massachusetts", "c_boston": "Massachusetts"}
PLACE_PREFERENCE = 1.5  # lessons from a place the question names are lifted by this factor
KEEP_WORDS = {"together", "across", "both", "between", "against", "alone", "first", "back", "without", "among",
              "full", "empty", "top", "move", "give", "show", "call", "name", "side", "us", "one", "two", "three"}
FIELD_WEIGHTS = {"title": 3, "initiative": 2, "keywords": 2, "summary": 2, "place": 1, "details": 1, "outcomes": 1}
@dataclass(frozen=True)
class Hit:
    lesson: Lesson
    score: float

    def as_dict(self) -> dict:
        lesson = self.lesson
        return {"id": lesson.id, "title": lesson.title, "place": lesson.place, "initiative": lesson.initiative,
                "summary": lesson.summary, "source": lesson.source, "score": round(self.score, 4)}


class Analyzer:
    """Text to search tokens: lemmas without stop words, plus concept tokens for known phrasings."""

    def __init__(self, concepts: dict[str, list[str]]) -> None:
        self.nlp = blank_english()
        # spaCy's list, less the words that carry meaning in this domain ("working together", "across sectors").
        self.stop_words = self.nlp.Defaults.stop_words - KEEP_WORDS
        self.patterns = [(f"c_{name}", re.compile(
            r"(?<![\w-])(?:" + "|".join(re.escape(p.lower()) for p in sorted(phrases, key=len, reverse=True))
            + r")(?![\w-])")) for name, phrases in concepts.items()]

    def concepts(self, text: str) -> list[str]:
        """Each concept a text mentions, once: many phrasings of one idea should not outweigh the words."""
        lowered = text.lower().replace("’", "'")
        return [token for token, pattern in self.patterns if pattern.search(lowered)]

    def __call__(self, text: str) -> list[str]:
        text = clean_text(text)
        lemmas = [(t.lemma_ or t.text).lower() for t in self.nlp(text.lower())
                  if not (t.is_punct or t.is_space) and t.text.lower() not in self.stop_words]
        return [lemma for lemma in lemmas if lemma.strip("'\"-")] + self.concepts(text)


@lru_cache(maxsize=1)
def search_concepts() -> dict[str, list[str]]:
    data = yaml.safe_load((KNOWLEDGE_DIR / "search_terms.yml").read_text(encoding="utf-8"))
    return {name: [str(p) for p in phrases] for name, phrases in data["concepts"].items()}


class LessonSearch:
    """BM25 over analyzed, field-weighted lessons."""

    def __init__(self, lessons: Sequence[Lesson], concepts: Optional[dict[str, list[str]]] = None) -> None:
        self.lessons = list(lessons)
        self.analyze = Analyzer(concepts if concepts is not None else search_concepts())
        self.places = np.array([lesson.place for lesson in self.lessons])
        corpus = []
        for lesson in self.lessons:
            tokens: list[str] = []
            for name, text in lesson.search_text().items():
                tokens += self.analyze(text) * FIELD_WEIGHTS[name]
            corpus.append(tokens)
        self.index = bm25s.BM25()
        self.index.index(corpus, show_progress=False)

    def search(self, query: str, top: int = 5, only: Optional[Iterable[str]] = None) -> list[Hit]:
        """The best `top` lessons for `query`, best first; `only` restricts to some lesson ids."""
        tokens = self.analyze(query)
        if not tokens:
            return []
        ids, scores = self.index.retrieve([tokens], k=len(self.lessons), show_progress=False, n_threads=1)
        named = {PLACE_CONCEPTS[t] for t in tokens if t in PLACE_CONCEPTS}
        allowed = set(only) if only is not None else None
        hits = [Hit(self.lessons[doc], float(score) * (PLACE_PREFERENCE if self.lessons[doc].place in named else 1))
                for doc, score in zip(ids[0].tolist(), scores[0].tolist())
                if score > 0 and (allowed is None or self.lessons[doc].id in allowed)]
        hits.sort(key=lambda hit: -hit.score)
        return hits[:top]


class PlainBM25:
    """The baseline: bm25s with its own tokenizer and English stop words over each lesson's whole text."""

    def __init__(self, lessons: Sequence[Lesson]) -> None:
        self.lessons = list(lessons)
        texts = [" ".join(lesson.search_text().values()) for lesson in self.lessons]
        self.index = bm25s.BM25()
        self.index.index(self._tokenize(texts), show_progress=False)

    @staticmethod
    def _tokenize(texts: list[str]) -> list[list[str]]:
        return bm25s.tokenize(texts, stopwords="en", show_progress=False, return_ids=False)

    def search(self, query: str, top: int = 5) -> list[Hit]:
        tokens = self._tokenize([query])
        if not tokens[0]:
            return []
        ids, scores = self.index.retrieve(tokens, k=min(top, len(self.lessons)), show_progress=False, n_threads=1)
        return [Hit(self.lessons[d], float(s)) for d, s in zip(ids[0].tolist(), scores[0].tolist()) if s > 0]


@lru_cache(maxsize=1)
def lesson_search() -> LessonSearch:
    """The search over all lessons, built once per process (about a second)."""
    return LessonSearch(load_lessons())
