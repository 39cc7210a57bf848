"""What the heartbeat costs the server: N phones in one room, pinging as the browser does.

    .venv/bin/python bench/heartbeat.py --phones 500
    .venv/bin/python bench/heartbeat.py --phones 5000 --window 64

Starts one server and joins N phones. It measures the server's CPU over ``--window``
seconds twice: idle, with the room loaded and no phone connected; and with the N phones
connected from several load-generator processes, each pinging as the browser does
(``bench/loadgen.py``: the browser's ``pingIntervalMs`` from policy.js, every ping
answered with a pong), once their first pings after connecting are over. Prints
``name=value`` lines: the server's CPU seconds per minute in both windows, what the
phones' heartbeat adds (also as a share of one core and per ping), the pings the server
answered per second against those expected, and the pings' round trip (p50/p99/max).

The phase-change latency with the heartbeat running is ``bench/broadcast.py``: its
phones keep the same heartbeat.
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
)
from tests.liveserver import LiveServer
from tests.phoneclient import POLICY

PROGRAM = """title = "Puls"
[[exercises]]
id = "puls"
title = "Puls"
[[exercises.phases]]
kind = "G"
minutes = 60
"""


class Pongs:
    """What one generator process heard: snapshots, and when each pong came and its round trip."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.snapshots = 0
        self.connected = asyncio.Event()
        self.pongs: list[tuple[float, float]] = []  # (arrival time.time(), round trip ms)

    def frame(self, phone: Phone, text: str, now: float) -> None:
        if text.startswith('{"type":"pong"'):
            self.pongs.append((now, now * 1000 - json.loads(text)["t0"]))
        elif '"snapshot"' in text[:30]:
            self.snapshots += 1
            if self.snapshots == self.expected:
                self.connected.set()


def generator(url: str, code: str, cookies: list[str], control: Any, results: Any) -> None:
    """One load-generator process: connect (the phones ping by themselves), report ready,
    and when told the measured window, report the pongs that came in it."""
    fast_event_loop()

    async def main() -> None:
        pongs = Pongs(len(cookies))
        phones = await connect_phones([url], code, cookies, pongs.frame)
        await pongs.connected.wait()
        results.put(len(phones))
        begin, end = await asyncio.get_running_loop().run_in_executor(None, control.get)
        in_window = [trip for at, trip in pongs.pongs if begin <= at < end]
        results.put((in_window, own_cpu_seconds()))

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--window", type=float, default=32.0, help="seconds measured, each time")
    parser.add_argument("--generators", type=int, default=2, help="load-generator processes")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin processes to cores")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    interval = POLICY["pingIntervalMs"] / 1000

    work = Path(tempfile.mkdtemp(prefix="samling-heartbeat-"))
    programs = work / "programs"
    programs.mkdir()
    (programs / "puls.toml").write_text(PROGRAM, encoding="utf-8")
    server = LiveServer(
        work,
        programs,
        messages_per_second="1000",
        message_burst="1000",
        room_messages_per_second="1000000",
        join_attempts_per_minute="100000000",
    )
    server.start()
    try:
        created = httpx.post(f"{server.url}/workshops", data={"program": "puls.toml"})
        _, _, code, _key = created.headers["location"].split("/")
        cookies = asyncio.run(join_all(server.url, code, args.phones))
        assert server.process is not None
        pid = server.process.pid
        time.sleep(2.0)

        before = cpu_seconds(pid)
        time.sleep(args.window)
        idle = cpu_seconds(pid) - before

        ws_url = server.url.replace("http", "ws") + "/ws"
        ctx = mp.get_context("spawn")
        results = ctx.Queue()
        controls = [ctx.Queue() for _ in range(args.generators)]
        share = [cookies[i :: args.generators] for i in range(args.generators)]
        procs = [
            ctx.Process(target=generator, args=(ws_url, code, part, control, results))
            for part, control in zip(share, controls, strict=True)
        ]
        for proc in procs:
            proc.start()
        pinned = pin([pid], [p.pid for p in procs if p.pid is not None], args.pin)
        connected = sum(results.get(timeout=600) for _ in procs)
        time.sleep(interval + 2.0)  # the clock pings after connecting are over: steady state

        begin, before = time.time(), cpu_seconds(pid)
        time.sleep(args.window)
        end, beating = time.time(), cpu_seconds(pid) - before
        for control in controls:
            control.put((begin, end))
        round_trips: list[float] = []
        generator_cpu = 0.0
        for _ in procs:
            trips, cpu = results.get(timeout=120)
            round_trips += trips
            generator_cpu += cpu
        for proc in procs:
            proc.join(30)
    finally:
        server.stop()

    per_minute = 60 / args.window
    expected = args.phones / interval
    answered = len(round_trips) / args.window
    print(f"phones={args.phones}")
    print(f"connected={connected}")
    print(f"ping_interval_s={interval:g}")
    print(f"window_s={args.window:g}")
    print(f"pinned={pinned}")
    print(f"pings_expected_per_s={expected:.1f}")
    print(f"pings_answered_per_s={answered:.1f}")
    print(f"server_cpu_idle_s_per_min={idle * per_minute:.2f}")
    print(f"server_cpu_heartbeat_s_per_min={beating * per_minute:.2f}")
    print(f"heartbeat_cpu_s_per_min={(beating - idle) * per_minute:.2f}")
    print(f"heartbeat_core_pct={(beating - idle) / args.window * 100:.1f}")
    print(f"heartbeat_us_per_ping={(beating - idle) / max(1, len(round_trips)) * 1e6:.0f}")
    print(f"pong_p50_ms={statistics.median(round_trips):.1f}")
    print(f"pong_p99_ms={percentile(round_trips, 0.99):.1f}")
    print(f"pong_max_ms={max(round_trips):.1f}")
    print(f"generator_cpu_s={generator_cpu:.2f}")


if __name__ == "__main__":
    main()
