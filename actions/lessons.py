"""The profiles' lessons: answers to questions about them, more detail, and related lessons."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import GuideAction, answered_instead, app, commanded_instead, latest_text, send
from bot.lessons.advisor import asks_for_more, asks_for_related

LESSON_SLOT = "lesson_id"


class ActionAnswerLesson(GuideAction):
    """Answers a question about the profiles' lessons; inside a form, an answer that only mentions a place is kept."""

    def name(self) -> str:
        return "action_answer_lesson"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        guide, form = app().guide, tracker.active_loop_name
        events = answered_instead(dispatcher, tracker, lambda text: not guide.takes_as_answer(tracker.sender_id, text, form))
        if events is not None:
            return events
        events = commanded_instead(dispatcher, tracker)  # "change my role to head of school"
        if events is not None:
            return events
        replies, lesson_id = guide.advisor.answer(latest_text(tracker))
        send(dispatcher, replies)
        return [SlotSet(LESSON_SLOT, lesson_id)] if lesson_id else []


class ActionLessonDetail(GuideAction):
    def name(self) -> str:
        return "action_lesson_detail"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = answered_instead(dispatcher, tracker, asks_for_more)
        if events is not None:
            return events
        lesson_id = next(tracker.get_latest_entity_values("lesson_id"), None) or tracker.get_slot(LESSON_SLOT)
        send(dispatcher, app().advisor.detail(lesson_id))
        return [SlotSet(LESSON_SLOT, lesson_id)] if lesson_id else []


class ActionRelatedLessons(GuideAction):
    def name(self) -> str:
        return "action_related_lessons"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = answered_instead(dispatcher, tracker, asks_for_related)
        if events is not None:
            return events
        lesson_id = next(tracker.get_latest_entity_values("lesson_id"), None) or tracker.get_slot(LESSON_SLOT)
        send(dispatcher, app().advisor.related(lesson_id))
        return []
