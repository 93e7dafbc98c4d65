"""A local stand-in of the Microsoft endpoints the Bot Framework connector talks to: the OpenID
configuration and signing keys (with a key the tests sign with), the token endpoint, and the
conversation API that receives the bot's activities."""
from __future__ import annotations

import json
import time
import urllib.parse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.helpers.stand_in import QuietHandler, StandIn

KEY_ID = "test-key"


class MicrosoftAPI(StandIn):
    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.activities: list[dict] = []
        self.uploads: list[dict] = []
        api = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                if self.path == "/openid":
                    return self.answer({"jwks_uri": f"{api.base}/keys"})
                public = json.loads(RSAAlgorithm.to_jwk(api.key.public_key()))
                self.answer({"keys": [{**public, "kid": KEY_ID, "use": "sig"}]})

            def do_PUT(self) -> None:
                raw = self.body()
                with api.lock:
                    api.uploads.append({"path": self.path, "range": self.headers.get("Content-Range"), "data": raw})
                self.answer({"id": "drive-item-1"})

            def do_POST(self) -> None:
                raw = self.body()
                if self.path == "/token":
                    form = urllib.parse.parse_qs(raw.decode())
                    assert form["client_id"] == [api.app_id]
                    return self.answer({"access_token": "bot-token", "expires_in": 3600})
                with api.lock:
                    api.activities.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                           **json.loads(raw or b"{}")})
                self.answer({"id": "activity-1"})

        super().__init__(Handler)

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
