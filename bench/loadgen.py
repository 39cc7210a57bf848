"""What the benchmarks share: joining many phones, phones that behave like the browser,
and measuring.

A simulated phone is ``tests/phoneclient.py``'s: the browser's room client
(app/static/js/lib/connection.js) ported line by line, with the browser's numbers from
policy.js, checked against the browser's under Node by
tests/test_phone_agrees_with_browser.py. So a phone says hello with ``last_seq`` when it
comes back, sends every unacknowledged action again with its id after each welcome,
retries a refusal for now after a backoff, pings as the browser does and gives up on a
silent connection. Its socket is websockets' sans-I/O client on a bare asyncio protocol
(no task per phone); here it also tells the benchmark each text frame with the moment
its bytes arrived, before anything is parsed. Benchmarks run several generator
processes (``spawn``) and report the CPU those took, so one can see it was the server
that was measured.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import httpx

from bench import serve
from tests import phoneclient
from tests.liveserver import LiveServer

BENCH = Path(__file__).resolve().parent
CORES = sorted(os.sched_getaffinity(0))  # before anything is pinned

# Called for every text frame a phone receives: (phone, frame, arrival time.time()).
Tap = Callable[["Phone", str, float], None]


class TappedSocket(phoneclient.WebSocket):
    """The browser-shaped socket, telling ``tap`` each text frame with the moment its
    bytes arrived. With ``defer``, the bytes are read and stamped at once but parsed
    (and the phone reacts to them) ``defer`` seconds later: a real phone parses its
    frames on its own processor, while here one core holds thousands of phones, and
    parsing one phone's frame would delay reading the next phone's."""

    def __init__(
        self, url: str, headers: dict[str, str], tap: Callable[[str, float], None], defer: float = 0.0
    ) -> None:
        super().__init__(url, headers)
        self._tap = tap
        self._arrived = 0.0
        self._deliver: Callable[[str], None] | None = None
        self._defer = defer
        self._inbox: list[tuple[bytes, float]] = []

    @property
    def onmessage(self) -> Callable[[str], None] | None:
        return self._tapped if self._deliver is not None else None

    @onmessage.setter
    def onmessage(self, deliver: Callable[[str], None] | None) -> None:
        self._deliver = deliver

    def _tapped(self, text: str) -> None:
        self._tap(text, self._arrived)
        if self._deliver is not None:
            self._deliver(text)

    def data_received(self, data: bytes) -> None:
        if not self._defer:
            self._arrived = time.time()
            super().data_received(data)
            return
        if not self._inbox:
            asyncio.get_running_loop().call_later(self._defer, self._parse)
        self._inbox.append((data, time.time()))

    def _parse(self) -> None:
        inbox, self._inbox = self._inbox, []
        for data, arrived in inbox:
            self._arrived = arrived
            super().data_received(data)


class Phone(phoneclient.Phone):
    """A phone (or a staff screen) of ``tests/phoneclient.py`` whose frames a benchmark
    sees as they arrive."""

    def __init__(
        self,
        index: int,
        ws_url: str,
        code: str,
        cookie: str | None,
        tap: Tap,
        role: str = "participant",
        key: str = "",
        defer: float = 0.0,
    ) -> None:
        self.index = index

        def socket(url: str, headers: dict[str, str]) -> phoneclient.Socket:
            return TappedSocket(url, headers, lambda text, now: tap(self, text, now), defer)

        super().__init__(ws_url, code, cookie, role, key, socket=socket)


async def connect_phones(
    urls: list[str], code: str, cookies: list[str], tap: Tap, defer: float = 0.0
) -> list[Phone]:
    """Start one phone per cookie, spread over ``urls``, 50 at a time; each connects,
    says hello and keeps its connection as the browser does."""
    phones = []
    for i, cookie in enumerate(cookies):
        phone = Phone(i, urls[i % len(urls)], code, cookie, tap, defer=defer)
        phone.start()
        phones.append(phone)
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # do not knock all at once
    return phones


async def until(condition: Callable[[], bool], within: float, step: float = 0.05) -> bool:
    """Wait until ``condition()`` holds; False when it did not within ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


class BenchServer(LiveServer):
    """A real server process (Samling, or ``bench.naive:app``) whose garbage collector's
    pauses are recorded (bench/serve.py)."""

    def __init__(self, workdir: Path, programs_dir: Path, app: str = "app.main:app", **settings: str) -> None:
        super().__init__(workdir, programs_dir, app=app, **settings)
        self.gc_stats = str(workdir / f"gc-{self.port}.json")
        self.launcher = [sys.executable, str(BENCH / "serve.py"), self.gc_stats]

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def pauses(
        self, since: float = 0.0, until: float = float("inf")
    ) -> list[tuple[float, int, float, float, int]]:
        """The collector's pauses between two moments (time.time())."""
        pauses = serve.read(self.gc_stats)["pauses"]
        return [(p[0], p[1], p[2], p[3], p[4]) for p in pauses if since <= p[0] <= until]


def gc_figures(prefix: str, pauses: list[tuple[float, int, float, float, int]]) -> dict[str, str]:
    """The distribution of the collector's pauses (wall ms), as name=value figures."""
    walls = [p[2] for p in pauses]
    full = [p[2] for p in pauses if p[1] == 2]
    figures = {
        f"{prefix}_gc_collections": str(len(walls)),
        f"{prefix}_gc_full_collections": str(len(full)),
        f"{prefix}_gc_pauses_over_50ms": str(sum(w > 50 for w in walls)),
        f"{prefix}_gc_pause_total_ms": f"{sum(walls):.1f}",
    }
    if walls:
        figures[f"{prefix}_gc_pause_p50_ms"] = f"{statistics.median(walls):.2f}"
        figures[f"{prefix}_gc_pause_p99_ms"] = f"{percentile(walls, 0.99):.2f}"
        figures[f"{prefix}_gc_pause_max_ms"] = f"{max(walls):.2f}"
    return figures


class QuietCollector:
    """A load generator that does not collect garbage while it measures.

    Thousands of phones' state in one heap: a collection walking it stalls the process
    (161 ms seen, even with what was there at connecting frozen), and the frames it stamps
    late count against the server. A real phone holds one room's state, so what the phones
    hold once connected is frozen and the collector is off (a run's garbage is small);
    ``max_pause_ms`` says whether it ran anyway."""

    def __init__(self) -> None:
        gc.freeze()
        gc.disable()
        self._pauses: list[float] = []
        self._started = 0.0
        gc.callbacks.append(self._timed)

    def _timed(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self._pauses.append((time.perf_counter() - self._started) * 1000)

    @property
    def max_pause_ms(self) -> float:
        return max(self._pauses, default=0.0)


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def fast_event_loop() -> None:
    """uvloop in generator processes when it is installed (it is with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        return
    uvloop.install()


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
    cores = CORES
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
