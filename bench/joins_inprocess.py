"""The joins of bench/joins.py in process: the app's own CPU per join, without uvicorn.

    .venv/bin/python bench/joins_inprocess.py 5000                  # 32 joins at a time
    .venv/bin/python bench/joins_inprocess.py 3000 --one-at-a-time   # as a real room's joins come
    .venv/bin/python bench/joins_inprocess.py 2000 --one-at-a-time --calls

The ASGI app (``app.main:app``, SQLite in a temporary folder) is called directly with the
HTTP scope, body and send of ``POST /join`` as a browser's form sends it, after its
lifespan started and a workshop was created, with no screen connected. Prints the CPU of
this process (``time.process_time``) per join, for each block of 1,000 joins (the cost
must not grow with the room) and in all. With ``--calls``, under cProfile: the Python
calls a join takes, which the machine's load does not change (for A/B on a shared
machine). Run it from the tree to measure (it imports ``app`` from the working directory).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.getcwd())

from starlette.types import Message


async def call(app: Any, path: str, body: bytes) -> dict[str, Any]:
    """One HTTP request to the app; the status and headers it answered."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 5555),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client stays
        return {"type": "http.disconnect"}

    answer: dict[str, Any] = {}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], dict(message["headers"])

    await app(scope, receive, send)
    return answer


async def measure(joins: int, at_once: int, calls: bool) -> None:
    from bench.broadcast import program

    work = Path(tempfile.mkdtemp(prefix="samling-joins-inprocess-"))
    (work / "programs").mkdir()
    (work / "programs" / "benk.toml").write_text(program(3), encoding="utf-8")
    os.environ.update(
        SAMLING_DATABASE_URL=f"sqlite:///{work / 'samling.db'}",
        SAMLING_PROGRAMS_DIR=str(work / "programs"),
        SAMLING_JOIN_ATTEMPTS_PER_MINUTE="100000000",
        SAMLING_WORKSHOPS_PER_HOUR="100000",
    )
    from app.main import create_app  # after the settings: importing app.main makes an app

    app = create_app()
    lifespan: asyncio.Queue[Message] = asyncio.Queue()

    async def told(message: Message) -> None:
        pass

    running = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, lifespan.get, told)
    )
    await lifespan.put({"type": "lifespan.startup"})
    await asyncio.sleep(0.5)
    created = await call(app, "/workshops", b"program=benk.toml")
    code = created["headers"][b"location"].decode().split("/")[2]
    gate = asyncio.Semaphore(at_once)

    async def join(i: int) -> None:
        async with gate:
            joined = await call(app, "/join", f"code={code}&name=P{i}".encode())
        assert joined["status"] == 303, joined

    await asyncio.gather(*(join(-i - 1) for i in range(50)))  # warm
    profile = cProfile.Profile() if calls else None
    blocks = []
    started = time.process_time()
    if profile is not None:
        profile.enable()
    for first in range(0, joins, 1000):
        block = range(first, min(joins, first + 1000))
        block_started = time.process_time()
        await asyncio.gather(*(join(i) for i in block))
        blocks.append((time.process_time() - block_started) * 1000 / len(block))
    if profile is not None:
        profile.disable()
    cpu = time.process_time() - started
    print("cpu_ms_per_join_by_1000=" + "/".join(f"{b:.3f}" for b in blocks))
    print(f"joins={joins} at_once={at_once} cpu_ms_per_join={cpu * 1000 / joins:.3f}")
    if profile is not None:
        print(f"python_calls_per_join={pstats.Stats(profile).total_calls / joins:.0f}")  # type: ignore[attr-defined]
    await lifespan.put({"type": "lifespan.shutdown"})
    await asyncio.sleep(0.2)
    running.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("joins", type=int, nargs="?", default=2000)
    parser.add_argument("--one-at-a-time", action="store_true", help="one join in flight, not 32")
    parser.add_argument("--calls", action="store_true", help="under cProfile: Python calls a join")
    args = parser.parse_args()
    asyncio.run(measure(args.joins, 1 if args.one_at_a_time else 32, args.calls))


if __name__ == "__main__":
    main()
