"""Pages for a programme of gatherings (see :mod:`app.programmes`).

- ``/f/{code}/{key}/next``: the facilitator starts the next gathering after this one, from
  the same program, a saved one or a file; it opens with «Oppsummering fra sist samling».
- ``/f/{code}/{key}/returning``: who of the gathering before is back, and the name
  matches the facilitator confirms (the person joins their network group again).
- ``/w/{code}/{key}/next``: from a person's take-home link of the gathering before, they
  join the next one as themselves (name, group, and their workbook continues).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app import library, programmes
from app.core.actions import MoveParticipant
from app.core.localized import localize
from app.core.program import ProgramError, list_programs
from app.core.room import FACILITATOR, SYSTEM, Refused
from app.web.editor import saved_programs
from app.web.pages import (
    PARTICIPANT_COOKIE_SECONDS,
    _hub,
    _settings,
    creation_refused,
    facilitator_room,
    language,
    not_found,
    render,
    set_cookie,
)
from app.web.workbook import _open as open_workbook
from app.web.workbook import seat_phone
from app.web.ws import participant_cookie
from app.workshops import digest, joining, new_token

router = APIRouter()


def _message(request: Request, status: int, body_key: str) -> Response:
    return render(request, "message.html", status_code=status, title_key="programme.title", body_key=body_key)


# --- the next gathering ------------------------------------------------------------------------


@router.get("/f/{code}/{key}/next")
async def next_page(request: Request, code: str, key: str) -> Response:
    staffed = await facilitator_room(request, code, key)
    if staffed is None:
        return not_found(request)
    lang = language(request)
    store = request.app.state.store
    workshop = await asyncio.to_thread(store.find_workshop, staffed.code)
    assert workshop is not None and workshop.id is not None
    saved = await asyncio.to_thread(saved_programs(request).programs, workshop.owner_id)
    gathering = await asyncio.to_thread(saved_programs(request).gathering, workshop.id)
    held = []
    if gathering is not None:
        held = await asyncio.to_thread(saved_programs(request).gatherings, gathering.programme_id)
    return render(
        request,
        "next_gathering.html",
        code=staffed.code,
        title=staffed.room.program.title,
        action=f"/f/{staffed.code}/{key}/next",
        back=f"/f/{staffed.code}/{key}",
        saved=[(row.id, row.name) for row in saved],
        shipped=[(name, localize(p.title, lang)) for name, p in library.shipped(_settings(request))],
        gatherings=[(g.number, w.code, w.closed_at is not None) for g, w in held],
        number=(gathering.number if gathering is not None else 1) + 1,
    )


@router.post("/f/{code}/{key}/next")
async def start_next(
    request: Request, code: str, key: str, program: Annotated[str, Form(max_length=300)]
) -> Response:
    staffed = await facilitator_room(request, code, key)
    if staffed is None:
        return not_found(request)
    refused = await creation_refused(request)
    if refused is not None:
        return refused
    store = request.app.state.store
    workshop = await asyncio.to_thread(store.find_workshop, staffed.code)
    assert workshop is not None
    chosen = await asyncio.to_thread(
        _chosen, request, workshop.owner_id, workshop.program_name, workshop.program_text, program
    )
    if chosen is None:
        return _message(request, 404, "programme.no_program")
    name, text = chosen
    try:
        made = await asyncio.to_thread(
            programmes.start_next, store, _settings(request), staffed.code, name, text
        )
    except ProgramError as exc:
        return render(
            request, "message.html", status_code=400, title_key="start.broken_program", body=str(exc)
        )
    if made is None:
        return not_found(request)
    return RedirectResponse(f"/f/{made.created.code}/{made.created.facilitator_key}", status_code=303)


def _chosen(
    request: Request, owner_id: int | None, name: str, text: str, choice: str
) -> tuple[str, str] | None:
    """The program file (name, text) the next gathering starts from."""
    if choice == "this":
        return name, text
    kind, _, value = choice.partition(":")
    if kind == "saved" and value.isdigit():
        row = saved_programs(request).program(owner_id, int(value))
        return (row.name, row.text) if row is not None else None
    if kind == "file":
        path = list_programs(_settings(request).programs_dir).get(value)
        return (path.name, path.read_text(encoding="utf-8")) if path is not None else None
    return None


# --- who is back ---------------------------------------------------------------------------


@router.get("/f/{code}/{key}/returning")
async def returning_page(request: Request, code: str, key: str) -> Response:
    staffed = await facilitator_room(request, code, key)
    if staffed is None or staffed.live is None:
        return not_found(request)
    earlier = await asyncio.to_thread(
        programmes.earlier_of, request.app.state.store, staffed.door.workshop_id
    )
    if earlier is None:
        return _message(request, 404, "programme.not_a_later_gathering")
    room = staffed.live.room
    matches = programmes.name_matches(room, earlier)
    matched_here = {pid: proof for pid, proof in earlier.back.values()}
    waiting = earlier.waiting()
    newcomers = [
        {"pid": pid, "name": person.name, "suggested": matches.get(pid, [None])[0]}
        for pid, person in sorted(room.participants.items(), key=lambda kv: int(kv[0][1:]))
        if pid not in matched_here
    ]
    back = []
    for earlier_pid, (pid, proof) in earlier.back.items():
        before = earlier.person(earlier_pid)
        here = room.participants.get(pid)
        if before is not None and here is not None:
            back.append({"name": here.name, "group": here.group, "proof": proof})
    return render(
        request,
        "returning.html",
        code=staffed.code,
        back_path=f"/f/{staffed.code}/{key}",
        action=f"/f/{staffed.code}/{key}/returning",
        earlier_title=earlier.room.program.title,
        waiting=[
            {
                "pid": ref,
                "name": person.name,
                "group": person.group,
                "number": seat.number if seat.workshop.id != earlier.workshop.id else None,
            }
            for ref, seat, person in waiting
        ],
        newcomers=newcomers,
        back=back,
    )


@router.post("/f/{code}/{key}/returning")
async def confirm_match(
    request: Request,
    code: str,
    key: str,
    pid: Annotated[str, Form(max_length=10)],
    earlier_pid: Annotated[str, Form(max_length=40)],  # a ref: p4, or p4@12 (programmes._ref)
) -> Response:
    """The facilitator confirms: this person here is that person from before."""
    staffed = await facilitator_room(request, code, key)
    if staffed is None or staffed.live is None:
        return not_found(request)
    store = request.app.state.store
    earlier = await asyncio.to_thread(programmes.earlier_of, store, staffed.door.workshop_id)
    person = earlier.person(earlier_pid) if earlier is not None else None
    if (
        earlier is None
        or person is None
        or earlier_pid in earlier.back
        or pid not in staffed.live.room.participants
    ):
        return _message(request, 409, "programme.cannot_match")
    if not await asyncio.to_thread(
        saved_programs(request).came_back, staffed.door.workshop_id, pid, earlier_pid, "name"
    ):
        return _message(request, 409, "programme.cannot_match")
    if person.group is not None:
        await _seat(request, staffed.live, pid, person.group)
    return RedirectResponse(f"/f/{staffed.code}/{key}/returning", status_code=303)


async def _seat(request: Request, live: Any, pid: str, group: int) -> None:
    """Back in their network group of before."""
    with contextlib.suppress(Refused):  # removed meanwhile
        await live.submit(_hub(request).command(MoveParticipant(participant=pid, group=group), FACILITATOR))


# --- back by one's own link ------------------------------------------------------------------


@router.get("/w/{code}/{key}/next")
async def rejoin_page(request: Request, code: str, key: str) -> Response:
    opened = await open_workbook(request, code, key)
    if isinstance(opened, Response):
        return opened
    store = request.app.state.store
    later = await asyncio.to_thread(programmes.later_open_gathering, store, opened.code, opened.pid)
    person = await asyncio.to_thread(programmes.person_of, store, later) if later is not None else None
    if later is None or person is None:
        return _message(request, 404, "programme.no_next_gathering")
    return render(
        request,
        "rejoin.html",
        name=person.name,
        title=opened.room.program.title,
        code=later.workshop.code,
        answers_follow=later.proof == "link",
        action=f"/w/{opened.code}/{key}/next",
    )


@router.post("/w/{code}/{key}/next")
async def rejoin(request: Request, code: str, key: str) -> Response:
    """Join the open next gathering as the person this link is from."""
    opened = await open_workbook(request, code, key)
    if isinstance(opened, Response):
        return opened
    store = request.app.state.store
    found = await asyncio.to_thread(programmes.later_open_gathering, store, opened.code, opened.pid)
    later = found.workshop if found is not None else None
    live = await _hub(request).get(later.code) if later is not None else None
    if found is None or later is None or later.id is None or live is None:
        return _message(request, 404, "programme.no_next_gathering")
    cookie = participant_cookie(live.code)
    token = request.cookies.get(cookie)
    if token and digest(token) in live.room.tokens:
        return RedirectResponse(f"/r/{live.code}", status_code=303)  # this phone is in already
    back = await asyncio.to_thread(saved_programs(request).returning, later.id)
    person = await asyncio.to_thread(programmes.person_of, store, found)  # as they were last
    again = next((r for r in back if r.earlier_pid == found.ref), None)
    if again is not None and again.proof == "link" and found.proof == "link":
        return await seat_phone(request, live, again.pid)  # back already: a second phone of theirs
    if person is None or again is not None:
        return _message(request, 409, "programme.already_back")
    token = new_token()
    try:
        await live.submit(_hub(request).command(joining(person.name, token, live.code), SYSTEM))
    except Refused:
        return _message(request, 409, "programme.already_back")
    except Exception:
        return _message(request, 503, "error.storage_unavailable")
    pid = live.room.tokens[digest(token)]
    await asyncio.to_thread(saved_programs(request).came_back, later.id, pid, found.ref, found.proof)
    if person.group is not None:
        await _seat(request, live, pid, person.group)
    response = RedirectResponse(f"/r/{live.code}", status_code=303)
    set_cookie(request, response, cookie, token, max_age=PARTICIPANT_COOKIE_SECONDS)
    return response


async def programme_paths(request: Request, workshop_id: int, code: str, key: str) -> dict[str, str | None]:
    """The facilitator page's links: to the next gathering, and (in a later gathering)
    to who is back from the one before."""
    gathering = await asyncio.to_thread(saved_programs(request).gathering, workshop_id)
    later = gathering is not None and gathering.follows_id is not None
    return {
        "next_path": f"/f/{code}/{key}/next",
        "returning_path": f"/f/{code}/{key}/returning" if later else None,
    }


async def workbook_extras(
    request: Request, workshop_id: int, code: str, key: str, pid: str
) -> dict[str, Any]:
    """For a person's «Mine svar»: their workbooks of the gatherings before (when they came
    back by their own link), and where to join the next gathering when it is open."""
    store = request.app.state.store

    def gather() -> dict[str, Any]:
        later = programmes.later_open_gathering(store, code, pid)
        return {
            "earlier_books": programmes.earlier_workbooks(store, workshop_id, pid),
            "next_gathering_path": f"/w/{code}/{key}/next" if later is not None else None,
        }

    return await asyncio.to_thread(gather)
