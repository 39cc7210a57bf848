"""A programme of gatherings: the next gathering starts from the one before.

- :func:`start_next` makes a workshop the next gathering: its program opens with
  «Oppsummering fra sist samling», a ``recap`` table of the earlier room's shared results
  and network groups (:func:`app.core.kinds.recap.summary`).
- People come back by their personal take-home link of the gathering before
  (:func:`later_open_gathering`: their name and network group, proven by the link), or
  they join with the room code and the facilitator confirms that a name matches someone
  from before (:func:`name_matches`). Either way they sit in their network group again.
  Someone who missed a gathering is one of the programme's people still
  (:func:`earlier_of`: everyone as last seen), recorded as ``p4@12`` (workshop 12's p4).
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
from app.storage.tables import Gathering, Workshop
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


def _ref(pid: str, workshop_id: int, previous_id: int | None) -> str:
    """How a gathering records someone of an earlier one: their participant id when it is
    the gathering just before, ``p4@12`` (workshop 12's p4) when they missed those between."""
    return pid if workshop_id == previous_id else f"{pid}@{workshop_id}"


def _seat_of(ref: str, previous_id: int | None) -> tuple[int | None, str]:
    """The (workshop id, participant id) a recorded ref names (:func:`_ref` undone)."""
    pid, _, workshop = ref.partition("@")
    return (int(workshop), pid) if workshop.isdigit() else (previous_id, pid)


@dataclass(frozen=True)
class Seat:
    """Someone as they were last seen in the programme: in which gathering, and who."""

    workshop: Workshop
    room: Room
    number: int  # the gathering's number in the programme
    pid: str

    @property
    def person(self) -> Participant | None:
        return self.room.participants.get(self.pid)


@dataclass(frozen=True)
class Earlier:
    """The gatherings before this one: everyone of the programme as last seen (the
    gathering before, and those who missed it as they were before that), and who of them
    is back."""

    workshop: Workshop  # the gathering just before
    room: Room
    back: dict[str, tuple[str, str]]  # ref -> (pid here, proof)
    people: dict[str, Seat]  # ref -> where they were last seen; the gathering before first

    def person(self, ref: str) -> Participant | None:
        seat = self.people.get(ref)
        return seat.person if seat is not None else None

    def waiting(self) -> list[tuple[str, Seat, Participant]]:
        """People of the gatherings before who are not back yet: those of the gathering
        before in join order, then those who missed it."""
        return [
            (ref, seat, person)
            for ref, seat in self.people.items()
            if ref not in self.back and (person := seat.person) is not None
        ]


MAX_HOPS = 20  # gatherings a programme looks back over


def earlier_of(store: Store, workshop_id: int) -> Earlier | None:
    """The gatherings before ``workshop_id`` (None: it is no later gathering, or the one
    before is gone)."""
    library = Library(store.engine)
    gathering = library.gathering(workshop_id)
    if gathering is None or gathering.follows_id is None:
        return None
    held = {w.id: (g, w) for g, w in library.gatherings(gathering.programme_id)}
    previous_id = gathering.follows_id
    back = {r.earlier_pid: (r.pid, r.proof) for r in library.returning(workshop_id)}
    people: dict[str, Seat] = {}
    seen_later: set[tuple[int | None, str]] = set()  # came back in a gathering after theirs
    first: tuple[Workshop, Room] | None = None
    at: Gathering = gathering
    for _ in range(MAX_HOPS):
        if at.follows_id not in held:
            break
        hop, earlier = held[at.follows_id]
        found = stored_room(store, earlier.code)
        if found is None or earlier.id is None:
            break
        first = first or found
        for pid in sorted(found[1].participants, key=lambda p: int(p[1:])):
            if (earlier.id, pid) not in seen_later:
                people[_ref(pid, earlier.id, previous_id)] = Seat(earlier, found[1], hop.number, pid)
        seen_later |= {_seat_of(r.earlier_pid, hop.follows_id) for r in library.returning(earlier.id)}
        at = hop
    if first is None:
        return None
    return Earlier(first[0], first[1], back, people)


def name_matches(here: Room, earlier: Earlier) -> dict[str, list[str]]:
    """For each person here who is nobody from before yet: the people of the gatherings
    before who are not back and have the same name (what the facilitator may confirm)."""
    matched_here = {pid for pid, _ in earlier.back.values()}
    waiting = earlier.waiting()
    out: dict[str, list[str]] = {}
    for pid, person in here.participants.items():
        if pid in matched_here:
            continue
        same = [ref for ref, _, before in waiting if same_name(before.name, person.name)]
        if same:
            out[pid] = same
    return out


@dataclass(frozen=True)
class Later:
    """The open gathering someone may join from a take-home link, and who they are there."""

    workshop: Workshop
    ref: str  # what the gathering records about them (see :func:`_ref`)
    seat_code: str  # the last gathering they came to, and who they were there
    seat_pid: str
    proof: str  # "link"; "name" when the way there passed a name the facilitator confirmed


def later_open_gathering(store: Store, code: str, pid: str) -> Later | None:
    """The open gathering after workshop ``code`` that its person ``pid`` may join: the
    next one (the newest, if several), or, when that is closed, the one after it, as who
    they were at the last gathering they came to. Reads no room (every «Mine svar» asks)."""
    library = Library(store.engine)
    start = store.find_workshop(code)
    if start is None or start.id is None:
        return None
    seat: tuple[int, str, str] = (start.id, start.code, pid)  # workshop id, code, pid
    at, proof = start.id, "link"
    for _ in range(MAX_HOPS):
        following = [(g, w) for g, w in library.followers(at) if w.deleted_at is None]
        if not following:
            return None
        open_ones = [w for _, w in following if w.closed_at is None]
        if open_ones:
            later = max(open_ones, key=lambda w: w.created_at)
            return Later(later, _ref(seat[2], seat[0], at), seat[1], seat[2], proof)
        came = [
            (g, w, r)
            for g, w in following
            for r in library.returning(g.workshop_id)
            if _seat_of(r.earlier_pid, at) == (seat[0], seat[2])
        ]
        if came:  # they were there: on as who they were there
            g, w, record = came[0]
            seat, at = (g.workshop_id, w.code, record.pid), g.workshop_id
            if record.proof != "link":  # a name match carries the group on, never the answers
                proof = "name"
        else:
            at = max(following, key=lambda gw: gw[1].created_at)[0].workshop_id
    return None


def person_of(store: Store, later: Later) -> Participant | None:
    """Who they were at the last gathering they came to (name and network group)."""
    found = stored_room(store, later.seat_code)
    return found[1].participants.get(later.seat_pid) if found is not None else None


def earlier_workbooks(store: Store, workshop_id: int, pid: str) -> list[workbook.PersonalWorkbook]:
    """The workbooks of the earlier gatherings this person came back from by their own
    link, the nearest first (one room read for each)."""
    library = Library(store.engine)
    out: list[workbook.PersonalWorkbook] = []
    seen: set[int] = set()
    while workshop_id not in seen and len(out) < MAX_HOPS:
        seen.add(workshop_id)
        gathering = library.gathering(workshop_id)
        if gathering is None or gathering.follows_id is None:
            break
        mine = next((r for r in library.returning(workshop_id) if r.pid == pid and r.proof == "link"), None)
        if mine is None:
            break
        earlier_id, earlier_pid = _seat_of(mine.earlier_pid, gathering.follows_id)
        earlier = next((w for _, w in library.gatherings(gathering.programme_id) if w.id == earlier_id), None)
        found = stored_room(store, earlier.code) if earlier is not None else None
        book = workbook.personal(found[1], earlier_pid) if found is not None else None
        if earlier_id is None or book is None:
            break
        out.append(book)
        workshop_id, pid = earlier_id, earlier_pid
    return out
