"""Tokens, the server's secret and one-time web links: what proves who someone is."""
from __future__ import annotations

import os
import stat
import time

import jwt
import pytest

from bot.identity import secret as secret_module
from bot.identity.links import create_link, redeem
from bot.identity.secret import SecretError, key_for, server_secret
from bot.identity.tokens import REST, WEB, TokenError, issue, rest_token, verify
from bot.language.understanding import REQUEST, WEB_LINK, Expected, SENTENCE, understand


@pytest.fixture
def own_secret(tmp_path, monkeypatch):
    monkeypatch.delenv(secret_module.SECRET_ENV, raising=False)
    monkeypatch.setattr(secret_module, "VAR_DIR", tmp_path)
    server_secret.cache_clear()
    yield tmp_path
    server_secret.cache_clear()


def test_a_secret_is_generated_once_readable_only_by_its_owner(own_secret):
    first = server_secret()
    path = own_secret / "secret"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(first) >= 32
    server_secret.cache_clear()
    assert server_secret() == first                     # the same after a restart


def test_the_environment_secret_wins_and_must_be_long(own_secret, monkeypatch):
    monkeypatch.setenv(secret_module.SECRET_ENV, "s" * 40)
    assert server_secret() == "s" * 40 and not (own_secret / "secret").exists()
    server_secret.cache_clear()
    monkeypatch.setenv(secret_module.SECRET_ENV, "short")
    with pytest.raises(SecretError):
        server_secret()


def test_each_purpose_has_its_own_key():
    assert key_for("api", "x" * 40) != key_for("actions", "x" * 40) != key_for("api", "y" * 40)


def test_a_rest_token_proves_its_subject_and_nothing_else(own_secret):
    token = rest_token("ana", days=1)
    assert verify(token, REST).sender == "ana"
    with pytest.raises(TokenError):
        verify(token, WEB)                              # a REST token is not a web cookie
    with pytest.raises(TokenError):
        verify(issue("ana", REST, 1, secret="another secret of at least thirty-two chars"), REST)
    now = int(time.time())
    unsigned = jwt.encode({"sub": "ana", "aud": REST, "iss": "common-ground", "iat": now, "exp": now + 60},
                          None, algorithm="none")
    with pytest.raises(TokenError):
        verify(unsigned, REST)
    with pytest.raises(TokenError, match="expired"):
        verify(jwt.encode({"sub": "ana", "aud": REST, "iss": "common-ground", "iat": now - 90, "exp": now - 60},
                          key_for("token:rest"), algorithm="HS256"), REST)
    for bad in ("", None, "a.b.c", "x" * 5000):
        with pytest.raises(TokenError):
            verify(bad, REST)
    with pytest.raises(ValueError):
        rest_token("", 1)
    with pytest.raises(ValueError):
        rest_token("x" * 300, 1)


def test_a_web_link_works_once(db, own_secret):
    link = create_link(db, "slack:T1:U1")
    assert redeem(db, link) == "slack:T1:U1"
    assert redeem(db, link) is None                     # used
    assert redeem(db, "not-a-link") is None and redeem(db, "") is None and redeem(db, "x" * 500) is None


def test_an_expired_or_superseded_link_binds_nothing(db):
    assert redeem(db, create_link(db, "ana", minutes=-1)) is None
    older = create_link(db, "ana")
    newer = create_link(db, "ana")
    assert redeem(db, older) is None and redeem(db, newer) == "ana"


@pytest.mark.parametrize("text", ["open this on the web", "can I continue on my laptop?", "send me a web link",
                                  "ok lets continue in the browser", "pick this up on my computer later"])
def test_asking_for_the_web_is_understood(text):
    assert understand(text, Expected(SENTENCE)).action == WEB_LINK
    assert understand(text, Expected(SENTENCE)).kind == REQUEST


@pytest.mark.parametrize("text", ["we meet on the web every week", "we post updates on the web",
                                  "start sharing data on the web", "what is a web link?", "I use my laptop"])
def test_answers_that_mention_the_web_stay_answers(text):
    assert understand(text, Expected(SENTENCE)).action != WEB_LINK
