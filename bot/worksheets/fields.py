"""The toolkit's templates as guided worksheets: one field at a time, every answer saved at once.

A worksheet (purpose and goals, 5 Whys, logic model, action plan) says which fields it has
given what is filled in so far; fields can depend on earlier answers (a next "why", another
action step). This module holds what they share: field kinds and how each reads an answer,
the document a worksheet is stored as, and plain-words navigation (skip, go back, change).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from rapidfuzz import fuzz

from bot.content.messages import say
from bot.language.choices import NO, SOMETHING_ELSE, UNSURE, YES, match_option, read_yes_no
from bot.language.replies import Button, Reply
from bot.language.text import MAX_ANSWER_CHARS, clean_text, too_long

TEXT, LIST, YESNO, CHOICE = "text", "list", "yesno", "choice"

YESNO_BUTTONS = (Button("Yes", "yes"), Button("No", "no"), Button("Not sure", "not sure"))
DONE_BUTTON = Button("Done", "done")

_DONE = re.compile(r"^(?:done|that'?s (?:all|it|everything)|finished|no more|nothing (?:else|more)|next|move on|"
                   r"that is all|i'?m done|enough|none|nothing|no)\b[ .!]*$")
_ITEM_SPLIT = re.compile(r"\s*(?:\n+|;|\s•\s|^\s*[-*•]\s+|\n\s*[-*•]\s+|\n?\s*\d+[.)]\s+)\s*")


@dataclass(frozen=True)
class Field:
    path: str                      # where the answer is stored in the worksheet's document
    label: str                     # how people name it when they want to change it
    prompt: str
    kind: str = TEXT
    options: tuple[str, ...] = ()  # CHOICE: the choices, also shown as buttons
    offer: Optional[str] = None    # a proposed answer the user can take with "yes"
    help: str = ""                 # what "what does this mean?" answers for this field
    buttons: tuple[Button, ...] = ()  # answers offered as buttons, when the kind offers none
    synonyms: tuple[tuple[str, str], ...] = ()  # CHOICE: other words for an option ("cmo" -> "Charter")


@dataclass
class Answer:
    """What a field made of a message: the value to store, or a reason to ask again."""

    value: Any = None
    stored: bool = False
    done: bool = True              # LIST: False while more items may come
    reply: Optional[str] = None
    note: Optional[str] = None     # words said with a yes/no or a choice ("prob, if we share coaches")


def yes_no(text: str) -> Optional[str]:
    """yes, no or unsure from free words ("prob", "nah", "not sure"); None when it is none of them."""
    reading = read_yes_no(text)
    return reading.value if reading is not None else None


def as_bool(value: Optional[str]) -> Optional[bool]:
    return {YES: True, NO: False}.get(value or "")


def split_items(text: str) -> list[str]:
    """Several list items in one message: lines, semicolons or bullets."""
    raw = text.replace("\r", "")
    items = [clean_text(part).strip(" ,.") for part in _ITEM_SPLIT.split(raw)]
    return [item for item in items if item]


def read_answer(fld: Field, text: str, current: Any) -> Answer:
    """Reads one message for one field, by the field's kind."""
    cleaned = clean_text(text)
    if too_long(cleaned):
        return Answer(reply=say("stages.too_long", limit=MAX_ANSWER_CHARS))
    if not cleaned:
        return Answer(reply=say("stages.empty_answer"))
    if fld.kind == YESNO:
        reading = read_yes_no(cleaned)
        if reading is None:
            return Answer(reply=say("stages.answer_yes_no"))
        return Answer(reading.value, stored=True, note=reading.note)
    if fld.kind == CHOICE:
        choice = match_option(cleaned, fld.options, dict(fld.synonyms))
        other = next((o for o in fld.options if o.lower().startswith("something else")), None)
        if choice is None and other is not None and not SOMETHING_ELSE.match(cleaned.lower()):
            return Answer(reply=say("stages.pick_option"))
        if choice is None and other is not None:  # "something else: a shared enrolment system" keeps its words
            rest = SOMETHING_ELSE.sub("", cleaned.lower(), count=1).strip(" :,-")
            return Answer(other, stored=True, note=cleaned[len(cleaned) - len(rest):] if rest else None)
        if choice is None:
            return Answer(reply=say("stages.pick_option"))
        return Answer(choice, stored=True)
    if fld.kind == LIST:
        items = list(current or [])
        if _DONE.match(cleaned.lower()):
            return Answer(items, stored=True, done=True)
        new = split_items(text)
        return Answer(items + new, stored=True, done=False,
                      reply=say("stages.list_added", count=len(new), items="; ".join(new)))
    if fld.offer and yes_no(cleaned) == YES:
        return Answer(fld.offer, stored=True)
    return Answer(cleaned, stored=True)


# --- the stored document ---------------------------------------------------------------------

def get_path(doc: dict, path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        if isinstance(node, list):
            index = int(part)
            node = node[index] if index < len(node) else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


def set_path(doc: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = doc
    for i, part in enumerate(parts[:-1]):
        nxt_is_index = parts[i + 1].isdigit()
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append({} if not nxt_is_index else [])
            node = node[index]
        else:
            node = node.setdefault(part, [] if nxt_is_index else {})
    last = parts[-1]
    if isinstance(node, list):
        index = int(last)
        while len(node) <= index:
            node.append(None)
        node[index] = value
    else:
        node[last] = value


def is_filled(doc: dict, fld: Field) -> bool:
    if fld.path in doc.get("_skipped", []):
        return True
    if fld.kind == LIST:
        return fld.path in doc.get("_closed", [])
    return get_path(doc, fld.path) not in (None, "")


def mark(doc: dict, key: str, path: str, on: bool = True) -> None:
    marks = [p for p in doc.get(key, []) if p != path]
    doc[key] = marks + [path] if on else marks


def show_value(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) if value else say("stages.no_items")
    return {YES: "yes", NO: "no", UNSURE: "not sure", "partly": "partly", "not_yet": "not yet",
            "not_applicable": "not applicable"}.get(value, str(value))


SKIP_BUTTON = Button("Skip", "skip")


def question_reply(fld: Field, current: Any, again: bool = False, nudge: bool = False) -> Reply:
    """The prompt for a field, with its current value when revisiting and the right buttons. Asked
    again right away it is shortened; after a second message that was not an answer (`nudge`) it
    shows an example and a way to skip instead, so the same prompt never comes twice in a row."""
    lines = [fld.prompt]
    if fld.kind == CHOICE:
        lines += [f"{i}. {option}" for i, option in enumerate(fld.options, start=1)]
    if fld.offer and current in (None, ""):
        lines.append(say("stages.suggested", offer=fld.offer))
    if current not in (None, "", []):
        lines.append(say("stages.so_far_list", value=show_value(current)) if fld.kind == LIST
                     else say("stages.so_far", value=show_value(current)))
    elif fld.kind == LIST:
        lines.append(say("stages.list_hint"))
    buttons: tuple[Button, ...] = ()
    if fld.kind == YESNO:
        buttons = YESNO_BUTTONS
    elif fld.kind == CHOICE:
        buttons = tuple(Button(option, option) for option in fld.options)
    elif fld.kind == LIST:
        buttons = (DONE_BUTTON,)
    elif fld.offer and current in (None, ""):
        buttons = (Button("Use the suggestion", "yes"),)
    elif fld.buttons:
        buttons = fld.buttons
    if nudge:
        example = (say("understanding.example_yes_no") if fld.kind == YESNO else
                   say("understanding.example_choice") if fld.kind == CHOICE else
                   say("understanding.example_list") if fld.kind == LIST else say("understanding.example_text"))
        first = fld.prompt.strip().splitlines()[-1]
        return Reply(f"{first}\n{example}", buttons + (SKIP_BUTTON,))
    text = say("stages.ask_again", prompt=" ".join(fld.prompt.strip().splitlines()[-2:])) if again else "\n".join(lines)
    return Reply(text, buttons)


def find_field(text: str, fields: list[Field]) -> Optional[Field]:
    """The field a change request names ("change the problem statement", "edit why 2")."""
    normal = clean_text(text).lower()
    best, best_score = None, 0.0
    for fld in fields:
        label = fld.label.lower()
        if re.search(rf"\b{re.escape(label)}\b", normal):
            score = 100 + len(label)
        else:
            score = fuzz.partial_ratio(label, normal) if len(label) >= 6 else 0
        if score > best_score:
            best, best_score = fld, score
    return best if best_score >= 90 else None


class Worksheet:
    """One template. Subclasses list their fields (which may depend on what is filled in) and export."""

    kind = ""
    stage = ""
    title = ""
    suggest_lessons_on: tuple[str, ...] = ()  # fields whose answer brings up related lessons

    def fields(self, doc: dict, ctx: Any = None) -> list[Field]:
        raise NotImplementedError

    def read(self, doc: dict, fld: Field, text: str) -> Optional[Answer]:
        """Reads answers the generic field kinds cannot (None: let the field's kind read it)."""
        return None

    def after(self, doc: dict, fld: Field) -> list[Reply]:
        """Extra replies once an answer is stored."""
        return []

    def completion(self, doc: dict, ctx: Any = None) -> str:
        raise NotImplementedError

    def export(self, doc: dict) -> dict:
        raise NotImplementedError

    def forget(self, doc: dict, path: str) -> None:
        """Clears one answer whose author asked for their data to be deleted (see bot.conversation.privacy)."""
        set_path(doc, path, None)

    def new_document(self, ctx: Any = None) -> dict:
        """What a new document starts with (a check-in's date, say)."""
        return {}

    def intro(self, ctx: Any = None) -> str:
        """Said when the worksheet is opened for the first time."""
        return ""

    def summary(self, doc: dict, ctx: Any = None) -> str:
        """Said when a finished worksheet is opened again."""
        return say("stages.complete", title=self.title)

    def edit_hint(self) -> str:
        return say("stages.edit_hint")

    def next_buttons(self, doc: dict, ctx: Any = None) -> tuple[Button, ...]:
        """What to do once the worksheet is finished."""
        return (Button("Show my progress", "show my progress"),)
