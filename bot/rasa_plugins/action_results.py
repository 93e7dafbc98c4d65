"""The Rasa server checks each action server reply against its schema, compiled once instead of every call.

Rasa 3.6's `RemoteAction._validate_action_result` calls `jsonschema.validate`, which first checks the
*schema itself* against the JSON Schema meta-schema and then builds a new validator, for every reply.
Profiled under load, that meta-schema check was about 40% of the Rasa server's busy time (the
event loop is one thread, so every turn waited on it). The reply format never changes at run
time, so one validator is built on first use and kept; a reply is judged exactly as before (same
schema, same best-matching error), and an invalid one is still refused.

`install()` replaces the method on RemoteAction; our tracker store imports this module, so every
Rasa process that uses our endpoints.yml has it (a check in tests/unit/test_action_results.py).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_installed = False


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)        # once, where Rasa does it on every call
    return cls(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """What Rasa's own check does, with the validator built once."""
    error = exceptions.best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += f". The action server's reply is not in the format Rasa expects ({DOCS_BASE_URL}/custom-actions)"
    raise error


def install() -> None:
    global _installed
    if not _installed:
        RemoteAction._validate_action_result = validate_action_result   # type: ignore[method-assign]
        _installed = True
