"""A person's workbook: what they wrote for themselves during the day, in one place.

A program may name sections (``[workbook]``, an action plan: «1 Medarbeiders behov», …);
an exercise's note (``notes_section``) and a form's question (``section``) write into
one, so the plan fills up over the day. :func:`personal` gathers, for one person only,
the sections with what went into them, every other note and answer by exercise, the
roles they held, their network group and who they sat with in each exercise's own groups
(round by round), and the day's shared results. It is shown to that person
only (their «Mine svar» page and take-home link), never to another screen.

:func:`redacted` is what a stored command becomes when its author deletes their
answers: the history keeps its order, but not their words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.core.actions import SaveNote
from app.core.kinds.base import KindAction, Written
from app.core.localized import LocalizedText, required

if TYPE_CHECKING:
    from app.core.program import Exercise, Program
    from app.core.room import Command, Room

SectionId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
MAX_SECTIONS = 50
MAX_TITLE = 300


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Section(_Strict):
    """``{ id = "3a", title = "Delegering og oppgavestyring", hint = "…" }``"""

    id: SectionId
    title: Annotated[LocalizedText, AfterValidator(required(MAX_TITLE))]
    hint: LocalizedText = ""


class Workbook(_Strict):
    """``[workbook]``: the sections every person's workbook has."""

    title: LocalizedText = ""
    intro: LocalizedText = ""
    sections: Annotated[list[Section], Field(min_length=1, max_length=MAX_SECTIONS)]

    @model_validator(mode="after")
    def _unique_ids(self) -> Workbook:
        ids = [s.id for s in self.sections]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"section id {twice[0]!r} is used twice")
        return self


def unknown_sections(program: Program) -> list[str]:
    """Every reference to a workbook section the program does not have, described."""
    known = {s.id for s in program.workbook.sections} if program.workbook else set()
    problems = []
    for index, ex in enumerate(program.exercises):
        where = f'exercise {index + 1} ("{ex.id}")'
        refs: list[tuple[str, str]] = []
        if ex.notes_section is not None:
            refs.append(("notes_section", ex.notes_section))
        if ex.form is not None:
            refs += [
                (f"form.groups[{g}].questions[{q}].section", question.section)
                for g, group in enumerate(ex.form.groups)
                for q, question in enumerate(group.questions)
                if question.section is not None
            ]
        for field, ref in refs:
            if ref not in known:
                have = ", ".join(sorted(known)) or "none: add a [workbook] with sections"
                problems.append(f"{where}, field {field}: no workbook section {ref!r} (sections: {have})")
    return problems


# --- one person's workbook -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """Something a person wrote, with the exercise it was written in."""

    exercise: str
    exercise_title: LocalizedText
    written: Written


@dataclass(frozen=True, slots=True)
class Filled:
    section: Section
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Held:
    """The roles a person held in one exercise."""

    exercise: str
    exercise_title: LocalizedText
    roles: tuple[LocalizedText, ...]


@dataclass(frozen=True, slots=True)
class SatIn:
    """The person's group in one round of an exercise with its own groups: its name (the
    group card's translation key and number: «Duo 2»), the round (of ``rounds`` the
    program plans; 1 of 1 where the groups stay), and everyone in it, the person too, in
    the group card's order."""

    key: str
    number: int
    round: int
    rounds: int
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExerciseGroups:
    """The groups a person sat in during one exercise, round by round."""

    exercise: str
    exercise_title: LocalizedText
    rounds: tuple[SatIn, ...]


@dataclass(frozen=True, slots=True)
class Shared:
    """One exercise's shared result: the person's group's and the whole room's, most
    important (or most popular) first."""

    exercise: str
    exercise_title: LocalizedText
    kind: str
    group: tuple[str, ...]
    room: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PersonalWorkbook:
    name: str
    program_title: LocalizedText
    date: str | None
    title: LocalizedText
    intro: LocalizedText
    sections: tuple[Filled, ...]
    other: tuple[Entry, ...]  # everything written outside the sections, in the day's order
    roles: tuple[Held, ...]
    group: int | None  # the network group
    members: tuple[str, ...]  # the names of the others in it
    groups: tuple[ExerciseGroups, ...]  # the exercises' own groups (duos, trios, fours, tables)
    shared: tuple[Shared, ...]

    @property
    def empty(self) -> bool:
        """Nothing of the person's own: at most what they put into shared results."""
        entries = (*self.other, *(e for f in self.sections for e in f.entries))
        return all(e.written.shared for e in entries)


def written_by(room: Room, pid: str) -> list[Entry]:
    """Everything this person wrote for themselves, in the order of the day."""
    notes = room.notes.get(pid, {})
    out: list[Entry] = []
    for ex in room.program.exercises:
        note = notes.get(ex.id, "").strip()
        if note:
            out.append(Entry(ex.id, ex.title, Written(texts=(note,), section=ex.notes_section)))
        for kind in room.kinds_of(ex):
            state = room.kind_state(ex, kind)
            if state is not None and kind.written is not None:
                out += [Entry(ex.id, ex.title, w) for w in kind.written(room, ex, state, pid)]
    return out


def _roles_held(room: Room, ex: Exercise, pid: str) -> tuple[LocalizedText, ...]:
    from app.core.kinds import roles

    state = room.kind_state(ex, roles.KIND)
    if not isinstance(state, roles.State) or ex.roles is None:
        return ()
    names = ex.roles.roles
    return tuple(
        names[i].name
        for draw in state.groups.values()
        for i, holder in enumerate(draw.holders)
        if holder == pid
    )


def group_key(grouping: str, round_index: int) -> str:
    """The translation key of a group's name, as the phone's group card has it
    (``groupTitle`` in static/js/lib/page.js): 1-2-4-All's first groups are pairs, its
    next fours."""
    if grouping == "pairs" or (grouping == "1-2-4-all" and round_index == 0):
        return "group.pair"
    return {"triads": "group.triad", "1-2-4-all": "group.four", "world_cafe": "group.table"}.get(
        grouping, "group.number"
    )


def _sat_in(room: Room, ex: Exercise, pid: str) -> ExerciseGroups | None:
    planned = 1 if ex.grouping == "1-2-4-all" else 1 + sum(1 for p in ex.steps[1:] if p.new_groups)
    sat = []
    for index, assignment in enumerate(room.rounds_of(ex)):
        number = assignment.get(pid)
        if number is None:
            continue
        # In the group card's order (the assignment's); anyone removed since is left out.
        together = (m for m, group in assignment.items() if group == number)
        names = tuple(room.participants[m].name for m in together if m in room.participants)
        sat.append(SatIn(group_key(ex.grouping, index), number, index + 1, planned, names))
    return ExerciseGroups(ex.id, ex.title, tuple(sat)) if sat else None


def _shared(room: Room, ex: Exercise, group: int | None) -> list[Shared]:
    out = []
    for kind in room.kinds_of(ex):
        state = room.kind_state(ex, kind)
        if state is None or kind.suggestions is None:
            continue
        whole = tuple(kind.suggestions(room, ex, state, None))
        own = tuple(kind.suggestions(room, ex, state, group)) if group is not None else ()
        if own == whole:
            own = ()
        if own or whole:
            out.append(Shared(ex.id, ex.title, kind.name, own, whole))
    return out


def personal(room: Room, pid: str) -> PersonalWorkbook | None:
    """This person's workbook (None: no such person in the room)."""
    person = room.participants.get(pid)
    if person is None:
        return None
    program = room.program
    entries = written_by(room, pid)
    known = [s.id for s in program.workbook.sections] if program.workbook else []
    sections = tuple(
        Filled(s, tuple(e for e in entries if e.written.section == s.id))
        for s in (program.workbook.sections if program.workbook else [])
    )
    group = person.group
    members = tuple(
        p.name for p in room.participants.values() if group is not None and p.group == group and p.id != pid
    )
    roles = []
    sat = []
    shared = []
    for ex in program.exercises:
        held = _roles_held(room, ex, pid)
        if held:
            roles.append(Held(ex.id, ex.title, held))
        groups = _sat_in(room, ex, pid)
        if groups is not None:
            sat.append(groups)
        shared += _shared(room, ex, group if ex.grouping == "network" else None)
    return PersonalWorkbook(
        name=person.name,
        program_title=program.title,
        date=program.date,
        title=program.workbook.title if program.workbook else "",
        intro=program.workbook.intro if program.workbook else "",
        sections=sections,
        other=tuple(e for e in entries if e.written.section not in known),
        roles=tuple(roles),
        group=group,
        members=members,
        groups=tuple(sat),
        shared=tuple(shared),
    )


def forget(room: Room, pid: str) -> Room:
    """The room without this person's notes and private answers (they deleted them)."""
    activities = dict(room.activities)
    for ex in room.program.exercises:
        acts = activities.get(ex.id)
        if acts is None:
            continue
        for kind in room.kinds_of(ex):
            state = getattr(acts, kind.name)
            if state is not None and kind.forget is not None:
                acts = replace(acts, **{kind.name: kind.forget(room, ex, state, pid)})
        activities[ex.id] = acts
    notes = {k: v for k, v in room.notes.items() if k != pid}
    return replace(room, notes=notes, activities=activities)


def redacted(cmd: Command, pid: str) -> Command:
    """A stored command with this person's private words taken out (the rest unchanged)."""
    if cmd.actor != pid:
        return cmd
    action: Any = cmd.action
    if isinstance(action, SaveNote):
        return replace(cmd, action=action.model_copy(update={"text": ""}))
    if isinstance(action, KindAction):
        from app.core.registry import KIND_BY_ACTION

        kind = KIND_BY_ACTION.get(action.type)
        if kind is not None and kind.redact is not None:
            return replace(cmd, action=kind.redact(action))
    return cmd
