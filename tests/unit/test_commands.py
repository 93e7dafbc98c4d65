"""One grammar of commands: the same words skip, go back or change an answer in every stage."""
import pytest

from bot.app import build
from bot.language.commands import change_request, is_back, is_skip
from tests.helpers.conversation import say

BACK = ["go back", "back", "previous", "previous question", "step back", "undo", "back up", "one back",
        "go back one", "go back a step", "can we go back?", "take me back to the last question", "wait, go back",
        "back to the previous one", "please go back", "oops, previous question please"]
NOT_BACK = ["students go back to their home school", "we need to step back and rethink the budget",
            "back-to-school night for families", "the previous superintendent started it", "last year"]


@pytest.mark.parametrize("text", BACK)
def test_back_in_the_words_people_use(text):
    assert is_back(text)


@pytest.mark.parametrize("text", NOT_BACK)
def test_an_answer_that_mentions_going_back_is_an_answer(text):
    assert not is_back(text)


@pytest.mark.parametrize("text", ["skip", "pass", "next", "skip this one", "can we skip this", "later",
                                  "come back to this later", "wait, skip it please", "move on"])
def test_skip(text):
    assert is_skip(text)


@pytest.mark.parametrize("text", ["skip the ESL coaches' meeting", "we pass the budget in May", "next year"])
def test_answers_that_start_like_a_skip(text):
    assert not is_skip(text)


@pytest.mark.parametrize("text, target, value", [
    ("change the problem statement to Families cannot compare schools", "problem statement",
     "Families cannot compare schools"),
    ("edit why 2", "why 2", None),
    ("I'd like to update my answer on question 5 to agree", "answer on question 5", "agree"),
    ("please set question 3 to n/a", "question 3", "n/a"),
    ("wait, fix the Outputs", "Outputs", None),
])
def test_change_names_a_target_and_keeps_the_user_s_capitals(text, target, value):
    request = change_request(text)
    assert (request.target, request.value) == (target, value)


def test_a_sentence_that_uses_a_change_verb_later_is_not_a_command():
    assert change_request("Principals want to change how transfers work") is None


@pytest.fixture
def guide(db, kb):
    return build(db, kb).guide


@pytest.mark.parametrize("words", ["step back", "previous", "go back", "undo"])
def test_the_same_words_go_back_in_the_self_assessment_and_in_a_worksheet(guide, words):
    guide.start_self_assessment("u")
    guide.assessment.handle("u", "agree")
    turn = guide.assessment.handle("u", words)
    assert "Going back to question 1" in turn.replies[0].text

    guide.workbook.start("w", "five_whys")
    say(guide, "Ninth graders who switch sectors lose credits", "w")
    text, _ = say(guide, words, "w")
    assert text.startswith("Going back to: ")
