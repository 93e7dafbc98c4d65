"""The action server (`python -m actions`) tried as a stranger would, against the real process.

Each test starts its own server on a free port with its own secret and SQLite file. The figures
(time to refuse, memory under the deflate bomb) are printed; `pytest -s` shows them.
"""
from __future__ import annotations

import http.client
import ipaddress
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from pathlib import Path
from typing import Iterable, Optional

import pytest

from tests.helpers.servers import PROJECT, free_port

LIMIT = 16 * 1024 * 1024      # actions.server.MAX_BODY_BYTES, restated: the test pins the figure


def outward_address() -> Optional[str]:
    """A non-loopback IPv4 address of this machine. Connecting a UDP socket sends nothing; it only
    asks the kernel which local address would be used to reach the target."""
    for target in ("192.0.2.1", "10.255.255.255", "198.51.100.1"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect((target, 9))
                address = probe.getsockname()[0]
        except OSError:
            continue
        if not ipaddress.ip_address(address).is_loopback and address != "0.0.0.0":
            return address
    try:
        found = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        return None
    return next((a for a in sorted(found) if not ipaddress.ip_address(a).is_loopback), None)


def peak_rss_kb(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process in KB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


class ActionServer:
    def __init__(self, workdir: Path, host: Optional[str] = None) -> None:
        self.workdir, self.port = workdir, free_port()
        self.env = {**os.environ, "COMMON_GROUND_SECRET": "test-secret-" + os.urandom(24).hex(),
                    "COMMON_GROUND_DATABASE_URL": f"sqlite:///{workdir / 'actions.db'}",
                    "COMMON_GROUND_REPORTS_DIR": str(workdir / "reports"), "PYTHONWARNINGS": "ignore"}
        self.env.pop("COMMON_GROUND_ACTIONS_HOST", None)
        if host:
            self.env["COMMON_GROUND_ACTIONS_HOST"] = host
        self.token = subprocess.run([sys.executable, "-m", "actions", "token"], cwd=PROJECT, env=self.env,
                                    capture_output=True, text=True, check=True).stdout.strip()
        subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=PROJECT, env=self.env, capture_output=True,
                       check=True)      # the action server refuses a database that is not migrated
        self.log = workdir / "actions.log"
        self.process = subprocess.Popen([sys.executable, "-m", "actions", "--port", str(self.port)], cwd=PROJECT,
                                        env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        self.stop()
        pytest.fail("the action server did not start; its log ends with:\n" + self.log.read_text()[-3000:])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def request(self, method: str, path: str, body: bytes = b"", headers: Optional[dict] = None,
                host: str = "127.0.0.1") -> tuple[int, bytes, float]:
        return send(host, self.port, method, path, [body], {"Content-Length": str(len(body)), **(headers or {})})

    def auth(self, **more: str) -> dict:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", **more}


def send(host: str, port: int, method: str, path: str, chunks: Iterable[bytes],
         headers: dict) -> tuple[int, bytes, float]:
    """A raw HTTP/1.1 request whose body is sent from another thread while the reply is awaited, so a
    server that answers before reading the whole body (401, 413) is heard: (status, body, seconds)."""
    sock = socket.create_connection((host, port), timeout=30)
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    started = time.monotonic()
    sock.sendall(head.encode())

    def pump() -> None:
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except OSError:
            pass   # the server answered and closed before taking it all: that is the point

    sender = threading.Thread(target=pump, daemon=True)
    sender.start()
    try:
        reply = http.client.HTTPResponse(sock)
        reply.begin()
        seconds = time.monotonic() - started
        return reply.status, reply.read(), seconds
    finally:
        sock.close()
        sender.join(timeout=5)


def made_up_call(text: str, sender: str = "slack:T0SCHOOL:U0ANA", action: str = "action_team",
                 address: Optional[str] = None) -> dict:
    """An action call as a stranger would write it: someone else's sender id and any text."""
    metadata = {"address": address} if address else {}
    return {"next_action": action, "sender_id": sender, "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": sender, "slots": {}, "events": [], "paused": False, "followup_action": None,
                        "active_loop": {}, "latest_action_name": "action_listen",
                        "latest_message": {"text": text, "intent": {"name": "join_team", "confidence": 1.0},
                                           "entities": [], "metadata": metadata}}}


@pytest.fixture
def open_server(tmp_path):
    """A server told to listen on every interface, as a split deployment would."""
    server = ActionServer(tmp_path, host="0.0.0.0")
    yield server
    server.stop()


@pytest.fixture
def local_server(tmp_path):
    server = ActionServer(tmp_path)
    yield server
    server.stop()


def test_by_default_the_server_cannot_be_reached_from_another_address(local_server):
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to try from")
    assert local_server.request("GET", "/health")[0] == 200
    with pytest.raises(OSError):
        socket.create_connection((address, local_server.port), timeout=3).close()


def test_an_open_server_refuses_calls_without_the_shared_secret(open_server):
    host = outward_address() or "127.0.0.1"
    body = json.dumps(made_up_call("which teams am I in?")).encode()
    assert open_server.request("GET", "/health", host=host)[0] == 200
    wrong = "0" * len(open_server.token)
    for headers in ({}, {"Authorization": f"Bearer {wrong}"}, {"Authorization": f"Basic {open_server.token}"},
                    {"Authorization": open_server.token}, {"Authorization": "Bearer "}):
        for method, path, payload in (("POST", "/webhook", body), ("GET", "/actions", b"")):
            status, reply, _ = open_server.request(method, path, payload, headers, host=host)
            assert (status, reply) == (401, b""), (headers, path)

    status, reply, _ = open_server.request("POST", "/webhook", body, open_server.auth(), host=host)
    assert status == 200 and "responses" in json.loads(reply)
    status, reply, _ = open_server.request("GET", "/actions", b"", open_server.auth(), host=host)
    assert status == 200 and {"name": "action_team"} in json.loads(reply)

    # A refusal comes before the body is read: a 10 MB body is refused as fast as an empty one.
    times = [open_server.request("POST", "/webhook", b"", {}, host=host)[2] for _ in range(20)]
    status, _, big = send(host, open_server.port, "POST", "/webhook", (bytes(1 << 20) for _ in range(10)),
                          {"Content-Length": str(10 << 20)})
    print(f"\nrefused calls: median {sorted(times)[10] * 1000:.1f} ms empty, {big * 1000:.1f} ms with a 10 MB body")
    assert status == 401 and big < 0.5


def test_a_deflate_bomb_is_refused_quickly_and_memory_stays_bounded(local_server):
    packer = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    bomb = b"".join([packer.compress(zeros) for _ in range(1024)] + [packer.flush()])   # 1 GB of zeros, ~1 MB
    local_server.request("POST", "/webhook", json.dumps(made_up_call("hi")).encode(), local_server.auth())
    before = peak_rss_kb(local_server.process.pid)

    status, reply, _ = local_server.request("POST", "/webhook", bomb, {"Content-Encoding": "deflate"})
    assert (status, reply) == (401, b"")   # a stranger's bomb is never even inflated
    status, reply, seconds = local_server.request("POST", "/webhook", bomb, local_server.auth(
        **{"Content-Encoding": "deflate"}))
    after = peak_rss_kb(local_server.process.pid)
    print(f"\ndeflate bomb ({len(bomb)} bytes, 1 GiB inflated): {status} in {seconds * 1000:.0f} ms; peak RSS "
          f"{before[1] // 1024} MB -> {after[1] // 1024} MB (now {after[0] // 1024} MB)")
    assert status == 413 and seconds < 2
    assert after[1] - before[1] < 64 * 1024, "inflating went past the cap"

    # Within the cap, a compressed call works as Rasa sends it (COMPRESS_ACTION_SERVER_REQUEST=true).
    packed = zlib.compress(json.dumps(made_up_call("which teams am I in?")).encode())
    status, reply, _ = local_server.request("POST", "/webhook", packed, local_server.auth(
        **{"Content-Encoding": "deflate"}))
    assert status == 200 and "responses" in json.loads(reply)
    assert local_server.request("POST", "/webhook", b"not deflate", local_server.auth(
        **{"Content-Encoding": "deflate"}))[0] == 400


def test_oversized_bodies_get_413(local_server):
    chunk = bytes(1 << 20)
    status, _, seconds = send("127.0.0.1", local_server.port, "POST", "/webhook", (chunk for _ in range(17)),
                              {**local_server.auth(), "Content-Length": str(17 << 20)})
    assert status == 413 and seconds < 1
    # Without a declared length (chunked), the server counts as it reads and stops past the cap.
    pieces = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(17))
    status, _, _ = send("127.0.0.1", local_server.port, "POST", "/webhook", pieces,
                        {**local_server.auth(), "Transfer-Encoding": "chunked"})
    assert status == 413
    # A negative length would leave Sanic waiting for a body that never comes.
    status, _, seconds = send("127.0.0.1", local_server.port, "POST", "/webhook", [],
                              {**local_server.auth(), "Content-Length": "-5"})
    assert status == 400 and seconds < 1
    assert local_server.request("GET", "/health")[0] == 200


def test_error_replies_and_logs_never_carry_what_was_posted(local_server):
    marker = "PRIVATE-" + os.urandom(6).hex()
    broken = made_up_call(f"join team {marker}")
    broken["tracker"]["latest_message"] = marker                 # makes the action fail inside
    cases = [
        json.dumps(broken).encode(),                             # the action raises: 500
        json.dumps({**made_up_call(marker), "next_action": marker}).encode(),   # no such action: 404
        f'{{"next_action": "{marker}", "tracker": '.encode(),   # not JSON: 400
        json.dumps([marker]).encode(),                           # not an action call: 400
    ]
    statuses = []
    for body in cases:
        status, reply, _ = local_server.request("POST", "/webhook", body, local_server.auth())
        statuses.append(status)
        assert marker.encode() not in reply and len(reply) < 200
    assert statuses == [500, 404, 400, 400]
    time.sleep(0.5)
    log = local_server.log.read_text()
    assert "action action_team failed: AttributeError" in log
    assert marker not in log

