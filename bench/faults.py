"""Faults under load: many phones send words while the server is killed, Redis restarts,
PostgreSQL is unreachable for a while, or the phones' network is cut; then count what
survived.

    .venv/bin/python bench/faults.py --phones 200                     # kill -9, SQLite
    .venv/bin/python bench/faults.py --phones 200 --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/faults.py --phones 200 --fault redis       # 2 workers, PostgreSQL
    .venv/bin/python bench/faults.py --phones 200 --fault postgres    # PostgreSQL cut for a while
    .venv/bin/python bench/faults.py --phones 200 --fault network     # the phones' Wi-Fi gone 5 s
    .venv/bin/python bench/faults.py --phones 200 --fault network --network-events

Joins N phones that behave like the browser (``tests/phoneclient.py``: the browser's
policy.js and connection.js, checked by tests/test_phone_agrees_with_browser.py), starts
a G-phase, has every phone send words to the word cloud, and in the middle:

- ``kill``: kills the server with SIGKILL, restarts it after --down seconds; how long
  phones took to resume after the restart (p50/p99/max).
- ``redis``: two workers share the room through a Redis of the bench's own, which is shut
  down for --down seconds; how long after Redis is back every phone has caught up.
- ``postgres``: the server reaches PostgreSQL through a proxy that is cut for --down
  seconds; how many actions were refused for now, how long after the database is back
  every phone's kept actions are stored, and that the server never restarted.
- ``network``: the phones reach the server through a proxy that is cut for --down
  seconds (default 5) as Wi-Fi goes: the open connections go silent (nothing passes, no
  end is told, and they stay dead afterwards) and new ones are refused; then it is
  restored. Each phone must notice by itself (a missing pong) and come back; how long
  after the network is back each phone is connected and welcomed, its badge online
  (p50/p99/max). ``--network-events``: the phones hear the browser's ``offline`` event
  when the network goes and ``online`` when it is back (a phone whose own Wi-Fi drops
  does; one behind a broken access point does not).

Always prints sent = acknowledged = stored, duplicates and losses (both must be 0), and
whether the timer kept its deadline, as ``name=value`` lines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.kinds import wordcloud
from app.core.serialize import command_from_json
from app.storage.store import Store
from app.storage.tables import CommandRow
from bench.loadgen import join_all, percentile
from tests.liveserver import LiveServer, free_port
from tests.phoneclient import Phone
from tests.tcpproxy import CuttableProxy

PROGRAM = """
title = "Feilbenk"
[[exercises]]
id = "gruppe"
title = "Gruppearbeid"
[[exercises.phases]]
kind = "G"
minutes = 15
[exercises.wordcloud]
max_words = 20
"""
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


async def wait_until(condition: object, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.05)
    return False


def words_of(server: LiveServer, code: str, key: str) -> Counter[str]:
    """The words a server shows on the results page (what it holds in memory), counted."""
    results = httpx.get(f"{server.url}/f/{code}/{key}/results.json", timeout=30).json()
    return Counter({w["text"]: w["count"] for w in results["exercises"][0]["wordcloud"]["words"]})


def stored_words(database_url: str, code: str) -> list[tuple[str | None, str]]:
    """The words in the room's stored history (not what a server holds in memory), each
    with the message id the phone sent it with."""
    store = Store(database_url)
    try:
        workshop = store.find_workshop(code)
        assert workshop is not None and workshop.id is not None
        with Session(store.engine) as session:
            mine = CommandRow.workshop_id == workshop.id
            rows = session.exec(select(CommandRow.idempotency_key, CommandRow.body).where(mine)).all()
    finally:
        store.close()
    commands = [(key, command_from_json(json.loads(body))) for key, body in rows]
    return [(key, cmd.action.word) for key, cmd in commands if isinstance(cmd.action, wordcloud.Submit)]


def tally(sent: Collection[str], acked: Collection[str], stored: Counter[str]) -> dict[str, object]:
    """What was sent and acknowledged against what is stored, each action known by one
    name (its word, or its message id): stored twice is a duplicate; sent and not stored
    is lost, and worst if it was acknowledged."""
    sent = set(sent)
    return {
        "sent": len(sent),
        "acked": len(acked),
        "stored": sum(stored.values()),
        "duplicates": sum(n - 1 for n in stored.values() if n > 1),
        "stored_never_sent": sum(1 for name in stored if name not in sent),
        "lost": sum(1 for name in sent if name not in stored),
        "lost_acknowledged": sum(1 for name in acked if name not in stored),
    }


@dataclass
class Bench:
    """The servers, what they depend on, and the phones; each fault acts on these."""

    args: argparse.Namespace
    servers: list[LiveServer]
    phones: list[Phone] = field(default_factory=list)
    staff: list[Phone] = field(default_factory=list)  # a facilitator's screen on each server
    redis_command: list[str] = field(default_factory=list)
    redis: subprocess.Popen[bytes] | None = None
    proxy: CuttableProxy | None = None  # between the server and PostgreSQL
    network: CuttableProxy | None = None  # between the phones and the server


def spread(name: str, seconds: list[float]) -> dict[str, object]:
    if not seconds:
        return {}
    return {
        f"{name}_p50_s": f"{statistics.median(seconds):.2f}",
        f"{name}_p99_s": f"{percentile(seconds, 0.99):.2f}",
        f"{name}_max_s": f"{max(seconds):.2f}",
    }


def back_after(phone: Phone, moment: float) -> float | None:
    """When the phone was first welcomed after ``moment`` (monotonic), if it was."""
    return next((t for t in phone.welcomed_at if t > moment), None)


async def kill(bench: Bench) -> dict[str, object]:
    server = bench.servers[0]
    server.kill()
    await asyncio.sleep(bench.args.down)
    server.start()
    restarted = time.monotonic()
    phones = bench.phones
    resumed_all = await wait_until(lambda: all(back_after(p, restarted) for p in phones), 60)
    resumed = [t - restarted for p in phones if (t := back_after(p, restarted))]
    return {"resumed": len(resumed), "all_resumed": resumed_all, **spread("resume", resumed)}


async def redis_restart(bench: Bench) -> dict[str, object]:
    assert bench.redis is not None
    bench.redis.terminate()
    bench.redis.wait()
    await asyncio.sleep(bench.args.down)
    bench.redis = subprocess.Popen(bench.redis_command, stdout=subprocess.DEVNULL)
    back = time.monotonic()
    # Everything acknowledged until Redis came back reaches the screens on both workers
    # (staff screens hear of every word; a phone only of what concerns it).
    target = max((seq for p in bench.phones for seq in p.acked.values()), default=0)
    caught_up = await wait_until(lambda: all((p.seq or 0) >= target for p in bench.staff), 60)
    return {
        "redis_down_s": bench.args.down,
        "all_caught_up": caught_up,
        "caught_up_after_redis_back_s": f"{time.monotonic() - back:.2f}",
    }


async def postgres_cut(bench: Bench) -> dict[str, object]:
    assert bench.proxy is not None
    server = bench.servers[0]
    assert server.process is not None
    pid = server.process.pid
    bench.proxy.cut()
    await asyncio.sleep(bench.args.down)
    bench.proxy.mend()
    back = time.monotonic()
    drained = await wait_until(lambda: all(not p.unacked for p in bench.phones), 60)
    return {
        "postgres_down_s": bench.args.down,
        "refused_for_now": sum(p.transient["storage_unavailable"] for p in bench.phones),
        "all_stored_after_postgres_back": drained,
        "stored_after_postgres_back_s": f"{time.monotonic() - back:.2f}",
        "server_restarted": server.process.poll() is not None or server.process.pid != pid,
    }


async def network_cut(bench: Bench) -> dict[str, object]:
    assert bench.network is not None
    phones = bench.phones
    bench.network.cut(silent=True)
    cut = time.monotonic()
    if bench.args.network_events:  # the browser's `offline`
        for phone in phones:
            phone.kick()
    await asyncio.sleep(bench.args.down)
    noticed = sum(p.status != "online" for p in phones)
    bench.network.mend()
    mended = time.monotonic()
    if bench.args.network_events:  # the browser's `online`
        for phone in phones:
            phone.kick()
    all_back = await wait_until(lambda: all(back_after(p, cut) and p.status == "online" for p in phones), 60)
    back = [t - mended for p in phones if (t := back_after(p, cut))]
    return {
        "network_down_s": bench.args.down,
        "network_events": bench.args.network_events,
        "connections_cut": bench.network.dropped,
        "connections_refused_while_cut": bench.network.refused,
        "phones_noticed_during_cut": noticed,
        "phones_back": len(back),
        "badges_online": sum(p.status == "online" for p in phones),
        "all_back": all_back,
        **spread("back", back),
    }


FAULTS: dict[str, Callable[[Bench], Awaitable[dict[str, object]]]] = {
    "kill": kill,
    "redis": redis_restart,
    "postgres": postgres_cut,
    "network": network_cut,
}


def start(args: argparse.Namespace, work: Path) -> Bench:
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
    bench = Bench(args, [])
    workers = 1
    if args.fault == "redis":
        workers = 2
        port = free_port()
        bench.redis_command = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
        bench.redis = subprocess.Popen(bench.redis_command, stdout=subprocess.DEVNULL)
        time.sleep(0.3)
        env["bus_url"] = f"redis://127.0.0.1:{port}/0"
    if args.fault == "postgres":
        host_port = env["database_url"].split("@", 1)[1].split("/", 1)[0]
        host, port_text = host_port.rsplit(":", 1)
        bench.proxy = CuttableProxy(host, int(port_text))
        bench.proxy.start()
        env["database_url"] = env["database_url"].replace(f"@{host_port}/", f"@127.0.0.1:{bench.proxy.port}/")
    for i in range(workers):
        (work / f"w{i}").mkdir()
        server = LiveServer(work / f"w{i}", programs, **env)
        server.start()
        bench.servers.append(server)
    if args.fault == "network":
        bench.network = CuttableProxy("127.0.0.1", bench.servers[0].port)
        bench.network.start()
    return bench


def stop(bench: Bench) -> None:
    for server in bench.servers:
        server.stop()
    if bench.redis is not None:
        bench.redis.terminate()
        bench.redis.wait()
    for proxy in (bench.proxy, bench.network):
        if proxy is not None:
            proxy.stop()


async def run(args: argparse.Namespace) -> None:
    bench = start(args, Path(tempfile.mkdtemp(prefix="samling-faults-")))
    try:
        first = bench.servers[0].url
        created = httpx.post(f"{first}/workshops", data={"program": "feil.toml"})
        _, _, code, key = created.headers["location"].split("/")
        cookies = await join_all(first, code, args.phones)
        ws_urls = [s.url.replace("http", "ws") + "/ws" for s in bench.servers]
        bench.staff = [Phone(url, code, None, role="facilitator", key=key) for url in ws_urls]
        facilitator = bench.staff[0]
        if bench.network is not None:  # the phones' Wi-Fi; the facilitator's laptop is wired
            ws_urls = [f"ws://127.0.0.1:{bench.network.port}/ws"]
        bench.phones = [Phone(ws_urls[i % len(ws_urls)], code, c) for i, c in enumerate(cookies)]
        phones = bench.phones
        for client in (*bench.staff, *phones):
            client.start()
        await wait_until(lambda: all(p.seq is not None for p in (*bench.staff, *phones)), 60)
        await facilitator.send({"type": "start"})
        await wait_until(lambda: not facilitator.unacked, 10)
        deadline = facilitator.state["position"]["timer"]["ends_at"]

        sent: set[str] = set()  # message ids

        async def submit(phone: Phone, index: int) -> None:
            for n in range(args.rounds):
                word = {"type": "wordcloud_submit", "exercise": "gruppe", "word": f"w{index}x{n}"}
                sent.add(await phone.send(word))
                await asyncio.sleep(args.interval)

        writers = asyncio.gather(*(submit(p, i) for i, p in enumerate(phones)))
        await asyncio.sleep(args.rounds * args.interval / 2)
        acked_before_fault = sum(len(p.acked) for p in phones)
        figures = await FAULTS[args.fault](bench)
        await writers
        settled = await wait_until(lambda: all(not p.unacked for p in phones), 120)

        # What each server shows (with several workers they must agree), and what is stored.
        database_url = args.database_url or bench.servers[0].env["SAMLING_DATABASE_URL"]
        history = stored_words(database_url, code)
        stored = Counter(word for _, word in history)
        settled_at = time.monotonic()
        for _ in range(100):  # another worker may still be applying the last messages
            shown = [words_of(s, code, key) for s in bench.servers]
            if all(c == stored for c in shown):
                break
            await asyncio.sleep(0.1)
        agreed_s = time.monotonic() - settled_at
        counts = tally(sent, {i for p in phones for i in p.acked}, Counter(key for key, _ in history if key))
        refused = sum(len(p.refused) for p in phones)
        timer_kept = all(p.state["position"]["timer"]["ends_at"] == deadline for p in phones)
        await asyncio.gather(*(p.stop() for p in (*bench.staff, *phones)))
    finally:
        stop(bench)

    print(f"fault={args.fault}")
    print(f"phones={args.phones}")
    print(f"server_workers={len(bench.servers)}")
    print(f"database={'postgresql' if args.database_url else 'sqlite'}")
    print(f"down_s={args.down}")
    for name, value in figures.items():
        print(f"{name}={value}")
    print(f"acked_before_fault={acked_before_fault}")
    print(f"refused={refused}")
    for name, value in counts.items():
        print(f"{name}={value}")
    print(f"shown_by_each_server={','.join(str(sum(c.values())) for c in shown)}")
    print(f"servers_agree_with_database={all(c == stored for c in shown)}")
    print(f"servers_agreed_after_last_ack_s={agreed_s:.2f}")
    print(f"all_settled={settled}")
    print(f"timer_kept_deadline={timer_kept}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10, help="words per phone (at most 20)")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between a phone's words")
    parser.add_argument("--fault", choices=sorted(FAULTS), default="kill")
    parser.add_argument(
        "--down", type=float, default=None, help="seconds the fault lasts (5 for network, else 2)"
    )
    parser.add_argument(
        "--network-events", action="store_true", help="network: phones hear `offline` and `online`"
    )
    parser.add_argument(
        "--database-url", default="", help=f"default: SQLite; {DEFAULT_POSTGRES} for redis, postgres"
    )
    args = parser.parse_args()
    if args.down is None:
        args.down = 5.0 if args.fault == "network" else 2.0
    if args.fault in ("redis", "postgres") and not args.database_url:
        args.database_url = DEFAULT_POSTGRES
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
