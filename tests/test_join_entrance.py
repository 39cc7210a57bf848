"""A browser's join is taken at the app's entrance (pages.Joins), before FastAPI's
per-request machinery, and is answered exactly as FastAPI's route answers it: the same
status, headers, cookie and page for every way a join can go, and anything that is not
a browser's plain form still goes through the route."""

from __future__ import annotations

import http.cookies
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from starlette.requests import HTTPConnection
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from app.main import create_app
from app.settings import Settings
from tests.roomkit import create_workshop

FOREIGN = {"origin": "http://evil.example"}
NAVIGATING = {"sec-fetch-mode": "navigate", "accept-encoding": "gzip"}


@pytest.fixture
def app_client(tmp_path: Path, programs_dir: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'samling.db'}",
        programs_dir=programs_dir,
        join_attempts_per_minute=6,
    )
    with TestClient(create_app(settings)) as client:
        yield client


class Counted:
    """FastAPI's middleware stack, counting the requests that reach it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


def through_fastapi(client: TestClient) -> Counted:
    app: Any = client.app
    counted = Counted(app.middleware_stack or app.build_middleware_stack())
    app.middleware_stack = counted
    return counted


def answer(response: httpx2.Response, token: str | None) -> tuple[Any, ...]:
    """What a browser gets, with the one thing that differs from join to join (the new
    phone's token, its participant number, the server's clock) taken out."""
    headers = sorted(
        (k, "TOKEN".join(v.split(token)) if token else v)
        for k, v in response.headers.multi_items()
        if k != "content-length"
    )
    body = response.text
    body = re.sub(r'"server_time": ?\d+', "SERVER_TIME", body)
    body = re.sub(r"\bp\d+\b", "PID", body)
    return response.status_code, headers, body


def both_ways(client: TestClient, **request: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The same request at the entrance, then through FastAPI's route (the entrance off)."""
    app: Any = client.app
    answers = []
    joins = app.joins
    for entrance in (joins, None):
        app.joins = entrance
        client.cookies.clear()
        response = client.post("/join", follow_redirects=False, **request)
        cookie = next((v for k, v in response.cookies.items() if k.startswith("samling_")), None)
        answers.append(answer(response, cookie))
    app.joins = joins
    return answers[0], answers[1]


def test_every_way_a_join_goes_is_answered_at_the_entrance_as_the_route_answers_it(
    app_client: TestClient,
) -> None:
    w = create_workshop(app_client)
    counted = through_fastapi(app_client)
    kari = {"code": w.code, "name": "Kari"}
    cases: dict[str, dict[str, Any]] = {
        "a phone's join": {"data": kari},
        "a browser's join (the phone page, compressed)": {"data": kari, "headers": NAVIGATING},
        "the code typed in small letters": {"data": {"code": w.code.lower(), "name": "Kari"}},
        "a name with spaces and letters beyond ASCII": {
            "data": {"code": w.code, "name": "Åse Ødegård + Ola"}
        },
        "no name": {"data": {"code": w.code, "name": ""}},
        "a name of spaces": {"data": {"code": w.code, "name": "   "}, "headers": NAVIGATING},
        "a room that does not exist": {"data": {"code": "XXXXXX", "name": "Kari"}},
        "nothing sent": {"content": b"", "headers": {"content-type": "application/x-www-form-urlencoded"}},
        "from another site's page": {"data": kari, "headers": FOREIGN},
    }
    the_route: dict[str, dict[str, Any]] = {
        "from another site, a name too long": {"data": {**kari, "name": "x" * 201}, "headers": FOREIGN},
        "a name too long": {"data": {**kari, "name": "x" * 201}},
        "a code too long": {"data": {"code": "x" * 41, "name": "Kari"}},
        "as multipart": {"data": kari, "files": {"unused": ("a.txt", b"a")}},
        "the name twice": {"content": f"code={w.code}&name=A&name=B".encode(), "headers": _urlencoded()},
        "another field": {"content": f"code={w.code}&name=A&extra=1".encode(), "headers": _urlencoded()},
        "a field without a value": {"content": f"code={w.code}&name".encode(), "headers": _urlencoded()},
        "with a charset": {
            "content": f"code={w.code}&name=A".encode(),
            "headers": {"content-type": "application/x-www-form-urlencoded; charset=UTF-8"},
        },
    }
    statuses = {}
    for case, request in {**cases, **the_route}.items():
        before = len(counted.paths)
        entrance, route = both_ways(app_client, **request)
        assert entrance == route, case
        # A browser's plain form reaches FastAPI only with the entrance off; anything else both ways.
        assert len(counted.paths) - before == (1 if case in cases else 2), case
        statuses[case] = entrance[0]
    assert statuses == {
        "a phone's join": 303,
        "a browser's join (the phone page, compressed)": 200,
        "the code typed in small letters": 303,
        "a name with spaces and letters beyond ASCII": 303,
        "no name": 400,
        "a name of spaces": 400,
        "a room that does not exist": 404,
        "nothing sent": 404,
        "from another site's page": 403,
        "from another site, a name too long": 403,
        "a name too long": 422,
        "a code too long": 422,
        "as multipart": 303,
        "the name twice": 303,
        "another field": 303,
        "a field without a value": 400,  # no name
        "with a charset": 303,
    }


def test_a_phone_that_joined_and_joins_again_is_sent_to_its_page_either_way(app_client: TestClient) -> None:
    w = create_workshop(app_client)
    app_client.cookies.clear()
    joined = app_client.post("/join", data={"code": w.code, "name": "Kari"}, follow_redirects=False)
    assert joined.status_code == 303
    assert app_client.cookies.get(f"samling_{w.code}")  # the phone keeps its cookie
    app: Any = app_client.app
    answers = []
    for entrance in (app.joins, None):
        saved, app.joins = app.joins, entrance
        again = app_client.post("/join", data={"code": w.code, "name": "Kari"}, follow_redirects=False)
        app.joins = saved
        answers.append(answer(again, None))
    assert answers[0] == answers[1]
    assert answers[0][0] == 303 and ("location", f"/r/{w.code}") in answers[0][1]
    assert len(app.state.hub.rooms[w.code].room.participants) == 1  # not a second person


def test_a_guesser_out_of_tries_gets_the_same_refusal_at_the_entrance(app_client: TestClient) -> None:
    w = create_workshop(app_client)
    for code in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE", "FFFFFF"):
        app_client.post("/join", data={"code": code, "name": "Eve"})
    entrance, route = both_ways(app_client, data={"code": w.code, "name": "Eve"})
    assert entrance == route
    assert entrance[0] == 429 and ("retry-after", "60") in entrance[1]


def test_a_browsers_join_does_not_go_through_fastapi(
    app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nor through http.cookies or a parse of its URL: its cookie is written as it reads
    (see the next test), and FastAPI's machinery, a SimpleCookie and the request's URL
    were more than half of a join's Python."""
    w = create_workshop(app_client)
    counted = through_fastapi(app_client)
    made: list[str] = []

    class Counted(http.cookies.SimpleCookie):
        def __init__(self, *args: Any) -> None:
            made.append("SimpleCookie")
            super().__init__(*args)

    url = HTTPConnection.url

    def parsed(self: HTTPConnection) -> Any:
        made.append("url")
        return url.fget(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(http.cookies, "SimpleCookie", Counted)
    monkeypatch.setattr(HTTPConnection, "url", property(parsed))
    for i in range(3):
        app_client.cookies.clear()
        joined = app_client.post("/join", data={"code": w.code, "name": f"P{i}"}, follow_redirects=False)
        assert joined.status_code == 303
        assert "content-security-policy" in joined.headers and joined.headers["cache-control"] == "no-store"
    assert counted.paths == []
    assert made == [], made
    assert app_client.get("/join").status_code == 405  # only the form's POST is taken there
    assert counted.paths == ["/join"]


def _urlencoded() -> dict[str, str]:
    return {"content-type": "application/x-www-form-urlencoded"}


def test_every_cookie_is_the_header_starlette_writes() -> None:
    """set_cookie writes the header by hand when nothing needs quoting: the same bytes as
    Starlette's Response.set_cookie (its SimpleCookie), whatever the name, value and flags."""
    from starlette.responses import Response

    from app.web.pages import set_cookie

    values = ["tOk3n_-x" * 4, "nb", "", "a b", 'qu"ote', "semi;colon", "æøå", "="]
    for name in ("samling_K7MXPR", "samling_lang", "x"):
        for value in values:
            for scheme in ("http", "https"):
                for httponly in (True, False):
                    conn = HTTPConnection({"type": "http", "scheme": scheme, "headers": []})
                    ours, theirs = Response(), Response()
                    set_cookie(conn, ours, name, value, max_age=259200, httponly=httponly)
                    theirs.set_cookie(
                        name,
                        value,
                        max_age=259200,
                        httponly=httponly,
                        samesite="lax",
                        secure=scheme == "https",
                    )
                    assert ours.raw_headers == theirs.raw_headers, (name, value, scheme, httponly)
