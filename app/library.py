"""The facilitator's library: method templates, programs saved from the editor, and
starting a workshop from one.

Method templates are program files in ``app/methods/`` (one method each, sometimes with
the exercise it builds on); they load with the same checks as any program, and the editor
inserts their exercises with the seeds' timings and texts. Saved programs are TOML text in
the database, written by :func:`app.core.program_writer.write_program`, so what the editor
saves is a file in the documented format: it downloads, uploads and loads as one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.core.editing import Report, check
from app.core.localized import LocalizedText, localize
from app.core.program import Program, ProgramError, list_programs, load_program, load_program_text
from app.core.program_writer import program_data, write_program
from app.realtime.hub import now_ms
from app.settings import Settings
from app.storage.library import Library
from app.storage.store import Store
from app.storage.tables import SavedProgram
from app.workshops import NewWorkshop, start_workshop

METHODS_DIR = Path(__file__).parent / "methods"
HEADER = "Laget i Samlings programredigering (docs/programs.md)."


@dataclass(frozen=True)
class Method:
    """A method template: its name and what it is for, and the exercises (as the editor's
    data) and workbook sections it brings."""

    id: str
    title: LocalizedText
    description: LocalizedText
    exercises: list[dict[str, Any]]
    sections: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "exercises": self.exercises,
            "sections": self.sections,
        }


@cache
def methods() -> tuple[Method, ...]:
    """Every method template, in the order of their file names."""
    found = []
    for path in sorted(METHODS_DIR.glob("*.toml")):
        data = program_data(load_program(path))
        workbook = data.get("workbook") or {}
        found.append(
            Method(
                id=path.stem,
                title=data["title"],
                description=data.get("description", ""),
                exercises=data["exercises"],
                sections=workbook.get("sections", []),
            )
        )
    return tuple(found)


def method(method_id: str) -> Method | None:
    return next((m for m in methods() if m.id == method_id), None)


def blank(lang: str) -> dict[str, Any]:
    """A new day with one empty IGP exercise to start from."""
    from app import i18n

    return {
        "title": i18n.translate("editor.new_title", lang),
        "start": "09:00",
        "exercises": [
            {
                "id": "ovelse-1",
                "title": i18n.translate("editor.new_exercise", lang),
                "phases": [
                    {"kind": "I", "minutes": 3},
                    {"kind": "G", "minutes": 10},
                    {"kind": "P", "minutes": 5},
                ],
            }
        ],
    }


def from_method(found: Method) -> dict[str, Any]:
    """A new day made of one method template."""
    data: dict[str, Any] = {"title": found.title, "start": "09:00", "exercises": found.exercises}
    if found.sections:
        data["workbook"] = {"sections": found.sections}
    return data


def shipped(settings: Settings) -> list[tuple[str, Program]]:
    """The program files in the programs folder that load (a broken one cannot be a start)."""
    out = []
    for name, path in list_programs(settings.programs_dir).items():
        try:
            out.append((name, load_program(path)))
        except ProgramError:
            continue
    return out


def from_shipped(settings: Settings, name: str) -> dict[str, Any] | None:
    path = list_programs(settings.programs_dir).get(name)
    if path is None:
        return None
    try:
        return program_data(load_program(path))
    except ProgramError:
        return None


def file_name(title: LocalizedText) -> str:
    """A file name from the day's title: «Ledersamling 3» → ``ledersamling-3.toml``."""
    text = localize(title, "nb").lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")
    return f"{slug or 'program'}.toml"


@dataclass(frozen=True)
class Saved:
    row: SavedProgram | None  # None: the owner has no program with that id
    report: Report


def save(library: Library, owner_id: int | None, program_id: int | None, data: Any) -> Saved:
    """Check the editor's program as a file would be checked and, when it holds, store it
    as a TOML file in the documented format."""
    report = check(data)
    if report.program is None:
        return Saved(None, report)
    text = write_program(report.program, comment=HEADER)
    load_program_text(text, source="check.toml")  # what is stored always loads
    row = library.save_program(owner_id, program_id, file_name(report.program.title), text, now_ms())
    return Saved(row, report)


def upload(library: Library, owner_id: int | None, name: str, text: str) -> tuple[SavedProgram | None, Any]:
    """A program file from the facilitator's computer: stored as it is when it loads (the
    editor writes it anew at the next save), else its data for the editor to show what is
    wrong. Raises ProgramError when it is not TOML or YAML at all."""
    source = name if name.endswith((".toml", ".yaml", ".yml")) else f"{name}.toml"
    try:
        program = load_program_text(text, source=source)
    except ProgramError as exc:
        data = _data_of(text, source)
        if data is None:
            raise exc from None
        return None, data
    if not source.endswith(".toml"):
        text = write_program(program, comment=HEADER)  # the library holds TOML only
    row = library.save_program(owner_id, None, file_name(program.title), text, now_ms())
    return row, program_data(program)


def _data_of(text: str, source: str) -> Any:
    import tomllib

    import yaml

    try:
        data = yaml.safe_load(text) if source.endswith((".yaml", ".yml")) else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def start_saved(store: Store, settings: Settings, row: SavedProgram) -> NewWorkshop:
    """A workshop from a saved program, owned by the program's owner."""
    return start_workshop(store, settings, row.name, row.text, owner_id=row.owner_id)
