"""«Oppsummering fra sist samling»: the results of the gathering before, shown again.

A programme's next gathering opens with the earlier one's shared results: the word
cloud's words, each group's diamond and the combined ranking, the lists with their votes,
the top ideas, and the network groups. :func:`summary` reads them from the earlier room
(only what its board showed: never a note, an age or a private answer) into the
``[exercises.recap]`` table of the new gathering's program, so the summary is plain data
in the program file: stored with the workshop, shown on the projector, the facilitator's
page and the phones, and editable like any other table. The kind has no actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.dates import CalendarDate
from app.core.kinds.base import Kind
from app.core.localized import LocalizedText, text

if TYPE_CHECKING:
    from app.core.program import Exercise
    from app.core.room import Command, Room

MAX_TEXT = 300
MAX_ITEMS = 200
MAX_SECTIONS = 100
SHOWN = 30  # words, ranked values and list items a summary takes from one exercise

SectionKind = Literal["words", "diamond", "ranking", "list", "groups"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Strict):
    """``{ text = "Tillit", count = 5 }``: a word and how many sent it, an item and its votes."""

    text: Annotated[str, Field(max_length=MAX_TEXT)]
    count: Annotated[int, Field(ge=0, le=1_000_000)] | None = None


class Section(_Strict):
    """One result of the earlier gathering: an exercise's words, list or ranking, one
    group's diamond (``rows``, row 1 the most important), or one network group's members."""

    kind: SectionKind = "list"
    title: LocalizedText = ""  # the exercise it comes from
    group: Annotated[int, Field(ge=1, le=500)] | None = None
    items: Annotated[list[Item], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)
    rows: Annotated[list[list[Annotated[str, Field(max_length=MAX_TEXT)]]], Field(max_length=5)] = Field(
        default_factory=list
    )


class Config(_Strict):
    """``[exercises.recap]``: the earlier gathering's title and date, and its results."""

    title: LocalizedText = ""
    date: CalendarDate | None = None
    sections: Annotated[list[Section], Field(max_length=MAX_SECTIONS)] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class State:
    """Nothing changes while the summary is shown."""


def _config(exercise: Exercise) -> Config:
    assert exercise.recap is not None
    return exercise.recap


def start(room: Room, exercise: Exercise, cmd: Command) -> State:
    return State()


def apply(room: Room, exercise: Exercise, state: State, cmd: Command) -> tuple[State, Any]:
    from app.core.outcome import Refused

    raise Refused("unknown_action")


def view(room: Room, exercise: Exercise, state: State) -> dict[str, Any]:
    config = _config(exercise)
    return {
        "title": text(config.title),
        "date": config.date,
        "sections": [
            {
                "kind": s.kind,
                "title": text(s.title),
                "group": s.group,
                "items": [{"text": i.text, "count": i.count} for i in s.items],
                "rows": s.rows,
            }
            for s in config.sections
        ],
    }


def mine(room: Room, exercise: Exercise, state: State, pid: str) -> dict[str, Any]:
    return view(room, exercise, state)


# --- reading an earlier room -------------------------------------------------------------


def _clip(value: str) -> str:
    return value[:MAX_TEXT]


def summary(room: Room) -> Config:
    """The shared results of ``room`` (a closed workshop's results, or a live one) and its
    network groups, as the recap of the gathering after it."""
    from app.core.kinds import crowdsource, diamond, lists, wordcloud

    sections: list[Section] = []
    for ex in room.program.exercises:
        acts = room.activities.get(ex.id)
        if acts is None:
            continue
        if acts.wordcloud is not None:
            words = [w for w in wordcloud.words(acts.wordcloud) if not w.hidden][:SHOWN]
            if words:
                items = [Item(text=_clip(w.text), count=w.count) for w in words]
                sections.append(Section(kind="words", title=ex.title, items=items))
        if acts.diamond is not None:
            for group in sorted(acts.diamond.groups):
                rows = diamond.rows_of(acts.diamond.groups[group])
                if any(v for row in rows for v in row):
                    cleaned = [[_clip(v or "") for v in row] for row in rows]
                    sections.append(Section(kind="diamond", title=ex.title, group=group, rows=cleaned))
            ranking = diamond.combined_ranking(acts.diamond)[:SHOWN]
            if ranking:
                items = [Item(text=_clip(r["value"]), count=r["points"]) for r in ranking]
                sections.append(Section(kind="ranking", title=ex.title, items=items))
        if acts.lists is not None:
            exported = lists.export(room, ex, acts.lists)
            voted = [(item, votes) for group, item, votes in exported if group == ""]
            if voted:
                items = [Item(text=_clip(t), count=int(v)) for t, v in voted[:SHOWN]]
                sections.append(Section(kind="list", title=ex.title, items=items))
            else:
                by_group: dict[str, list[str]] = {}
                for number, item, _ in exported:
                    by_group.setdefault(number, []).append(item)
                for number, texts in sorted(by_group.items(), key=lambda g: int(g[0])):
                    items = [Item(text=_clip(t)) for t in texts[:SHOWN]]
                    sections.append(Section(kind="list", title=ex.title, group=int(number), items=items))
        if acts.crowdsource is not None:
            cards = crowdsource.export(room, ex, acts.crowdsource)[:10]
            if cards:
                items = [Item(text=_clip(card), count=int(total)) for _, card, total in cards]
                sections.append(Section(kind="ranking", title=ex.title, items=items))
    network: dict[int, list[str]] = {}
    for person in sorted(room.participants.values(), key=lambda p: int(p.id[1:])):
        if person.group is not None:
            network.setdefault(person.group, []).append(person.name)
    for group in sorted(network)[: MAX_SECTIONS - len(sections)]:
        items = [Item(text=_clip(name)) for name in network[group][:MAX_ITEMS]]
        sections.append(Section(kind="groups", group=group, items=items))
    return Config(title=room.program.title, date=room.program.date, sections=sections[:MAX_SECTIONS])


KIND: Kind[State] = Kind(
    name="recap",
    participant_actions=(),
    facilitator_actions=(),
    start=start,
    apply=apply,
    board=view,
    mine=mine,
)
