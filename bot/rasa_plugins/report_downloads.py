"""A Rasa server plugin that serves the reports asked for in chat: GET /webhooks/reports/<token>/<file>.

Registered in credentials.yml like the reminder plugin. Only a well-formed token and file name
are looked up (no paths), and the token is only ever told to the person who asked for the report.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.reports.store import stored_report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReportDownloads(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "reports"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("common_ground_reports", __name__)

        @blueprint.route("/<token>/<filename>", methods=["GET"])
        async def download(_request: Request, token: str, filename: str) -> Any:
            path = stored_report(token, filename)
            if path is None:
                return response.text("No such report.", status=404)
            return await response.file(str(path), mime_type=DOCX, filename=filename)

        return blueprint
