"""A participant's worksheets, walked through one field at a time and saved after every answer.

The same engine runs every worksheet: stage A (purpose and SMART goals), stage C (5 Whys, logic
model, action plans), stage D's check-ins, stage E's checklist, the reflection sheet and a team
member's profile. It finds the open field, reads the answer by the field's kind (or lets the
worksheet read it), stores the whole document, and moves on. Skip, go back and "change X to Y"
come from the one command grammar (bot/language/commands.py). The position is kept in the
database as "kind:key:path".
"""
from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any, Callable, Optional

from bot.worksheets import attribution
from bot.storage.db import Database
from bot.language.explain import find_term, render_term
from bot.content.knowledge import Knowledge, knowledge as load_default
from bot.content.messages import say
from bot.storage.models import Participant, WorkItem
from bot.language.commands import LAST_ANSWER, change_request, is_back, is_skip
from bot.language.smart import draft_goal
from bot.language.understanding import CHOICE as CHOICE_SHAPE, GOAL, LIST as LIST_SHAPE, SENTENCE, YESNO as YESNO_SHAPE, \
    Expected
from bot.worksheets.checklists import ImplementationCheckIn, SustainabilityChecklist
from bot.worksheets.planning import ActionPlan, FiveWhys, LogicModel
from bot.worksheets.purpose import PurposeWorksheet
from bot.worksheets.reflections import Reflections
from bot.language.replies import Reply, Turn
from bot.storage.repository import Repository
from bot.worksheets.team_profile import KIND as TEAM_PROFILE, TeamProfile, display_names, profile_key
from bot.language.text import clean_text, looks_like_question
from bot.worksheets.fields import (CHOICE, LIST, YESNO, Answer, Field, find_field, get_path, is_filled, mark,
                                   question_reply, read_answer, set_path)

if TYPE_CHECKING:
    from bot.lessons.advisor import Advisor

WORKSHEETS = {ws.kind: ws for ws in (PurposeWorksheet(), FiveWhys(), LogicModel(), ActionPlan(), Reflections(),
                                      ImplementationCheckIn(), SustainabilityChecklist(), TeamProfile())}
PLANNING_ORDER = ("five_whys", "logic_model", "action_plan")
_THAT = frozenset({"it", "that", "this", "those", "them", "that bit", "that part", "the last one", "last one",
                   "last item", "the last item", "my last answer", "the last answer", "last answer", "that one"})
_WHOLE_LIST = frozenset({"this list", "the list", "list", "all", "everything", "all of it", "the whole list",
                         "these", "all items", "all of them", "them all"})


class Context:
    """What a worksheet may read of the participant's other work (the 5 Whys problem, the goals)."""

    def __init__(self, repo: Repository, participant: Participant) -> None:
        self.repo, self.participant = repo, participant

    def document(self, kind: str, key: str = "main") -> dict:
        item = self.repo.work_item(self.participant, kind, key)
        return dict(item.data) if item else {}

    def team_name(self, kind: str) -> Optional[str]:
        """The team whose copy of `kind` this participant works on (None: their own)."""
        if not self.repo.shared_with_team(self.participant, kind):
            return None
        team = self.repo.team(self.participant.team_id)
        return team.name if team is not None else None


def _one_message(replies: list[Reply]) -> tuple[Reply, ...]:
    """What the bot says about an answer, in one message (the form asks the next question after it)."""
    if len(replies) <= 1:
        return tuple(replies)
    return (Reply("\n".join(r.text for r in replies if r.text), tuple(b for r in replies for b in r.buttons)),)


def _position(awaiting: Optional[str]) -> Optional[tuple[str, str, str]]:
    parts = (awaiting or "").split(":", 2)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 and parts[0] in WORKSHEETS else None


class Workbook:
    def __init__(self, db: Database, knowledge: Optional[Knowledge] = None, advisor: Optional["Advisor"] = None) -> None:
        self.db = db
        self.kb = knowledge or load_default()
        self.advisor = advisor  # offers lessons when a problem or root cause is written down

    # --- reading the state ---------------------------------------------------------------
    def _open(self, repo: Repository, p: Participant, kind: str, key: str,
              lock: bool = False) -> tuple[dict, list[Field]]:
        item = repo.work_item(p, kind, key, lock=lock)
        doc = copy.deepcopy(item.data) if item else {}
        return doc, WORKSHEETS[kind].fields(doc, Context(repo, p))

    def _next_open(self, doc: dict, fields: list[Field], after: Optional[str] = None) -> Optional[Field]:
        paths = [f.path for f in fields]
        start = paths.index(after) + 1 if after in paths else 0
        for fld in fields[start:] + fields[:start]:
            if not is_filled(doc, fld):
                return fld
        return None

    def current(self, sender: str) -> Optional[tuple[str, str, str]]:
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            return _position(p.awaiting) if p is not None else None

    def has_pending(self, sender: str) -> bool:
        return self.current(sender) is not None

    def is_complete(self, repo: Repository, p: Participant, kind: str, key: str = "main") -> bool:
        item = repo.work_item(p, kind, key)
        if item is None:
            return False
        doc, fields = self._open(repo, p, kind, key)
        return self._next_open(doc, fields) is None

    # --- starting ------------------------------------------------------------------------
    def start(self, sender: str, kind: str, goal_number: Optional[int] = None, add_goal: bool = False) -> Turn:
        """Opens a worksheet at its first open field; `planning` picks the next unfinished planning tool."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            if kind == "planning":
                kind = next((k for k in PLANNING_ORDER if not self.kind_done(repo, p, k)), "action_plan")
            key, offered = self._choose_key(repo, p, kind, goal_number)
            item = repo.work_item(p, kind, key)
            ws = WORKSHEETS[kind]
            doc = copy.deepcopy(item.data) if item else ws.new_document(Context(repo, p))
            first_time = item is None
            if offered and not doc.get("offered_goal"):
                doc["offered_goal"] = offered
            if add_goal and kind == "purpose" and doc.get("goals") and doc["goals"][-1].get("text"):
                doc["goals"][-1]["another"] = "yes"
            doc.pop("_skipped", None)  # starting again offers skipped fields once more
            repo.save_work_item(p, kind, key, doc)
            fields = ws.fields(doc, Context(repo, p))
            target = self._next_open(doc, fields)
            if add_goal:  # "help me write a SMART goal": the goal first, the purpose questions after
                target = next((f for f in fields if f.path.startswith("goals.") and not is_filled(doc, f)), target)
            p.last_asked = None
            context = Context(repo, p)
            team = context.team_name(kind)
            credits = self.credits(repo, p, doc, fields)
            if target is None:
                repo.set_position(p, ws.stage, None)
                text = ws.summary(doc, context) + (f"\n{credits}" if credits else "") + "\n" + ws.edit_hint()
                return Turn((Reply(text, ws.next_buttons(doc, context)),), pending=False)
            repo.set_position(p, ws.stage, f"{kind}:{key}:{target.path}")
            if team is None:
                intro = ws.intro(context) if first_time else say("worksheets.back_to_yours", title=ws.title)
            elif first_time:
                lead = say("worksheets.team_intro", title=ws.title, team=team)
                intro = f"{lead} {ws.intro(context)}".strip()
            else:
                back = say("worksheets.back_to_team", team=team, title=ws.title)
                intro = f"{back} {credits}" if credits else back
            return Turn((Reply(intro),), pending=True)

    def kind_done(self, repo: Repository, p: Participant, kind: str) -> bool:
        items = repo.work_items(p, kind)
        return bool(items) and all(self.is_complete(repo, p, kind, item.key) for item in items)

    def _choose_key(self, repo: Repository, p: Participant, kind: str, goal_number: Optional[int]) -> tuple[str, Optional[str]]:
        if kind == TEAM_PROFILE:
            return profile_key(p.team_id), None
        if kind == "implementation":  # the unfinished check-in, else a new one
            items = repo.work_items(p, kind)
            if items and not self.is_complete(repo, p, kind, items[-1].key):
                return items[-1].key, None
            return f"checkin-{len(items) + 1}", None
        if kind != "action_plan":
            return "main", None
        goals = [g["text"] for g in (Context(repo, p).document("purpose").get("goals") or []) if g.get("text")]
        if goal_number is not None and 1 <= goal_number <= len(goals):
            return f"goal-{goal_number}", goals[goal_number - 1]
        for number, goal in enumerate(goals, start=1):
            if not self.is_complete(repo, p, kind, f"goal-{number}"):
                return f"goal-{number}", goal
        unfinished = [i.key for i in repo.work_items(p, kind) if not self.is_complete(repo, p, kind, i.key)]
        if unfinished:
            return unfinished[0], None
        return f"plan-{len(repo.work_items(p, kind)) + 1}", None

    # --- asking --------------------------------------------------------------------------
    def _open_field(self, repo: Repository, p: Participant,
                    lock: bool = False) -> Optional[tuple[str, str, dict, list[Field], Optional[Field]]]:
        """The worksheet being filled in and its open field (None when nothing is open)."""
        position = _position(p.awaiting)
        if position is None:
            return None
        kind, key, path = position
        doc, fields = self._open(repo, p, kind, key, lock=lock)
        fld = next((f for f in fields if f.path == path), None) or self._next_open(doc, fields)
        return kind, key, doc, fields, fld

    def question(self, sender: str) -> Reply:
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            current = self._open_field(repo, p)
            if current is None:
                return Reply(say("worksheets.nothing_open"))
            kind, _, doc, _, fld = current
            if fld is None:
                return Reply(WORKSHEETS[kind].completion(doc))
            variant = repo.ask_variant(p)
            return question_reply(fld, get_path(doc, fld.path), again=variant != "full", nudge=variant == "nudge")

    def expected(self, sender: str) -> Optional[Expected]:
        """The answer shape of the open field (None when nothing is open)."""
        with self.db.transaction() as repo:
            current = self._open_field(repo, repo.participant(sender))
        fld = current[4] if current is not None else None
        if fld is None:
            return None
        if fld.kind == YESNO:
            return Expected(YESNO_SHAPE)
        if fld.kind == CHOICE:
            return Expected(CHOICE_SHAPE, fld.options, synonyms=fld.synonyms)
        if fld.kind == LIST:
            return Expected(LIST_SHAPE)
        offer = bool(fld.offer) or bool(fld.buttons) or fld.path.endswith(".decision")  # short answers are fine
        if fld.path.startswith("goals.") and fld.path.endswith(".text"):
            return Expected(GOAL, offer=offer)
        return Expected(SENTENCE, offer=offer)

    def open_label(self, sender: str) -> Optional[tuple[str, str]]:
        """(the worksheet's title, the open field's label), for "where was I?" and pausing."""
        with self.db.transaction() as repo:
            current = self._open_field(repo, repo.participant(sender))
        if current is None or current[4] is None:
            return None
        return WORKSHEETS[current[0]].title, current[4].label

    # --- commands beyond skip / back / change ------------------------------------------------
    def delete(self, sender: str, target: str) -> Turn:
        """"delete goal 2", "remove it" (the last list item, else the answer before), "clear this list",
        "delete the problem statement": the answer goes, and the question is asked again."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            current = self._open_field(repo, p, lock=True)
            if current is None or current[4] is None:
                return Turn((Reply(say("understanding.nothing_to_delete")),), False)
            kind, key, doc, fields, fld = current
            ws, name = WORKSHEETS[kind], target.lower().strip(" .!?")
            goal = re.fullmatch(r"goal\s*(?:#|no\.?|number)?\s*(\d{1,2})", name)
            items = get_path(doc, fld.path) if fld.kind == LIST else None
            if goal is not None and kind == "purpose":
                reply = self._delete_goal(doc, int(goal.group(1)))
                position = fld.path
            elif fld.kind == LIST and name in _WHOLE_LIST:
                set_path(doc, fld.path, [])
                reply, position = say("understanding.list_cleared", label=fld.label), fld.path
            elif fld.kind == LIST and items and name in _THAT:
                removed = items.pop()
                reply, position = say("understanding.item_removed", item=removed), fld.path
            else:
                target_field = self._previous_answered(doc, fields, fld) if name in _THAT else find_field(name, fields)
                if target_field is None:
                    return Turn((Reply(say("understanding.delete_what", target=target)),), True)
                ws.forget(doc, target_field.path)
                mark(doc, "_skipped", target_field.path, on=False)
                mark(doc, "_closed", target_field.path, on=False)
                reply, position = say("understanding.answer_removed", label=target_field.label), target_field.path
            repo.save_work_item(p, kind, key, doc)
            fields = ws.fields(doc, Context(repo, p))
            nxt = next((f for f in fields if f.path == position and not is_filled(doc, f)), None) or \
                self._next_open(doc, fields)
            repo.set_position(p, ws.stage, f"{kind}:{key}:{nxt.path}" if nxt else None)
            p.last_asked = None
            return Turn((Reply(reply),), nxt is not None)

    @staticmethod
    def _delete_goal(doc: dict, number: int) -> str:
        goals = doc.get("goals") or []
        if not 1 <= number <= len(goals) or not goals[number - 1].get("text"):
            return say("understanding.no_such_goal", number=number, count=sum(1 for g in goals if g.get("text")))
        removed = goals.pop(number - 1)
        if goals and number - 1 == len(goals):  # the last goal went: ask again whether another follows
            goals[-1]["another"] = None
        for name in ("_skipped", "_closed"):
            doc[name] = [path for path in doc.get(name, []) if not path.startswith("goals.")]
        return say("understanding.goal_deleted", number=number, goal=removed["text"])

    def _previous_answered(self, doc: dict, fields: list[Field], fld: Field) -> Optional[Field]:
        index = [f.path for f in fields].index(fld.path)
        return next((f for f in reversed(fields[:index]) if get_path(doc, f.path) not in (None, "", [])), None)

    def start_over(self, sender: str) -> Turn:
        """Back to the worksheet's first question; answers stay until they are changed."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            current = self._open_field(repo, p)
            if current is None:
                return Turn((Reply(say("understanding.nothing_to_delete")),), False)
            kind, key, _, fields, _ = current
            repo.set_position(p, WORKSHEETS[kind].stage, f"{kind}:{key}:{fields[0].path}")
            p.last_asked = None
            return Turn((Reply(say("understanding.from_the_top", title=WORKSHEETS[kind].title)),), True)

    def draft_goal(self, sender: str, text: str) -> Turn:
        """A SMART goal drafted from the facts in a request ("grades 3-8 ELLs, +10 pts, by spring 2027"),
        offered on the open goal question: "yes" takes it, anything else is the user's own goal."""
        draft = draft_goal(text)
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            item = repo.work_item(p, "purpose", "main", lock=True)
            ws = WORKSHEETS["purpose"]
            doc = copy.deepcopy(item.data) if item else ws.new_document(Context(repo, p))
            goals = doc.setdefault("goals", [])
            position = _position(p.awaiting)
            open_goal = (int(position[2].split(".")[1]) if position and position[0] == "purpose"
                         and re.fullmatch(r"goals\.\d+\.text", position[2]) else None)
            if open_goal is None:
                open_goal = next((i for i, g in enumerate(goals) if not g.get("text")), len(goals))
                if open_goal == len(goals) and goals:
                    goals[-1]["another"] = "yes"
            while len(goals) <= open_goal:
                goals.append({})
            goals[open_goal]["draft"] = draft.text if draft is not None else None
            repo.save_work_item(p, "purpose", "main", doc)
            repo.set_position(p, ws.stage, f"purpose:main:goals.{open_goal}.text")
            p.last_asked = None
            if draft is None:
                return Turn((Reply(say("understanding.goal_facts_needed")),), True)
            return Turn((Reply(say("understanding.goal_drafted", number=open_goal + 1, used=draft.used)),), True)

    def fill_blanks(self, sender: str, number: Optional[int] = None) -> Turn:
        """"fill in the brackets": back to the wording of the goal (the one named, else the first) that
        still has "[...]" blanks, so the user types it with them filled in."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            item = repo.work_item(p, "purpose", "main", lock=True)
            goals = (item.data.get("goals") or []) if item else []
            blanks = [i for i, g in enumerate(goals) if "[" in (g.get("text") or "")]
            index = number - 1 if number and number - 1 in blanks else (blanks[0] if blanks else None)
            if index is None:
                return Turn((Reply(say("understanding.no_blanks")),), self.current(sender) is not None)
            doc = copy.deepcopy(item.data)
            doc["goals"][index].update(decision=None, passes=False)
            repo.save_work_item(p, "purpose", "main", doc)
            repo.set_position(p, "purpose", f"purpose:main:goals.{index}.decision")
            p.last_asked = None
            found = ", ".join(dict.fromkeys(re.findall(r"\[[^\]]+\]", doc["goals"][index]["text"])))
            return Turn((Reply(say("understanding.blanks_to_fill", number=index + 1, blanks=found)),), True)

    def open_purpose(self, sender: str) -> bool:
        """Puts the purpose worksheet in front (at its first open field, else its last goal) so a
        goal can be deleted or changed by number; False when the user has none."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            item = repo.work_item(p, "purpose", "main")
            if item is None:
                return False
            doc, fields = self._open(repo, p, "purpose", "main")
            target = self._next_open(doc, fields) or fields[-1]
            repo.set_position(p, "purpose", f"purpose:main:{target.path}")
            return True

    def change_anywhere(self, sender: str, text: str) -> Optional[Turn]:
        """A "change the purpose statement to ..." said outside the worksheet: found in the user's
        worksheets (the open one first) and applied there; None when no worksheet has that field."""
        request = change_request(text)
        if request is None:
            return None
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            position = _position(p.awaiting)
            places = ([(position[0], position[1])] if position else []) + [
                (kind, item.key) for kind in WORKSHEETS for item in repo.work_items(p, kind)]
            for kind, key in places:
                doc, fields = self._open(repo, p, kind, key)
                fld = find_field(request.target, fields)
                if fld is not None:
                    repo.set_position(p, WORKSHEETS[kind].stage, f"{kind}:{key}:{fld.path}")
                    break
            else:
                return None
        return self.handle(sender, text)

    # --- answering -----------------------------------------------------------------------
    def handle(self, sender: str, text: str) -> Turn:
        """Reads one message for the open field. The words decide, not the classifier's intent:
        "that's the root" may be labelled skip, yet it is an answer."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            # The row is held until commit: a partner's answer to the same team worksheet in the same
            # moment waits, then applies on top of this one instead of overwriting it.
            current = self._open_field(repo, p, lock=True)
            if current is None:
                return Turn((Reply(say("worksheets.nothing_open")),), False)
            kind, key, doc, fields, fld = current
            ws = WORKSHEETS[kind]
            shared = repo.shared_with_team(p, kind)
            if fld is None:
                repo.set_position(p, ws.stage, None)
                return Turn((Reply(ws.completion(doc)),), False)
            replies: list[Reply] = []
            cleaned = clean_text(text)
            change = self._change_target(cleaned, fields, doc, fld)
            if is_skip(cleaned):
                mark(doc, "_closed" if fld.kind == LIST else "_skipped", fld.path)
                replies.append(Reply(say("worksheets.skipped", label=fld.label)))
            elif is_back(cleaned):
                index = [f.path for f in fields].index(fld.path)
                if index == 0:
                    return Turn((Reply(say("worksheets.first_question")),), True)
                previous = fields[index - 1]
                repo.set_position(p, ws.stage, f"{kind}:{key}:{previous.path}")
                return Turn((Reply(say("worksheets.going_back", label=previous.label)),), True)
            elif change is not None and change[1] is None:
                repo.set_position(p, ws.stage, f"{kind}:{key}:{change[0].path}")
                return Turn((Reply(say("worksheets.revisit", label=change[0].label)),), True)
            elif change is not None:
                target, value = change
                before = copy.deepcopy(get_path(doc, target.path))
                answer = self._read(ws, doc, target, value, replace=True)
                if answer.stored:
                    self._store(doc, target, answer, closed=True)
                    if shared:
                        attribution.record(doc, target.path, None if target.kind == LIST else before, answer.value, p.id)
                replies.append(Reply(say("worksheets.changed", label=target.label, value=value) if answer.stored
                                     else answer.reply or say("worksheets.unusable_value")))
            else:
                before = copy.deepcopy(get_path(doc, fld.path))
                answer = self._read(ws, doc, fld, text)
                if answer.reply:
                    replies.append(Reply(answer.reply))
                if answer.stored:
                    self._store(doc, fld, answer, closed=answer.done)
                    if shared:
                        attribution.record(doc, fld.path, before, answer.value, p.id)
                    replies += ws.after(doc, fld)
                    if self.advisor is not None and fld.path in ws.suggest_lessons_on:
                        offer = self.advisor.for_text(clean_text(text), say("worksheets.lessons_offer"))
                        replies += [offer] if offer is not None else []
            repo.save_work_item(p, kind, key, doc)
            fields = ws.fields(doc, Context(repo, p))
            same = next((f for f in fields if f.path == fld.path), None)
            nxt = same if same is not None and not is_filled(doc, same) else self._next_open(doc, fields, after=fld.path)
            if nxt is None:
                repo.set_position(p, ws.stage, None)
                context = Context(repo, p)
                credits = self.credits(repo, p, doc, fields)
                replies.append(Reply(ws.completion(doc, context) + (f"\n{credits}" if credits else ""),
                                     ws.next_buttons(doc, context)))
                return Turn(_one_message(replies), False)
            repo.set_position(p, ws.stage, f"{kind}:{key}:{nxt.path}")
            return Turn(_one_message(replies), True)

    def credits(self, repo: Repository, p: Participant, doc: dict, fields: list[Field]) -> str:
        """ "Who wrote what" in a team document: each member with the fields they answered."""
        by = attribution.authors(doc)
        team = repo.team(p.team_id) if by else None
        if team is None:
            return ""
        names = display_names(repo, team)
        labels = {f.path: f.label for f in fields}
        parts = []
        for writer, paths in by.items():
            shown = [labels.get(path, path.split(".")[-1].replace("_", " ")) for path in paths]
            listed = (say("worksheets.fields_and_more", fields=", ".join(shown[:6]), more=len(shown) - 6)
                      if len(shown) > 6 else ", ".join(shown))
            who = (say("worksheets.credit_you") if writer == p.id
                   else names[writer] if writer in names else say("worksheets.credit_former_member"))
            parts.append(f"{who}: {listed}")
        return say("worksheets.credits", credits="; ".join(parts))

    def _read(self, ws: Any, doc: dict, fld: Field, text: str, replace: bool = False) -> Answer:
        special = ws.read(doc, fld, text)
        if special is not None:
            return special
        current = None if replace else get_path(doc, fld.path)
        answer = read_answer(fld, text, current)
        if replace and fld.kind == LIST and answer.stored:
            answer.done = True
        return answer

    @staticmethod
    def _store(doc: dict, fld: Field, answer: Answer, closed: bool) -> None:
        set_path(doc, fld.path, answer.value)
        notes = {path: note for path, note in (doc.get("_notes") or {}).items() if path != fld.path}
        doc["_notes"] = {**notes, **({fld.path: answer.note} if answer.note else {})}
        if not doc["_notes"]:
            del doc["_notes"]
        mark(doc, "_skipped", fld.path, on=False)
        if fld.kind == LIST:
            mark(doc, "_closed", fld.path, on=closed)

    def _change_target(self, text: str, fields: list[Field], doc: dict,
                       current: Field) -> Optional[tuple[Field, Optional[str]]]:
        """The field a "change X to Y" names and the new value (None: go to the field and ask again);
        "make that ..." names the answer given just before the open question."""
        request = change_request(text)
        if request is not None and request.target == LAST_ANSWER:
            # only a short value that fits the answer before ("change it to no"), never a request to rewrite
            fld = self._previous_answered(doc, fields, current)
            if fld is None or fld.kind not in (YESNO, CHOICE) or read_answer(fld, request.value or "", None).stored is False:
                return None
        else:
            fld = find_field(request.target, fields) if request is not None else None
        return (fld, request.value) if fld is not None else None

    # --- explaining ------------------------------------------------------------------------
    def explain(self, sender: str, text: str) -> Reply:
        term = find_term(text, self.kb)
        if term is not None:
            return Reply(render_term(term, self.kb, text))
        with self.db.transaction() as repo:
            current = self._open_field(repo, repo.participant(sender))
        if current is None:
            return Reply(say("worksheets.ask_term"))
        fld = current[4]
        help_term = next((t for t in self.kb.terms if fld is not None and t.id == fld.help), None)
        lines = [say("worksheets.question_asks", prompt=fld.prompt.splitlines()[0]) if fld else ""]
        if help_term is not None:
            lines.append(render_term(help_term, self.kb, text))
        return Reply("\n".join(line for line in lines if line))

    def takes_as_answer(self, sender: str, text: str) -> bool:
        """A worksheet answer mistaken for a question ("find a neutral convener") is still an answer."""
        return self.has_pending(sender) and not looks_like_question(text)

    # --- exporting -------------------------------------------------------------------------
    def export(self, repo: Repository, p: Participant) -> dict:
        return self.export_documents(lambda kind: repo.work_items(p, kind))

    @staticmethod
    def export_documents(items_of: Callable[[str], list[WorkItem]]) -> dict:
        """The worksheets in the export's shape, from whoever owns them (a participant or a team)."""
        def main(kind: str) -> dict:
            return next((dict(item.data) for item in items_of(kind) if item.key == "main"), {})

        purpose = WORKSHEETS["purpose"].export(main("purpose"))
        return {
            "purpose": purpose["purpose"],
            "smart_goals": purpose["smart_goals"],
            "purpose_answers": purpose["purpose_answers"],
            "five_whys": WORKSHEETS["five_whys"].export(main("five_whys")),
            "logic_model": WORKSHEETS["logic_model"].export(main("logic_model")),
            "action_plans": [WORKSHEETS["action_plan"].export(dict(item.data)) for item in items_of("action_plan")],
            "reflections": WORKSHEETS["reflections"].export(main("reflections")),
            "implementation": [WORKSHEETS["implementation"].export(dict(item.data))
                               for item in items_of("implementation")],
            "sustainability": WORKSHEETS["sustainability"].export(main("sustainability")),
        }
