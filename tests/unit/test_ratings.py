"""The rating parser on the many ways busy people answer, and on what it must refuse."""
from pathlib import Path

import pytest
import yaml

from bot.language.ratings import (CONFLICT, EMPTY, IN_BETWEEN, OFF_SCALE, QUESTION, RATINGS, UNCLEAR, UNSURE,
                                  parse_rating)

# Hundreds of answers as school leaders type them in Slack, with the rating a careful reader would
# record (null: none, the bot must ask again). Grouped by kind in the file.
PHRASINGS_FILE = Path(__file__).resolve().parent.parent / "data" / "rating_phrasings.yml"
PHRASINGS = yaml.safe_load(PHRASINGS_FILE.read_text(encoding="utf-8"))

CASES = [
    # the scale itself, as buttons send it and as people type it
    ("strongly agree", "strongly_agree"), ("Strongly Agree", "strongly_agree"), ("agree", "agree"),
    ("disagree", "disagree"), ("strongly disagree", "strongly_disagree"), ("not applicable", "not_applicable"),
    ("I agree", "agree"), ("I strongly disagree", "strongly_disagree"), ("agreed", "agree"),
    # numbers 1-4
    ("1", "strongly_disagree"), ("2", "disagree"), ("3", "agree"), ("4", "strongly_agree"),
    ("3/4", "agree"), ("4 out of 4", "strongly_agree"), ("I'd say 2", "disagree"),
    # everyday words
    ("absolutely", "strongly_agree"), ("definitely", "strongly_agree"), ("totally", "strongly_agree"),
    ("very much so", "strongly_agree"), ("100%", "strongly_agree"), ("for sure", "strongly_agree"),
    ("mostly", "agree"), ("yes", "agree"), ("yeah", "agree"), ("yep", "agree"), ("pretty much", "agree"),
    ("I think so", "agree"), ("largely", "agree"), ("mostly yes", "agree"), ("we do", "agree"),
    ("not really", "disagree"), ("no", "disagree"), ("nope", "disagree"), ("not yet", "disagree"),
    ("I don't agree", "disagree"), ("do not agree", "disagree"), ("hardly", "disagree"),
    ("not at all", "strongly_disagree"), ("absolutely not", "strongly_disagree"), ("no way", "strongly_disagree"),
    ("definitely not", "strongly_disagree"), ("completely disagree", "strongly_disagree"),
    ("n/a", "not_applicable"), ("N/A", "not_applicable"), ("na", "not_applicable"),
    ("doesn't apply to us", "not_applicable"), ("not relevant", "not_applicable"),
    # typos
    ("stongly agree", "strongly_agree"), ("strongly disagre", "strongly_disagree"), ("agre", "agree"),
    ("dissagree", "disagree"), ("argee", "agree"), ("strongy agree", "strongly_agree"),
    ("absolutly", "strongly_agree"), ("disagee", "disagree"),
    # emoji and markup
    ("👍", "agree"), ("👎", "disagree"), ("💯", "strongly_agree"), ("<b>agree</b>", "agree"),
    ("*strongly agree*", "strongly_agree"), ("  AGREE!!  ", "agree"),
]


@pytest.mark.parametrize("text,rating", CASES)
def test_reads_rating(text, rating):
    parsed = parse_rating(text)
    assert parsed.rating == rating, parsed


@pytest.mark.parametrize("text,rating,note", [
    ("agree, but funding is unclear", "agree", "Funding is unclear"),
    ("disagree because we've never worked together", "disagree", "We've never worked together"),
    ("strongly agree - the mayor is a vocal supporter", "strongly_agree", "The mayor is a vocal supporter"),
    ("3, we have a shared data agreement", "agree", "We have a shared data agreement"),
    ("we never worked with them, so disagree", "disagree", "We never worked with them"),
    ("Not really. Trust is still low after the building dispute.", "disagree",
     "Trust is still low after the building dispute"),
    ("agree; the board discussed it in March", "agree", "The board discussed it in March"),
])
def test_keeps_the_explanation_as_note(text, rating, note):
    parsed = parse_rating(text)
    assert (parsed.rating, parsed.note) == (rating, note)


@pytest.mark.parametrize("text,reason", [
    ("", EMPTY), ("   ", EMPTY), (None, EMPTY),
    ("what does this mean?", QUESTION), ("agree?", QUESTION), ("why does it matter", QUESTION),
    ("partly", IN_BETWEEN), ("sort of", IN_BETWEEN), ("somewhat agree", IN_BETWEEN),
    ("neither agree nor disagree", IN_BETWEEN), ("maybe", IN_BETWEEN), ("it depends", IN_BETWEEN),
    ("not sure", UNSURE), ("I don't know", UNSURE), ("no idea", UNSURE), ("🤷", UNSURE),
    ("5", OFF_SCALE), ("0", OFF_SCALE), ("10", OFF_SCALE),
    ("agree, actually no, I disagree", CONFLICT),
    ("hello", UNCLEAR), ("the weather is nice", UNCLEAR), ("sí", UNCLEAR), ("d'accord", UNCLEAR),
    ("很同意", UNCLEAR), ("🙈🙈", UNCLEAR), ("Robert'); DROP TABLE participants;--", UNCLEAR),
    ("<script>alert(1)</script>", UNCLEAR), ("we have 3 charter partners", UNCLEAR),
])
def test_refuses_what_is_not_a_rating(text, reason):
    parsed = parse_rating(text)
    assert parsed.rating is None and parsed.reason == reason, parsed


def test_a_huge_message_is_read_without_error():
    parsed = parse_rating("agree, " + "details " * 20000)
    assert parsed.rating == "agree" and len(parsed.note) > 100000


@pytest.mark.parametrize("text,rating,note", [
    # a hedge that turns the answer around is not "mostly": it is the other side
    ("mostly not", "disagree", None), ("largely not", "disagree", None), ("generally no", "disagree", None),
    ("probably not", "disagree", None), ("mostly no, the district hasn't signed", "disagree",
                                         "The district hasn't signed"),
    # a yes or a no strengthened right after it is one strong answer, not an answer with a note
    ("yes, completely", "strongly_agree", None), ("yes - 100%", "strongly_agree", None),
    ("yes, absolutely!", "strongly_agree", None), ("no, absolutely not", "strongly_disagree", None),
    ("agree, totally", "strongly_agree", None), ("disagree, completely", "strongly_disagree", None),
    ("yes, definitely, the board signed in May", "strongly_agree", "The board signed in May"),
    # an intensifier that belongs to the note stays in the note
    ("yes, but completely underfunded", "agree", "Completely underfunded"),
    ("mostly", "agree", None), ("mostly yes", "agree", None),
])
def test_polarity_and_intensity_of_hedged_answers(text, rating, note):
    parsed = parse_rating(text)
    assert (parsed.rating, parsed.note) == (rating, note), parsed


def test_the_phrasing_set_is_large_and_has_no_repeats():
    texts = [entry["text"] for entry in PHRASINGS]
    assert len(texts) >= 400
    assert len(set(texts)) == len(texts), sorted(t for t in set(texts) if texts.count(t) > 1)
    assert all(entry["rating"] is None or entry["rating"] in RATINGS for entry in PHRASINGS)


@pytest.mark.parametrize("entry", PHRASINGS, ids=[f"{i:03d}:{e['text'][:40]}" for i, e in enumerate(PHRASINGS)])
def test_reads_slack_phrasings(entry):
    parsed = parse_rating(entry["text"])
    assert parsed.rating == entry["rating"], parsed
    if entry.get("note"):
        # the explanation survives as the note (the parser capitalises its first letter)
        assert parsed.note and entry["note"].lower() in parsed.note.lower(), parsed
