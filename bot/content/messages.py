"""The bot's own sentences, by key, from knowledge/messages/*.yml: a wording fix never touches Python.

Code asks for a sentence by key with the facts it needs: `say("teams.code_not_valid", code=code,
days=14)`. Each file is a section ("teams.yml" holds the keys "teams.*"); a sentence's
variables are its `{placeholders}`. Loading fails, naming the file and key, on an empty or
malformed sentence; asking for a key that does not exist, or without exactly the variables its
sentence uses, fails at once. tests/unit/test_messages.py also reads every `say(...)` in bot/
and checks it against the catalogue, so a mismatch is caught before anyone talks to the bot.
"""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content.knowledge import KNOWLEDGE_DIR, KnowledgeError

MESSAGES_DIR = KNOWLEDGE_DIR / "messages"


class MessageError(KnowledgeError):
    """A sentence that is missing, malformed, or asked for with the wrong variables."""


def placeholders(template: str) -> frozenset[str]:
    """The variable names a sentence uses ("{code}" and "{mean:.1f}" give code and mean)."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is None:
            continue
        if not field.isidentifier():
            raise MessageError(f"'{{{field}}}' is not a plain variable name")
        names.add(field)
    return frozenset(names)


class Messages:
    def __init__(self, sentences: dict[str, str]) -> None:
        self.sentences = sentences
        self.variables = {key: placeholders(text) for key, text in sentences.items()}

    def __call__(self, key: str, **values: Any) -> str:
        if key not in self.sentences:
            raise MessageError(f"no sentence has the key '{key}' (knowledge/messages/)")
        wanted = self.variables[key]
        if set(values) != wanted:
            raise MessageError(f"'{key}' uses {sorted(wanted)}, was given {sorted(values)}")
        return self.sentences[key].format(**values)


def load_messages(directory: Path = MESSAGES_DIR) -> Messages:
    sentences: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        where = f"messages/{path.name}"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise MessageError(f"{where}: not valid YAML: {error}") from error
        if not isinstance(data, dict):
            raise MessageError(f"{where}: expected key: sentence pairs")
        for key, text in data.items():
            if not isinstance(text, str) or not text.strip():
                raise MessageError(f"{where} {key}: the sentence is missing or empty")
            try:
                placeholders(text)
            except (MessageError, ValueError) as error:
                raise MessageError(f"{where} {key}: {error}") from error
            sentences[f"{path.stem}.{key}"] = " ".join(text.split()) if "\n" not in text.strip() else text.strip()
    return Messages(sentences)


@lru_cache(maxsize=1)
def messages() -> Messages:
    return load_messages()


def say(key: str, **values: Any) -> str:
    """The sentence for `key`, with its variables filled in."""
    return messages()(key, **values)
