"""The lessons from the profiles, papers and tip sheets: loaded from knowledge/lessons/ and checked.

Each file is one lesson (an initiative, an insight, a landscape, a tip or a resource). Loading
fails with the file and field named when a required field is missing or a stage, dimension,
factor or theme does not exist, so a bad edit is caught by the tests.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from bot.content.messages import say
from bot.content.knowledge import KNOWLEDGE_DIR, Knowledge, KnowledgeError, knowledge as load_default

LESSONS_DIR = KNOWLEDGE_DIR / "lessons"
PLACES = ("DC", "Massachusetts", "other")
KINDS = ("initiative", "insight", "landscape", "overview", "research", "tip", "resource")
THEMES = ("enrollment", "data_sharing", "english_learners", "special_education", "professional_learning",
          "facilities", "transportation", "governance", "trust", "funding", "leadership", "accountability",
          "school_discipline", "student_mobility", "family_engagement", "high_school_transition", "dissemination",
          "communication", "equity", "school_safety", "policy")
REQUIRED = ("id", "title", "place", "initiative", "kind", "stages", "dimensions", "themes", "summary", "details",
            "went_well", "source")
# The fields that state facts; each comes from the lesson's `source` unless `sources` names another for it.
FACT_FIELDS = ("initiative", "summary", "details", "went_well", "went_wrong")


@dataclass(frozen=True)
class LessonTable:
    """A small chart from a source, reproduced as given: every mark in its cell, blanks as blanks."""
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    legend: str

    def as_text(self) -> str:
        """The chart as aligned plain text, for chat windows and the terminal."""
        grid = [self.columns, *self.rows]
        widths = [max(len(row[i]) for row in grid) for i in range(len(self.columns))]
        lines = [self.caption]
        for row in grid:
            lines.append("  ".join((cell or "-").ljust(width) for cell, width in zip(row, widths)).rstrip())
        lines.append(say("lessons.table_legend", legend=self.legend))
        return "\n".join(lines)


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    place: str
    initiative: str
    kind: str
    stages: tuple[str, ...]
    dimensions: tuple[str, ...]
    factors: tuple[str, ...]
    themes: tuple[str, ...]
    keywords: tuple[str, ...]
    summary: str
    details: str
    went_well: str
    went_wrong: Optional[str]
    source_document: str
    source_section: str
    field_sources: tuple[tuple[str, str, str], ...] = ()  # (field, document, section) where not the default
    table: Optional["LessonTable"] = None  # a chart from the source, cell by cell (blanks kept)

    @property
    def source(self) -> str:
        return say("lessons.source_citation", document=self.source_document, section=self.source_section)

    def source_of(self, field: str) -> tuple[str, str]:
        """The (document, section) a field's facts come from."""
        for name, document, section in self.field_sources:
            if name == field:
                return document, section
        return self.source_document, self.source_section

    def search_text(self) -> dict[str, str]:
        """The lesson's text by field, for the search index."""
        place = {"DC": "DC District of Columbia", "Massachusetts": "Massachusetts"}.get(self.place, "")
        return {"title": self.title, "initiative": self.initiative, "keywords": " ; ".join(self.keywords),
                "summary": self.summary, "place": place, "details": self.details,
                "outcomes": " ".join(filter(None, (self.went_well, self.went_wrong)))}


def _text(value) -> str:
    return " ".join(str(value).split()) if value else ""


def _check_ids(values, allowed, where: str, what: str) -> tuple[str, ...]:
    values = tuple(values or ())
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise KnowledgeError(f"{where}: unknown {what} {unknown}")
    return values


def _field_sources(value, default: dict, where: str) -> tuple[tuple[str, str, str], ...]:
    """`sources: {went_wrong: {section: ...}}`: a field drawn from another section (or document)."""
    if value in (None, {}):
        return ()
    if not isinstance(value, dict):
        raise KnowledgeError(f"{where}: sources must map a field to its document and section")
    found = []
    for field, entry in value.items():
        if field not in FACT_FIELDS:
            raise KnowledgeError(f"{where}: sources names '{field}', which is not one of {FACT_FIELDS}")
        if not isinstance(entry, dict) or not entry.get("section"):
            raise KnowledgeError(f"{where}: sources.{field} needs a section")
        found.append((field, _text(entry.get("document") or default["document"]), _text(entry["section"])))
    return tuple(found)


def _table(value, where: str) -> Optional[LessonTable]:
    if value is None:
        return None
    if not isinstance(value, dict) or not value.get("columns") or not value.get("rows"):
        raise KnowledgeError(f"{where}: table needs columns and rows")
    columns = tuple(_text(c) for c in value["columns"])
    rows = tuple(tuple(_text(c) for c in row) for row in value["rows"])
    if any(len(row) != len(columns) for row in rows):
        raise KnowledgeError(f"{where}: every table row needs {len(columns)} cells (blank ones as \"\")")
    return LessonTable(_text(value.get("caption")), columns, rows, _text(value.get("legend")))


def load_lessons(directory: Path = LESSONS_DIR, kb: Optional[Knowledge] = None) -> tuple[Lesson, ...]:
    kb = kb or load_default()
    stages = {s.id for s in kb.stages}
    dimensions = {d.id for d in kb.dimensions}
    lessons, seen = [], set()
    for path in sorted(directory.glob("*.yml")):
        where = f"lessons/{path.name}"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise KnowledgeError(f"{where}: not valid YAML: {error}") from error
        if not isinstance(data, dict):
            raise KnowledgeError(f"{where}: expected a mapping")
        for key in REQUIRED:
            if data.get(key) in (None, "", []):
                raise KnowledgeError(f"{where}: '{key}' is missing or empty")
        if data["id"] != path.stem:
            raise KnowledgeError(f"{where}: id '{data['id']}' must match the file name")
        if data["id"] in seen:
            raise KnowledgeError(f"{where}: duplicate id {data['id']}")
        seen.add(data["id"])
        if data["place"] not in PLACES or data["kind"] not in KINDS:
            raise KnowledgeError(f"{where}: place must be one of {PLACES} and kind one of {KINDS}")
        source = data["source"] if isinstance(data["source"], dict) else {}
        if not source.get("document") or not source.get("section"):
            raise KnowledgeError(f"{where}: source needs a document and a section")
        field_sources = _field_sources(data.get("sources"), source, where)
        lessons.append(Lesson(
            id=data["id"], title=_text(data["title"]), place=data["place"], initiative=_text(data["initiative"]),
            kind=data["kind"],
            stages=_check_ids(data["stages"], stages, where, "stage"),
            dimensions=_check_ids(data["dimensions"], dimensions, where, "dimension"),
            factors=_check_ids(data.get("factors"), kb.factors, where, "factor"),
            themes=_check_ids(data["themes"], THEMES, where, "theme"),
            keywords=tuple(_text(k) for k in data.get("keywords") or ()),
            summary=_text(data["summary"]), details=_text(data["details"]), went_well=_text(data["went_well"]),
            went_wrong=_text(data.get("went_wrong")) or None,
            source_document=_text(source["document"]), source_section=_text(source["section"]),
            field_sources=field_sources, table=_table(data.get("table"), where),
        ))
    if not lessons:
        raise KnowledgeError(f"no lessons found in {directory}")
    return tuple(lessons)


@lru_cache(maxsize=1)
def lessons() -> tuple[Lesson, ...]:
    return load_lessons()
