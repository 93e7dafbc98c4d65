"""A Slack Web API stand-in that can refuse posts to chosen channels, and signed Slack events to send.

Like tests/helpers/slack_api.py, but a post to a channel in `refuse` is answered the way Slack answers
an unknown channel ({"ok": false}), echoing the text it was sent (as a careless proxy might), so the
tests see that a refused send is retried, reported, and that nothing of its text reaches the logs.
"""
from __future__ import annotations

import json
import time
import urllib.parse

from tests.helpers.slack_api import slack_signature
from tests.helpers.stand_in import QuietHandler, StandIn

SECRET = "security-signing-secret"


class FlakySlack(StandIn):
    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.refuse: set[str] = set()
        api = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                raw = self.body()
                url = urllib.parse.urlparse(self.path)
                kind = self.headers.get("Content-Type", "")
                body = (json.loads(raw or b"{}") if "json" in kind else
                        {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()} if "form" in kind else {})
                method = url.path.rsplit("/", 1)[-1]
                with api.lock:
                    refused = method == "chat.postMessage" and body.get("channel") in api.refuse
                    api.calls.append({"method": method, "body": body, "at": time.time(), "refused": refused})
                if refused:
                    return self.answer({"ok": False, "error": "channel_not_found", "echo": body.get("text")})
                reply = {"ok": True}
                if method == "chat.postMessage":
                    reply.update(channel=body.get("channel"), ts=f"{time.time():.6f}")
                elif method == "files.getUploadURLExternal":
                    reply.update(upload_url=f"{api.base}/upload/F1", file_id="F1")
                elif method in ("files.completeUploadExternal", "files.info"):
                    reply.update(files=[{"id": "F1"}], file={"id": "F1"})
                self.answer(b"OK" if url.path.startswith("/upload/") else reply,
                            "text/plain" if url.path.startswith("/upload/") else "application/json")

            do_GET = do_POST

        super().__init__(Handler)

    @property
    def url(self) -> str:
        return f"{self.base}/api/"

    def posts(self, channel: str, piece: str = "") -> list[dict]:
        with self.lock:
            return [c for c in self.calls if c["method"] == "chat.postMessage" and c["body"].get("channel") == channel
                    and piece in (c["body"].get("text") or "")]

    def wait_for(self, channel: str, piece: str, timeout: float = 60, count: int = 1) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.posts(channel, piece)
            if len(found) >= count:
                return found
            time.sleep(0.3)
        with self.lock:
            last = [(c["body"].get("channel"), (c["body"].get("text") or "")[:70]) for c in self.calls][-8:]
        raise AssertionError(f"Slack never got {count} x {piece!r} in {channel}; last calls: {last}")


def slack_message(servers, text: str, user: str, team: str = "T1", channel: str = None, thread: str = None) -> int:
    """A signed Slack event: `user` writes `text` in their direct messages (or in `thread` of a channel)."""
    event = {"type": "message", "channel_type": "im", "user": user, "text": text,
             "channel": channel or f"D{user}", "ts": f"{time.time():.6f}", "team": team}
    if thread:
        event["thread_ts"] = thread
    body = json.dumps({"type": "event_callback", "team_id": team, "event": event}).encode()
    status, _ = servers.post("/webhooks/slack/webhook", body, {"Content-Type": "application/json", **slack_signature(body, SECRET)})
    return status
