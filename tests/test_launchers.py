"""The server a facilitator starts is the server the tests and the benchmarks measure.

``bin/run`` (the laptop), the ``Dockerfile`` (hosted) and the tests' own server
(``tests/liveserver.py``, which ``bench/`` starts too) give uvicorn the same options:
each is a figure in bench/README.md or a promise in docs/protocol.md only if the server
people run has it too.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.liveserver import UVICORN_OPTIONS

ROOT = Path(__file__).resolve().parent.parent


def _bin_run() -> list[str]:
    """The words of bin/run's uvicorn command line."""
    text = (ROOT / "bin" / "run").read_text(encoding="utf-8")
    command = re.search(r"^exec \.venv/bin/uvicorn (.*?)(?<!\\)$", text, re.M | re.S)
    assert command is not None, "bin/run starts uvicorn with exec"
    return shlex.split(command[1].replace("\\\n", " "))


def _dockerfile() -> list[str]:
    """The words of the Dockerfile's CMD (its JSON form)."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert cmd is not None, "the Dockerfile's CMD is a JSON list"
    return list(json.loads(cmd[1]))


def _options(words: list[str]) -> dict[str, str]:
    """``--name value`` pairs (flags without a value, as --no-server-header, left out)."""
    pairs: dict[str, str] = {}
    for name, value in zip(words, [*words[1:], ""], strict=True):
        if name.startswith("--") and value and not value.startswith("--"):
            pairs[name] = value
    return pairs


@pytest.mark.parametrize("launcher", [_bin_run, _dockerfile], ids=["bin/run", "Dockerfile"])
def test_every_launcher_gives_uvicorn_the_options_the_tests_run_with(
    launcher: Callable[[], list[str]],
) -> None:
    given = _options(launcher())
    tested = _options(list(UVICORN_OPTIONS))
    assert {name: given.get(name) for name in tested} == tested


def test_uvicorn_sends_no_pings_of_its_own_the_screens_heartbeat_is_the_one() -> None:
    assert _options(list(UVICORN_OPTIONS))["--ws-ping-interval"] == "0"
