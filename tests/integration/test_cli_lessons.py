"""`python -m bot lessons`: the search, one lesson with its sources, and the provenance check, as a user runs them."""
import json
import subprocess
import sys

from bot.lessons.catalogue import lessons
from tests.helpers.servers import PROJECT
from tests.helpers.services import seeds_or_skip


def lesson(lesson_id):
    return next(l for l in lessons() if l.id == lesson_id)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "bot", "lessons", *args], cwd=PROJECT, capture_output=True,
                          text=True, timeout=120)


def test_cli_json():
    result = cli("help parents apply to many schools at once", "--top", "3", "--format", "json")
    data = json.loads(result.stdout)
    assert result.returncode == 0 and len(data) == 3 and data[0]["id"] == "dc-my-school-dc"
    assert set(data[0]) == {"id", "title", "place", "initiative", "summary", "source", "score"}
    assert data[0]["score"] >= data[1]["score"] >= data[2]["score"]


def test_cli_text_and_errors():
    result = cli("common lottery", "--top", "1")
    assert result.returncode == 0 and result.stdout.startswith("1. My School DC")
    assert cli("  ").returncode == 2 and "the question is empty" in cli("  ").stderr
    assert cli("x", "--top", "0").returncode == 2


def test_lessons_show_prints_each_field_with_its_source():
    seeds_or_skip()
    result = cli("--show", "crpe-why-compacts-stall")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(lesson("crpe-why-compacts-stall").title)
    assert "Initiative [2]: CRPE, Herding Cats" in out and "Summary [1]: " in out
    assert '[1] 002: CRPE paper on charter pluralism, section' in out and "[2] 001: the toolkit" in out


def test_lessons_show_draws_the_chart_and_an_unknown_id_is_one_line():
    shown = cli("--show", "tip-barriers-and-solutions")
    assert "Search             *             -                    ***" in shown.stdout
    unknown = cli("--show", "two-rivers")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == ("error: no lesson has the id 'two-rivers'; did you mean "
                                      "dc-two-rivers-evening-of-learning?")


def test_lessons_check_exits_zero_when_every_fact_is_found():
    seeds_or_skip()
    result = cli("--check")
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith(": 0 names or figures not found")
