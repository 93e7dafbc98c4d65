"""A local stand-in of the Microsoft endpoints the Teams channel talks to: the OpenID configuration and
signing keys (a key endorsed for Teams that the tests sign with, and one endorsed only for Web Chat),
the token endpoint, and the conversation API that receives the bot's activities. `Eavesdropper` is a
server that should never hear from the bot: it records whatever reaches it."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Optional

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.helpers.stand_in import QuietHandler, StandIn

KEY_ID = "test-key"
WEBCHAT_KEY_ID = "webchat-only-key"
ISSUER = "https://api.botframework.com"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class MicrosoftAPI(StandIn):
    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.webchat_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.activities: list[dict] = []
        self.uploads: list[dict] = []
        self.key_fetches = 0
        self.token_requests = 0
        self.slow: dict[str, float] = {}      # conversation id -> seconds the conversation API takes to answer
        api = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                if self.path == "/openid":
                    return self.answer({"issuer": ISSUER, "jwks_uri": f"{api.base}/keys"})
                with api.lock:
                    api.key_fetches += 1
                self.answer({"keys": [api.jwk(api.key, KEY_ID, ["msteams", "skype"]),
                                      api.jwk(api.webchat_key, WEBCHAT_KEY_ID, ["webchat"])]})

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
                    with api.lock:
                        api.token_requests += 1
                    return self.answer({"access_token": "bot-token", "expires_in": 3600})
                path = urllib.parse.unquote(self.path)
                time.sleep(next((delay for conversation, delay in api.slow.items()
                                 if f"/conversations/{conversation}/" in path), 0))
                with api.lock:
                    api.activities.append({"path": path, "auth": self.headers.get("Authorization"),
                                           **json.loads(raw or b"{}")})
                self.answer({"id": "activity-1"})

        super().__init__(Handler)

    def settings(self) -> dict:
        """The environment that turns the Teams channel on, with every Microsoft endpoint pointed here."""
        return {"TEAMS_APP_ID": self.app_id, "TEAMS_APP_PASSWORD": "secret",
                "BOTFRAMEWORK_OPENID_URL": f"{self.base}/openid", "BOTFRAMEWORK_LOGIN_URL": f"{self.base}/token",
                "BOTFRAMEWORK_SERVICE_HOSTS": f"127.0.0.1:{self.port}"}

    @staticmethod
    def jwk(key, kid: str, endorsements: list[str]) -> dict:
        public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        return {**public, "kid": kid, "use": "sig", "endorsements": endorsements}

    def claims(self, audience: str = None, issuer: str = ISSUER, service_url: Optional[str] = None,
               expires_in: int = 600) -> dict:
        claims = {"aud": audience or self.app_id, "iss": issuer, "exp": int(time.time()) + expires_in,
                  "nbf": int(time.time()) - 10}
        if service_url is not False:
            claims["serviceurl"] = service_url or self.base
        return claims

    def token(self, audience: str = None, key=None, kid: str = KEY_ID, issuer: str = ISSUER,
              service_url: Optional[str] = None, expires_in: int = 600) -> str:
        """A Bot Framework style bearer token signed with our key (or another one), for the stand-in's
        own address as the service URL unless told otherwise."""
        return jwt.encode(self.claims(audience, issuer, service_url, expires_in), key or self.key, algorithm="RS256",
                          headers={"kid": kid})

    def unsigned_token(self) -> str:
        """A token with `alg: none` and no signature at all."""
        header = {"alg": "none", "typ": "JWT", "kid": KEY_ID}
        return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(self.claims()).encode())}."

    def hmac_token(self) -> str:
        """The algorithm-confusion forgery: HS256, keyed with the published public key (which any
        stranger can download), hoping the server uses it as an HMAC secret."""
        header = {"alg": "HS256", "typ": "JWT", "kid": KEY_ID}
        signed = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(self.claims()).encode())}"
        secret = self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
        return f"{signed}.{_b64(hmac.new(secret, signed.encode(), hashlib.sha256).digest())}"

    def sent_to(self, conversation: str) -> list[dict]:
        with self.lock:
            return [a for a in self.activities if f"/conversations/{conversation}/" in a["path"]]

    def wait_for(self, piece: str, conversation: str, timeout: float = 45) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for activity in self.sent_to(conversation):
                shown = json.dumps(activity.get("text", "")) + json.dumps(activity.get("attachments", []))
                if piece in shown:
                    return activity
            time.sleep(0.1)
        raise AssertionError(f"Teams never got {piece!r} in {conversation}")


class Eavesdropper(StandIn):
    """A server the bot must never call: every request that reaches it is kept, headers and all."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        api = self

        class Handler(QuietHandler):
            def _record(self) -> None:
                with api.lock:
                    api.requests.append({"method": self.command, "path": self.path,
                                         "headers": dict(self.headers), "body": self.body()})
                self.answer({"id": "stolen"})

            do_GET = do_POST = do_PUT = _record

        super().__init__(Handler)
