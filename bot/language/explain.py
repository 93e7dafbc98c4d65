"""Answers "what does this mean?", "why does it matter?" and "what is a boundary spanner?".

A question naming a glossary term gets that term; a question about "this" during the
self-assessment gets the factor being asked (its meaning, or why it matters); anything else
gets the list of things the bot can explain. All texts come from knowledge/.
"""
from __future__ import annotations

import re
from typing import Optional

from bot.content.knowledge import Factor, Knowledge, Term
from bot.content.messages import say
from bot.language.text import clean_text

_WHY = re.compile(r"\b(?:why|matter|matters|important|point of|purpose of this|reason)\b")


def _normal(text: str) -> str:
    text = clean_text(text).lower().replace("’", "'")
    return " " + re.sub(r"[^a-z0-9/' -]+", " ", text).replace("-", " ") + " "


def _alias_pattern(alias: str) -> str:
    return r"\b" + re.escape(alias.replace("-", " ")).replace(r"\ ", r"\s+") + r"s?\b"


def find_term(text: str, knowledge: Knowledge) -> Optional[Term]:
    """The glossary term the text asks about; the longest matching alias wins."""
    normal = _normal(text)
    best: Optional[Term] = None
    best_len = 0
    for term in knowledge.terms:
        for alias in term.aliases:
            if len(alias) > best_len and re.search(_alias_pattern(alias), normal):
                best, best_len = term, len(alias)
    return best


def find_factor(text: str, knowledge: Knowledge) -> Optional[Factor]:
    """A factor named by its short name ("what does 'negative events' mean?")."""
    normal = _normal(text)
    return next((f for f in knowledge.factors.values() if re.search(_alias_pattern(f.short), normal)), None)


def render_term(term: Term, knowledge: Knowledge, question: str = "") -> str:
    if term.why and re.match(r"\s*why\b", question.lower()):
        return say("language.why_term", term=term.term, why=term.why)
    if term.text:
        return f"{term.term[0].upper()}{term.term[1:]}: {term.text}"
    framework = knowledge.framework
    if term.render == "framework":
        return " ".join(framework["overview"].split())
    if term.render == "stages":
        lines = [f"{s.letter}. {s.title}: {s.summary.strip()}" for s in knowledge.stages]
        return say("language.stages_heading") + "\n" + "\n".join(lines)
    if term.render == "dimensions":
        lines = [f"- {d.title}: {d.summary}" for d in knowledge.dimensions]
        return say("language.dimensions_heading") + "\n" + "\n".join(lines)
    reasons = framework["why_collaborate"]
    lines = [f"- {r['title']}: {' '.join(r['text'].split())}" for r in reasons["reasons"]]
    return " ".join(reasons["intro"].split()) + "\n" + "\n".join(lines) + "\n" + " ".join(reasons["closing"].split())


def explain_factor(factor: Factor, asks_why: bool) -> str:
    if asks_why:
        return say("language.why_it_matters", why=factor.why)
    statements = "\n".join(f"- {s}" for s in factor.statements)
    heading = say("language.factor_means", number=factor.number, title=factor.title)
    return f"{heading}\n{statements}\n{factor.why}"


def explain(text: str, knowledge: Knowledge, current: Optional[Factor] = None) -> str:
    """The best explanation for a question, given the factor being asked (if any)."""
    term = find_term(text, knowledge)
    if term is not None:
        return render_term(term, knowledge, text)
    factor = find_factor(text, knowledge)
    if factor is not None:
        return explain_factor(factor, asks_why=False)
    if current is not None:
        return explain_factor(current, asks_why=bool(_WHY.search(_normal(text))))
    topics = ", ".join(t.term for t in knowledge.terms[:12])
    return say("language.what_i_can_explain", topics=topics)
