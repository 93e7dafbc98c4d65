"""A local stand-in of the Slack Web API for the tests: records every call and answers like Slack.

The bot's Slack client is pointed here with SLACK_API_URL; tests read `calls` to see what would
have been posted or uploaded. conversations.open answers with "D" followed by the user's id.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Optional

from tests.helpers.stand_in import QuietHandler, StandIn


def slack_signature(body: bytes, secret: str, stamp: Optional[float] = None) -> dict:
    """The headers Slack signs a request with: v0, HMAC-SHA256 of "v0:<timestamp>:<body>" (now by default)."""
    stamp = str(int(stamp if stamp is not None else time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def slack_settings(api_url: str, secret: str) -> dict:
    """The environment that turns the Slack channel on, pointed at a stand-in of the Web API."""
    return {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": api_url}


class SlackAPI(StandIn):
    def __init__(self) -> None:
        self.calls: list[dict] = []
        api = self

        class Handler(QuietHandler):
            def _answer(self) -> None:
                raw = self.body()
                url = urllib.parse.urlparse(self.path)
                kind = self.headers.get("Content-Type", "")
                if "json" in kind:
                    body = json.loads(raw or b"{}")
                elif "form" in kind:
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                else:
                    body = {"raw": raw}
                body.update({k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()})
                method = url.path.rsplit("/", 1)[-1]
                with api.lock:
                    api.calls.append({"method": method, "path": url.path, "body": body})
                reply = {"ok": True}
                if method == "chat.postMessage":
                    reply.update(channel=body.get("channel"), ts=f"{time.time():.6f}")
                elif method == "files.getUploadURLExternal":
                    reply.update(upload_url=f"{api.base}/upload/F1", file_id="F1")
                elif method == "conversations.open":      # the user's DM with the bot: "D" + their id
                    reply.update(channel={"id": "D" + str(body.get("users", "")).split(",")[0]})
                elif method in ("files.completeUploadExternal", "files.info"):
                    reply.update(files=[{"id": "F1"}], file={"id": "F1"})
                if url.path.startswith("/upload/"):
                    self.answer(b"OK", "text/plain")
                else:
                    self.answer(reply)

            do_GET = do_POST = _answer

        super().__init__(Handler)

    @property
    def url(self) -> str:
        return f"{self.base}/api/"

    def posted(self, method: str = "chat.postMessage") -> list[dict]:
        with self.lock:
            return [c["body"] for c in self.calls if c["method"] == method]

    def wait_for(self, piece: str, channel: str, timeout: float = 45, **match) -> dict:
        """The first message posted to `channel` whose text holds `piece` (and whose fields match)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for body in self.posted():
                if body.get("channel") == channel and piece in (body.get("text") or "") and all(
                        body.get(k) == v for k, v in match.items()):
                    return body
            time.sleep(0.3)
        texts = [b.get("text", "")[:80] for b in self.posted()][-6:]
        raise AssertionError(f"Slack never got {piece!r} in {channel}; last posts: {texts}")
