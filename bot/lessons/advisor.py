"""Brings up the profiles' lessons: answers questions about them, and offers them when they help.

Answers fit a chat window: the initiative, its place, one or two key facts and the source, with
buttons for more detail or related lessons. "Why did ... fail?" questions lead with what went
wrong. The self-assessment and the 5 Whys call `for_factors` and `for_text` to offer the two or
three lessons that speak to a weak dimension or to the problem a team just wrote down.
"""
from __future__ import annotations

import json
import re
from functools import cached_property
from typing import Iterable, Optional

from bot.content.knowledge import Factor
from bot.content.messages import say
from bot.lessons.search import Hit, LessonSearch, lesson_search
from bot.lessons.catalogue import Lesson
from bot.language.replies import Button, Reply

_FAILURE = re.compile(r"\b(?:fail\w*|went wrong|go wrong|didn'?t work|did not work|not work|end(?:ed)?|stop(?:ped)?|"
                      r"struggl\w*|problems?|challenges?|difficult\w*|shut down|fall apart|fell apart|mistakes?)\b",
                      re.IGNORECASE)
MAX_FACT_CHARS = 320


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])", text or "") if s.strip()]


def place_label(place: str) -> str:
    """Where a lesson comes from, as the user reads it."""
    if place == "DC":
        return say("lessons.place_dc")
    if place == "Massachusetts":
        return say("lessons.place_massachusetts")
    if place == "other":
        return say("lessons.place_other")
    raise KeyError(place)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


_MORE = re.compile(r"^(?:/lesson_more\b|(?:please )?(?:tell me )?more\b|(?:more |the |give me the )?details?\b|expand\b|"
                   r"go on about|how exactly|what else happened)", re.IGNORECASE)
_RELATED = re.compile(r"^/lesson_related\b|\b(?:related|similar|other examples|more examples|like (?:this|that))\b",
                      re.IGNORECASE)


def asks_for_more(text: str) -> bool:
    """A short "tell me more" (or the button), as opposed to an answer that happens to say "details"."""
    return bool(_MORE.match(text.strip())) and len(text.split()) <= 8


def asks_for_related(text: str) -> bool:
    return bool(_RELATED.search(text)) and len(text.split()) <= 10


def payload(intent: str, lesson_id: str) -> str:
    """A button payload that goes straight to an intent with the lesson id as entity."""
    return f"/{intent}" + json.dumps({"lesson_id": lesson_id})


def lesson_buttons(lesson: Lesson) -> tuple[Button, ...]:
    return (Button("More detail", payload("lesson_more", lesson.id)),
            Button("Related lessons", payload("lesson_related", lesson.id)))


class Advisor:
    def __init__(self, search: Optional[LessonSearch] = None) -> None:
        self._search = search

    @cached_property
    def search(self) -> LessonSearch:
        return self._search or lesson_search()

    def lesson(self, lesson_id: Optional[str]) -> Optional[Lesson]:
        return next((l for l in self.search.lessons if l.id == lesson_id), None)

    # --- questions -----------------------------------------------------------------------------
    def answer(self, question: str) -> tuple[list[Reply], Optional[str]]:
        """A short answer and the id of the lesson it comes from (None when nothing fits)."""
        hits = self.search.search(question, top=3)
        if not hits:
            return [Reply(say("lessons.no_lesson"))], None
        best = hits[0].lesson
        wants_failure = bool(_FAILURE.search(question)) and best.went_wrong
        lines = [f"{best.initiative} ({place_label(best.place)}): {best.summary}"]
        if wants_failure:
            lines.append(say("lessons.went_wrong", text=_clip(best.went_wrong, MAX_FACT_CHARS)))
        else:
            facts = [s for s in _sentences(best.details) if re.search(r"\d", s)] or _sentences(best.details)
            lines.append(say("lessons.key_facts", facts=_clip(" ".join(facts[:2]), MAX_FACT_CHARS)))
        lines.append(say("lessons.source", source=best.source))
        others = [h.lesson.title for h in hits[1:3]]
        if others:
            lines.append(say("lessons.also_relevant", titles="; ".join(others)))
        return [Reply("\n".join(lines), lesson_buttons(best))], best.id

    def detail(self, lesson_id: Optional[str]) -> list[Reply]:
        lesson = self.lesson(lesson_id)
        if lesson is None:
            return [Reply(say("lessons.which_lesson"))]
        replies = [Reply(f"{lesson.title}\n{lesson.details}"
                         + (f"\n\n{lesson.table.as_text()}" if lesson.table else ""))]
        outcome = [say("lessons.went_well", text=lesson.went_well)]
        if lesson.went_wrong:
            outcome.append(say("lessons.went_wrong", text=lesson.went_wrong))
        outcome.append(say("lessons.source", source=lesson.source))
        replies.append(Reply("\n".join(outcome),
                             (Button("Related lessons", payload("lesson_related", lesson.id)),)))
        return replies

    def related(self, lesson_id: Optional[str]) -> list[Reply]:
        lesson = self.lesson(lesson_id)
        if lesson is None:
            return [Reply(say("lessons.related_first"))]
        query = " ".join((lesson.title, lesson.initiative, " ".join(lesson.keywords), " ".join(lesson.themes)))
        hits = [h for h in self.search.search(query, top=4) if h.lesson.id != lesson.id][:3]
        return [self._list(say("lessons.related_heading"), hits)]

    # --- offered when they help ------------------------------------------------------------------
    def for_factors(self, factors: Iterable[Factor], why: str) -> Optional[Reply]:
        """Two or three lessons tagged with these (weak) factors, best matching their wording first."""
        factors = list(factors)
        ids = [l.id for l in self.search.lessons if set(l.factors) & {f.id for f in factors}
               and l.kind in ("initiative", "insight")]
        if not ids:
            return None
        query = " ".join(f"{f.short} {f.title} {' '.join(f.keywords)}" for f in factors)
        hits = self.search.search(query, top=3, only=ids)
        return self._list(why, hits) if hits else None

    def for_text(self, text: str, why: str) -> Optional[Reply]:
        hits = [h for h in self.search.search(text, top=3) if h.score > 0]
        return self._list(why, hits[:3]) if hits else None

    @staticmethod
    def _list(lead: str, hits: list[Hit]) -> Reply:
        lines = [lead] + [f"- {h.lesson.title} ({place_label(h.lesson.place)})" for h in hits]
        buttons = tuple(Button(_clip(h.lesson.initiative, 40), payload("lesson_more", h.lesson.id)) for h in hits)
        return Reply("\n".join(lines), buttons)
