"""Every custom action, run the way the action server runs it: a tracker in, events and messages out."""
import asyncio
import shutil

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import forms, lessons, navigation, privacy, services
from bot.config import DATABASE_URL_ENV
from tests.helpers.servers import PROJECT

DOMAIN = {"forms": {"self_assessment_form": {"required_slots": ["assessment_answer"]},
                    "worksheet_form": {"required_slots": ["worksheet_answer"]}},
          "slots": {"assessment_answer": {}, "worksheet_answer": {}, "resume_form": {}}}


@pytest.fixture(autouse=True)
def fresh_services(tmp_path, monkeypatch, migrated_sqlite):
    path = tmp_path / "actions.db"
    shutil.copyfile(migrated_sqlite, path)          # the action server opens only a migrated database
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{path}")
    services.app.cache_clear()
    yield
    services.app().db.dispose()
    services.app.cache_clear()


def tracker(text="", intent=None, active_loop=None, sender="user-1", slots=None, metadata=None,
            latest_action="action_listen"):
    return Tracker(
        sender_id=sender, slots={"requested_slot": "assessment_answer" if active_loop else None, **(slots or {})},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [],
                        "metadata": metadata or {}},
        # as Rasa sends a form's run: what came before, the form's own run, then the slots it extracted
        events=[{"event": "user", "text": text} if latest_action == "action_listen" else
                {"event": "action", "name": latest_action}] +
               ([{"event": "action", "name": active_loop}] if active_loop else []) +
               [{"event": "slot", "name": k, "value": v} for k, v in (slots or {}).items()],
        paused=False, followup_action=None,
        active_loop={"name": active_loop} if active_loop else {}, latest_action_name=latest_action,
    )


def run(action, **kwargs):
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker(**kwargs), DOMAIN)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return dispatcher.messages, result


def texts(messages):
    return " ".join(m["text"] for m in messages)


def test_welcome_for_a_newcomer_offers_to_start():
    messages, events = run(navigation.ActionWelcome(), text="hi", intent="greet")
    assert "Common Ground" in texts(messages) and events == []
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert "start the self-assessment" in payloads and "let's define our unifying purpose" in payloads


def test_start_sets_the_slot_and_ask_shows_the_question_with_buttons():
    messages, events = run(forms.ActionStartSelfAssessment(), text="let's do the self-assessment",
                           intent="start_self_assessment")
    assert events == [SlotSet("resume_form", "self_assessment_form")] and "17 short statements" in texts(messages)
    messages, _ = run(forms.ValidateSelfAssessmentForm(), active_loop="self_assessment_form", latest_action="action_explain")
    assert messages[0]["text"].startswith("Question 1 of 17")
    assert len(messages[0]["buttons"]) == 5


def test_validation_stores_the_answer_and_keeps_the_form_going():
    run(forms.ActionStartSelfAssessment(), intent="start_self_assessment")
    messages, events = run(forms.ValidateSelfAssessmentForm(), text="mostly", intent="rate",
                           active_loop="self_assessment_form", slots={"assessment_answer": "mostly"})
    assert "Recorded agree for question 1" in texts(messages)
    assert messages[-1]["text"].startswith("Question 2 of 17")     # asked in the same call: no second one
    assert len(messages[-1]["buttons"]) == 5
    assert SlotSet("assessment_answer", None) in events
    assert SlotSet("requested_slot", None) not in events


def test_validation_ends_the_form_after_the_last_step():
    run(forms.ActionStartSelfAssessment(), intent="start_self_assessment")
    events, messages = [], []
    for _ in range(21):  # 17 factors + 4 next-steps prompts
        messages, events = run(forms.ValidateSelfAssessmentForm(), text="agree", intent="rate",
                               active_loop="self_assessment_form", slots={"assessment_answer": "agree"})
    assert SlotSet("requested_slot", None) in events
    assert not any("of 17" in (m["text"] or "") for m in messages)     # nothing left to ask
    messages, _ = run(forms.ActionSelfAssessmentOverview())
    assert "Your self-assessment overview" in texts(messages)


def test_explain_answers_and_leaves_the_question_open():
    run(forms.ActionStartSelfAssessment(), intent="start_self_assessment")
    messages, events = run(navigation.ActionExplain(), text="what is a neutral convener?", intent="explain",
                           active_loop="self_assessment_form")
    assert "trusted by both sectors" in texts(messages) and events == []
    messages, _ = run(forms.ValidateSelfAssessmentForm(), active_loop="self_assessment_form", latest_action="action_explain")
    assert messages[0]["text"].startswith("Question 1 of 17")


def test_explain_treats_a_misread_answer_as_an_answer():
    run(forms.ActionStartSelfAssessment(), intent="start_self_assessment")
    messages, _ = run(navigation.ActionExplain(), text="agree, we explained our goals to the board", intent="explain",
                      active_loop="self_assessment_form")
    assert "Recorded agree for question 1" in texts(messages)


def test_pause_then_resume():
    run(forms.ActionStartSelfAssessment(), intent="start_self_assessment")
    run(forms.ValidateSelfAssessmentForm(), text="agree", intent="rate", active_loop="self_assessment_form",
        slots={"assessment_answer": "agree"})
    messages, events = run(navigation.ActionPause(), text="I have to run", intent="stop",
                           active_loop="self_assessment_form")
    assert "pick up at question 2" in texts(messages) and events == [SlotSet("resume_form", None)]
    messages, events = run(navigation.ActionResume(), text="where was I?", intent="resume")
    assert "picking up at question 2" in texts(messages) and events == [SlotSet("resume_form", "self_assessment_form")]


def test_command_outside_the_form_changes_an_answer():
    run(forms.ActionStartSelfAssessment(), intent="start_self_assessment")
    run(forms.ValidateSelfAssessmentForm(), text="agree", intent="rate", active_loop="self_assessment_form",
        slots={"assessment_answer": "agree"})
    messages, events = run(navigation.ActionNavigate(), text="change question 1 to strongly disagree",
                           intent="change_answer")
    assert "Changed question 1" in texts(messages) and events == [SlotSet("resume_form", "self_assessment_form")]


def test_help_lists_what_the_bot_can_do():
    messages, _ = run(navigation.ActionHelp(), text="blorp", intent="nlu_fallback")
    assert texts(messages).startswith("Sorry, I didn't follow that") and len(texts(messages)) < 400
    messages, _ = run(navigation.ActionHelp(), text="help", intent="help")
    assert texts(messages).startswith("Here's a quick way on") and "Next:" in texts(messages)


def test_explain_keeps_next_steps_that_mention_a_term():
    run(forms.ActionStartSelfAssessment(), intent="start_self_assessment")
    for _ in range(4):
        run(forms.ValidateSelfAssessmentForm(), text="agree", intent="rate", active_loop="self_assessment_form",
            slots={"assessment_answer": "agree"})
    messages, _ = run(navigation.ActionExplain(), text="Find a neutral convener", intent="explain",
                      active_loop="self_assessment_form")
    assert "Saved your next steps for unifying purpose" in texts(messages)
    messages, _ = run(navigation.ActionExplain(), text="what is a neutral convener?", intent="explain",
                      active_loop="self_assessment_form")
    assert "trusted by both sectors" in texts(messages)


def test_start_worksheet_from_intent_and_from_words():
    messages, events = run(forms.ActionStartWorksheet(), text="let's do the 5 whys", intent="start_planning")
    assert events == [SlotSet("resume_form", "worksheet_form")] and "5 Whys" in texts(messages)
    messages, _ = run(forms.ValidateWorksheetForm(), active_loop="worksheet_form", latest_action="action_explain")
    assert "what problem is your collaboration trying to solve" in texts(messages)


def test_worksheet_validation_saves_and_moves_on():
    run(forms.ActionStartWorksheet(), text="start the logic model", intent="start_logic_model")
    messages, events = run(forms.ValidateWorksheetForm(), text="Ninth graders lose credits when they switch",
                           intent="rate", active_loop="worksheet_form",
                           slots={"worksheet_answer": "Ninth graders lose credits when they switch"})
    assert SlotSet("worksheet_answer", None) in events and SlotSet("requested_slot", None) not in events
    assert messages[-1]["text"].startswith("Inputs and resources")     # the next question, in the same call


def test_pause_that_is_really_an_answer_keeps_the_form():
    run(forms.ActionStartWorksheet(), text="start the logic model", intent="start_logic_model")
    messages, events = run(navigation.ActionPause(), text="Stop losing students between sectors", intent="stop",
                           active_loop="worksheet_form")
    assert events == [SlotSet("resume_form", "worksheet_form")]
    messages, _ = run(forms.ValidateWorksheetForm(), active_loop="worksheet_form", latest_action="action_explain")
    assert texts(messages).startswith("Inputs and resources")


def test_progress_request_inside_a_worksheet_and_an_answer_that_only_says_show():
    run(forms.ActionStartWorksheet(), text="let's do the 5 whys", intent="start_five_whys")
    messages, _ = run(navigation.ActionShowProgress(), text="show my progress", intent="show_progress",
                      active_loop="worksheet_form")
    assert "Your journey" in texts(messages)
    assert "C. Planning (5 Whys, logic model, action plans): in progress (5 Whys root-cause analysis started)" in texts(messages)
    assert "Next: finish your 5 Whys root-cause analysis" in texts(messages)
    messages, _ = run(navigation.ActionShowProgress(), text="Registrar logs show 30-day delays", intent="show_progress",
                      active_loop="worksheet_form")
    assert "Your journey" not in texts(messages)


def test_resume_picks_the_worksheet_back_up():
    run(forms.ActionStartWorksheet(), text="let's do the 5 whys", intent="start_five_whys")
    run(navigation.ActionPause(), text="I have to run", intent="stop", active_loop="worksheet_form")
    messages, events = run(navigation.ActionResume(), text="continue", intent="resume")
    assert events == [SlotSet("resume_form", "worksheet_form")] and "5 Whys" in texts(messages)


def test_the_action_server_registers_every_domain_action():
    import yaml
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((PROJECT / "domain.yml").read_text())
    custom = [a for a in domain["actions"] if not a.startswith("utter_")]
    assert sorted(custom) == sorted(executor.actions)


def test_lesson_question_outside_and_a_misread_answer_inside_a_form():
    messages, events = run(lessons.ActionAnswerLesson(), text="what did DC do about enrollment?", intent="ask_lesson")
    assert texts(messages).startswith("My School DC") and events == [SlotSet("lesson_id", "dc-my-school-dc")]
    messages, _ = run(lessons.ActionLessonDetail(), text="tell me more", intent="lesson_more",
                      slots={"lesson_id": "dc-my-school-dc"})
    assert "Common Lottery Board" in texts(messages)
    run(forms.ActionStartSelfAssessment(), intent="start_self_assessment")
    messages, _ = run(lessons.ActionLessonDetail(), text="agree, details to follow from the board",
                      intent="lesson_more", active_loop="self_assessment_form")
    assert "Recorded agree for question 1" in texts(messages)


def _said(*messages):
    """Tracker events for these user messages, (text, intent) each, the last being the current one."""
    return [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}} for text, intent in messages]


def delete_turn(*messages):
    dispatcher = CollectingDispatcher()
    current_text, current_intent = messages[-1]
    state = tracker(text=current_text, intent=current_intent)
    state.events = _said(*messages)
    events = privacy.ActionDeleteMyData().run(dispatcher, state, DOMAIN)
    return texts(dispatcher.messages), events


@pytest.mark.parametrize("history, deleted", [
    ((("delete my data", "delete_my_data"), ("yes, delete everything", "delete_my_data")), True),
    ((("delete my data", "delete_my_data"), ("delete my data", "delete_my_data")), True),
    ((("yes, delete everything", "delete_my_data"),), False),                  # no question was asked
    ((("delete my data", "delete_my_data"), ("keep my data", "delete_my_data"),
      ("delete my data", "delete_my_data")), False),                           # "keep" in between
    ((("show my progress", "show_progress"), ("yes, delete everything", "delete_my_data")), False),
])
def test_data_is_deleted_only_when_confirmed_right_after_the_request(history, deleted):
    services.app().guide.start_self_assessment("user-1")
    services.app().guide.assessment.handle("user-1", "agree")
    text, events = delete_turn(*history)
    assert ("Done: everything you told me is deleted" in text) is deleted
    assert (SlotSet("data_deleted", True) in events) is deleted
    with services.app().db.transaction() as repo:
        assert (repo.find_participant("user-1") is None) is deleted


def test_keep_my_data_is_an_answer_not_a_puzzle():
    text, events = delete_turn(("delete my data", "delete_my_data"), ("keep my data", "delete_my_data"))
    assert "Nothing was deleted" in text and events == [SlotSet("resume_form", None)]


def test_every_action_call_is_one_database_transaction():
    """The edge opens the call's transaction; the services inside join it (SQLAlchemy's own 'begin' events)."""
    from sqlalchemy import event

    from actions import reminders, reports, teams
    begins = []
    event.listen(services.app().db.engine, "begin", lambda connection: begins.append(1))
    calls = [
        (navigation.ActionWelcome(), dict(text="hi", intent="greet")),
        (forms.ActionStartSelfAssessment(), dict(intent="start_self_assessment")),
        (forms.ValidateSelfAssessmentForm(), dict(active_loop="self_assessment_form", latest_action="action_explain")),
        *[(forms.ValidateSelfAssessmentForm(), dict(text=rating, intent="rate", active_loop="self_assessment_form",
                                                    slots={"assessment_answer": rating}))
          for rating in ("agree", "mostly", "disagree, no budget yet")],
        (forms.ValidateSelfAssessmentForm(), dict(active_loop="self_assessment_form", latest_action="action_explain")),
        (navigation.ActionExplain(), dict(text="what is a neutral convener?", intent="explain",
                                          active_loop="self_assessment_form")),
        (navigation.ActionShowProgress(), dict(text="show my progress", intent="show_progress")),
        (navigation.ActionPause(), dict(text="I have to run", intent="stop", active_loop="self_assessment_form")),
        (navigation.ActionResume(), dict(text="where was I?", intent="resume")),
        (navigation.ActionNavigate(), dict(text="change question 1 to strongly disagree", intent="change_answer")),
        (forms.ActionStartWorksheet(), dict(text="let's do the 5 whys", intent="start_five_whys")),
        (forms.ValidateWorksheetForm(), dict(text="Ninth graders who switch sectors lose credits", intent="inform",
                                             active_loop="worksheet_form",
                                             slots={"worksheet_answer": "Ninth graders who switch sectors lose credits"})),
        (forms.ValidateWorksheetForm(), dict(active_loop="worksheet_form", latest_action="action_explain")),
        (teams.ActionTeam(), dict(text="create a team called Boston Compact", intent="create_team")),
        (reminders.ActionSetReminder(), dict(text="remind me tomorrow at 9", intent="set_reminder")),
        (lessons.ActionAnswerLesson(), dict(text="what did DC do about enrollment?", intent="ask_lesson")),
        (reports.ActionSendReport(), dict(text="send me my report", intent="send_report")),
        (navigation.ActionHelp(), dict(text="help", intent="help")),
        (privacy.ActionDeleteMyData(), dict(text="delete my data", intent="delete_my_data")),
    ]
    counted = []
    for action, kwargs in calls:
        begins.clear()
        run(action, **kwargs)
        counted.append((action.name(), len(begins)))
    assert [name for name, count in counted if count > 1] == [], counted
    assert sum(count for _, count in counted) >= len(calls) - 2   # nearly every call reads or writes


def test_a_web_link_is_given_in_a_direct_chat_and_never_where_others_read():
    text = " ".join(m["text"] for m in run(navigation.ActionWebLink(), text="open this on the web", intent="web_link",
                                            metadata={"out_channel": "D0ANA"})[0])
    assert "/webhooks/web/continue/" in text and "15 minutes" in text
    for metadata in ({"out_channel": "C0SCHOOL"}, {"shared": True}):
        text = " ".join(m["text"] for m in run(navigation.ActionWebLink(), text="open this on the web",
                                                intent="web_link", metadata=metadata)[0])
        assert "/webhooks/" not in text and "direct message" in text


def test_a_new_session_carries_the_slots_and_the_running_form_but_not_the_deletion_mark():
    from rasa_sdk.events import ActionExecuted, ActiveLoop, SessionStarted

    from actions.session import ActionSessionStart
    _, events = run(ActionSessionStart(), active_loop="self_assessment_form",
                    slots={"resume_form": "self_assessment_form", "data_deleted": True, "worksheet_answer": None})
    assert events[0] == SessionStarted() and events[-1] == ActionExecuted("action_listen")
    assert SlotSet("resume_form", "self_assessment_form") in events
    assert SlotSet("requested_slot", "assessment_answer") in events       # the form asks the same slot
    assert ActiveLoop("self_assessment_form") in events                   # an answer after lunch still answers
    assert not [e for e in events if e.get("name") in ("data_deleted", "worksheet_answer")]


def test_a_new_session_outside_a_form_starts_no_form():
    from rasa_sdk.events import ActiveLoop

    from actions.session import ActionSessionStart
    _, events = run(ActionSessionStart(), slots={"resume_form": None})
    assert not [e for e in events if e.get("event") == ActiveLoop(None)["event"]]


def test_a_message_that_fills_no_slot_asks_nothing_in_the_call_rasa_rejects():
    """"what does this mean?" reaches no slot: Rasa rejects the form's call and lets the rules explain; were
    the question asked (and counted as shown) there, the next ask would skip to another wording."""
    run(forms.ActionStartSelfAssessment(), intent="start_self_assessment")
    messages, events = run(forms.ValidateSelfAssessmentForm(), text="what does this mean?", intent="explain",
                           active_loop="self_assessment_form")
    assert messages == [] and events == []
    messages, _ = run(forms.ValidateSelfAssessmentForm(), active_loop="self_assessment_form",
                      latest_action="action_explain")
    assert messages[-1]["text"].startswith("Question 1 of 17")


def test_a_form_run_again_after_its_own_run_asks_its_question():
    """Leaving one worksheet for another: the form's first run (the message) pauses it, Rasa runs it again
    at once for the other worksheet, and that second run must ask the new worksheet's first question."""
    from actions.forms import follows_a_message
    first = Tracker.from_dict({"sender_id": "u", "slots": {}, "latest_message": {}, "paused": False,
                               "events": [{"event": "user", "text": "wait can we start the logic model"},
                                          {"event": "action", "name": "worksheet_form"}]})
    again = Tracker.from_dict({"sender_id": "u", "slots": {}, "latest_message": {}, "paused": False,
                               "events": first.events + [{"event": "active_loop", "name": None},
                                                         {"event": "action", "name": "worksheet_form"}]})
    assert follows_a_message(first, "worksheet_form") is True
    assert follows_a_message(again, "worksheet_form") is False
