"""Loads the toolkit's content from `knowledge/` and checks it, so a wording fix never touches code.

The YAML files are the single source of truth for the stages, dimensions, factors, rating
scale and glossary. Loading fails loudly, naming the file and the field, when something a
conversation relies on is missing, so a broken edit is caught by the tests, not by a user.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"


# Glossary entries that are answered from the framework and assessment files instead of own text.
RENDERERS = ("framework", "stages", "dimensions", "why_collaborate")


class KnowledgeError(ValueError):
    """A knowledge file is missing something the bot relies on."""


@dataclass(frozen=True)
class Factor:
    id: str
    dimension_id: str
    number: int            # position in the whole assessment, 1..17, as the user sees it
    title: str
    short: str
    statements: tuple[str, ...]
    why: str
    keywords: tuple[str, ...] = ()
    reverse: bool = False  # agreeing counts against readiness (negative events)


@dataclass(frozen=True)
class Dimension:
    id: str
    title: str
    summary: str
    factors: tuple[Factor, ...]


@dataclass(frozen=True)
class ScalePoint:
    id: str
    label: str
    score: Optional[int]
    short: str = ""   # for narrow table columns: SD, D, A, SA, N/A


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    aliases: tuple[str, ...]
    text: Optional[str] = None    # the explanation, or
    render: Optional[str] = None  # the name of a renderer that builds it from the other files
    why: Optional[str] = None     # why it matters, for "why ...?" questions


@dataclass(frozen=True)
class Stage:
    id: str
    letter: str
    title: str
    summary: str


@dataclass(frozen=True)
class Knowledge:
    scale: tuple[ScalePoint, ...]
    ready_threshold: float
    dimensions: tuple[Dimension, ...]
    after_assessment: str
    stages: tuple[Stage, ...]
    framework: dict
    terms: tuple[Term, ...]
    factors: dict[str, Factor] = field(default_factory=dict)

    def factor(self, factor_id: str) -> Factor:
        return self.factors[factor_id]

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)

    @property
    def factor_order(self) -> list[str]:
        return [f.id for d in self.dimensions for f in d.factors]


def _require(data: dict, key: str, where: str):
    value = data.get(key) if isinstance(data, dict) else None
    if value in (None, "", [], {}):
        raise KnowledgeError(f"{where}: '{key}' is missing or empty")
    return value


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise KnowledgeError(f"{path.name}: cannot be read: {error}") from error
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path.name}: expected a mapping at the top level")
    return data


def _load_assessment(data: dict) -> tuple[tuple[ScalePoint, ...], tuple[Dimension, ...]]:
    where = "self_assessment.yml"
    scale = tuple(ScalePoint(_require(p, "id", f"{where} scale"), _require(p, "label", f"{where} scale"),
                             p.get("score"), _require(p, "short", f"{where} scale"))
                  for p in _require(data, "scale", where))
    expected_scale = ["strongly_disagree", "disagree", "agree", "strongly_agree", "not_applicable"]
    if [p.id for p in scale] != expected_scale:
        raise KnowledgeError(f"{where}: the scale must be {expected_scale}")
    dimensions, number = [], 0
    for dim in _require(data, "dimensions", where):
        dim_id = _require(dim, "id", f"{where} dimension")
        factors = []
        for position, fac in enumerate(_require(dim, "factors", f"{where} {dim_id}"), start=1):
            fac_where = f"{where} {dim_id} factor {position}"
            fac_id = _require(fac, "id", fac_where)
            if fac_id != f"{dim_id}_{position}":
                raise KnowledgeError(f"{fac_where}: id must be '{dim_id}_{position}', found '{fac_id}'")
            number += 1
            factors.append(Factor(
                id=fac_id, dimension_id=dim_id, number=number,
                title=_require(fac, "title", fac_where), short=_require(fac, "short", fac_where),
                statements=tuple(_require(fac, "statements", fac_where)),
                why=_require(fac, "why", fac_where).strip(),
                keywords=tuple(fac.get("keywords") or ()), reverse=bool(fac.get("reverse", False)),
            ))
        dimensions.append(Dimension(dim_id, _require(dim, "title", f"{where} {dim_id}"),
                                    _require(dim, "summary", f"{where} {dim_id}").strip(), tuple(factors)))
    return scale, tuple(dimensions)


def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> Knowledge:
    """Reads and validates every knowledge file; raises KnowledgeError naming what is wrong."""
    assessment = _read(directory / "self_assessment.yml")
    framework = _read(directory / "framework.yml")
    glossary = _read(directory / "glossary.yml")
    scale, dimensions = _load_assessment(assessment)
    stages = tuple(Stage(_require(s, "id", "framework.yml stage"), _require(s, "letter", "framework.yml stage"),
                         _require(s, "title", "framework.yml stage"), _require(s, "summary", "framework.yml stage"))
                   for s in _require(framework, "stages", "framework.yml"))
    if [s.letter for s in stages] != list("ABCDE"):
        raise KnowledgeError("framework.yml: stages must be A to E in order")
    for key in ("overview", "why_collaborate", "name"):
        _require(framework, key, "framework.yml")
    terms = []
    for entry in _require(glossary, "terms", "glossary.yml"):
        term_id = _require(entry, "id", "glossary.yml term")
        text, render = entry.get("text"), entry.get("render")
        if bool(text) == bool(render) or (render and render not in RENDERERS):
            raise KnowledgeError(f"glossary.yml {term_id}: needs either 'text' or 'render' (one of {RENDERERS})")
        terms.append(Term(term_id, _require(entry, "term", f"glossary.yml {term_id}"),
                          tuple(a.lower() for a in _require(entry, "aliases", f"glossary.yml {term_id}")),
                          re.sub(r"\s+", " ", text).strip() if text else None, render,
                          " ".join(entry["why"].split()) if entry.get("why") else None))
    ids = [t.id for t in terms]
    if len(ids) != len(set(ids)):
        raise KnowledgeError("glossary.yml: term ids must be unique")
    knowledge = Knowledge(
        scale=scale, ready_threshold=float(_require(assessment, "ready_threshold", "self_assessment.yml")),
        dimensions=dimensions, after_assessment=_require(assessment, "after_assessment", "self_assessment.yml").strip(),
        stages=stages, framework=framework, terms=tuple(terms),
    )
    knowledge.factors.update({f.id: f for d in dimensions for f in d.factors})
    return knowledge


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    """The loaded knowledge, read once per process."""
    return load_knowledge()


# The worksheets' documents and the keys each one must have (the code reads these).
DOCUMENTS = {
    "purpose.yml": ("intro", "fields", "goals", "kinds"),
    "planning.yml": ("five_whys", "logic_model", "action_plan"),
    "implementation.yml": ("intro", "phases", "statuses"),
    "sustaining.yml": ("intro", "points"),
    "reflections.yml": ("intro", "fields"),
    "teams.yml": ("profile", "sectors", "prompts"),
}


@lru_cache(maxsize=None)
def document(name: str, directory: Path = KNOWLEDGE_DIR) -> dict:
    """A worksheet's document from knowledge/, checked for every key the code reads (file and key named)."""
    if name not in DOCUMENTS:
        raise KnowledgeError(f"{name}: not a known knowledge document ({', '.join(DOCUMENTS)})")
    data = _read(directory / name)
    for key in DOCUMENTS[name]:
        if data.get(key) in (None, "", [], {}):
            raise KnowledgeError(f"{name}: '{key}' is missing or empty")
    return data
