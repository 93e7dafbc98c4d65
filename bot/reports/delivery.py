""""Send me my report": the Word report of the user's work (or their team's), delivered where they are.

The file is written under an unguessable folder (bot/reports/store.py) that only the person who
asked is told about: in the terminal as a path, elsewhere as a download link the Rasa server
serves (bot/rasa_plugins/report_downloads.py). A team's report goes only to a member who works on that team.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

from bot.config import public_url
from bot.content.knowledge import Knowledge
from bot.content.messages import say
from bot.language.replies import Button, Reply
from bot.reports.blocks import team_report, user_report
from bot.reports.docx import write_docx
from bot.reports.export import Exports
from bot.reports.store import new_folder
from bot.storage.db import Database
from bot.teams.service import Teams

TERMINAL_CHANNELS = {"cmdline", None}
MARKDOWN_CHANNELS = {"socketio"}
FILE_CHANNELS = {"slack", "botframework"}     # the file itself goes into the conversation
FILE_KEY = "common_ground_file"               # the custom message that carries it to the channel
_REQUEST = re.compile(r"\b(?:send|give|email|download|get|export|share|print|want|need|make|create|generate)\b.*"
                      r"\breport\b|^(?:(?:my|our|the|a)\s+)?(?:team\s+)?report(?:\s+please)?[.!?]*$|"
                      r"\bas a (?:word|docx) (?:file|document)\b")


def is_report_request(text: str) -> bool:
    return bool(_REQUEST.search((text or "").lower()))


@dataclass(frozen=True)
class ReportFile:
    path: Path
    token: str
    team: Optional[str]          # the team's name for a team report

    @property
    def link(self) -> str:
        return f"{public_url()}/webhooks/reports/{self.token}/{self.path.name}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "report"


class ReportDesk:
    """Makes a user's or a team's Word report and says where to fetch it, by channel."""

    def __init__(self, db: Database, kb: Knowledge, exports: Exports, teams: Teams) -> None:
        self.db, self.kb, self.exports, self.teams = db, kb, exports, teams

    def prepare(self, sender: str, team_code: Optional[str] = None) -> Optional[ReportFile]:
        """Writes the report; `team_code` (a team the sender works on, checked by the caller) for a team's."""
        folder = new_folder(sender, self._members(team_code) if team_code is not None else ())
        if team_code is not None:
            data = self.exports.team(team_code)
            report, name = team_report(data, self.kb), data["team"]["name"]
        else:
            data = self.exports.user(sender)
            report, name = user_report(data, self.kb), "common-ground"
        filename = f"{_slug(name)}-{date.today().isoformat()}.docx"
        path = write_docx(report, folder / filename)
        return ReportFile(path, folder.name, name if team_code else None)

    def _members(self, team_code: str) -> list[str]:
        """The sender ids a team report names (its members), so deleting any of them removes it."""
        with self.db.transaction() as repo:
            team = repo.team_by_code(team_code)
            return [q.sender_id for _, q in repo.members(team)] if team is not None else []

    def deliver(self, sender: str, text: str, channel: Optional[str]) -> tuple[list[Reply], Optional[ReportFile]]:
        """Writes the user's report ("our report": their team's) and says where to get it; in Slack and
        Teams the file itself is sent too (the caller uploads the returned ReportFile)."""
        wants_team = bool(re.search(r"\b(?:team'?s?|our)\b", text.lower()))
        with self.db.transaction() as repo:
            p = repo.find_participant(sender)
            if p is None:
                return [Reply(say("reports.nothing_saved"))], None
            team, _, problem = self.teams.active_team(repo, p) if (wants_team or p.team_id) else (None, None, None)
            if wants_team and problem is not None:
                return [problem], None
            code, team_name = (team.code, team.name) if team is not None else (None, None)
        made = self.prepare(sender, code if wants_team else None)
        what = say("reports.team_report", team=team_name) if wants_team else say("reports.your_report")
        if channel in TERMINAL_CHANNELS:
            where = say("reports.saved_at", path=made.path)
        elif channel in FILE_CHANNELS:
            where = say("reports.attached")
        elif channel in MARKDOWN_CHANNELS:   # the web page's widget renders Markdown: a real link
            where = say("reports.download_markdown", link=made.link)
        else:
            where = say("reports.download_link", link=made.link)
        offer = (Button(f"{team_name}'s report", "send me our team report"),) if team_name and not wants_team else ()
        return [Reply(say("reports.ready", what=what, where=where), offer)], made
