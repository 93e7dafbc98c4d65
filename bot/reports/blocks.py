"""A report as a list of blocks (headings, paragraphs, tables, charts), built once from the export.

The Word, HTML and Markdown renderers (docx.py, html.py, markdown.py beside this file) only lay
the blocks out, so every format holds the same content. Charts are drawn only when a renderer
asks for the picture (Markdown never does). Tables follow the toolkit's templates: the
self-assessment with a column per scale point and the notes, the 5 Whys, the logic model's six
columns, the action plan's steps, the two checklists; a team's report adds its members and the
ratings side by side. Charts come from bot/reports/charts.py, drawn from the same data. The
report's words (headings, paragraphs, captions, column headings) are in knowledge/messages/report.yml.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, partial
from typing import Any, Callable, Optional, Union

from bot.reports import charts
from bot.content.knowledge import Knowledge
from bot.content.messages import say
from bot.language.ratings import LABELS, RATINGS, SCORES, SHORT
from bot.assessment.scoring import readiness_score
from bot.worksheets.team_profile import sector_labels

SCALE = RATINGS   # the columns of the self-assessment tables, in the toolkit's order
# Column headings: the scale's labels, with "N/A" short enough for a narrow column.
SCALE_HEADINGS = tuple(LABELS[r].capitalize() if r in SCORES else SHORT[r] for r in RATINGS)
STAGE_LETTERS = (("purpose", say("report.stage_purpose")), ("self_assessment", say("report.stage_self_assessment")),
                 ("planning", say("report.stage_planning")), ("implementation", say("report.stage_implementation")),
                 ("sustainability", say("report.stage_sustainability")))
_STATUS_WORDS = {"yes": say("report.cell_yes"), "partly": say("report.cell_partly"),
                 "not_yet": say("report.cell_not_yet"), "not_applicable": say("report.cell_not_applicable")}


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
        return say("report.cell_yes")
    if value is False:
        return say("report.cell_no")
    return "-" if value in (None, "") else str(value)


# --- a user's report ----------------------------------------------------------------------------

def user_report(data: dict, kb: Knowledge, today: Optional[date] = None) -> Report:
    report = Report(say("report.title", who=data["user"]))
    report.add(Paragraph(say("report.prepared_for_user", date=(today or date.today()).isoformat())),
               Paragraph(_where(data["progress"], kb)))
    stages = data["progress"].get("stages") or {}
    report.add(Chart(lambda: charts.stages_chart(say("report.progress_chart"),
                                                 [(label, stages.get(sid, "not started")) for sid, label in STAGE_LETTERS]),
                     say("report.progress_chart")))
    current = next((r for r in data.get("assessment_rounds") or [] if r.get("current")), None)
    means = {d.title: (current["dimensions"][d.id]["mean"] if current else None) for d in kb.dimensions}
    if any(v is not None for v in means.values()):
        report.add(Chart(lambda: charts.dimensions_chart(say("report.dimensions_chart"), means),
                         say("report.dimensions_chart_caption")))
    _purpose(report, data)
    _self_assessment(report, data, kb)
    _work(report, data)
    return report


def _where(progress: dict, kb: Knowledge) -> str:
    """Where the user stands, in words: the stage and the open question."""
    stage = dict(STAGE_LETTERS).get(progress.get("stage") or "") or say("report.not_started")
    awaiting = progress.get("awaiting")
    if awaiting is None:
        return say("report.working_on_nothing_open", stage=stage)
    if awaiting in kb.factors:
        factor = kb.factor(awaiting)
        question = say("report.open_question_factor", number=factor.number, short=factor.short)
    elif awaiting.endswith(".next_steps"):
        question = say("report.open_question_next_steps", dimension=kb.dimension(awaiting.split('.')[0]).title.lower())
    else:
        question = awaiting.replace("_", " ").replace(".", ", ")
    return say("report.working_on", stage=stage, question=question)


def _purpose(report: Report, data: dict) -> None:
    report.add(Heading(say("report.heading_purpose")),
               Paragraph(say("report.purpose", purpose=_text(data.get("purpose")))))
    answers = data.get("purpose_answers") or {}
    rows = tuple((label, str(answers[key])) for key, label in (
        ("kind", say("report.purpose_kind")), ("kind_detail", say("report.purpose_kind_detail")),
        ("problem", say("report.purpose_problem")), ("who", say("report.purpose_who")),
        ("why_both", say("report.purpose_why_both")), ("initiator", say("report.purpose_initiator")))
        if answers.get(key))
    if rows:
        report.add(Table((say("report.col_question"), say("report.col_answer")), rows, say("report.purpose_answers")))
    goals = data.get("smart_goals") or []
    if goals:
        header = ("#", say("report.col_goal"), say("report.col_specific"), say("report.col_measurable"),
                  say("report.col_achievable"), say("report.col_results_oriented"), say("report.col_time_bound"))
        report.add(Table(header,
                         tuple((str(i), g["text"], *(_yes_no(g["checks"].get(k)) for k in (
                             "specific", "measurable", "achievable", "results_oriented", "time_bound")))
                               for i, g in enumerate(goals, 1)), say("report.smart_goals")))


def _yes_no(value: Optional[bool]) -> str:
    return {True: say("report.cell_yes"), False: say("report.cell_no")}.get(value) or say("report.cell_not_sure")


def _self_assessment(report: Report, data: dict, kb: Knowledge) -> None:
    report.add(Heading(say("report.heading_self_assessment")))
    statuses = {"ready": say("report.dimension_ready"), "needs_work": say("report.dimension_needs_work")}
    for dimension in kb.dimensions:
        part = data["self_assessment"][dimension.id]
        status = statuses.get(part["status"]) or say("report.dimension_no_status")
        rows = []
        for factor in dimension.factors:
            answer = part["factors"][factor.id]
            marks = tuple("X" if answer["rating"] == r else "" for r in SCALE)
            rows.append((str(factor.number), factor.title, *marks, _text(answer["note"])))
        report.add(Heading(f"{dimension.title} ({status})", 2),
                   Table(("#", say("report.col_factor"), *SCALE_HEADINGS, say("report.col_notes")), tuple(rows),
                         dimension.title),
                   Paragraph(say("report.next_steps", next_steps=_text(part["next_steps"]))))
    rounds = data.get("assessment_rounds") or []
    if len(rounds) > 1:
        rows = []
        round_statuses = {"ready": say("report.round_ready"), "needs_work": say("report.round_needs_work")}
        for dimension in kb.dimensions:
            cells = []
            for r in rounds:
                result = r["dimensions"][dimension.id]
                status = round_statuses.get(result["status"], "-")
                cells.append(f"{result['mean']:.1f}, {status}" if result["mean"] is not None else "-")
            rows.append((dimension.title, *cells))
        report.add(Heading(say("report.heading_rounds"), 2),
                   Table((say("report.col_dimension"),
                          *(say("report.col_round", round=r["round"], started=r["started"] or "-") for r in rounds)),
                         tuple(rows), say("report.rounds_caption")))


def _work(report: Report, data: dict) -> None:
    """Stages C, D and E, the same for a user and a team."""
    five = data.get("five_whys") or {}
    report.add(Heading(say("report.heading_planning")), Heading(say("report.heading_five_whys"), 2),
               Paragraph(say("report.problem_statement", problem=_text(five.get("problem")))),
               Table((say("report.col_why"), say("report.col_reason"), say("report.col_evidence")),
                     tuple((str(i), _text(w["answer"]), _text(w["evidence"])) for i, w in
                           enumerate(five.get("whys") or [], 1)), say("report.five_whys")),
               Table((say("report.col_root_cause"), say("report.col_how_we_know"), say("report.col_prevents")),
                     tuple((_text(c["text"]), _text(c["evidence"]), _yes_no(c["validated"]))
                           for c in five.get("root_causes") or []), say("report.root_causes")))
    model = data.get("logic_model") or {}
    columns = ("inputs", "activities", "outputs", "short_term_outcomes", "long_term_outcomes", "impact")
    model_header = (say("report.col_inputs"), say("report.col_activities"), say("report.col_outputs"),
                    say("report.col_short_term"), say("report.col_long_term"), say("report.col_impact"))
    report.add(Heading(say("report.logic_model"), 2),
               Paragraph(say("report.logic_model_problem", problem=_text(model.get("problem")))),
               Table(model_header, (tuple(_text(model.get(c) or []) for c in columns),), say("report.logic_model")),
               Paragraph(say("report.enabling_factors", factors=_text(model.get("enabling_factors") or []))),
               Paragraph(say("report.constraining_factors", factors=_text(model.get("constraining_factors") or []))))
    plan_header = (say("report.col_step"), say("report.col_action"), say("report.col_who"), say("report.col_by_when"),
                   say("report.col_resources_needed"), say("report.col_resources_available"),
                   say("report.col_barriers"), say("report.col_communications"))
    for number, plan in enumerate(data.get("action_plans") or [], 1):
        report.add(Heading(say("report.action_plan", number=number), 2),
                   Paragraph(say("report.plan_goal", goal=_text(plan.get("goal")))),
                   Paragraph(say("report.plan_outcomes", outcomes=_text(plan.get("outcomes") or []))),
                   Table(plan_header,
                         tuple((str(i), *(_text(step.get(k)) for k in ("action", "who", "by_when", "resources_needed",
                                                                        "resources_available", "barriers",
                                                                        "communications")))
                               for i, step in enumerate(plan.get("steps") or [], 1)),
                         say("report.action_plan", number=number)),
                   Paragraph(say("report.plan_evaluation", evidence=_text(plan.get("evidence_of_success")),
                                 evaluation=_text(plan.get("evaluation_process")))),
                   Paragraph(say("report.plan_capacity", capacity=_text(plan.get("capacity_to_collaborate")),
                                 scope=_text(plan.get("scope")))))
    report.add(Heading(say("report.heading_implementation")))
    check_ins = data.get("implementation") or []
    if not check_ins:
        report.add(Paragraph(say("report.no_check_in")))
    for check_in in check_ins:
        phase = (check_in["phase"] or "-").replace("_", " ")
        report.add(Heading(say("report.check_in_heading", date=check_in["date"], phase=phase,
                               in_place=check_in["in_place"], total=check_in["total"]), 2),
                   _checklist(check_in["qualities"], say("report.check_in", date=check_in["date"])))
    sustain = data.get("sustainability") or {}
    report.add(Heading(say("report.heading_sustainability")))
    if sustain.get("date"):
        report.add(Paragraph(say("report.sustainability_updated", date=sustain["date"], in_place=sustain["in_place"],
                                 total=sustain["total"])),
                   _checklist(sustain["points"], say("report.sustainability_checklist")))
    else:
        report.add(Paragraph(say("report.sustainability_not_started")))


def _checklist(points: list[dict], caption: str) -> Table:
    return Table(("#", say("report.col_quality"), say("report.col_in_place"), say("report.col_successes"),
                  say("report.col_next_steps")),
                 tuple((str(i), p["text"], _STATUS_WORDS.get(p["status"] or "", "-"), _text(p["note"]),
                        _text(p["next_step"])) for i, p in enumerate(points, 1)), caption)


# --- a team's report ----------------------------------------------------------------------------

def team_report(data: dict, kb: Knowledge, today: Optional[date] = None) -> Report:
    team, labels = data["team"], sector_labels()
    report = Report(say("report.title", who=team["name"]))
    opted = say("report.team_opted_in") if team["settings"]["by_organisation"] else say("report.team_opted_out")
    report.add(Paragraph(say("report.prepared_for_team", date=(today or date.today()).isoformat(), team=team["name"],
                             min_group=team["settings"]["min_group"], opted=opted)))  # no join code: reports travel
    stages = data.get("progress", {}).get("stages") or {}
    report.add(Chart(lambda: charts.stages_chart(say("report.team_progress_chart", team=team["name"]),
                                                 [(label, stages.get(sid, "not started")) for sid, label in STAGE_LETTERS]),
                     say("report.team_progress_caption")))
    header = (say("report.col_name"), say("report.col_organisation"), say("report.col_sector"), say("report.col_role"),
              say("report.col_facilitator"), say("report.col_self_assessment"))
    report.add(Heading(say("report.members")), Table(
        header,
        tuple((_text(m["name"]), _text(m["organisation"]), labels.get(m["sector"] or "", "-"), _text(m["role"]),
               say("report.cell_yes") if m["facilitator"] else say("report.cell_no"),
               say("report.member_finished") if m["self_assessment"]["finished"]
               else say("report.member_answered", count=m["self_assessment"]["answered"]))
              for m in data["members"]), say("report.members")))
    _comparison(report, data["comparison"], kb)
    _purpose(report, data)
    _work(report, data)
    if data.get("contributions"):
        report.add(Heading(say("report.who_wrote_what")), Table(
            (say("report.col_worksheet"), say("report.col_answer"), say("report.col_written_by")),
            tuple((document, path, who) for document, paths in data["contributions"].items()
                  for path, who in paths.items()), say("report.who_wrote_what")))
    return report


def _comparison(report: Report, comparison: dict, kb: Knowledge) -> None:
    report.add(Heading(say("report.heading_comparison")))
    if not comparison["shown"]:
        report.add(Paragraph(say("report.comparison_waiting", answered=comparison["answered"],
                                 members=comparison["members"], min_group=comparison["min_group"])))
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
    caption = say("report.team_dimensions_caption_organisations") if members else say("report.team_dimensions_caption")
    report.add(Chart(lambda: charts.dimensions_chart(say("report.team_dimensions_chart"), means, members), caption))
    factors = [f for d in kb.dimensions for f in d.factors]
    numbers = [str(f.number) for f in factors]
    details = {f.id: comparison["dimensions"][f.dimension_id]["factors"][f.id] for f in factors}
    if comparison["by_organisation"]:
        organisations = sorted({e["organisation"] for d in details.values() for e in d.get("by_organisation") or []})
        cells = [[next((SCORES.get(e["rating"]) for e in details[f.id].get("by_organisation") or []
                        if e["organisation"] == org), None) for f in factors] for org in organisations]
        heatmap = partial(charts.agreement_heatmap, say("report.heatmap_by_organisation"),
                          numbers, organisations, cells, counts=False)
    else:
        cells = [[(details[f.id]["counts"] or {}).get(r) if details[f.id]["shown"] else None for f in factors]
                 for r in SCALE]
        heatmap = partial(charts.agreement_heatmap, say("report.heatmap_counts"), numbers,
                          list(SCALE_HEADINGS), cells, counts=True)
    report.add(Chart(heatmap, say("report.heatmap_caption")))
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
        report.add(Heading(say("report.comparison_heading", dimension=dimension.title, answered=part["answered"],
                               readiness=readiness), 2),
                   Table(("#", say("report.col_factor"), say("report.col_answered"), *SCALE_HEADINGS,
                          say("report.col_average"), say("report.col_to_discuss")), tuple(rows), dimension.title))


