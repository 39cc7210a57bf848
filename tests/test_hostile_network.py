"""A hostile network gets nothing: room codes cannot be enumerated (one budget of wrong
codes per address, on every request that takes a code, and a probe loads no room),
workshops cannot be created in a flood or from another site's page, exports do not run
as spreadsheet formulas, and a venue's one address lets every participant in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.web.results import cell
from tests.roomkit import create_workshop, facilitator_and_phone, hello, join

WRONG = ["XXXXXX", "ACEFHJ", "KMNPRT", "WXY347", "9AC3EF", "not-a-code", "HJKMNP", "RTWXY3"]


@pytest.fixture
def strict(settings: Settings) -> Iterator[TestClient]:
    """A server that allows 5 wrong room codes a minute per address."""
    with TestClient(create_app(settings.model_copy(update={"join_attempts_per_minute": 5}))) as client:
        yield client


def _hello_answer(client: TestClient, code: str, role: str = "participant", **extra: Any) -> str:
    with client.websocket_connect("/ws", **extra) as socket:
        socket.send_json({"type": "hello", "room": code, "role": role})
        answer: str = socket.receive_json()["code"]
        return answer


@pytest.mark.parametrize("probe", ["qr", "phone", "join_link", "join_form", "hello"])
def test_guessing_room_codes_is_limited_on_every_request_that_takes_one(
    strict: TestClient, probe: str
) -> None:
    real = create_workshop(strict)

    def ask(code: str) -> int | str:
        if probe == "qr":
            return strict.get(f"/qr/{code}.svg").status_code
        if probe == "phone":
            return strict.get(f"/r/{code}", follow_redirects=False).status_code
        if probe == "join_link":
            strict.cookies.set(f"samling_{code}", "x")  # the redirect would tell a real code
            status = strict.get(f"/j/{code}", follow_redirects=False).status_code
            strict.cookies.clear()
            return status
        if probe == "join_form":
            return strict.post(
                "/join", data={"code": code, "name": "Eve"}, follow_redirects=False
            ).status_code
        return _hello_answer(strict, code)

    real_answer = ask(real.code)
    wrong_answers = [ask(code) for code in WRONG[:5]]
    assert real_answer not in wrong_answers  # the oracle, for five guesses a minute
    # The budget is spent: now a real code gets the same refusal as a wrong one.
    assert ask(WRONG[5]) == ask(real.code) == ("too_many_guesses" if probe == "hello" else 429)


def test_right_codes_cost_nothing_so_a_whole_room_joins_through_one_address(strict: TestClient) -> None:
    """60 people behind a venue's NAT: one address, all let in; guessing stays limited."""
    w = create_workshop(strict)
    for i in range(60):
        strict.cookies.clear()
        joined = strict.post("/join", data={"code": w.code, "name": f"P{i}"}, follow_redirects=False)
        assert joined.status_code == 303, (i, joined.status_code)
        assert strict.get(joined.headers["location"]).status_code == 200  # the phone page
    strict.cookies.clear()
    guesses = [strict.get(f"/qr/{code}.svg").status_code for code in WRONG]
    assert guesses == [404] * 5 + [429] * 3


def test_a_whole_room_behind_one_address_opens_its_take_home_links_at_once(strict: TestClient) -> None:
    """The end of the day: «Åpne Mine svar nå», and 60 phones behind a venue's NAT open
    their own workbook (the link, its page, its QR code) in the same minute."""
    w = create_workshop(strict)
    tokens = [join(strict, w.code, f"P{i}") for i in range(60)]
    for i, token in enumerate(tokens):
        strict.cookies.clear()
        strict.cookies.set(f"samling_{w.code}", token)
        mine = strict.get(f"/r/{w.code}/mine", follow_redirects=False)
        assert mine.status_code == 303, (i, mine.status_code)
        page = strict.get(mine.headers["location"])
        assert page.status_code == 200 and f"P{i}" in page.text, (i, page.status_code)
        assert strict.get(mine.headers["location"] + "/qr.svg").status_code == 200, i
    strict.cookies.clear()
    guesses = [strict.get(f"/w/{w.code}/{'A' * 31}{i}").status_code for i in range(8)]
    assert guesses == [404] * 5 + [429] * 3  # guessing links stays limited


def test_behind_a_trusted_proxy_each_participant_has_the_budget_of_their_own_address(
    settings: Settings,
) -> None:
    proxied = settings.model_copy(update={"join_attempts_per_minute": 5, "trusted_proxies": "testclient"})
    with TestClient(create_app(proxied)) as client:
        guesser, neighbour = {"x-forwarded-for": "10.0.0.66"}, {"x-forwarded-for": "10.0.0.7"}
        assert [client.get(f"/qr/{c}.svg", headers=guesser).status_code for c in WRONG[:6]] == [404] * 5 + [
            429
        ]
        assert client.get("/qr/XXXXXX.svg", headers=neighbour).status_code == 404  # not refused
        https = client.post(
            "/join", data={"code": "XXXXXX", "name": "A"}, headers={**neighbour, "x-forwarded-proto": "https"}
        )
        assert https.status_code == 404
    untrusted = settings.model_copy(update={"join_attempts_per_minute": 5})  # 127.0.0.1 only
    with TestClient(create_app(untrusted)) as client:
        spoofed = [
            client.get(f"/qr/{c}.svg", headers={"x-forwarded-for": f"10.0.0.{i}"}).status_code
            for i, c in enumerate(WRONG[:6])
        ]
        assert spoofed == [404] * 5 + [429]  # a header from an untrusted peer is not believed


def test_behind_a_trusted_proxy_a_room_socket_counts_the_address_the_proxy_names(settings: Settings) -> None:
    """The room WebSocket is served before the app's middleware (app/web/ws.py): the
    trusted proxies' headers still say whose guesses a wrong room code costs."""
    proxied = settings.model_copy(update={"join_attempts_per_minute": 5, "trusted_proxies": "testclient"})
    with TestClient(create_app(proxied)) as client:
        guesser = {"headers": {"x-forwarded-for": "10.0.0.66"}}
        guesses = [_hello_answer(client, code, **guesser) for code in WRONG[:6]]  # type: ignore[arg-type]
        assert guesses == ["unknown_room"] * 5 + ["too_many_guesses"]
        neighbour = {"headers": {"x-forwarded-for": "10.0.0.7"}}
        assert _hello_answer(client, "XXXXXX", **neighbour) == "unknown_room"  # type: ignore[arg-type]


def test_cookies_are_secure_when_the_proxy_says_https(settings: Settings) -> None:
    proxied = settings.model_copy(update={"trusted_proxies": "testclient"})
    with TestClient(create_app(proxied)) as client:
        w = create_workshop(client)
        joined = client.post(
            "/join",
            data={"code": w.code, "name": "Kari"},
            headers={"x-forwarded-proto": "https"},
            follow_redirects=False,
        )
        assert joined.status_code == 303
        cookie = joined.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        plain = client.post("/join", data={"code": w.code, "name": "Ola"}, follow_redirects=False)
        assert "Secure" not in plain.headers["set-cookie"]  # plain http on a laptop: no Secure


def test_a_probe_never_loads_a_room(client: TestClient) -> None:
    w = create_workshop(client)
    hub = client.app.state.hub  # type: ignore[attr-defined]
    assert w.code not in hub.rooms  # creating does not load it either
    client.cookies.clear()
    assert client.get(f"/qr/{w.code}.svg").status_code == 200
    assert client.get(f"/j/{w.code}").status_code == 200
    assert client.get(f"/r/{w.code}", follow_redirects=False).status_code == 303
    assert client.get(f"/s/{w.code}/wrong-key").status_code == 404
    assert client.get(f"/f/{w.code}/wrong-key/results.csv").status_code == 404
    assert _hello_answer(client, w.code) == "not_joined"
    with client.websocket_connect("/ws") as socket:
        socket.send_json({"type": "hello", "room": w.code, "role": "projector", "key": "guess"})
        assert socket.receive_json()["code"] == "forbidden"
    assert w.code not in hub.rooms
    assert client.get(f"/s/{w.code}/{w.projector_key}").status_code == 200  # the key loads it
    assert w.code in hub.rooms


def _out_of_memory(client: TestClient, code: str) -> None:
    """The room leaves memory as an idle one does (a snapshot first)."""
    hub = client.app.state.hub  # type: ignore[attr-defined]
    assert client.portal is not None
    client.portal.call(hub.evict_idle, 0.0)
    client.portal.call(hub.evict_idle, 1e9)
    assert code not in hub.rooms


def test_a_made_up_participant_cookie_or_take_home_key_never_loads_a_room(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real room code with a made-up token: the phone page, «Mine svar», the WebSocket
    hello and the take-home link find it wrong without loading the room (nor, closed,
    reading its results); the person's own cookie and link load it as before."""
    from app.workshops import link_key

    hub = client.app.state.hub  # type: ignore[attr-defined]
    store = client.app.state.store  # type: ignore[attr-defined]
    loads: list[str] = []
    load_room = store.load_room

    def counted_load_room(code: str) -> Any:
        loads.append(code)
        return load_room(code)

    monkeypatch.setattr(store, "load_room", counted_load_room)
    w, done = create_workshop(client), create_workshop(client)
    kari, ola = join(client, w.code, "Kari"), join(client, done.code, "Ola")
    closing = client.post(f"/f/{done.code}/{done.facilitator_key}/close", follow_redirects=False)
    assert closing.status_code == 303
    _out_of_memory(client, w.code)
    loads.clear()

    def probe(code: str) -> list[int | str]:
        client.cookies.clear()
        made_up = "A" * 32
        answers: list[int | str] = [
            client.get(f"/w/{code}/{made_up}").status_code,
            client.get(f"/w/{code}/{made_up}/mine.txt").status_code,
            client.get(f"/w/{code}/{made_up}/qr.svg").status_code,
        ]
        client.cookies.set(f"samling_{code}", "made-up-" + "x" * 24)
        answers += [
            client.get(f"/r/{code}", follow_redirects=False).status_code,
            client.get(f"/r/{code}/mine", follow_redirects=False).status_code,
        ]
        answers.append(_hello_answer(client, code, headers={"cookie": f"samling_{code}={'x' * 32}"}))
        client.cookies.clear()
        return answers

    assert probe(w.code) == [404, 404, 404, 303, 303, "not_joined"]
    assert probe(done.code) == [404, 404, 404, 303, 404, "unknown_room"]
    assert w.code not in hub.rooms and done.code not in hub.rooms
    assert loads == []  # neither room, nor the closed one's results, was read
    # The right ones still open as before.
    client.cookies.set(f"samling_{w.code}", kari)
    assert client.get(f"/r/{w.code}").status_code == 200
    assert w.code in hub.rooms
    _out_of_memory(client, w.code)
    client.cookies.clear()
    assert client.get(f"/w/{w.code}/{link_key(kari, w.code)}").status_code == 200
    assert w.code in hub.rooms
    client.cookies.set(f"samling_{done.code}", ola)
    mine = client.get(f"/r/{done.code}/mine", follow_redirects=False)
    assert mine.headers["location"] == f"/w/{done.code}/{link_key(ola, done.code)}"
    assert "Ola" in client.get(mine.headers["location"]).text


def test_creating_workshops_is_limited_per_address(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"workshops_per_hour": 5}))) as client:
        answers = [
            client.post("/workshops", data={"program": "demo.toml"}, follow_redirects=False) for _ in range(8)
        ]
        assert [a.status_code for a in answers] == [303] * 5 + [429] * 3
        assert "Vent litt" in answers[-1].text


@pytest.mark.parametrize("way", ["start_page", "editor_start", "editor_preview", "next_gathering"])
def test_every_way_of_creating_a_workshop_takes_from_one_budget_per_address(
    settings: Settings, way: str
) -> None:
    """A script flooding the editor's start or preview, or the next gathering, is held to
    the same few workshops an hour as the start page (each one a room in memory)."""
    import tomllib

    from tests.roomkit import DEMO_PROGRAM

    with TestClient(create_app(settings.model_copy(update={"workshops_per_hour": 4}))) as client:
        saved = client.post("/editor/save", json={"program": tomllib.loads(DEMO_PROGRAM)}).json()
        first = create_workshop(client)  # one of the four

        def create() -> int:
            if way == "start_page":
                sent = client.post("/workshops", data={"program": "demo.toml"}, follow_redirects=False)
            elif way == "editor_start":
                sent = client.post(f"/editor/{saved['id']}/start", follow_redirects=False)
            elif way == "editor_preview":
                program = tomllib.loads(DEMO_PROGRAM)
                sent = client.post("/editor/preview", json={"program": program, "index": 0})
            else:
                sent = client.post(
                    f"/f/{first.code}/{first.facilitator_key}/next",
                    data={"program": "this"},
                    follow_redirects=False,
                )
            return sent.status_code

        answers = [create() for _ in range(6)]
        assert answers[3:] == [429] * 3, answers
        assert all(status in (200, 303) for status in answers[:3]), answers


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://testserver:8001"])
def test_forms_sent_from_another_site_change_nothing(client: TestClient, origin: str) -> None:
    w = create_workshop(client)
    foreign = {"origin": origin}
    created = client.post(
        "/workshops", data={"program": "demo.toml"}, headers=foreign, follow_redirects=False
    )
    assert created.status_code == 403
    joined = client.post(
        "/join", data={"code": w.code, "name": "Eve"}, headers=foreign, follow_redirects=False
    )
    assert joined.status_code == 403
    for action, form in (("close", {}), ("delete", {"confirm": "yes"})):
        sent = client.post(f"/f/{w.code}/{w.facilitator_key}/{action}", data=form, headers=foreign)
        assert sent.status_code == 403
    referer = {"referer": "http://evil.example/page"}
    assert client.post("/workshops", data={"program": "demo.toml"}, headers=referer).status_code == 403
    assert client.get(f"/f/{w.code}/{w.facilitator_key}").status_code == 200  # still open
    store = client.app.state.store  # type: ignore[attr-defined]
    assert store.find_workshop(w.code).closed_at is None
    assert client.app.state.hub.rooms[w.code].room.participants == {}  # type: ignore[attr-defined]
    ours = client.post(
        "/workshops",
        data={"program": "demo.toml"},
        headers={"origin": "http://testserver"},
        follow_redirects=False,
    )
    assert ours.status_code == 303


def test_every_route_that_changes_something_refuses_another_sites_page(client: TestClient) -> None:
    """Not only the forms we thought of: every POST (or PUT, PATCH, DELETE) the app has,
    today's and tomorrow's, is refused from a foreign Origin before it does anything."""
    import tomllib

    from tests.roomkit import DEMO_PROGRAM

    w = create_workshop(client)
    saved = client.post("/editor/save", json={"program": tomllib.loads(DEMO_PROGRAM)}).json()
    names = {"code": w.code, "key": w.facilitator_key, "program_id": str(saved["id"])}
    changing = [
        (method, path)
        for path, methods in client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
        for method in methods
        if method not in ("get", "head", "options")
    ]
    assert len(changing) >= 16  # the whole app, not a router of it
    for method, path in changing:
        sent = client.request(method, path.format(**names), headers={"origin": "http://evil.example"})
        assert sent.status_code == 403, (method, path, sent.status_code)
    assert client.get(f"/f/{w.code}/{w.facilitator_key}").status_code == 200  # still open
    assert client.get(f"/editor/{saved['id']}/download").status_code == 200  # not deleted


def test_a_page_of_another_site_cannot_open_a_room_socket_with_a_visitors_cookie(client: TestClient) -> None:
    w = create_workshop(client)
    token = join(client, w.code, "Kari")
    foreign = {"origin": "http://evil.example", "cookie": f"samling_{w.code}={token}"}
    with client.websocket_connect("/ws", headers=foreign) as socket:
        assert socket.receive_json()["code"] == "bad_origin"  # before any hello
    ours = {**foreign, "origin": "http://testserver"}
    with client.websocket_connect("/ws", headers=ours) as socket:
        hello(socket, w.code, "participant").wait_for("snapshot")  # her own phone page may


def test_staff_pages_and_results_are_never_stored_by_a_cache(client: TestClient) -> None:
    w = create_workshop(client)
    for path in (
        f"/f/{w.code}/{w.facilitator_key}",
        f"/s/{w.code}/{w.projector_key}",
        f"/f/{w.code}/{w.facilitator_key}/results",
        f"/f/{w.code}/{w.facilitator_key}/results.json",
        f"/f/{w.code}/{w.facilitator_key}/results.csv",
        "/",
        f"/j/{w.code}",
    ):
        assert client.get(path).headers["cache-control"] == "no-store", path
    assert "no-store" not in client.get("/static/css/samling.css").headers.get("cache-control", "")


FORMULAS = ['=HYPERLINK("http://evil.example")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]

EXPORT_PROGRAM = """
title = "Eksport"
[[exercises]]
id = "ordsky"
kind = "info"
title = "Ordsky"
grouping = "none"
minutes = 5
[exercises.wordcloud]
max_words = 10
max_length = 40
[exercises.comments]
max_per_person = 10

[[exercises]]
id = "lister"
kind = "info"
title = "Lister"
minutes = 5
[exercises.lists]
max_length = 200

[[exercises]]
id = "diamant"
kind = "info"
title = "Diamant"
minutes = 5
[exercises.diamond]
"""


def test_exports_never_hand_a_spreadsheet_a_formula(client: TestClient, programs_dir: Path) -> None:
    (programs_dir / "eksport.toml").write_text(EXPORT_PROGRAM, encoding="utf-8")
    w = create_workshop(client, "eksport.toml")
    token = join(client, w.code, "Eve")
    with facilitator_and_phone(client, w, token) as (facilitator, eve):
        assert facilitator.act({"type": "form_groups", "mode": "count", "value": 1})["type"] == "ack"
        assert facilitator.act({"type": "start"})["type"] == "ack"
        for payload in FORMULAS:
            assert (
                eve.act({"type": "wordcloud_submit", "exercise": "ordsky", "word": payload})["type"] == "ack"
            )
            assert eve.act({"type": "comment_add", "exercise": "ordsky", "text": payload})["type"] == "ack"
        assert facilitator.act({"type": "goto_exercise", "index": 1})["type"] == "ack"
        for payload in FORMULAS:
            assert eve.act({"type": "lists_add", "exercise": "lister", "text": payload})["type"] == "ack"
        assert facilitator.act({"type": "goto_exercise", "index": 2})["type"] == "ack"
        for payload in FORMULAS:
            assert eve.act({"type": "diamond_add", "exercise": "diamant", "value": payload})["type"] == "ack"
        for slot, payload in enumerate(FORMULAS):
            placed = eve.act({"type": "diamond_place", "exercise": "diamant", "value": payload, "slot": slot})
            assert placed["type"] == "ack", placed
    import csv
    import io

    for path in ("results.csv", "wordcloud/ordsky.csv"):
        text = client.get(f"/f/{w.code}/{w.facilitator_key}/{path}").content.decode("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], (path, cells)
        # The word cloud drops a word's leading = + - @ itself; every other kind's export
        # (comments, list items, diamond values) has the payloads, as text.
        if path == "results.csv":
            for payload in FORMULAS:
                assert sum(c == "'" + payload for c in cells) >= 3, (payload, text)


@pytest.mark.parametrize("payload", [*FORMULAS, "\tkommando", "\r=1"])
def test_a_cell_that_would_be_a_formula_stays_text(payload: str) -> None:
    """Every cell of every CSV passes here (results, word counts, gallery comments too)."""
    assert cell(payload) == "'" + payload
    assert cell("Tillit – 2024") == "Tillit – 2024"
    assert cell(3) == 3


def test_a_socket_that_never_says_hello_is_closed_with_the_reason(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection held open without a hello (a scanner, a broken client) holds nothing
    for long: after the hello's deadline the server says why and closes it."""
    from starlette.websockets import WebSocketDisconnect

    from app.web import ws

    monkeypatch.setattr(ws, "HELLO_TIMEOUT", 0.2)
    with client.websocket_connect("/ws") as socket:
        assert socket.receive_json() == {"type": "error", "id": None, "code": "hello_expected"}
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert closed.value.code == ws.CLOSE_BAD_HELLO
