"""A report as a list of blocks (headings, paragraphs, tables, charts), built once from the export.

The Word, HTML and Markdown renderers (docx.py, html.py, markdown.py beside this file) only lay
the blocks out, so every format holds the same content. Charts are drawn only when a renderer
asks for the picture (Markdown never does). Tables follow the toolkit's templates: the
self-assessment with a column per scale point and the notes, the 5 Whys, the logic model's six
columns, the action plan's steps, the two checklists; a team's report adds its members and the
ratings side by side. Charts come from bot/reports/charts.py, drawn from the same data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, partial
from typing import Any, Callable, Optional, Union

from bot.reports import charts
from bot.content.knowledge import Knowledge
from bot.language.ratings import LABELS, RATINGS, SCORES, SHORT
from bot.assessment.scoring import readiness_score
from bot.worksheets.team_profile import sector_labels

SCALE = RATINGS   # the columns of the self-assessment tables, in the toolkit's order
# Column headings: the scale's labels, with "N/A" short enough for a narrow column.
SCALE_HEADINGS = tuple(LABELS[r].capitalize() if r in SCORES else SHORT[r] for r in RATINGS)
STAGE_LETTERS = (("purpose", "A. Purpose"), ("self_assessment", "B. Self-assessment"), ("planning", "C. Planning"),
                 ("implementation", "D. Implementing"), ("sustainability", "E. Sustaining"))
_STATUS_WORDS = {"yes": "yes", "partly": "partly", "not_yet": "not yet", "not_applicable": "n/a"}


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


class Chart:
    """A picture drawn from the report's data the first time a renderer needs it."""

    def __init__(self, draw: Callable[[], bytes], caption: str) -> None:
        self._draw, self.caption = draw, caption

    @cached_property
    def png(self) -> bytes:
        return self._draw()


Block = Union[Heading, Paragraph, Table, Chart]


@dataclass
class Report:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> "Report":
        self.blocks.extend(blocks)
        return self

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(f"• {v}" for v in value) if value else "-"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "-" if value in (None, "") else str(value)


# --- a user's report ----------------------------------------------------------------------------

def user_report(data: dict, kb: Knowledge, today: Optional[date] = None) -> Report:
    report = Report(f"Common Ground: the work of {data['user']}")
    report.add(Paragraph(f"Prepared on {(today or date.today()).isoformat()} from everything saved in the "
                         "conversation. Edit freely: this is your team's working document."),
               Paragraph(_where(data["progress"], kb)))
    stages = data["progress"].get("stages") or {}
    report.add(Chart(lambda: charts.stages_chart("Progress through the five stages",
                                                 [(label, stages.get(sid, "not started")) for sid, label in STAGE_LETTERS]),
                     "Progress through the five stages"))
    current = next((r for r in data.get("assessment_rounds") or [] if r.get("current")), None)
    means = {d.title: (current["dimensions"][d.id]["mean"] if current else None) for d in kb.dimensions}
    if any(v is not None for v in means.values()):
        report.add(Chart(lambda: charts.dimensions_chart("Self-assessment: the four dimensions (readiness, 1-4)", means),
                         "The four dimensions of the self-assessment; 3 (agree) and above is ready"))
    _purpose(report, data)
    _self_assessment(report, data, kb)
    _work(report, data)
    return report


def _where(progress: dict, kb: Knowledge) -> str:
    """Where the user stands, in words: the stage and the open question."""
    stage = dict(STAGE_LETTERS).get(progress.get("stage") or "", "not started yet")
    awaiting = progress.get("awaiting")
    if awaiting is None:
        return f"Working on: {stage}; no question is open."
    if awaiting in kb.factors:
        factor = kb.factor(awaiting)
        question = f"question {factor.number} ({factor.short})"
    elif awaiting.endswith(".next_steps"):
        question = f"the next steps for {kb.dimension(awaiting.split('.')[0]).title.lower()}"
    else:
        question = awaiting.replace("_", " ").replace(".", ", ")
    return f"Working on: {stage}; the open question: {question}."


def _purpose(report: Report, data: dict) -> None:
    report.add(Heading("A. Unifying purpose and SMART goals"), Paragraph(f"Purpose: {_text(data.get('purpose'))}"))
    goals = data.get("smart_goals") or []
    if goals:
        report.add(Table(("#", "Goal", "Specific", "Measurable", "Achievable", "Results-oriented", "Time-bound"),
                         tuple((str(i), g["text"], *(_yes_no(g["checks"].get(k)) for k in (
                             "specific", "measurable", "achievable", "results_oriented", "time_bound")))
                               for i, g in enumerate(goals, 1)), "SMART goals"))


def _yes_no(value: Optional[bool]) -> str:
    return {True: "yes", False: "no"}.get(value, "not sure")


def _self_assessment(report: Report, data: dict, kb: Knowledge) -> None:
    report.add(Heading("B. Self-assessment: the environment for collaboration"))
    for dimension in kb.dimensions:
        part = data["self_assessment"][dimension.id]
        status = {"ready": "ready for next steps", "needs_work": "needs work"}.get(part["status"], "no status yet")
        rows = []
        for factor in dimension.factors:
            answer = part["factors"][factor.id]
            marks = tuple("X" if answer["rating"] == r else "" for r in SCALE)
            rows.append((str(factor.number), factor.title, *marks, _text(answer["note"])))
        report.add(Heading(f"{dimension.title} ({status})", 2),
                   Table(("#", "Factor", *SCALE_HEADINGS, "Notes"), tuple(rows), dimension.title),
                   Paragraph(f"Next steps: {_text(part['next_steps'])}"))
    rounds = data.get("assessment_rounds") or []
    if len(rounds) > 1:
        rows = []
        for dimension in kb.dimensions:
            cells = []
            for r in rounds:
                result = r["dimensions"][dimension.id]
                status = {"ready": "ready", "needs_work": "needs work"}.get(result["status"], "-")
                cells.append(f"{result['mean']:.1f}, {status}" if result["mean"] is not None else "-")
            rows.append((dimension.title, *cells))
        report.add(Heading("Rounds compared", 2),
                   Table(("Dimension", *(f"Round {r['round']} ({r['started'] or '-'})" for r in rounds)), tuple(rows),
                         "Self-assessment rounds compared"))


def _work(report: Report, data: dict) -> None:
    """Stages C, D and E, the same for a user and a team."""
    five = data.get("five_whys") or {}
    report.add(Heading("C. Planning"), Heading("Getting the problem right: 5 Whys", 2),
               Paragraph(f"Problem statement: {_text(five.get('problem'))}"),
               Table(("Why", "Reason the problem occurs", "How do we know? (evidence)"),
                     tuple((str(i), _text(w["answer"]), _text(w["evidence"])) for i, w in
                           enumerate(five.get("whys") or [], 1)), "5 Whys"),
               Table(("Root cause", "How do we know?", "Removing it would prevent the problem?"),
                     tuple((_text(c["text"]), _text(c["evidence"]), _yes_no(c["validated"]))
                           for c in five.get("root_causes") or []), "Root causes"))
    model = data.get("logic_model") or {}
    columns = ("inputs", "activities", "outputs", "short_term_outcomes", "long_term_outcomes", "impact")
    report.add(Heading("Logic model", 2), Paragraph(f"The problem: {_text(model.get('problem'))}"),
               Table(("Inputs/resources", "Activities", "Outputs", "Short-term outcomes (1 year)",
                      "Long-term outcomes (3 years)", "Impact"), (tuple(_text(model.get(c) or []) for c in columns),),
                     "Logic model"),
               Paragraph(f"Enabling factors: {_text(model.get('enabling_factors') or [])}"),
               Paragraph(f"Constraining factors: {_text(model.get('constraining_factors') or [])}"))
    for number, plan in enumerate(data.get("action_plans") or [], 1):
        report.add(Heading(f"Action plan {number}", 2), Paragraph(f"Goal: {_text(plan.get('goal'))}"),
                   Paragraph(f"Outcomes: {_text(plan.get('outcomes') or [])}"),
                   Table(("Step", "What will be done", "Who", "By when", "Resources needed", "Resources available",
                          "Potential barriers", "Communications plan"),
                         tuple((str(i), *(_text(step.get(k)) for k in ("action", "who", "by_when", "resources_needed",
                                                                        "resources_available", "barriers",
                                                                        "communications")))
                               for i, step in enumerate(plan.get("steps") or [], 1)), f"Action plan {number}"),
                   Paragraph(f"Evidence of success: {_text(plan.get('evidence_of_success'))}. Evaluation process: "
                             f"{_text(plan.get('evaluation_process'))}."),
                   Paragraph(f"Capacity to collaborate: {_text(plan.get('capacity_to_collaborate'))}. Scope: "
                             f"{_text(plan.get('scope'))}."))
    report.add(Heading("D. Implementing: assessing implementation progress"))
    check_ins = data.get("implementation") or []
    if not check_ins:
        report.add(Paragraph("No check-in yet."))
    for check_in in check_ins:
        phase = (check_in["phase"] or "-").replace("_", " ")
        report.add(Heading(f"Check-in of {check_in['date']}: {phase} ({check_in['in_place']} of {check_in['total']} "
                           "in place)", 2), _checklist(check_in["qualities"], f"Check-in of {check_in['date']}"))
    sustain = data.get("sustainability") or {}
    report.add(Heading("E. Sustaining collaboration: preparing for scale-up and sustainability"))
    if sustain.get("date"):
        report.add(Paragraph(f"Last updated {sustain['date']}: {sustain['in_place']} of {sustain['total']} points "
                             "in place."), _checklist(sustain["points"], "Sustainability checklist"))
    else:
        report.add(Paragraph("Not started."))


def _checklist(points: list[dict], caption: str) -> Table:
    return Table(("#", "Quality", "In place?", "Successes/challenges", "Next steps"),
                 tuple((str(i), p["text"], _STATUS_WORDS.get(p["status"] or "", "-"), _text(p["note"]),
                        _text(p["next_step"])) for i, p in enumerate(points, 1)), caption)


# --- a team's report ----------------------------------------------------------------------------

def team_report(data: dict, kb: Knowledge, today: Optional[date] = None) -> Report:
    team, labels = data["team"], sector_labels()
    report = Report(f"Common Ground: the work of {team['name']}")
    report.add(Paragraph(f"Prepared on {(today or date.today()).isoformat()} for the partners of {team['name']} "
                         f"(code {team['code']}). Ratings are compared once {team['settings']['min_group']} members "
                         "have answered; single ratings appear by organisation only if the team opted in "
                         f"({'it has' if team['settings']['by_organisation'] else 'it has not'})."))
    stages = data.get("progress", {}).get("stages") or {}
    report.add(Chart(lambda: charts.stages_chart(f"{team['name']}: progress through the five stages",
                                                 [(label, stages.get(sid, "not started")) for sid, label in STAGE_LETTERS]),
                     "Progress through the five stages (B: every member has finished)"))
    report.add(Heading("Members"), Table(
        ("Name", "Organisation", "Sector", "Role", "Facilitator", "Self-assessment"),
        tuple((_text(m["name"]), _text(m["organisation"]), labels.get(m["sector"] or "", "-"), _text(m["role"]),
               "yes" if m["facilitator"] else "no",
               "finished" if m["self_assessment"]["finished"] else f"{m['self_assessment']['answered']} answered")
              for m in data["members"]), "Members"))
    _comparison(report, data["comparison"], kb)
    _purpose(report, data)
    _work(report, data)
    if data.get("contributions"):
        report.add(Heading("Who wrote what"), Table(
            ("Worksheet", "Answer", "Written by"),
            tuple((document, path, who) for document, paths in data["contributions"].items()
                  for path, who in paths.items()), "Who wrote what"))
    return report


def _comparison(report: Report, comparison: dict, kb: Knowledge) -> None:
    report.add(Heading("B. Self-assessment: the members' ratings side by side"))
    if not comparison["shown"]:
        report.add(Paragraph(f"{comparison['answered']} of {comparison['members']} members have answered; ratings "
                             f"are compared once {comparison['min_group']} have."))
        return
    means = {d.title: comparison["dimensions"][d.id]["readiness"] for d in kb.dimensions}
    members = None
    if comparison["by_organisation"]:
        members = {}
        for d in kb.dimensions:
            for factor in d.factors:
                for entry in comparison["dimensions"][d.id]["factors"][factor.id].get("by_organisation") or []:
                    score = readiness_score(factor, entry["rating"])
                    if score is not None:
                        members.setdefault(entry["organisation"], {}).setdefault(d.title, []).append(score)
        members = {org: {t: sum(v) / len(v) for t, v in scores.items()} for org, scores in members.items()}
    report.add(Chart(lambda: charts.dimensions_chart("The team's four dimensions (pooled readiness, 1-4)", means, members),
                     "Pooled readiness per dimension" + ("; dots: each organisation's average" if members else "")))
    factors = [f for d in kb.dimensions for f in d.factors]
    numbers = [str(f.number) for f in factors]
    details = {f.id: comparison["dimensions"][f.dimension_id]["factors"][f.id] for f in factors}
    if comparison["by_organisation"]:
        organisations = sorted({e["organisation"] for d in details.values() for e in d.get("by_organisation") or []})
        cells = [[next((SCORES.get(e["rating"]) for e in details[f.id].get("by_organisation") or []
                        if e["organisation"] == org), None) for f in factors] for org in organisations]
        heatmap = partial(charts.agreement_heatmap, "Each organisation's rating per factor (1-4; – for none or N/A)",
                          numbers, organisations, cells, counts=False)
    else:
        cells = [[(details[f.id]["counts"] or {}).get(r) if details[f.id]["shown"] else None for f in factors]
                 for r in SCALE]
        heatmap = partial(charts.agreement_heatmap, "How many members chose each answer, per factor", numbers,
                          list(SCALE_HEADINGS), cells, counts=True)
    report.add(Chart(heatmap, "Where the partners agree and where they differ"))
    for dimension in kb.dimensions:
        part = comparison["dimensions"][dimension.id]
        readiness = f"{part['readiness']:.1f}" if part["readiness"] is not None else "-"
        rows = []
        for factor in dimension.factors:
            f = part["factors"][factor.id]
            counts = f["counts"] or {}
            rows.append((str(factor.number), factor.title, str(f["answered"]),
                         *(str(counts.get(r, 0)) if f["shown"] else "-" for r in SCALE),
                         f"{f['mean']:.1f}" if f["mean"] is not None else "-", _text(f["prompt"])))
        report.add(Heading(f"{dimension.title} ({part['answered']} answered, readiness {readiness})", 2),
                   Table(("#", "Factor", "Answered", *SCALE_HEADINGS, "Average", "To discuss"), tuple(rows),
                         dimension.title))


