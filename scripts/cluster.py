"""Several servers behind HAProxy on one machine: the topology of a real deployment, small enough to test.

    HAProxy :5005 (public) ──> Rasa server 1, Rasa server 2      (REST, HTTP API, web page; socket.io sticky)
    HAProxy :5055 (actions) ─> action server 1, action server 2  (the Rasa servers call their actions here)
    all of them ──> PostgreSQL (COMMON_GROUND_DATABASE_URL)      Rasa's locks ──> Redis (COMMON_GROUND_REDIS_URL)

`make serve-cluster` (or `.venv/bin/python scripts/cluster.py`) migrates the database once, writes
var/cluster/haproxy.cfg and var/cluster/endpoints.yml, starts everything, waits until HAProxy sees
every server up, prints the addresses and stops everything on Ctrl-C. The failover test and
`make soak` start the same cluster through the `Cluster` class, on free ports.

Failover: HAProxy checks each server every second (two failed checks: out; one good one: back).
A request that could not reach a server (refused connection) goes to the other one. An action call
whose server dies before answering is sent again to the other action server (an action call is one
transaction, and an answer carries the client's message id, so a repeat is not applied twice). A
REST message whose Rasa server dies mid-turn is not repeated by HAProxy: the client gets a 502 and
sends the message again with the same "message_id". The conversation lock the dead server held
expires after TICKET_LOCK_LIFETIME seconds (20 here; Rasa's default is 60), so the retry waits at
most that long.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODEL = PROJECT / "models" / "common-ground.tar.gz"
HAPROXY = os.environ.get("HAPROXY", shutil.which("haproxy") or "/usr/sbin/haproxy")
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/1"
LOCK_SECONDS = "20"   # a conversation lock held by a server that died is free again after this long

HAPROXY_CFG = """\
# Written by scripts/cluster.py; edits are overwritten at the next start.
global
    maxconn 1000
    log stdout format raw local0
    # L7 retries copy the request into one buffer: big enough for an action call's tracker
    tune.bufsize 262144

defaults
    mode http
    log global
    option httplog
    option http-keep-alive
    timeout connect 500ms        # a stopped server refuses at once; a hung one is left quickly
    timeout client 5m
    timeout server 3m
    timeout http-request 30s
    timeout tunnel 1h            # the web page's websocket
    timeout check 2s
    retries 3
    option redispatch 1          # every retry may go to the other server
    default-server check inter 1s fall 2 rise 1

frontend public
    bind {host}:{public_port}
    acl socketio path_beg /socket.io/
    use_backend rasa_socketio if socketio
    default_backend rasa

# REST, the HTTP API, Slack, Teams and the web page. A POST whose server died mid-turn is not
# repeated here (the client repeats it with its message_id); reads are.
backend rasa
    balance leastconn
    option httpchk GET /webhooks/rest/
    http-check expect status 200
    retry-on conn-failure empty-response response-timeout
    http-request disable-l7-retry if !METH_GET !METH_HEAD
{rasa_servers}

# socket.io's polling transport sends one session's requests separately: they must reach the same server.
backend rasa_socketio
    balance leastconn
    cookie cg_server insert indirect nocache httponly
    option httpchk GET /webhooks/rest/
    http-check expect status 200
{rasa_sticky_servers}

frontend actions
    bind {host}:{actions_port}
    default_backend actions

# An action call whose server closed without answering goes to the other server (not on a timeout:
# a slow call may still be running, and would run twice).
backend actions
    balance leastconn
    option httpchk GET /health
    http-check expect status 200
    # the whole call in hand before a server is chosen: only a request held whole can be sent again
    option http-buffer-request
    retry-on conn-failure empty-response
{action_servers}
"""

ENDPOINTS = """\
# Written by scripts/cluster.py: the actions through HAProxy, the stores as in endpoints.yml.
action_endpoint:
  url: "http://{host}:{actions_port}/webhook"
  headers:
    Authorization: Bearer ${{COMMON_GROUND_ACTIONS_TOKEN}}
tracker_store:
  type: bot.rasa_plugins.tracker_store.CommonGroundTrackerStore
lock_store:
  type: bot.rasa_plugins.lock_store.CommonGroundLockStore
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


class ClusterError(RuntimeError):
    """Something the cluster needs is missing, or a server did not come up (the message says which)."""


@dataclass
class Ports:
    public: int = 5005
    actions: int = 5055
    rasa: list[int] = field(default_factory=lambda: [5011, 5012])
    action_servers: list[int] = field(default_factory=lambda: [5061, 5062])

    @classmethod
    def free(cls, servers: int = 2) -> "Ports":
        return cls(free_port(), free_port(), [free_port() for _ in range(servers)],
                   [free_port() for _ in range(servers)])


class Cluster:
    """HAProxy, the Rasa servers and the action servers of one cluster; `names` are rasa1, rasa2, actions1, ..."""

    def __init__(self, workdir: Path, database_url: str, redis_url: str, secret: str, ports: Optional[Ports] = None,
                 env: Optional[dict] = None, host: str = "127.0.0.1", say: Callable[[str], None] = print) -> None:
        self.workdir, self.ports, self.host, self.say = Path(workdir), ports or Ports(), host, say
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.secret = secret
        self.public_url = f"http://{host}:{self.ports.public}"
        from bot.identity.secret import key_for
        self.env = {**os.environ, "COMMON_GROUND_DATABASE_URL": database_url, "COMMON_GROUND_REDIS_URL": redis_url,
                    "COMMON_GROUND_SECRET": secret, "COMMON_GROUND_ACTIONS_TOKEN": key_for("actions", secret),
                    "COMMON_GROUND_PUBLIC_URL": self.public_url,
                    "COMMON_GROUND_REPORTS_DIR": str(self.workdir / "reports"),
                    "TICKET_LOCK_LIFETIME": os.environ.get("TICKET_LOCK_LIFETIME", LOCK_SECONDS),
                    # gzipped action calls: smaller, and one fits HAProxy's buffer, so a call can be repeated
                    "COMPRESS_ACTION_SERVER_REQUEST": "true",
                    "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore",
                    "SQLALCHEMY_SILENCE_UBER_WARNING": "1", **(env or {})}
        self.api_token = key_for("api", secret)
        self.processes: dict[str, subprocess.Popen] = {}
        self.starts: dict[str, int] = {}

    # --- configuration ---------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return ([f"rasa{i + 1}" for i in range(len(self.ports.rasa))] +
                [f"actions{i + 1}" for i in range(len(self.ports.action_servers))])

    def port(self, name: str) -> int:
        index = int(name[-1]) - 1
        return self.ports.rasa[index] if name.startswith("rasa") else self.ports.action_servers[index]

    def write_config(self) -> None:
        rasa = [f"    server rasa{i + 1} {self.host}:{p}" for i, p in enumerate(self.ports.rasa)]
        sticky = [f"{line} cookie r{i + 1}" for i, line in enumerate(rasa)]
        actions = [f"    server actions{i + 1} {self.host}:{p}" for i, p in enumerate(self.ports.action_servers)]
        (self.workdir / "haproxy.cfg").write_text(HAPROXY_CFG.format(
            host=self.host, public_port=self.ports.public, actions_port=self.ports.actions,
            rasa_servers="\n".join(rasa), rasa_sticky_servers="\n".join(sticky), action_servers="\n".join(actions)))
        (self.workdir / "endpoints.yml").write_text(ENDPOINTS.format(host=self.host, actions_port=self.ports.actions))

    # --- starting and stopping -------------------------------------------------------------------
    def migrate(self) -> None:
        done = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=PROJECT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise ClusterError(f"`python -m bot migrate` failed:\n{done.stderr[-2000:]}")

    def start(self, timeout: float = 300) -> None:
        """Migrates once, then starts the action servers, HAProxy and the Rasa servers, and waits for all."""
        if not Path(HAPROXY).exists():
            raise ClusterError(f"needs HAProxy at {HAPROXY}: `make haproxy` installs Debian's package")
        if not MODEL.exists():
            raise ClusterError(f"no trained model at {MODEL}: run `make train`")
        self.write_config()
        self.migrate()
        check = subprocess.run([HAPROXY, "-c", "-q", "-f", str(self.workdir / "haproxy.cfg")], capture_output=True,
                               text=True)
        if check.returncode != 0:
            raise ClusterError(f"haproxy refused its configuration:\n{check.stdout}{check.stderr}")
        for name in self.names:
            if name.startswith("actions"):
                self.start_server(name, wait=False)
        self._spawn("haproxy", [HAPROXY, "-db", "-f", str(self.workdir / "haproxy.cfg")])
        for name in self.names:
            if name.startswith("rasa"):
                self.start_server(name, wait=False)
        self.wait(self.names, timeout)

    def start_server(self, name: str, wait: bool = True, timeout: float = 300) -> None:
        port = str(self.port(name))
        if name.startswith("actions"):
            command = [sys.executable, "-m", "actions", "--port", port, "--host", self.host]
        else:
            command = [str(BIN / "rasa"), "run", "--model", str(MODEL), "--endpoints", str(self.workdir / "endpoints.yml"),
                       "--credentials", str(PROJECT / "credentials.yml"), "--port", port, "--interface", self.host,
                       "--enable-api", "--auth-token", self.api_token, "--cors", self.public_url]
        self._spawn(name, command)
        if wait:
            self.wait([name], timeout)

    def _spawn(self, name: str, command: list[str]) -> None:
        self.starts[name] = self.starts.get(name, 0) + 1
        log = open(self.log_path(name), "w")
        self.processes[name] = subprocess.Popen(command, cwd=PROJECT, env=self.env, stdout=log,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def log_path(self, name: str) -> Path:
        return self.workdir / f"{name}-{self.starts.get(name, 1)}.log"

    def health_url(self, name: str) -> str:
        path = "/health" if name.startswith("actions") else "/webhooks/rest/"
        return f"http://{self.host}:{self.port(name)}{path}"

    def wait(self, names: list[str], timeout: float = 300) -> None:
        """Until each server answers its health check and HAProxy answers on both frontends."""
        deadline = time.monotonic() + timeout
        waiting = list(names)
        while waiting and time.monotonic() < deadline:
            for name in list(waiting):
                process = self.processes.get(name)
                if process is not None and process.poll() is not None:
                    raise ClusterError(f"{name} stopped while starting; its log ends with:\n{self._tail(name)}")
                if answers(self.health_url(name)):
                    waiting.remove(name)
            haproxy = self.processes.get("haproxy")
            if haproxy is not None and haproxy.poll() is not None:
                raise ClusterError(f"haproxy stopped; its log ends with:\n{self._tail('haproxy')}")
            if waiting:
                time.sleep(0.5)
        if waiting:
            raise ClusterError(f"{', '.join(waiting)} did not come up in {timeout:.0f} s; "
                               f"{waiting[0]}'s log ends with:\n{self._tail(waiting[0])}")
        time.sleep(1.5)   # HAProxy's next check (every second) puts a server that came back into rotation

    def _tail(self, name: str) -> str:
        try:
            return self.log_path(name).read_text(errors="replace")[-3000:]
        except OSError:
            return "(no log)"

    def kill(self, name: str) -> None:
        """SIGKILL: the server stops at once, mid-request, as in a crash."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def pid(self, name: str) -> Optional[int]:
        process = self.processes.get(name)
        return process.pid if process is not None and process.poll() is None else None

    def stop(self) -> None:
        for name in [n for n in self.processes if n != "haproxy"] + ["haproxy"]:
            process = self.processes.get(name)
            if process is not None and process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.processes = {}

    # --- talking to it -----------------------------------------------------------------------------
    def token(self, sender: str, days: float = 1) -> str:
        from bot.identity.tokens import rest_token
        return rest_token(sender, days, secret=self.secret)

    def urls(self) -> str:
        return "\n".join([
            f"Web page:  {self.public_url}/webhooks/web/",
            f"REST:      POST {self.public_url}/webhooks/rest/webhook "
            '{"message": "...", "message_id": "<unique; the same when retrying>"}',
            "           with \"Authorization: Bearer $(.venv/bin/python -m bot token --user ID)\"",
            f"Actions:   http://{self.host}:{self.ports.actions}/webhook (HAProxy) -> " +
            ", ".join(f":{p}" for p in self.ports.action_servers),
            "Rasa:      " + ", ".join(f":{p}" for p in self.ports.rasa) + f" behind :{self.ports.public}",
            f"Logs and configuration: {self.workdir}",
        ])


def main() -> int:
    parser = argparse.ArgumentParser(description="HAProxy in front of two Rasa servers and two action servers.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT", "5005")),
                        help="the public port (HAProxy; default 5005)")
    parser.add_argument("--actions-port", type=int, default=5055, help="HAProxy's port for the action servers")
    parser.add_argument("--workdir", default=str(PROJECT / "var" / "cluster"))
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    from bot.identity.secret import server_secret
    database = os.environ.get("COMMON_GROUND_DATABASE_URL", DEFAULT_DATABASE)
    redis = os.environ.get("COMMON_GROUND_REDIS_URL", DEFAULT_REDIS)
    ports = Ports(args.port, args.actions_port)
    cluster = Cluster(Path(args.workdir), database, redis, server_secret(), ports)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    print(f"Starting HAProxy, 2 Rasa servers and 2 action servers on {database.split('@')[-1]} with Redis locks "
          "(the Rasa servers take about 30 seconds to load the model) ...", flush=True)
    try:
        cluster.start()
        print(cluster.urls(), "\nCtrl-C stops everything.", flush=True)
        while True:
            for name, process in list(cluster.processes.items()):
                if process.poll() is not None:
                    print(f"{name} stopped (exit {process.returncode}); see {cluster.log_path(name)}. "
                          "HAProxy sends its work to the others.", flush=True)
                    cluster.processes.pop(name)
            time.sleep(1)
    except ClusterError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT))
    sys.exit(main())
