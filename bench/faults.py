"""Kill -9 the server mid-phase while many phones submit; restart it; count what survived.

    .venv/bin/python bench/faults.py --phones 200

Starts a real server (SQLite by default, or --database-url), joins N phones that behave
like the browser (reconnect with jittered backoff, resend unacknowledged actions with the
same id), starts a G-phase, has every phone submit comments, kills the server with
SIGKILL in the middle, restarts it, and prints as ``name=value`` lines: how long phones
took to resume after the restart (p50/p99/max), and sent = acknowledged = stored, with
duplicates and losses (both must be 0), and whether the timer kept its deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.liveserver import LiveServer
from tests.phoneclient import Phone

PROGRAM = """
title = "Feilbenk"
[[exercises]]
id = "gruppe"
title = "Gruppearbeid"
[[exercises.phases]]
kind = "G"
minutes = 15
[exercises.comments]
max_per_person = 100
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def join_all(url: str, code: str, count: int) -> list[str]:
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:

        async def one(i: int) -> str:
            response = await http.post("/join", data={"code": code, "name": f"P{i}"}, cookies={})
            return f"samling_{code}={response.cookies[f'samling_{code}']}"

        return list(await asyncio.gather(*(one(i) for i in range(count))))


async def wait_until(condition: object, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.05)
    return False


async def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="samling-faults-"))
    programs = work / "programs"
    programs.mkdir()
    (programs / "feil.toml").write_text(PROGRAM, encoding="utf-8")
    env = {
        "messages_per_second": "50",
        "message_burst": "100",
        "room_messages_per_second": "100000",
        "join_attempts_per_minute": "1000000",
        "send_queue_size": "4096",
    }
    if args.database_url:
        env["database_url"] = args.database_url
    server = LiveServer(work, programs, **env)
    server.start()
    created = httpx.post(f"{server.url}/workshops", data={"program": "feil.toml"})
    _, _, code, key = created.headers["location"].split("/")
    cookies = await join_all(server.url, code, args.phones)
    ws_url = server.url.replace("http", "ws") + "/ws"
    facilitator = Phone(ws_url, code, None, role="facilitator", key=key)
    phones = [Phone(ws_url, code, cookie) for cookie in cookies]
    for client in (facilitator, *phones):
        client.start()
    await wait_until(lambda: all(p.seq is not None for p in (facilitator, *phones)), 60)
    await facilitator.send({"type": "start"})
    await wait_until(lambda: not facilitator.unacked, 10)
    deadline = facilitator.state["position"]["timer"]["ends_at"]

    async def submit(phone: Phone, index: int) -> None:
        for n in range(args.rounds):
            await phone.send({"type": "comment_add", "exercise": "gruppe", "text": f"{index}-{n}"})
            await asyncio.sleep(args.interval)

    writers = asyncio.gather(*(submit(p, i) for i, p in enumerate(phones)))
    await asyncio.sleep(args.rounds * args.interval / 2)
    acked_before_kill = sum(len(p.acked) for p in phones)
    server.kill()
    await asyncio.sleep(args.down)
    server.start()
    restarted = time.monotonic()
    await writers
    resumed_all = await wait_until(lambda: all(p.snapshots_at[-1] > restarted for p in phones), 60)
    resumed = [p.snapshots_at[-1] - restarted for p in phones if p.snapshots_at[-1] > restarted]
    settled = await wait_until(lambda: all(not p.unacked for p in phones), 120)

    results = httpx.get(f"{server.url}/f/{code}/{key}/results.json", timeout=30).json()
    stored = Counter(c["text"] for c in results["exercises"][0]["comments"]["comments"])
    sent = {f"{i}-{n}" for i in range(args.phones) for n in range(args.rounds)}
    acked = sum(len(p.acked) for p in phones)
    refused = sum(len(p.refused) for p in phones)
    timer_kept = all(p.state["position"]["timer"]["ends_at"] == deadline for p in phones)
    await asyncio.gather(*(p.stop() for p in (facilitator, *phones)))
    server.stop()

    print(f"phones={args.phones}")
    print(f"database={'postgresql' if args.database_url else 'sqlite'}")
    print(f"down_s={args.down}")
    print(f"resumed={len(resumed)}")
    print(f"all_resumed={resumed_all}")
    if resumed:
        print(f"resume_p50_s={statistics.median(resumed):.2f}")
        print(f"resume_p99_s={percentile(resumed, 0.99):.2f}")
        print(f"resume_max_s={max(resumed):.2f}")
    print(f"sent={len(sent)}")
    print(f"acked_before_kill={acked_before_kill}")
    print(f"acked={acked}")
    print(f"refused={refused}")
    print(f"stored={sum(stored.values())}")
    print(f"duplicates={sum(n - 1 for n in stored.values() if n > 1)}")
    print(f"lost={len(sent - set(stored))}")
    print(f"all_settled={settled}")
    print(f"timer_kept_deadline={timer_kept}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10, help="comments per phone")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between a phone's comments")
    parser.add_argument("--down", type=float, default=2.0, help="seconds the server stays dead")
    parser.add_argument("--database-url", default="", help="e.g. postgresql://postgres@127.0.0.1/test")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
