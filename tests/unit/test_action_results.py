"""The Rasa server's check of action server replies: same verdicts as Rasa's own, the schema checked once."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction

import bot.rasa_plugins.tracker_store  # noqa: F401  (what every Rasa process imports: it installs the check)
from bot.rasa_plugins import action_results

REPLY = {"events": [{"event": "slot", "name": "assessment_answer", "value": None}],
         "responses": [{"text": "Question 2 of 17", "buttons": [{"title": "agree", "payload": "agree"}]}]}


@pytest.fixture
def remote() -> RemoteAction:
    return RemoteAction("validate_self_assessment_form", None)


def test_the_rasa_server_uses_the_compiled_check(remote):
    assert RemoteAction._validate_action_result is action_results.validate_action_result
    assert remote._validate_action_result(REPLY) is True


@pytest.mark.parametrize("reply", [
    {"events": {"event": "slot"}},                       # events must be a list
    {"events": [{"name": "no event type"}]},             # an event needs its type
    {"responses": "just a string"},
])
def test_a_malformed_reply_is_still_refused(remote, reply):
    with pytest.raises(ValidationError) as refused:
        remote._validate_action_result(reply)
    assert "not in the format Rasa expects" in refused.value.message


def test_the_verdicts_match_jsonschema_validate(remote):
    from jsonschema import validate
    spec = RemoteAction.action_response_format_spec()
    for reply in (REPLY, {"events": []}, {"events": [{"event": 3}]}, {"responses": [{"text": None}]}):
        try:
            validate(reply, spec)
            expected = True
        except ValidationError:
            expected = False
        try:
            got = remote._validate_action_result(reply)
        except ValidationError:
            got = False
        assert got == expected, reply


def test_the_schema_itself_is_checked_once_not_per_reply(remote, monkeypatch):
    cls = validators.validator_for(RemoteAction.action_response_format_spec())
    checks = []
    original = cls.check_schema.__func__
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, schema, *a, **k: (checks.append(1),
                                                                                     original(c, schema, *a, **k))[1]))
    action_results._validator.cache_clear()
    for _ in range(50):
        remote._validate_action_result(REPLY)
    assert len(checks) == 1
