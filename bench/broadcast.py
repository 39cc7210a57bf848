"""How fast a facilitator's action reaches every phone in one room.

    .venv/bin/python bench/broadcast.py --phones 1000
    .venv/bin/python bench/broadcast.py --phones 2000 --workers 2 --bus-url redis://127.0.0.1:6379/0 \
        --database-url postgresql://postgres@127.0.0.1:5432/test

Starts the server in its own process(es) (one uvicorn per --workers, all on one room
through --bus-url and --database-url when there are several), joins N phones, connects
them from several load-generator processes, and has the facilitator start a new phase
--rounds times. For every phone and round it measures the time from the facilitator
sending the action to the phone receiving the event. Prints ``name=value`` lines:
p50/p99/max in ms, events lost, the server's memory per connection and the CPU seconds
spent by the server(s) and by the load generator (so one can see it was not the
generator that was measured).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import (
    Phone,
    connect_phones,
    cpu_seconds,
    fast_event_loop,
    join_all,
    own_cpu_seconds,
    percentile,
    pin,
    rss_kb,
)
from tests.liveserver import LiveServer


def program(rounds: int) -> str:
    phases = "".join(
        f'\n[[exercises.phases]]\nkind = "G"\nminutes = 10\ntitle = "Fase {i}"\n' for i in range(rounds + 1)
    )
    return f'title = "Benk"\n[[exercises]]\nid = "benk"\ntitle = "Benk"\n{phases}'


# --- the load generator: one process holds many phones ----------------------------------


class Phones:
    """What one generator process heard: arrival times per phase event, snapshots seen."""

    def __init__(self, expected: int) -> None:
        self.received: dict[int, list[float]] = {}
        self.snapshots = 0
        self.expected = expected
        self.connected = asyncio.Event()

    def frame(self, phone: Phone, raw: bytes, now: float) -> None:
        # Only the phase events matter here; parse the few frames that tell.
        if raw.startswith(b'{"type":"event"') and b'"position"' in raw:
            self.received.setdefault(json.loads(raw)["seq"], []).append(now)
        elif b'"snapshot"' in raw[:30]:
            self.snapshots += 1
            if self.snapshots == self.expected:
                self.connected.set()


def generator(urls: list[str], code: str, cookies: list[str], ready: Any, results: Any, stop: Any) -> None:
    fast_event_loop()

    async def main() -> None:
        phones = Phones(len(cookies))
        hello = json.dumps({"type": "hello", "room": code, "role": "participant"}).encode()
        await connect_phones(urls, cookies, hello, phones.frame)
        await phones.connected.wait()
        ready.put(len(cookies))
        while stop.empty():
            await asyncio.sleep(0.1)
        results.put((phones.received, own_cpu_seconds()))

    asyncio.run(main())


# --- the facilitator and the measurement ---------------------------------------------------


async def facilitate(url: str, code: str, key: str, rounds: int, pause: float) -> dict[int, float]:
    sent: dict[int, float] = {}
    async with websockets.connect(url, max_queue=None, ping_interval=None) as socket:
        await socket.send(json.dumps({"type": "hello", "room": code, "role": "facilitator", "key": key}))
        await asyncio.sleep(0.5)

        async def answer(message_id: str) -> dict[str, Any]:
            while True:
                message = json.loads(await socket.recv())
                if message.get("id") == message_id:
                    return message

        first = "start"
        for r in range(rounds + 1):
            message_id = f"round-{r}"
            t0 = time.time()
            action = {"type": first} if r == 0 else {"type": "next_phase"}
            await socket.send(json.dumps({"type": "action", "id": message_id, "action": action}))
            ack = await answer(message_id)
            assert ack["type"] == "ack", ack
            if r > 0:  # round 0 only starts the day
                sent[ack["seq"]] = t0
            await asyncio.sleep(pause)
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--generators", type=int, default=2, help="load-generator processes")
    parser.add_argument("--workers", type=int, default=1, help="server processes sharing the room")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between rounds")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin processes to cores")
    parser.add_argument("--bus-url", default="")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    work = Path(tempfile.mkdtemp(prefix="samling-bench-"))
    programs = work / "programs"
    programs.mkdir()
    (programs / "benk.toml").write_text(program(args.rounds), encoding="utf-8")
    settings = {
        "messages_per_second": "1000",
        "message_burst": "1000",
        "room_messages_per_second": "1000000",
        "join_attempts_per_minute": "100000000",
        "send_queue_size": "256",
        "snapshot_every": "1000000",
    }
    if args.bus_url:
        settings["bus_url"] = args.bus_url
    if args.database_url:
        settings["database_url"] = args.database_url
    servers = []
    for i in range(args.workers):
        (work / f"w{i}").mkdir()
        server = LiveServer(work / f"w{i}", programs, **settings)
        server.start()
        servers.append(server)
    try:
        created = httpx.post(f"{servers[0].url}/workshops", data={"program": "benk.toml"})
        _, _, code, key = created.headers["location"].split("/")
        started = time.monotonic()
        cookies = asyncio.run(join_all(servers[0].url, code, args.phones))
        join_s = time.monotonic() - started
        pids = [s.process.pid for s in servers if s.process is not None]
        rss_before = sum(rss_kb(pid) for pid in pids)

        ws_urls = [s.url.replace("http", "ws") + "/ws" for s in servers]
        ctx = mp.get_context("spawn")
        ready, results, stop = ctx.Queue(), ctx.Queue(), ctx.Queue()
        share = [cookies[i :: args.generators] for i in range(args.generators)]
        procs = [
            ctx.Process(target=generator, args=(ws_urls, code, part, ready, results, stop)) for part in share
        ]
        for proc in procs:
            proc.start()
        pinned = pin(pids, [p.pid for p in procs if p.pid is not None], args.pin)
        for _ in procs:
            ready.get(timeout=600)
        time.sleep(1.0)
        rss_after = sum(rss_kb(pid) for pid in pids)
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        sent = asyncio.run(facilitate(ws_urls[0], code, key, args.rounds, args.pause))
        time.sleep(1.0)
        cpu_after = sum(cpu_seconds(pid) for pid in pids)
        for _ in procs:
            stop.put(True)
        latencies: list[float] = []
        received = 0
        generator_cpu = 0.0
        for _ in procs:
            got, cpu = results.get(timeout=120)
            generator_cpu += cpu
            for seq, times in got.items():
                if seq in sent:
                    received += len(times)
                    latencies.extend((t - sent[seq]) * 1000 for t in times)
        for proc in procs:
            proc.join(30)
    finally:
        for server in servers:
            server.stop()

    expected = args.phones * args.rounds
    print(f"phones={args.phones}")
    print(f"rounds={args.rounds}")
    print(f"server_workers={args.workers}")
    print(f"generator_processes={args.generators}")
    print(f"pinned={pinned}")
    print(f"join_s={join_s:.1f}")
    print(f"p50_ms={statistics.median(latencies):.1f}")
    print(f"p99_ms={percentile(latencies, 0.99):.1f}")
    print(f"max_ms={max(latencies):.1f}")
    print(f"received={received}")
    print(f"lost={expected - received}")
    print(f"server_rss_mb={rss_after / 1024:.1f}")
    print(f"server_rss_per_conn_kb={(rss_after - rss_before) / args.phones:.1f}")
    print(f"server_cpu_s={cpu_after - cpu_before:.2f}")
    print(f"generator_cpu_s={generator_cpu:.2f}")


if __name__ == "__main__":
    main()
