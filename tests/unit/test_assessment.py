"""The self-assessment conversation at the service level: what a user sees and what is stored."""
import pytest

from bot.assessment.self_assessment import SelfAssessment
from bot.reports.export import UnknownUser
from bot.content.knowledge import knowledge
from bot.reports.markdown import render_markdown
from bot.reports.blocks import user_report
from tests.helpers.app import exports


@pytest.fixture
def sa(db, kb):
    return SelfAssessment(db, kb)


def say(sa, text, user="u"):
    turn = sa.handle(user, text)
    return " ".join(r.text for r in turn.replies), turn


def awaiting(sa, user="u"):
    with sa.db.transaction() as repo:
        return repo.participant(user).awaiting


def stored(sa, factor, user="u"):
    with sa.db.transaction() as repo:
        row = repo.answers(repo.participant(user)).get(factor)
        return (row.rating, row.note) if row else None


def test_start_goes_to_the_first_question_with_buttons(sa):
    turn = sa.start("u")
    assert turn.pending and "17 short statements" in turn.replies[0].text
    question = sa.question("u")
    assert question.text.startswith("Question 1 of 17 (Unifying purpose, 1 of 4)")
    assert "shared problem" in question.text or "problem" in question.text
    assert [b.title for b in question.buttons] == [
        "Strongly disagree", "Disagree", "Agree", "Strongly agree", "Not applicable"]


def test_answers_in_free_text_are_stored_with_notes(sa):
    sa.start("u")
    text, _ = say(sa, "agree, but funding is unclear")
    assert "Recorded agree for question 1" in text and "Funding is unclear" in text
    assert stored(sa, "unifying_purpose_1") == ("agree", "Funding is unclear")
    assert awaiting(sa) == "unifying_purpose_2"


@pytest.mark.parametrize("answer", ["partly", "what?", "hello there", "5", "🙈", "", "很同意"])
def test_non_ratings_are_never_stored(sa, answer):
    sa.start("u")
    text, turn = say(sa, answer)
    assert turn.pending and stored(sa, "unifying_purpose_1") is None
    assert awaiting(sa) == "unifying_purpose_1"
    assert text  # the user is told what happened


def test_an_answer_too_long_is_refused_not_cut(sa):
    sa.start("u")
    text, _ = say(sa, "agree, " + "x" * 5000)
    assert "longer than I can keep" in text and stored(sa, "unifying_purpose_1") is None


def test_dimension_summary_then_optional_next_steps(sa):
    sa.start("u")
    for answer in ["strongly agree", "agree", "disagree", "strongly disagree"]:
        say(sa, answer)
    assert awaiting(sa) == "unifying_purpose.next_steps"
    prompt = sa.question("u").text
    assert "Summary of unifying purpose" in prompt and "needs work" in prompt
    assert "Weakest: specific purpose (strongly disagree)" in prompt
    text, _ = say(sa, "Meet the charter board in January")
    assert "Saved your next steps" in text
    assert awaiting(sa) == "environment_1"


def test_negative_events_count_against_readiness(sa):
    sa.start("u")
    for _ in range(4):
        say(sa, "agree")
    say(sa, "skip")
    for answer in ["agree", "strongly agree", "agree", "agree"]:
        say(sa, answer)
    prompt = sa.question("u").text
    assert "counts against readiness" in prompt
    data = exports(sa.db).user("u")
    assert data["self_assessment"]["unifying_purpose"]["status"] == "ready"
    # agree on negative events scores as disagree: mean (3+2+3+3)/4 = 2.75 < 3
    assert data["self_assessment"]["environment"]["status"] == "needs_work"


def test_skip_moves_on_and_start_comes_back_to_skipped(sa):
    sa.start("u")
    text, _ = say(sa, "skip")
    assert "Skipped question 1" in text and awaiting(sa) == "unifying_purpose_2"
    say(sa, "agree")
    sa.start("u")
    assert awaiting(sa) == "unifying_purpose_1"


def test_go_back_shows_the_earlier_answer_and_change_keeps_the_place(sa):
    sa.start("u")
    say(sa, "agree")
    say(sa, "disagree")
    text, _ = say(sa, "go back")
    assert awaiting(sa) == "unifying_purpose_2" and "Going back to question 2" in text
    assert "Your answer so far: disagree" in sa.question("u").text
    say(sa, "strongly agree")
    assert stored(sa, "unifying_purpose_2")[0] == "strongly_agree"
    assert awaiting(sa) == "unifying_purpose_3"


@pytest.mark.parametrize("request_text,factor,rating", [
    ("change my answer on the second question to strongly disagree", "unifying_purpose_2", "strongly_disagree"),
    ("change question 1 to n/a", "unifying_purpose_1", "not_applicable"),
    ("set q2 to 4", "unifying_purpose_2", "strongly_agree"),
    ("change my answer on champions to agree", "environment_3", "agree"),
    ("change the second question of capacity to disagree", "capacity_2", "disagree"),
    ("change my last answer to disagree", "unifying_purpose_2", "disagree"),
])
def test_change_an_earlier_answer_in_plain_words(sa, request_text, factor, rating):
    sa.start("u")
    say(sa, "agree")
    say(sa, "agree")
    text, turn = say(sa, request_text)
    assert stored(sa, factor)[0] == rating, text
    assert "Changed question" in text and turn.pending
    assert awaiting(sa) == "unifying_purpose_3"  # still where we were


def test_change_without_a_rating_goes_to_that_question(sa):
    sa.start("u")
    say(sa, "agree")
    say(sa, "agree")
    text, _ = say(sa, "I want to change my answer to question 1")
    assert awaiting(sa) == "unifying_purpose_1" and "revisit question 1" in text


def test_explain_the_current_factor_and_terms(sa):
    sa.start("u")
    say(sa, "agree")
    meaning = sa.explain("u", "what does this mean?").text
    assert "Question 2" in meaning
    assert sa.explain("u", "why does it matter?").text.startswith("Why it matters")
    assert "foot in both" in sa.explain("u", "what is a boundary spanner?").text
    assert "A. Committing to a unifying purpose" in sa.explain("u", "what are the stages?").text
    assert "Capacity, resources and structures" in sa.explain("u", "what are the four dimensions?").text
    assert "My School DC" in sa.explain("u", "why should districts and charters collaborate at all?").text
    assert awaiting(sa) == "unifying_purpose_2"  # explaining changes nothing


def test_pause_and_resume_after_a_restart(sa, db, kb):
    sa.start("u")
    say(sa, "agree")
    say(sa, "skip")
    assert "pick up at question 3" in sa.pause("u").text
    fresh = SelfAssessment(type(db)(db.url), kb)   # a new process: nothing in memory
    turn = fresh.start("u", resume=True)
    assert "picking up at question 3" in turn.replies[0].text
    assert fresh.question("u").text.startswith("Question 3 of 17")


def complete(sa, user="u", answer="agree"):
    sa.start(user)
    for _ in range(30):
        _, turn = say(sa, answer, user)
        if not turn.pending:
            return


def test_full_assessment_overview_and_export(sa):
    complete(sa)
    assert awaiting(sa) is None
    overview = " ".join(r.text for r in sa.overview("u"))
    # "agree" everywhere includes agreeing that negative events happened: environment needs work
    assert "Environment for collaboration: needs work" in overview
    assert "Strengthen first: environment for collaboration, especially negative events" in overview
    assert "compare their ratings" in overview
    data = exports(sa.db).user("u")
    assert data["user"] == "u"
    assert data["progress"] == {"stage": "self_assessment", "awaiting": None, "completed": ["self_assessment"],
                                "stages": {"purpose": "not started", "self_assessment": "done", "planning": "not started", "implementation": "not started", "sustainability": "not started"}}
    assert list(data["self_assessment"]) == ["unifying_purpose", "environment", "partners", "capacity"]
    factors = [f for d in data["self_assessment"].values() for f in d["factors"]]
    assert len(factors) == 17 and factors[-1] == "capacity_5"
    assert data["self_assessment"]["capacity"]["factors"]["capacity_5"] == {"rating": "agree", "note": None}
    # "agree" typed at a next-steps prompt is kept as text, the user's own words
    assert data["self_assessment"]["capacity"]["next_steps"] == "agree"
    assert "| 17 | We communicate regularly" in render_markdown(user_report(data, knowledge()))


def test_overview_names_what_to_strengthen_first(sa):
    complete(sa, answer="disagree")
    overview = sa.overview("u")[0].text
    assert "Strengthen first" in overview and "needs work" in overview


def test_start_after_completion_shows_overview_without_questions(sa):
    complete(sa)
    turn = sa.start("u")
    assert not turn.pending and "overview" in turn.replies[0].text


def test_unknown_user_export(sa):
    with pytest.raises(UnknownUser):
        exports(sa.db).user("nobody")


def test_commands_before_starting_get_a_clear_answer(sa):
    text, turn = say(sa, "skip", user="new")
    assert not turn.pending and "haven't started" in text


def test_asking_the_same_question_twice_gives_a_short_reminder(sa):
    sa.start("u")
    full = sa.question("u").text
    say(sa, "partly")  # not a rating: the question stays open
    again = sa.question("u")
    assert len(again.text) < len(full) and again.text.startswith("Question 1:") and len(again.buttons) == 5
    sa.start("u", resume=True)
    assert sa.question("u").text == full  # coming back shows it in full


def test_go_back_after_finishing_reopens_the_last_step(sa):
    complete(sa)
    text, turn = say(sa, "go back")
    assert turn.pending and awaiting(sa) == "capacity.next_steps"
    assert "Your next steps so far" in sa.question("u").text
