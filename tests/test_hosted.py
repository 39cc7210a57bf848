"""Hosted mode: only signed-in facilitators reach the start page; accounts with Argon2
password hashes, made by a command; sign-in limited per address; each facilitator sees
and reopens their own workshops, open and closed, and no one else's."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from app.accounts import add_account
from app.main import create_app
from app.settings import Settings
from app.storage.accounts import Accounts
from tests.liveserver import code_and_key
from tests.roomkit import hello

PASSWORD = "korrekt hest batteri"


@pytest.fixture
def hosted(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"hosted": True}))) as client:
        accounts = Accounts(client.app.state.store.engine)  # type: ignore[attr-defined]
        add_account(accounts, "kari@kommune.no", PASSWORD)
        add_account(accounts, "Ola@Kommune.no", PASSWORD + "!")
        yield client


def sign_in(client: TestClient, email: str, password: str) -> int:
    client.cookies.clear()
    return client.post(
        "/signin", data={"email": email, "password": password}, follow_redirects=False
    ).status_code


def test_only_a_signed_in_facilitator_reaches_the_start_page_and_creates(hosted: TestClient) -> None:
    assert hosted.get("/", follow_redirects=False).headers["location"] == "/signin"
    refused = hosted.post("/workshops", data={"program": "demo.toml"}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/signin"
    assert sign_in(hosted, "kari@kommune.no", "wrong password") == 401
    assert sign_in(hosted, "nobody@kommune.no", PASSWORD) == 401
    assert sign_in(hosted, " KARI@kommune.no ", PASSWORD) == 303
    cookie = hosted.cookies.get("samling_session")
    assert cookie
    start = hosted.get("/")
    assert start.status_code == 200 and "Dine workshoper" in start.text and "Lag workshop" in start.text
    assert hosted.post("/signout", follow_redirects=False).headers["location"] == "/signin"
    hosted.cookies.set("samling_session", cookie)  # the old cookie no longer signs in
    assert hosted.get("/", follow_redirects=False).status_code == 303


def test_each_facilitator_reopens_their_own_workshops_open_and_closed(hosted: TestClient) -> None:
    assert sign_in(hosted, "kari@kommune.no", PASSWORD) == 303
    kari = hosted.cookies.get("samling_session")
    assert kari is not None
    code, key = code_and_key(hosted.post("/workshops", data={"program": "demo.toml"}, follow_redirects=False))
    assert f'href="/f/{code}/mine"' in hosted.get("/").text  # no secret link to keep
    page = hosted.get(f"/f/{code}/mine")
    assert page.status_code == 200 and "facilitator" in page.text
    with hosted.websocket_connect("/ws", headers={"cookie": f"samling_session={kari}"}) as socket:
        facilitator = hello(socket, code, "facilitator", "mine")
        assert facilitator.act({"type": "start"})["type"] == "ack"
    assert sign_in(hosted, "ola@kommune.no", PASSWORD + "!") == 303
    ola = hosted.cookies.get("samling_session")
    assert f"/f/{code}/mine" not in hosted.get("/").text
    assert hosted.get(f"/f/{code}/mine").status_code == 404  # another facilitator's
    assert hosted.get(f"/f/{code}/mine/results.json").status_code == 404
    with hosted.websocket_connect("/ws", headers={"cookie": f"samling_session={ola}"}) as socket:
        socket.send_json({"type": "hello", "room": code, "role": "facilitator", "key": "mine"})
        assert socket.receive_json()["code"] == "forbidden"
    hosted.cookies.clear()
    assert hosted.get(f"/f/{code}/{key}").status_code == 200  # the secret link still works
    hosted.cookies.set("samling_session", kari)
    assert hosted.post(f"/f/{code}/mine/close", follow_redirects=False).status_code == 303
    start = hosted.get("/").text
    assert f"/f/{code}/mine" in start and "avsluttet" in start  # closed, and still hers
    assert hosted.get(f"/f/{code}/mine/results.csv").status_code == 200
    assert hosted.post(f"/f/{code}/mine/delete", data={"confirm": "yes"}).status_code == 200
    assert f"/f/{code}/mine" not in hosted.get("/").text


def test_passwords_are_stored_as_argon2_hashes_only(hosted: TestClient) -> None:
    account = Accounts(hosted.app.state.store.engine).by_email("kari@kommune.no")  # type: ignore[attr-defined]
    assert account is not None
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash


def test_signing_in_is_limited_per_address(settings: Settings) -> None:
    strict = settings.model_copy(update={"hosted": True, "sign_in_attempts_per_minute": 3})
    with TestClient(create_app(strict)) as client:
        add_account(Accounts(client.app.state.store.engine), "kari@kommune.no", PASSWORD)  # type: ignore[attr-defined]
        answers = [sign_in(client, "kari@kommune.no", f"guess {i}") for i in range(3)]
        assert answers == [401, 401, 401]
        assert sign_in(client, "kari@kommune.no", PASSWORD) == 429  # even the right one, for now


def test_each_facilitator_has_their_own_budget_of_workshops_behind_one_address(settings: Settings) -> None:
    """A town hall's facilitators share one address: in hosted mode the workshops (and the
    editor's previews) one may create are counted per signed-in facilitator."""
    import tomllib

    from tests.roomkit import DEMO_PROGRAM

    strict = settings.model_copy(update={"hosted": True, "workshops_per_hour": 2})
    with TestClient(create_app(strict)) as client:
        accounts = Accounts(client.app.state.store.engine)  # type: ignore[attr-defined]
        add_account(accounts, "kari@kommune.no", PASSWORD)
        add_account(accounts, "ola@kommune.no", PASSWORD)

        def creates() -> list[int]:
            return [
                client.post("/workshops", data={"program": "demo.toml"}, follow_redirects=False).status_code
                for _ in range(3)
            ]

        assert sign_in(client, "kari@kommune.no", PASSWORD) == 303
        assert creates() == [303, 303, 429]
        assert sign_in(client, "ola@kommune.no", PASSWORD) == 303
        preview = client.post("/editor/preview", json={"program": tomllib.loads(DEMO_PROGRAM), "index": 0})
        assert preview.status_code == 200  # Kari's budget is not Ola's
        assert creates() == [303, 429, 429]


def test_without_hosted_mode_the_laptop_needs_no_account(client: TestClient) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/signin", follow_redirects=False).headers["location"] == "/"
    assert client.get("/f/XXXXXX/mine").status_code == 404


def test_the_command_makes_the_first_account(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'samling.db'}"
    env = {"SAMLING_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    made = subprocess.run(
        [sys.executable, "-m", "app.accounts", "add", "kari@kommune.no", "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parent.parent,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    short = subprocess.run(
        [sys.executable, "-m", "app.accounts", "add", "ola@kommune.no", "--password-stdin"],
        input="kort\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parent.parent,
        check=False,
    )
    assert short.returncode == 1 and "at least" in short.stderr
    from app.storage.store import Store

    store = Store(url)
    try:
        assert Accounts(store.engine).by_email("kari@kommune.no") is not None
        assert Accounts(store.engine).by_email("ola@kommune.no") is None
    finally:
        store.close()
