"""Load, side by side: Common Ground and Rasa's own sample assistant, driven over REST in one run.

Starts our servers (action server and Rasa server on a fresh SQLite file, as the tests do) and the
sample assistant that `rasa init` makes, from the same virtualenv (made and trained once, in
var/bench/rasa-init/). Then, for each number of concurrent
users, every user sends the same script to each assistant ("hi", "let's do the self-assessment",
then "agree" ANSWERS times), one message after the other as a person would, all users at once.
Prints, per assistant and level: messages per second, p50/p95/p99 of a turn, errors, and for ours
the ratings stored against the ratings sent; both servers' memory after the level; the ratios. Then
the long-conversation cases: a turn's latency in a conversation holding EVENTS stored events against a
fresh conversation, the events spread over earlier visits and all in the current session (posted
through each server's HTTP API, in time order).

  make bench-load [USERS=1,5,20,50] [ANSWERS=20] [EVENTS=5000]
  .venv/bin/python scripts/bench_load.py --users 1,5 --answers 20 --events 5000
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
from tests.helpers.load import RATINGS, Level, post, rss_mb, stored_ratings  # noqa: E402
from tests.helpers.servers import CHANNELS_OFF, Servers, free_port  # noqa: E402

BIN = Path(sys.executable).parent
SAMPLE_DIR = PROJECT / "var" / "bench" / "rasa-init"   # made and trained once, reused by later runs


class Assistant:
    """One assistant behind its REST channel: who it is, how to post, which processes to weigh."""

    def __init__(self, name: str, url: str, token=None, processes: Optional[dict[str, int]] = None,
                 api_token: str = "") -> None:
        self.name, self.url, self.token = name, url, token
        self.processes, self.api_token = processes or {}, api_token

    def say(self, sender: str, text: str) -> float:
        started = time.perf_counter()
        post(self.url, sender, text, self.token)
        return time.perf_counter() - started

    def add_events(self, sender: str, events: list[dict]) -> None:
        query = f"?token={self.api_token}" if self.api_token else ""
        request = urllib.request.Request(f"{self.url}/conversations/{sender}/tracker/events{query}",
                                         data=json.dumps(events).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as answer:
            answer.read()


def script(answers: int) -> list[str]:
    return ["hi", "let's do the self-assessment"] + ["agree"] * answers


def drive(assistant: Assistant, users: int, answers: int, run: str) -> Level:
    """Every user sends the script, one message after another; all users at once."""
    level, lock = Level(users), threading.Lock()

    def one_user(index: int) -> None:
        sender = f"load-{run}-{users}-{index}"
        for text in script(answers):
            try:
                took = assistant.say(sender, text)
            except (OSError, ValueError):
                with lock:
                    level.errors += 1
                continue
            with lock:
                level.turns.append(took)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(one_user, range(users)))
    level.seconds = time.perf_counter() - started
    level.memory_mb = {name: rss_mb(pid) for name, pid in assistant.processes.items()}
    return level


def long_conversation(assistant: Assistant, events: int, run: str, visits: bool,
                      turns: int = 10) -> tuple[float, float]:
    """Median turn (ms) in a fresh conversation and in one that holds `events` stored events.

    `visits`: the history is earlier visits of 50 events, each its own session (what the server stores
    for someone who keeps coming back, now that sessions end after an hour of silence), and the measured
    turns are a new visit; else all of it
    is in the current session (someone who typed thousands of messages without a pause). The events are
    posted in time order after the conversation's first turn, so each store holds them as it would
    have stored them itself."""
    fresh, old = f"fresh-{run}-{visits}", f"long-{run}-{visits}"
    assistant.say(old, "hi")
    start, filler = time.time() + 0.001, []
    for i in range(events // 2):
        if visits and i % 25 == 0:
            filler.append({"event": "session_started"})
            filler.append({"event": "action", "name": "action_listen"})
        filler.append({"event": "user", "text": f"earlier message {i}",
                       "parse_data": {"intent": {"name": "greet", "confidence": 1.0}, "entities": []}})
        filler.append({"event": "bot", "text": f"earlier reply {i}"})
    if visits:   # the member is back for a new visit: only the history differs from the fresh conversation
        filler += [{"event": "session_started"}, {"event": "action", "name": "action_listen"}]
    for i, event in enumerate(filler):
        event["timestamp"] = start + i * 1e-5
    for first in range(0, len(filler), 1000):
        assistant.add_events(old, filler[first:first + 1000])
    assistant.say(fresh, "hi")
    timings = {}
    for sender in (fresh, old):
        timings[sender] = statistics.median(assistant.say(sender, "hi") for _ in range(turns)) * 1000
    return timings[fresh], timings[old]


def sample_assistant() -> tuple[Path, Path]:
    """The `rasa init` project and its trained model, made once under var/bench/ (about 2 minutes)."""
    models = sorted((SAMPLE_DIR / "models").glob("*.tar.gz")) if SAMPLE_DIR.exists() else []
    if not models:
        shutil.rmtree(SAMPLE_DIR, ignore_errors=True)
        SAMPLE_DIR.mkdir(parents=True)      # rasa init wants the folder to exist, empty
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
        print("making and training Rasa's sample assistant (rasa init; once, about 2 minutes) ...", flush=True)
        subprocess.run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(SAMPLE_DIR)], cwd=SAMPLE_DIR.parent,
                       env=env, check=True, capture_output=True)
        models = sorted((SAMPLE_DIR / "models").glob("*.tar.gz"))
        if not models:
            raise SystemExit("rasa init made no model")
    return SAMPLE_DIR, models[-1]


def start_sample(project: Path, model: Path, workdir: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
    log = open(workdir / "sample.log", "w")
    process = subprocess.Popen([str(BIN / "rasa"), "run", "--model", str(model), "--port", str(port), "--enable-api",
                                "--interface", "127.0.0.1", "--credentials", str(project / "credentials.yml")],
                               cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/webhooks/rest/", timeout=2):
                return process, port
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.5)
    process.kill()
    raise SystemExit(f"the sample assistant did not start; see {workdir / 'sample.log'}")


def row(level: Level) -> str:
    return (f"{level.rate:6.1f} {level.percentile(0.5):7.0f} {level.percentile(0.95):7.0f} "
            f"{level.percentile(0.99):7.0f} {level.errors:6d}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Common Ground and Rasa's sample assistant under the same load.")
    parser.add_argument("--users", default="1,5,20,50", help="concurrent users per level (default 1,5,20,50)")
    parser.add_argument("--answers", type=int, default=20, help='"agree" messages per user (default 20)')
    parser.add_argument("--events", type=int, default=5000, help="stored events in the long conversation (0: skip)")
    args = parser.parse_args()
    levels = [int(n) for n in args.users.split(",") if n.strip()]
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    run = time.strftime("%H%M%S")
    ours = Servers(f"sqlite:///{workdir / 'ours.db'}", workdir, env=CHANNELS_OFF)
    sample_process = None
    try:
        project, model = sample_assistant()
        print("starting both assistants ...", flush=True)
        ours.start()
        sample_process, sample_port = start_sample(project, model, workdir)
        common = Assistant("Common Ground", f"http://127.0.0.1:{ours.rasa_port}", ours.token,
                           {"rasa": ours.rasa_pid, "actions": ours.processes[0].pid}, ours.api_token)
        sample = Assistant("rasa init", f"http://127.0.0.1:{sample_port}", processes={"rasa": sample_process.pid})
        # Warm both up with one whole script: a turn whose tensor shapes a model has not seen yet is traced
        # first (a second or two, once per shape), and lazy parts load on first use.
        for assistant in (common, sample):
            for text in script(args.answers):
                assistant.say(f"warm-{run}", text)
        print(f"\n{len(script(args.answers))} messages per user; turn times in ms; memory after each level (MB)\n")
        print(f"{'users':>5} | {'Common Ground msg/s':>19} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6} | "
              f"{'sample msg/s':>12} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6} | ratings stored/sent | "
              f"memory ours rasa+actions, sample | throughput ratio, p95 ratio")
        for users in levels:
            mine = drive(common, users, args.answers, run)
            mine.stored = stored_ratings(ours.database_url, f"load-{run}-{users}-")
            mine.sent = users * min(args.answers, RATINGS)
            theirs = drive(sample, users, args.answers, run)
            print(f"{users:5d} | {row(mine):>45} | {row(theirs):>38} | {mine.stored:>7}/{mine.sent:<11} | "
                  f"{mine.memory_mb['rasa']:.0f}+{mine.memory_mb['actions']:.0f}, {theirs.memory_mb['rasa']:.0f} | "
                  f"{mine.rate / theirs.rate:.2f}x, {mine.percentile(0.95) / theirs.percentile(0.95):.2f}x",
                  flush=True)
        if args.events:
            print(f"\nA turn in a conversation of {args.events:,} stored events against a fresh one (median of 10):")
            for visits, case in ((True, "over earlier visits (a session each)"), (False, "all in the current session")):
                for assistant in (common, sample):
                    fresh, long = long_conversation(assistant, args.events, run, visits)
                    print(f"  {case:>38} {assistant.name:>13}: fresh {fresh:.0f} ms, long {long:.0f} ms "
                          f"({long / fresh:.2f}x)", flush=True)
    finally:
        ours.stop()
        if sample_process is not None:
            sample_process.terminate()
            sample_process.wait(timeout=30)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
