"""The word cloud under a burst, and the cost of drawing it; with --kill, the server
killed in the middle of the burst and back.

    .venv/bin/python bench/cloud_burst.py --phones 500      # also --phones 2000
    .venv/bin/python bench/cloud_burst.py --phones 5000 --kill --wait 120

1. Render: draws a cloud of 200 distinct words at 1920×1080 several times, as the server
   does (in a worker process), and prints p50/max in ms.
2. Burst: starts a real server with its default settings, joins N phones, connects them
   from several load-generator processes, and at one common moment has each phone send 3
   words at random times within 10 s. Counts sent = acknowledged = stored = counted (all
   must match, lost must be 0), and measures for every word the time until the
   projector's board showed it, and after the last word the time until the projector
   showed the final board and had loaded the final picture. Also prints the CPU seconds
   the server and the generators spent during the burst.
3. ``--kill``: half-way through the window the server gets SIGKILL and is started again
   at once (or after ``--down`` seconds) on the same port and database, while the phones
   go on as the browser does (reconnect with the browser's backoff, hello with their
   ``last_seq``, resend what was not acknowledged). Prints the moment the restarted
   server accepts connections (``accepting_after_kill_s``, probed every 5 ms); for each
   phone the time from then until it is back: welcomed again (its snapshot or missed
   events come with the welcome) and every action it had unanswered, or queued before
   that welcome, resent and answered (``back_p50_s``/``p99``/``max``,
   ``back_within_5s``, ``phones_not_back``; the server's part, from the connection
   attempt that got in: ``back_from_attempt_*``); the time until the projector (which
   comes back too) shows the final count, after the server accepted and after the last
   phone was back; the connection attempts the phones began once it accepted
   (``attempts_after_accepting``, at least one a phone) and the sockets they gave up on
   meanwhile, without a welcome in time or an answer (``given_up_after_accepting``, each
   a handshake the server did for nothing); and sent / acknowledged / stored /
   duplicates / lost, by message id against the stored history (``faults.tally``: 0
   lost, 0 duplicated expected).
   ``--profile FILE`` records the (restarted) server with py-spy.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.render.cloud import draw
from bench.faults import back_after, spread, stored_words, tally
from bench.loadgen import (
    Phone,
    QuietCollector,
    connect_phones,
    cpu_seconds,
    fast_event_loop,
    join_all,
    load_average,
    own_cpu_seconds,
    percentile,
    pin,
    until,
)
from tests.liveserver import LiveServer
from tests.phoneclient import POLICY
from tests.roomkit import CLOUD_PROGRAM

WORDS_EACH = 3

VALUES = [
    "Tillit",
    "Åpenhet",
    "Respekt",
    "Mot",
    "Omsorg",
    "Ærlighet",
    "Glede",
    "Ansvar",
    "Raushet",
    "Tydelig",
    "Synlig",
    "Lojal",
    "Modig",
    "Helhet",
    "Samarbeid",
    "Trygghet",
    "Likeverd",
    "Nysgjerrighet",
    "Ydmykhet",
]


def render_bench(runs: int) -> None:
    rng = random.Random(1)
    alphabet = "abcdefghijklmnopqrstuvwxyzæøå"
    words = {
        "".join(rng.choice(alphabet) for _ in range(rng.randint(4, 12))): rng.randint(1, 40)
        for _ in range(200)
    }
    with ProcessPoolExecutor(1) as pool:
        pool.submit(draw, {"varm": 1}).result()  # the worker's start-up is paid once, as in the server
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            pool.submit(draw, words).result()
            times.append((time.perf_counter() - started) * 1000)
    print("render_words=200")
    print("render_size=1920x1080")
    print(f"render_p50_ms={statistics.median(times):.0f}")
    print(f"render_max_ms={max(times):.0f}")


# --- the load generator: phones in several processes ----------------------------------


class Sender:
    """What one generator process sent and heard back. Its phones are the browser's
    (bench/loadgen.py): a refusal for now (``room_busy``) is sent again after the
    browser's backoff, with its id, until it is acknowledged or refused for good."""

    def __init__(self, indices: list[int]) -> None:
        self.indices = indices
        self.sent_at: dict[str, float] = {}  # message id -> when the phone first sent it
        self.answered_at: dict[str, float] = {}  # message id -> its ack or final refusal
        self.ids: dict[int, list[str]] = {}  # phone -> the ids it sent
        self.knocked: dict[int, list[tuple[float, float]]] = {}  # phone -> (attempt, its welcome)
        self.attempts: list[float] = []  # when a phone began a connection attempt (monotonic)
        self.gave_up: list[float] = []  # when a phone gave up on a silent socket (monotonic)
        self.phones: list[Phone] = []

    def frame(self, phone: Phone, text: str, now: float) -> None:
        pass  # the answers are kept by each phone (acked, refused, transient)

    def watch(self, phone: Phone) -> None:
        transient = phone.connection.transient_codes
        attempt = [0.0]  # when the phone last began to connect (monotonic)

        def status(status: str, detail: object) -> None:
            if status in ("connecting", "reconnecting"):  # the last before a welcome: connect()'s
                attempt[0] = time.monotonic()

        def heard(message: dict[str, Any]) -> None:
            kind, message_id = message.get("type"), message.get("id")
            if kind == "welcome":
                self.knocked.setdefault(phone.index, []).append((attempt[0], time.monotonic()))
            if message_id and (kind == "ack" or (kind == "error" and message.get("code") not in transient)):
                self.answered_at.setdefault(message_id, time.time())

        phone.connection.status_listeners.append(status)
        phone.connection.message_listeners.append(heard)
        # Every connection attempt costs the server a handshake, and every socket given up
        # on (not open within connectTimeoutMs, no welcome within welcomeTimeoutMs, or no answer
        # within pongTimeoutMs) one more.
        connection = phone.connection
        websocket, abandon = connection.websocket, connection.abandon

        def attempt_socket(url: str) -> Any:
            self.attempts.append(time.monotonic())
            return websocket(url)

        def give_up(socket: Any) -> None:
            if socket is not None and connection.socket is socket and not connection.stopped:
                self.gave_up.append(time.monotonic())
            abandon(socket)

        connection.websocket, connection.abandon = attempt_socket, give_up  # type: ignore[method-assign]

    def submit(self, phone: Phone, n: int, rng: random.Random) -> None:
        index = self.indices[phone.index]
        word = rng.choice(VALUES) + ("" if rng.random() < 0.8 else f" {index % 50}")
        action = {"type": "wordcloud_submit", "exercise": "ordsky", "word": word}
        now = time.time()
        message_id = phone.connection.send(action)
        self.sent_at[message_id] = now
        self.ids.setdefault(phone.index, []).append(message_id)

    def back(self, phone: Phone, restart: tuple[float, float, float]) -> tuple[float, float] | None:
        """Seconds from the restarted server accepting connections until this phone was
        back: welcomed again (its snapshot or missed events come in the same write) and
        every action it had unanswered then, or queued before that welcome, resent and
        answered. None: not back. (The bench sees the server accept a few milliseconds
        late at worst, so a phone that knocked at once may be back at 0.) Also the
        server's part of it: from the start of the connection attempt that got the
        welcome (the browser's backoff before it is the phone's part)."""
        killed, wall, mono = restart
        again = next(((a, w) for a, w in self.knocked.get(phone.index, []) if w > killed), None)
        if again is None:
            return None
        knocked, welcomed = again
        welcomed_wall = wall + (welcomed - mono)
        ids = self.ids.get(phone.index, [])
        due = [i for i in ids if self.sent_at[i] < welcomed_wall and self.answered_at.get(i, wall + 1) > wall]
        answers = [self.answered_at.get(i) for i in due]
        if None in answers:
            return None
        back = max([welcomed_wall, *(a for a in answers if a is not None)])
        return max(0.0, back - wall), back - (wall + max(0.0, knocked - mono))

    def answered(self) -> bool:
        return len(self.sent_at) == WORDS_EACH * len(self.indices) and all(not p.unacked for p in self.phones)


def generator(
    url: str,
    code: str,
    cookies: list[str],
    indices: list[int],
    args: tuple[float, float, bool],
    queues: tuple[Any, Any, Any],
) -> None:
    """Connect the phones, report ready, and at the common start time send 3 words per
    phone at random moments in the window; report what was sent and answered (and, when
    the server was killed, when each phone was back after the restart)."""
    window, wait, killed = args
    ready, start, results = queues
    fast_event_loop()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        sender = Sender(indices)
        phones = await connect_phones([url], code, cookies, sender.frame)
        sender.phones = phones
        for phone in phones:
            sender.watch(phone)
        await until(lambda: all(p.seq is not None for p in phones), 600)
        QuietCollector()  # see loadgen: no collection stamps an answer late
        ready.put(len(phones))
        start_at = await loop.run_in_executor(None, start.get)
        rng = random.Random(indices[0])
        origin = loop.time() + (start_at - time.time())
        for phone in phones:
            for n, offset in enumerate(sorted(rng.uniform(0, window) for _ in range(WORDS_EACH))):
                loop.call_at(origin + offset, sender.submit, phone, n, rng)
        await asyncio.sleep(max(0.0, start_at - time.time()) + window)
        await until(sender.answered, wait)  # the counts then show what went missing
        acked = {i: seq for p in phones for i, seq in p.acked.items()}
        refused = {i: code for p in phones for i, code in p.refused.items()}
        retried = (sum(sum(p.transient.values()) for p in phones), sum(p.in_line for p in phones))
        acked_at = {i: t for p in phones for i, t in p.acked_at.items()}
        reconnects = sum(max(0, len(p.welcomed_at) - 1) for p in phones)
        restart = await loop.run_in_executor(None, start.get) if killed else None
        back = []
        if restart is not None:  # a phone whose words were all answered before may still be away
            await until(lambda: all(back_after(p, restart[0]) for p in phones), wait)
            back = [sender.back(p, restart) for p in phones]
            accepting = restart[2]
            knocks = (
                sum(t >= accepting for t in sender.attempts),
                sum(t >= accepting for t in sender.gave_up),
            )
        else:
            knocks = (0, 0)
        got = (sender.sent_at, acked, refused, retried, acked_at, own_cpu_seconds(), reconnects, back, knocks)
        results.put(got)
        for phone in phones:
            await phone.stop()

    asyncio.run(main())


# --- the projector, the facilitator and the measurement ---------------------------------


class Projector:
    """Watches the board and asks for the picture of every version it is shown, as the
    projector's page does (``.png?v=<version>``); the server coalesces the drawing. The
    picture that counts is the answer to the request for the final version."""

    def __init__(self, base: str, code: str, key: str, final_version: int) -> None:
        self.http = httpx.AsyncClient(base_url=base, timeout=60)
        self.path = f"/s/{code}/{key}/wordcloud/ordsky.png"
        self.code, self.key = code, key
        self.final_version = final_version
        self.board_seen: dict[int, float] = {}  # version -> when the projector got it
        self.pictures: dict[int, tuple[int, float]] = {}  # version -> (status, when it came)
        self.fetches: set[asyncio.Task[None]] = set()

    async def watch(self, ws_url: str) -> None:
        """Watch the board; when the connection is lost (the server killed), come back."""
        while True:
            with contextlib.suppress(OSError, websockets.ConnectionClosed, websockets.InvalidHandshake):
                await self.watch_once(ws_url)
            await asyncio.sleep(0.1)

    async def watch_once(self, ws_url: str) -> None:
        async with websockets.connect(ws_url, max_queue=None, max_size=None) as projector:
            hello = {"type": "hello", "room": self.code, "role": "projector", "key": self.key}
            await projector.send(json.dumps(hello))
            # The heartbeat the projector's page sends (policy.js): a silent screen is
            # taken for gone and closed after the idle timeout, mid-burst.
            beating = asyncio.create_task(self.heartbeat(projector))
            try:
                async for raw in projector:
                    now = time.time()
                    message = json.loads(raw)
                    patch = message.get("patch") or message.get("state") or {}
                    cloud = (patch.get("board") or {}).get("wordcloud")
                    if cloud is not None and cloud["version"] not in self.board_seen:
                        self.board_seen[cloud["version"]] = now
                        task = asyncio.create_task(self.fetch_picture(cloud["version"]))
                        self.fetches.add(task)
                        task.add_done_callback(self.fetches.discard)
            finally:
                beating.cancel()

    @staticmethod
    async def heartbeat(projector: websockets.ClientConnection) -> None:
        interval = POLICY["pingIntervalMs"] / 1000
        while True:
            await projector.send(json.dumps({"type": "ping", "t0": time.time() * 1000}))
            await asyncio.sleep(interval)

    async def fetch_picture(self, version: int) -> None:
        try:
            picture = await self.http.get(f"{self.path}?v={version}")
        except httpx.HTTPError:  # the server was killed: the next version is asked for anyway
            return
        self.pictures[version] = (picture.status_code, time.time())

    def final_picture(self) -> tuple[int, float] | None:
        return self.pictures.get(self.final_version)


async def start_day(ws_url: str, code: str, key: str) -> None:
    async with websockets.connect(ws_url) as facilitator:
        await facilitator.send(json.dumps({"type": "hello", "room": code, "role": "facilitator", "key": key}))
        await facilitator.send(json.dumps({"type": "action", "id": "s", "action": {"type": "start"}}))
        while json.loads(await facilitator.recv()).get("id") != "s":
            pass


@dataclass
class Restart:
    """The server killed half-way through the burst and started again."""

    cpu_before_kill: float  # the killed server's CPU seconds
    killed: float  # time.time()
    killed_mono: float  # the same moment on the monotonic clock
    accepting: float  # time.time(): the restarted server accepts connections
    accepting_mono: float  # the same moment on the monotonic clock (the phones' welcomes)


def accepting(port: int, within: float) -> tuple[float, float]:
    """Wait until something accepts connections on ``port``: that moment (wall, monotonic)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return time.time(), time.monotonic()
        time.sleep(0.005)
    raise RuntimeError(f"nothing accepted connections on {port} within {within} s")


async def kill_and_restart(server: LiveServer, at: float, down: float) -> Restart:
    """At ``at`` (time.time()), SIGKILL the server and its processes (the cloud's drawing
    worker, which would wait for its dead parent), as a crash would; after ``down``
    seconds start it again on the same port and database."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, at - time.time()))
    assert server.process is not None
    pid = server.process.pid
    cpu = cpu_seconds(pid)
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    killed, killed_mono = time.time(), time.monotonic()
    server.kill()
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    await asyncio.sleep(down)
    accepts = loop.run_in_executor(None, accepting, server.port, 120)
    await loop.run_in_executor(None, server.start)
    wall, mono = await accepts
    return Restart(cpu, killed, killed_mono, wall, mono)


def profile(pid: int, out: str, seconds: float) -> subprocess.Popen[bytes]:
    """py-spy recording the server (raw stacks, 200 a second, only while it holds the GIL), for
    ``seconds`` or (0) until stopped."""
    py_spy = Path(sys.executable).parent / "py-spy"
    command = [str(py_spy), "record", "--pid", str(pid), "--format", "raw", "--gil", "--rate", "200"]
    command += ["-o", out]
    if seconds:
        command += ["--duration", str(round(seconds))]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def burst(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="samling-cloud-"))
    programs = work / "programs"
    programs.mkdir()
    (programs / "ordsky.toml").write_text(CLOUD_PROGRAM, encoding="utf-8")
    # Default settings but the join limit: all phones join from one address.
    server = LiveServer(work, programs, join_attempts_per_minute="100000000")
    server.start()
    loop = asyncio.get_running_loop()
    restart: Restart | None = None
    profiler: subprocess.Popen[bytes] | None = None
    procs: list[Any] = []
    try:
        created = httpx.post(f"{server.url}/workshops", data={"program": "ordsky.toml"})
        _, _, code, key = created.headers["location"].split("/")
        projector_key = httpx.get(f"{server.url}/f/{code}/{key}").text.split(f"/s/{code}/")[1].split('"')[0]
        cookies = await join_all(server.url, code, args.phones)
        ws_url = server.url.replace("http", "ws") + "/ws"
        await start_day(ws_url, code, key)
        projector = Projector(server.url, code, projector_key, WORDS_EACH * args.phones)
        watcher = asyncio.create_task(projector.watch(ws_url))

        ctx = mp.get_context("spawn")
        ready, start, results = ctx.Queue(), ctx.Queue(), ctx.Queue()
        for g in range(args.generators):
            indices = list(range(g, args.phones, args.generators))
            part = [cookies[i] for i in indices]
            plan = (args.window, args.wait, args.kill)
            target_args = (ws_url, code, part, indices, plan, (ready, start, results))
            procs.append(ctx.Process(target=generator, args=target_args))
        for proc in procs:
            proc.start()
        assert server.process is not None
        # The generators are confined to half the cores; the server and its drawing worker
        # may use all of them, as on a laptop where the phones are other devices.
        pinned = pin([], [p.pid for p in procs if p.pid is not None], args.pin)
        for _ in procs:
            await loop.run_in_executor(None, ready.get, True, 600)
        cpu_before = cpu_seconds(server.process.pid)
        start_at = time.time() + 1.0
        for _ in procs:
            start.put(start_at)
        if args.kill:
            restart = await kill_and_restart(server, start_at + args.window / 2, args.down)
            for _ in procs:  # for each phone's time until it was back
                start.put((restart.killed_mono, restart.accepting, restart.accepting_mono))
        elif args.profile:
            await asyncio.sleep(max(0.0, start_at - time.time()))
        if args.profile:
            profiler = profile(server.process.pid, args.profile, args.profile_seconds)
        sent_at: dict[str, float] = {}
        acked: dict[str, int] = {}
        acked_at: dict[str, float] = {}
        refused: dict[str, str] = {}
        back: list[tuple[float, float] | None] = []
        retried = in_line = reconnects = attempts = gave_up = 0
        generator_cpu = 0.0
        for _ in procs:
            got = await loop.run_in_executor(None, results.get, True, 600 + args.wait)
            got_sent, got_acked, got_refused, got_retried, got_acked_at, cpu, again, got_back, knocks = got
            reconnects += again
            attempts += knocks[0]
            gave_up += knocks[1]
            sent_at.update(got_sent)
            acked.update(got_acked)
            acked_at.update(got_acked_at)
            refused.update(got_refused)
            back.extend(got_back)
            retried += got_retried[0]
            in_line += got_retried[1]
            generator_cpu += cpu
        for proc in procs:
            proc.join(30)
        final_version = len(acked)  # less than planned only if some were refused
        projector.final_version = final_version
        for _ in range(200):
            if projector.final_picture() is not None:
                break
            await asyncio.sleep(0.05)
        cpu_after = cpu_seconds(server.process.pid)
        if profiler is not None:
            if profiler.poll() is None:
                profiler.send_signal(signal.SIGINT)
            profiler.wait(60)
        watcher.cancel()
        await projector.http.aclose()

        results_json = httpx.get(f"{server.url}/f/{code}/{key}/results.json").json()
        cloud = results_json["exercises"][0]["wordcloud"]
        counted = sum(w["count"] for w in cloud["words"])
        history = stored_words(server.env["SAMLING_DATABASE_URL"], code)
        stored = Counter(message_id for message_id, _ in history if message_id)
        # The version counts accepted words (each submission bumps it once, in order);
        # the joins and the start came first in the room's sequence.
        seen_times = sorted(projector.board_seen.items())
        latencies = []
        for message_id, seq in acked.items():
            version = seq - (args.phones + 1)
            shown = next((t for v, t in seen_times if v >= version), None)
            if shown is not None:
                latencies.append((shown - sent_at[message_id]) * 1000)
        last_sent = max(sent_at.values())
        board_final_at = projector.board_seen.get(final_version, float("nan"))
        board_ms = (board_final_at - last_sent) * 1000
        picture_status, picture_at = projector.final_picture() or (0, float("nan"))
        picture_ms = (picture_at - last_sent) * 1000
    finally:
        if profiler is not None and profiler.poll() is None:
            profiler.kill()
        server.stop()
        for proc in procs:  # a run that failed (a restart that never answered) leaves its
            if proc.is_alive():  # phones knocking for ever, gigabytes each
                proc.terminate()

    print(f"phones={args.phones}")
    print(f"load_average={load_average()}")
    print(f"window_s={args.window}")
    print(f"generator_processes={args.generators}")
    print(f"pinned={pinned}")
    if restart is not None:
        print(f"killed_after_s={restart.killed - start_at:.2f}")
        print(f"down_s={args.down}")
        print(f"accepting_after_kill_s={restart.accepting - restart.killed:.2f}")
        returned = [t for t, _ in filter(None, back)]
        print(f"phones_back={len(returned)}")
        print(f"phones_not_back={len(back) - len(returned)}")
        print(f"back_first_s={min(returned, default=float('nan')):.2f}")  # the room loaded by then
        for name, value in spread("back", returned).items():
            print(f"{name}={value}")
        # The server's part: from the connection attempt that got the welcome until back.
        for name, value in spread("back_from_attempt", [s for _, s in filter(None, back)]).items():
            print(f"{name}={value}")
        print(f"back_within_5s={sum(t <= 5.0 for t in returned)}")
        # Connection attempts the phones began once the server accepted (at least one per
        # phone), and the sockets they gave up on meanwhile: each a handshake for nothing.
        print(f"attempts_after_accepting={attempts}")
        print(f"given_up_after_accepting={gave_up}")
        last_back = restart.accepting + max(returned, default=float("nan"))
        print(f"board_final_after_accepting_s={board_final_at - restart.accepting:.2f}")
        print(f"board_final_after_last_phone_back_s={board_final_at - last_back:.2f}")
    for name, value in tally(sent_at, acked, stored).items():
        print(f"{name}={value}")
    print(f"refused={len(refused)} {dict(Counter(refused.values()))}")
    print(f"counted={counted}")
    print(f"server_agrees_with_database={counted == sum(stored.values()) == cloud['entries']}")
    ack_ms = [(acked_at[i] - sent_at[i]) * 1000 for i in acked if i in sent_at and i in acked_at]
    print(f"refused_for_now_and_resent={retried}")
    print(f"told_in_line={in_line}")  # queued: the room had them behind others, nothing resent
    print(f"phone_reconnects={reconnects}")  # a phone that heard nothing for too long gives up
    print(f"ack_p50_ms={statistics.median(ack_ms):.0f}")
    print(f"ack_p99_ms={percentile(ack_ms, 0.99):.0f}")
    print(f"ack_max_ms={max(ack_ms):.0f}")
    print(f"board_p50_ms={statistics.median(latencies):.0f}")
    print(f"board_p99_ms={percentile(latencies, 0.99):.0f}")
    print(f"board_max_ms={max(latencies):.0f}")
    print(f"board_after_last_word_ms={board_ms:.0f}")
    print(f"pictures_asked={len(projector.pictures)}")
    print(f"picture_status={picture_status}")
    print(f"picture_after_last_word_ms={picture_ms:.0f}")
    if restart is not None:
        print(f"server_cpu_s={restart.cpu_before_kill - cpu_before + cpu_after:.2f}")
        print(f"restarted_server_cpu_s={cpu_after:.2f}")
    else:
        print(f"server_cpu_s={cpu_after - cpu_before:.2f}")
    print(f"generator_cpu_s={generator_cpu:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument(
        "--window", type=float, default=10.0, help="seconds in which every phone sends 3 words"
    )
    parser.add_argument("--renders", type=int, default=7)
    parser.add_argument("--generators", type=int, default=2, help="load-generator processes")
    parser.add_argument(
        "--no-pin", dest="pin", action="store_false", help="let the generators use every core"
    )
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument(
        "--kill", action="store_true", help="SIGKILL the server half-way through the burst and restart it"
    )
    parser.add_argument(
        "--down", type=float, default=0.0, help="--kill: seconds between the kill and the restart"
    )
    parser.add_argument(
        "--wait", type=float, default=60.0, help="seconds after the window for every word to be answered"
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="py-spy (raw, --gil) of the server during the burst; with --kill, of the restarted one",
    )
    parser.add_argument(
        "--profile-seconds", type=float, default=0.0, help="--profile: this long (0: to the end)"
    )
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    render_bench(args.renders)
    if not args.skip_burst:
        asyncio.run(burst(args))


if __name__ == "__main__":
    main()
