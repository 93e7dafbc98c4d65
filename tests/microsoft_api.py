"""A local stand-in of the Microsoft endpoints the Bot Framework connector talks to: the OpenID
configuration and signing keys (with a key the tests sign with), the token endpoint, and the
conversation API that receives the bot's activities."""
from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.servers import free_port

KEY_ID = "test-key"


class MicrosoftAPI:
    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self.port = free_port()
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.activities: list[dict] = []
        self.uploads: list[dict] = []
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _reply(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/openid":
                    return self._reply({"jwks_uri": f"{api.base}/keys"})
                public = json.loads(RSAAlgorithm.to_jwk(api.key.public_key()))
                self._reply({"keys": [{**public, "kid": KEY_ID, "use": "sig"}]})

            def do_PUT(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with api.lock:
                    api.uploads.append({"path": self.path, "range": self.headers.get("Content-Range"), "data": raw})
                self._reply({"id": "drive-item-1"})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/token":
                    form = urllib.parse.parse_qs(raw.decode())
                    assert form["client_id"] == [api.app_id]
                    return self._reply({"access_token": "bot-token", "expires_in": 3600})
                with api.lock:
                    api.activities.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                           **json.loads(raw or b"{}")})
                self._reply({"id": "activity-1"})

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "MicrosoftAPI":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def token(self, audience: str = None, key=None) -> str:
        """A Bot Framework style bearer token signed with our key (or another one)."""
        claims = {"aud": audience or self.app_id, "iss": "https://api.botframework.com",
                  "exp": int(time.time()) + 600, "nbf": int(time.time()) - 10}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def wait_for(self, piece: str, conversation: str, timeout: float = 45) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for activity in self.activities:
                    shown = json.dumps(activity.get("text", "")) + json.dumps(activity.get("attachments", []))
                    if f"/conversations/{conversation}/" in activity["path"] and piece in shown:
                        return activity
            time.sleep(0.3)
        raise AssertionError(f"Teams never got {piece!r} in {conversation}")
