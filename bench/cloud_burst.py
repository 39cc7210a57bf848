"""The word cloud under a burst, and the cost of drawing it.

    .venv/bin/python bench/cloud_burst.py --phones 500      # also --phones 2000

1. Render: draws a cloud of 200 distinct words at 1920×1080 several times, as the server
   does (in a worker process), and prints p50/max in ms.
2. Burst: starts a real server with its default settings, joins N phones, connects them
   from several load-generator processes, and at one common moment has each phone send 3
   words at random times within 10 s. Counts sent = acknowledged = stored = counted (all
   must match, lost must be 0), and measures for every word the time until the
   projector's board showed it, and after the last word the time until the projector
   showed the final board and had loaded the final picture. Also prints the CPU seconds
   the server and the generators spent during the burst.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.render.cloud import draw
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
        self.phones: list[Phone] = []

    def frame(self, phone: Phone, text: str, now: float) -> None:
        pass  # the answers are kept by each phone (acked, refused, transient)

    def submit(self, phone: Phone, n: int, rng: random.Random) -> None:
        index = self.indices[phone.index]
        word = rng.choice(VALUES) + ("" if rng.random() < 0.8 else f" {index % 50}")
        action = {"type": "wordcloud_submit", "exercise": "ordsky", "word": word}
        now = time.time()
        self.sent_at[phone.connection.send(action)] = now

    def answered(self) -> bool:
        return len(self.sent_at) == WORDS_EACH * len(self.indices) and all(not p.unacked for p in self.phones)


def generator(
    url: str, code: str, cookies: list[str], indices: list[int], window: float, queues: tuple[Any, Any, Any]
) -> None:
    """Connect the phones, report ready, and at the common start time send 3 words per
    phone at random moments in the window; report what was sent and answered."""
    ready, start, results = queues
    fast_event_loop()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        sender = Sender(indices)
        phones = await connect_phones([url], code, cookies, sender.frame)
        sender.phones = phones
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
        await until(sender.answered, 60)  # the counts then show what went missing
        acked = {i: seq for p in phones for i, seq in p.acked.items()}
        refused = {i: code for p in phones for i, code in p.refused.items()}
        retried = sum(sum(p.transient.values()) for p in phones)
        acked_at = {i: t for p in phones for i, t in p.acked_at.items()}
        reconnects = sum(max(0, len(p.welcomed_at) - 1) for p in phones)
        results.put((sender.sent_at, acked, refused, retried, acked_at, own_cpu_seconds(), reconnects))
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
        picture = await self.http.get(f"{self.path}?v={version}")
        self.pictures[version] = (picture.status_code, time.time())

    def final_picture(self) -> tuple[int, float] | None:
        return self.pictures.get(self.final_version)


async def start_day(ws_url: str, code: str, key: str) -> None:
    async with websockets.connect(ws_url) as facilitator:
        await facilitator.send(json.dumps({"type": "hello", "room": code, "role": "facilitator", "key": key}))
        await facilitator.send(json.dumps({"type": "action", "id": "s", "action": {"type": "start"}}))
        while json.loads(await facilitator.recv()).get("id") != "s":
            pass


async def burst(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="samling-cloud-"))
    programs = work / "programs"
    programs.mkdir()
    (programs / "ordsky.toml").write_text(CLOUD_PROGRAM, encoding="utf-8")
    # Default settings but the join limit: all phones join from one address.
    server = LiveServer(work, programs, join_attempts_per_minute="100000000")
    server.start()
    loop = asyncio.get_running_loop()
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
        procs = []
        for g in range(args.generators):
            indices = list(range(g, args.phones, args.generators))
            part = [cookies[i] for i in indices]
            target_args = (ws_url, code, part, indices, args.window, (ready, start, results))
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
        sent_at: dict[str, float] = {}
        acked: dict[str, int] = {}
        acked_at: dict[str, float] = {}
        refused: dict[str, str] = {}
        retried = reconnects = 0
        generator_cpu = 0.0
        for _ in procs:
            got = await loop.run_in_executor(None, results.get, True, 600)
            got_sent, got_acked, got_refused, got_retried, got_acked_at, cpu, again = got
            reconnects += again
            sent_at.update(got_sent)
            acked.update(got_acked)
            acked_at.update(got_acked_at)
            refused.update(got_refused)
            retried += got_retried
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
        watcher.cancel()
        await projector.http.aclose()

        results_json = httpx.get(f"{server.url}/f/{code}/{key}/results.json").json()
        cloud = results_json["exercises"][0]["wordcloud"]
        counted = sum(w["count"] for w in cloud["words"])
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
        board_ms = (projector.board_seen.get(final_version, float("nan")) - last_sent) * 1000
        picture_status, picture_at = projector.final_picture() or (0, float("nan"))
        picture_ms = (picture_at - last_sent) * 1000
    finally:
        server.stop()

    print(f"phones={args.phones}")
    print(f"load_average={load_average()}")
    print(f"window_s={args.window}")
    print(f"generator_processes={args.generators}")
    print(f"pinned={pinned}")
    print(f"sent={len(sent_at)}")
    print(f"acked={len(acked)}")
    print(f"refused={len(refused)} {dict(Counter(refused.values()))}")
    print(f"stored={cloud['entries']}")
    print(f"counted={counted}")
    print(f"lost={len(sent_at) - counted}")
    ack_ms = [(acked_at[i] - sent_at[i]) * 1000 for i in acked if i in sent_at and i in acked_at]
    print(f"refused_for_now_and_resent={retried}")
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
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    render_bench(args.renders)
    if not args.skip_burst:
        asyncio.run(burst(args))


if __name__ == "__main__":
    main()
