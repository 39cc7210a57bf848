"""The docs keep up with the code: a setting or an action that is not documented fails."""

from __future__ import annotations

from pathlib import Path

from app.core.registry import ALL_ACTION_TYPES
from app.settings import Settings

ROOT = Path(__file__).parent.parent


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`SAMLING_{name.upper()}`" in readme, f"SAMLING_{name.upper()} is not documented"


def test_every_action_is_in_the_protocol_docs() -> None:
    protocol = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    for action in ALL_ACTION_TYPES - {"join"}:
        assert f"`{action}`" in protocol, f"action {action} is not documented"


def test_the_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "bin/run" in first_block
    assert "bin/test" in first_block
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().endswith("exec bin/test")
