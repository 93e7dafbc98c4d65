"""Several processes starting on one fresh database: the migration runs once (three `python -m bot migrate`
at the same moment, on SQLite and PostgreSQL), the servers then start side by side, and a server never
changes a schema it does not know: on an unmigrated database it refuses to start and says why."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

from sqlalchemy import create_engine, inspect, text

from tests.helpers.servers import PROJECT, free_port


def environment(url: str) -> dict:
    return {**os.environ, "COMMON_GROUND_DATABASE_URL": url, "PYTHONWARNINGS": "ignore",
            "COMMON_GROUND_SECRET": "startup-test-" + "s" * 32, "TF_CPP_MIN_LOG_LEVEL": "3"}


def test_three_migrations_at_once_then_three_servers_side_by_side(empty_url, tmp_path):
    env = environment(empty_url)
    migrations = [subprocess.Popen([sys.executable, "-m", "bot", "migrate"], cwd=PROJECT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [p.communicate(timeout=180) for p in migrations]
    assert [p.returncode for p in migrations] == [0, 0, 0], "\n".join(err[-600:] for _, err in outcomes)
    engine = create_engine(empty_url, future=True)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert "participants" in inspect(connection).get_table_names()
    engine.dispose()

    ports = [free_port() for _ in range(3)]
    servers = [subprocess.Popen([sys.executable, "-m", "actions", "--port", str(port)], cwd=PROJECT, env=env,
                                stdout=open(tmp_path / f"actions-{port}.log", "w"), stderr=subprocess.STDOUT)
               for port in ports]
    try:
        deadline, up = time.monotonic() + 180, set()
        while time.monotonic() < deadline and len(up) < 3:
            for port, process in zip(ports, servers):
                assert process.poll() is None, (tmp_path / f"actions-{port}.log").read_text()[-2000:]
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                        up.add(port)
                except OSError:
                    pass
            time.sleep(0.5)
        assert len(up) == 3
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            process.wait(timeout=30)


def test_a_server_on_an_unmigrated_database_refuses_to_start(empty_url):
    done = subprocess.run([sys.executable, "-m", "actions", "--port", str(free_port())], cwd=PROJECT,
                          env=environment(empty_url), capture_output=True, text=True, timeout=180)
    assert done.returncode != 0
    assert "python -m bot migrate" in done.stderr and "Traceback" not in done.stderr
    engine = create_engine(empty_url, future=True)
    with engine.connect() as connection:
        assert "participants" not in inspect(connection).get_table_names()   # it changed nothing
    engine.dispose()
