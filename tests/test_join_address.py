"""The join address: opened on localhost, the facilitator's page offers the laptop's own
network addresses (phones cannot reach «localhost»), and the QR code leads to the one
chosen — but only to an address this server offers, never to one a page made up."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pytest
import segno
from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.web import addresses
from tests.roomkit import create_workshop


@pytest.fixture
def laptop(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The facilitator's browser on the laptop itself, which is on 192.168.1.23."""
    monkeypatch.setattr(addresses, "network_addresses", lambda: ["192.168.1.23", "10.0.0.5"])
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        yield client


def boot(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="samling-boot">(.*?)</script>', html, re.S)
    assert match
    data: dict[str, object] = json.loads(match[1])
    return data


def qr_of(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=10, border=2, dark="#000000", light="#ffffff")
    return buffer.getvalue()


def test_on_localhost_the_page_offers_the_laptops_addresses(laptop: TestClient) -> None:
    w = create_workshop(laptop)
    page = laptop.get(f"/f/{w.code}/{w.facilitator_key}")
    assert boot(page.text)["join"] == {
        "base": "http://127.0.0.1:8000",
        "local": True,
        "choices": ["http://192.168.1.23:8000", "http://10.0.0.5:8000"],
    }


def test_at_a_network_address_or_a_public_url_nothing_is_offered(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(addresses, "network_addresses", lambda: ["192.168.1.23"])
    with TestClient(create_app(settings), base_url="http://192.168.1.23:8000") as client:
        w = create_workshop(client)
        assert boot(client.get(f"/f/{w.code}/{w.facilitator_key}").text)["join"] == {
            "base": "http://192.168.1.23:8000",
            "local": False,
            "choices": [],
        }
    public = settings.model_copy(update={"public_url": "https://samling.kommune.no"})
    with TestClient(create_app(public), base_url="http://localhost:8000") as client:
        w = create_workshop(client)
        join = boot(client.get(f"/f/{w.code}/{w.facilitator_key}").text)["join"]
        assert join == {"base": "https://samling.kommune.no", "local": False, "choices": []}


def test_the_qr_code_leads_to_the_chosen_address_and_only_to_an_offered_one(laptop: TestClient) -> None:
    w = create_workshop(laptop)
    chosen = laptop.get(f"/qr/{w.code}.svg", params={"base": "http://192.168.1.23:8000"})
    assert chosen.content == qr_of(f"http://192.168.1.23:8000/j/{w.code}")
    default = laptop.get(f"/qr/{w.code}.svg")
    assert default.content == qr_of(f"http://127.0.0.1:8000/j/{w.code}")
    for foreign in ("http://evil.example:8000", "http://192.168.1.23:9999", "javascript:alert(1)"):
        assert laptop.get(f"/qr/{w.code}.svg", params={"base": foreign}).content == default.content


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("localhost", True), ("127.0.0.1", True), ("127.1.2.3", True), ("[::1]", True), ("0.0.0.0", True),
     ("app.localhost", True), ("192.168.1.23", False), ("samling.kommune.no", False)],
)  # fmt: skip
def test_which_hosts_phones_cannot_reach(host: str, loopback: bool) -> None:
    assert addresses.is_loopback(host) is loopback
