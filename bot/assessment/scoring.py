"""Judges a dimension's readiness from its ratings, the way the toolkit's summary boxes ask.

Scores run 1 (strongly disagree) to 4 (strongly agree); "not applicable" counts as answered
but stays out of the average. Factors marked `reverse` (negative events) are turned around:
agreeing that damaging events happened counts against readiness. A dimension is "ready"
when its average reaches the threshold in knowledge/ and no factor sits at the bottom.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bot.content.knowledge import Dimension, Factor
from bot.language.ratings import SCORES

READY, NEEDS_WORK = "ready", "needs_work"


def readiness_score(factor: Factor, rating: Optional[str]) -> Optional[int]:
    """The factor's contribution to readiness (1..4), or None when unrated or not applicable."""
    score = SCORES.get(rating or "")
    if score is None:
        return None
    return 5 - score if factor.reverse else score


@dataclass(frozen=True)
class DimensionResult:
    dimension: Dimension
    ratings: dict[str, Optional[str]]   # factor id -> rating (None when unanswered)
    mean: Optional[float]               # average readiness score of the rated factors
    status: Optional[str]               # READY, NEEDS_WORK, or None with nothing rated
    weakest: tuple[Factor, ...]         # rated factors from lowest readiness up, below "agree"

    @property
    def rated_count(self) -> int:
        return sum(1 for f in self.dimension.factors if readiness_score(f, self.ratings.get(f.id)) is not None)


def score_dimension(dimension: Dimension, ratings: dict[str, Optional[str]], threshold: float) -> DimensionResult:
    scored = [(f, readiness_score(f, ratings.get(f.id))) for f in dimension.factors]
    scored = [(f, s) for f, s in scored if s is not None]
    if not scored:
        return DimensionResult(dimension, ratings, None, None, ())
    mean = sum(s for _, s in scored) / len(scored)
    ready = mean >= threshold and min(s for _, s in scored) > 1
    weakest = tuple(f for f, s in sorted(scored, key=lambda pair: (pair[1], pair[0].number)) if s < 3)
    return DimensionResult(dimension, ratings, round(mean, 2), READY if ready else NEEDS_WORK, weakest)
