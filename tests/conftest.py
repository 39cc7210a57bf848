from __future__ import annotations

import gc
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.roomkit import DEMO_PROGRAM
from tests.tcpproxy import CuttableProxy

# The PostgreSQL server the tests use (bin/test starts it where it is not running).
POSTGRES_ADMIN_URL = os.environ.get("SAMLING_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(autouse=True)
def _garbage_collected_after_each_test() -> Iterator[None]:
    """What a test left unclosed is found while that test ends, not by the collector in
    whichever test it runs in next (a ResourceWarning is an error here, and on two workers
    the next test differs from run to run): the test that leaked it is the one that fails."""
    yield
    gc.collect()


@pytest.fixture
def programs_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "programs"
    folder.mkdir()
    (folder / "demo.toml").write_text(DEMO_PROGRAM, encoding="utf-8")
    return folder


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"samling_test_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            still_open = _connections_left_open(admin, name)
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # A connection the test left open would be found by the garbage collector later, in
        # whatever test runs then (a ResourceWarning there); it is this test's leak, said here.
        assert still_open == 0, f"{still_open} connection(s) to the test's database left open"


def _connections_left_open(admin: psycopg.Connection[Any], name: str) -> int:
    """The clients still connected to database ``name``, after the few seconds a killed
    server's connections take to be noticed gone."""
    deadline = time.monotonic() + 5
    while True:
        row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)).fetchone()
        count = int(row[0]) if row else 0
        if count == 0 or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


@pytest.fixture
def postgres_behind_proxy(postgres_url: str) -> Iterator[tuple[str, CuttableProxy]]:
    """A fresh PostgreSQL database reached through a proxy the test can cut."""
    host_port = postgres_url.split("@", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    proxy = CuttableProxy(host, int(port))
    proxy.start()
    yield postgres_url.replace(f"@{host_port}/", f"@127.0.0.1:{proxy.port}/"), proxy
    proxy.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test that runs the app runs it on both databases it supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'samling.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings(database_url: str, programs_dir: Path) -> Settings:
    return Settings(
        database_url=database_url,
        programs_dir=programs_dir,
        join_attempts_per_minute=50,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
