"""A programme of gatherings: the next gathering starts from the one before.

- :func:`start_next` makes a workshop the next gathering: its program opens with
  «Oppsummering fra sist samling», a ``recap`` table of the earlier room's shared results
  and network groups (:func:`app.core.kinds.recap.summary`).
- People come back by their personal take-home link of the gathering before
  (:func:`rejoin_plan`: their name and network group, proven by the link), or they join
  with the room code and the facilitator confirms that a name matches someone from before
  (:func:`name_matches`). Either way they sit in their network group again.
- Whoever came back by their link finds their earlier workbook in this gathering's «Mine
  svar» (:func:`earlier_workbooks`); a name match alone carries the group over, never the
  private answers (a facilitator may confirm the wrong Kari).

Only ids are stored about who came back (``returning_person``); names and answers stay in
the rooms.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from app import i18n
from app.core import workbook
from app.core.kinds import recap
from app.core.localized import localize
from app.core.program import Exercise, Program, load_program_text
from app.core.program_writer import write_program
from app.core.room import Participant, Room
from app.realtime.hub import now_ms
from app.settings import Settings
from app.storage.library import Library
from app.storage.store import Store
from app.storage.tables import Workshop
from app.workshops import NewWorkshop, start_workshop, stored_room

RECAP_ID = "oppsummering"
RECAP_MINUTES = 10


def with_recap(program: Program, earlier: Room) -> Program:
    """``program`` opening with the summary of ``earlier``: its first exercise with a recap
    table gets the summary, else a new first exercise holds it."""
    summary = recap.summary(earlier)
    exercises = list(program.exercises)
    for index, ex in enumerate(exercises):
        if ex.recap is not None:
            exercises[index] = ex.model_copy(update={"recap": summary})
            break
    else:
        taken = {ex.id for ex in exercises}
        ident, n = RECAP_ID, 2
        while ident in taken:
            ident, n = f"{RECAP_ID}-{n}", n + 1
        title = {lang: i18n.translate("recap.heading", lang) for lang in i18n.LANGUAGES}
        opening = Exercise(
            id=ident, kind="info", title=title, grouping="none", minutes=RECAP_MINUTES, recap=summary
        )
        exercises.insert(0, opening)
    data = program.model_dump()
    data["exercises"] = [ex.model_dump() for ex in exercises]
    return Program.model_validate(data)


@dataclass(frozen=True)
class Next:
    created: NewWorkshop
    number: int  # the gathering's number in the programme


def start_next(store: Store, settings: Settings, earlier_code: str, name: str, text: str) -> Next | None:
    """Start the next gathering after workshop ``earlier_code`` from a program file's
    text; None when the earlier workshop is gone."""
    found = stored_room(store, earlier_code)
    if found is None or found[0].id is None:
        return None
    earlier, room = found
    program = with_recap(load_program_text(text, source=name), room)
    created = start_workshop(store, settings, name, write_program(program), owner_id=earlier.owner_id)
    later = store.find_workshop(created.code)
    assert later is not None and later.id is not None
    title = i18n.translate("programme.default_title", "nb", title=localize(room.program.title, "nb"))
    gathering = Library(store.engine).add_gathering(earlier, later.id, title, now_ms())
    return Next(created, gathering.number)


# --- who comes back -----------------------------------------------------------------------


def same_name(a: str, b: str) -> bool:
    def key(name: str) -> str:
        return " ".join(unicodedata.normalize("NFC", name).casefold().split())

    return key(a) == key(b)


@dataclass(frozen=True)
class Earlier:
    """The gathering before this one, with who was there and who of them is back."""

    workshop: Workshop
    room: Room
    back: dict[str, tuple[str, str]]  # earlier pid -> (pid here, proof)

    def person(self, earlier_pid: str) -> Participant | None:
        return self.room.participants.get(earlier_pid)

    def waiting(self) -> list[Participant]:
        """People of the gathering before who are not back yet, in join order."""
        people = [p for pid, p in self.room.participants.items() if pid not in self.back]
        return sorted(people, key=lambda p: int(p.id[1:]))


def earlier_of(store: Store, workshop_id: int) -> Earlier | None:
    """The gathering before ``workshop_id`` (None: it is no later gathering, or it is gone)."""
    library = Library(store.engine)
    gathering = library.gathering(workshop_id)
    if gathering is None or gathering.follows_id is None:
        return None
    earlier = next(
        (w for _, w in library.gatherings(gathering.programme_id) if w.id == gathering.follows_id), None
    )
    if earlier is None:
        return None
    found = stored_room(store, earlier.code)
    if found is None:
        return None
    back = {r.earlier_pid: (r.pid, r.proof) for r in library.returning(workshop_id)}
    return Earlier(found[0], found[1], back)


def name_matches(here: Room, earlier: Earlier) -> dict[str, list[str]]:
    """For each person here who is nobody from before yet: the people of the gathering
    before who are not back and have the same name (what the facilitator may confirm)."""
    matched_here = {pid for pid, _ in earlier.back.values()}
    waiting = earlier.waiting()
    out: dict[str, list[str]] = {}
    for pid, person in here.participants.items():
        if pid in matched_here:
            continue
        same = [p.id for p in waiting if same_name(p.name, person.name)]
        if same:
            out[pid] = same
    return out


def later_open_gathering(store: Store, workshop_id: int) -> Workshop | None:
    """The open gathering that follows this workshop (the newest, if several)."""
    open_ones = [
        w
        for _, w in Library(store.engine).followers(workshop_id)
        if w.closed_at is None and w.deleted_at is None
    ]
    return max(open_ones, key=lambda w: w.created_at) if open_ones else None


def earlier_workbooks(store: Store, workshop_id: int, pid: str) -> list[workbook.PersonalWorkbook]:
    """The workbooks of the earlier gatherings this person came back from by their own
    link, the nearest first."""
    out: list[workbook.PersonalWorkbook] = []
    seen: set[int] = set()
    while workshop_id not in seen and len(out) < 20:
        seen.add(workshop_id)
        earlier = earlier_of(store, workshop_id)
        if earlier is None:
            break
        mine = next((e for e, (p, proof) in earlier.back.items() if p == pid and proof == "link"), None)
        if mine is None:
            break
        book = workbook.personal(earlier.room, mine)
        if book is None:
            break
        out.append(book)
        assert earlier.workshop.id is not None
        workshop_id, pid = earlier.workshop.id, mine
    return out
