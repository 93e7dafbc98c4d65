"""Stage C's three templates as worksheets: the 5 Whys, the logic model, and action plans.

Each says which fields it has given what is filled in, reads the few answers that need more
than a plain field (stopping the whys early, picking root causes by number), and exports its
document in the shape of the toolkit's template.
"""
from __future__ import annotations

import re
from typing import Any, Optional


from bot.content.knowledge import document
from bot.content.messages import say
from bot.language.replies import Button
from bot.language.text import clean_text
from bot.worksheets.fields import LIST, TEXT, YES, YESNO, Answer, Field, Worksheet, as_bool, mark

MAX_WHYS = 5
_ROOT_REACHED = re.compile(r"^(?:that'?s (?:the|it|our) (?:root|bottom)|(?:we'?ve |i'?ve )?(?:reached|hit|found) the root|"
                           r"that'?s the root cause|root reached|stop(?: here| asking)?|no more whys?|done|enough|"
                           r"that'?s it|that'?s all)\b")


def texts() -> dict:
    return document("planning.yml")


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class FiveWhys(Worksheet):
    kind = "five_whys"
    stage = "planning"
    title = "5 Whys root-cause analysis"
    suggest_lessons_on = ("problem", "root_pick")

    def fields(self, doc: dict, ctx: Any = None) -> list[Field]:
        t = texts()["five_whys"]
        fields = [Field("problem", "problem statement", t["problem"], help="five_whys")]
        whys = doc.get("whys") or []
        answered = sum(1 for w in whys if w.get("answer"))
        shown = answered if doc.get("whys_done") or answered >= MAX_WHYS else answered + 1
        for i in range(shown):
            previous = doc.get("problem") or "" if i == 0 else (whys[i - 1].get("answer") or "")
            prompt = t["why"].format(n=i + 1, previous=_short(previous)) + (" " + t["stop_hint"] if i else "")
            fields.append(Field(f"whys.{i}.answer", f"why {i + 1}", prompt, help="five_whys"))
            fields.append(Field(f"whys.{i}.evidence", f"evidence for why {i + 1}", t["evidence"], help="five_whys"))
        if not (doc.get("whys_done") or answered >= MAX_WHYS):
            return fields
        choices = "\n".join(f"{i + 1}. {w['answer']}" for i, w in enumerate(whys) if w.get("answer"))
        fields.append(Field("root_pick", "root causes", t["pick"] + "\n" + choices, help="root_cause"))
        for j, cause in enumerate(doc.get("root_causes") or []):
            fields.append(Field(f"root_causes.{j}.evidence", f"evidence for root cause {j + 1}",
                                t["cause_evidence"].format(cause=_short(cause["text"])), help="root_cause"))
            fields.append(Field(f"root_causes.{j}.validated", f"root cause {j + 1} check",
                                t["validate"].format(cause=_short(cause["text"])), YESNO, help="root_cause"))
        return fields

    def read(self, doc: dict, fld: Field, text: str) -> Optional[Answer]:
        cleaned = clean_text(text)
        if re.fullmatch(r"whys\.\d+\.evidence", fld.path) and _ROOT_REACHED.match(cleaned.lower()):
            # "that's the root" said at the evidence question: this why is the last one, and no evidence
            index = int(fld.path.split(".")[1]) + 1
            doc["whys"] = [w for w in doc.get("whys") or [] if w.get("answer")][:index]
            doc["whys_done"] = True
            mark(doc, "_skipped", fld.path)
            return Answer(None, stored=False, reply=say("stages.whys_stopped", whys=index))
        if re.fullmatch(r"whys\.\d+\.answer", fld.path):
            index = int(fld.path.split(".")[1])
            if index > 0 and _ROOT_REACHED.match(cleaned.lower()):
                doc["whys"] = [w for w in doc.get("whys") or [] if w.get("answer")][:index]
                doc["whys_done"] = True
                return Answer(None, stored=False, reply=say("stages.whys_stopped", whys=index))
            return None
        if fld.path == "root_pick":
            whys = [w for w in doc.get("whys") or [] if w.get("answer")]
            ordinals = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": len(whys),
                        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
            named = re.sub(rf"\b({'|'.join(ordinals)})\b(?: one| why)?", lambda m: str(ordinals[m.group(1)]),
                           cleaned.lower())
            if named != cleaned.lower() and not re.search(r"[a-z]{4,}", re.sub(
                    r"\b(?:and|or|both|numbers?|whys?|the|all|ones?)\b", "", named)):
                cleaned = named  # "the first and the last one"
            numbers = [int(n) for n in re.findall(r"\b(\d)\b", cleaned) if 1 <= int(n) <= len(whys)]
            if numbers and not re.search(r"[a-zA-Z]{4,}", re.sub(r"\b(?:and|or|both|numbers?|whys?|the|all)\b", "", cleaned)):
                picked = [{"text": whys[n - 1]["answer"], "evidence": whys[n - 1].get("evidence"), "validated": None}
                          for n in dict.fromkeys(numbers)]
            elif re.fullmatch(r"(?:all|all of them|every one)", cleaned.lower()):
                picked = [{"text": w["answer"], "evidence": w.get("evidence"), "validated": None} for w in whys]
            else:
                picked = [{"text": cleaned, "evidence": None, "validated": None}]
            doc["root_causes"] = picked  # answered again (after "go back"): the new pick replaces the old
            causes = "; ".join(_short(p["text"], 60) for p in picked)
            return Answer(cleaned, stored=True, reply=say("stages.root_causes_noted", causes=causes))
        return None

    def intro(self, ctx: Any = None) -> str:
        return " ".join(texts()["five_whys"]["intro"].split())

    def summary(self, doc: dict, ctx: Any = None) -> str:
        exported = self.export(doc)
        return say("stages.five_whys_summary", problem=exported["problem"], whys=len(exported["whys"]),
                   causes=len(exported["root_causes"]))

    def next_buttons(self, doc: dict, ctx: Any = None) -> tuple[Button, ...]:
        return (Button("Start the logic model", "start the logic model"),)

    def completion(self, doc: dict, ctx: Any = None) -> str:
        validated = sum(1 for c in doc.get("root_causes") or [] if c.get("validated") == YES)
        return say("stages.five_whys_saved", whys=len([w for w in doc.get("whys") or [] if w.get("answer")]),
                   causes=len(doc.get("root_causes") or []), confirmed=validated)

    def export(self, doc: dict) -> dict:
        return {
            "problem": doc.get("problem"),
            "whys": [{"answer": w.get("answer"), "evidence": w.get("evidence")}
                     for w in doc.get("whys") or [] if w.get("answer")],
            "root_causes": [{"text": c.get("text"), "evidence": c.get("evidence"), "validated": as_bool(c.get("validated"))}
                            for c in doc.get("root_causes") or []],
        }


class LogicModel(Worksheet):
    kind = "logic_model"
    stage = "planning"
    title = "logic model"

    def fields(self, doc: dict, ctx: Any = None) -> list[Field]:
        offer = ctx.document("five_whys").get("problem") if ctx is not None else None
        fields = []
        for spec in texts()["logic_model"]["fields"]:
            kind = TEXT if spec["id"] == "problem" else LIST
            fields.append(Field(spec["id"], spec["label"], spec["prompt"], kind,
                                offer=offer if spec["id"] == "problem" else None, help="logic_model"))
        return fields

    def intro(self, ctx: Any = None) -> str:
        return " ".join(texts()["logic_model"]["intro"].split())

    def summary(self, doc: dict, ctx: Any = None) -> str:
        return say("stages.logic_model_summary", problem=doc.get("problem"))

    def next_buttons(self, doc: dict, ctx: Any = None) -> tuple[Button, ...]:
        return (Button("Start an action plan", "start an action plan"),)

    def completion(self, doc: dict, ctx: Any = None) -> str:
        return say("stages.logic_model_saved")

    def export(self, doc: dict) -> dict:
        return {spec["id"]: doc.get(spec["id"]) if spec["id"] == "problem" else list(doc.get(spec["id"]) or [])
                for spec in texts()["logic_model"]["fields"]}


STEP_FIELDS = ("action", "who", "by_when", "resources_needed", "resources_available", "barriers", "communications")


class ActionPlan(Worksheet):
    kind = "action_plan"
    stage = "planning"
    title = "action plan"

    def fields(self, doc: dict, ctx: Any = None) -> list[Field]:
        t = texts()["action_plan"]
        fields = [Field("goal", "goal", t["new_goal"], offer=doc.get("offered_goal"), help="action_plan"),
                  Field("outcomes", "outcomes", t["outcomes"], LIST, help="action_plan")]
        steps = doc.get("steps") or []
        shown = len(steps) + 1 if not steps or steps[-1].get("another") == YES else len(steps)
        prompts = {"action": t["step"], "who": t["who"], "by_when": t["by_when"],
                   "resources_needed": t["resources_needed"], "resources_available": t["resources_available"],
                   "barriers": t["barriers"], "communications": t["communications"]}
        labels = {"action": "", "who": " who", "by_when": " deadline", "resources_needed": " resources needed",
                  "resources_available": " resources available", "barriers": " barriers",
                  "communications": " communications"}
        for i in range(shown):
            for name in STEP_FIELDS:
                prompt = (prompts[name].format(n=i + 1) if name == "action"
                          else say("stages.step_question", number=i + 1, prompt=prompts[name]))
                fields.append(Field(f"steps.{i}.{name}", f"step {i + 1}{labels[name]}", prompt, help="action_plan"))
            fields.append(Field(f"steps.{i}.another", f"another step after {i + 1}", t["another_step"], YESNO))
        fields += [
            Field("evidence_of_success", "evidence of success", t["evidence_of_success"], help="action_plan"),
            Field("evaluation_process", "evaluation", t["evaluation"], help="action_plan"),
            Field("capacity_to_collaborate", "capacity to collaborate", t["capacity"], help="capacity_to_collaborate"),
            Field("scope", "scope", t["scope"], help="right_sized_scope"),
        ]
        return fields

    def intro(self, ctx: Any = None) -> str:
        return " ".join(texts()["action_plan"]["intro"].split()) + " " + say("stages.action_plan_intro_end")

    def summary(self, doc: dict, ctx: Any = None) -> str:
        return say("stages.action_plan_summary", goal=doc.get("goal"))

    def next_buttons(self, doc: dict, ctx: Any = None) -> tuple[Button, ...]:
        return (Button("Another action plan", "start an action plan"),)

    def completion(self, doc: dict, ctx: Any = None) -> str:
        return say("stages.action_plan_saved", goal=_short(doc.get("goal") or "", 80),
                   steps=len(doc.get("steps") or []))

    def export(self, doc: dict) -> dict:
        return {
            "goal": doc.get("goal"),
            "outcomes": list(doc.get("outcomes") or []),
            "steps": [{name: step.get(name) for name in STEP_FIELDS} for step in doc.get("steps") or []
                      if step.get("action")],
            "evidence_of_success": doc.get("evidence_of_success"),
            "evaluation_process": doc.get("evaluation_process"),
            "capacity_to_collaborate": doc.get("capacity_to_collaborate"),
            "scope": doc.get("scope"),
        }
