"""How fast a facilitator's action reaches every phone, against a naive relay server.

    .venv/bin/python bench/broadcast.py --phones 1000          # also 2000, 5000
    .venv/bin/python bench/broadcast.py --phones 5000 --runs 3 --floor
    .venv/bin/python bench/broadcast.py --phones 5000 --workers 2 \\
        --bus-url redis://127.0.0.1:6379/0 --database-url postgresql://postgres@127.0.0.1:5432/test

One command, one room, as in a real day: a facilitator's screen and a projector connect
first and read everything they are sent; N phones join over HTTP (the server's CPU and
memory for the joins are measured, and what the staff screens received meanwhile),
then connect over WebSocket from several load-generator processes, behaving like the
browser (bench/loadgen.py: tests/phoneclient.py's port of connection.js, heartbeat
included). The facilitator then starts a new phase --rounds times, a second apart; for
every phone and every round, the time from the facilitator sending the action to that
phone receiving the phase event.

The same is done, in the same run, with bench/naive.py (a FastAPI relay with
``for ws in clients: await ws.send_text(msg)``, under the same uvicorn and options,
relaying the phase event Samling sent), --runs times each, interleaved; the ratios say
how much faster Samling is. With --floor, also bench/floor.py: the same relay with one
``transport.write`` of a frame encoded once per phone and nothing else, the least any
server writing to each phone's socket can do (``naive_over_floor_p99`` is the most any
such server can beat the naive one by here). The server runs on one core and everything else on the
other (--no-pin lifts that); the server's garbage-collector pauses are recorded
(bench/serve.py). Prints ``name=value`` lines: each server's p50/p99/max, losses,
server CPU and memory per phone, the collector's pauses, the generators' CPU (to see
it was the server that was measured), the ratios, and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from functools import partial
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import (
    BenchServer,
    Phone,
    QuietCollector,
    connect_phones,
    cpu_seconds,
    fast_event_loop,
    gc_figures,
    join_all,
    load_average,
    own_cpu_seconds,
    percentile,
    pin,
    rss_kb,
    until,
)

SEQ_AT = len('{"type":"event","seq":')
PARSE_AFTER = 0.3  # seconds: phones read and stamp frames at once, parse them after (loadgen)


def program(rounds: int) -> str:
    phases = "".join(
        f'\n[[exercises.phases]]\nkind = "G"\nminutes = 10\ntitle = "Fase {i}"\n' for i in range(rounds + 1)
    )
    return f'title = "Benk"\n[[exercises]]\nid = "benk"\ntitle = "Benk"\n{phases}'


def phase_event_seq(text: str) -> int | None:
    """The seq of a phase event (one that carries the position), read off the frame."""
    if text.startswith('{"type":"event","seq":') and '"position"' in text:
        return int(text[SEQ_AT : text.index(",", SEQ_AT)])
    return None


# --- the load generator: one process holds many phones ----------------------------------


def generator(urls: list[str], code: str, cookies: list[str], ready: Any, results: Any, stop: Any) -> None:
    fast_event_loop()

    async def main() -> None:
        received: dict[int, list[float]] = defaultdict(list)

        def tap(phone: Phone, text: str, now: float) -> None:
            seq = phase_event_seq(text)
            if seq is not None:
                received[seq].append(now)

        phones = await connect_phones(urls, code, cookies, tap, defer=PARSE_AFTER)
        await until(lambda: all(p.seq is not None for p in phones), 600)
        collector = QuietCollector()
        ready.put(sum(p.seq is not None for p in phones))
        while stop.empty():
            await asyncio.sleep(0.1)
        reconnects = sum(max(0, len(p.welcomed_at) - 1) for p in phones)
        results.put((dict(received), reconnects, own_cpu_seconds(), collector.max_pause_ms))
        for phone in phones:
            await phone.stop()

    asyncio.run(main())


# --- the staff screens, and the measurement ------------------------------------------------


class Staff:
    """The facilitator's screen and the projector: they read everything, as the pages do."""

    def __init__(self, ws_url: str, code: str, key: str, projector_key: str) -> None:
        self.received: dict[str, list[int]] = defaultdict(list)  # role -> frame sizes
        self.phase_event = ""  # the last phase event the facilitator got (for the naive server)
        self.facilitator = Phone(-1, ws_url, code, None, self.tap, role="facilitator", key=key)
        self.projector = Phone(-2, ws_url, code, None, self.tap, role="projector", key=projector_key)

    def tap(self, phone: Phone, text: str, now: float) -> None:
        self.received[phone.connection.hello["role"]].append(len(text.encode()))
        if phone is self.facilitator and phase_event_seq(text) is not None:
            self.phase_event = text

    def bytes(self) -> dict[str, int]:
        return {role: sum(sizes) for role, sizes in self.received.items()}

    async def stop(self) -> None:
        await self.facilitator.stop()
        await self.projector.stop()

    async def start(self) -> None:
        screens = (self.facilitator, self.projector)
        for screen in screens:
            screen.start()
        assert await until(lambda: all(s.seq is not None for s in screens), 30), "the staff screens"


async def phase_changes(staff: Staff, rounds: int, pause: float, relay: str | None) -> dict[int, float]:
    """Start the day, then a new phase each round; when each phase change was sent, by seq."""
    facilitator = staff.facilitator
    sent: dict[int, float] = {}
    for r in range(rounds + 1):
        action: dict[str, Any] = {"type": "start" if r == 0 else "next_phase"}
        if relay is not None:  # the naive server relays this text to every screen
            action["relay"] = relay.replace(relay[: relay.index(",", SEQ_AT)], f"{relay[:SEQ_AT]}{r}", 1)
        t0 = time.time()
        message_id = await facilitator.send(action)
        assert await until(partial(facilitator.acked.__contains__, message_id), 60, step=0.005), r
        if r > 0:  # round 0 only starts the day
            sent[facilitator.acked[message_id]] = t0
        await asyncio.sleep(pause)
    return sent


def projector_key_of(url: str, code: str, key: str) -> str:
    page = httpx.get(f"{url}/f/{code}/{key}").text
    return page.split(f"/s/{code}/")[1].split('"')[0]


# What each kind of server runs: Samling, the naive relay, the floor (one write per phone).
APPS = {"samling": "app.main:app", "naive": "bench.naive:app", "floor": "bench.floor:app"}


def measure(kind: str, args: argparse.Namespace, relay: str | None) -> tuple[dict[str, str], str]:
    """One run against one server (``samling`` or ``naive``); its figures, and the phase
    event the facilitator got (what the naive server relays)."""
    work = Path(tempfile.mkdtemp(prefix=f"samling-bench-{kind}-"))
    programs = work / "programs"
    programs.mkdir()
    (programs / "benk.toml").write_text(program(args.rounds), encoding="utf-8")
    settings = {
        # The phones send only their heartbeat; nothing here is about the limits.
        "join_attempts_per_minute": "100000000",
        "workshops_per_hour": "100000",
    }
    if args.bus_url:
        settings["bus_url"] = args.bus_url
    if args.database_url:
        settings["database_url"] = args.database_url
    workers = args.workers if kind == "samling" else 1
    app = APPS[kind]
    servers = []
    for i in range(workers):
        (work / f"w{i}").mkdir()
        server = BenchServer(work / f"w{i}", programs, app=app, **settings)
        server.start()
        servers.append(server)
    pids = [s.pid for s in servers]
    pinned = pin(pids, [os.getpid()], args.pin)
    figures: dict[str, str] = {"pinned": str(pinned)}
    phase_event = ""
    try:
        base = servers[0].url
        created = httpx.post(f"{base}/workshops", data={"program": "benk.toml"})
        _, _, code, key = created.headers["location"].split("/")
        projector_key = projector_key_of(base, code, key) if kind == "samling" else "p"
        ws_urls = [s.url.replace("http", "ws") + "/ws" for s in servers]

        async def joined() -> tuple[Staff, list[str], float]:
            staff = Staff(ws_urls[0], code, key, projector_key)
            await staff.start()
            started = time.monotonic()
            join_window[0] = time.time()
            cookies = await join_all(base, code, args.phones)
            join_window[1] = time.time()
            took = time.monotonic() - started
            await asyncio.sleep(0.5)  # the last gathered update reaches the staff
            return staff, cookies, took

        join_window = [0.0, 0.0]
        loop = asyncio.new_event_loop()
        rss_empty = sum(rss_kb(pid) for pid in pids)
        cpu_empty = sum(cpu_seconds(pid) for pid in pids)
        staff, cookies, join_s = loop.run_until_complete(joined())
        join_cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_empty
        rss_joined = sum(rss_kb(pid) for pid in pids)
        staff_join_bytes = staff.bytes()

        ctx = mp.get_context("spawn")
        ready, results, stop = ctx.Queue(), ctx.Queue(), ctx.Queue()
        share = [cookies[i :: args.generators] for i in range(args.generators)]
        procs = [
            ctx.Process(target=generator, args=(ws_urls, code, part, ready, results, stop)) for part in share
        ]
        for proc in procs:
            proc.start()
        pin(pids, [p.pid for p in procs if p.pid is not None], args.pin)
        connected = sum(loop.run_until_complete(asyncio.to_thread(ready.get, True, 900)) for _ in procs)
        loop.run_until_complete(asyncio.sleep(2.0))  # the phones' first clock pings are over
        rss_connected = sum(rss_kb(pid) for pid in pids)
        before_rounds = staff.bytes()
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        window_start = time.time()
        sent = loop.run_until_complete(phase_changes(staff, args.rounds, args.pause, relay))
        loop.run_until_complete(asyncio.sleep(1.0))
        window_end = time.time()
        cpu_rounds = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        after_rounds = staff.bytes()
        phase_event = staff.phase_event
        for _ in procs:
            stop.put(True)
        latencies: list[float] = []
        by_round: dict[int, list[float]] = {}
        received = reconnects = 0
        generator_cpu = generator_gc_max = 0.0
        for _ in procs:
            got, again, cpu, gc_max = results.get(timeout=300)
            generator_cpu += cpu
            generator_gc_max = max(generator_gc_max, gc_max)
            reconnects += again
            for seq, times in got.items():
                if seq in sent:
                    received += len(times)
                    ms = [(t - sent[seq]) * 1000 for t in times]
                    latencies.extend(ms)
                    by_round.setdefault(seq, []).extend(ms)
        for proc in procs:
            proc.join(60)
        pauses = [p for s in servers for p in s.pauses(window_start, window_end)]
        join_pauses = [p for s in servers for p in s.pauses(*join_window)]
        loop.run_until_complete(staff.stop())
        loop.close()
    finally:
        for server in servers:
            server.stop()

    n = args.phones
    expected = n * args.rounds

    def per_round(role: str) -> float:
        return (after_rounds.get(role, 0) - before_rounds.get(role, 0)) / float(args.rounds)

    figures.update(
        {
            "connected": str(connected),
            "join_s": f"{join_s:.1f}",
            "join_cpu_s": f"{join_cpu:.2f}",
            "join_rss_per_phone_kb": f"{(rss_joined - rss_empty) / n:.1f}",
            "rss_per_phone_kb": f"{(rss_connected - rss_empty) / n:.1f}",
            "server_rss_mb": f"{rss_connected / 1024:.1f}",
            "facilitator_kb_during_joins": f"{staff_join_bytes.get('facilitator', 0) / 1024:.0f}",
            "projector_kb_during_joins": f"{staff_join_bytes.get('projector', 0) / 1024:.0f}",
            "facilitator_kb_per_phase_change": f"{per_round('facilitator') / 1024:.1f}",
            "projector_kb_per_phase_change": f"{per_round('projector') / 1024:.1f}",
            "p50_ms": f"{statistics.median(latencies):.1f}" if latencies else "nan",
            "p99_ms": f"{percentile(latencies, 0.99):.1f}" if latencies else "nan",
            "max_ms": f"{max(latencies):.1f}" if latencies else "nan",
            "received": str(received),
            "lost": str(expected - received),
            "phone_reconnects": str(reconnects),
            "server_cpu_s_phase_changes": f"{cpu_rounds:.2f}",
            "generator_cpu_s": f"{generator_cpu:.2f}",
            "generator_gc_pause_max_ms": f"{generator_gc_max:.1f}",
        }
    )
    if args.per_round:  # where a tail comes from: each round's first, median and last phone
        for r, seq in enumerate(sorted(by_round), 1):
            ms = by_round[seq]
            figures[f"round{r}_first_ms"] = f"{min(ms):.1f}"
            figures[f"round{r}_p50_ms"] = f"{statistics.median(ms):.1f}"
            figures[f"round{r}_max_ms"] = f"{max(ms):.1f}"
            t0 = sent[seq]
            during = [p[2] for p in pauses if t0 <= p[0] <= t0 + max(ms) / 1000 + 0.1]
            figures[f"round{r}_gc_ms"] = f"{sum(during):.1f}"
    figures.update(gc_figures("phase_changes", pauses))
    figures.update(gc_figures("joins", join_pauses))
    return figures, phase_event


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1, help="runs against each server, interleaved")
    parser.add_argument("--generators", type=int, default=2, help="load-generator processes")
    parser.add_argument("--workers", type=int, default=1, help="Samling server processes sharing the room")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between rounds")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin processes to cores")
    parser.add_argument("--no-naive", dest="naive", action="store_false", help="measure Samling only")
    parser.add_argument("--floor", action="store_true", help="also bench/floor.py: one write a phone")
    parser.add_argument("--per-round", action="store_true", help="also each round's first, p50 and max")
    parser.add_argument("--bus-url", default="")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    print(f"phones={args.phones}")
    print(f"rounds={args.rounds}")
    print(f"runs={args.runs}")
    print(f"samling_workers={args.workers}")
    print(f"generator_processes={args.generators}")
    print(f"load_average_before={load_average()}", flush=True)
    runs: dict[str, list[dict[str, str]]] = defaultdict(list)
    for run in range(args.runs):
        figures, relay = measure("samling", args, None)
        runs["samling"].append(figures)
        for name, value in figures.items():
            print(f"run{run + 1}_samling_{name}={value}", flush=True)
        for other in [kind for kind, wanted in (("naive", args.naive), ("floor", args.floor)) if wanted]:
            figures, _ = measure(other, args, relay)
            runs[other].append(figures)
            for name, value in figures.items():
                print(f"run{run + 1}_{other}_{name}={value}", flush=True)
    for kind, figures_list in runs.items():
        for name in ("p50_ms", "p99_ms", "max_ms", "join_cpu_s", "rss_per_phone_kb", "lost"):
            values = [float(f[name]) for f in figures_list]
            print(f"{kind}_{name}={statistics.median(values):.1f}")
        pauses = [float(f.get("phase_changes_gc_pause_max_ms", 0)) for f in figures_list]
        print(f"{kind}_gc_pause_max_ms={max(pauses):.1f}")
    for slower, faster in (("naive", "samling"), ("naive", "floor"), ("samling", "floor")):
        if not (runs[slower] and runs[faster]):
            continue
        for name in ("p50_ms", "p99_ms"):
            ratios = [
                float(n[name]) / float(s[name]) for s, n in zip(runs[faster], runs[slower], strict=True)
            ]
            print(f"{slower}_over_{faster}_{name.removesuffix('_ms')}={statistics.median(ratios):.2f}")
    if args.naive:
        ratios = [
            float(n["join_cpu_s"]) / float(s["join_cpu_s"])
            for s, n in zip(runs["samling"], runs["naive"], strict=True)
        ]
        print(f"samling_over_naive_join_cpu={1 / statistics.median(ratios):.2f}")
    print(f"load_average_after={load_average()}")


if __name__ == "__main__":
    main()
