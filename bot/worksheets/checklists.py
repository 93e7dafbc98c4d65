"""Stages D and E as worksheets: the dated implementation check-in and the sustainability checklist.

Both ask, point by point, whether something is in place (yes / partly / not yet / not
applicable), read a note typed after the answer ("partly: the budget is approved, staffing
not yet"), and ask for a next step where the answer is partly or not yet. A check-in is kept
per date, so the next one can say what changed since the last check-in of the same phase.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional


from bot.content.knowledge import document
from bot.content.messages import say
from bot.language.commands import declines
from bot.language.replies import Button
from bot.language.text import MAX_ANSWER_CHARS, clean_text, too_long
from bot.worksheets.fields import CHOICE, TEXT, Answer, Field, Worksheet, get_path, mark

YES, PARTLY, NOT_YET, NOT_APPLICABLE = "yes", "partly", "not_yet", "not_applicable"
OPEN = (PARTLY, NOT_YET)  # answers that get a "next step" question

_STATUS_WORDS = [  # order matters: "not applicable" before "not yet" before "no"
    (NOT_APPLICABLE, r"n\s*/\s*a|na|not applicable|does ?n[o']t apply|doesn'?t apply|not relevant|irrelevant"),
    (NOT_YET, r"not yet|no|nope|nah|not really|not at all|none yet|nothing yet|never|we have ?n[o']t|haven'?t|have not|"
              r"missing|absent|false|❌|👎|✖️?"),
    (PARTLY, r"partly|partially|part(?:ial)?|somewhat|some|sort of|sorta|kind of|kinda|in progress|half(?:way)?|"
             r"getting there|mostly|almost|started|underway|under way|on the way|working on it|a bit|a little|meh|🤏|〰️"),
    (YES, r"yes|yeah|yep|yup|y|in place|done|complete(?:d)?|fully|absolutely|definitely|we have|it is|true|sure|"
          r"of course|✅|👍|✔️?|☑️?"),
]
_STATUS = [(status, re.compile(rf"^(?:{words})(?:\b|(?<=\W))(?P<sep>[\s,.:;!—–-]*)(?P<note>.*)$", re.S))
           for status, words in _STATUS_WORDS]
_BY_NUMBER = {"1": YES, "2": PARTLY, "3": NOT_YET, "4": NOT_APPLICABLE}


def implementation_texts() -> dict:
    return document("implementation.yml")


def sustaining_texts() -> dict:
    return document("sustaining.yml")


def status_label(status: Optional[str]) -> str:
    labels = {s["id"]: s["label"] for s in implementation_texts()["statuses"]}
    return labels[status] if status in labels else say("stages.status_not_answered")


STATUS_BUTTONS = tuple(Button(s["button"], s["button"].lower() if s["id"] != NOT_APPLICABLE else "n/a")
                       for s in implementation_texts()["statuses"])


def parse_status(text: str) -> tuple[Optional[str], Optional[str]]:
    """(status, note) from an answer such as "partly - the board agreed, staff not yet"."""
    cleaned = clean_text(text).strip()
    normal = cleaned.lower()
    number = re.match(r"^([1-4])\b[\s,.:;—–-]*(.*)$", normal, re.S)
    if number:
        note = cleaned[len(cleaned) - len(number.group(2)):].strip() if number.group(2) else ""
        return _BY_NUMBER[number.group(1)], note or None
    for status, pattern in _STATUS:
        found = pattern.match(normal)
        if found:
            if not found.group("note"):
                return status, None
            # "partly: budget approved" keeps what follows; "no budget yet" is a note as a whole
            punctuated = found.group("sep").strip() != ""
            return status, cleaned[found.start("note"):].strip() if punctuated else cleaned
    return None, None


@dataclass(frozen=True)
class Point:
    id: str
    short: str
    text: str
    link: Optional[str] = None


def today() -> date:
    return date.today()


def _points(specs: list[dict]) -> list[Point]:
    return [Point(s["id"], s["short"], s["text"], s.get("link")) for s in specs]


def _nice_date(iso: Optional[str]) -> str:
    if not iso:
        return say("stages.earlier_date")
    day = date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%B')}" + (f" {day.year}" if day.year != today().year else "")


class Checklist(Worksheet):
    """Points answered yes / partly / not yet / n/a, with an optional note and a next step."""

    noun = "point"

    def points(self, doc: dict) -> list[Point]:
        raise NotImplementedError

    def heading(self, doc: dict) -> str:
        return ""

    def point_prompt(self, point: Point, number: int, total: int, doc: dict, ctx: Any) -> str:
        hint = " " + say("stages.note_hint") if number == 1 else ""
        heading = self.heading(doc)
        if heading:
            return say("stages.point_question_in", heading=heading, noun=self.noun, number=number, total=total,
                       point=point.text, hint=hint)
        return say("stages.point_question", noun=self.noun.capitalize(), number=number, total=total, point=point.text,
                   hint=hint)

    def point_fields(self, doc: dict, ctx: Any) -> list[Field]:
        points = self.points(doc)
        fields = []
        for number, point in enumerate(points, start=1):
            fields.append(Field(f"items.{point.id}.status", point.short,
                                self.point_prompt(point, number, len(points), doc, ctx), TEXT, help=self.kind,
                                buttons=STATUS_BUTTONS))
            if get_path(doc, f"items.{point.id}.status") in OPEN:
                fields.append(Field(f"items.{point.id}.next_step", f"next step for {point.short}",
                                    say("stages.next_step_prompt", point=point.short), help=self.kind))
        return fields

    def read(self, doc: dict, fld: Field, text: str) -> Optional[Answer]:
        cleaned = clean_text(text)
        if too_long(cleaned):
            return Answer(reply=say("stages.too_long", limit=MAX_ANSWER_CHARS))
        if fld.path.endswith(".status"):
            status, note = parse_status(cleaned)
            if status is None:
                return Answer(reply=say("stages.status_unclear"))
            base = fld.path[: -len(".status")]
            if note:
                set_note = doc.setdefault("items", {}).setdefault(base.split(".", 1)[1], {})
                set_note["note"] = note
            point, label = fld.label.capitalize(), status_label(status)
            reply = (say("stages.status_saved_with_note", point=point, status=label, note=note) if note
                     else say("stages.status_saved", point=point, status=label))
            return Answer(status, stored=True, reply=reply)
        if fld.path.endswith(".next_step") and declines(cleaned):
            mark(doc, "_skipped", fld.path)
            return Answer(None, stored=False)
        return None

    def edit_hint(self) -> str:
        return say("stages.checklist_edit_hint")

    def tally(self, doc: dict) -> dict[str, list[Point]]:
        groups: dict[str, list[Point]] = {YES: [], PARTLY: [], NOT_YET: [], NOT_APPLICABLE: [], "": []}
        for point in self.points(doc):
            groups[get_path(doc, f"items.{point.id}.status") or ""].append(point)
        return groups

    def export_points(self, doc: dict) -> list[dict]:
        return [{"id": p.id, "text": p.text, "status": get_path(doc, f"items.{p.id}.status"),
                 "note": get_path(doc, f"items.{p.id}.note"), "next_step": get_path(doc, f"items.{p.id}.next_step")}
                for p in self.points(doc)]


def _open_list(points: list[Point], limit: int = 4) -> str:
    names = ", ".join(p.short for p in points[:limit])
    return say("stages.points_and_more", points=names, more=len(points) - limit) if len(points) > limit else names


class ImplementationCheckIn(Checklist):
    """Stage D: one dated check-in on one phase (piloting, full implementation, reflection)."""

    kind = "implementation"
    stage = "implementation"
    title = "implementation check-in"
    noun = "quality"

    @staticmethod
    def phases() -> list[dict]:
        return implementation_texts()["phases"]

    def phase(self, doc: dict) -> Optional[dict]:
        return next((ph for ph in self.phases() if ph["title"] == doc.get("phase")), None)

    def points(self, doc: dict) -> list[Point]:
        phase = self.phase(doc)
        return _points(phase["qualities"]) if phase else []

    def heading(self, doc: dict) -> str:
        phase = self.phase(doc)
        return phase["title"] if phase else ""

    def new_document(self, ctx: Any) -> dict:
        earlier = ctx.repo.work_items(ctx.participant, self.kind) if ctx is not None else []
        return {"date": today().isoformat(), "number": len(earlier) + 1}

    def fields(self, doc: dict, ctx: Any = None) -> list[Field]:
        options = tuple(ph["title"] for ph in self.phases())
        previous = self.previous(doc, ctx, same_phase=False)
        prompt = (say("stages.phase_prompt_after", date=_nice_date(previous.get("date")),
                      phase=(previous.get("phase") or say("stages.no_phase")).lower())
                  if previous is not None else say("stages.phase_prompt"))
        return [Field("phase", "phase", prompt, CHOICE, options, help="implementation")] + self.point_fields(doc, ctx)

    def previous(self, doc: dict, ctx: Any, same_phase: bool = True) -> Optional[dict]:
        """The latest earlier check-in (of the same phase, by default)."""
        if ctx is None:
            return None
        number = doc.get("number") or 0
        earlier = [dict(item.data) for item in ctx.repo.work_items(ctx.participant, self.kind)
                   if (item.data.get("number") or 0) < number]
        if same_phase:
            earlier = [d for d in earlier if d.get("phase") == doc.get("phase")]
        return earlier[-1] if earlier else None

    def changes(self, doc: dict, ctx: Any) -> str:
        """What moved since the last check-in of the same phase, in one line."""
        now = self.tally(doc)
        still_open = now[PARTLY] + now[NOT_YET]
        open_text = (say("stages.still_open", points=_open_list(still_open)) if still_open
                     else say("stages.nothing_left_open"))
        previous = self.previous(doc, ctx)
        if previous is None:
            return say("stages.first_check_in_tally", in_place=len(now[YES]), total=len(self.points(doc)),
                       still_open=open_text)
        before = self.tally(previous)
        gained = len(now[YES]) - len(before[YES])
        since = _nice_date(previous.get("date"))
        if gained == 1:
            head = say("stages.one_more_in_place", since=since)
        elif gained > 0:
            head = say("stages.more_in_place", more=gained, since=since)
        elif gained < 0:
            head = say("stages.fewer_in_place", fewer=-gained, since=since)
        else:
            head = say("stages.as_many_in_place", since=since, in_place=len(now[YES]))
        newly = [p for p in now[YES] if p not in before[YES]]
        detail = " " + say("stages.newly_in_place", points=_open_list(newly, 3)) if newly and gained > 0 else ""
        return f"{head}{detail}; {open_text}"

    def completion(self, doc: dict, ctx: Any = None) -> str:
        phase = (doc.get("phase") or "").lower()
        return say("stages.check_in_saved", date=_nice_date(doc.get("date")), phase=phase,
                   changes=self.changes(doc, ctx))

    def export(self, doc: dict) -> dict:
        phase = self.phase(doc)
        return {"date": doc.get("date"), "phase": phase["id"] if phase else None,
                "qualities": self.export_points(doc),
                "in_place": len(self.tally(doc)[YES]), "total": len(self.points(doc))}

    def intro(self, ctx: Any = None) -> str:
        if ctx is not None and len(ctx.repo.work_items(ctx.participant, self.kind)) > 1:
            return say("stages.check_in_again", date=_nice_date(today().isoformat()))
        return " ".join(implementation_texts()["intro"].split())

    def summary(self, doc: dict, ctx: Any = None) -> str:
        return self.completion(doc, ctx)

    def next_buttons(self, doc: dict, ctx: Any = None) -> tuple[Button, ...]:
        return (Button("Sustainability checklist", "start the sustainability checklist"),
                Button("Show my progress", "show my progress"))


class SustainabilityChecklist(Checklist):
    """Stage E: the eleven points that prepare a collaboration to last and to grow."""

    kind = "sustainability"
    stage = "sustainability"
    title = "sustainability checklist"

    def points(self, doc: dict) -> list[Point]:
        return _points(sustaining_texts()["points"])

    def point_prompt(self, point: Point, number: int, total: int, doc: dict, ctx: Any) -> str:
        prompt = super().point_prompt(point, number, total, doc, ctx)
        if point.link == "logic_model" and ctx is not None:
            model = ctx.document("logic_model")
            if model.get("problem"):
                activities = len(model.get("activities") or [])
                prompt += "\n" + say("stages.logic_model_built", problem=model["problem"], activities=activities)
            else:
                prompt += "\n" + say("stages.no_logic_model")
        return prompt

    def new_document(self, ctx: Any) -> dict:
        return {"date": today().isoformat()}

    def fields(self, doc: dict, ctx: Any = None) -> list[Field]:
        return self.point_fields(doc, ctx)

    def completion(self, doc: dict, ctx: Any = None) -> str:
        groups = self.tally(doc)
        still_open = groups[PARTLY] + groups[NOT_YET]
        lines = [say("stages.sustainability_saved", in_place=len(groups[YES]), total=len(self.points(doc)))]
        if still_open:
            lines.append(say("stages.to_work_on", points=_open_list(still_open)))
        lines.append(say("stages.fresh_round"))
        return " ".join(lines)

    def next_buttons(self, doc: dict, ctx: Any = None) -> tuple[Button, ...]:
        buttons = [Button("New self-assessment round", "start a new self-assessment round")]
        if ctx is not None and not ctx.document("logic_model").get("problem"):
            buttons.insert(0, Button("Build the logic model", "start the logic model"))
        return tuple(buttons)

    def export(self, doc: dict) -> dict:
        return {"date": doc.get("date"), "points": self.export_points(doc),
                "in_place": len(self.tally(doc)[YES]), "total": len(self.points(doc))}

    def intro(self, ctx: Any = None) -> str:
        return " ".join(sustaining_texts()["intro"].split())

    def summary(self, doc: dict, ctx: Any = None) -> str:
        return self.completion(doc, ctx)
