"""Browser tests: Playwright for Python driving Debian's Chromium against a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.liveserver import LiveServer, serve
from tests.roomkit import DEMO_PROGRAM

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, {"demo.toml": DEMO_PROGRAM}, time_scale="0.05")  # "Prøvedag"


class Screens:
    """Browser contexts opened by a test, each with console errors collected."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def open(self, **options: object) -> BrowserContext:
        context = self.browser.new_context(locale="nb-NO", **options)  # type: ignore[arg-type]
        context.on("weberror", lambda e: self.errors.append(str(e.error)))
        context.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type == "error" else None,
        )
        self.contexts.append(context)
        return context

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def screens(browser: Browser) -> Iterator[Screens]:
    s = Screens(browser)
    yield s
    s.close()
