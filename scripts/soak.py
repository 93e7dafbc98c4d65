"""The soak: many users talking without pause to the cluster of `make serve-cluster` for a long while.

Starts a cluster of its own on free ports (HAProxy, two Rasa servers, two action servers) on a fresh
PostgreSQL database (made here, dropped at the end) with Redis locks, then USERS users each walk the
self-assessment over REST as a careful client does (tests/helpers/load.py: every message with a
message_id, a failed request sent again with the same id), and start again as a new person when done,
until MINUTES have passed. Prints, per minute: messages, errors (failed requests), p50/p95/p99 of a
turn, and each server's memory (RSS) at the end of that minute; then the totals, the ratings stored
against the ratings sent, and whether memory grew. Exits 1 on any error or a rating stored other than once.

  make soak [SOAK_USERS=50] [SOAK_MINUTES=10]
  .venv/bin/python scripts/soak.py --users 50 --minutes 10
"""
from __future__ import annotations

import argparse
import math
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "scripts"))
from cluster import Cluster, ClusterError, Ports  # noqa: E402
from tests.helpers.load import AssessmentUser, Turn, percentile, rss_mb, stored_ratings  # noqa: E402
from tests.helpers.servers import CHANNELS_OFF  # noqa: E402
from tests.helpers.services import postgres_database  # noqa: E402

SERVERS = ["rasa1", "rasa2", "actions1", "actions2", "haproxy"]


def soak(cluster: Cluster, users: int, minutes: float, run: str) -> int:
    began = time.monotonic()
    deadline = began + minutes * 60
    turns: list[Turn] = []
    problems: list[str] = []
    people: list[AssessmentUser] = []
    lock = threading.Lock()

    def one_user(index: int) -> None:
        passes = 0
        while time.monotonic() < deadline:
            passes += 1
            user = AssessmentUser(cluster.public_url, f"soak-{run}-{index:02d}-{passes}", cluster.token)
            with lock:
                people.append(user)
            try:
                user.start()
                while not user.done and time.monotonic() < deadline:
                    user.answer()
            except AssertionError as error:
                with lock:
                    problems.append(str(error))
            with lock:
                turns.extend(user.turns)

    memory: list[dict[str, float]] = []

    windows = math.ceil(minutes)

    def sample() -> None:      # at the end of each minute
        while len(memory) < windows:
            time.sleep(max(0.0, began + 60 * (len(memory) + 1) - time.monotonic()))
            memory.append({name: rss_mb(cluster.pid(name)) for name in SERVERS})

    threads = [threading.Thread(target=one_user, args=(i,), daemon=True) for i in range(users)]
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sampler.join(timeout=61)

    print(f"\n{users} users for {minutes:g} minutes; turn times in ms; memory (RSS, MB) at the end of each minute")
    print(f"{'minute':>6} {'messages':>8} {'errors':>6} {'p50':>6} {'p95':>6} {'p99':>6} | "
          + " ".join(f"{name:>8}" for name in SERVERS))
    for window in range(windows):
        start, end = began + 60 * window, began + 60 * (window + 1)
        inside = [t for t in turns if start <= t.at < end]
        errors = sum(len(t.failures) for t in inside)
        seconds = [t.seconds for t in inside]
        rss = memory[window] if window < len(memory) else {}
        print(f"{window + 1:6d} {len(inside):8d} {errors:6d} {percentile(seconds, .5):6.0f} {percentile(seconds, .95):6.0f} "
              f"{percentile(seconds, .99):6.0f} | " + " ".join(f"{rss.get(name, float('nan')):8.0f}" for name in SERVERS))
    failed = sum(len(t.failures) for t in turns) + len(problems)
    seconds = [t.seconds for t in turns]
    sent = sum(len(u.sent_ratings) for u in people)
    stored = stored_ratings(cluster.env["COMMON_GROUND_DATABASE_URL"], f"soak-{run}-")
    finished = sum(1 for u in people if u.done)
    print(f"{'all':>6} {len(turns):8d} {failed:6d} {percentile(seconds, .5):6.0f} {percentile(seconds, .95):6.0f} "
          f"{percentile(seconds, .99):6.0f} | {len(turns) / (minutes * 60):.1f} msg/s; {finished} assessments finished")
    print(f"ratings stored/sent: {stored}/{sent}")
    if len(memory) >= 3:
        settled = memory[1]      # the first minute includes the servers' warm-up
        growth = {name: memory[-1][name] - settled[name] for name in SERVERS}
        print("memory from minute 2 to the end: " + ", ".join(
            f"{name} {settled[name]:.0f} -> {memory[-1][name]:.0f} MB ({growth[name]:+.0f})" for name in SERVERS))
    for problem in problems[:10]:
        print("problem:", problem)
    skipped = [p for u in people for p in u.out_of_order]
    for problem in skipped[:10]:
        print("out of order:", problem)
    return 1 if failed or stored != sent or skipped else 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Users talking to the cluster without pause for a long while.")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the cluster's logs (printed at the end)")
    args = parser.parse_args()
    redis = os.environ.get("COMMON_GROUND_REDIS_URL", "redis://127.0.0.1:6379/1")
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    run = time.strftime("%H%M%S")
    print(f"starting the cluster on a fresh PostgreSQL database, Redis locks at {redis} ...", flush=True)
    with postgres_database("cg_soak") as url:
        cluster = Cluster(workdir, url, redis, secrets.token_urlsafe(48), Ports.free(), env=CHANNELS_OFF)
        try:
            cluster.start()
            for name in SERVERS:
                print(f"  {name}: pid {cluster.pid(name)}, {rss_mb(cluster.pid(name)):.0f} MB", flush=True)
            warm = AssessmentUser(cluster.public_url, f"warm-{run}", cluster.token)
            warm.start()
            for _ in range(3):
                warm.answer()
            print(f"{args.users} users for {args.minutes:g} minutes ...", flush=True)
            return soak(cluster, args.users, args.minutes, run)
        except ClusterError as error:
            print(error, file=sys.stderr)
            return 1
        finally:
            cluster.stop()
            if args.keep:
                print(f"logs: {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
