"""Side-by-side self-assessment ratings of a team's members, for the partner meeting.

The toolkit asks each partner to rate the 17 factors on its own and then to talk the ratings
through; 002 warns that charter schools are not one bloc. So per factor we count who answered,
show the spread over the scale, average without "not applicable", and flag two things worth a
conversation: members two or more scale steps apart, and sectors whose averages differ by a step
or more. Privacy: nothing is shown until `min_group` members have answered (a factor with fewer
answers stays hidden, so no one's rating can be worked out by subtraction), and single ratings
appear, by organisation, only when the team opted in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean
from typing import Optional

from bot.content.knowledge import Dimension, Factor, Knowledge
from bot.content.messages import say
from bot.language.ratings import LABELS, RATINGS, SCORES, SHORT
from bot.language.replies import Button, Reply
from bot.assessment.scoring import readiness_score
from bot.worksheets.team_profile import sector_labels, texts

SPREAD_FLAG = 2          # scale steps between the lowest and highest answer
SECTOR_FLAG = 1.0        # difference between two sectors' averages
_FLAG = " ⚑"             # marks a factor with a prompt for the partner meeting


@dataclass(frozen=True)
class MemberRatings:
    name: str
    organisation: str
    sector: Optional[str]                  # a sector id from knowledge/teams.yml
    ratings: dict[str, Optional[str]]      # factor id -> rating id (None: not answered)

    @property
    def answered(self) -> bool:
        return any(self.ratings.values())


@dataclass
class FactorComparison:
    factor: Factor
    answered: int
    shown: bool
    counts: dict[str, int] = field(default_factory=dict)     # rating id -> members (N/A included)
    mean: Optional[float] = None                             # of the agreement scale, 1..4, N/A left out
    sector_means: dict[str, float] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)           # "spread" and/or "sectors"
    prompt: Optional[str] = None                             # the flags as a question for the partner meeting
    by_organisation: list[tuple[str, str]] = field(default_factory=list)   # (organisation, rating), if opted in


@dataclass
class DimensionComparison:
    dimension: Dimension
    answered: int                        # members who rated at least one of its factors
    readiness: Optional[float]           # pooled readiness score (reverse factors turned), N/A left out
    factors: list[FactorComparison]


@dataclass
class TeamComparison:
    team: str
    members: int
    answered: int
    min_group: int
    by_organisation: bool
    dimensions: list[DimensionComparison]

    @property
    def shown(self) -> bool:
        return self.answered >= self.min_group

    @property
    def prompts(self) -> list[str]:
        return [f.prompt for d in self.dimensions for f in d.factors if f.prompt]


def compare(kb: Knowledge, team: str, members: list[MemberRatings], min_group: int,
            by_organisation: bool) -> TeamComparison:
    answered = [m for m in members if m.answered]
    dimensions = []
    for dimension in kb.dimensions:
        factors = [_factor(f, answered, min_group, by_organisation) for f in dimension.factors]
        pooled = [readiness_score(f, m.ratings.get(f.id)) for f in dimension.factors for m in answered]
        pooled = [s for s in pooled if s is not None]
        visible = all(fc.shown for fc in factors if fc.answered)
        dimensions.append(DimensionComparison(
            dimension, sum(1 for m in answered if any(m.ratings.get(f.id) for f in dimension.factors)),
            round(mean(pooled), 2) if pooled and visible else None, factors))
    return TeamComparison(team, len(members), len(answered), min_group, by_organisation, dimensions)


def _factor(factor: Factor, members: list[MemberRatings], min_group: int, by_organisation: bool) -> FactorComparison:
    given = [(m, m.ratings.get(factor.id)) for m in members if m.ratings.get(factor.id)]
    result = FactorComparison(factor, len(given), shown=len(given) >= min_group)
    if not result.shown:
        return result
    result.counts = {r: sum(1 for _, rating in given if rating == r) for r in RATINGS}
    scored = [(m, SCORES[r]) for m, r in given if r in SCORES]
    sentences = []
    if scored:
        result.mean = round(mean(s for _, s in scored), 2)
        low, high = min(s for _, s in scored), max(s for _, s in scored)
        if high - low >= SPREAD_FLAG:
            by_score = {v: k for k, v in SCORES.items()}
            result.flags.append("spread")
            sentences.append(texts()["prompts"]["spread"].format(low=LABELS[by_score[low]], high=LABELS[by_score[high]]))
        sectors: dict[str, list[int]] = {}
        for m, s in scored:
            if m.sector:
                sectors.setdefault(m.sector, []).append(s)
        # A sector's average shows only when it pools at least min_group ratings: one charter member's
        # "average" is their rating. With the organisation opt-in, ratings are shown by name anyway.
        result.sector_means = {sid: round(mean(v), 2) for sid, v in sectors.items()
                               if by_organisation or len(v) >= min_group}
        if len(result.sector_means) >= 2 and (max(result.sector_means.values())
                                              - min(result.sector_means.values())) >= SECTOR_FLAG:
            labels = sector_labels()
            described = ", ".join(say("teams.sector_average", sector=labels.get(sid, sid), average=value)
                                  for sid, value in sorted(result.sector_means.items(), key=lambda kv: -kv[1]))
            result.flags.append("sectors")
            sentences.append(texts()["prompts"]["sectors"].format(sectors=described))
    if sentences:
        result.prompt = " ".join(say("teams.factor_prompt", number=factor.number, factor=factor.short,
                                     prompts=" ".join(sentences)).split())
    if by_organisation:
        result.by_organisation = [(m.organisation, r) for m, r in given]
    return result


# --- what people read ----------------------------------------------------------------------

COMPACT_FACTORS = 5   # factors listed in the short comparison: those where members disagree most
COMPACT_PROMPTS = 2


def render(comparison: TeamComparison, detail: bool = False) -> list[Reply]:
    """The comparison in at most two messages: readiness per dimension and where members differ;
    every factor and every meeting prompt when `detail` was asked for."""
    if not comparison.shown:
        missing = comparison.min_group - comparison.answered
        return [Reply(say("teams.comparison_waiting", team=comparison.team, answered=comparison.answered,
                          members=comparison.members, needed=comparison.min_group, missing=missing))]
    lines = [say("teams.comparison_head", team=comparison.team, answered=comparison.answered,
                 members=comparison.members)]
    if not comparison.by_organisation:
        lines[0] += " " + say("teams.comparison_totals_only")
    if not detail:
        return _compact(comparison, [say("teams.compact_head", team=comparison.team, answered=comparison.answered,
                                         members=comparison.members)])
    for d in comparison.dimensions:
        title, answered = d.dimension.title, d.answered
        lines.append("\n" + (say("teams.dimension_readiness", dimension=title, answered=answered, readiness=d.readiness)
                             if d.readiness is not None else
                             say("teams.dimension_readiness_hidden", dimension=title, answered=answered)))
        for f in d.factors:
            number, short = f.factor.number, f.factor.short
            if not f.answered:
                lines.append("  " + say("teams.factor_no_answers", number=number, factor=short))
                continue
            if not f.shown:
                lines.append("  " + say("teams.factor_hidden", number=number, factor=short,
                                        needed=comparison.min_group))
                continue
            spread = " ".join(f"{SHORT[r]} {n}" for r, n in f.counts.items() if n)
            flag = _FLAG if f.flags else ""
            line = "  " + (say("teams.factor_spread_average", number=number, factor=short, answered=f.answered,
                               spread=spread, average=f.mean, flag=flag)
                           if f.mean is not None else
                           say("teams.factor_spread", number=number, factor=short, answered=f.answered, spread=spread,
                               flag=flag))
            if f.by_organisation:
                line += "; " + ", ".join(f"{org}: {LABELS[r]}" for org, r in f.by_organisation)
            lines.append(line)
    replies = [Reply("\n".join(lines))]
    prompts = comparison.prompts
    if prompts:
        replies.append(Reply(say("teams.meeting_prompts", prompts="\n".join(f"- {p}" for p in prompts))))
    else:
        replies.append(Reply(say("teams.no_splits")))
    return replies


def _compact(comparison: TeamComparison, lines: list[str]) -> list[Reply]:
    for d in comparison.dimensions:
        lines.append(say("teams.dimension_readiness", dimension=d.dimension.title, answered=d.answered,
                         readiness=d.readiness) if d.readiness is not None else
                     say("teams.dimension_readiness_hidden", dimension=d.dimension.title, answered=d.answered))
    split = [f for d in comparison.dimensions for f in d.factors if f.shown and f.flags][:COMPACT_FACTORS]
    if split:
        lines.append(say("teams.compact_splits", factors=", ".join(f"{f.factor.number} ({f.factor.short})"
                                                                    for f in split)))
    prompts = comparison.prompts[:COMPACT_PROMPTS]
    second = (say("teams.meeting_prompts", prompts="\n".join(f"- {p}" for p in prompts)) if prompts
              else say("teams.no_splits"))
    return [Reply("\n".join(lines)), Reply(f"{second}\n{say('teams.compact_more')}",
                                           (Button("Every factor", "compare our ratings in detail"),))]


def as_dict(comparison: TeamComparison) -> dict:
    """The comparison for the team export: only what the team may see."""
    out = {"members": comparison.members, "answered": comparison.answered, "min_group": comparison.min_group,
           "shown": comparison.shown, "by_organisation": comparison.by_organisation, "dimensions": {}}
    if not comparison.shown:
        return out
    for d in comparison.dimensions:
        out["dimensions"][d.dimension.id] = {
            "answered": d.answered, "readiness": d.readiness,
            "factors": {f.factor.id: {
                "answered": f.answered, "shown": f.shown, "counts": f.counts if f.shown else None,
                "mean": f.mean, "sector_means": f.sector_means or None, "flags": f.flags, "prompt": f.prompt,
                **({"by_organisation": [{"organisation": o, "rating": r} for o, r in f.by_organisation]}
                   if comparison.by_organisation else {})} for f in d.factors}}
    return out
