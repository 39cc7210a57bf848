from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.roomkit import DEMO_PROGRAM


@pytest.fixture
def programs_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "programs"
    folder.mkdir()
    (folder / "demo.toml").write_text(DEMO_PROGRAM, encoding="utf-8")
    return folder


@pytest.fixture
def settings(tmp_path: Path, programs_dir: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'samling.db'}",
        programs_dir=programs_dir,
        join_attempts_per_minute=50,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
