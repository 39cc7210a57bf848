"""What the program editor asks of a program while a facilitator builds it: the same
checks as loading a file, each tied to the field it is about, and the planned agenda.

:func:`check` takes the program as plain data (what the editor's form holds) and returns
every problem with the path of its field (``["exercises", 2, "phases", 0, "minutes"]``),
so the editor shows it next to that field; the messages are those a file gets
(:func:`app.core.program.parse_program`). The agenda is worked out for every exercise that
is sound by itself, even while another one is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from app.core.program import Exercise, Program, cross_check

Path = list[str | int]
_FIELD_PART = re.compile(r"([a-z_]+)|\[(\d+)\]")
_DEFAULT_GROUP_SIZE = 5


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str


@dataclass(frozen=True)
class Planned:
    """One exercise on the planned agenda: where it starts (ms into the day) and how long
    it lasts; None while the exercise itself has a mistake."""

    index: int
    offset_ms: int | None
    planned_ms: int | None
    on: bool = True  # an optional exercise switched off is not counted


@dataclass(frozen=True)
class Report:
    problems: list[Problem] = field(default_factory=list)
    agenda: list[Planned] = field(default_factory=list)
    total_ms: int = 0
    program: Program | None = None  # when there is no problem

    @property
    def ok(self) -> bool:
        return not self.problems


def _location(loc: tuple[int | str, ...]) -> Path:
    """A pydantic error location without the names of union branches (``str``, ``dict[…]``)."""
    return [part for part in loc if isinstance(part, int) or not (part in ("str",) or "[" in part)]


def field_path(index: int, dotted: str) -> Path:
    """``phases[1].minutes`` of exercise ``index`` as a path."""
    path: Path = ["exercises", index]
    for name, number in _FIELD_PART.findall(dotted):
        path.append(name if name else int(number))
    return path


def check(data: Any) -> Report:
    """Every problem loading this program would report, by field, and the agenda."""
    if not isinstance(data, dict):
        return Report(problems=[Problem([], "the program must be a table of settings")])
    agenda, total = plan(data)
    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(_location(tuple(err["loc"])), err["msg"]) for err in exc.errors()]
        return Report(problems=_distinct(problems), agenda=agenda, total_ms=total)
    problems = [Problem(field_path(i, name), message) for i, name, message in cross_check(program)]
    if problems:
        return Report(problems=_distinct(problems), agenda=agenda, total_ms=total)
    return Report(agenda=agenda, total_ms=total, program=program)


def _distinct(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for problem in problems:
        key = (repr(problem.path), problem.message)
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


def plan(data: dict[str, Any]) -> tuple[list[Planned], int]:
    """The planned agenda: each exercise's start and length, as far as it can be told."""
    size = data.get("network_group_size", _DEFAULT_GROUP_SIZE)
    if not isinstance(size, int) or not 2 <= size <= 12:
        size = _DEFAULT_GROUP_SIZE
    exercises = data.get("exercises")
    agenda: list[Planned] = []
    offset: int | None = 0
    for index, item in enumerate(exercises if isinstance(exercises, list) else []):
        try:
            exercise = Exercise.model_validate(item)
        except (ValidationError, TypeError):
            agenda.append(Planned(index, offset, None))
            offset = None  # what comes after cannot be timed either
            continue
        planned = exercise.planned_ms(size)
        on = exercise.selected
        agenda.append(Planned(index, offset, planned, on))
        if offset is not None and on:
            offset += planned
    return agenda, sum(p.planned_ms for p in agenda if p.on and p.planned_ms is not None)
