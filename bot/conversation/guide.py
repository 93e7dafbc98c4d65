"""One front for the whole journey: which stage a user is in, and who handles their message.

Every message typed while a question is open is understood first (bot/language/understanding.py):
only an answer reaches the stage and is stored; a command is applied to the form, a request for
something else pauses the question (the actions end the form) and is done, and anything else gets a
short reply while the question stays open.

The self-assessment (stage B) and the worksheets (stages A, C, D and E) each keep their own
state; the guide knows which one a user is working on (Participant.stage) and routes "continue",
"skip", "go back", "change ...", "I have to run" and "what does this mean?" there, and says
which Rasa form asks next (through forms.py), so the actions stay thin. It also fronts the team
requests, reminders and "delete my data".
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Optional

from bot.assessment.self_assessment import STAGE as SELF_ASSESSMENT, SelfAssessment
from bot.config import contact, public_url
from bot.content.knowledge import Knowledge
from bot.content.messages import say
from bot.conversation.forms import SELF_ASSESSMENT_FORM, WORKSHEET_FORM, Forms, assessment_form, worksheet_form
from bot.conversation.journey import Journey
from bot.conversation.place import in_shared_space
from bot.conversation.privacy import delete_user
from bot.conversation.reminders import Reminders, describe, parse_request, reminder_reply
from bot.language.explain import find_factor, find_term
from bot.identity.links import LINK_MINUTES, create_link
from bot.language.replies import Button, Reply, Turn
from bot.language.understanding import (ANSWER, BACK, CHANGE, CHOICE, COMMAND, CONTINUE, DELETE, DRAFT_GOAL,
                                        FILL_BLANKS, FORGET_ME, GOAL, HELP, HUMAN, NEXT, OTHER_LANGUAGE, OUT_OF_SCOPE,
                                        PAUSE, PROGRESS, QUESTION, RATING, REPORT, REQUEST, SENTENCE, SKIP,
                                        SMALL_TALK, STAGE, START_OVER, UNCLEAR, WEB_LINK, YESNO, Expected, Reading,
                                        requested_stage, understand)
from bot.lessons.advisor import Advisor
from bot.storage.db import Database
from bot.teams.facilitator import Facilitator
from bot.teams.requests import parse_request as parse_team_request
from bot.teams.service import Teams
from bot.worksheets.workbook import WORKSHEETS, Workbook

TEAM_INTENTS = frozenset({"create_team", "join_team", "compare_ratings", "team_manage"})
# How long a client's message id is remembered: a retry comes within seconds or minutes.
MESSAGE_ID_MEMORY = timedelta(days=1)

# A request to open a stage, in the words of bot/language/understanding.py; "planning" picks the next tool.
def requested_worksheet(text: str) -> Optional[str]:
    """The worksheet a "let's do the 5 whys"-style request names (None: none, or the self-assessment)."""
    stage = requested_stage(text)
    return None if stage == "self_assessment" else stage


# Words that name a worksheet's answer rather than a self-assessment question.
_WORKSHEET_ANSWER = re.compile(r"\b(?:goal|why|statement|problem|step|root cause|evidence|outcomes?|activities|"
                               r"inputs|outputs|impact|role|organi[sz]ation|name|sector|phase)\b")


class Guide:
    def __init__(self, db: Database, kb: Knowledge, advisor: Advisor, assessment: SelfAssessment, workbook: Workbook,
                 forms: Forms, journey: Journey, reminders: Reminders, teams: Teams, facilitator: Facilitator) -> None:
        self.db, self.kb, self.advisor = db, kb, advisor
        self.assessment, self.workbook, self.forms, self.journey = assessment, workbook, forms, journey
        self.reminders, self.teams, self.facilitator = reminders, teams, facilitator

    # --- entering ----------------------------------------------------------------------------
    def start_worksheet(self, sender: str, request: str, text: str = "") -> tuple[Turn, Optional[str]]:
        """Opens what was asked. A command said in passing ("edit goal 1", "delete goal 2") is applied,
        and a goal request with facts gets a drafted goal."""
        reading = understand(text, Expected(GOAL)) if text else None
        if reading is not None and reading.kind == COMMAND and reading.action in (CHANGE, DELETE, FILL_BLANKS):
            return self.navigate(sender, text, None)
        if reading is not None and reading.kind == REQUEST and reading.action == DRAFT_GOAL:
            turn = self.workbook.draft_goal(sender, text)
            return turn, worksheet_form(turn)
        number = re.search(r"\bgoal\s*(?:#|no\.?|number)?\s*(\d{1,2})\b", text.lower())
        if request == "add_goal" or (reading is not None and reading.action == STAGE and reading.argument == "add_goal"):
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
    def handle(self, sender: str, text: str, intent: Optional[str], form: Optional[str],
               message_id: Optional[str] = None) -> Turn:
        """One message typed while a question of `form` is open. It is understood first (bot/language/
        understanding.py); only an answer reaches the stage and is stored. A message the client named with
        `message_id` is applied once: handled again (a retry after a lost reply), it changes nothing and gets
        no reply of its own, so what the user sees is the open question as the form asks it now."""
        if message_id is not None and not self.first_handling(sender, message_id):
            return Turn((), True)
        expected = self._expected(sender, form)
        if intent in TEAM_INTENTS and len(text.split()) <= 10 and parse_team_request(text) is not None:
            return self._paused_for(sender, form, lambda: self._team_turn(sender, text))
        reading = understand(text, expected, intent)
        if reading.kind == ANSWER:
            return self._answer(sender, reading.answer if expected.shape != RATING else text, intent, form)
        if reading.kind == COMMAND:
            return self._command(sender, text, reading, intent, form)
        if reading.kind == REQUEST:
            return self._request(sender, text, reading, form)
        if reading.kind == UNCLEAR and reading.argument != "empty":
            return self._unclear(sender, text, intent, form, expected)
        again = self._miss(sender) % 2 == 0  # the second of two in a row is worded differently
        if reading.kind == OTHER_LANGUAGE:
            return Turn((Reply(say("understanding.other_language_again", language=reading.argument) if again
                               else say("understanding.other_language", language=reading.argument)),), True)
        if reading.kind == SMALL_TALK:
            return Turn((Reply(say("understanding.small_talk_again") if again
                               else say("understanding.small_talk")),), True)
        if reading.kind == OUT_OF_SCOPE:
            return Turn((Reply(say("understanding.out_of_scope")),), True)
        return Turn((Reply(say("understanding.empty")),), True)

    def first_handling(self, sender: str, message_id: str) -> bool:
        """Whether this is the first time the message is handled; recorded in the caller's transaction, so it
        counts as handled only if what it did is stored too."""
        with self.db.transaction() as repo:
            return repo.first_handling(sender, message_id, datetime.utcnow() - MESSAGE_ID_MEMORY)

    def _miss(self, sender: str) -> int:
        """Counts a message in a row that was not an answer (reset when the question changes)."""
        with self.db.transaction() as repo:
            p = repo.participant(sender)
            p.misses = (p.misses or 0) + 1
            return p.misses

    def _expected(self, sender: str, form: Optional[str]) -> Expected:
        if form == SELF_ASSESSMENT_FORM:
            return self.assessment.expected(sender)
        return self.workbook.expected(sender) or Expected(SENTENCE)

    def _answer(self, sender: str, text: str, intent: Optional[str], form: Optional[str]) -> Turn:
        if form == SELF_ASSESSMENT_FORM:
            return self.assessment.handle(sender, text, intent)
        return self.workbook.handle(sender, text)

    def _command(self, sender: str, text: str, reading: Reading, intent: Optional[str], form: Optional[str]) -> Turn:
        if reading.action in (SKIP, BACK):  # "hmm not sure yet, skip": the stage gets the command itself
            return self._answer(sender, "skip" if reading.action == SKIP else "go back", intent, form)
        if reading.action == CHANGE:
            return self._answer(sender, text, intent, form)  # each stage resolves what the change names
        if reading.action == PAUSE:
            return Turn((self.pause(sender),), False, paused=True)
        if reading.action == CONTINUE:
            return Turn((Reply(self._where(sender, form)),), True)
        if reading.action == FILL_BLANKS:
            turn = self.workbook.fill_blanks(sender, int(reading.argument) if reading.argument else None)
            if form == WORKSHEET_FORM or not turn.pending:
                return turn
            return self._paused_for(sender, form, lambda: (turn, WORKSHEET_FORM))
        if form == SELF_ASSESSMENT_FORM:
            if reading.action == START_OVER:
                return self.assessment.start_over(sender)
            return Turn((Reply(say("understanding.delete_rating")),), True)
        if reading.action == START_OVER:
            return self.workbook.start_over(sender)
        return self.workbook.delete(sender, reading.argument or "it")

    def _request(self, sender: str, text: str, reading: Reading, form: Optional[str]) -> Turn:
        action = reading.action
        if action == QUESTION:
            return Turn(tuple(self.explain(sender, text, form)), True)
        if action == HELP:
            return Turn((self.help_here(sender, form),), True)
        if action == HUMAN:
            return Turn((Reply(self.contact(sender)),), True)
        if action == DRAFT_GOAL:
            turn = self.workbook.draft_goal(sender, text)
            if form == WORKSHEET_FORM:
                return turn
            return self._paused_for(sender, form, lambda: (turn, WORKSHEET_FORM))
        if action == STAGE:
            stage = reading.argument
            position = self.workbook.current(sender) if form == WORKSHEET_FORM else None
            if position and stage == "add_goal" and position[0] == "purpose":
                return self.workbook.start(sender, "purpose", add_goal=True)  # "skip this, just the goal pls"
            if position and position[0] == stage:
                return self._answer(sender, text, None, form)  # "begin implementation in May" inside a check-in
            if stage == "self_assessment" and form == SELF_ASSESSMENT_FORM:
                return Turn((Reply(self._where(sender, form)),), True)
            if stage == "self_assessment":
                return self._paused_for(sender, form, lambda: self.start_self_assessment(sender))
            return self._paused_for(sender, form, lambda: self.start_worksheet(sender, stage, text))
        if action == NEXT:
            line, button = self.journey.next_line(sender)
            return self._paused_for(sender, form, lambda: (Turn((Reply(line, (button,)),), False), None))
        if action == PROGRESS:
            return self._paused_for(sender, form, lambda: (Turn(tuple(self.progress(sender)), False), None))
        if action == WEB_LINK:
            return Turn((Reply(self.web_link(sender)),), True)
        if action == FORGET_ME:  # asks first; "yes, delete everything" then goes through the privacy action
            return self._paused_for(sender, form, lambda: (Turn((self.delete_data(sender, False),), False), None))
        asked = say("understanding.ask_report") if action == REPORT else say("understanding.ask_reminder")
        return self._paused_for(sender, form, lambda: (Turn((Reply(asked),), False), None))

    def _paused_for(self, sender: str, form: Optional[str], do) -> Turn:
        """Keeps the open question where it is (said in one line) and does what was asked instead."""
        where = self._paused_line(sender, form)
        left = self._left_line(sender, form)
        turn, next_form = do()
        replies = list(turn.replies) or [Reply("")]
        if next_form is None:
            last = replies[-1]
            more = () if any(b.payload == "continue" for b in last.buttons) else (Button("Continue", "continue"),)
            replies[-1] = Reply(f"{last.text}\n{where}".strip(), last.buttons + more)
        else:  # another stage opens: say once what stays where it was
            replies[0] = Reply(f"{left}\n{replies[0].text}".strip(), replies[0].buttons)
        return Turn(tuple(replies[:2]), next_form is not None, paused=True, switch_to=next_form)

    def _left_line(self, sender: str, form: Optional[str]) -> str:
        if form == SELF_ASSESSMENT_FORM:
            return say("understanding.left_assessment", step=self.assessment.open_step_label(sender))
        label = self.workbook.open_label(sender)
        return say("understanding.left_worksheet", title=label[0], label=label[1]) if label else ""

    def _paused_line(self, sender: str, form: Optional[str]) -> str:
        if form == SELF_ASSESSMENT_FORM:
            return say("understanding.paused_assessment", step=self.assessment.open_step_label(sender))
        label = self.workbook.open_label(sender)
        if label is None:
            return say("understanding.paused_plain")
        return say("understanding.paused_worksheet", title=label[0], label=label[1])

    def _where(self, sender: str, form: Optional[str]) -> str:
        if form == SELF_ASSESSMENT_FORM:
            return say("understanding.where_assessment", step=self.assessment.open_step_label(sender))
        label = self.workbook.open_label(sender)
        return (say("understanding.where_worksheet", title=label[0], label=label[1]) if label
                else say("understanding.where_nothing"))

    def _unclear(self, sender: str, text: str, intent: Optional[str], form: Optional[str],
                 expected: Expected) -> Turn:
        """Not an answer we can read: the stage says why the first time; the next time the prompt
        comes with buttons and an example (the form asks it), never the same words twice."""
        misses = self._miss(sender)
        if misses == 1 and expected.shape in (RATING, YESNO, CHOICE):
            return self._answer(sender, text, intent, form)  # the stage's own "please pick one of the options"
        if misses == 1:
            return Turn((Reply(say("understanding.not_an_answer")),), True)
        return Turn((Reply(say("understanding.still_unclear") if misses % 2 == 0
                           else say("understanding.still_unclear_again")),), True)

    def _team_turn(self, sender: str, text: str) -> tuple[Turn, Optional[str]]:
        turn, next_form, _ = self.team(sender, text, datetime.now())
        return turn, next_form

    def help_here(self, sender: str, form: Optional[str]) -> Reply:
        """Short help about the open question, with the likely next steps as buttons."""
        return Reply(say("understanding.help_here", where=self._where(sender, form)),
                     (Button("Skip", "skip"), Button("Explain this question", "what does this question mean?"),
                      Button("Show my progress", "show my progress"), Button("Pause", "pause")))

    def contact(self, sender: str) -> str:
        """Who a person can talk to: the team's facilitator, else the contact configured for this install."""
        name = self.facilitator.contact_for(sender)
        if name:
            return say("understanding.human_facilitator", name=name)
        configured = contact()
        return (say("understanding.human_contact", contact=configured) if configured
                else say("understanding.human_none"))

    def web_link(self, sender: str) -> str:
        """"Open this on the web": a one-time link that opens the web page as this same participant. Whoever
        opens it first continues as them, so it is never given where others can read it."""
        if in_shared_space():
            return say("conversation.web_link_shared")
        link = f"{public_url()}/webhooks/web/continue/{create_link(self.db, sender)}"
        return say("conversation.web_link", link=link, minutes=LINK_MINUTES)

    def navigate(self, sender: str, text: str, intent: Optional[str]) -> tuple[Turn, Optional[str]]:
        """Skip / go back / change said while no question is open: applied to the current stage, unless
        it names a worksheet's answer ("change the purpose statement to ...", "delete goal 2")."""
        stage = self.forms.stage(sender)
        reading = understand(text, Expected(SENTENCE))
        if reading.kind == COMMAND and reading.action == FILL_BLANKS:
            turn = self.workbook.fill_blanks(sender, int(reading.argument) if reading.argument else None)
            return turn, worksheet_form(turn)
        names_worksheet = bool(_WORKSHEET_ANSWER.search(text.lower()))
        if reading.kind == COMMAND and reading.action in (CHANGE, DELETE) and (
                names_worksheet or stage not in (SELF_ASSESSMENT, None)):
            turn = self._change_or_delete(sender, text, reading)
            if turn is not None:
                return turn, worksheet_form(turn)
        if stage == SELF_ASSESSMENT or stage is None:
            turn = self.assessment.handle(sender, text, intent)
            return turn, assessment_form(turn)
        if self.workbook.current(sender) is None:
            return Turn((Reply(say("conversation.nothing_to_change")),), False), None
        turn = self.workbook.handle(sender, text)
        return turn, worksheet_form(turn)

    def command_outside(self, sender: str, text: str) -> Optional[tuple[Turn, Optional[str]]]:
        """A change, delete or "fill in the brackets" said with no question open, when it names a worksheet
        answer the user has: applied (see navigate). None for anything else."""
        reading = understand(text, Expected(SENTENCE))
        if reading.kind != COMMAND or reading.action not in (CHANGE, DELETE, FILL_BLANKS):
            return None
        if reading.action == FILL_BLANKS:
            turn = self.workbook.fill_blanks(sender, int(reading.argument) if reading.argument else None)
            return turn, worksheet_form(turn)
        turn = self._change_or_delete(sender, text, reading)
        return (turn, worksheet_form(turn)) if turn is not None else None

    def _change_or_delete(self, sender: str, text: str, reading: Reading) -> Optional[Turn]:
        """"change the purpose statement to ...", "delete goal 2" said with no question open: found in
        the user's worksheets and applied there."""
        if reading.action == CHANGE:
            return self.workbook.change_anywhere(sender, text)
        target = reading.argument or ""
        if re.fullmatch(r"goal\s*#?\d{1,2}", target) and self.workbook.open_purpose(sender):
            return self.workbook.delete(sender, target)
        return None

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
        """The journey through the five stages, led by the self-assessment's overview once it has ratings,
        in one message."""
        with self.db.transaction() as repo:
            rated = any(a.rating for a in repo.answers(repo.participant(sender)).values())
        replies = self.assessment.overview(sender)[:1] if rated else []
        journey = self.journey.overview(sender)
        if not replies:
            return [journey]
        return [Reply(f"{replies[0].text}\n{journey.text}", replies[0].buttons + journey.buttons)]

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
            "summary": lambda: t.summary(sender, arg, detail=bool(re.search(
                r"\b(?:in detail|detailed|details|every factor|all (?:the )?factors|full)\b", text.lower()))),
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
        line, button = self.journey.next_line(sender)
        return [reminder_reply(due, line, button)]
