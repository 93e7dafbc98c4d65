"""The scripted conversations of tests/dialogues (`make eval-dialogue`), once, against the real servers.

Every turn of every conversation must be handled as its file expects (its patterns, no reply
repeated word for word from the previous turn, at most two messages), and every stored value
must be in the user's export. On failure the list of failing turns and stored values is shown.
"""
import importlib.util
import sys

import pytest

from tests.helpers.servers import PROJECT, started


def _eval_dialogue():
    """scripts/eval_dialogue.py as a module (scripts/ is not a package)."""
    name = "eval_dialogue"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PROJECT / "scripts" / "eval_dialogue.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module   # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with started(tmp_path_factory, "e2e-dialogues") as servers:
        yield servers


def test_every_scripted_conversation_goes_as_expected(servers):
    evaluation = _eval_dialogue()
    conversations = evaluation.load_conversations()
    client = evaluation.Client(f"http://127.0.0.1:{servers.rasa_port}", servers.database_url, secret=servers.secret)
    results = evaluation.run_all(client, conversations)
    summary = evaluation.summarize(results)
    assert summary.turns == sum(len(c.turns) for c in conversations)
    if not summary.ok:
        pytest.fail(evaluation.report(results, listing=False), pytrace=False)
