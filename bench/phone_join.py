"""A phone on slow 3G with a slow CPU: tap «Bli med» → the room shown.

    .venv/bin/python bench/phone_join.py                  # the Seljord day, 5 joins
    .venv/bin/python bench/phone_join.py --runs 3 --program demo.toml

Starts one server with the shipped programs, creates a workshop, and joins it from
Debian's Chromium (``/usr/bin/chromium``) the way a person does: the join page with the
room code opens (the QR code's link) on the slow network and fetches the phone page's
scripts while the person types a name (the bench waits until they are in); the clock
starts at the tap on «Bli med» and stops when the phone page shows the room (the
person's name and the exercise title, drawn by the page's scripts). Each run is a fresh
browser context, so nothing is cached. Chromium's own emulation through the DevTools
protocol: ``Network.emulateNetworkConditions`` with DevTools' "Slow 3G" (2,000 ms
latency per request, 400 kbit/s down and up) and ``Emulation.setCPUThrottlingRate`` 4.

Prints ``name=value`` lines: each run's time, the median and the worst, how long the join
page took to show and to have the phone's scripts in, the bytes the phone page took over
the wire after the tap, and how many requests it made.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.liveserver import LiveServer

ROOT = Path(__file__).resolve().parent.parent
# DevTools' "Slow 3G": 2,000 ms per request, 400 kbit/s (50,000 bytes/s) each way.
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
CPU_SLOWDOWN = 4
PREFETCHED = """() => [...document.querySelectorAll('link[rel=prefetch]')]
  .every((link) => performance.getEntriesByName(link.href).length > 0)"""


def create_workshop(base: str, program: str) -> str:
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        created = client.post("/workshops", data={"program": program}, headers={"origin": base})
        assert created.status_code == 303, created.text
        return created.headers["location"].split("/")[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--program", default="seljord-samling-2.toml")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp), ROOT / "exercises")
        server.start()
        try:
            code = create_workshop(server.url, args.program)
            times: list[float] = []
            join_page: list[float] = []
            typing: list[float] = []
            sizes: list[int] = []
            requests: list[int] = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                for run in range(args.runs):
                    context = browser.new_context(
                        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="nb-NO"
                    )
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
                    # The join page (the QR code's link), on the same slow network; what it
                    # fetches for the phone page arrives while the person types a name.
                    opened = time.perf_counter()
                    page.goto(f"{server.url}/j/{code}", timeout=120_000)
                    join_page.append(time.perf_counter() - opened)
                    page.wait_for_function(PREFETCHED, timeout=120_000)
                    typing.append(time.perf_counter() - opened)
                    name = f"Person{run + 1}"
                    page.get_by_label("Fornavn").fill(name)
                    wire = {"bytes": 0, "requests": 0}

                    def finished(event: dict[str, float], wire: dict[str, int] = wire) -> None:
                        wire["bytes"] += int(event.get("encodedDataLength", 0))
                        wire["requests"] += 1

                    cdp.on("Network.loadingFinished", finished)
                    started = time.perf_counter()
                    page.get_by_role("button", name="Bli med").click()
                    page.wait_for_function(
                        "(name) => document.getElementById('me-name')?.textContent === name"
                        " && document.getElementById('exercise-title')?.textContent.trim() !== ''",
                        arg=name,
                        timeout=120_000,
                    )
                    times.append(time.perf_counter() - started)
                    assert re.search(r"/r/[A-Z0-9]+$", page.url), page.url
                    sizes.append(wire["bytes"])
                    requests.append(wire["requests"])
                    context.close()
                browser.close()
        finally:
            server.stop()
    for run, seconds in enumerate(times, start=1):
        print(f"join_to_room_s_run{run}={seconds:.2f}")
    print(f"join_to_room_s_median={statistics.median(times):.2f}")
    print(f"join_to_room_s_max={max(times):.2f}")
    print(f"join_page_s_median={statistics.median(join_page):.2f}")
    print(f"join_page_prefetched_s_median={statistics.median(typing):.2f}")
    print(f"wire_bytes_median={int(statistics.median(sizes))}")
    print(f"requests_median={int(statistics.median(requests))}")
    print(f"network=slow3g latency_ms={SLOW_3G['latency']} kbit_s=400 cpu_slowdown={CPU_SLOWDOWN}")


if __name__ == "__main__":
    main()
