"""One member's ratings must not be readable through the team's figures: a sector with one member (or
fewer than the team's minimum group) shows no average in the chat, the team export or the report,
unless the team opted in to figures by organisation. Against the real servers, as three partners."""
from __future__ import annotations

import json
import re

import pytest

from tests.helpers.servers import joined, started


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    with started(tmp_path_factory, "small-groups") as servers:
        code = re.search(r"join code is ([A-Z0-9]{6})",
                         joined(servers.say("sg-ana", "create a team called Harbor Compact"))).group(1)
        members = {"sg-ana": ("Ana", "Harbor Public Schools", "District", "chief of staff", "agree"),
                   "sg-ben": ("Ben", "Harbor Public Schools", "District", "principal", "agree"),
                   "sg-cara": ("Cara", "Lighthouse Charter", "Charter school", "director", "strongly disagree")}
        for user, (name, organisation, sector, role, rating) in members.items():
            if user != "sg-ana":
                assert "Welcome to Harbor Compact" in joined(servers.say(user, f"join team {code}"))
            for answer in (name, organisation, sector, role):
                servers.say(user, answer)
            servers.say(user, "let's do the self-assessment")
            for count in (4, 4, 4, 5):
                for _ in range(count):
                    servers.say(user, rating)
                servers.say(user, "skip")
        yield servers, code


def test_a_one_member_sector_shows_no_average_anywhere(team):
    servers, code = team
    detail = joined(servers.say("sg-ben", "compare our ratings in detail"))
    assert "3 of 3 members have answered" in detail               # the team's totals are shown...
    assert "members average" not in detail and "1.0" not in detail   # ...but no sector's average
    export = servers.export(code, whose="--team")
    factors = export["comparison"]["dimensions"]["unifying_purpose"]["factors"]
    assert all(f["sector_means"] is None for f in factors.values())
    assert "Lighthouse Charter" not in json.dumps(export["comparison"])
    report = servers.export(code, "markdown", whose="--team")
    assert "members average" not in report and "Charter school members" not in report


def test_after_the_opt_in_figures_by_organisation_appear(team):
    servers, code = team
    servers.say("sg-ana", "show ratings by organisation")
    detail = joined(servers.say("sg-ben", "compare our ratings in detail"))
    assert "Lighthouse Charter" in detail or "members average" in detail
