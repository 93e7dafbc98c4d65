"""A Rasa server plugin that serves the reports asked for in chat: GET /webhooks/reports/<token>/<file>.

Registered in credentials.yml like the reminder plugin. Only a well-formed token and file name
are looked up (no paths), and the token is only ever told to the person who asked for the report.
A report older than a week is refused (410) and removed; the server also sweeps old reports away
when it starts and every hour (COMMON_GROUND_REPORT_SWEEP_SECONDS), so an unused link does not
keep a file that holds someone's answers.
"""
from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.rasa_plugins import log_privacy
from bot.reports.store import expired_report, prune, stored_report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SWEEP_ENV = "COMMON_GROUND_REPORT_SWEEP_SECONDS"
logger = logging.getLogger(__name__)
log_privacy.install()


def sweep_seconds() -> float:
    return max(float(os.environ.get(SWEEP_ENV, "") or 3600), 0.5)


async def sweep_forever(interval: float) -> None:
    """Removes expired reports now and then every `interval` seconds."""
    while True:
        try:
            removed = await asyncio.to_thread(prune)
            if removed:
                logger.info(f"Removed {removed} expired report(s).")
        except Exception:  # a full disk or a vanished folder must not end the sweeping
            logger.exception("Sweeping expired reports failed; trying again later.")
        await asyncio.sleep(interval)


class ReportDownloads(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "reports"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("common_ground_reports", __name__)

        @blueprint.route("/<token>/<filename>", methods=["GET"])
        async def download(_request: Request, token: str, filename: str) -> Any:
            path = stored_report(token, filename)
            if path is not None:
                return await response.file(str(path), mime_type=DOCX, filename=filename)
            if expired_report(token, filename):
                return response.text("This report has expired: reports are kept for a week. "
                                     "Ask for a new one in the chat.", status=410)
            return response.text("No such report.", status=404)

        @blueprint.listener("after_server_start")
        async def start_sweeping(app: Any, _loop: Any) -> None:
            app.add_task(sweep_forever(sweep_seconds()))

        return blueprint
