"""A local stand-in of the Slack Web API for the tests: records every call and answers like Slack.

The bot's Slack client is pointed here with SLACK_API_URL; tests read `calls` to see what would
have been posted or uploaded.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.servers import free_port


class SlackAPI:
    def __init__(self) -> None:
        self.port = free_port()
        self.calls: list[dict] = []
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
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
                    reply.update(upload_url=f"http://127.0.0.1:{api.port}/upload/F1", file_id="F1")
                elif method in ("files.completeUploadExternal", "files.info"):
                    reply.update(files=[{"id": "F1"}], file={"id": "F1"})
                data = json.dumps(reply).encode() if not url.path.startswith("/upload/") else b"OK"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain" if url.path.startswith("/upload/") else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def start(self) -> "SlackAPI":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

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
