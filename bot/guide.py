"""One front for the whole journey: which stage a user is in, and who handles their message.

The self-assessment (stage B) and the worksheets (stages A and C) each keep their own state;
the guide knows which one a user is working on (Participant.stage) and routes "continue",
"skip", "go back", "change ...", "I have to run" and "what does this mean?" there. It also
names the Rasa form that should ask the next question, so the actions stay thin.
"""
from __future__ import annotations

import re
from typing import Optional

from bot.advisor import Advisor
from bot.assessment import STAGE as SELF_ASSESSMENT, SelfAssessment, Turn
from bot.db import Database
from bot.explain import find_factor, find_term
from bot.knowledge import Knowledge, knowledge as load_default
from bot.replies import Reply
from bot.workbook import WORKSHEETS, Workbook

SELF_ASSESSMENT_FORM = "self_assessment_form"
WORKSHEET_FORM = "worksheet_form"

# Requests to open a worksheet, as people type them; also read inside a form, where the
# classifier's intent is not trusted over the text (an answer may mention "plan" or "goal").
_STARTS = [
    ("five_whys", re.compile(r"\b(?:5|five) whys?\b|\broot[- ]cause analysis\b")),
    ("logic_model", re.compile(r"\blogic model\b")),
    ("action_plan", re.compile(r"\baction plan(?:s|ning)?\b")),
    ("reflections", re.compile(r"\breflect(?:ion|ions|ing)?\b")),
    ("add_goal", re.compile(r"\b(?:smart )?goals?\b")),
    ("purpose", re.compile(r"\b(?:unifying )?purpose\b|\bstage a\b")),
    ("planning", re.compile(r"^(?:let'?s |let us )?(?:start |begin |do |go to |switch to |work on )?(?:the )?"
                            r"planning(?: stage)?$|\bstage c\b")),
]
_START_VERB = re.compile(r"^(?:let'?s|let us|can we|could we|i want to|i'?d like to|we want to|start|begin|"
                         r"open|go to|switch to|work on|take me to|time to)\b")


def requested_worksheet(text: str) -> Optional[str]:
    """The worksheet a "let's do the 5 whys"-style request names, or None."""
    normal = text.lower().strip()
    if not _START_VERB.match(normal) or len(normal.split()) > 8:
        return None
    return next((kind for kind, pattern in _STARTS if pattern.search(normal)), None)


class Guide:
    def __init__(self, db: Database, knowledge: Optional[Knowledge] = None) -> None:
        self.db = db
        self.kb = knowledge or load_default()
        self.advisor = Advisor()
        self.assessment = SelfAssessment(db, self.kb, self.advisor)
        self.workbook = Workbook(db, self.kb, self.advisor)

    def _stage(self, sender: str) -> Optional[str]:
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            return p.stage if p is not None else None

    def open_form(self, sender: str) -> Optional[str]:
        """The form that should ask the next question, if any question is open."""
        if self._stage(sender) == SELF_ASSESSMENT:
            return SELF_ASSESSMENT_FORM if self.assessment.has_pending(sender) else None
        return WORKSHEET_FORM if self.workbook.has_pending(sender) else None

    # --- entering ----------------------------------------------------------------------------
    def start_worksheet(self, sender: str, request: str, text: str = "") -> tuple[Turn, Optional[str]]:
        number = re.search(r"\bgoal\s*(?:#|no\.?|number)?\s*(\d{1,2})\b", text.lower())
        if request == "add_goal":
            turn = self.workbook.start(sender, "purpose", add_goal=True)
        else:
            turn = self.workbook.start(sender, request, goal_number=int(number.group(1)) if number else None)
        return turn, WORKSHEET_FORM if turn.pending else None

    def start_self_assessment(self, sender: str) -> tuple[Turn, Optional[str]]:
        turn = self.assessment.start(sender)
        return turn, SELF_ASSESSMENT_FORM if turn.pending else None

    def resume(self, sender: str) -> tuple[Turn, Optional[str]]:
        """Picks up the stage and question where the user left off."""
        stage = self._stage(sender)
        if stage in (None, SELF_ASSESSMENT):
            turn = self.assessment.start(sender, resume=True)
            return turn, SELF_ASSESSMENT_FORM if turn.pending else None
        position = self.workbook.current(sender)
        if position is None:
            return Turn((Reply("You finished what you were working on. Say \"show my progress\" to see everything, "
                               "or \"help\" for what's next."),), False), None
        title = WORKSHEETS[position[0]].title
        with self.db.transaction() as repo:
            repo.participant(sender).last_asked = None
        return Turn((Reply(f"Welcome back: picking up your {title}."),), True), WORKSHEET_FORM

    # --- inside a stage ----------------------------------------------------------------------
    def handle(self, sender: str, text: str, intent: Optional[str], form: Optional[str]) -> Turn:
        """An answer (or skip / back / change) for the open question of `form`."""
        request = requested_worksheet(text)
        if request is not None:
            return Turn((Reply("We're in the middle of something: your answers so far are saved. Say \"I have to "
                               "run\" to pause it, then ask again to switch."),), True)
        if form == SELF_ASSESSMENT_FORM:
            return self.assessment.handle(sender, text, intent)
        return self.workbook.handle(sender, text)

    def navigate(self, sender: str, text: str, intent: Optional[str]) -> tuple[Turn, Optional[str]]:
        """Skip / go back / change said while no question is open: applied to the current stage."""
        stage = self._stage(sender)
        if stage == SELF_ASSESSMENT or stage is None:
            turn = self.assessment.handle(sender, text, intent)
            return turn, SELF_ASSESSMENT_FORM if turn.pending else None
        if self.workbook.current(sender) is None:
            return Turn((Reply("There's no open question to change right now. Say \"show my progress\" to see "
                               "your work."),), False), None
        turn = self.workbook.handle(sender, text)
        return turn, WORKSHEET_FORM if turn.pending else None

    def takes_as_answer(self, sender: str, text: str, form: Optional[str]) -> bool:
        if form == SELF_ASSESSMENT_FORM:
            return self.assessment.takes_as_answer(sender, text)
        if form == WORKSHEET_FORM:
            return self.workbook.takes_as_answer(sender, text)
        return False

    def explain(self, sender: str, text: str, form: Optional[str]) -> list[Reply]:
        """A term, the open question, or, when the question names neither, the closest lesson."""
        if (form is None and find_term(text, self.kb) is None and find_factor(text, self.kb) is None
                and len(self.advisor.search.analyze(text)) >= 2):
            replies, lesson_id = self.advisor.answer(text)
            if lesson_id is not None:
                return replies
        if form == WORKSHEET_FORM:
            return [self.workbook.explain(sender, text)]
        return [self.assessment.explain(sender, text)]

    def question(self, sender: str, form: str) -> Reply:
        return self.assessment.question(sender) if form == SELF_ASSESSMENT_FORM else self.workbook.question(sender)

    def pause(self, sender: str) -> Reply:
        if self._stage(sender) in (None, SELF_ASSESSMENT):
            return self.assessment.pause(sender)
        position = self.workbook.current(sender)
        if position is None:
            return Reply("Everything you've told me is saved. Come back any time.")
        return Reply(f"No problem: your work on the {WORKSHEETS[position[0]].title} is saved. Say "
                     "\"continue\" when you're back and we'll pick up at the same question.")

    # --- the overview --------------------------------------------------------------------------
    def progress(self, sender: str) -> list[Reply]:
        replies = []
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            started_assessment = bool(p.answers)
            lines = ["Where you stand:"]
            for kind, ws in WORKSHEETS.items():
                items = repo.work_items(p, kind)
                if not items:
                    lines.append(f"- {ws.title}: not started")
                    continue
                done = sum(1 for item in items if self.workbook.is_complete(repo, p, kind, item.key))
                count = f" ({done} of {len(items)} complete)" if kind == "action_plan" else ""
                state = "complete" if done == len(items) else "in progress"
                lines.append(f"- {ws.title}: {state}{count}")
        if started_assessment:
            replies += self.assessment.overview(sender)[:1]
        else:
            lines.insert(1, "- self-assessment: not started")
        replies.append(Reply("\n".join(lines)))
        return replies

