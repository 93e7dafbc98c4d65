"""One user over REST against the real servers: how long each turn takes.

Starts the action server and the Rasa server on free ports with a fresh SQLite database, then one
user greets, starts the self-assessment and answers every question ("agree" for the 17 factors,
"skip" for the four next steps), RUNS times over with a new sender each time. Prints the median
and 95th percentile of the turns. `--project DIR` measures another checkout with the same
virtualenv (its own endpoints.yml and model), so two versions can be compared side by side.

  .venv/bin/python scripts/bench_turn.py [--runs 3] [--project DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))
from bot.identity.secret import key_for  # noqa: E402  (the servers' keys, derived as they derive them)
from bot.identity.tokens import rest_token  # noqa: E402

SECRET = "bench-" + "s" * 40   # the measured servers' secret; older checkouts ignore it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait(url: str, processes: list[subprocess.Popen], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if any(p.poll() is not None for p in processes):
                raise SystemExit(f"a server exited before {url} answered")
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def say(port: int, sender: str, message: str) -> float:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {rest_token(sender, 1, SECRET)}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        json.load(response)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--project", type=Path, default=HERE)
    args = parser.parse_args()
    project = args.project.resolve()
    stores = re.findall(r"^\s*type:\s*(\S+)", (project / "endpoints.yml").read_text(), flags=re.M)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        actions_port, rasa_port = free_port(), free_port()
        endpoints = work / "endpoints.yml"
        endpoints.write_text(f"action_endpoint:\n  url: http://127.0.0.1:{actions_port}/webhook\n"
                             "  headers:\n    Authorization: Bearer ${COMMON_GROUND_ACTIONS_TOKEN}\n"
                             f"tracker_store:\n  type: {stores[0]}\nlock_store:\n  type: {stores[1]}\n")
        env = {**os.environ, "COMMON_GROUND_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
               "COMMON_GROUND_REPORTS_DIR": str(work / "reports"), "RASA_TELEMETRY_ENABLED": "false",
               "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "COMMON_GROUND_SECRET": SECRET,
               "COMMON_GROUND_ACTIONS_TOKEN": key_for("actions", SECRET)}
        subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=project, env=env, check=True,
                       capture_output=True)   # servers of this version never migrate themselves
        logs = [open(work / "actions.log", "w"), open(work / "rasa.log", "w")]
        closed = (project / "actions" / "__main__.py").exists()   # the action server of issue 15 on
        actions_command = ([sys.executable, "-m", "actions"] if closed
                           else [str(BIN / "rasa"), "run", "actions", "--actions", "actions"])
        processes = [
            subprocess.Popen(actions_command + ["--port", str(actions_port)],
                             cwd=project, env=env, stdout=logs[0], stderr=subprocess.STDOUT),
            subprocess.Popen([str(BIN / "rasa"), "run", "--model", str(project / "models" / "common-ground.tar.gz"),
                              "--endpoints", str(endpoints), "--credentials", str(project / "credentials.yml"),
                              "--port", str(rasa_port)], cwd=project, env=env, stdout=logs[1],
                             stderr=subprocess.STDOUT)]
        try:
            wait(f"http://127.0.0.1:{actions_port}/health", processes)
            wait(f"http://127.0.0.1:{rasa_port}/webhooks/rest/", processes)
            say(rasa_port, "warm-up", "hi")
            turns: list[float] = []
            for run in range(args.runs):
                sender = f"bench-{run}"
                messages = ["hi", "let's do the self-assessment"] + ["agree"] * 17 + ["skip"] * 4
                turns += [say(rasa_port, sender, message) for message in messages]
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
        ms = sorted(t * 1000 for t in turns)
        p95 = ms[int(0.95 * (len(ms) - 1))]
        print(f"{project.name}: {len(ms)} turns, one user; per turn median {statistics.median(ms):.0f} ms, "
              f"p95 {p95:.0f} ms, max {ms[-1]:.0f} ms")


if __name__ == "__main__":
    main()
