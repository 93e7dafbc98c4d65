"""Each action reads who is talking and what they said, calls the guide, sends its replies.

Two forms ask the questions: `self_assessment_form` (stage B) and `worksheet_form` (stages A,
C, D and E, the reflection sheet and a team member's profile). Each has one text slot; its validation action passes the message to the guide and
clears the slot, so the form asks the next question until the guide has none open. Actions
that may lead into a form set `resume_form` to the form that should run next (or None).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterable, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from datetime import datetime

from rasa_sdk.events import EventType, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from bot.lessons.advisor import asks_for_more, asks_for_related
from bot.conversation.forms import SELF_ASSESSMENT_FORM, WORKSHEET_FORM
from bot.conversation.guide import requested_worksheet
from bot.conversation.privacy import is_confirmation, is_delete_request, is_keep
from bot.language.replies import Reply
from bot.conversation.reminders import is_reminder_request
from bot.reports.delivery import FILE_CHANNELS, FILE_KEY, is_report_request
from bot.language.text import looks_like_pause, looks_like_progress_request

RESUME_SLOT = "resume_form"
REMINDER_INTENT = "EXTERNAL_reminder"
LESSON_SLOT = "lesson_id"
DELETED_SLOT = "data_deleted"
START_INTENTS = {"start_purpose": "purpose", "add_goal": "add_goal", "start_five_whys": "five_whys",
                 "start_logic_model": "logic_model", "start_action_plan": "action_plan", "start_planning": "planning",
                 "start_reflection": "reflections", "start_implementation": "implementation",
                 "start_sustainability": "sustainability"}


def send(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    for reply in replies:
        buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        dispatcher.utter_message(text=reply.text, buttons=buttons or None)


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def answered_instead(dispatcher: CollectingDispatcher, tracker: Tracker, is_request) -> bool:
    """Inside a form, a message the classifier took for a request but whose words are not one is the
    answer to the open question: hand it to the guide and report True."""
    form, text = tracker.active_loop_name, latest_text(tracker)
    if not form or is_request(text):
        return False
    send(dispatcher, services.app().guide.handle(tracker.sender_id, text, latest_intent(tracker), form).replies)
    return True


class ActionWelcome(Action):
    def name(self) -> str:
        return "action_welcome"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, services.app().home.welcome(tracker.sender_id))
        return []


class ActionHelp(Action):
    def name(self) -> str:
        return "action_help"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, services.app().home.help(tracker.sender_id, understood=latest_intent(tracker) == "help"))
        return []


class ActionStartSelfAssessment(Action):
    def name(self) -> str:
        return "action_start_self_assessment"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn, form = services.app().guide.start_self_assessment(tracker.sender_id)
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]


class ActionStartWorksheet(Action):
    """Opens stage A (purpose, goals) or a planning tool, from the intent or the words used."""

    def name(self) -> str:
        return "action_start_worksheet"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = latest_text(tracker)
        request = requested_worksheet(text) or START_INTENTS.get(latest_intent(tracker) or "", "purpose")
        turn, form = services.app().guide.start_worksheet(tracker.sender_id, request, text)
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]


class ActionStartNewRound(Action):
    """A fresh pass through the self-assessment; the earlier rounds are kept for comparison."""

    def name(self) -> str:
        return "action_start_new_round"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn, form = services.app().guide.start_new_round(tracker.sender_id, latest_text(tracker))
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]


class ActionSetReminder(Action):
    """"Remind me on Monday to finish this": stored, then scheduled by Rasa as a reminder event."""

    def name(self) -> str:
        return "action_set_reminder"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if answered_instead(dispatcher, tracker, is_reminder_request):
            return []
        reply, scheduled = services.app().guide.set_reminder(tracker.sender_id, latest_text(tracker), datetime.now())
        send(dispatcher, [reply])
        if scheduled is None:
            return []
        name, due = scheduled
        # Not killed by later messages: the user keeps working, and still wants the reminder.
        return [ReminderScheduled(REMINDER_INTENT, trigger_date_time=due, name=name, kill_on_user_message=False)]


class ActionReminderDue(Action):
    """Runs when a reminder fires: says what it was about and what is left to do."""

    def name(self) -> str:
        return "action_reminder_due"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, services.app().guide.reminder_due(tracker.sender_id))
        return []


class ActionResume(Action):
    """"continue", "where was I?", or an answer typed when no question is open: pick up where we were."""

    def name(self) -> str:
        return "action_resume"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn, form = services.app().guide.resume(tracker.sender_id)
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]


class ActionNavigate(Action):
    """Skip, go back or change an answer while no question is open (after a pause or the end)."""

    def name(self) -> str:
        return "action_navigate"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn, form = services.app().guide.navigate(tracker.sender_id, latest_text(tracker), latest_intent(tracker))
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]


class ActionAskQuestion(Action, ABC):
    """Asks the open question of one form (the form calls `action_ask_<slot>`)."""

    form = ""

    @abstractmethod
    def name(self) -> str:  # abstract, so the action server does not register this base class
        ...

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, [services.app().guide.question(tracker.sender_id, self.form)])
        return []


class ActionAskAssessmentAnswer(ActionAskQuestion):
    form = SELF_ASSESSMENT_FORM

    def name(self) -> str:
        return "action_ask_assessment_answer"


class ActionAskWorksheetAnswer(ActionAskQuestion):
    form = WORKSHEET_FORM

    def name(self) -> str:
        return "action_ask_worksheet_answer"


class ValidateGuideForm(FormValidationAction, ABC):
    """Hands every answer to the guide; the form keeps asking while a question is open."""

    form = ""
    slot = ""

    @abstractmethod
    def name(self) -> str:
        ...

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        return domain_slots if services.app().forms.open_form(tracker.sender_id) == self.form else []

    def _validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        turn = services.app().guide.handle(tracker.sender_id, str(value or ""), latest_intent(tracker), self.form)
        send(dispatcher, turn.replies)
        return {self.slot: None}


class ValidateSelfAssessmentForm(ValidateGuideForm):
    form, slot = SELF_ASSESSMENT_FORM, "assessment_answer"

    def name(self) -> str:
        return "validate_self_assessment_form"

    def validate_assessment_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        return self._validate(value, dispatcher, tracker)


class ValidateWorksheetForm(ValidateGuideForm):
    form, slot = WORKSHEET_FORM, "worksheet_answer"

    def name(self) -> str:
        return "validate_worksheet_form"

    def validate_worksheet_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        return self._validate(value, dispatcher, tracker)


class ActionExplain(Action):
    """Explains a term, the framework, or the open question; then the form asks again."""

    def name(self) -> str:
        return "action_explain"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        guide, form = services.app().guide, tracker.active_loop_name
        # The classifier can mistake an answer that mentions a term for a question: the guide decides.
        if answered_instead(dispatcher, tracker, lambda text: not guide.takes_as_answer(tracker.sender_id, text, form)):
            return []
        send(dispatcher, guide.explain(tracker.sender_id, latest_text(tracker), form))
        return []


class ActionPause(Action):
    """Stops for now; inside a form, a message that only sounded like stopping is kept as the answer."""

    def name(self) -> str:
        return "action_pause"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if answered_instead(dispatcher, tracker, looks_like_pause):
            return [SlotSet(RESUME_SLOT, tracker.active_loop_name)]
        send(dispatcher, [services.app().guide.pause(tracker.sender_id)])
        return [SlotSet(RESUME_SLOT, None)]


class ActionSelfAssessmentOverview(Action):
    """The self-assessment's overview, shown when its last question is answered."""

    def name(self) -> str:
        return "action_self_assessment_overview"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, services.app().assessment.overview(tracker.sender_id))
        return []


class ActionShowProgress(Action):
    def name(self) -> str:
        return "action_show_progress"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if answered_instead(dispatcher, tracker, looks_like_progress_request):  # "registrar logs show delays"
            return []
        send(dispatcher, services.app().guide.progress(tracker.sender_id))
        return []


class ActionAnswerLesson(Action):
    """Answers a question about the profiles' lessons; inside a form, an answer that only mentions a place is kept."""

    def name(self) -> str:
        return "action_answer_lesson"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        guide, form = services.app().guide, tracker.active_loop_name
        if answered_instead(dispatcher, tracker, lambda text: not guide.takes_as_answer(tracker.sender_id, text, form)):
            return []
        replies, lesson_id = guide.advisor.answer(latest_text(tracker))
        send(dispatcher, replies)
        return [SlotSet(LESSON_SLOT, lesson_id)] if lesson_id else []


class ActionLessonDetail(Action):
    def name(self) -> str:
        return "action_lesson_detail"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if answered_instead(dispatcher, tracker, asks_for_more):
            return []
        lesson_id = next(tracker.get_latest_entity_values("lesson_id"), None) or tracker.get_slot(LESSON_SLOT)
        send(dispatcher, services.app().advisor.detail(lesson_id))
        return [SlotSet(LESSON_SLOT, lesson_id)] if lesson_id else []


class ActionRelatedLessons(Action):
    def name(self) -> str:
        return "action_related_lessons"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if answered_instead(dispatcher, tracker, asks_for_related):
            return []
        lesson_id = next(tracker.get_latest_entity_values("lesson_id"), None) or tracker.get_slot(LESSON_SLOT)
        send(dispatcher, services.app().advisor.related(lesson_id))
        return []


class ActionTeam(Action):
    """Creating, joining and switching teams, the ratings comparison and the facilitator's requests.
    Reminders a facilitator sends are stored; the reminder channel delivers them to each member."""

    def name(self) -> str:
        return "action_team"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn, form, _ = services.app().guide.team(tracker.sender_id, latest_text(tracker), datetime.now())
        send(dispatcher, turn.replies)
        return [SlotSet(RESUME_SLOT, form)]


def asked_to_delete_just_before(tracker: Tracker) -> bool:
    """Whether the user's previous message was a request to delete their data (which the bot
    answered by asking for a confirmation), not a "keep my data" or anything else."""
    said = [e for e in tracker.events if e.get("event") == "user"]
    if len(said) < 2:
        return False
    previous = said[-2]
    intent = ((previous.get("parse_data") or {}).get("intent") or {}).get("name")
    text = previous.get("text") or ""
    return intent == "delete_my_data" and is_delete_request(text) and not is_keep(text)


class ActionDeleteMyData(Action):
    """"Delete my data" asks for a confirmation; "yes, delete everything" right after it deletes.
    The `data_deleted` slot marks the moment for the tracker store, which then drops the
    conversation so far (bot/rasa_plugins/tracker_store.py): the typed answers live there too."""

    def name(self) -> str:
        return "action_delete_my_data"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if answered_instead(dispatcher, tracker, is_delete_request):  # "State FAFSA data in April"
            return [SlotSet(RESUME_SLOT, tracker.active_loop_name)]
        if is_keep(latest_text(tracker)):
            dispatcher.utter_message(text="Nothing was deleted: your work is just as it was.")
            return [SlotSet(RESUME_SLOT, None)]
        if not is_delete_request(latest_text(tracker)):
            send(dispatcher, services.app().home.help(tracker.sender_id, understood=False))
            return [SlotSet(RESUME_SLOT, None)]
        confirmed = asked_to_delete_just_before(tracker) and is_confirmation(latest_text(tracker))
        send(dispatcher, [services.app().guide.delete_data(tracker.sender_id, confirmed)])
        events: list[EventType] = [SlotSet(RESUME_SLOT, None)]
        return events + [SlotSet(DELETED_SLOT, True)] if confirmed else events


class ActionSendReport(Action):
    """"Send me my report": a Word document, as a path in the terminal and a download link elsewhere."""

    def name(self) -> str:
        return "action_send_report"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if answered_instead(dispatcher, tracker, is_report_request):  # "a one-page report to the board"
            return []
        channel = tracker.get_latest_input_channel()
        replies, made = services.app().reports.deliver(tracker.sender_id, latest_text(tracker), channel)
        send(dispatcher, replies)
        if made is not None and channel in FILE_CHANNELS:   # the channel uploads it (bot/rasa_plugins/channels/slack.py)
            dispatcher.utter_message(json_message={FILE_KEY: {"path": str(made.path), "title": made.path.name,
                                                              "link": made.link}})
        return []
