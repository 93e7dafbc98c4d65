"""What a member tells their team about themselves: a name, organisation, sector and role.

Asked as a worksheet right after creating or joining a team, so skip, go back, "change my role
to ..." and pausing work as everywhere else. One profile per team (key "team-<id>"), kept with
the member's own work, never shared as a team document; the comparison reads the sector here.
"""
from __future__ import annotations

import re
from typing import Any, Optional


from bot.content.knowledge import document
from bot.content.messages import say
from bot.language.choices import match_option
from bot.language.replies import Button
from bot.language.text import clean_text
from bot.storage.models import Participant, Team
from bot.storage.repository import Repository
from bot.worksheets.fields import CHOICE, Answer, Field, Worksheet, get_path

KIND = "team_profile"


def texts() -> dict:
    return document("teams.yml")


def sector_labels() -> dict[str, str]:
    return {s["id"]: s["label"] for s in texts()["sectors"]}


def sector_id(label: Optional[str]) -> Optional[str]:
    return next((sid for sid, text in sector_labels().items() if text == label), None)


def sector_words() -> dict[str, str]:
    """Every word that names a sector ("cmo", "public schools") -> the sector's label."""
    return {word: s["label"] for s in texts()["sectors"] for word in [s["label"].lower(), *s.get("words", [])]}


def sector_in(text: str) -> Optional[str]:
    """The sector a sentence names, by the longest sector word in it (None: none, or two sectors)."""
    lowered = text.lower()
    found = {(label, word) for word, label in sector_words().items() if re.search(rf"\b{re.escape(word)}\b", lowered)}
    labels = {label for label, _ in found}
    if len(labels) == 1:
        return labels.pop()
    if found:
        longest = max(found, key=lambda item: len(item[1]))
        if "(" in lowered and re.search(rf"\(\s*(?:the |a |an )?{re.escape(longest[1])}", lowered):
            return longest[0]
    return None


_NAME = re.compile(r"^(?i:(?:hi|hello|hey)?[,! ]*(?:i'?m|im|i am|this is|my name is|my name'?s|name'?s|it'?s)\s+)"
                   r"(?:(?P<name>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3})"
                   r"|(?P<low>[a-z][a-z'’-]*(?:\s+[a-z][a-z'’.-]*){0,2})(?=\s*(?:,|$|\s+and\s|\s+-\s)))"
                   r"|^(?P<bare>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2})(?=,\s)")
_ROLE_AT = re.compile(r"(?:^|,\s*|\s+(?:and\s+)?i'?m\s+|\s+i am\s+)(?:the |a |an )?(?P<role>[a-z][a-z /&-]{2,60}?)\s+"
                      r"(?:at|with|for|from|of|in)\s+(?P<org>(?:the\s+)?[A-Z0-9][\w'’&.-]*(?:\s+(?:of\s+|for\s+|and\s+)?"
                      r"[A-Z0-9][\w'’&.-]*){0,7})")


def profile_facts(text: str) -> dict[str, str]:
    """Name, role, organisation and sector from one sentence ("I'm Dana Lee, deputy superintendent at
    Eastside Public Schools (the district)"); only what is there."""
    cleaned = re.sub(r"\s@\s?", " at ", clean_text(text))  # "principal @ Riverside Prep"
    facts: dict[str, str] = {}
    name = _NAME.match(cleaned)
    if name:
        facts["name"] = (name.group("name") or name.group("bare") or name.group("low").title()).strip(" ,")
    rest = cleaned[name.end():] if name else cleaned
    role = _ROLE_AT.search(rest)
    if role:
        facts["role"] = role.group("role").strip()
        facts["organisation"] = re.sub(r"^the\s+", "", role.group("org").strip(" .,"), flags=re.IGNORECASE)
    sector = sector_in(rest)
    if sector:
        facts["sector"] = sector
    return facts


def profile_key(team_id: int) -> str:
    return f"team-{team_id}"


class TeamProfile(Worksheet):
    kind = KIND
    stage = "team"
    title = "team profile"

    def fields(self, doc: dict, ctx: Any = None) -> list[Field]:
        t = texts()["profile"]
        return [Field("name", "name", t["name"]), Field("organisation", "organisation", t["organisation"]),
                Field("sector", "sector", t["sector"], CHOICE, tuple(sector_labels().values()),
                      synonyms=tuple(sector_words().items())),
                Field("role", "role", t["role"])]

    def read(self, doc: dict, fld: Field, text: str) -> Optional[Answer]:
        """A sentence with several facts fills every field it names at once; the sector also by its words."""
        facts = profile_facts(text)
        if len(facts) >= 2:
            for path, value in facts.items():
                if path != fld.path and not get_path(doc, path):
                    doc[path] = value
            shown = "; ".join(f"{path}: {value}" for path, value in facts.items())
            return Answer(facts.get(fld.path) or doc.get(fld.path) or clean_text(text), stored=True,
                          reply=say("stages.profile_facts", facts=shown))
        if fld.kind == CHOICE:
            choice = match_option(text, fld.options) or sector_in(text)
            return Answer(choice, stored=True) if choice else None
        return None

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
