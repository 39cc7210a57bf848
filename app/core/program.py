"""Workshop programs: the data files in ``exercises/`` that describe a day.

A program is plain data (TOML or YAML). This module turns a file into validated
models and, when a file is broken, raises :class:`ProgramError` whose message names
the file, the exercise and the field, so a facilitator can fix it without reading code.
"""

from __future__ import annotations

import contextlib
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.core.kinds.comments import Config as CommentsConfig
from app.core.kinds.diamond import Config as DiamondConfig
from app.core.kinds.form import Config as FormConfig
from app.core.kinds.gallery import Config as GalleryConfig
from app.core.kinds.lists import Config as ListsConfig
from app.core.kinds.roles import Config as RolesConfig
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
Grouping = Literal["network", "pairs", "triads", "none"]


class RoundRobin(_Strict):
    """Rekkeframlegg: the group's phones show whose turn it is."""

    per_person_seconds: Annotated[int, Field(ge=0, le=3600)] = 0  # 0: pass by tapping only


class Phase(_Strict):
    kind: PhaseKind
    minutes: Annotated[float, Field(gt=0, le=600)]
    title: LocalizedText | None = None
    instruction: LocalizedText = ""
    notes: bool | None = None  # private notes field; default: on in I-phases
    round_robin: RoundRobin | None = None
    half_time_signal: bool = False  # "bytt på hvem som snakker" at half time

    @property
    def duration_ms(self) -> int:
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
    notes_section: SectionId | None = None  # the workbook section this exercise's note writes into
    # Each exercise kind adds its table here (see docs/kinds.md).

    @property
    def steps(self) -> list[Phase]:
        """The timed steps the room walks through; a slot with only minutes is one step."""
        if self.phases:
            return self.phases
        return [Phase(kind="timed", minutes=self.minutes or 1, instruction=self.instruction)]

    @property
    def planned_ms(self) -> int:
        return sum(p.duration_ms for p in self.steps)


class Program(_Strict):
    title: LocalizedText
    date: str | None = None
    start: Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")] | None = None  # planned start
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

    @field_validator("exercises")
    @classmethod
    def _unique_ids(cls, exercises: list[Exercise]) -> list[Exercise]:
        seen: set[str] = set()
        for ex in exercises:
            if ex.id in seen:
                raise ValueError(f"id {ex.id!r} is used twice")
            seen.add(ex.id)
        for ex in exercises:
            if ex.kind in ("igp", "talk") and not ex.phases:
                raise ValueError(f"exercise {ex.id!r} needs at least one phase")
            if ex.kind in ("info", "break") and not ex.phases and ex.minutes is None:
                raise ValueError(f"exercise {ex.id!r} needs minutes or phases")
        return exercises


class ProgramError(ValueError):
    """A program file that cannot be used; the message is meant for the facilitator."""


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
        return Program.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = _describe_location(data, tuple(err["loc"]))
            lines.append(f"{source}: {where}: {err['msg']}")
        raise ProgramError("\n".join(dict.fromkeys(lines))) from None


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
