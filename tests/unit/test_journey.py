"""Stages D and E, self-assessment rounds, the journey overview and reminders, at the service level."""
from datetime import date, datetime, timedelta

import pytest

import bot.worksheets.checklists as checklists
from bot.worksheets.checklists import parse_status
from bot.storage.db import Database
from bot.app import build
from bot.conversation.reminders import parse_request
from bot.content.knowledge import knowledge
from bot.reports.markdown import render_markdown
from bot.reports.blocks import user_report
from tests.helpers.app import exports, home
from tests.helpers.conversation import answer_assessment, complete_purpose, run_five_whys, say


@pytest.fixture
def guide(db, kb):
    return build(db, kb).guide


def on_day(monkeypatch, day: date) -> None:
    monkeypatch.setattr(checklists, "today", lambda: day)


def progress_text(guide, user="u"):
    return "\n".join(r.text for r in guide.progress(user))


# --- reading "is it in place?" ----------------------------------------------------------------

@pytest.mark.parametrize("text, status, note", [
    ("yes", "yes", None),
    ("Partly: budget approved, staffing not yet", "partly", "budget approved, staffing not yet"),
    ("no budget yet", "not_yet", "no budget yet"),
    ("not yet", "not_yet", None),
    ("N/A - we skipped the pilot", "not_applicable", "we skipped the pilot"),
    ("2 - half the schools", "partly", "half the schools"),
    ("we have a pilot lead in each sector", "yes", "we have a pilot lead in each sector"),
    ("mostly", "partly", None),
    ("hmm, hard to tell", None, None),
    ("", None, None),
])
def test_status_and_note_are_read_from_one_message(text, status, note):
    assert parse_status(text) == (status, note)


# --- stage D: implementation check-ins -----------------------------------------------------------

PILOT_FIRST = ["yes", "partly: the charter board agreed, the district has not announced it", "Ana to brief the board",
               "not yet", "none", "yes", "yes", "not yet", "Schedule the joint review in May", "n/a", "n/a", "n/a"]


def check_in(guide, answers, phase="piloting", user="u"):
    turn = guide.workbook.start(user, "implementation")
    assert turn.pending
    say(guide, phase, user)
    text = ""
    for answer in answers:
        text, turn = say(guide, answer, user)
    return text, turn


def test_a_piloting_check_in_asks_each_quality_with_notes_and_next_steps(guide, monkeypatch):
    on_day(monkeypatch, date(2026, 3, 12))
    turn = guide.workbook.start("u", "implementation")
    assert "three phases" in turn.replies[0].text
    assert "Which phase" in guide.workbook.question("u").text
    say(guide, "piloting")
    question = guide.workbook.question("u")
    assert question.text.startswith("Piloting, quality 1 of 8: The partners agreed what the pilot covers")
    assert [b.title for b in question.buttons] == ["Yes", "Partly", "Not yet", "N/A"]
    text, _ = say(guide, "partly: the charter board agreed, the district has not announced it")
    assert "Pilot defined: partly in place" in text
    assert "next step" in guide.workbook.question("u").text
    say(guide, "Ana to brief the district board in April")
    say(guide, "maybe?")  # not a status: asked again, nothing stored
    assert "quality 2 of 8" in guide.workbook.question("u").text
    say(guide, "go back")
    assert "next step" in guide.workbook.question("u").text
    say(guide, "skip")
    for answer in ["yes", "not yet", "none", "yes", "yes", "not yet", "Schedule the joint review", "yes", "n/a"]:
        text, turn = say(guide, answer)
    assert not turn.pending
    assert "Check-in of 12 March on piloting saved: 4 of 8 qualities in place" in text
    assert "still open: pilot defined, pilot resources, pilot results reviewed" in text

    data = exports(guide.db).user("u")["implementation"]
    assert len(data) == 1 and data[0]["date"] == "2026-03-12" and data[0]["phase"] == "piloting"
    first = data[0]["qualities"][0]
    assert first == {"id": "piloting_1", "text": first["text"], "status": "partly",
                     "note": "the charter board agreed, the district has not announced it",
                     "next_step": "Ana to brief the district board in April"}
    assert data[0]["qualities"][2]["next_step"] is None  # "none" as next step


def test_the_next_check_in_says_what_changed_since_the_last(guide, monkeypatch):
    on_day(monkeypatch, date(2026, 3, 12))
    check_in(guide, ["yes", "not yet", "none", "not yet", "none", "not yet", "none", "yes", "not yet", "none",
                     "not yet", "none", "n/a"])
    on_day(monkeypatch, date(2026, 4, 20))
    turn = guide.workbook.start("u", "implementation")
    assert "A new check-in, dated 20 April" in turn.replies[0].text
    assert "last check-in, on 12 March, was about piloting" in guide.workbook.question("u").text
    say(guide, "piloting")
    for answer in ["yes", "yes", "yes", "yes", "yes", "partly", "none", "not yet", "Share results at the June board",
                   "n/a"]:
        text, turn = say(guide, answer)
    assert "3 more qualities in place since 12 March" in text
    assert "new: pilot explained to staff, pilot resources, pilot benchmarks" in text
    assert "still open: pilot results reviewed, pilot results shared" in text
    dates = [c["date"] for c in exports(guide.db).user("u")["implementation"]]
    assert dates == ["2026-03-12", "2026-04-20"]


def test_an_unfinished_check_in_is_continued_not_duplicated(guide):
    guide.workbook.start("u", "implementation")
    say(guide, "full implementation")
    say(guide, "yes")
    turn = guide.workbook.start("u", "implementation")
    assert "Back to your implementation check-in" in turn.replies[0].text
    assert "quality 2 of 14" in guide.workbook.question("u").text
    assert len(exports(guide.db).user("u")["implementation"]) == 1


def test_a_next_step_that_names_the_stage_is_an_answer_not_a_switch(guide):
    guide.workbook.start("u", "implementation")
    say(guide, "piloting")
    say(guide, "not yet")
    turn = guide.handle("u", "Begin implementation planning in May", "start_implementation", "worksheet_form")
    assert not any("I have to run" in r.text for r in turn.replies)
    assert exports(guide.db).user("u")["implementation"][0]["qualities"][0]["next_step"] == \
        "Begin implementation planning in May"
    turn = guide.handle("u", "let's do the 5 whys", "start_five_whys", "worksheet_form")
    # another worksheet: the check-in keeps its place, the 5 Whys opens, and nothing was stored
    assert turn.paused and turn.switch_to == "worksheet_form"
    assert "implementation check-in keeps its answers" in turn.replies[0].text
    assert guide.workbook.current("u")[0] == "five_whys"
    qualities = exports(guide.db).user("u")["implementation"][0]["qualities"]
    assert qualities[0]["next_step"] == "Begin implementation planning in May" and qualities[1]["status"] is None


def test_a_check_in_answer_can_be_changed_by_name(guide):
    check_in(guide, ["yes", "yes", "yes"], phase="reflection")
    text, _ = say(guide, "change results reviewed to not yet")
    assert "Changed results reviewed to: not yet" in text
    assert "quality 4 of 5" in guide.workbook.question("u").text  # the open question stays open
    say(guide, "yes")
    say(guide, "yes")
    assert "next step for \"results reviewed\"" in guide.workbook.question("u").text  # then the new gap
    text, _ = say(guide, "Write up the lessons")
    assert "4 of 5 qualities in place" in text and "still open: results reviewed" in text
    data = exports(guide.db).user("u")["implementation"][0]
    assert [q["status"] for q in data["qualities"]] == ["not_yet", "yes", "yes", "yes", "yes"]


def test_phase_guidance_is_explained_on_request(guide):
    guide.workbook.start("u", "implementation")
    assert "Think small before going big" in guide.explain("u", "what does piloting mean?", "worksheet_form")[0].text
    assert "part of how the organisations normally work" in guide.explain("u", "what is full implementation?",
                                                                          "worksheet_form")[0].text


# --- stage E: sustainability ---------------------------------------------------------------------

def test_the_sustainability_checklist_links_to_the_logic_model_and_a_new_round(guide):
    guide.workbook.start("u", "sustainability")
    say(guide, "yes: the Riverside Compact")
    for _ in range(3):
        say(guide, "yes")
    assert "You have no logic model yet" in guide.workbook.question("u").text
    say(guide, "not yet")
    say(guide, "Build one at the May retreat")
    for answer in ["partly", "none", "yes", "yes", "yes", "not yet", "Draft bylaws"]:
        say(guide, answer)
    text, turn = say(guide, "yes")
    assert "Sustainability checklist saved: 8 of 11 points in place" in text
    assert "To work on: information channels, a logic model, permanent governance" in text
    assert [b.payload for b in turn.replies[-1].buttons] == ["start the logic model", "start a new self-assessment round"]
    data = exports(guide.db).user("u")["sustainability"]
    assert data["points"][0]["note"] == "the Riverside Compact" and data["points"][4]["next_step"] == "Build one at the May retreat"
    assert "## E. Sustaining" in render_markdown(user_report(exports(guide.db).user("u"), knowledge()))


def test_point_five_offers_the_logic_model_built_in_stage_c(guide):
    guide.workbook.start("u", "logic_model")
    for answer in ["Late transcripts", "Registrar time", "done", "Weekly exchange; Shared template", "done"]:
        say(guide, answer)
    guide.workbook.start("u", "sustainability")
    for _ in range(4):
        say(guide, "yes")
    question = guide.workbook.question("u").text
    assert "You built a logic model in stage C for \"Late transcripts\" (2 activities)" in question


# --- self-assessment rounds -----------------------------------------------------------------------

# environment_2 (damaging events) counts reversed: "disagree" there is the good answer
WEAK_CAPACITY = ["agree"] * 5 + ["disagree"] + ["agree"] * 6 + ["disagree", "strongly disagree", "disagree", "disagree",
                                                                "agree"]
STRONGER = ["agree"] * 5 + ["disagree"] + ["agree"] * 6 + ["agree", "agree", "strongly agree", "agree", "agree"]


def test_a_second_round_keeps_the_first_and_compares_dimension_by_dimension(guide):
    answer_assessment(guide, WEAK_CAPACITY[:5])
    turn, form = guide.start_new_round("u", "start a new self-assessment round")
    assert "Round 1 isn't finished yet (5 of 17 answered)" in turn.replies[0].text and form is None
    answer_assessment(guide, WEAK_CAPACITY[5:])
    turn, form = guide.start_new_round("u", "start a new self-assessment round")
    assert "Round 2 of the self-assessment" in turn.replies[0].text and form == "self_assessment_form"
    assert guide.assessment.question("u").text.startswith("Question 1 of 17")
    answer_assessment(guide, STRONGER)
    overview = guide.assessment.overview("u")[0].text
    assert "Compared with round 1:" in overview
    assert "- Capacity, resources and structures: 2.0 → 3.2 (up 1.2), now ready" in overview
    assert "- Unifying purpose: 3.0 → 3.0 (unchanged)" in overview
    rounds = exports(guide.db).user("u")["assessment_rounds"]
    assert [r["round"] for r in rounds] == [1, 2] and rounds[1]["current"]
    assert rounds[0]["ratings"]["capacity_2"] == "strongly_disagree" and rounds[1]["ratings"]["capacity_2"] == "agree"
    assert rounds[0]["dimensions"]["capacity"]["status"] == "needs_work"
    assert rounds[1]["dimensions"]["capacity"]["status"] == "ready"
    assert exports(guide.db).user("u")["self_assessment"]["capacity"]["factors"]["capacity_2"]["rating"] == "agree"


def test_start_a_new_round_anyway_leaves_the_unfinished_one(guide):
    answer_assessment(guide, ["agree"] * 3)
    turn, form = guide.start_new_round("u", "start a new round anyway")
    assert "Round 2" in turn.replies[0].text
    rounds = exports(guide.db).user("u")["assessment_rounds"]
    assert sum(1 for v in rounds[0]["ratings"].values() if v) == 3
    assert not any(rounds[1]["ratings"].values())


# --- the journey ----------------------------------------------------------------------------------

def test_a_newcomer_is_pointed_at_stage_a(guide):
    text = progress_text(guide)
    assert "· A. Unifying purpose and SMART goals: not started" in text
    assert "Next: agree on your unifying purpose and SMART goals (stage A). Why:" in text


def test_after_stage_a_the_self_assessment_is_next(guide):
    complete_purpose(guide)
    text = progress_text(guide)
    assert "✓ A. Unifying purpose and SMART goals: done (1 goal)" in text
    assert "Next: complete the self-assessment (stage B)" in text


def test_weak_capacity_makes_planning_start_with_a_right_sized_pilot(guide):
    complete_purpose(guide)
    answer_assessment(guide, WEAK_CAPACITY)
    text = progress_text(guide)
    assert "✓ B. Self-assessment: done (3 of 4 dimensions ready)" in text
    assert "Next: plan: the 5 Whys root-cause analysis (stage C). Why: the self-assessment shows capacity needs " \
           "work, so plan a right-sized pilot" in text
    buttons = guide.progress("u")[-1].buttons
    assert buttons[0].payload == "start the 5 Whys root-cause analysis"


def test_a_paused_question_comes_first(guide):
    complete_purpose(guide)
    guide.start_self_assessment("u")
    guide.assessment.handle("u", "agree")
    assert "Next: finish your self-assessment. Why: you stopped in the middle" in progress_text(guide)
    assert "… B. Self-assessment: in progress (1 of 17 answered)" in progress_text(guide)


def test_everything_done_suggests_a_new_round_or_another_check_in(guide, monkeypatch):
    on_day(monkeypatch, date(2026, 3, 12))
    complete_purpose(guide)
    answer_assessment(guide, STRONGER)
    run_five_whys(guide)
    guide.workbook.start("u", "logic_model")
    for answer in ["yes", "Registrar time", "done", "Weekly exchange", "done"] + ["done"] * 6:
        say(guide, answer)
    guide.workbook.start("u", "action_plan")
    for answer in ["yes", "done"] + ["Joint nights", "Counselors", "May", "Rooms", "Rooms", "None", "Newsletter", "no",
                                     "Counts", "State data", "Training", "Two schools"]:
        say(guide, answer)
    check_in(guide, ["yes"] * 8)
    guide.workbook.start("u", "sustainability")
    for _ in range(11):
        say(guide, "yes")
    text = progress_text(guide)
    assert text.count("✓") == 5
    assert "Next: start a new self-assessment round" in text
    on_day(monkeypatch, date(2026, 5, 1))
    assert "Next: do another implementation check-in. Why: the last one was on 2026-03-12" in progress_text(guide)
    data = exports(guide.db).user("u")
    assert data["progress"]["completed"] == ["purpose", "self_assessment", "planning", "implementation", "sustainability"]
    assert data["progress"]["stage"] == "sustainability"


def test_the_help_menu_shows_the_journey_and_where_was_i_after_a_restart(guide, db, kb):
    complete_purpose(guide)
    guide.workbook.start("u", "five_whys")
    say(guide, "Ninth graders lose credits")
    guide.pause("u")
    fresh = build(Database(db.url), kb).guide  # a restarted server: nothing in memory
    replies = home(fresh.db).help("u", understood=True)
    assert len(replies) == 1 and len(replies[0].text) < 400  # short, about where the user is
    assert "finish your 5 Whys" in replies[0].text and replies[0].buttons[0].payload == "continue"
    full = home(fresh.db).help("u", understood=True, text="help: all commands")
    assert "create a team called" in full[0].text
    turn, form = fresh.resume("u")
    assert form == "worksheet_form" and "picking up your 5 Whys" in turn.replies[0].text
    assert fresh.workbook.question("u").text.startswith("Why 1")


# --- reminders ------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 24, 15, 0)  # a Tuesday


@pytest.mark.parametrize("text, due, about", [
    ("remind me on Monday to finish this", datetime(2026, 11, 30, 9, 0), "finish this"),
    ("remind me to finish this on Monday", datetime(2026, 11, 30, 9, 0), "finish this"),
    ("remind me tomorrow at 9 to do the check-in", datetime(2026, 11, 25, 9, 0), "do the check-in"),
    ("Remind us on Friday at 3pm about the logic model", datetime(2026, 11, 27, 15, 0), "the logic model"),
    ("remind me next Monday", datetime(2026, 11, 30, 9, 0), None),
    ("remind me in 10 seconds", NOW + timedelta(seconds=10), None),
    ("remind me in 2 hours to continue", datetime(2026, 11, 24, 17, 0), "continue"),
    ("remind me to check in at 4pm today", datetime(2026, 11, 24, 16, 0), "check in"),
    ("remind me tonight", datetime(2026, 11, 24, 19, 0), None),
    ("remind me on 3 December", datetime(2026, 12, 3, 9, 0), None),
])
def test_reminder_times_are_read_as_people_say_them(text, due, about):
    request = parse_request(text, NOW)
    assert (request.due, request.about) == (due, about)


@pytest.mark.parametrize("text, problem", [("remind me to finish the 5 whys", "missing"),
                                           ("remind me yesterday", "past"), ("remind me in 3 years", "too_far")])
def test_unusable_reminder_times_get_a_reason(text, problem):
    assert parse_request(text, NOW).problem == problem


def test_a_reminder_is_stored_and_brings_what_is_left_when_due(guide):
    complete_purpose(guide)
    reply, scheduled = guide.set_reminder("u", "remind me on Monday to finish this", NOW)
    assert "I'll remind you Monday 30 November at 09:00 to finish this" in reply.text
    name, due = scheduled
    assert name.startswith("reminder-") and due == datetime(2026, 11, 30, 9, 0)
    assert guide.reminder_due("u", now=NOW) == []  # not yet
    replies = guide.reminder_due("u", now=due)
    assert "Reminder: you asked me to remind you to finish this. Next: complete the self-assessment" in replies[0].text
    assert guide.reminder_due("u", now=due + timedelta(days=1)) == []  # delivered once


def test_a_reminder_missed_while_away_is_mentioned_on_return(guide):
    complete_purpose(guide)
    guide.set_reminder("u", "remind me in 10 seconds to finish this", datetime.now() - timedelta(minutes=5))
    welcome = home(guide.db).welcome("u")
    assert welcome[0].text.startswith("Reminder: you asked me to remind you to finish this")
    assert "Welcome back" in welcome[-1].text
    assert not any("Reminder" in r.text for r in home(guide.db).welcome("u"))


def test_a_reminder_without_a_time_asks_when(guide):
    reply, scheduled = guide.set_reminder("u", "remind me to finish the 5 whys", NOW)
    assert scheduled is None and "When should I remind you?" in reply.text
    reply, _ = guide.set_reminder("u", "remind me yesterday", NOW)
    assert reply.text.startswith("That time has already passed.")
