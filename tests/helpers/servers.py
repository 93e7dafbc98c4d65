"""Starts the real action server and Rasa server (REST channel) for end-to-end tests.

The servers get a secret of their own; `say` proves who speaks with a bearer token signed by it and
`get` calls the HTTP API with its token, as a real integration would."""
from __future__ import annotations

import json
import os
import secrets
import socket
import urllib.parse
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from contextlib import contextmanager
from typing import Iterator, Optional

import pytest

from bot.identity.secret import key_for
from bot.identity.tokens import rest_token

PROJECT = Path(__file__).resolve().parents[2]
MODEL = PROJECT / "models" / "common-ground.tar.gz"
BIN = Path(sys.executable).parent


# Slack and Teams off (their webhooks answer 404), whatever the machine's environment says.
CHANNELS_OFF = {"SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "TEAMS_APP_ID": "", "TEAMS_APP_PASSWORD": ""}


def joined(messages: list[dict]) -> str:
    """The texts of one turn's replies, one per line."""
    return "\n".join(m.get("text") or "" for m in messages)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Servers:
    """An action server and a Rasa server on free ports, sharing one database URL."""

    def __init__(self, database_url: str, workdir: Path, env: Optional[dict] = None) -> None:
        if not MODEL.exists():
            pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does it first)")
        self.database_url = database_url
        self.workdir = workdir
        self.secret = secrets.token_urlsafe(48)
        self.env = {**os.environ, "COMMON_GROUND_DATABASE_URL": database_url, "RASA_TELEMETRY_ENABLED": "false",
                    "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "COMMON_GROUND_SECRET": self.secret,
                    **(env or {})}
        self.processes: list[subprocess.Popen] = []
        self.starts = 0

    def migrate(self) -> None:
        """The schema step the servers leave to the operator (`make serve` runs it first)."""
        done = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=PROJECT, env=self.env,
                              capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            pytest.fail(f"`python -m bot migrate` failed: {done.stderr[-2000:]}")

    def start(self) -> None:
        self.starts += 1
        self.migrate()
        self.actions_port, self.rasa_port = free_port(), free_port()
        self.env["COMMON_GROUND_PUBLIC_URL"] = f"http://127.0.0.1:{self.rasa_port}"
        self.env["COMMON_GROUND_REPORTS_DIR"] = str(self.workdir / "reports")
        endpoints = self.workdir / "endpoints.yml"
        self.env["COMMON_GROUND_ACTIONS_TOKEN"] = key_for("actions", self.secret)   # = `python -m actions token`
        endpoints.write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{self.actions_port}/webhook\n"
            "  headers:\n    Authorization: Bearer ${COMMON_GROUND_ACTIONS_TOKEN}\n"
            "tracker_store:\n  type: bot.rasa_plugins.tracker_store.CommonGroundTrackerStore\n"
            "lock_store:\n  type: bot.rasa_plugins.lock_store.CommonGroundLockStore\n")
        self._spawn("actions", [sys.executable, "-m", "actions", "--port", str(self.actions_port)])
        self._spawn("rasa", [str(BIN / "rasa"), "run", "--model", str(MODEL), "--endpoints", str(endpoints),
                             "--credentials", str(PROJECT / "credentials.yml"), "--port", str(self.rasa_port),
                             "--enable-api", "--auth-token", self.api_token, "--interface", "127.0.0.1",
                             "--cors", self.env["COMMON_GROUND_PUBLIC_URL"]])
        self._wait(f"http://127.0.0.1:{self.actions_port}/health", "actions")
        self._wait(f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/", "rasa")

    @property
    def api_token(self) -> str:
        return key_for("api", self.env["COMMON_GROUND_SECRET"])

    def token(self, sender: str, days: float = 1) -> str:
        """A REST bearer token for `sender`, signed with these servers' secret."""
        return rest_token(sender, days, secret=self.env["COMMON_GROUND_SECRET"])

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.workdir / f"{name}-{self.starts}.log", "w")
        self.processes.append(subprocess.Popen(command, cwd=PROJECT, env=self.env, stdout=log,
                                               stderr=subprocess.STDOUT))

    def _wait(self, url: str, name: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _get(url):
                return
            if any(p.poll() is not None for p in self.processes):
                break
            time.sleep(0.5)
        log = (self.workdir / f"{name}-{self.starts}.log").read_text()[-3000:]
        self.stop()
        pytest.fail(f"the {name} server did not come up at {url}; its log ends with:\n{log}")

    @property
    def sqlite_file(self) -> Path:
        """The SQLite file these servers share (for tests that read or rig it directly)."""
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def rasa_pid(self) -> int:
        return self.processes[-1].pid

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes = []

    def post(self, path: str, body: bytes, headers: dict) -> tuple[int, str]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.rasa_port}{path}", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def say(self, sender: str, message: str) -> list[dict]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {self.token(sender)}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    def get(self, path: str):
        """A GET on the Rasa server; the HTTP API's routes get its token."""
        separator = "&" if "?" in path else "?"
        url = f"http://127.0.0.1:{self.rasa_port}{path}{separator}token={urllib.parse.quote(self.api_token)}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.load(response)

    def download(self, url: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, b""

    def bot_texts(self, sender: str) -> list[str]:
        """Everything the bot said in this conversation, as Rasa's HTTP API reports it."""
        tracker = self.get(f"/conversations/{urllib.parse.quote(sender, safe='')}/tracker")
        return [e.get("text") or "" for e in tracker["events"] if e.get("event") == "bot"]

    def wait_for_bot_text(self, sender: str, piece: str, timeout: float = 45) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((t for t in self.bot_texts(sender) if piece in t), None)
            if found is not None:
                return found
            time.sleep(0.5)
        raise AssertionError(f"the bot never said {piece!r}; it said:\n" + "\n".join(self.bot_texts(sender)[-5:]))

    def export(self, sender: str, fmt: str = "json", whose: str = "--user"):
        """`python -m bot export` against this database (whose="--team" and a code for a team)."""
        result = subprocess.run([sys.executable, "-m", "bot", "export", whose, sender, "--format", fmt],
                                cwd=PROJECT, env=self.env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if fmt == "json" else result.stdout

    def export_fails(self, sender: str, whose: str = "--user") -> str:
        result = subprocess.run([sys.executable, "-m", "bot", "export", whose, sender], cwd=PROJECT, env=self.env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result.stdout
        return result.stderr


@contextmanager
def started(tmp_path_factory, name: str, env: Optional[dict] = None) -> Iterator[Servers]:
    """Both servers on a fresh SQLite file in a folder of their own (for a module-scoped fixture), with
    Slack and Teams off unless `env` sets them; stopped when the block ends."""
    workdir = tmp_path_factory.mktemp(name)
    servers = Servers(f"sqlite:///{workdir / f'{name}.db'}", workdir, env={**CHANNELS_OFF, **(env or {})})
    servers.start()
    try:
        yield servers
    finally:
        servers.stop()
