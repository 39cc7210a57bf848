"""The word cloud under a burst, and the cost of drawing it.

    .venv/bin/python bench/cloud_burst.py --phones 500

1. Render: draws a cloud of 200 distinct words at 1920×1080 several times, as the server
   does (in a worker process), and prints p50/max in ms.
2. Burst: starts a real server, joins N phones, and has each send 3 words within 10 s
   (spread evenly). Counts sent = acknowledged = stored = counted (all must match, lost
   must be 0), and measures for every word the time until the projector's board showed
   it, and after the last word the time until the projector could load the final picture.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.render.cloud import draw
from tests.liveserver import LiveServer

PROGRAM = """
title = "Ordskybenk"
[[exercises]]
id = "ordsky"
kind = "info"
title = "Ordsky"
grouping = "none"
minutes = 10
[exercises.wordcloud]
max_words = 3
"""

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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


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


async def join_all(url: str, code: str, count: int) -> list[str]:
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    semaphore = asyncio.Semaphore(32)
    async with httpx.AsyncClient(base_url=url, timeout=120, cookies=no_cookies) as http:

        async def one(i: int) -> str:
            async with semaphore:
                response = await http.post("/join", data={"code": code, "name": f"P{i}"})
            return response.headers["set-cookie"].split(";", 1)[0]

        return list(await asyncio.gather(*(one(i) for i in range(count))))


async def burst(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="samling-cloud-"))
    programs = work / "programs"
    programs.mkdir()
    (programs / "ordsky.toml").write_text(PROGRAM, encoding="utf-8")
    server = LiveServer(
        work,
        programs,
        messages_per_second="50",
        message_burst="50",
        room_messages_per_second="100000",
        join_attempts_per_minute="100000000",
        send_queue_size="4096",
    )
    server.start()
    try:
        created = httpx.post(f"{server.url}/workshops", data={"program": "ordsky.toml"})
        _, _, code, key = created.headers["location"].split("/")
        projector_key = httpx.get(f"{server.url}/f/{code}/{key}").text.split(f"/s/{code}/")[1].split('"')[0]
        cookies = await join_all(server.url, code, args.phones)
        ws_url = server.url.replace("http", "ws") + "/ws"

        board_seen: dict[int, float] = {}  # version -> when the projector got it
        async with websockets.connect(ws_url, max_queue=None) as projector:
            await projector.send(
                json.dumps({"type": "hello", "room": code, "role": "projector", "key": projector_key})
            )

            async def watch() -> None:
                async for raw in projector:
                    message = json.loads(raw)
                    patch = message.get("patch") or message.get("state") or {}
                    cloud = (patch.get("board") or {}).get("wordcloud")
                    if cloud is not None:
                        board_seen.setdefault(cloud["version"], time.monotonic())

            watcher = asyncio.create_task(watch())
            async with websockets.connect(ws_url) as facilitator:
                await facilitator.send(
                    json.dumps({"type": "hello", "room": code, "role": "facilitator", "key": key})
                )
                await facilitator.send(json.dumps({"type": "action", "id": "s", "action": {"type": "start"}}))
                await asyncio.sleep(1)

            sent_at: dict[str, float] = {}
            acked: dict[str, int] = {}  # message id -> seq

            async def phone(index: int, cookie: str) -> None:
                async with websockets.connect(ws_url, additional_headers={"cookie": cookie}) as socket:
                    await socket.send(json.dumps({"type": "hello", "room": code, "role": "participant"}))
                    await asyncio.sleep(index / args.phones * 0.5)
                    offsets = sorted(random.uniform(1, args.window) for _ in range(3))
                    started = time.monotonic()
                    pending = set()
                    for n, offset in enumerate(offsets):
                        await asyncio.sleep(max(0, started + offset - time.monotonic()))
                        message_id = f"{index}-{n}"
                        word = random.choice(VALUES) + ("" if random.random() < 0.8 else f" {index % 50}")
                        sent_at[message_id] = time.monotonic()
                        pending.add(message_id)
                        action = {"type": "wordcloud_submit", "exercise": "ordsky", "word": word}
                        await socket.send(json.dumps({"type": "action", "id": message_id, "action": action}))
                    while pending:
                        message = json.loads(await asyncio.wait_for(socket.recv(), 30))
                        if message.get("id") in pending:
                            pending.discard(message["id"])
                            if message["type"] == "ack":
                                acked[message["id"]] = message["seq"]

            await asyncio.gather(*(phone(i, c) for i, c in enumerate(cookies)))
            last_sent = max(sent_at.values())
            final_version = len(acked)
            # As the projector does: ask for the picture of the newest version at once.
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                picture = await http.get(f"/s/{code}/{projector_key}/wordcloud/ordsky.png?v={final_version}")
            picture_ms = (time.monotonic() - last_sent) * 1000
            for _ in range(100):
                if final_version in board_seen:
                    break
                await asyncio.sleep(0.05)
            watcher.cancel()

        results = httpx.get(f"{server.url}/f/{code}/{key}/results.json").json()
        cloud = results["exercises"][0]["wordcloud"]
        counted = sum(w["count"] for w in cloud["words"])
        # The version counts accepted words (each submission bumps it once, in order).
        seen_times = sorted(board_seen.items())
        latencies = []
        for message_id, seq in acked.items():
            version = seq - (args.phones + 1)  # joins and the start came first
            shown = next((t for v, t in seen_times if v >= version), None)
            if shown is not None:
                latencies.append((shown - sent_at[message_id]) * 1000)
        last_board_ms = (
            (board_seen[final_version] - last_sent) * 1000 if final_version in board_seen else float("nan")
        )
    finally:
        server.stop()

    print(f"phones={args.phones}")
    print(f"window_s={args.window}")
    print(f"sent={len(sent_at)}")
    print(f"acked={len(acked)}")
    print(f"stored={cloud['entries']}")
    print(f"counted={counted}")
    print(f"lost={len(sent_at) - counted}")
    print(f"board_p50_ms={statistics.median(latencies):.0f}")
    print(f"board_p99_ms={percentile(latencies, 0.99):.0f}")
    print(f"board_after_last_word_ms={last_board_ms:.0f}")
    print(f"picture_status={picture.status_code}")
    print(f"picture_after_last_word_ms={picture_ms:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument(
        "--window", type=float, default=10.0, help="seconds in which every phone sends 3 words"
    )
    parser.add_argument("--renders", type=int, default=7)
    parser.add_argument("--skip-burst", action="store_true")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    render_bench(args.renders)
    if not args.skip_burst:
        asyncio.run(burst(args))


if __name__ == "__main__":
    main()
