"""The program editor: facilitators build a day in the browser.

Pages: the facilitator's programs (``/editor``) and the editor itself (``/editor/new``,
``/editor/{id}``). The editor's script sends the program as JSON to ``/editor/check`` as
the facilitator types (the same checks as loading a file, by field, and the planned
agenda) and to ``/editor/save``, which stores it as a TOML program file. A saved program
downloads as its file, a file uploads into the library, and a workshop starts from it.
``/editor/preview`` starts a short rehearsal room of one exercise with three made-up
participants, so the facilitator sees it as a phone and the projector show it.

Who may edit: on the laptop (no accounts, ``SAMLING_HOSTED`` off) the local facilitator;
in hosted mode only a signed-in facilitator, who sees their own programs only.
"""

from __future__ import annotations

import asyncio
import datetime
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from app import i18n, library
from app.core.actions import FormGroups, GotoExercise, Join, Start
from app.core.editing import Report, check
from app.core.localized import localize
from app.core.program import Program, ProgramError, load_program_text
from app.core.program_writer import write_program
from app.core.registry import KINDS
from app.core.room import FACILITATOR, SYSTEM, Refused
from app.realtime.hub import now_ms
from app.storage.library import Library
from app.storage.tables import SavedProgram
from app.web.access import hosted, may_create, signed_in
from app.web.pages import _hub, _settings, creation_refused, language, render, set_cookie
from app.web.ws import participant_cookie
from app.workshops import digest, new_token, start_workshop

router = APIRouter()

MAX_UPLOAD_BYTES = 512 * 1024
PREVIEW_NAMES = ("Kari", "Ola", "Per")
PREVIEW_FILE = "forhandsvisning.toml"  # the program name of the editor's rehearsal rooms
# Fields that name another exercise, and the kinds that exercise must use (the kinds' own
# checks say the same when a program loads); and fields that name one of the exercise's phases.
REFERENCES = {
    "gallery.of": ["diamond"],
    "diamond.sources": [kind.name for kind in KINDS if kind.suggestions is not None],
}
PHASE_FIELDS = ["gallery.rotation_phase", "gallery.return_phase", "crowdsource.write_phase", "form.phase"]


def saved_programs(request: Request) -> Library:
    """The saved programs, programmes and gatherings (app/storage/library.py)."""
    return Library(request.app.state.store.engine)


class NotSignedIn(Exception):
    """Hosted mode, and this browser is not signed in."""


async def owner(request: Request) -> int | None:
    """Whose programs these are: None for the laptop's facilitator (no accounts); in
    hosted mode the signed-in facilitator's account, or :class:`NotSignedIn`."""
    if not hosted(request):
        return None
    account = await signed_in(request)
    if account is None:
        raise NotSignedIn
    return account


async def _owner_or_page(request: Request) -> int | Response | None:
    try:
        return await owner(request)
    except NotSignedIn:
        return RedirectResponse("/signin", status_code=303)  # as the start page


def report_json(report: Report, data: Any) -> dict[str, Any]:
    """What the editor shows: problems by field, and the agenda with clock times."""
    start = data.get("start") if isinstance(data, dict) else None
    return {
        "ok": report.ok,
        "problems": [asdict(p) for p in report.problems],
        "agenda": [asdict(p) for p in report.agenda],
        "total_ms": report.total_ms,
        "start": start if isinstance(start, str) else None,
    }


def _editor_page(request: Request, data: Any, program_id: int | None, name: str = "") -> HTMLResponse:
    return render(
        request,
        "editor.html",
        name=name,
        boot={
            "program": data,
            "id": program_id,
            "name": name,
            "schema": Program.model_json_schema(),
            "methods": [m.as_json() for m in library.methods()],
            "report": report_json(check(data), data),
            "kinds": [kind.name for kind in KINDS],
            "references": REFERENCES,
            "phase_fields": PHASE_FIELDS,
        },
    )


async def _own_program(request: Request, program_id: int) -> SavedProgram | Response:
    """The signed-in (or local) facilitator's program, or the page to show instead."""
    who = await _owner_or_page(request)
    if isinstance(who, Response):
        return who
    row = await asyncio.to_thread(saved_programs(request).program, who, program_id)
    if row is None:
        return render(
            request, "message.html", status_code=404, title_key="editor.title", body_key="editor.no_such"
        )
    return row


# --- the facilitator's programs ------------------------------------------------------------


@router.get("/editor", response_class=HTMLResponse)
async def programs_page(request: Request) -> Response:
    who = await _owner_or_page(request)
    if isinstance(who, Response):
        return who
    lang = language(request)
    rows = await asyncio.to_thread(saved_programs(request).programs, who)
    saved = []
    for row in rows:
        title: Any = row.name
        date: str | None = None  # the day the program is for, when it says
        try:
            program = load_program_text(row.text, source=row.name)
            title, date = program.title, program.date
        except ProgramError:
            pass
        changed = datetime.datetime.fromtimestamp(row.updated_at / 1000).astimezone()
        saved.append(
            {
                "id": row.id,
                "name": row.name,
                "title": localize(title, lang),
                "date": date,
                "iso": changed.isoformat(timespec="minutes"),
                "changed": f"{i18n.format_date(changed.date().isoformat(), lang)} {changed:%H:%M}",
            }
        )
    return render(
        request,
        "editor_list.html",
        saved=saved,
        shipped=[(name, localize(p.title, lang)) for name, p in library.shipped(_settings(request))],
        methods=[(m.id, localize(m.title, lang)) for m in library.methods()],
    )


@router.get("/editor/new", response_class=HTMLResponse)
async def new_program(request: Request, source: str = "blank", name: str = "") -> Response:
    """A new day: blank, a copy of a shipped program, or one method template."""
    who = await _owner_or_page(request)
    if isinstance(who, Response):
        return who
    data: Any
    if source == "program":
        data = library.from_shipped(_settings(request), name)
    elif source == "method":
        found = library.method(name)
        data = library.from_method(found) if found is not None else None
    else:
        data = library.blank(language(request))
    if data is None:
        return render(
            request, "message.html", status_code=404, title_key="editor.title", body_key="editor.no_such"
        )
    return _editor_page(request, data, None)


@router.get("/editor/{program_id}", response_class=HTMLResponse)
async def edit_program(request: Request, program_id: int) -> Response:
    row = await _own_program(request, program_id)
    if isinstance(row, Response):
        return row
    data = library._data_of(row.text, row.name)
    return _editor_page(request, data, row.id, row.name)


# --- checking and saving (JSON, from the editor's script) -------------------------------------


def _refused(status: int, code: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": code}, status_code=status)


async def _asker_and_body(request: Request) -> tuple[int | None, dict[str, Any]] | JSONResponse:
    """Whose programs (see :func:`owner`) and the JSON object the editor's script sent, or
    the refusal to answer instead: sign in first (before the body is read), or not JSON."""
    try:
        who = await owner(request)
    except NotSignedIn:
        return _refused(403, "sign_in_first")
    try:
        body = await request.json()
    except ValueError:
        return _refused(400, "not_json")
    if not isinstance(body, dict):
        return _refused(400, "not_json")
    return who, body


@router.post("/editor/check")
async def check_program(request: Request) -> Response:
    asked = await _asker_and_body(request)
    if isinstance(asked, Response):
        return asked
    data = asked[1].get("program")
    return JSONResponse(report_json(check(data), data))


@router.post("/editor/save")
async def save_program(request: Request) -> Response:
    asked = await _asker_and_body(request)
    if isinstance(asked, Response):
        return asked
    who, body = asked
    program_id = body.get("id")
    if program_id is not None and not isinstance(program_id, int):
        return _refused(400, "not_json")
    data = body.get("program")
    saved = await asyncio.to_thread(library.save, saved_programs(request), who, program_id, data)
    if not saved.report.ok:  # checked, not saved: the problems go next to their fields
        return JSONResponse({**report_json(saved.report, data), "saved": False})
    if saved.row is None:
        return _refused(404, "no_such")
    return JSONResponse(
        {
            **report_json(saved.report, data),
            "saved": True,
            "id": saved.row.id,
            "name": saved.row.name,
            "saved_at": saved.row.updated_at,
        }
    )


@router.get("/editor/{program_id}/download")
async def download(request: Request, program_id: int) -> Response:
    row = await _own_program(request, program_id)
    if isinstance(row, Response):
        return row
    return Response(
        row.text.encode("utf-8"),
        media_type="application/toml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{row.name}"'},
    )


@router.post("/editor/upload")
async def upload(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    who = await _owner_or_page(request)
    if isinstance(who, Response):
        return who
    raw = await file.read(MAX_UPLOAD_BYTES + 1)
    name = (file.filename or "program.toml").rsplit("/", 1)[-1][:100]
    try:
        if len(raw) > MAX_UPLOAD_BYTES:
            raise ProgramError(f"{name}: the file is larger than {MAX_UPLOAD_BYTES // 1024} kB")
        text = raw.decode("utf-8")
        row, data = await asyncio.to_thread(library.upload, saved_programs(request), who, name, text)
    except UnicodeDecodeError:
        return render(
            request, "message.html", status_code=400, title_key="editor.upload", body_key="editor.not_utf8"
        )
    except ProgramError as exc:
        return render(request, "message.html", status_code=400, title_key="editor.upload", body=str(exc))
    if row is None:
        return _editor_page(request, data, None)  # loads as TOML, but has mistakes: shown by field
    return RedirectResponse(f"/editor/{row.id}", status_code=303)


@router.post("/editor/{program_id}/delete")
async def delete(request: Request, program_id: int) -> Response:
    who = await _owner_or_page(request)
    if isinstance(who, Response):
        return who
    await asyncio.to_thread(saved_programs(request).delete_program, who, program_id)
    return RedirectResponse("/editor", status_code=303)


@router.post("/editor/{program_id}/start")
async def start(request: Request, program_id: int) -> Response:
    """A workshop from the saved program: on to its facilitator page."""
    row = await _own_program(request, program_id)
    if isinstance(row, Response):
        return row
    refused = await creation_refused(request)
    if refused is not None:
        return refused
    try:
        created = await asyncio.to_thread(
            library.start_saved, request.app.state.store, _settings(request), row
        )
    except ProgramError as exc:
        return render(
            request, "message.html", status_code=400, title_key="start.broken_program", body=str(exc)
        )
    return RedirectResponse(f"/f/{created.code}/{created.facilitator_key}", status_code=303)


# --- preview: a rehearsal room of one exercise ------------------------------------------------


@router.post("/editor/preview")
async def preview(request: Request) -> Response:
    """Start a rehearsal of exercise ``index``: a room of the exercises up to it, three
    made-up people in one group, at that exercise with its timer running. This browser
    becomes the first of the three (the phone link), and gets the projector link."""
    asked = await _asker_and_body(request)
    if isinstance(asked, Response):
        return asked
    who, body = asked
    index, data = body.get("index"), body.get("program")
    if (
        not isinstance(index, int)
        or not isinstance(data, dict)
        or not isinstance(data.get("exercises"), list)
    ):
        return _refused(400, "not_json")
    if not 0 <= index < len(data["exercises"]):
        return _refused(400, "not_json")
    trimmed = {**data, "exercises": data["exercises"][: index + 1]}
    report = check(trimmed)
    if report.program is None:
        return JSONResponse(report_json(report, trimmed))
    if not await may_create(request):  # a rehearsal room is a workshop too
        return _refused(429, "rate_limited")
    text = write_program(report.program)
    store, settings, hub = request.app.state.store, _settings(request), _hub(request)
    created = await asyncio.to_thread(start_workshop, store, settings, PREVIEW_FILE, text, owner_id=who)
    await _forget_last_preview(request, who, created.code)
    live = await hub.get(created.code)
    if live is None:
        return _refused(503, "storage_unavailable")
    token = new_token()
    try:
        for number, name in enumerate(PREVIEW_NAMES):
            person = token if number == 0 else new_token()
            await live.submit(hub.command(Join(name=name, token_hash=digest(person)), SYSTEM))
        await live.submit(hub.command(FormGroups(mode="size", value=len(PREVIEW_NAMES)), FACILITATOR))
        await live.submit(hub.command(GotoExercise(index=index), FACILITATOR))
        await live.submit(hub.command(Start(), FACILITATOR))
    except (Refused, ValidationError):
        return _refused(409, "preview_failed")
    response = JSONResponse(
        {"ok": True, "phone": f"/r/{created.code}", "projector": f"/s/{created.code}/{created.projector_key}"}
    )
    set_cookie(request, response, participant_cookie(created.code), token, max_age=3600)
    return response


async def _forget_last_preview(request: Request, who: int | None, code: str) -> None:
    """One rehearsal room per facilitator: the ones before are deleted (also those a
    restart left behind)."""
    store = request.app.state.store
    before = await asyncio.to_thread(saved_programs(request).rehearsals, who, PREVIEW_FILE, now_ms())
    for old in before:
        if old != code:
            await asyncio.to_thread(store.delete_workshop, old, now_ms())
            await _hub(request).close(old)
