"""Log lines keep no message texts: Rasa's JSON fields, statement parameters, the turn's own words."""
import asyncio
import json
import logging

from bot.rasa_plugins import log_privacy
from bot.rasa_plugins.log_privacy import REMOVED, scrub, scrub_text

NOTE = "we haven't agreed on who leads the Quokka Compact, budget 40250"


def test_rasa_json_lines_lose_private_fields_and_traceback_locals():
    line = json.dumps({"event": "rest.message.received.failure", "text": NOTE, "log_level": "error",
                       "exception": [{"exc_type": "IntegrityError", "exc_value": "refused [parameters: ('x', 'y')]",
                                      "frames": [{"filename": "rest.py", "lineno": 160, "name": "webhook",
                                                  "locals": {"text": repr(NOTE), "sender_id": "'ana'"}}]}]})
    kept = json.loads(scrub(line))
    assert kept["event"] == "rest.message.received.failure" and kept["text"] == REMOVED
    frame = kept["exception"][0]["frames"][0]
    assert "locals" not in frame and frame["lineno"] == 160
    assert kept["exception"][0]["exc_value"] == "refused [parameters: hidden]"


def test_statement_parameters_are_hidden():
    error = ("(sqlite3.IntegrityError) refused by the test\n[SQL: INSERT INTO assessment_answers (note) VALUES (?)]\n"
             f"[parameters: ('{NOTE}',)]\n(Background on this error at: https://sqlalche.me/e/14/gkpj)")
    kept = scrub_text(error)
    assert "Quokka" not in kept and "[parameters: hidden]" in kept and "INSERT INTO assessment_answers" in kept


def test_an_echoed_action_call_is_cut_from_the_error():
    line = ("Failed to run custom action. body='b'{\"error\":\"KeyError\",\"request_body\":{\"tracker\":{\"events\":"
            f"[{{\"text\":\"{NOTE}\"}}]}}}}''")
    kept = scrub_text(line)
    assert "Quokka" not in kept and "KeyError" in kept and "request_body" in kept


def test_the_turns_words_are_cut_out_also_in_part():
    texts = (NOTE,)
    assert scrub_text("Saved: We haven't agreed on who leads. Done", texts) == f"Saved: {REMOVED}. Done"
    assert "Quokka" not in scrub_text("team Quokka created", texts)              # a name alone
    assert "40250" not in scrub_text("budget: 40250", texts)
    assert scrub_text("Exception in the action server", texts) == "Exception in the action server"


def test_records_are_scrubbed_when_made_including_tracebacks(monkeypatch):
    log_privacy.install()
    stream = []

    class Keep(logging.Handler):
        def emit(self, record):
            stream.append(self.format(record))

    logger = logging.getLogger("test.log_privacy")
    handler = Keep()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        async def turn():
            log_privacy.remember([NOTE])
            try:
                raise ValueError(f"could not store {NOTE!r}")
            except ValueError:
                logger.exception("storing %s failed", NOTE)
        asyncio.run(turn())
        logger.error(ValueError(NOTE))        # outside the turn: nothing of it is known, only patterns apply
    finally:
        logger.removeHandler(handler)
    assert "Quokka" not in stream[0] and "Traceback" in stream[0] and "ValueError" in stream[0]
    assert "storing" in stream[0] and "failed" in stream[0]


def test_the_action_server_remembers_each_calls_texts():
    log_privacy.install_in_action_server()
    from rasa_sdk.executor import ActionExecutor
    seen = []

    class Probe(ActionExecutor):
        pass

    async def call():
        executor = Probe()
        tracker = {"events": [{"event": "user", "text": "earlier words"}], "latest_message": {"text": NOTE}}
        try:
            await executor.run({"next_action": "action_nobody_registered", "tracker": tracker})
        except Exception:
            pass
        seen.extend(log_privacy.turn_texts())
    asyncio.run(call())
    assert seen == ["earlier words", NOTE]
