"""Every fact a lesson shows next to "Source:" is in that source: names and figures checked.

The check reads the source documents in ../shared/seeds. Where they are not beside the checkout
(a user's own clone) the tests skip and say why; under CI (CI=true) they fail instead.
"""
import dataclasses

import pytest

from bot.lessons.catalogue import FACT_FIELDS, lessons
from bot.lessons.provenance import check_lesson, check_lessons, lesson_exceptions, names_and_figures
from tests.helpers.services import seeds_or_skip


@pytest.fixture(autouse=True)
def seeds():
    seeds_or_skip()


def lesson(lesson_id):
    return next(l for l in lessons() if l.id == lesson_id)


def test_every_name_and_figure_in_the_lessons_is_in_the_source_they_cite():
    missing = check_lessons(lessons())
    assert not missing, "not in the cited source:\n" + "\n".join(map(str, missing))


def test_the_exceptions_are_a_handful_and_each_says_why():
    assert len(lesson_exceptions()) <= 5


def test_a_planted_wrong_year_is_caught_by_lesson_and_field():
    two_rivers = lesson("dc-two-rivers-evening-of-learning")
    wrong = dataclasses.replace(two_rivers, details=two_rivers.details + " It began in 2031.")
    assert [str(m) for m in check_lesson(wrong)] == [
        "dc-two-rivers-evening-of-learning.details: '2031' not in 001_cab427aeb7a02427.txt"]


def test_a_planted_wrong_name_and_number_are_caught():
    task_force = lesson("dc-cross-sector-task-force")
    wrong = dataclasses.replace(task_force, went_well="Mayor Springfield named 45 members.")
    assert {m.token for m in check_lesson(wrong)} == {"Springfield", "45"}


def test_names_are_told_from_sentence_starts_and_list_numbers():
    assert names_and_figures("Partners met. Then Two Rivers hosted (1) seminars for 50 teachers in 2016.") == [
        "50", "2016", "Rivers"]


def test_a_field_from_another_section_is_checked_against_that_section_s_document():
    crpe = lesson("crpe-why-compacts-stall")
    document, section = crpe.source_of("initiative")
    assert document.startswith("001") and crpe.source_of("summary")[0].startswith("002")
    assert not check_lesson(crpe)


def test_the_barriers_chart_keeps_its_marks_and_blanks():
    chart = lesson("tip-barriers-and-solutions").table
    assert chart.columns == ("Barrier", "Unify people", "T-shaped management", "Nimble networks")
    assert dict((row[0], row[1:]) for row in chart.rows) == {
        "Not-invented-here": ("***", "***", "*"), "Hoarding": ("***", "***", "*"),
        "Search": ("*", "", "***"), "Transfer": ("*", "", "***")}
    # no remedy is recommended for all four barriers, and the texts no longer say otherwise
    assert not any(all(row[col] == "***" for row in chart.rows) for col in range(1, 4))
    texts = " ".join(getattr(lesson("tip-barriers-and-solutions"), f) or "" for f in FACT_FIELDS)
    assert "all four barriers" not in texts


