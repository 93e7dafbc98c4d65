"""Logs keep no message texts: what people type (and the bot's replies, which quote it) stays out of them.

Our own code never logs a text. The stack around it does, at the levels we run: Rasa's REST
channel logs the message of a turn that failed, and renders the failing frames' local variables
(the tracker, the text) as JSON; SQLAlchemy puts a failed statement's parameters (a stored note,
a conversation event) into its error; a third-party API may echo what it was sent. So every log
record both servers create passes through `scrub` (a process-wide record factory, installed when
our Rasa plugins or actions are imported):

- in Rasa's JSON log lines, the fields Rasa itself lists as private (text, message, tracker...)
  are replaced and traceback locals are dropped;
- a failed statement's `[parameters: ...]` become `[parameters: hidden]`, and an action server's error
  that echoes the call it got (the whole tracker) loses the echo;
- the texts of the turn being handled (set per task with `remember`, by the Rasa server for each
  message and by the action server for each call) are cut out wherever they appear, also in part:
  any two of their words in a row, and any capitalised word or number of theirs.
"""
from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Iterable

REMOVED = "[removed]"
# The event fields Rasa's own log anonymiser treats as private (rasa/utils/log_utils.py), and a few more.
PRIVATE_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response", "slot_candidates",
    "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states", "successes", "current_entity",
    "next_entity", "states", "entity", "token_text", "user_message", "json_message", "request_body", "events",
    "tracker", "latest_message", "metadata", "buttons"})
_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
_ECHOED_BODY = re.compile(r"([\"']request_body[\"']\s*:\s*)[^\n]*")   # an action server's error echoing the call
_WORD = re.compile(r"\w+")
_turn: ContextVar[tuple[str, ...]] = ContextVar("common_ground_turn_texts", default=())
_formatter = logging.Formatter()
_installed = False


def remember(texts: Iterable[str]) -> None:
    """The texts of the turn this task handles (the user's message, the replies being sent)."""
    _turn.set(tuple(t for t in texts if isinstance(t, str) and t.strip()))


def turn_texts() -> tuple[str, ...]:
    return _turn.get()


@lru_cache(maxsize=64)
def _vocabulary(texts: tuple[str, ...]) -> tuple[frozenset, frozenset]:
    """The turn's word pairs, and its single words worth cutting alone (names, numbers, a one-word message)."""
    pairs, singles = set(), set()
    for text in texts:
        words = _WORD.findall(text)
        lowered = [w.lower() for w in words]
        pairs.update(zip(lowered, lowered[1:]))
        singles.update(w.lower() for w in words if len(w) >= 4 and (w[0].isupper() or any(c.isdigit() for c in w)))
        if len(words) == 1 and len(words[0]) >= 4:
            singles.add(lowered[0])
    return frozenset(pairs), frozenset(singles)


def _cut_turn(line: str, texts: tuple[str, ...]) -> str:
    if not texts or not line:
        return line
    pairs, singles = _vocabulary(texts)
    found = list(_WORD.finditer(line))
    cut = [m.group().lower() in singles for m in found]
    for i in range(len(found) - 1):
        if (found[i].group().lower(), found[i + 1].group().lower()) in pairs:
            cut[i] = cut[i + 1] = True
    if not any(cut):
        return line
    pieces, last, i = [], 0, 0
    while i < len(found):
        if not cut[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(found) and cut[j + 1]:
            j += 1
        pieces.append(line[last:found[i].start()] + REMOVED)
        last, i = found[j].end(), j + 1
    return "".join(pieces) + line[last:]


def scrub_text(line: str, texts: tuple[str, ...] = ()) -> str:
    """A plain log line without statement parameters and without the turn's texts."""
    line = _ECHOED_BODY.sub(lambda m: m.group(1) + REMOVED, _PARAMETERS.sub("[parameters: hidden]", line))
    return _cut_turn(line, texts)


def _scrub_value(value: Any, texts: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        return {k: REMOVED if k in PRIVATE_KEYS and v not in (None, "", [], {}) else _scrub_value(v, texts)
                for k, v in value.items() if k != "locals"}
    if isinstance(value, list):
        return [_scrub_value(v, texts) for v in value]
    if isinstance(value, str):
        return scrub_text(value, texts)
    return value


def scrub(line: str, texts: tuple[str, ...] = ()) -> str:
    """A log line as it may be kept: Rasa's JSON lines field by field, anything else as plain text."""
    stripped = line.lstrip()
    if stripped.startswith("{"):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return json.dumps(_scrub_value(parsed, texts))
    return scrub_text(line, texts)


def _scrub_record(record: logging.LogRecord) -> None:
    texts = _turn.get()
    try:
        message = record.getMessage()    # also an exception logged as the message itself
    except Exception:  # a malformed call: keep what it gave, minus the arguments
        message = str(record.msg)
    record.msg, record.args = scrub(message, texts), ()
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = scrub_text(_formatter.formatException(record.exc_info), texts)


def install() -> None:
    """Every log record of this process is scrubbed from now on (idempotent)."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            _scrub_record(record)
        except Exception:  # logging must never fail because of this
            record.msg, record.args, record.exc_text = "[log line removed: it could not be checked]", (), None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def install_in_action_server() -> None:
    """Scrubs the action server's logs too, each call's latest user texts being the turn's texts."""
    install()
    from rasa_sdk.executor import ActionExecutor

    if getattr(ActionExecutor.run, "_remembers_texts", False):
        return
    run = ActionExecutor.run

    async def remembering_run(self: Any, action_call: dict) -> Any:
        tracker = (action_call or {}).get("tracker") or {}
        said = [e.get("text") for e in tracker.get("events") or [] if e.get("event") == "user"][-5:]
        remember([*said, (tracker.get("latest_message") or {}).get("text")])
        return await run(self, action_call)

    remembering_run._remembers_texts = True  # type: ignore[attr-defined]
    ActionExecutor.run = remembering_run  # type: ignore[method-assign]
