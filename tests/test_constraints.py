"""A clean clone installs what the suite passed with.

``pyproject.toml`` says which versions the app works with; ``constraints.txt`` pins the
ones the suite last passed with, and ``bin/setup`` and the ``Dockerfile`` install with it
(``pip install -c``). A CI run once failed on a clean clone only because a library
released a new version overnight (redis 8.2 typed a call that mypy had been told to
ignore); with the pins, the next release changes nothing until someone moves the pins and
runs the suite.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, version = line.partition("==")
        assert version, f"constraints.txt pins exact versions: {line!r}"
        pins[canonicalize_name(name)] = Version(version)
    return pins


def _required() -> list[Requirement]:
    """What pyproject.toml asks for: the app's dependencies and its test tools."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]]


def test_every_requirement_is_pinned_within_its_range() -> None:
    pins = _pins()
    unpinned = [str(r) for r in _required() if canonicalize_name(r.name) not in pins]
    outside = [
        f"{r} but {pins[canonicalize_name(r.name)]}"
        for r in _required()
        if canonicalize_name(r.name) in pins and pins[canonicalize_name(r.name)] not in r.specifier
    ]
    assert (unpinned, outside) == ([], [])


def test_the_suite_runs_on_the_pinned_versions() -> None:
    """What is installed here is what constraints.txt says (bin/setup installs it again
    when the file changes), so the suite's verdict is about the pinned versions."""
    differ = {}
    for name, pinned in _pins().items():
        installed = Version(metadata.version(name))
        if installed != pinned:
            differ[name] = f"{installed} installed, {pinned} pinned"
    assert differ == {}


def test_the_dockerfile_and_bin_setup_install_with_the_pins() -> None:
    assert re.search(r"pip install .*-c constraints\.txt", (ROOT / "bin" / "setup").read_text())
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"COPY [^\n]*constraints\.txt", dockerfile)
    assert re.search(r"pip install [^\n]*-c constraints\.txt", dockerfile)
