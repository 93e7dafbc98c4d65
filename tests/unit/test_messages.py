"""The catalogue of the bot's sentences: every key the code asks for exists, with exactly its variables."""
import ast
from pathlib import Path

import pytest

from bot.content.messages import MessageError, load_messages, messages, say
from tests.helpers.servers import PROJECT


def calls_in_code() -> list[tuple[str, int, str, frozenset]]:
    """(file, line, key, keyword names) for every say("...") in bot/."""
    found = []
    for path in sorted((PROJECT / "bot").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "say":
                where = f"{path.relative_to(PROJECT)}:{node.lineno}"
                assert node.args and isinstance(node.args[0], ast.Constant), f"{where}: the key must be written out"
                assert not any(k.arg is None for k in node.keywords), f"{where}: pass each variable by name"
                found.append((where, node.lineno, node.args[0].value, frozenset(k.arg for k in node.keywords)))
    return found


def test_every_sentence_the_code_asks_for_exists_with_its_variables():
    catalogue = messages()
    problems = [f"{where}: unknown key {key}" for where, _, key, _ in calls_in_code() if key not in catalogue.sentences]
    problems += [f"{where}: {key} uses {sorted(catalogue.variables[key])}, the code gives {sorted(given)}"
                 for where, _, key, given in calls_in_code()
                 if key in catalogue.sentences and catalogue.variables[key] != given]
    assert not problems, "\n".join(problems)


def test_no_sentence_sits_unused():
    used = {key for _, _, key, _ in calls_in_code()}
    assert sorted(set(messages().sentences) - used) == []


def test_asking_wrongly_fails_loudly():
    with pytest.raises(MessageError, match="no sentence has the key"):
        say("nowhere.nothing")
    key, variables = next((k, v) for k, v in messages().variables.items() if v)
    with pytest.raises(MessageError, match="was given"):
        say(key)


def test_a_malformed_catalogue_is_rejected_at_load(tmp_path: Path):
    (tmp_path / "broken.yml").write_text('greeting: "Hello {user.name}"\n')
    with pytest.raises(MessageError, match="broken.yml greeting"):
        load_messages(tmp_path)
    (tmp_path / "broken.yml").write_text("greeting: ''\n")
    with pytest.raises(MessageError, match="missing or empty"):
        load_messages(tmp_path)
