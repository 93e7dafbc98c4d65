"""The understanding step: nothing is stored until a message is known to answer the open question.

The exchanges are the ones users had with the guide before (issue 14), replayed at the service
level; tests/e2e/test_understanding_rest.py replays the main ones over REST."""
from __future__ import annotations

import re

import pytest
import yaml

from bot.app import build
from bot.content.messages import load_messages
from bot.language.choices import match_option, read_yes_no
from bot.language.languages import other_language
from bot.language.text import clean_text
from bot.lessons.advisor import Advisor
from bot.language.understanding import (ANSWER, CHOICE, COMMAND, GOAL, LIST, OTHER_LANGUAGE, RATING, REQUEST,
                                        SENTENCE, SMALL_TALK, UNCLEAR, YESNO, Expected, understand)
from bot.teams.requests import parse_request as parse_team_request
from tests.helpers.app import exports
from tests.helpers.servers import PROJECT
from tests.helpers.conversation import answer_assessment, complete_purpose, say
from tests.helpers.teams import NOW, boston, team

@pytest.fixture
def guide(db, kb):
    return build(db, kb).guide


SECTORS = ("District", "Charter", "Catholic or private school", "City or state agency", "Community partner")


@pytest.mark.parametrize("text,shape,kind,action", [
    ("start the self-assessment", SENTENCE, REQUEST, "stage"),
    ("actually let's do the self-assessment first", SENTENCE, REQUEST, "stage"),
    ("skip this, just the goal pls", CHOICE, REQUEST, "stage"),
    ("can u help me write a smart goal", CHOICE, REQUEST, "draft_goal"),
    ("can u just write it for me? grades 3-8 ELLs, +10 pts by spring 2027", GOAL, REQUEST, "draft_goal"),
    ("how would u word it? ELL reading up 10 points by 2027", GOAL, REQUEST, "draft_goal"),
    ("lol it put my 'can we get...' in there. take that out", SENTENCE, COMMAND, "delete"),
    ("i want to edit goal 1", YESNO, COMMAND, "change"),
    ("delete goal 2", SENTENCE, COMMAND, "delete"),
    ("remove it", LIST, COMMAND, "delete"),
    ("clear this list", LIST, COMMAND, "delete"),
    ("help", SENTENCE, REQUEST, "help"),
    ("what's next?", SENTENCE, REQUEST, "next"),
    ("cancel", SENTENCE, COMMAND, "pause"),
    ("where was I?", SENTENCE, COMMAND, "continue"),
    ("start over", SENTENCE, COMMAND, "start_over"),
    ("wait no, 10 should be disagree", RATING, COMMAND, "change"),
    ("talk to a human", RATING, REQUEST, "human"),
    ("what does SMART mean?", GOAL, REQUEST, "question"),
    ("lol", SENTENCE, SMALL_TALK, None),
    ("ok thanks!", SENTENCE, SMALL_TALK, None),
    ("¿Podemos hacerlo en español?", SENTENCE, OTHER_LANGUAGE, None),
    ("Nous préférons travailler en français", RATING, OTHER_LANGUAGE, None),
    ("asdfgh", YESNO, UNCLEAR, None),
    ("a shared problem", CHOICE, UNCLEAR, None),
    # answers stay answers, even when they mention a command word or a stage
    ("students go back to their home school", SENTENCE, ANSWER, None),
    ("make sure we agree on the actual problem before we plan", SENTENCE, ANSWER, None),
    ("prob, if we share the ESL coaches", YESNO, ANSWER, None),
    ("ok", YESNO, ANSWER, None),
    ("mostly not", RATING, ANSWER, None),
    ("👍", RATING, ANSWER, None),
    ("we meet monthly so agree", RATING, ANSWER, None),
    ("done", LIST, ANSWER, None),
    ("that's the root", SENTENCE, ANSWER, None),
    ("Raise grade 3 reading proficiency from 40% to 50% by June 2027", GOAL, ANSWER, None),
    ("the district one", CHOICE, ANSWER, None),
])
def test_a_message_is_read_for_what_it_is(text, shape, kind, action):
    reading = understand(text, Expected(shape, SECTORS if shape == CHOICE else ()))
    assert (reading.kind, reading.action) == (kind, action)


def test_a_side_remark_is_not_stored_with_the_answer():
    reading = understand("lol ok so Families can't find seats, can we get to the goal part now", Expected(SENTENCE))
    assert reading.kind == ANSWER and reading.answer == "Families can't find seats"


def _open_form(guide, user="u"):
    return guide.forms.open_form(user)


def _handle(guide, text, user="u", intent=None):
    return guide.handle(user, text, intent, _open_form(guide, user))


# --- stage A and goals ---------------------------------------------------------------------------

def test_commands_typed_in_stage_a_are_not_stored(guide):
    guide.workbook.start("u", "purpose")
    _handle(guide, "1")
    for text in ("help", "what's next?", "where was I?"):
        _handle(guide, text)
        assert guide.workbook.current("u")[2] == "problem"
    turn = _handle(guide, "cancel")
    assert turn.paused and not turn.pending
    assert exports(guide.db).user("u")["purpose_answers"]["problem"] is None
    _handle(guide, "Families apply twice, to two systems")
    assert exports(guide.db).user("u")["purpose_answers"]["problem"] == "Families apply twice, to two systems"


def test_help_me_write_a_smart_goal_goes_to_the_goal_and_drafts_from_facts(guide):
    turn, form = guide.start_worksheet("u", "add_goal", "can u help me write a smart goal")
    assert form == "worksheet_form" and guide.workbook.current("u")[2] == "goals.0.text"  # purpose questions later
    turn = _handle(guide, "can u just write it for me? grades 3-8 ELLs, +10 pts in reading by spring 2027")
    assert "drafted goal 1" in turn.replies[0].text
    question = guide.workbook.question("u").text
    assert "By spring 2027, raise reading for grades 3-8 English learners by 10 points." in question
    _handle(guide, "yes")
    goal = exports(guide.db).user("u")["smart_goals"][0]
    assert goal["text"] == "By spring 2027, raise reading for grades 3-8 English learners by 10 points."
    assert all(goal["checks"][k] for k in ("specific", "measurable", "results_oriented", "time_bound"))


def test_a_suggestion_with_blanks_asks_for_them_instead_of_passing(guide):
    guide.workbook.start("u", "purpose", add_goal=True)
    _handle(guide, "work together more")
    turn = _handle(guide, "yes")
    assert "[baseline]" in turn.replies[0].text and "blanks" in turn.replies[0].text
    goal = exports(guide.db).user("u")["smart_goals"][0]
    assert "[baseline]" in goal["text"] and goal["checks"]["measurable"] is False
    _handle(guide, "For English learners in grades 3-8, raise reading scores from 41% to 51% by June 2027")
    assert exports(guide.db).user("u")["smart_goals"][0]["checks"]["measurable"] is True


def test_goals_can_be_edited_and_deleted_and_the_statement_changed_by_name(guide):
    complete_purpose(guide)
    guide.workbook.start("u", "purpose", add_goal=True)
    _handle(guide, "Cut chronic absenteeism among ninth graders from 30% to 20% by June 2027")
    _handle(guide, "yes")
    assert len(exports(guide.db).user("u")["smart_goals"]) == 2
    _handle(guide, "i want to edit goal 1")
    assert guide.workbook.current("u")[2] == "goals.0.text"
    _handle(guide, "Raise FAFSA completion among seniors from 55% to 75% by March 2027")
    turn = _handle(guide, "delete goal 2")
    assert 'Deleted goal 2: "Cut chronic absenteeism' in turn.replies[0].text
    goals = exports(guide.db).user("u")["smart_goals"]
    assert [g["text"] for g in goals] == ["Raise FAFSA completion among seniors from 55% to 75% by March 2027"]
    guide.pause("u")
    turn, _ = guide.navigate("u", "change the purpose statement to Families apply once for every public school",
                             "change_answer")
    assert exports(guide.db).user("u")["purpose"] == "Families apply once for every public school"


def test_a_free_words_yes_keeps_its_condition(guide):
    guide.workbook.start("u", "purpose", add_goal=True)
    _handle(guide, "Raise grade 3 reading proficiency from 40% to 50% by June 2027")
    _handle(guide, "prob, if we share the ESL coaches")
    goal = exports(guide.db).user("u")["smart_goals"][0]
    assert goal["checks"]["achievable"] is True and goal["achievable_note"] == "If we share the ESL coaches"


def test_the_same_prompt_never_comes_twice_in_a_row(guide):
    guide.workbook.start("u", "purpose")
    asked = [guide.workbook.question("u").text]
    for text in ("a shared problem", "hmm, the shared one?", "the thing with buses"):
        _handle(guide, text)
        asked.append(guide.workbook.question("u").text)
    assert all(a != b for a, b in zip(asked, asked[1:]))
    assert exports(guide.db).user("u")["purpose_answers"]["kind"] is None


# --- planning -------------------------------------------------------------------------------------

def test_a_stage_request_inside_the_5_whys_opens_it_and_stores_nothing(guide):
    guide.workbook.start("u", "five_whys")
    _handle(guide, "Ninth graders who switch sectors lose credits")
    turn = _handle(guide, "actually let's do the self-assessment first")
    assert turn.paused and turn.switch_to == "self_assessment_form"
    assert exports(guide.db).user("u")["five_whys"]["whys"] == []


def test_that_is_the_root_at_an_evidence_question_ends_the_whys(guide):
    guide.workbook.start("u", "five_whys")
    for text in ("Ninth graders lose credits", "Transcripts arrive late", "that's the root"):
        _handle(guide, text)
    five = exports(guide.db).user("u")["five_whys"]
    assert five["whys"] == [{"answer": "Transcripts arrive late", "evidence": None}]
    assert guide.workbook.current("u")[2] == "root_pick"


def test_picking_root_causes_again_replaces_the_first_pick(guide):
    guide.workbook.start("u", "five_whys")
    for text in ("Ninth graders lose credits", "Transcripts arrive late", "logs", "No shared records system",
                 "vendor docs", "that's the root", "1"):
        _handle(guide, text)
    _handle(guide, "go back")   # to the evidence for the root cause
    _handle(guide, "go back")   # to the pick
    _handle(guide, "2")
    assert [c["text"] for c in exports(guide.db).user("u")["five_whys"]["root_causes"]] == ["No shared records system"]


def test_list_items_are_removed_and_cleared_by_command(guide):
    guide.workbook.start("u", "logic_model")
    while guide.workbook.expected("u").shape != LIST:
        _handle(guide, "Ninth graders lose credits when they switch sectors")
    path = guide.workbook.current("u")[2]
    _handle(guide, "shared data system; joint training")
    _handle(guide, "remove it")
    with guide.db.transaction() as repo:
        doc = repo.work_item(repo.participant("u"), "logic_model").data
    assert doc[path] == ["shared data system"]
    _handle(guide, "clear this list")
    with guide.db.transaction() as repo:
        assert repo.work_item(repo.participant("u"), "logic_model").data[path] == []


# --- the self-assessment ---------------------------------------------------------------------------

def test_a_correction_of_an_earlier_question_changes_that_one(guide):
    answer_assessment(guide, ["agree"] * 10)  # ten ratings, and the next steps of the first two dimensions skipped
    step = _awaiting(guide)
    assert guide.kb.factor(step).number == 11
    _handle(guide, "wait no, 10 should be disagree", intent="change_answer")
    answers = _ratings(guide)
    factor_10 = next(f for f in guide.kb.factors.values() if f.number == 10)
    assert answers[factor_10.id] == "disagree" and _awaiting(guide) == step and step not in answers


def test_next_steps_that_say_agree_are_next_steps(guide):
    guide.start_self_assessment("u")
    for _ in range(4):
        _handle(guide, "agree")
    assert _awaiting(guide).endswith(".next_steps")
    _handle(guide, "make sure we agree on the actual problem before anything else")
    assert _ratings(guide)[next(f.id for f in guide.kb.factors.values() if f.number == 1)] == "agree"
    with guide.db.transaction() as repo:
        steps = {r.dimension_id: r.next_steps for r in repo.participant("u").reflections}
    assert "make sure we agree on the actual problem" in steps["unifying_purpose"]


def test_another_language_is_answered_and_not_stored(guide):
    guide.start_self_assessment("u")
    turn = _handle(guide, "Estamos de acuerdo con esto, pero falta dinero")
    assert "English" in turn.replies[0].text and _ratings(guide) == {}


def _awaiting(guide, user="u"):
    with guide.db.transaction() as repo:
        return repo.participant(user).awaiting


def _ratings(guide, user="u"):
    with guide.db.transaction() as repo:
        return {a.factor_id: a.rating for a in repo.participant(user).answers if a.rating}


# --- the team profile and people ------------------------------------------------------------------

def test_a_profile_sentence_fills_every_field_it_names(guide):
    team(guide, "dana", "create a team called Eastside Compact", now=NOW)
    _handle(guide, "I'm Dana Lee, deputy superintendent at Eastside Public Schools (the district)", user="dana")
    with guide.db.transaction() as repo:
        p = repo.participant("dana")
        profile = next(i for i in repo.work_items(p, "team_profile")).data
    assert {k: profile[k] for k in ("name", "role", "organisation", "sector")} == {
        "name": "Dana Lee", "role": "deputy superintendent", "organisation": "Eastside Public Schools",
        "sector": "District"}
    assert guide.workbook.current("dana") is None


def test_a_stage_request_at_the_profile_is_not_the_organisation(guide):
    team(guide, "dana", "create a team called Eastside Compact", now=NOW)
    _handle(guide, "Dana", user="dana")
    turn = _handle(guide, "start the self-assessment", user="dana")
    assert turn.switch_to == "self_assessment_form"
    with guide.db.transaction() as repo:
        profile = repo.work_items(repo.participant("dana"), "team_profile")[0].data
    assert profile.get("organisation") is None


def test_talk_to_a_human_names_the_facilitator_or_the_configured_contact(guide, monkeypatch):
    monkeypatch.delenv("COMMON_GROUND_CONTACT", raising=False)
    guide.start_self_assessment("solo")
    assert "no contact is set up" in _handle(guide, "can I talk to a real person?", user="solo").replies[0].text
    monkeypatch.setenv("COMMON_GROUND_CONTACT", "help@eastside.example")
    assert "help@eastside.example" in _handle(guide, "talk to a human", user="solo").replies[0].text
    boston(guide)
    guide.start_self_assessment("ben")
    assert "Ana (Boston Public Schools)" in _handle(guide, "who can I talk to?", user="ben").replies[0].text


# --- every hint the bot gives is something it understands ------------------------------------------
_QUOTED = re.compile(r"[\"“]([^\"”]{2,80})[\"”]")
_SUGGESTS = re.compile(r"(?:say|saying|type|try|ask|tap|e\.g\.|or|,)\W{0,4}$", re.IGNORECASE)
# Hints that are answers by design: to a list ("done"), a rating, a yes/no, a separator.
_ANSWER_HINTS = {"done", "none", "yes", "no", "not sure", "agree", "mostly not", "4", ", ", "; ", "n/a", "keep",
                 "keep mine"}


def _hints() -> list[tuple[str, str]]:
    """Every phrase a sentence of the bot suggests typing: a quote right after "say", "type", "e.g.", "or"."""
    found = set()
    for key, template in load_messages().sentences.items():
        for match in _QUOTED.finditer(template):
            phrase = " ".join(match.group(1).split())
            if _SUGGESTS.search(template[:match.start()]) and not re.search(r"\{(?!code\})", phrase):
                found.add((key, phrase))
    return sorted(found)


_EXAMPLE_ANSWERS = {"stages.note_hint", "stages.status_unclear", "understanding.example_yes_no"}
_EXAMPLE_QUESTIONS = {"lessons.no_lesson"}


@pytest.fixture(scope="module")
def advisor():
    return Advisor()


def _trained_examples() -> set[str]:
    examples = set()
    for path in (PROJECT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            examples.update(line[2:].strip().lower() for line in (block.get("examples") or "").splitlines()
                            if line.strip().startswith("- "))
    return examples


def test_the_walk_finds_the_hints():
    hints = [hint for _, hint in _hints()]
    assert len(hints) >= 40 and "change the purpose statement to ..." in hints and "where was I?" in hints


@pytest.mark.parametrize("source,hint", _hints())
def test_every_hint_is_a_command_that_exists(source, hint, advisor):
    """Each phrase the bot suggests typing is read as what it suggests: by the understanding step,
    the team grammar, the trained intents, or (for the few answer words) as an answer."""
    sample = re.sub(r"\.\.\.|…|<name>|\{code\}", "Families apply once", hint)
    if hint.lower() in _ANSWER_HINTS:
        return
    reading = understand(sample, Expected(SENTENCE))
    if source in _EXAMPLE_ANSWERS:  # an example of an answer: it must be read as one, not as a command
        assert reading.kind == ANSWER, f"{source}: the example answer {hint!r} is read as {reading}"
        return
    if source == "understanding.goal_facts_needed":  # the facts a goal is drafted from, at the goal question
        assert understand(sample, Expected(GOAL)).action == "draft_goal"
        return
    if source in _EXAMPLE_QUESTIONS:  # an example of a lesson question: it must find lessons
        assert advisor.answer(sample)[1] is not None, f"{source}: {hint!r} finds no lesson"
        return
    known = (reading.kind != ANSWER or parse_team_request(sample) is not None
             or hint.lower() in _trained_examples())
    assert known, f"{source}: the bot suggests {hint!r}, which nothing understands"


# --- the pieces the step is built on ----------------------------------------------------------------

@pytest.mark.parametrize("text,value,note", [
    ("prob, if we share the ESL coaches", "yes", "If we share the ESL coaches"),
    ("yes, sure", "yes", None),
    ("probably not, the budget is gone", "no", "The budget is gone"),
    ("nah", "no", None),
    ("yse", "yes", None),
    ("maybe, depends on the board", "unsure", "Depends on the board"),
    ("👍", "yes", None),
])
def test_yes_no_in_free_words(text, value, note):
    reading = read_yes_no(text)
    assert (reading.value, reading.note) == (value, note)


def test_a_choice_by_number_words_or_synonym_and_never_a_guess_between_two():
    options = ("District", "Charter", "City or state agency")
    assert match_option("2", options) == "Charter"
    assert match_option("the district one", options) == "District"
    assert match_option("we're a CMO", options, {"cmo": "Charter"}) == "Charter"
    assert match_option("the mayor's office", options, {"mayor's office": "City or state agency"}) == \
        "City or state agency"
    assert match_option("a shared problem", options) is None


@pytest.mark.parametrize("text,language", [
    ("Estamos de acuerdo con esto, pero falta dinero", "Spanish"),
    ("no entiendo la pregunta", "Spanish"),
    ("Nous voulons améliorer la lecture", "French"),
    ("很同意", "Chinese"),
    ("Priya Nair", None),                                  # a name is no language
    ("Metro Charter Network", None),
    ("Robert'); DROP TABLE participants;--", None),        # English words, odd punctuation
    ("prob, if we share the ESL coaches", None),           # chat English that detectors call German
    ("thats it", None),
])
def test_another_language_is_told_from_english(text, language):
    assert other_language(text) == language


@pytest.mark.parametrize("typed,stored", [
    ("x&lt;script&gt;alert(1)&lt;/script&gt;", "x alert(1)"),   # an encoded tag does not come back as a tag
    ("fish &amp; chips", "fish & chips"),
    ("👩\u200d👩\u200d👧 families first ❤️", "👩\u200d👩\u200d👧 families first ❤️"),  # emoji sequences stay whole
    ("we need *shared* buses and _better_ data", "we need shared buses and better data"),  # Slack emphasis
])
def test_text_is_stored_plain_and_whole(typed, stored):
    assert clean_text(typed) == stored


def test_a_goal_longer_than_the_limit_is_refused_not_stored(guide):
    guide.workbook.start("u", "purpose", add_goal=True)
    turn = _handle(guide, "Raise reading scores " * 400)
    assert "more than I can keep" in turn.replies[0].text
    assert exports(guide.db).user("u")["smart_goals"] == []
