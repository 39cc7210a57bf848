"""Faults at small scale (the large runs are in bench/): the server is killed with -9
while phones are submitting, Redis restarts under a room, PostgreSQL is unreachable for a
while, and nothing acknowledged is lost.
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.liveserver import (
    UVICORN_OPTIONS,
    LiveServer,
    create_workshop,
    free_port,
    join,
    programs_folder,
    two_processes,
)
from tests.phoneclient import Phone, run_async, wait_until
from tests.roomkit import CLOUD_PROGRAM
from tests.tcpproxy import CuttableProxy

pytestmark = [pytest.mark.server, pytest.mark.timeout(120)]

PROGRAM = """
title = "Feiltest"
[[exercises]]
id = "gruppe"
title = "Gruppearbeid"
[[exercises.phases]]
kind = "G"
minutes = 15
[exercises.comments]
max_per_person = 100
"""

PHONES = 30


@pytest.fixture
def programs(tmp_path: Path) -> Path:
    return programs_folder(tmp_path, {"feil.toml": PROGRAM})


def open_workshop(server: LiveServer, names: list[str]) -> tuple[str, str, list[str]]:
    """A workshop and the cookies of phones joined by these names."""
    code, key = create_workshop(server, "feil.toml")
    return code, key, [f"samling_{code}={join(server, code, name)}" for name in names]


async def started_room(server: LiveServer, count: int) -> tuple[str, str, Phone, list[Phone]]:
    """A workshop with ``count`` phones and the facilitator connected, the day started."""
    code, key, cookies = open_workshop(server, [f"P{i}" for i in range(count)])
    ws_url = server.url.replace("http", "ws") + "/ws"
    facilitator = Phone(ws_url, code, None, role="facilitator", key=key)
    phones = [Phone(ws_url, code, cookie) for cookie in cookies]
    for client in (facilitator, *phones):
        client.start()
    await wait_until(lambda: all(p.seq is not None for p in (facilitator, *phones)), 15)
    await facilitator.send({"type": "start"})
    return code, key, facilitator, phones


async def _kill_9_mid_phase_loses_no_acknowledged_submission(tmp_path: Path, programs: Path) -> None:
    with LiveServer(tmp_path, programs, messages_per_second="20", message_burst="40") as server:
        code, key, facilitator, phones = await started_room(server, PHONES)
        await wait_until(lambda: not facilitator.unacked, 10)
        deadline = facilitator.state["position"]["timer"]["ends_at"]

        async def submit(phone: Phone, index: int, rounds: int, label: str) -> None:
            for n in range(rounds):
                await phone.send(
                    {"type": "comment_add", "exercise": "gruppe", "text": f"{label} {index}-{n}"}
                )
                await asyncio.sleep(0.1)

        # Phones submit; the server is killed in the middle of it, and comes back.
        writers = asyncio.gather(*(submit(p, i, 20, "a") for i, p in enumerate(phones)))
        await asyncio.sleep(0.7)
        server.kill()
        await asyncio.sleep(1.0)
        server.start()
        restarted = time.monotonic()
        await writers

        # Every phone reconnected by itself within 5 s of the restart.
        await wait_until(lambda: all(p.welcomed_at[-1] > restarted for p in phones), 10)
        resumed = [p.welcomed_at[-1] - restarted for p in phones if p.welcomed_at[-1] > restarted]
        assert max(resumed) <= 5.0, max(resumed)
        # Every submission is acknowledged in the end (resent with its id until it is).
        await wait_until(lambda: all(not p.unacked for p in phones), 30)
        assert all(not p.refused for p in phones), [p.refused for p in phones if p.refused]

        # Exactly once: each text once in the room, and the deadline kept running.
        results = httpx.get(f"{server.url}/f/{code}/{key}/results.json").json()
        texts = Counter(c["text"] for c in results["exercises"][0]["comments"]["comments"])
        expected = {f"a {i}-{n}" for i in range(PHONES) for n in range(20)}
        assert set(texts) == expected
        assert max(texts.values()) == 1
        assert phones[0].state["position"]["timer"]["ends_at"] == deadline
        await asyncio.gather(*(p.stop() for p in (facilitator, *phones)))


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A Redis server of this test's own, so the test can restart it."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=tmp_path)
    time.sleep(0.3)
    yield f"redis://127.0.0.1:{port}/0", command
    process.kill()
    process.wait()


async def _a_redis_restart_under_a_room_loses_nothing(
    tmp_path: Path, programs: Path, postgres_url: str, own_redis: tuple[str, list[str]]
) -> None:
    redis_url, redis_command = own_redis
    with two_processes(tmp_path, programs, database_url=postgres_url, bus_url=redis_url) as (a, b):
        code, key, cookies = open_workshop(a, ["Kari", "Ola"])
        facilitator = Phone(a.url.replace("http", "ws") + "/ws", code, None, role="facilitator", key=key)
        phone = Phone(b.url.replace("http", "ws") + "/ws", code, cookies[0])
        for client in (facilitator, phone):
            client.start()
        await wait_until(lambda: facilitator.seq is not None and phone.seq is not None, 10)

        # Redis goes away: server A keeps taking actions (they are stored), and server B's
        # phone gets them once the bus is back and B has caught up from the database.
        subprocess.run(["redis-cli", "-u", redis_url, "shutdown", "nosave"], check=False, capture_output=True)
        await facilitator.send({"type": "start"})
        await facilitator.send({"type": "pause"})
        await wait_until(lambda: not facilitator.unacked, 10)
        restarted = subprocess.Popen(redis_command, stdout=subprocess.DEVNULL, cwd=tmp_path)
        try:
            await wait_until(lambda: phone.seq == facilitator.seq, 20)
            assert phone.state["position"]["timer"]["status"] == "paused"
            # And the bus works again: a new action reaches B at once.
            await facilitator.send({"type": "resume"})
            await wait_until(lambda: phone.state["position"]["timer"]["status"] == "running", 5)
        finally:
            await asyncio.gather(facilitator.stop(), phone.stop())
            restarted.kill()
            restarted.wait()


def test_kill_9_mid_phase_loses_no_acknowledged_submission(tmp_path: Path, programs: Path) -> None:
    run_async(_kill_9_mid_phase_loses_no_acknowledged_submission(tmp_path, programs))


def test_a_redis_restart_under_a_room_loses_nothing(
    tmp_path: Path, programs: Path, postgres_url: str, own_redis: tuple[str, list[str]]
) -> None:
    run_async(_a_redis_restart_under_a_room_loses_nothing(tmp_path, programs, postgres_url, own_redis))


async def _postgresql_briefly_unreachable(
    tmp_path: Path, programs: Path, database_url: str, proxy: CuttableProxy
) -> None:
    with LiveServer(tmp_path, programs, database_url=database_url) as server:
        code, key, facilitator, phones = await started_room(server, 6)

        async def comment(phone: Phone, text: str) -> None:
            await phone.send({"type": "comment_add", "exercise": "gruppe", "text": text})

        for i, phone in enumerate(phones):
            await comment(phone, f"før {i}")
        await wait_until(lambda: all(not p.unacked for p in (facilitator, *phones)), 10)
        assert server.process is not None
        pid = server.process.pid

        # The database goes away. Phones keep sending; each is told why it is not saved yet.
        proxy.cut()
        for i, phone in enumerate(phones):
            await comment(phone, f"under {i}")
        await wait_until(lambda: all(p.transient["storage_unavailable"] for p in phones), 15)
        assert all(p.unacked for p in phones), "nothing is acknowledged that is not stored"
        async with httpx.AsyncClient(base_url=server.url) as http:
            newcomer = await http.post("/join", data={"code": code, "name": "Sen"})
        assert newcomer.status_code == 503
        assert "Kunne ikke lagre" in newcomer.text
        await asyncio.sleep(2.0)
        assert server.process.poll() is None, "the server did not crash"
        assert proxy.refused > 0, "the server really tried the database while it was away"

        # It comes back: what the phones kept goes through, with no restart of the server.
        proxy.mend()
        await wait_until(lambda: all(not p.unacked for p in phones), 20)
        assert all(not p.refused for p in phones), [p.refused for p in phones]
        assert server.process.poll() is None and server.process.pid == pid
        async with httpx.AsyncClient(base_url=server.url) as http:
            results = (await http.get(f"/f/{code}/{key}/results.json")).json()
        texts = Counter(c["text"] for c in results["exercises"][0]["comments"]["comments"])
        expected = {f"{when} {i}" for when in ("før", "under") for i in range(len(phones))}
        assert set(texts) == expected
        assert max(texts.values()) == 1, "each once, though sent several times"
        # And the room goes on as before.
        await facilitator.send({"type": "pause"})
        await wait_until(lambda: all(p.state["position"]["timer"]["status"] == "paused" for p in phones), 10)
        await asyncio.gather(*(p.stop() for p in (facilitator, *phones)))


def test_postgresql_briefly_unreachable_loses_nothing_and_needs_no_restart(
    tmp_path: Path, programs: Path, postgres_behind_proxy: tuple[str, CuttableProxy]
) -> None:
    database_url, proxy = postgres_behind_proxy
    run_async(_postgresql_briefly_unreachable(tmp_path, programs, database_url, proxy))


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's exit is reaped by whoever adopted it, maybe never)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_server_killed_with_9_leaves_no_drawing_process_behind(tmp_path: Path) -> None:
    """The word cloud is drawn in a process of its own; when the server dies without a word
    (kill -9, the laptop's out-of-memory killer), that process and its helpers go too,
    instead of waiting for ever for a parent that is gone, holding their memory."""
    server = LiveServer(tmp_path, programs_folder(tmp_path, {"ordsky.toml": CLOUD_PROGRAM}))
    server.start()
    assert server.process is not None
    helpers: list[int] = []
    try:
        code, key = create_workshop(server, "ordsky.toml")
        picture = httpx.get(f"{server.url}/f/{code}/{key}/wordcloud/ordsky.png", timeout=60)
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
        helpers = _children(server.process.pid)
        assert helpers, "the picture was drawn in a process of its own"
        server.process.kill()
        server.process.wait(10)
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in helpers if _running(pid)] == []
    finally:
        server.stop()
        for pid in helpers:  # what a failing run left behind
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


KNOCKING = 3000  # phones knocking at once on a restarted server, more than uvicorn's default 2048


def test_a_busy_server_holds_every_phone_that_knocks_at_once(tmp_path: Path, programs: Path) -> None:
    """After a restart the whole room knocks within a second or two while the server is
    busy loading the room and letting the first phones in. The kernel holds the
    connections it has not taken yet in the listening socket's queue; one that does not
    fit is dropped, and the phone's system tries again only after a second, then three
    (TCP's retransmission), a phone late for nothing. Here the server is stopped
    (SIGSTOP) while 3,000 connect: all of them must be established at once."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < KNOCKING + 200 or int(Path("/proc/sys/net/core/somaxconn").read_text()) < KNOCKING:
        pytest.skip("needs 3,000 descriptors and net.core.somaxconn of 3,000 or more")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    async def knock(port: int) -> int:
        loop = asyncio.get_running_loop()
        sockets = [socket.socket() for _ in range(KNOCKING)]

        async def one(sock: socket.socket) -> bool:
            sock.setblocking(False)
            try:
                await asyncio.wait_for(loop.sock_connect(sock, ("127.0.0.1", port)), 3)
            except (OSError, TimeoutError):
                return False
            return True

        try:
            return sum(await asyncio.gather(*(one(sock) for sock in sockets)))
        finally:
            for sock in sockets:
                sock.close()

    try:
        with LiveServer(tmp_path, programs) as server:
            assert server.process is not None
            server.process.send_signal(signal.SIGSTOP)
            try:
                held = run_async(knock(server.port))
            finally:
                server.process.send_signal(signal.SIGCONT)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert held == KNOCKING, f"{KNOCKING - held} of {KNOCKING} connections waited for a retransmission"
    # bin/run and the Dockerfile give the same backlog (tests/test_launchers.py).
    backlog = UVICORN_OPTIONS[UVICORN_OPTIONS.index("--backlog") + 1]
    assert int(backlog) >= KNOCKING
