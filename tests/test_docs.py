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


def test_the_readme_says_which_checks_bin_test_runs_and_over_what() -> None:
    import tomllib

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    script = (ROOT / "bin" / "test").read_text(encoding="utf-8")
    for check in ("ruff check", "ruff format --check", "mypy", "node --test tests/js/"):
        assert check.split(" tests/")[0] in script, f"bin/test does not run {check}"
        assert f"`{check}" in readme, f"the README does not say bin/test runs {check}"
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert mypy["strict"] is True and mypy["files"] == ["app", "bench", "tests"]
    assert "(strict, over `app/`, `bench/` and `tests/`)" in readme


def test_the_examples_in_the_program_docs_load() -> None:
    import re

    from app.core.program import load_program_text

    text = (ROOT / "docs" / "programs.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(toml|yaml)\n(.*?)```", text, re.DOTALL)
    whole_days = [(lang, body) for lang, body in blocks if body.startswith("title")]
    assert len(whole_days) == 2
    for lang, body in whole_days:
        program = load_program_text(body, source=f"example.{lang}")
        assert program.exercises


def test_every_shipped_program_loads() -> None:
    from app.core.program import list_programs, load_program

    programs = list_programs(ROOT / "exercises")
    assert "seljord-samling-2.toml" in programs
    for path in programs.values():
        assert load_program(path).exercises
