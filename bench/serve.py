"""uvicorn with every pause of the garbage collector recorded, for the benchmarks.

    python bench/serve.py STATS.json app.main:app --host ... (uvicorn's arguments)

Times each collection with ``gc.callbacks`` (wall clock: what the event loop lost, and
the CPU of the thread that ran it) and appends the new ones to STATS.json (a JSON line
each) twice a second, so the benchmark reads the pauses of the run from outside the
server. Nothing else changes: the app manages its collector as it always does (app/realtime/collector.py).
"""

from __future__ import annotations

import gc
import json
import sys
import threading
import time
from typing import Any

# (time.time() at the end, generation, wall ms, cpu ms, objects collected)
pauses: list[tuple[float, int, float, float, int]] = []
_started: list[float] = [0.0, 0.0]


def _watch(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0], _started[1] = time.perf_counter(), time.thread_time()
    else:
        wall = (time.perf_counter() - _started[0]) * 1000
        cpu = (time.thread_time() - _started[1]) * 1000
        pauses.append((time.time(), info["generation"], wall, cpu, info["collected"]))


def _dump(path: str) -> None:
    """Appends the pauses recorded since the last time, a JSON line each: writing only what
    is new keeps this thread's share of the GIL small and constant. (Writing the whole
    growing list twice a second cost a fifth of the server's CPU while 1,000 phones joined,
    and held the event loop for milliseconds each time, in the figures being measured.)"""
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        while True:
            time.sleep(0.5)
            new = pauses[written:]
            written += len(new)
            out.write("".join(json.dumps(p) + "\n" for p in new))
            out.flush()


def main() -> None:
    path = sys.argv.pop(1)
    gc.callbacks.append(_watch)
    threading.Thread(target=_dump, args=(path,), daemon=True, name="gc-stats").start()
    from uvicorn.main import main as uvicorn_main

    sys.argv[0] = "uvicorn"
    uvicorn_main()


def read(path: str) -> dict[str, Any]:
    """What a server wrote so far (no pauses if it wrote nothing)."""
    try:
        with open(path, encoding="utf-8") as stats:
            lines = stats.read().splitlines()
    except OSError:
        lines = []
    # A line being written as we read is left for the next read.
    pauses = []
    for line in lines:
        try:
            pauses.append(json.loads(line))
        except ValueError:
            break
    return {"pauses": pauses}


if __name__ == "__main__":
    main()
