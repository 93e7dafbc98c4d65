"""A team for the tests: three partners from three sectors with profiles, and their ratings."""
from __future__ import annotations

from datetime import datetime

from tests.helpers.conversation import say

NOW = datetime(2026, 11, 24, 10, 0)


def team(guide, user, text, now=NOW):
    turn, form, scheduled = guide.team(user, text, now)
    return "\n".join(r.text for r in turn.replies), form, scheduled


def code_of(guide, user="ana"):
    with guide.db.transaction() as repo:
        return repo.teams_of(repo.participant(user))[-1][0].code


def profile(guide, user, name, organisation, sector, role="principal"):
    for answer in (name, organisation, sector, role):
        say(guide, answer, user)


def boston(guide, members=(("ana", "Ana", "Boston Public Schools", "District"),
                           ("ben", "Ben", "Match Charter", "Charter"),
                           ("cara", "Cara", "Archdiocese schools", "Catholic or private school"))):
    """A team of three from three sectors, profiles filled in; returns its code."""
    first = members[0]
    team(guide, first[0], "create a team called Boston Compact")
    profile(guide, *first)
    code = code_of(guide, first[0])
    for user, *rest in members[1:]:
        team(guide, user, f"join team {code}")
        profile(guide, user, *rest)
    return code


ANA = ["strongly_agree"] * 4 + ["agree"] * 4 + ["agree"] * 4 + ["agree"] * 5
BEN = ["disagree"] * 4 + ["agree"] * 4 + ["not_applicable"] * 4 + ["agree"] * 5
CARA = ["strongly_disagree"] * 4 + ["agree"] * 4 + ["strongly_agree"] * 4 + ["not_applicable"] * 5
