"""The cluster of `make serve-cluster` losing a server mid-assessment: 20 users over REST, one Rasa server
killed (SIGKILL) and started again, then one action server; every conversation goes on at the question it
was at, every answer is stored once, and a user sees at most one failed request, repaired by sending the
same message (same message_id) again.

Needs HAProxy (`make haproxy`), PostgreSQL (COMMON_GROUND_TEST_POSTGRES_URL; the test makes a database of
its own and drops it) and Redis (COMMON_GROUND_TEST_CLUSTER_REDIS_URL, default redis://127.0.0.1:6379/4).
A missing one fails the test with what to do; COMMON_GROUND_TEST_CLUSTER=skip (or
COMMON_GROUND_TEST_DATABASES without postgres) skips it.
"""
from __future__ import annotations

import os
import secrets
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.content.knowledge import knowledge
from tests.helpers.load import RATINGS, AssessmentUser
from tests.helpers.servers import CHANNELS_OFF, PROJECT
from tests.helpers.services import POSTGRES_URL, postgres_database

sys.path.insert(0, str(PROJECT / "scripts"))
from cluster import HAPROXY, Cluster, ClusterError, Ports  # noqa: E402

USERS = 20
REDIS_URL = os.environ.get("COMMON_GROUND_TEST_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/4")
SKIP = (os.environ.get("COMMON_GROUND_TEST_CLUSTER") == "skip"
        or "postgres" not in os.environ.get("COMMON_GROUND_TEST_DATABASES", "sqlite,postgres"))
HOW_TO_SKIP = "COMMON_GROUND_TEST_CLUSTER=skip skips this test"
# The users stop before these questions until the main thread lets them on, so each server dies mid-assessment
# with requests in flight.
RASA_GATE, ACTIONS_GATE = 4, 10


def needs_services() -> None:
    if SKIP:
        pytest.skip("the cluster test is switched off (COMMON_GROUND_TEST_CLUSTER=skip or no postgres in "
                    "COMMON_GROUND_TEST_DATABASES)")
    if not Path(HAPROXY).exists():
        pytest.fail(f"needs HAProxy at {HAPROXY}: `make haproxy` installs Debian's package; {HOW_TO_SKIP}")
    try:
        engine = create_engine(POSTGRES_URL, future=True, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:
        pytest.fail(f"needs PostgreSQL at {POSTGRES_URL} (set COMMON_GROUND_TEST_POSTGRES_URL) with the right to "
                    f"create databases; could not connect: {error.__class__.__name__}; {HOW_TO_SKIP}")
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as error:
        pytest.fail(f"needs Redis at {REDIS_URL} (set COMMON_GROUND_TEST_CLUSTER_REDIS_URL); could not connect: "
                    f"{error.__class__.__name__}; {HOW_TO_SKIP}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    needs_services()
    with postgres_database("cg_cluster") as url:
        cluster = Cluster(tmp_path_factory.mktemp("cluster"), url, REDIS_URL, secrets.token_urlsafe(48),
                          Ports.free(), env=CHANNELS_OFF)
        try:
            cluster.start()
        except ClusterError as error:
            cluster.stop()
            pytest.fail(str(error))
        try:
            yield cluster
        finally:
            cluster.stop()


class Gate:
    """Holds users before a question until opened."""

    def __init__(self, question: int, users: int) -> None:
        self.question, self.opened, self.waiting = question, threading.Event(), threading.Semaphore(0)
        self.users = users

    def arrive(self) -> None:
        self.waiting.release()
        self.opened.wait(600)

    def all_here(self, timeout: float = 300) -> None:
        for _ in range(self.users):
            assert self.waiting.acquire(timeout=timeout), f"the users did not reach question {self.question}"


def stored(database_url: str, prefix: str) -> dict[str, dict[int, str]]:
    """Each user's stored ratings by question number, read from the database."""
    numbers = {f.id: f.number for d in knowledge().dimensions for f in d.factors}
    engine = create_engine(database_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT p.sender_id, a.factor_id, a.rating FROM assessment_answers a "
            "JOIN participants p ON p.id = a.participant_id WHERE p.sender_id LIKE :prefix AND a.rating IS NOT NULL"),
            {"prefix": f"{prefix}%"}).all()
        handled = connection.execute(text("SELECT count(*) FROM handled_messages WHERE sender_id LIKE :prefix"),
                                     {"prefix": f"{prefix}%"}).scalar()
    engine.dispose()
    found: dict[str, dict[int, str]] = {}
    for sender, factor, rating in rows:
        found.setdefault(sender, {})[numbers[factor]] = rating
    found["#handled"] = {0: str(handled)}
    return found


def test_users_finish_the_assessment_while_servers_are_killed_and_restarted(cluster):
    began = time.monotonic()
    prefix = f"failover-{uuid.uuid4().hex[:6]}-"
    users = [AssessmentUser(cluster.public_url, f"{prefix}{i:02d}", cluster.token) for i in range(USERS)]
    gates = {RASA_GATE: Gate(RASA_GATE, USERS), ACTIONS_GATE: Gate(ACTIONS_GATE, USERS)}
    problems: list[str] = []

    def walk(user: AssessmentUser) -> None:
        try:
            user.start()
            while not user.done:
                if user.step and user.step[0] == "question" and user.step[1] in gates and \
                        not gates[user.step[1]].opened.is_set():
                    gates[user.step[1]].arrive()
                user.answer()
        except Exception as error:  # the thread's failure is reported by the test below
            problems.append(f"{user.sender}: {error}")

    threads = [threading.Thread(target=walk, args=(user,), daemon=True) for user in users]
    for thread in threads:
        thread.start()
    timings = {}

    gates[RASA_GATE].all_here()
    timings["to question 4"] = time.monotonic() - began
    gates[RASA_GATE].opened.set()
    time.sleep(1.0)                          # the users' answers to question 4 are being handled
    cluster.kill("rasa1")
    killed = time.monotonic()
    cluster.start_server("rasa1")            # the users go on through rasa2 meanwhile
    timings["rasa1 back after"] = time.monotonic() - killed

    gates[ACTIONS_GATE].all_here()
    gates[ACTIONS_GATE].opened.set()
    time.sleep(0.5)
    cluster.kill("actions1")
    killed = time.monotonic()
    cluster.start_server("actions1")
    timings["actions1 back after"] = time.monotonic() - killed

    for thread in threads:
        thread.join(timeout=600)
    timings["all finished"] = time.monotonic() - began
    assert not problems, "\n".join(problems)
    assert all(user.done for user in users)

    # Each conversation went on at the question it was at: every reply asked the step right after the one
    # answered (AssessmentUser retries a reply that asks nothing and records one that asks a later question).
    skipped_ahead = [f"{u.sender}: {problem}" for u in users for problem in u.out_of_order]
    assert not skipped_ahead, "\n".join(skipped_ahead)
    # At most one failed request per user, and the retry of the same message repaired it.
    failures = {u.sender: [f for t in u.turns for f in t.failures] for u in users}
    assert all(len(f) <= 1 for f in failures.values()), {s: f for s, f in failures.items() if len(f) > 1}
    # Every answer sent is stored once, as the rating it was sent with, on the question it answered.
    found = stored(cluster.env["COMMON_GROUND_DATABASE_URL"], prefix)
    for user in users:
        assert found.get(user.sender) == user.sent_ratings, user.sender
        assert len(user.sent_ratings) == RATINGS
    messages = sum(len(u.turns) for u in users)
    assert int(found["#handled"][0]) == messages - USERS      # the "start" messages are no answers
    # The export agrees for the users who saw a failure (or the first user when nobody did).
    for sender in [s for s, f in failures.items() if f][:2] or [users[0].sender]:
        export = cluster_export(cluster, sender)
        assert sum(1 for d in export["self_assessment"].values() for f in d["factors"].values()
                   if f["rating"]) == RATINGS
    failed = sum(len(f) for f in failures.values())
    print(f"\nfailover: {USERS} users, {messages} messages, {failed} failed requests "
          f"({sum(1 for f in failures.values() if f)} users), "
          + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))


def cluster_export(cluster: Cluster, sender: str) -> dict:
    import json
    import subprocess
    result = subprocess.run([sys.executable, "-m", "bot", "export", "--user", sender], cwd=PROJECT,
                            env=cluster.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
