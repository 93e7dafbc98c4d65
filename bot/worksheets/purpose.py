"""Stage A as a worksheet: the unifying purpose, then SMART goals checked one by one.

A proposed goal is checked at once (bot.language.smart). If something is missing, the bot says what,
offers a rewording built from the user's words, and the user takes it ("yes"), keeps their
own ("keep mine") or types a better version, which is checked again. Then: is it achievable?
Another goal?
"""
from __future__ import annotations

import re
from typing import Any, Optional


from bot.content.knowledge import document
from bot.content.messages import say
from bot.language.replies import Button, Reply
from bot.language.smart import check_goal
from bot.language.text import MAX_ANSWER_CHARS, clean_text, too_long
from bot.worksheets.fields import CHOICE, YES, YESNO, Answer, Field, Worksheet, as_bool, get_path, set_path, yes_no

KIND = "purpose"
_KEEP = re.compile(r"^(?:keep|keep (?:it|mine|my (?:own|version|goal|wording))|no|mine|my version|leave it|as is)\b")


def texts() -> dict:
    return document("purpose.yml")


def draft_statement(doc: dict) -> Optional[str]:
    """A purpose statement from the answers so far, in one sentence the team can edit."""
    problem, who, why = (doc.get(k) for k in ("problem", "who", "why_both"))
    if not (problem and who):
        return None
    problem, who = problem.rstrip(". "), who.rstrip(". ")
    if why:
        return say("stages.draft_purpose_because", problem=problem, who=who, why=why[0].lower() + why[1:].rstrip(". "))
    return say("stages.draft_purpose", problem=problem, who=who)


def goal_prompt(goal: dict) -> str:
    check = goal.get("checks") or {}
    missing = [issue for issue in goal.get("issues", []) if not issue.startswith("achievable")]
    lines = [say("stages.goal_checked", goal=goal["text"])]
    marks = {"specific": "specific", "measurable": "measurable", "results_oriented": "results-oriented",
             "time_bound": "time-bound"}
    lines.append(" ".join(f"{'✓' if check.get(k) else '✗'} {label}" for k, label in marks.items()))
    lines += [f"- {issue}" for issue in missing]
    lines.append(say("stages.goal_suggestion", suggestion=goal["suggestion"]))
    lines.append(say("stages.goal_choice"))
    return "\n".join(lines)


class PurposeWorksheet(Worksheet):
    kind = KIND
    stage = "purpose"
    title = "unifying purpose and SMART goals"

    def fields(self, doc: dict, ctx: Any = None) -> list[Field]:
        t = texts()
        f = t["fields"]
        glossary = "unifying_purpose"
        fields = [
            Field("kind", "kind of purpose", f["kind"], CHOICE, tuple(t["kinds"]) + ("Something else",), help=glossary),
            Field("problem", "problem or opportunity", f["problem"], help=glossary),
            Field("who", "students and families", f["who"], help=glossary),
            Field("why_both", "why both sectors", f["why_both"], help=glossary),
            Field("initiator", "initiator", f["initiator"], help="initiator"),
            Field("statement", "purpose statement", f["statement"], offer=draft_statement(doc), help=glossary),
        ]
        goals = doc.get("goals") or []
        shown = len(goals) + 1 if not goals or goals[-1].get("another") == YES else len(goals)
        g = t["goals"]
        for i in range(shown):
            goal = goals[i] if i < len(goals) else {}
            number = i + 1
            fields.append(Field(f"goals.{i}.text", f"goal {number}", (g["intro"] + "\n" if i == 0 else "") + g["ask"],
                                offer=goal.get("draft"), help="smart"))
            if goal.get("text") and not goal.get("passes"):
                fields.append(Field(f"goals.{i}.decision", f"goal {number} wording", goal_prompt(goal), help="smart"))
            fields.append(Field(f"goals.{i}.achievable", f"goal {number} achievable", g["achievable"], YESNO,
                                help="smart"))
            fields.append(Field(f"goals.{i}.another", f"another goal after {number}", g["another"], YESNO))
        return fields

    def read(self, doc: dict, fld: Field, text: str) -> Optional[Answer]:
        """Goal texts and wording decisions need more than the generic field kinds."""
        if fld.path.startswith("goals.") and too_long(clean_text(text)):  # a goal is an answer like any other
            return Answer(reply=say("stages.too_long", limit=MAX_ANSWER_CHARS))
        if fld.path.endswith(".text") and fld.path.startswith("goals."):
            index = int(fld.path.split(".")[1])
            draft = (get_path(doc, f"goals.{index}") or {}).get("draft")
            goal = draft if draft and yes_no(text) == YES else clean_text(text)
            self._set_goal(doc, index, goal)
            return Answer(goal, stored=True, reply=None)
        if fld.path.endswith(".decision"):
            index = int(fld.path.split(".")[1])
            goal = doc["goals"][index]
            cleaned = clean_text(text)
            if yes_no(cleaned) == YES and "[" in goal["suggestion"]:
                # a suggestion with blanks is kept, and the user is asked to fill them in now
                blanks = ", ".join(dict.fromkeys(re.findall(r"\[[^\]]+\]", goal["suggestion"])))
                self._set_goal(doc, index, goal["suggestion"])
                return Answer(None, stored=False, reply=say("understanding.fill_blanks", blanks=blanks))
            if yes_no(cleaned) == YES:
                self._set_goal(doc, index, goal["suggestion"], decision="suggestion")
                return Answer("suggestion", stored=True,
                              reply=say("stages.goal_saved_suggestion", number=index + 1, goal=goal["suggestion"]))
            if _KEEP.match(cleaned.lower()):
                return Answer("kept", stored=True, reply=say("stages.goal_kept", number=index + 1))
            self._set_goal(doc, index, cleaned)
            if doc["goals"][index]["passes"]:
                return Answer("revised", stored=True, reply=say("stages.goal_revised", number=index + 1))
            return Answer(None, stored=False, reply=say("stages.goal_rechecked"))
        return None

    def after(self, doc: dict, fld: Field) -> list[Reply]:
        if fld.path.startswith("goals.") and fld.path.endswith(".text"):
            index = int(fld.path.split(".")[1])
            if doc["goals"][index].get("passes"):
                return [Reply(say("stages.goal_passes", number=index + 1))]
        return []

    @staticmethod
    def _set_goal(doc: dict, index: int, text: str, decision: Optional[str] = None) -> None:
        check = check_goal(text)
        goal = dict(get_path(doc, f"goals.{index}") or {})
        goal.update(text=text, checks=check.checks, issues=check.issues, suggestion=check.suggestion,
                    passes=check.passes)
        goal.pop("draft", None)
        goal["decision"] = decision
        set_path(doc, f"goals.{index}", goal)

    def forget(self, doc: dict, path: str) -> None:
        """A forgotten goal takes its check and the rewording built from its words with it."""
        match = re.match(r"^goals\.(\d+)\.text$", path)
        if match is None:
            return super().forget(doc, path)
        goal = get_path(doc, f"goals.{match.group(1)}") or {}
        goal.update(text=None, checks={}, issues=[], suggestion=None, passes=False, decision=None)

    def intro(self, ctx: Any = None) -> str:
        return " ".join(texts()["intro"].split())

    def summary(self, doc: dict, ctx: Any = None) -> str:
        exported = self.export(doc)
        goals = "; ".join(g["text"] for g in exported["smart_goals"]) or say("stages.no_goals_yet")
        return say("stages.purpose_summary", purpose=exported["purpose"], goals=goals)

    def edit_hint(self) -> str:
        return say("stages.purpose_edit_hint")

    def next_buttons(self, doc: dict, ctx: Any = None) -> tuple[Button, ...]:
        return (Button("Start the self-assessment", "start the self-assessment"),)

    def completion(self, doc: dict, ctx: Any = None) -> str:
        goals = [g for g in doc.get("goals") or [] if g.get("text")]
        return say("stages.purpose_complete", goals=len(goals))

    def export(self, doc: dict) -> dict:
        goals = []
        for goal in doc.get("goals") or []:
            if not goal.get("text"):
                continue
            checks = dict(goal.get("checks") or {})
            checks["achievable"] = as_bool(goal.get("achievable"))
            index = (doc.get("goals") or []).index(goal)
            note = (doc.get("_notes") or {}).get(f"goals.{index}.achievable")
            goals.append({"text": goal["text"], "checks": checks, **({"achievable_note": note} if note else {})})
        kind_note = (doc.get("_notes") or {}).get("kind")
        answers = {"kind": doc.get("kind"), "kind_detail": kind_note, "problem": doc.get("problem"),
                   "who": doc.get("who"), "why_both": doc.get("why_both"), "initiator": doc.get("initiator")}
        return {"purpose": doc.get("statement"), "smart_goals": goals, "purpose_answers": answers}

