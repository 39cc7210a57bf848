"""Every projector state of every shipped day fits the screen, at 1920×1080 and at 1280×720,
with 12 and with 60 people (12 groups): no scrolling, nothing off the screen or out of its
box, no word broken, and no text smaller than 1/50 of the screen's height. The day is
walked as a facilitator runs it: the agenda, each exercise ready and then in every phase,
filled by the crowd (tests/browser/crowd.py) as far as it goes, the blank screen, the big
QR code, results hidden until revealed, and the end of the day."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import Screens
from tests.browser.crowd import BOARD_INTERVAL_MS, SHIPPED, Crowd, day_server
from tests.liveserver import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.timeout(900)]

PROGRAMS = sorted(path.name for path in SHIPPED.glob("*.toml"))
SIZES = ((1920, 1080), (1280, 720))

# What a person at the back of the room would notice, measured by the browser: the page
# or a text beyond the screen, a text wider than its box, a word broken inside over two
# lines, a text smaller than 1/50 of the screen's height.
PROBLEMS = """
() => {
  const H = window.innerHeight, W = window.innerWidth, least = H / 50;
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollHeight > H + 1) problems.push("the page is " + doc.scrollHeight + " px tall");
  if (doc.scrollWidth > W + 1) problems.push("the page is " + doc.scrollWidth + " px wide");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue;
    if (!text.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest("[hidden], script, style, title, option")) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === "hidden" || box.width <= 1 || box.height <= 1) continue; // or a reader only
    const what = text.trim().slice(0, 30);
    const size = parseFloat(style.fontSize);
    if (size < least - 0.05) problems.push("small text (" + size + " px): " + what);
    const off = box.bottom > H + 1 || box.right > W + 1 || box.top < -1 || box.left < -1;
    if (off) problems.push("off the screen: " + what);
    if (!seen.has(el)) {
      seen.add(el);
      const wide = style.display !== "inline" && el.scrollWidth > el.clientWidth + 1;
      if (wide) problems.push("wider than its box: " + what);
    }
    // A word may break at its hyphen or slash (Anne-/Marit), never inside (Tilli/t).
    const words = /[^\\s\\-\u2010\u2011\u2013\u2014/]+/g;
    let match;
    while ((match = words.exec(text)) !== null) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
      const tops = new Set(rects.map((r) => Math.round(r.top)));
      if (tops.size > 1) problems.push("a word broken over lines: " + match[0]);
    }
  }
  return problems;
}
"""


TWO_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with day_server(tmp_path_factory.mktemp("fits"), PROGRAMS) as server:
        yield server


def settle(projector: Page, seq: int) -> None:
    """The projector has drawn what the room was at ``seq`` (and fitted it): the event,
    and the board gathered after it (``day_server``: at most ``BOARD_INTERVAL_MS`` later)."""
    deadline = time.monotonic() + 15
    while int(projector.evaluate("document.documentElement.dataset.seq || -1")) < seq:
        assert time.monotonic() < deadline, f"the projector did not draw seq {seq}"
        time.sleep(0.05)
    time.sleep(3 * BOARD_INTERVAL_MS / 1000)  # three times the board's interval
    projector.evaluate(TWO_FRAMES)


def check(projector: Page, state: str, problems: list[str]) -> None:
    for width, height in SIZES:
        projector.set_viewport_size({"width": width, "height": height})
        projector.evaluate(TWO_FRAMES)
        found = projector.evaluate(PROBLEMS)
        problems += [f"{state} at {width}×{height}: {p}" for p in found[:6]]


@pytest.mark.parametrize("count", [12, 60])
@pytest.mark.parametrize("program", PROGRAMS)
def test_every_state_of_the_day_fits_the_projector(
    shipped: LiveServer, browser: Browser, program: str, count: int
) -> None:
    screens = Screens(browser)
    crowd = Crowd(shipped, program, count)
    problems: list[str] = []
    try:
        page = screens.open(viewport={"width": 1920, "height": 1080}).new_page()
        html = httpx.get(shipped.url + crowd.facilitator_path).text
        match = re.search(r'href="(/s/[^"]+)"', html)
        assert match
        page.goto(shipped.url + match[1])
        settle(page, crowd.facilitator.seq or 0)
        check(page, "the agenda", problems)
        size = (crowd.state().get("room") or {}).get("network_group_size") or 5
        settle(page, crowd.act({"type": "form_groups", "mode": "size", "value": size}))
        for item in crowd.state()["agenda"]:
            title = f"«{item['id']}»"
            settle(page, crowd.act({"type": "goto_exercise", "index": item["index"]}))
            check(page, f"{title} ready", problems)
            settle(page, crowd.act({"type": "start"}))
            for phase in range(len(item["phases"])):
                if phase:
                    settle(page, crowd.act({"type": "next_phase"}))
                settle(page, crowd.fill())
                check(page, f"{title} phase {phase + 1}", problems)
            if (crowd.state().get("board") or {}).keys() - {"exercise"}:
                exercise = item["id"]
                settle(page, crowd.act({"type": "hide_results", "exercise": exercise, "hidden": True}))
                check(page, f"{title} hidden", problems)
                settle(page, crowd.act({"type": "hide_results", "exercise": exercise, "hidden": False}))
        for show in ("blank", "qr", "room"):
            settle(page, crowd.act({"type": "projector_show", "show": show}))
            check(page, f"the projector showing {show}", problems)
        settle(page, crowd.act({"type": "goto_exercise", "index": len(crowd.state()["agenda"])}))
        check(page, "the end of the day", problems)
        assert [e for e in screens.errors if "favicon" not in e] == []
    finally:
        screens.close()
        crowd.stop()
    assert not problems, "\n".join(problems)
