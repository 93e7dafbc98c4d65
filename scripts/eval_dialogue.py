"""How well the guide understands people as they really type: scripted conversations over REST.

Every conversation in tests/dialogues/*.yml is sent, one message at a time, to the real Rasa
server (REST channel) backed by the real action server. Each turn's replies are checked against
the conversation's `expect` and `reject` patterns, and every turn also against the rules a good
assistant keeps in a chat window: it never repeats a message from its previous turn word for word
(so never the same prompt twice in a row, nor one message twice in a turn), it answers in at most
two messages (`long: true` allows more), and it always answers something.
After the last turn, the user's stored work (`python -m bot export --user SENDER`, JSON) is
compared with the conversation's `stored` values.

    .venv/bin/python scripts/eval_dialogue.py                  # starts both servers on a fresh SQLite file
    .venv/bin/python scripts/eval_dialogue.py --url http://127.0.0.1:5005 --database-url sqlite:///var/common_ground.db
    .venv/bin/python scripts/eval_dialogue.py -k rating        # only conversations whose name contains "rating"
    .venv/bin/python scripts/eval_dialogue.py --report-only    # exit 0 even when something fails

A conversation file holds `conversations:`, a list of

    name: unique name
    user: optional suffix of the sender id
    turns:
      - say: what the user types
        expect: [regex, ...]     # each must match the turn's replies joined with newlines (case-insensitive, re.S)
        reject: [regex, ...]     # none may match
        long: true               # optional: more than two messages are fine in this turn
    stored:                      # checked against the export after the last turn
      dotted.path.0.field: value            # equal (strings: equal once spaces are squeezed)
      other.path: {contains: text}          # a string or list holding this (case-insensitive; a list: all of them)
      other.path: {absent: true}            # missing, null, empty string or empty list
      other.path: {not_contains: text}      # missing, or a string or list without this (a list: none of them)
      other.path: {matches: regex}          # a string matching this (case-insensitive, re.S)
      other.path: {len: 2}                  # a list (or mapping) of this many items
      other.path: {one_of: [a, b]}          # equal to one of these

Exit status: 0 when every turn and stored value is as expected (or with --report-only), 1 otherwise,
2 when the conversations or the servers could not be used.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
from bot.identity.tokens import rest_token  # noqa: E402  (the project's own modules, found from scripts/)

DIALOGUES = PROJECT / "tests" / "dialogues"
MAX_MESSAGES = 2
SHOW = 300            # characters of a reply shown in the failure list

TURN_KEYS = {"say", "expect", "reject", "long", "note"}
CONVERSATION_KEYS = {"name", "user", "turns", "stored", "note"}
MATCHERS = {"contains", "absent", "not_contains", "matches", "len", "one_of"}


class DialogueError(Exception):
    """A conversation file that cannot be used as written."""


# --- the conversations ------------------------------------------------------------------------

@dataclass
class Turn:
    say: str
    expect: list[str]
    reject: list[str]
    long: bool = False


@dataclass
class Conversation:
    name: str
    source: str
    turns: list[Turn]
    stored: dict[str, Any]
    user: Optional[str] = None


class _Loader(yaml.SafeLoader):
    """YAML as people write chat: `say: yes`, `say: no`, `say: ok` and `status: yes` stay text
    (PyYAML's YAML 1.1 would turn yes/no/on/off into booleans); only true and false are booleans."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _patterns(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(p, str) for p in items):
        raise DialogueError(f"{where}: expect/reject must be a regex or a list of regexes")
    for pattern in items:
        try:
            re.compile(pattern)
        except re.error as error:
            raise DialogueError(f"{where}: bad regex {pattern!r}: {error}") from error
    return items


def load_conversations(folder: Path = DIALOGUES, only: Optional[str] = None) -> list[Conversation]:
    files = sorted(folder.glob("*.yml"))
    if not files:
        raise DialogueError(f"no conversation files in {folder}")
    conversations, names = [], set()
    for path in files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
        items = data.get("conversations") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise DialogueError(f"{path.name}: expected a list under `conversations:`")
        for index, raw in enumerate(items, start=1):
            where = f"{path.name}, conversation {index}"
            if not isinstance(raw, dict) or not raw.get("name"):
                raise DialogueError(f"{where}: needs a name")
            where = f"{path.name}, {raw['name']!r}"
            unknown = set(raw) - CONVERSATION_KEYS
            if unknown:
                raise DialogueError(f"{where}: unknown keys {sorted(unknown)}")
            if raw["name"] in names:
                raise DialogueError(f"{where}: the name is used twice")
            names.add(raw["name"])
            turns = []
            for number, t in enumerate(raw.get("turns") or [], start=1):
                if not isinstance(t, dict) or "say" not in t:
                    raise DialogueError(f"{where}, turn {number}: needs `say`")
                if set(t) - TURN_KEYS:
                    raise DialogueError(f"{where}, turn {number}: unknown keys {sorted(set(t) - TURN_KEYS)}")
                if not isinstance(t["say"], str):
                    raise DialogueError(f"{where}, turn {number}: `say` must be text (quote numbers: say: '3')")
                turns.append(Turn(t["say"],
                                  _patterns(t.get("expect"), f"{where}, turn {number}"),
                                  _patterns(t.get("reject"), f"{where}, turn {number}"), bool(t.get("long"))))
            if not turns:
                raise DialogueError(f"{where}: has no turns")
            stored = raw.get("stored") or {}
            if not isinstance(stored, dict):
                raise DialogueError(f"{where}: `stored` must map dotted paths to values")
            for key, want in stored.items():
                if isinstance(want, dict) and (not want or set(want) - MATCHERS):
                    raise DialogueError(f"{where}: stored {key}: matchers are {sorted(MATCHERS)}")
            if only and only.lower() not in raw["name"].lower() and only.lower() not in path.stem.lower():
                continue
            conversations.append(Conversation(raw["name"], path.name, turns, stored, raw.get("user")))
    return conversations


# --- checking -----------------------------------------------------------------------------------

_MISSING = object()


def lookup(data: Any, path: str) -> Any:
    """A dotted path into the export: mapping keys, and list indexes as numbers."""
    node = data
    for part in path.split("."):
        if isinstance(node, dict):
            if part not in node:
                return _MISSING
            node = node[part]
        elif isinstance(node, list):
            if not re.fullmatch(r"-?\d+", part) or not -len(node) <= int(part) < len(node):
                return _MISSING
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _squeeze(value: Any) -> Any:
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else value


def _is_empty(value: Any) -> bool:
    return value is _MISSING or value is None or value == "" or value == [] or value == {}


def _holds(value: Any, piece: str) -> bool:
    piece = piece.lower()
    if isinstance(value, str):
        return piece in value.lower()
    if isinstance(value, list):
        return any(_holds(item, piece) for item in value)
    if isinstance(value, dict):
        return any(_holds(item, piece) for item in value.values())
    return False


def _pieces(value: Any) -> list[str]:
    return [] if value is None else [str(v) for v in value] if isinstance(value, list) else [str(value)]


def check_value(value: Any, want: Any) -> Optional[str]:
    """None when the stored value is as wanted, else what is wrong."""
    shown = "nothing" if value is _MISSING else json.dumps(value, ensure_ascii=False)[:200]
    if not isinstance(want, dict):
        if value is not _MISSING and _squeeze(value) == _squeeze(want):
            return None
        return f"wanted {json.dumps(want, ensure_ascii=False)}, found {shown}"
    problems = []
    if "absent" in want and bool(want["absent"]) != _is_empty(value):
        problems.append("wanted nothing stored" if want["absent"] else "wanted a value")
    for piece in _pieces(want.get("contains")):
        if value is _MISSING or not _holds(value, piece):
            problems.append(f"wanted it to contain {piece!r}")
    for piece in _pieces(want.get("not_contains")):
        if value is not _MISSING and _holds(value, piece):
            problems.append(f"wanted it not to contain {piece!r}")
    if "matches" in want and not (isinstance(value, str) and re.search(want["matches"], value, re.I | re.S)):
        problems.append(f"wanted it to match /{want['matches']}/")
    if "len" in want and not (isinstance(value, (list, dict)) and len(value) == want["len"]):
        problems.append(f"wanted {want['len']} item(s)")
    if "one_of" in want and (value is _MISSING or _squeeze(value) not in [_squeeze(w) for w in want["one_of"]]):
        problems.append(f"wanted one of {json.dumps(want['one_of'], ensure_ascii=False)}")
    return f"{'; '.join(problems)}, found {shown}" if problems else None


@dataclass
class TurnResult:
    number: int
    said: str
    replies: list[str]
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Result:
    conversation: Conversation
    sender: str
    turns: list[TurnResult] = field(default_factory=list)
    stored: list[tuple[str, Any, Optional[str]]] = field(default_factory=list)  # (path, wanted, problem)
    error: Optional[str] = None

    @property
    def turns_ok(self) -> int:
        return sum(1 for t in self.turns if t.ok)

    @property
    def stored_wrong(self) -> int:
        return sum(1 for _, _, problem in self.stored if problem)

    @property
    def ok(self) -> bool:
        return self.error is None and self.turns_ok == len(self.conversation.turns) and not self.stored_wrong


def check_turn(turn: Turn, texts: list[str], previous: list[str]) -> list[str]:
    problems = []
    joined = "\n".join(texts)
    for pattern in turn.expect:
        if not re.search(pattern, joined, re.I | re.S):
            problems.append(f"expected /{pattern}/")
    for pattern in turn.reject:
        found = re.search(pattern, joined, re.I | re.S)
        if found:
            problems.append(f"rejected /{pattern}/ matched {found.group(0)[:80]!r}")
    if not texts:
        problems.append("the bot said nothing")
    if len(texts) > MAX_MESSAGES and not turn.long:
        problems.append(f"{len(texts)} messages in one turn (at most {MAX_MESSAGES})")
    earlier = {_squeeze(t) for t in previous if _squeeze(t)}
    seen = set()
    for text in texts:
        key = _squeeze(text)
        if not key:
            continue
        if key in earlier:
            problems.append(f"repeated word for word from the previous turn: {_short(key, 100)!r}")
        elif key in seen:
            problems.append(f"the same message twice in one turn: {_short(key, 100)!r}")
        seen.add(key)
    return problems


# --- talking to the servers -----------------------------------------------------------------------

class Client:
    """The REST channel of a running Rasa server, and the export command on its database."""

    def __init__(self, url: str, database_url: Optional[str], timeout: float = 90,
                 secret: Optional[str] = None) -> None:
        self.url = url.rstrip("/")
        self.secret = secret   # the servers' secret, to sign each sender's token (default: this install's)
        self.env = {**os.environ, "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "3"}
        if database_url:
            self.env["COMMON_GROUND_DATABASE_URL"] = database_url
        self.timeout = timeout

    def up(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/webhooks/rest/", timeout=10) as response:
                return response.status == 200
        except OSError:
            return False

    def say(self, sender: str, message: str) -> list[dict]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", data=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {rest_token(sender, 1, self.secret)}"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.load(response)

    def export(self, sender: str) -> tuple[Optional[dict], Optional[str]]:
        """(the export, None), (None, None) for a user nothing is stored for, or (None, the error)."""
        result = subprocess.run([sys.executable, "-m", "bot", "export", "--user", sender, "--format", "json"],
                                cwd=PROJECT, env=self.env, capture_output=True, text=True, timeout=180)
        if result.returncode == 0:
            try:
                return json.loads(result.stdout), None
            except json.JSONDecodeError:
                return None, "the export is not JSON: " + result.stdout[:200]
        if result.returncode == 2 and "no stored work" in result.stderr:
            return None, None
        return None, f"export failed ({result.returncode}): {result.stderr.strip()[-300:]}"


def run_conversation(client: Client, conversation: Conversation, run_id: str, index: int) -> Result:
    slug = re.sub(r"[^a-z0-9]+", "-", conversation.name.lower()).strip("-")[:40]
    sender = f"eval-{run_id}-{index:03d}-{slug}" + (f"-{conversation.user}" if conversation.user else "")
    result = Result(conversation, sender)
    previous: list[str] = []
    for number, turn in enumerate(conversation.turns, start=1):
        started = time.monotonic()
        try:
            messages = client.say(sender, turn.say)
        except (OSError, urllib.error.URLError, json.JSONDecodeError) as error:
            detail = error.read().decode()[:200] if isinstance(error, urllib.error.HTTPError) else ""
            result.turns.append(TurnResult(number, turn.say, [], [f"the server failed: {error} {detail}".strip()],
                                           time.monotonic() - started))
            previous = []
            continue
        texts = [m.get("text") or "" for m in messages if m.get("text")]
        result.turns.append(TurnResult(number, turn.say, texts, check_turn(turn, texts, previous),
                                       time.monotonic() - started))
        previous = texts
    if conversation.stored:
        data, error = client.export(sender)
        if error:
            result.error = error
        for path, want in conversation.stored.items():
            value = lookup(data, path) if data is not None else _MISSING
            result.stored.append((path, want, None if error is None and check_value(value, want) is None
                                  else error or check_value(value, want)))
    return result


def run_all(client: Client, conversations: list[Conversation], threads: int = 3,
            progress: Optional[Callable[[Result], None]] = None) -> list[Result]:
    run_id = uuid.uuid4().hex[:6]
    lock = threading.Lock()

    def one(item: tuple[int, Conversation]) -> Result:
        result = run_conversation(client, item[1], run_id, item[0])
        if progress is not None:
            with lock:
                progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        return list(pool.map(one, enumerate(conversations, start=1)))


# --- reporting ---------------------------------------------------------------------------------

def _short(text: str, limit: int = SHOW) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def result_line(result: Result) -> str:
    c = result.conversation
    stored = f", stored {len(result.stored) - result.stored_wrong}/{len(result.stored)}" if result.stored else ""
    mark = "PASS" if result.ok else "FAIL"
    return f"{mark}  {c.source}: {c.name}  (turns {result.turns_ok}/{len(c.turns)}{stored})"


@dataclass
class Summary:
    conversations: int
    conversations_ok: int
    turns: int
    turns_ok: int
    stored: int
    stored_wrong: int
    repeats: int
    too_many: int
    silent: int
    errors: int

    @property
    def share(self) -> float:
        return 100.0 * self.turns_ok / self.turns if self.turns else 100.0

    @property
    def ok(self) -> bool:
        return self.conversations_ok == self.conversations and self.turns_ok == self.turns and not self.stored_wrong

    def text(self) -> str:
        return (f"conversations: {self.conversations_ok} of {self.conversations} passed\n"
                f"turns: {self.turns_ok} of {self.turns} handled as expected ({self.share:.1f}%)\n"
                f"stored values: {self.stored_wrong} wrong of {self.stored} checked\n"
                f"automatic checks: {self.repeats} turn(s) repeating the previous reply, "
                f"{self.too_many} turn(s) with more than {MAX_MESSAGES} messages, {self.silent} silent turn(s)"
                + (f"\nerrors: {self.errors} conversation(s) whose export or server failed" if self.errors else ""))


def summarize(results: list[Result]) -> Summary:
    turns = [t for r in results for t in r.turns]
    return Summary(
        conversations=len(results), conversations_ok=sum(1 for r in results if r.ok),
        turns=sum(len(r.conversation.turns) for r in results), turns_ok=sum(r.turns_ok for r in results),
        stored=sum(len(r.stored) for r in results), stored_wrong=sum(r.stored_wrong for r in results),
        repeats=sum(1 for t in turns if any(p.startswith(("repeated", "the same message")) for p in t.problems)),
        too_many=sum(1 for t in turns if any("messages in one turn" in p for p in t.problems)),
        silent=sum(1 for t in turns if "the bot said nothing" in t.problems),
        errors=sum(1 for r in results if r.error or any(p.startswith("the server failed") for t in r.turns
                                                        for p in t.problems)))


def failure_list(results: list[Result]) -> str:
    lines = []
    for r in results:
        c = r.conversation
        for t in r.turns:
            if t.ok:
                continue
            lines.append(f"- {c.name} [{c.source}], turn {t.number}: user said {_short(t.said, 120)!r}")
            for problem in t.problems:
                lines.append(f"    {problem}")
            lines.append(f"    bot said: {_short(' | '.join(t.replies)) if t.replies else '(nothing)'}")
        for path, want, problem in r.stored:
            if problem:
                lines.append(f"- {c.name} [{c.source}], stored {path}: {_short(problem, 400)}")
        if r.error and not r.stored:
            lines.append(f"- {c.name} [{c.source}]: {r.error}")
    return "\n".join(lines)


def report(results: list[Result], listing: bool = True) -> str:
    """The per-conversation results (unless already shown), the failures and the summary."""
    failures = failure_list(results)
    parts = ["Conversations:", *(result_line(r) for r in results), ""] if listing else []
    if failures:
        parts += ["Failing turns and stored values:", failures, ""]
    parts += ["Summary:", summarize(results).text()]
    return "\n".join(parts)


def as_json(results: list[Result]) -> dict:
    summary = summarize(results)
    return {
        "summary": {**summary.__dict__, "share": round(summary.share, 1), "ok": summary.ok},
        "conversations": [{
            "name": r.conversation.name, "file": r.conversation.source, "sender": r.sender, "ok": r.ok,
            "error": r.error,
            "turns": [{"number": t.number, "say": t.said, "replies": t.replies, "problems": t.problems,
                       "seconds": round(t.seconds, 2)} for t in r.turns],
            "stored": [{"path": p, "wanted": w, "problem": problem} for p, w, problem in r.stored],
        } for r in results],
    }


# --- the command line ------------------------------------------------------------------------

def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Scripted conversations over REST against the real servers.")
    parser.add_argument("--url", help="a running Rasa server (default: start both servers on a fresh SQLite file)")
    parser.add_argument("--database-url", help="the running servers' database, for the export "
                                                "(default: COMMON_GROUND_DATABASE_URL, else the bot's own default)")
    parser.add_argument("--dialogues", type=Path, default=DIALOGUES, help="folder of conversation files")
    parser.add_argument("-k", "--only", help="only conversations (or files) whose name contains this")
    parser.add_argument("--threads", type=int, default=3, help="conversations run side by side (default 3)")
    parser.add_argument("--json", type=Path, help="also write every turn and result to this JSON file")
    parser.add_argument("--report-only", action="store_true", help="exit 0 even when something fails")
    args = parser.parse_args(argv)

    try:
        conversations = load_conversations(args.dialogues, args.only)
    except (DialogueError, yaml.YAMLError) as error:
        print(f"eval-dialogue: {error}", file=sys.stderr)
        return 2
    if not conversations:
        print("eval-dialogue: no conversation matches", file=sys.stderr)
        return 2
    print(f"{len(conversations)} conversations, {sum(len(c.turns) for c in conversations)} turns", flush=True)

    # `kill` stops the servers this run started, as Ctrl-C does
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers = None
    started = time.monotonic()
    try:
        if args.url:
            client = Client(args.url, args.database_url)
            if not client.up():
                print(f"eval-dialogue: no Rasa REST channel answers at {args.url}", file=sys.stderr)
                return 2
        else:
            servers, client = start_servers()
        results = run_all(client, conversations, args.threads,
                          progress=lambda r: print(result_line(r), flush=True))
    finally:
        if servers is not None:
            servers.stop()
    print()
    print(report(results, listing=False))
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(as_json(results), indent=2, ensure_ascii=False), encoding="utf-8")
    ok = summarize(results).ok
    if servers is not None:
        if ok:
            shutil.rmtree(servers.workdir, ignore_errors=True)
        else:
            print(f"the servers' logs and database are kept in {servers.workdir}")
    return 0 if args.report_only or ok else 1


def start_servers():
    """Both servers on free ports and a fresh SQLite file in a temporary folder (as the e2e tests do)."""
    sys.path.insert(0, str(PROJECT))
    from tests.helpers.servers import CHANNELS_OFF, Servers
    workdir = Path(tempfile.mkdtemp(prefix="eval-dialogue-"))
    database_url = f"sqlite:///{workdir / 'eval.db'}"
    servers = Servers(database_url, workdir, env=CHANNELS_OFF)
    print(f"starting the action and Rasa servers (logs in {workdir})", flush=True)
    try:
        servers.start()
    except BaseException as error:   # Servers reports a server that did not come up through pytest.fail
        servers.stop()
        if isinstance(error, KeyboardInterrupt):
            raise
        print(f"eval-dialogue: {getattr(error, 'msg', None) or error}", file=sys.stderr)
        raise SystemExit(2)
    return servers, Client(f"http://127.0.0.1:{servers.rasa_port}", database_url, secret=servers.secret)


if __name__ == "__main__":
    sys.exit(main())
