"""Stages A and C at the service level: the worksheets, their navigation, and the export."""
import pytest

from bot.app import build
from bot.content.knowledge import knowledge
from bot.reports.markdown import render_markdown
from bot.reports.blocks import user_report
from tests.helpers.app import exports
from tests.helpers.conversation import fill_purpose, run_five_whys, say


@pytest.fixture
def guide(db, kb):
    return build(db, kb).guide


def ask(guide, user="u"):
    return guide.workbook.question(user).text


def position(guide, user="u"):
    return guide.workbook.current(user)


def test_purpose_questions_and_drafted_statement(guide):
    turn = guide.workbook.start("u", "purpose")
    assert turn.pending and "focused purpose" in turn.replies[0].text
    first = guide.workbook.question("u")
    assert "Which kind of purpose" in first.text and len(first.buttons) == 5
    say(guide, "More access to school options for families")
    say(guide, "Families struggle to apply across two separate enrollment systems")
    say(guide, "all families with school-age children")
    say(guide, "neither sector controls enrollment on its own")
    say(guide, "skip")  # the initiator is optional
    statement = ask(guide)
    assert "Together, district and charter partners will tackle this: Families struggle to apply" in statement
    say(guide, "yes")
    data = exports(guide.db).user("u")
    assert data["purpose"].startswith("Together, district and charter partners will tackle this")
    assert data["purpose"].endswith("because neither sector controls enrollment on its own.")


def test_a_vague_goal_gets_concrete_issues_a_suggestion_and_can_be_revised(guide):
    fill_purpose(guide)
    assert "What is a goal" in ask(guide)
    say(guide, "Improve attendance for students who move between sectors")
    prompt = ask(guide)
    assert "no measure: by how much, from what baseline?" in prompt and "no date: by when?" in prompt
    assert "Improve attendance for students who move between sectors from [baseline] to [target]" in prompt
    text, _ = say(guide, "Raise attendance for students who move between sectors from 82% to 90% by June 2027")
    assert "checks out" in text
    assert "achievable" in ask(guide)
    say(guide, "not sure")
    say(guide, "yes")  # another goal
    say(guide, "Help families apply")
    say(guide, "keep mine")
    say(guide, "yes")
    text, turn = say(guide, "no")
    assert not turn.pending and "Stage A is complete" in text
    goals = exports(guide.db).user("u")["smart_goals"]
    assert goals[0] == {"text": "Raise attendance for students who move between sectors from 82% to 90% by June 2027",
                        "checks": {"specific": True, "measurable": True, "achievable": None,
                                   "results_oriented": True, "time_bound": True}}
    assert goals[1]["text"] == "Help families apply" and goals[1]["checks"]["achievable"] is True
    assert goals[1]["checks"]["measurable"] is False


def test_accepting_the_suggestion_saves_it(guide):
    fill_purpose(guide)
    say(guide, "Increase the graduation rate for English learners")
    say(guide, "yes")
    goal = exports(guide.db).user("u")["smart_goals"][0]
    assert goal["text"].startswith("Increase the graduation rate for English learners from [baseline] to [target] by")


def test_add_goal_after_stage_a_is_complete(guide):
    fill_purpose(guide)
    for answer in ["Increase FAFSA completion among seniors from 55% to 70% by March 2027", "yes", "no"]:
        say(guide, answer)
    turn = guide.workbook.start("u", "purpose", add_goal=True)
    assert turn.pending and "What is a goal" in ask(guide)


def test_five_whys_step_by_step_with_an_early_stop(guide):
    guide.workbook.start("u", "five_whys")
    assert "what problem is your collaboration trying to solve" in ask(guide)
    say(guide, "Ninth graders who switch sectors lose credits")
    assert ask(guide).startswith('Why 1: why does this happen? "Ninth graders who switch sectors lose credits"')
    say(guide, "Transcripts arrive weeks late")
    assert "How do you know?" in ask(guide)
    say(guide, "Registrar logs show 30-day delays")
    assert "Why 2" in ask(guide) and "that's the root" in ask(guide)
    say(guide, "There is no shared way to send records")
    say(guide, "Both sectors use different student systems")
    text, _ = say(guide, "that's the root")
    assert "2 why(s) recorded" in text
    pick = ask(guide)
    assert "1. Transcripts arrive weeks late" in pick and "2. There is no shared way to send records" in pick
    say(guide, "1 and 2")
    assert 'If "Transcripts arrive weeks late" were removed, would the problem be prevented?' in ask(guide)
    say(guide, "yes")
    text, turn = say(guide, "not sure")
    assert not turn.pending and "2 root cause(s), 1 confirmed" in text
    five = exports(guide.db).user("u")["five_whys"]
    assert five == {
        "problem": "Ninth graders who switch sectors lose credits",
        "whys": [{"answer": "Transcripts arrive weeks late", "evidence": "Registrar logs show 30-day delays"},
                 {"answer": "There is no shared way to send records",
                  "evidence": "Both sectors use different student systems"}],
        "root_causes": [
            {"text": "Transcripts arrive weeks late", "evidence": "Registrar logs show 30-day delays", "validated": True},
            {"text": "There is no shared way to send records", "evidence": "Both sectors use different student systems",
             "validated": None}],
    }


def test_five_whys_stops_after_five_and_takes_a_cause_in_words(guide):
    guide.workbook.start("u", "five_whys")
    say(guide, "Too many students are chronically absent")
    for n in range(1, 6):
        say(guide, f"cause {n}")
        say(guide, f"evidence {n}")
    assert "Which of these causes" in ask(guide)
    say(guide, "families lack reliable transport")
    assert "What data tell you" in ask(guide)
    say(guide, "the bus survey")
    say(guide, "no")
    five = exports(guide.db).user("u")["five_whys"]
    assert len(five["whys"]) == 5
    assert five["root_causes"] == [{"text": "families lack reliable transport", "evidence": "the bus survey",
                                    "validated": False}]


def test_go_back_and_change_in_a_worksheet(guide):
    guide.workbook.start("u", "five_whys")
    say(guide, "Students lose credits")
    say(guide, "Transcripts arrive late")
    text, _ = say(guide, "go back")
    assert "Going back to: why 1" in text and "So far: Transcripts arrive late" in ask(guide)
    say(guide, "Transcripts arrive weeks late")
    assert "How do you know" in ask(guide)
    text, _ = say(guide, "change the problem statement to Ninth graders who switch sectors lose credits")
    assert "Changed problem statement" in text and "How do you know" in ask(guide)
    assert exports(guide.db).user("u")["five_whys"]["problem"] == "Ninth graders who switch sectors lose credits"


def test_logic_model_offers_the_problem_and_takes_lists(guide):
    run_five_whys(guide)
    guide.workbook.start("u", "logic_model")
    question = guide.workbook.question("u")
    assert 'Suggested: "Ninth graders who switch sectors lose credits"' in question.text
    say(guide, "yes")
    text, _ = say(guide, "Registrar time\nA shared data platform; Grant money")
    assert "Added 3" in text
    say(guide, "- Staff from both sectors")
    say(guide, "done")
    for answer in ["Monthly records exchange; Joint counselor training", "done", "A transfer protocol", "done",
                   "Records arrive in 10 days", "done", "Credit loss halves", "done", "More ninth graders on track",
                   "done", "Mayor's support", "done", "skip"]:
        text, turn = say(guide, answer)
    assert not turn.pending and "logic model is saved" in text
    model = exports(guide.db).user("u")["logic_model"]
    assert model["problem"] == "Ninth graders who switch sectors lose credits"
    assert model["inputs"] == ["Registrar time", "A shared data platform", "Grant money", "Staff from both sectors"]
    assert model["activities"] == ["Monthly records exchange", "Joint counselor training"]
    assert model["constraining_factors"] == []


def test_action_plan_for_a_goal_with_steps(guide):
    fill_purpose(guide)
    for answer in ["Increase FAFSA completion among seniors from 55% to 70% by March 2027", "yes", "no"]:
        say(guide, answer)
    turn = guide.workbook.start("u", "action_plan")
    assert "capacity to collaborate and a right-sized scope" in turn.replies[0].text
    assert 'Suggested: "Increase FAFSA completion' in ask(guide)
    say(guide, "yes")
    say(guide, "70% of seniors complete FAFSA; counselors in both sectors share one calendar")
    say(guide, "done")
    for answer in ["Run joint FAFSA nights", "Counselors from both sectors", "October 2026", "Rooms and laptops",
                   "Rooms", "Schedules clash", "Newsletter to families monthly", "yes",
                   "Track completions weekly", "Data lead", "November 2026", "Dashboard access", "None yet",
                   "Data sharing limits", "Weekly email to principals", "no",
                   "Weekly completion counts", "State FAFSA data in April", "Joint training for counselors",
                   "Start with two high schools as an easy win"]:
        text, turn = say(guide, answer)
    assert not turn.pending and "saved with 2 step(s)" in text
    plan = exports(guide.db).user("u")["action_plans"][0]
    assert plan["goal"] == "Increase FAFSA completion among seniors from 55% to 70% by March 2027"
    assert plan["outcomes"] == ["70% of seniors complete FAFSA", "counselors in both sectors share one calendar"]
    assert plan["steps"][1] == {"action": "Track completions weekly", "who": "Data lead", "by_when": "November 2026",
                                "resources_needed": "Dashboard access", "resources_available": "None yet",
                                "barriers": "Data sharing limits", "communications": "Weekly email to principals"}
    assert plan["scope"] == "Start with two high schools as an easy win"
    markdown = render_markdown(user_report(exports(guide.db).user("u"), knowledge()))
    assert "| 2 | Track completions weekly | Data lead | November 2026 |" in markdown


def test_explain_mid_worksheet(guide):
    guide.workbook.start("u", "five_whys")
    assert "moves the team from symptoms to causes" in guide.workbook.explain("u", "why 5 whys?").text
    assert "A one-page map" in guide.workbook.explain("u", "what is a logic model?").text
    assert "This question asks" in guide.workbook.explain("u", "what does this mean?").text
    assert position(guide)[2] == "problem"


def test_pause_and_resume_a_worksheet_after_a_restart(guide, db, kb):
    guide.workbook.start("u", "five_whys")
    say(guide, "Students lose credits")
    assert "pick up at the same question" in guide.pause("u").text
    fresh = build(type(db)(db.url), kb).guide
    turn, form = fresh.resume("u")
    assert form == "worksheet_form" and "5 Whys" in turn.replies[0].text
    assert fresh.workbook.question("u").text.startswith("Why 1")


def test_switching_mid_form_is_explained_not_stored(guide):
    guide.workbook.start("u", "five_whys")
    turn = guide.handle("u", "let's do the logic model", "start_logic_model", "worksheet_form")
    assert "5 Whys root-cause analysis keeps its answers" in turn.replies[0].text and turn.paused
    assert guide.workbook.current("u")[0] == "logic_model"
    assert exports(guide.db).user("u")["five_whys"]["problem"] is None


def test_progress_lists_every_worksheet(guide):
    run_five_whys(guide)
    text = "\n".join(r.text for r in guide.progress("u"))
    assert "C. Planning (5 Whys, logic model, action plans): in progress (5 Whys root-cause analysis done)" in text
    assert "B. Self-assessment: not started" in text and "reflection on the DC and Massachusetts profiles: not started" in text


def test_a_goal_can_be_skipped_and_is_offered_again(guide):
    fill_purpose(guide)
    text, _ = say(guide, "skip")   # the goal text itself can be skipped
    assert "Skipped: goal 1" in text and "achievable" in ask(guide)
    guide.workbook.start("u", "purpose")  # starting again offers the skipped goal once more
    assert "What is a goal" in ask(guide)
