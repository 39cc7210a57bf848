"""What the benchmarks share: joining many phones, cheap simulated phones, and measuring.

A simulated phone is websockets' sans-I/O client on a bare asyncio protocol: no task per
phone and no parsing of frames that do not matter, so a generator process spends a few
µs per frame and the figures measure the server, not the generator. It keeps the
browser's heartbeat (``POLICY`` from app/static/js/lib/policy.js: a few clock pings after
the welcome, then one every ``pingIntervalMs``), so the server does not drop it as silent
and the figures include what the heartbeat costs. Benchmarks run several generator
processes (``spawn``) and report the CPU those took.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import httpx
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

from tests.phoneclient import POLICY

# Called for every text frame a phone receives: (phone, raw frame, arrival time.time()).
OnFrame = Callable[["Phone", bytes, float], None]


class Phone(asyncio.Protocol):
    """One simulated phone: says hello once the upgrade is answered, pings as the browser
    does once welcomed, hands frames on."""

    def __init__(self, index: int, url: str, cookie: str, hello: bytes, on_frame: OnFrame) -> None:
        self.index = index
        self.client = ClientProtocol(parse_uri(url), max_size=None)
        self.request = self.client.connect()
        self.request.headers["Cookie"] = cookie
        self.hello = hello
        self.on_frame = on_frame
        self.transport: asyncio.Transport | None = None
        self.heartbeat: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.client.send_request(self.request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.client.receive_data(data)
        for event in self.client.events_received():
            if isinstance(event, Response):
                self.send(self.hello)
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                raw = bytes(event.data)
                if raw.startswith(b'{"type":"welcome"'):
                    self._welcomed()
                self.on_frame(self, raw, now)
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.heartbeat is not None:
            self.heartbeat.cancel()

    def _welcomed(self) -> None:
        loop = asyncio.get_running_loop()
        for i in range(POLICY["clockSamples"]):
            loop.call_later(i * POLICY["clockSampleSpacingMs"] / 1000, self.ping)
        if self.heartbeat is not None:
            self.heartbeat.cancel()
        self.heartbeat = loop.call_later(POLICY["pingIntervalMs"] / 1000, self._beat)

    def _beat(self) -> None:
        self.ping()
        self.heartbeat = asyncio.get_running_loop().call_later(POLICY["pingIntervalMs"] / 1000, self._beat)

    def ping(self) -> None:
        if self.client.state is State.OPEN:
            self.send(b'{"type":"ping","t0":%d}' % int(time.time() * 1000))

    def send(self, text: bytes) -> None:
        self.client.send_text(text)
        self._flush()

    def _flush(self) -> None:
        assert self.transport is not None
        for chunk in self.client.data_to_send():
            if chunk:
                self.transport.write(chunk)


def fast_event_loop() -> None:
    """uvloop in generator processes when it is installed (it is with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        return
    uvloop.install()


async def connect_phones(urls: list[str], cookies: list[str], hello: bytes, on_frame: OnFrame) -> list[Phone]:
    """Connect one phone per cookie, spread over ``urls``, 50 at a time."""
    loop = asyncio.get_running_loop()
    phones = []
    for i, cookie in enumerate(cookies):
        url = urls[i % len(urls)]
        uri = parse_uri(url)
        phone = Phone(i, url, cookie, hello, on_frame)
        await loop.create_connection(lambda p=phone: p, uri.host, uri.port)  # type: ignore[misc]
        phones.append(phone)
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # do not knock all at once
    return phones


async def join_all(url: str, code: str, count: int) -> list[str]:
    """Join ``count`` phones, each a new person: the client keeps no cookies of its own."""
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    # Idle connections are dropped well before the server's keep-alive timeout (5 s), so
    # a join never goes out on a connection the server is closing.
    limits = httpx.Limits(max_connections=32, keepalive_expiry=1.0)
    semaphore = asyncio.Semaphore(32)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120, cookies=no_cookies) as http:

        async def one(i: int) -> str:
            async with semaphore:
                response = await http.post("/join", data={"code": code, "name": f"P{i}"})
            cookie = response.headers["set-cookie"].split(";", 1)[0]
            assert cookie.startswith(f"samling_{code}="), cookie
            return cookie

        return list(await asyncio.gather(*(one(i) for i in range(count))))


def pin(servers: list[int], generators: list[int], enabled: bool) -> bool:
    """Servers on the first half of the cores, load generators on the rest, so that the
    generator does not steal the server's CPU (and the figures say what the server did).
    Processes a server starts later (the cloud's drawing worker) share its cores. With no
    ``servers``, only the generators are confined and the server may use every core."""
    cores = sorted(os.sched_getaffinity(0))
    if not enabled or len(cores) < 2:
        return False
    half = len(cores) // 2
    for pid in servers:
        os.sched_setaffinity(pid, cores[:half])
    for pid in generators:
        os.sched_setaffinity(pid, cores[half:])
    return True


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process and its waited-for children have used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
