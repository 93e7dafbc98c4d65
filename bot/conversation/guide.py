"""One front for the whole journey: which stage a user is in, and who handles their message.

The self-assessment (stage B) and the worksheets (stages A, C, D and E) each keep their own
state; the guide knows which one a user is working on (Participant.stage) and routes "continue",
"skip", "go back", "change ...", "I have to run" and "what does this mean?" there, and says
which Rasa form asks next (through forms.py), so the actions stay thin. It also fronts the team
requests, reminders and "delete my data".
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Optional

from bot.assessment.self_assessment import STAGE as SELF_ASSESSMENT, SelfAssessment
from bot.content.knowledge import Knowledge
from bot.content.messages import say
from bot.conversation.forms import SELF_ASSESSMENT_FORM, WORKSHEET_FORM, Forms, assessment_form, worksheet_form
from bot.conversation.journey import Journey
from bot.conversation.privacy import delete_user
from bot.conversation.reminders import Reminders, describe, parse_request
from bot.language.explain import find_factor, find_term
from bot.language.replies import Button, Reply, Turn
from bot.lessons.advisor import Advisor
from bot.storage.db import Database
from bot.teams.facilitator import Facilitator
from bot.teams.requests import parse_request as parse_team_request
from bot.teams.service import Teams
from bot.worksheets.workbook import WORKSHEETS, Workbook

TEAM_INTENTS = frozenset({"create_team", "join_team", "compare_ratings", "team_manage"})

# Requests to open a worksheet, as people type them; also read inside a form, where the
# classifier's intent is not trusted over the text (an answer may mention "plan" or "goal").
_STARTS = [
    ("implementation", re.compile(r"\bcheck[- ]?in\b|\bimplement(?:ation|ing)?\b|\bstage d\b|\bprogress check\b")),
    ("sustainability", re.compile(r"\bsustain(?:ability|ing)?\b|\bscale[- ]up\b|\bstage e\b")),
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
    def __init__(self, db: Database, kb: Knowledge, advisor: Advisor, assessment: SelfAssessment, workbook: Workbook,
                 forms: Forms, journey: Journey, reminders: Reminders, teams: Teams, facilitator: Facilitator) -> None:
        self.db, self.kb, self.advisor = db, kb, advisor
        self.assessment, self.workbook, self.forms, self.journey = assessment, workbook, forms, journey
        self.reminders, self.teams, self.facilitator = reminders, teams, facilitator

    # --- entering ----------------------------------------------------------------------------
    def start_worksheet(self, sender: str, request: str, text: str = "") -> tuple[Turn, Optional[str]]:
        number = re.search(r"\bgoal\s*(?:#|no\.?|number)?\s*(\d{1,2})\b", text.lower())
        if request == "add_goal":
            turn = self.workbook.start(sender, "purpose", add_goal=True)
        else:
            turn = self.workbook.start(sender, request, goal_number=int(number.group(1)) if number else None)
        return turn, worksheet_form(turn)

    def start_self_assessment(self, sender: str) -> tuple[Turn, Optional[str]]:
        turn = self.assessment.start(sender)
        return turn, assessment_form(turn)

    def start_new_round(self, sender: str, text: str = "") -> tuple[Turn, Optional[str]]:
        turn = self.assessment.new_round(sender, force=bool(re.search(r"\banyway\b|\bregardless\b", text.lower())))
        return turn, assessment_form(turn)

    def resume(self, sender: str) -> tuple[Turn, Optional[str]]:
        """Picks up the stage and question where the user left off."""
        stage = self.forms.stage(sender)
        if stage in (None, SELF_ASSESSMENT):
            turn = self.assessment.start(sender, resume=True)
            return turn, assessment_form(turn)
        position = self.workbook.current(sender)
        if position is None:
            line, button = self.journey.next_line(sender)
            return Turn((Reply(say("conversation.finished_next", next_step=line),
                               (button, Button("Show my progress", "show my progress"))),), False), None
        title = WORKSHEETS[position[0]].title
        with self.db.transaction() as repo:
            repo.participant(sender).last_asked = None
        return Turn((Reply(say("conversation.resume_worksheet", title=title)),), True), WORKSHEET_FORM

    # --- inside a stage ----------------------------------------------------------------------
    def handle(self, sender: str, text: str, intent: Optional[str], form: Optional[str]) -> Turn:
        """An answer (or skip / back / change) for the open question of `form`."""
        team_request = intent in TEAM_INTENTS and len(text.split()) <= 10 and parse_team_request(text) is not None
        if team_request or self._asks_to_switch(sender, text, form):
            return Turn((Reply(say("conversation.busy")),), True)
        if form == SELF_ASSESSMENT_FORM:
            return self.assessment.handle(sender, text, intent)
        return self.workbook.handle(sender, text)

    def _asks_to_switch(self, sender: str, text: str, form: Optional[str]) -> bool:
        """A request to open another worksheet. One naming the worksheet already open ("begin
        implementation in May" inside a check-in) is an answer; the position is read only then."""
        request = requested_worksheet(text)
        if request is None:
            return False
        position = self.workbook.current(sender) if form == WORKSHEET_FORM else None
        return not (position and position[0] == request)

    def navigate(self, sender: str, text: str, intent: Optional[str]) -> tuple[Turn, Optional[str]]:
        """Skip / go back / change said while no question is open: applied to the current stage."""
        stage = self.forms.stage(sender)
        if stage == SELF_ASSESSMENT or stage is None:
            turn = self.assessment.handle(sender, text, intent)
            return turn, assessment_form(turn)
        if self.workbook.current(sender) is None:
            return Turn((Reply(say("conversation.nothing_to_change")),), False), None
        turn = self.workbook.handle(sender, text)
        return turn, worksheet_form(turn)

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
        if self.forms.stage(sender) in (None, SELF_ASSESSMENT):
            return self.assessment.pause(sender)
        position = self.workbook.current(sender)
        if position is None:
            return Reply(say("conversation.paused"))
        return Reply(say("conversation.paused_worksheet", title=WORKSHEETS[position[0]].title))

    # --- the overview --------------------------------------------------------------------------
    def progress(self, sender: str) -> list[Reply]:
        """The journey through the five stages, led by the self-assessment's overview once it has ratings."""
        with self.db.transaction() as repo:
            rated = any(a.rating for a in repo.answers(repo.participant(sender)).values())
        replies = self.assessment.overview(sender)[:1] if rated else []
        return replies + [self.journey.overview(sender)]

    # --- teams -------------------------------------------------------------------------------
    def team(self, sender: str, text: str, now: datetime) -> tuple[Turn, Optional[str], list[tuple[str, str, datetime]]]:
        """A team request: (the turn, the form to run next, the reminders stored for other members as
        (sender, name, due), which the reminder channel schedules). Inside a question, `handle` asks
        the user to pause first."""
        request = parse_team_request(text)
        if request is None:
            return Turn((Reply(say("conversation.team_help")),), False), None, []
        t, f, action, arg = self.teams, self.facilitator, request.action, request.argument
        if action in ("create", "join", "profile"):
            turn = t.profile(sender) if action == "profile" else getattr(t, action)(sender, arg)
            return turn, worksheet_form(turn), []
        if action == "remind":
            reply, scheduled = f.remind(sender, now)
            return Turn((reply,), False), None, scheduled
        replies = {
            "summary": lambda: t.summary(sender, arg),
            "status": lambda: f.status(sender, arg),
            "switch": lambda: [t.switch(sender, arg)],
            "personal": lambda: [t.personal(sender)],
            "list": lambda: [t.list(sender)],
            "leave": lambda: [t.leave(sender, arg)],
            "min_group": lambda: [f.set_min_group(sender, int(arg or 0))],
            "by_organisation": lambda: [f.set_by_organisation(sender, arg == "on")],
            "facilitator": lambda: [f.add_facilitator(sender, arg)],
            "new_code": lambda: [f.renew_code(sender)],
        }[action]()
        return Turn(tuple(replies), False), None, []

    # --- deleting ------------------------------------------------------------------------------
    def delete_data(self, sender: str, confirmed: bool) -> Reply:
        """Asks first; once confirmed, removes everything the user said, in every team."""
        if not confirmed:
            with self.db.transaction() as repo:
                p = repo.find_participant(sender)
                teams = [team.name for team, _ in repo.teams_of(p)] if p is not None else []
            shared_work = say("conversation.delete_confirm_shared_work", teams=", ".join(teams)) if teams else ""
            return Reply(say("conversation.delete_confirm", shared_work=shared_work),
                         (Button("Yes, delete everything", "yes, delete everything"),
                          Button("Keep my data", "keep my data")))
        result = delete_user(self.db, sender)
        if not result.found:
            return Reply(say("conversation.nothing_to_delete"))
        ratings = (say("conversation.count_rating", count=result.answers) if result.answers == 1
                   else say("conversation.count_ratings", count=result.answers))
        worksheets = (say("conversation.count_worksheet", count=result.documents) if result.documents == 1
                      else say("conversation.count_worksheets", count=result.documents))
        lines = [say("conversation.deleted", ratings=ratings, worksheets=worksheets)]
        if result.contributions:
            lines.append(say("conversation.deleted_shared", contributions=result.contributions))
        lines.append(say("conversation.deleted_fresh_start"))
        return Reply(" ".join(lines))

    # --- reminders ---------------------------------------------------------------------------
    def set_reminder(self, sender: str, text: str, now: datetime) -> tuple[Reply, Optional[tuple[str, datetime]]]:
        """Reads a reminder request; returns the reply and, when a time was understood, (name, due)."""
        request = parse_request(text, now)
        if request.due is None:
            why = (say("conversation.reminder_past") if request.problem == "past" else
                   say("conversation.reminder_too_far") if request.problem == "too_far" else "")
            ask = say("conversation.reminder_when")
            return Reply(f"{why} {ask}" if why else ask), None
        name = self.reminders.add(sender, request.due, request.about)
        when = describe(request.due, now)
        if request.about and not request.about.lower().startswith("to "):
            done = say("conversation.reminder_set_about", when=when, about=request.about)
        else:
            done = say("conversation.reminder_set", when=when)
        return Reply(done), (name, request.due)

    def reminder_due(self, sender: str, now: Optional[datetime] = None) -> list[Reply]:
        """The message a reminder brings: what it was about, and what is left to do."""
        due = self.reminders.take_due(sender, now)
        if not due:
            return []
        from_team = next((a for a, asked_by_other in due if a and asked_by_other), None)
        about = next((a for a, asked_by_other in due if a and not asked_by_other), None)
        lead = (say("conversation.reminder_from_team", task=from_team) if from_team else
                say("conversation.reminder_about", task=about) if about else say("conversation.reminder_plain"))
        line, button = self.journey.next_line(sender)
        return [Reply(f"{lead} {line}", (button, Button("Show my progress", "show my progress")))]
