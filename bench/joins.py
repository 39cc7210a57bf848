"""What it costs the server to let N phones join, as in a real room.

    .venv/bin/python bench/joins.py --phones 5000          # also --runs 3, --naive, --sizes 1000,2000,5000
    .venv/bin/python bench/joins.py --phones 5000 --profile /tmp/joins.speedscope.json

A real server (one process, SQLite, pinned to the first core, this process to the
other), a workshop, the facilitator's screen and the projector connected and reading
everything (as bench/broadcast.py), then N phones join over HTTP as bench/loadgen.py's
``join_all`` does (32 at a time, each a new person, not navigating). Prints the server's
CPU for the joins (user + system, from /proc) in seconds and per join, the wall time,
what the staff screens received, and the load average. With ``--naive``, each run is
followed by one of bench/naive.py (no staff screens), to compare under the same load.
With ``--profile``, py-spy records the server during the joins (``py-spy record --rate
250 --format speedscope``; install it with ``.venv/bin/pip install py-spy``). With
``--sizes``, one run per size in turn, to see that the cost per join does not grow with
the room.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.broadcast import Staff, program, projector_key_of
from bench.loadgen import BenchServer, cpu_seconds, gc_figures, join_all, load_average, pin


def run(phones: int, profile: str | None, use_pin: bool, naive: bool) -> dict[str, str]:
    work = Path(tempfile.mkdtemp(prefix="samling-joins-"))
    programs = work / "programs"
    programs.mkdir()
    (programs / "benk.toml").write_text(program(3), encoding="utf-8")
    app = "bench.naive:app" if naive else "app.main:app"
    limits = {"join_attempts_per_minute": "100000000", "workshops_per_hour": "100000"}
    server = BenchServer(work, programs, app=app, **limits)
    server.start()
    pinned = pin([server.pid], [os.getpid()], use_pin)
    spy: subprocess.Popen[bytes] | None = None
    try:
        created = httpx.post(f"{server.url}/workshops", data={"program": "benk.toml"})
        _, _, code, key = created.headers["location"].split("/")
        ws_url = server.url.replace("http", "ws") + "/ws"
        staff = None if naive else Staff(ws_url, code, key, projector_key_of(server.url, code, key))

        async def joins() -> tuple[float, float]:
            if staff is not None:
                await staff.start()
            if profile:
                nonlocal spy
                py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
                record = ["record", "--pid", str(server.pid), "--rate", "250", "--format", "speedscope"]
                spy = subprocess.Popen(
                    [py_spy, *record, "-o", profile],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                await asyncio.sleep(1.0)  # py-spy attached
            cpu_before = cpu_seconds(server.pid)
            started, since = time.monotonic(), time.time()
            await join_all(server.url, code, phones)
            took = time.monotonic() - started
            await asyncio.sleep(0.5)  # the last gathered update reaches the staff
            cpu = cpu_seconds(server.pid) - cpu_before
            await asyncio.sleep(0.6)  # bench/serve.py writes the pauses twice a second
            pauses.extend(server.pauses(since))
            if staff is not None:
                await staff.stop()
            return cpu, took

        load = load_average()
        pauses: list[tuple[float, int, float, float, int]] = []
        cpu, took = asyncio.run(joins())
        received = staff.bytes() if staff is not None else {}
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return {
        "server": "naive" if naive else "samling",
        "phones": str(phones),
        "join_cpu_s": f"{cpu:.3f}",
        "join_cpu_ms_per_join": f"{cpu * 1000 / phones:.3f}",
        "join_wall_s": f"{took:.2f}",
        "facilitator_kb": f"{received.get('facilitator', 0) / 1024:.0f}",
        "projector_kb": f"{received.get('projector', 0) / 1024:.0f}",
        **gc_figures("join", pauses),
        "pinned": str(pinned),
        "load_before": load,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--sizes", default="", help="room sizes, comma-separated, one run each")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", default="", help="py-spy speedscope output (one run)")
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    parser.add_argument("--naive", action="store_true", help="also bench/naive.py, interleaved (no staff)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.phones]
    for _ in range(args.runs):
        for size in sizes:
            for naive in (False, True) if args.naive else (False,):
                figures = run(size, None if naive else args.profile or None, args.pin, naive)
                print(" ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()
