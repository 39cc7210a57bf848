"""Idle rooms leave memory: load N rooms, let them go idle, evict them, and measure the
memory before, loaded and after (Python's own allocations, by tracemalloc, and the
process's RSS), and how long loading one back on demand takes.

    .venv/bin/python bench/idle_rooms.py --rooms 1000

Runs in one process against a SQLite file in a temporary folder (no server: the hub is
driven directly, as the routes drive it). Prints name=value lines.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
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
    gc.collect()
    return tracemalloc.get_traced_memory()[0] / 1e6


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
    tracemalloc.start()
    before_traced, before_rss = traced_mb(), rss_mb()
    started = time.perf_counter()
    for code in codes:
        live = await hub.get(code)
        assert live is not None
        for i in range(args.people):
            await live.submit(hub.command(Join(name=f"P{i}", token_hash=f"{i:064x}"), SYSTEM))
    load_s = time.perf_counter() - started
    loaded_traced, loaded_rss = traced_mb(), rss_mb()
    t0 = time.monotonic()
    await hub.evict_idle(t0)  # they are seen quiet now ...
    evict_started = time.perf_counter()
    evicted = await hub.evict_idle(t0 + settings.idle_minutes * 60 + 1)  # ... and idle after
    evict_s = time.perf_counter() - evict_started
    after_traced, after_rss = traced_mb(), rss_mb()
    again = time.perf_counter()
    back = await hub.get(codes[0])
    reload_ms = (time.perf_counter() - again) * 1000
    assert back is not None and len(back.room.participants) == args.people
    print(f"rooms={args.rooms}")
    print(f"people_per_room={args.people}")
    print(f"program={args.program}")
    print(f"evicted={len(evicted)}")
    print(f"load_s={load_s:.2f}")
    print(f"evict_s={evict_s:.2f}")
    print(f"reload_one_ms={reload_ms:.1f}")
    print(f"traced_before_mb={before_traced:.1f}")
    print(f"traced_loaded_mb={loaded_traced:.1f}")
    print(f"traced_after_evict_mb={after_traced:.1f}")
    print(f"traced_per_room_kb={(loaded_traced - before_traced) * 1000 / args.rooms:.1f}")
    returned = (loaded_traced - after_traced) / max(1e-9, loaded_traced - before_traced)
    print(f"traced_returned_pct={100 * returned:.1f}")
    print(f"rss_before_mb={before_rss:.1f}")
    print(f"rss_loaded_mb={loaded_rss:.1f}")
    print(f"rss_after_evict_mb={after_rss:.1f}")
    tracemalloc.stop()
    await bus.stop()
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--people", type=int, default=5, help="participants who join each room")
    parser.add_argument("--program", default="seljord-samling-2.toml")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
