"""Workshop programs: the data files in ``exercises/`` that describe a day.

A program is plain data (TOML or YAML). This module turns a file into validated
models and, when a file is broken, raises :class:`ProgramError` whose message names
the file, the exercise and the field, so a facilitator can fix it without reading code.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.core.dates import CalendarDate
from app.core.kinds.comments import Config as CommentsConfig
from app.core.kinds.crowdsource import Config as CrowdsourceConfig
from app.core.kinds.diamond import Config as DiamondConfig
from app.core.kinds.form import Config as FormConfig
from app.core.kinds.gallery import Config as GalleryConfig
from app.core.kinds.lists import Config as ListsConfig
from app.core.kinds.recap import Config as RecapConfig
from app.core.kinds.roles import Config as RolesConfig
from app.core.kinds.roles import role_names
from app.core.kinds.wordcloud import Config as WordcloudConfig
from app.core.localized import LocalizedText
from app.core.workbook import SectionId, Workbook, unknown_sections

LANGUAGES = ("nb", "en")


class _Strict(BaseModel):
    # Unknown keys are refused so that a typo ("minuttes") is reported, not ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


# I/G/P are the steps of an IGP exercise; "timed" is a plain timed step (a talk in pairs,
# a lecture, a break) that shows a countdown but no I/G/P label.
PhaseKind = Literal["I", "G", "P", "timed"]
# "1-2-4-all": alone, then pairs, then each pair joins another pair, then all, one step per
# phase; "world_cafe": tables (the network groups) whose hosts stay while the others move.
Grouping = Literal["network", "pairs", "triads", "none", "1-2-4-all", "world_cafe"]
OWN_GROUPS = ("pairs", "triads", "1-2-4-all", "world_cafe")  # an exercise's own groups


class RoundRobin(_Strict):
    """Rekkeframlegg: the group's phones show whose turn it is. The turns follow the
    phase's timer: nothing moves before Start or while the timer is paused."""

    per_person_seconds: Annotated[int, Field(ge=0, le=3600)] = 0  # 0: pass by tapping only
    rounds: Annotated[int, Field(ge=0, le=50)] = 1  # full rounds; 0: round and round until the phase ends
    anyone_passes: bool = False  # not only the speaker: any member may pass the turn (phones confirm)


class Phase(_Strict):
    kind: PhaseKind
    minutes: Annotated[float, Field(gt=0, le=600)] | None = None
    minutes_per_person: Annotated[float, Field(gt=0, le=60)] | None = None  # x the largest group
    title: LocalizedText | None = None
    instruction: LocalizedText = ""
    notes: bool | None = None  # private notes field; default: on in I-phases
    round_robin: RoundRobin | None = None
    half_time_signal: bool = False  # "bytt på hvem som snakker" at half time
    new_roles: bool = False  # the exercise's roles pass on to the next person as this phase starts
    new_groups: bool = False  # new pairs / triads (nobody met before) or, in a World Café, the others move
    # What each role does in this phase, by the role's name: { Klient = "Snu ryggen til og lytt" }
    role_cues: dict[str, LocalizedText] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_length(self) -> Phase:
        if (self.minutes is None) == (self.minutes_per_person is None):
            raise ValueError("give either minutes or minutes_per_person")
        return self

    def duration_ms(self, people: int) -> int:
        """How long the phase lasts for groups of at most ``people`` (unscaled)."""
        if self.minutes_per_person is not None:
            return min(600 * 60_000, round(self.minutes_per_person * 60_000 * max(1, people)))
        assert self.minutes is not None
        return round(self.minutes * 60_000)

    @property
    def has_notes(self) -> bool:
        return self.kind == "I" if self.notes is None else self.notes


ExerciseKind = Literal["igp", "talk", "info", "break"]


class Exercise(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
    kind: ExerciseKind = "igp"
    title: LocalizedText
    instruction: LocalizedText = ""
    grouping: Grouping = "network"
    phases: list[Phase] = Field(default_factory=list)
    minutes: Annotated[float, Field(gt=0, le=600)] | None = None  # for info / break slots
    comments: CommentsConfig | None = None  # open, anonymous comments (closing round)
    roles: RolesConfig | None = None  # roles by rule: closest to 40, darkest hair, rotating triads
    diamond: DiamondConfig | None = None  # diamond ranking 1-2-3-2-1 per group
    gallery: GalleryConfig | None = None  # gallery walk over a diamond exercise (of = "<id>")
    wordcloud: WordcloudConfig | None = None  # live word cloud: a few words from everyone
    lists: ListsConfig | None = None  # the groups' lists, gathered for the room, dot voting
    form: FormConfig | None = None  # private questions under headings (a self-assessment)
    crowdsource: CrowdsourceConfig | None = None  # 25/10 Crowd Sourcing: bold ideas scored, top ten
    recap: RecapConfig | None = None  # «Oppsummering fra sist samling»: the earlier gathering's results
    notes_section: SectionId | None = None  # the workbook section this exercise's note writes into
    # Each exercise kind adds its table here (see docs/kinds.md).
    optional: bool = False  # in the facilitator's method menu: may be switched on or off
    selected: bool = True  # an optional exercise starts switched on (false: off until chosen)

    @model_validator(mode="after")
    def _selected_needs_optional(self) -> Exercise:
        if not self.selected and not self.optional:
            raise ValueError("selected = false is only for exercises with optional = true")
        return self

    @property
    def steps(self) -> list[Phase]:
        """The timed steps the room walks through; a slot with only minutes is one step."""
        if self.phases:
            return self.phases
        return [Phase(kind="timed", minutes=self.minutes or 1, instruction=self.instruction)]

    def planned_group_size(self, network_group_size: int) -> int:
        """The group size the plan assumes (for phases timed per person)."""
        return {"pairs": 2, "triads": 3, "1-2-4-all": 4}.get(self.grouping, network_group_size)

    def planned_ms(self, network_group_size: int) -> int:
        size = self.planned_group_size(network_group_size)
        return sum(p.duration_ms(size) for p in self.steps)


class Program(_Strict):
    title: LocalizedText
    date: CalendarDate | None = None
    start: str | None = None  # planned start, "HH:MM"
    description: LocalizedText = ""
    network_group_size: Annotated[int, Field(ge=2, le=12)] = 5
    workbook: Workbook | None = None  # sections of each person's own workbook (an action plan)
    exercises: Annotated[list[Exercise], Field(min_length=1)]

    @model_validator(mode="after")
    def _sections_exist(self) -> Program:
        problems = unknown_sections(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @field_validator("start")
    @classmethod
    def _clock_time(cls, value: str | None) -> str | None:
        if value is not None:
            parts = value.split(":")
            ok = len(parts) == 2 and all(len(p) == 2 and p.isdigit() for p in parts)
            if not ok or int(parts[0]) > 23 or int(parts[1]) > 59:
                raise ValueError(f'{value!r} is not a time of day: write it as HH:MM, for example "08:30"')
        return value

    def exercise(self, exercise_id: str) -> Exercise | None:
        return next((ex for ex in self.exercises if ex.id == exercise_id), None)

    def planned_ms(self, exercise: Exercise) -> int:
        return exercise.planned_ms(self.network_group_size)


class ProgramError(ValueError):
    """A program file that cannot be used; the message is meant for the facilitator."""


def _where(index: int, exercise: Exercise | None, field: str) -> str:
    ident = f' ("{exercise.id}")' if exercise is not None else ""
    return f"exercise {index + 1}{ident}, field {field}"


def cross_check(program: Program) -> Iterator[tuple[int, str, str]]:
    """What the models alone cannot see: ids used twice, phases every exercise needs,
    and each kind's references to other exercises and to its own phases, as
    (exercise index, field, message)."""
    from app.core.registry import KINDS  # the kinds' configs are imported above; their checks here

    first: dict[str, int] = {}
    for index, ex in enumerate(program.exercises):
        if ex.id in first:
            other = first[ex.id]
            yield index, "id", f"id {ex.id!r} is used twice: exercise {other + 1} has it too"
        first.setdefault(ex.id, index)
        if ex.kind in ("igp", "talk") and not ex.phases:
            yield index, "phases", "needs at least one phase"
        if ex.kind in ("info", "break") and not ex.phases and ex.minutes is None:
            yield index, "phases", "needs minutes or phases"
        for number, phase in enumerate(ex.phases):
            if phase.minutes_per_person is not None and ex.grouping == "none":
                yield index, f"phases[{number}].minutes_per_person", "needs groups (grouping is none)"
            if phase.new_roles and (ex.roles is None or not ex.roles.rotate):
                yield index, f"phases[{number}].new_roles", "needs roles with rotate = true"
            if phase.new_roles and number == 0:
                yield index, f"phases[{number}].new_roles", "the first phase has the first roles"
            if phase.new_groups and ex.grouping not in ("pairs", "triads", "world_cafe"):
                yield index, f"phases[{number}].new_groups", "needs grouping pairs, triads or world_cafe"
            if phase.role_cues:
                names = role_names(ex.roles) if ex.roles is not None else set()
                for name in phase.role_cues:
                    if name not in names:
                        known = ", ".join(sorted(names)) or "the exercise has no roles"
                        yield index, f"phases[{number}].role_cues", f"{name!r} is none of the roles ({known})"
            if phase.new_groups and number == 0:
                yield index, f"phases[{number}].new_groups", "the first phase has the first groups"
            if phase.round_robin is not None and ex.grouping == "none":
                yield index, f"phases[{number}].round_robin", "needs groups (grouping is none)"
        for kind in KINDS:
            if kind.in_groups and ex.grouping == "none" and getattr(ex, kind.name, None) is not None:
                yield index, kind.name, "needs groups (grouping is none)"
            if kind.check is not None and getattr(ex, kind.name, None) is not None:
                for field, message in kind.check(program, ex):
                    yield index, f"{kind.name}.{field}", message


def referenced(program: Program, exercise: Exercise, ref: str) -> tuple[Exercise | None, str | None]:
    """An earlier exercise named by ``ref``, or why the reference does not hold."""
    target = program.exercise(ref)
    if target is None:
        return None, f"no exercise has the id {ref!r}"
    if target.id == exercise.id:
        return None, "names the exercise itself"
    if program.exercises.index(target) > program.exercises.index(exercise):
        return None, f"{ref!r} comes later in the day; it must come before"
    return target, None


def _describe_location(data: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into 'exercise 3 ("verdier"), field phases[1].minutes'."""
    parts: list[str] = []
    rest = list(loc)
    if len(rest) >= 2 and rest[0] == "exercises" and isinstance(rest[1], int):
        index = rest[1]
        ident = ""
        with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
            ident = str(data["exercises"][index].get("id", ""))
        parts.append(f"exercise {index + 1}" + (f' ("{ident}")' if ident else ""))
        rest = rest[2:]
    field = ""
    for item in rest:
        if isinstance(item, int):
            field += f"[{item}]"
        elif item in ("str", "dict[str,str]") or "[" in str(item):
            continue  # union branch names add noise, not information
        else:
            field += ("." if field else "") + str(item)
    if field:
        parts.append(f"field {field}")
    return ", ".join(parts) or "top level"


def parse_program(data: Any, *, source: str = "<program>") -> Program:
    if not isinstance(data, dict):
        raise ProgramError(f"{source}: the file must hold a table of settings at the top level")
    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = _describe_location(data, tuple(err["loc"]))
            lines.append(f"{source}: {where}: {err['msg']}")
        raise ProgramError("\n".join(dict.fromkeys(lines))) from None
    problems = [
        f"{source}: {_where(i, program.exercises[i], field)}: {message}"
        for i, field, message in cross_check(program)
    ]
    if problems:
        raise ProgramError("\n".join(dict.fromkeys(problems)))
    return program


def load_program_text(text: str, *, source: str) -> Program:
    try:
        data = yaml.safe_load(text) if source.endswith((".yaml", ".yml")) else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ProgramError(f"{source}: not valid {'YAML' if 'y' in source[-4:] else 'TOML'}: {exc}") from None
    return parse_program(data, source=source)


def load_program(path: Path) -> Program:
    return load_program_text(path.read_text(encoding="utf-8"), source=path.name)


PROGRAM_SUFFIXES = (".toml", ".yaml", ".yml")


def list_programs(folder: Path) -> dict[str, Path]:
    """The program files a facilitator can start a workshop from, by file name."""
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir()) if p.suffix in PROGRAM_SUFFIXES}
