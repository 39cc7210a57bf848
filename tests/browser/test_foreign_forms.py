"""A page of another site cannot make a visitor's browser create a workshop or join a
room: Chromium names the foreign origin on the form it posts, and the server refuses it;
the same forms on Samling's own pages work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import Screens
from tests.browser.rooms import create_workshop
from tests.liveserver import LiveServer, serve
from tests.roomkit import DEMO_PROGRAM

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, {"demo.toml": DEMO_PROGRAM})


def _trap(action: str, fields: dict[str, str], policy: str) -> str:
    inputs = "".join(f'<input name="{k}" value="{v}">' for k, v in fields.items())
    return (
        f'<html><head><meta name="referrer" content="{policy}"></head><body>'
        f'<form id="f" method="post" action="{action}">{inputs}</form>'
        '<script>document.getElementById("f").submit()</script></body></html>'
    )


EVIL = "http://evil.example"


@pytest.mark.parametrize("policy", ["unsafe-url", "no-referrer"])
def test_forms_posted_from_another_site_are_refused(
    server: LiveServer, screens: Screens, policy: str
) -> None:
    own = screens.open().new_page()
    code = create_workshop(own, server)  # our own form: Origin is ours

    visitor = screens.open().new_page()
    traps: dict[str, str] = {}
    visitor.route(
        f"{EVIL}/**", lambda route: route.fulfill(content_type="text/html", body=traps[route.request.url])
    )
    for n, (action, fields) in enumerate(
        (
            ("/workshops", {"program": "demo.toml"}),
            ("/join", {"code": code, "name": "Lurt"}),
            (own.url.replace(server.url, "") + "/close", {}),
        )
    ):
        trap = f"{EVIL}/trap{n}.html"
        traps[trap] = _trap(server.url + action, fields, policy)
        posted = lambda r, a=action: r.url.endswith(a) and r.request.method == "POST"  # noqa: E731
        with visitor.expect_response(posted) as sent:
            visitor.goto(trap, wait_until="commit")
        assert sent.value.status == 403, (action, sent.value.status)
        visitor.wait_for_url(server.url + action)
        visitor.wait_for_load_state()
    own.reload()
    assert own.get_by_role("button", name="Avslutt workshopen").is_visible()  # still open
    assert "Lurt" not in own.content()
