"""Idle rooms leave memory: load N rooms, let them go idle, evict them, and measure the
memory before, loaded and after, and how long loading one back on demand takes.

    .venv/bin/python bench/idle_rooms.py --rooms 1000              # Python's allocations
    .venv/bin/python bench/idle_rooms.py --rooms 1000 --no-trace   # the process's RSS only

The garbage collector is managed as the server manages it (app/realtime/collector.py:
what lives on is frozen at every tick; frozen garbage in cycles is freed by a sweep when
the rooms are quiet), so what comes back is what the server gets back. Python's own
allocations are counted with tracemalloc, which costs time and memory of its own: RSS
figures are best read with ``--no-trace``. ``--rounds`` loads and evicts the same rooms
again (from the database), to see whether the RSS of one round is reused by the next.

Runs in one process against a SQLite file in a temporary folder (no server: the hub is
driven directly, as the routes drive it). Prints name=value lines.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from app.bus.memory import MemoryBus
from app.core.actions import Join
from app.core.room import SYSTEM
from app.realtime.collector import QUIET, Collector
from app.realtime.hub import Hub
from app.settings import Settings
from app.storage.store import Store
from app.workshops import create_workshop

ROOT = Path(__file__).parent.parent


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def traced_mb() -> float:
    return tracemalloc.get_traced_memory()[0] / 1e6 if tracemalloc.is_tracing() else 0.0


class Clock:
    """The collector's and the idle sweep's clock, moved on by the bench."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


async def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="samling-idle-"))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'samling.db'}",
        programs_dir=ROOT / "exercises",
        idle_minutes=1,
    )
    store = Store(settings.database_url)
    bus = MemoryBus()
    await bus.start()
    hub = Hub(settings, store, bus)
    codes = [create_workshop(store, settings, args.program).code for _ in range(args.rooms)]
    clock = Clock()
    managed = Collector(clock=clock)
    managed.start()
    if not args.no_trace:
        tracemalloc.start()
    before_traced, before_rss = traced_mb(), rss_mb()
    print(f"rooms={args.rooms}")
    print(f"people_per_room={args.people}")
    print(f"program={args.program}")
    print(f"traced={not args.no_trace}")
    print(f"traced_before_mb={before_traced:.1f}")
    print(f"rss_before_mb={before_rss:.1f}")

    def quiet_ticks() -> None:
        """The rooms have been quiet past QUIET: the collector's ticks as the server's."""
        managed.tick()
        clock.offset += QUIET + 1
        managed.tick()

    for round_no in range(1, args.rounds + 1):
        # Round 1 joins the people; later rounds load the same rooms back from the
        # database (snapshot and history), as screens coming back would.
        started = time.perf_counter()
        for number, code in enumerate(codes):
            live = await hub.get(code)
            assert live is not None
            for i in range(args.people if round_no == 1 else 0):
                await live.submit(hub.command(Join(name=f"P{i}", token_hash=f"{i:064x}"), SYSTEM))
            if number % 100 == 99:
                managed.tick()  # a tick a second, some 100 rooms apart
        load_s = time.perf_counter() - started
        quiet_ticks()  # what the rooms hold is frozen, as in a server that ran a while
        loaded_traced, loaded_rss = traced_mb(), rss_mb()
        await hub.evict_idle(clock())  # they are seen quiet now ...
        evict_started = time.perf_counter()
        clock.offset += settings.idle_minutes * 60 + 1
        evicted = await hub.evict_idle(clock())  # ... and idle after
        evict_s = time.perf_counter() - evict_started
        quiet_ticks()  # the server's collector, once the rooms are quiet
        after_traced, after_rss = traced_mb(), rss_mb()
        returned = (loaded_traced - after_traced) / max(1e-9, loaded_traced - before_traced)
        r = f"round{round_no}_"
        print(f"{r}evicted={len(evicted)}")
        print(f"{r}load_s={load_s:.2f}")
        print(f"{r}evict_s={evict_s:.2f}")
        if not args.no_trace:
            print(f"{r}traced_loaded_mb={loaded_traced:.1f}")
            print(f"{r}traced_after_evict_mb={after_traced:.1f}")
            print(f"{r}traced_per_room_kb={(loaded_traced - before_traced) * 1000 / args.rooms:.1f}")
            print(f"{r}traced_returned_pct={100 * returned:.1f}")
        print(f"{r}rss_loaded_mb={loaded_rss:.1f}")
        print(f"{r}rss_after_evict_mb={after_rss:.1f}")
    again = time.perf_counter()
    back = await hub.get(codes[0])
    reload_ms = (time.perf_counter() - again) * 1000
    assert back is not None and len(back.room.participants) == args.people
    print(f"reload_one_ms={reload_ms:.1f}")
    if tracemalloc.is_tracing():
        tracemalloc.stop()
    managed.stop()
    await bus.stop()
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--people", type=int, default=5, help="participants who join each room")
    parser.add_argument("--program", default="seljord-samling-2.toml")
    parser.add_argument("--rounds", type=int, default=1, help="load and evict the rooms this many times")
    parser.add_argument("--no-trace", action="store_true", help="no tracemalloc: RSS figures only")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
