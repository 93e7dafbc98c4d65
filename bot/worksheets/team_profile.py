"""What a member tells their team about themselves: a name, organisation, sector and role.

Asked as a worksheet right after creating or joining a team, so skip, go back, "change my role
to ..." and pausing work as everywhere else. One profile per team (key "team-<id>"), kept with
the member's own work, never shared as a team document; the comparison reads the sector here.
"""
from __future__ import annotations

from typing import Any, Optional


from bot.content.knowledge import document
from bot.content.messages import say
from bot.language.replies import Button
from bot.storage.models import Participant, Team
from bot.storage.repository import Repository
from bot.worksheets.fields import CHOICE, Field, Worksheet

KIND = "team_profile"


def texts() -> dict:
    return document("teams.yml")


def sector_labels() -> dict[str, str]:
    return {s["id"]: s["label"] for s in texts()["sectors"]}


def sector_id(label: Optional[str]) -> Optional[str]:
    return next((sid for sid, text in sector_labels().items() if text == label), None)


def profile_key(team_id: int) -> str:
    return f"team-{team_id}"


class TeamProfile(Worksheet):
    kind = KIND
    stage = "team"
    title = "team profile"

    def fields(self, doc: dict, ctx: Any = None) -> list[Field]:
        t = texts()["profile"]
        return [Field("name", "name", t["name"]), Field("organisation", "organisation", t["organisation"]),
                Field("sector", "sector", t["sector"], CHOICE, tuple(sector_labels().values())),
                Field("role", "role", t["role"])]

    def intro(self, ctx: Any = None) -> str:
        return " ".join(texts()["profile"]["intro"].split())

    def completion(self, doc: dict, ctx: Any = None) -> str:
        who = ", ".join(v for v in (doc.get("organisation"), doc.get("sector"), doc.get("role")) if v)
        name = doc.get("name") or say("stages.a_member")
        return (say("stages.profile_saved_with_details", name=name, details=who) if who
                else say("stages.profile_saved", name=name))

    def summary(self, doc: dict, ctx: Any = None) -> str:
        return self.completion(doc, ctx)

    def edit_hint(self) -> str:
        return say("stages.profile_edit_hint")

    def next_buttons(self, doc: dict, ctx: Any = None) -> tuple[Button, ...]:
        return (Button("Start the self-assessment", "start the self-assessment"),
                Button("Compare our ratings", "compare our ratings"), Button("Team progress", "team progress"))

    def export(self, doc: dict) -> dict:
        return {"name": doc.get("name"), "organisation": doc.get("organisation"),
                "sector": sector_id(doc.get("sector")), "role": doc.get("role")}


def member_profile(repo: Repository, team: Team, participant: Participant) -> dict:
    """The member's profile for this team (name, organisation, sector, role; None where not given)."""
    item = repo.work_item(participant, KIND, profile_key(team.id))
    return TeamProfile().export(dict(item.data) if item is not None else {})


def display_names(repo: Repository, team: Team) -> dict[int, str]:
    """participant id -> "Ana (Boston Public Schools)", for crediting contributions."""
    names = {}
    for number, (_, participant) in enumerate(repo.members(team), start=1):
        profile = member_profile(repo, team, participant)
        name = profile["name"] or say("stages.member_number", number=number)
        names[participant.id] = f"{name} ({profile['organisation']})" if profile["organisation"] else name
    return names
