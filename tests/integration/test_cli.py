"""`python -m bot`: help, clear errors without tracebacks, and the export formats."""
import json
import subprocess
import sys

import pytest

from bot.assessment.self_assessment import SelfAssessment
from bot.storage.db import Database
from tests.helpers.servers import PROJECT


def cli(*args, database_url):
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=PROJECT, capture_output=True, text=True,
                          env={"COMMON_GROUND_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}, timeout=60)


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    service = SelfAssessment(Database(url))
    service.start("cli-user")
    service.handle("cli-user", "agree, but funding is unclear")
    return url


def test_help(url):
    result = cli("--help", database_url=url)
    assert result.returncode == 0 and "export" in result.stdout


def test_export_json(url):
    result = cli("export", "--user", "cli-user", "--format", "json", database_url=url)
    data = json.loads(result.stdout)
    assert data["progress"] == {"stage": "self_assessment", "awaiting": "unifying_purpose_2", "completed": [],
                                "stages": {"purpose": "not started", "self_assessment": "in progress", "planning": "not started", "implementation": "not started", "sustainability": "not started"}}
    assert data["self_assessment"]["unifying_purpose"]["factors"]["unifying_purpose_1"] == {
        "rating": "agree", "note": "Funding is unclear"}
    assert data["self_assessment"]["capacity"]["status"] is None


def test_export_markdown(url):
    result = cli("export", "--user", "cli-user", "--format", "markdown", database_url=url)
    assert result.returncode == 0 and "| 1 | We have found a shared problem" in result.stdout
    assert "| We have found a shared problem or concern that working together could address. |  |  | X |  |  | Funding is unclear |" \
        in result.stdout   # the template's grid: a mark under "Agree"
    assert "Working on: B. Self-assessment; the open question: question 2" in result.stdout


@pytest.mark.parametrize("args,message", [
    (("export", "--user", "nobody"), "no stored work for user 'nobody'"),
    (("export", "--team", "K7P2QX"), "no team has the code 'K7P2QX'"),
    (("export", "--user", "cli-user", "--team", "K7P2QX"), "not allowed with argument"),
    (("export",), "one of the arguments --user --team is required"),
    (("export", "--user", "cli-user", "--format", "pdf"), "invalid choice: 'pdf'"),
    (("frobnicate",), "invalid choice: 'frobnicate'"),
])
def test_errors_are_one_clear_line(url, args, message):
    result = cli(*args, database_url=url)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_export_team_json_and_markdown(url):
    from datetime import datetime

    from bot.app import build
    guide = build(Database(url)).guide
    turn, _, _ = guide.team("cli-user", "create a team called Boston Compact", datetime.now())
    code = turn.replies[0].text.split("join team ")[1][:6]
    guide.workbook.handle("cli-user", "Ana")
    data = json.loads(cli("export", "--team", code.lower(), database_url=url).stdout)
    assert data["team"]["name"] == "Boston Compact" and data["members"][0]["name"] == "Ana"
    assert data["members"][0]["self_assessment"] == {"answered": 1, "finished": False}
    markdown = cli("export", "--team", code, "--format", "markdown", database_url=url)
    assert markdown.returncode == 0 and "# Common Ground: the work of Boston Compact" in markdown.stdout
    assert "| Ana | - | - | - | yes | 1 answered |" in markdown.stdout


def test_unreachable_database_is_reported_clearly():
    result = cli("export", "--user", "x", database_url="postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 2 and "cannot open the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_smart_check_json(url):
    result = cli("smart-check", "Improve attendance for students who move between sectors", "--format", "json",
                 database_url=url)
    data = json.loads(result.stdout)
    assert set(data) == {"specific", "measurable", "achievable", "results_oriented", "time_bound", "issues", "suggestion"}
    assert (data["specific"], data["measurable"], data["achievable"], data["time_bound"]) == (True, False, None, False)
    assert "no date: by when?" in data["issues"] and data["suggestion"].startswith("Improve attendance")


def test_smart_check_text_and_empty_goal(url):
    result = cli("smart-check", "Raise FAFSA completion from 55% to 70% by March 2027", database_url=url)
    assert result.returncode == 0 and "measurable        yes" in result.stdout
    empty = cli("smart-check", "  ", database_url=url)
    assert empty.returncode == 2 and "the goal is empty" in empty.stderr
