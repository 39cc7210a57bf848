from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.storage.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite database to put golden rows in."""
    store = Store(f"sqlite:///{tmp_path / 'golden.db'}")
    yield store
    store.close()
