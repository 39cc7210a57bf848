"""Light phone pages (app/web/assets.py): the phone loads only the kinds its program uses,
every asset from a versioned URL cached for a year, compressed; the join page carries
no catalog of texts; and every module the phone imports is named up front."""

from __future__ import annotations

import gzip
import json
import re

from starlette.testclient import TestClient

from app.web import assets
from tests.roomkit import create_workshop, join

ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def phone_page(client: TestClient) -> str:
    w = create_workshop(client)  # the demo program: of the kinds, closing comments only
    token = join(client, w.code, "Kari")
    client.cookies.set(f"samling_{w.code}", token)
    page = client.get(f"/r/{w.code}")
    assert page.status_code == 200
    return page.text


def test_the_phone_loads_only_its_programs_kinds_from_versioned_urls(client: TestClient) -> None:
    html = phone_page(client)
    urls = ASSET.findall(html)
    assert urls and all(u.startswith(f"/static/v/{assets.version()}/") for u in urls), urls
    kinds = sorted({m for m in re.findall(r"/js/kinds/(\w+)\.js", html)})
    assert kinds == ["comments"]
    # The whole import graph is preloaded: no module waits for the one that imports it.
    preloaded = set(re.findall(r'rel="modulepreload" href="([^"]+)"', html))
    assert any(u.endswith("/js/lib/connection.js") for u in preloaded)
    assert any(u.endswith("/js/lib/dom.js") for u in preloaded)


def test_versioned_assets_are_cached_for_a_year_and_compressed(client: TestClient) -> None:
    url = assets.static_url("js/lib/connection.js")
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    raw = client.get("/static/js/lib/connection.js", headers={"accept-encoding": "identity"})
    assert response.text == raw.text  # httpx undid the gzip: the same file
    assert int(raw.headers["content-length"]) > 3 * len(gzip.compress(raw.content, 6)) // 2
    assert raw.headers["cache-control"] == "no-cache"  # unversioned: asked again each time


def test_the_phone_page_is_compressed_and_staff_pages_are_not(client: TestClient) -> None:
    w = create_workshop(client)
    staff = client.get(f"/f/{w.code}/{w.facilitator_key}", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in staff.headers  # it holds the secret key: no compression
    token = join(client, w.code, "Kari")
    client.cookies.set(f"samling_{w.code}", token)
    phone = client.get(f"/r/{w.code}", headers={"accept-encoding": "gzip"})
    assert phone.headers["content-encoding"] == "gzip"
    assert phone.headers["cache-control"] == "no-store"


def test_the_join_page_has_no_catalog_of_texts(client: TestClient) -> None:
    page = client.get("/j")
    assert page.status_code == 200
    assert 'id="samling-catalog"' not in page.text
    assert "<script" not in page.text.replace('<script type="application/json" id="samling-boot">', "")
    assert len(page.content) < 4000, len(page.content)


def test_a_browser_that_joins_gets_the_phone_page_with_its_room_at_once(client: TestClient) -> None:
    w = create_workshop(client)
    client.cookies.clear()
    joined = client.post(
        "/join",
        data={"code": w.code, "name": "Kari"},
        headers={"sec-fetch-mode": "navigate", "accept-encoding": "gzip"},
        follow_redirects=False,
    )
    assert joined.status_code == 200  # no redirect to follow on a slow network
    assert joined.headers["content-encoding"] == "gzip"
    assert joined.cookies.get(f"samling_{w.code}")
    boot = json.loads(re.search(r'id="samling-boot">(.*?)</script>', joined.text, re.S)[1])  # type: ignore[index]
    assert boot["state"]["me"]["name"] == "Kari"  # the room as her phone sees it, before the socket
    assert boot["code"] == w.code
