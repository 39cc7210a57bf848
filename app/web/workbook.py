"""«Mine svar»: a person's own workbook, on the phone during the day and through a
personal take-home link after it.

The link's key is derived from the phone's secret token (an HMAC), so the phone can show
it again at any time; the room stores only its hash, added the first time the person
opens «Mine svar». The link opens the workbook read-only, also once the workshop is
closed, until the workshop is deleted or purged; it downloads as plain text, prints as
A4 (the browser's «Save as PDF»), and lets the person delete their own answers. Every
request is counted per link (``SAMLING_WORKBOOK_REQUESTS_PER_MINUTE``: a whole room behind
one address opens its links at once), and a wrong key is charged to the address like a
wrong room code.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app import i18n
from app.core import workbook
from app.core.actions import AddPhone, ForgetAnswers, LinkWorkbook
from app.core.keys import LINK, TOKEN
from app.core.kinds.base import Written
from app.core.localized import LocalizedText, localize
from app.core.privacy import results_only
from app.core.room import Command, Refused, Room, apply
from app.core.serialize import room_to_json
from app.realtime.hub import LiveRoom, now_ms
from app.realtime.ratelimit import KeyedLimiter
from app.web.access import client_address, find, holds, wrong
from app.web.pages import PARTICIPANT_COOKIE_SECONDS, _hub, _settings, language, not_found, render, set_cookie
from app.web.ws import participant_cookie
from app.workshops import digest, link_key, new_token, stored_room

router = APIRouter()


def _limiter(request: Request) -> KeyedLimiter:
    state = request.app.state
    limiter: KeyedLimiter | None = getattr(state, "workbook_limiter", None)
    if limiter is None:
        per_minute = _settings(request).workbook_requests_per_minute
        limiter = state.workbook_limiter = KeyedLimiter(per_minute / 60, per_minute)
    return limiter


def _base_url(request: Request) -> str:
    return _settings(request).public_url.rstrip("/") or str(request.base_url).rstrip("/")


def _message(request: Request, status_code: int, body_key: str) -> Response:
    return render(
        request, "message.html", status_code=status_code, title_key="workbook.title", body_key=body_key
    )


@dataclass(frozen=True)
class Opened:
    """The workbook a link opens: whose, in which room, and whether the day is still live."""

    code: str
    key: str
    pid: str
    room: Room
    live: LiveRoom | None  # None: the workshop is closed (read-only)
    workshop_id: int

    @property
    def path(self) -> str:
        return f"/w/{self.code}/{self.key}"

    def on_this_phone(self, request: Request) -> bool:
        """Whether this browser is one of the person's phones in the live day."""
        token = request.cookies.get(participant_cookie(self.code))
        return self.live is not None and token is not None and self.room.tokens.get(digest(token)) == self.pid


async def _room(request: Request, code: str, key: str) -> tuple[Any, Room, LiveRoom | None] | None:
    door = await find(request, code)
    if door is None or door.deleted:  # a tombstone: deleting the workshop ended every link
        return None
    if not await holds(request, door, LINK, key):  # found wrong at the door: nothing loaded
        wrong(request)
        return None
    if door.open:
        live = await _hub(request).get(door.code)
        if live is not None:
            return door, live.room, live
    found = await asyncio.to_thread(stored_room, request.app.state.store, door.code)
    return (door, found[1], None) if found is not None else None


def _slow_down(request: Request, link: str) -> Response | None:
    """429 when this one link (one person's) was asked too often. Counted per link, not
    per address, so that a whole room behind a venue's one address opens its take-home
    links at once; guessing links is limited with the room codes (a wrong key counts as
    a wrong code, access.wrong)."""
    if _limiter(request).take(link):
        return None
    response = _message(request, 429, "workbook.slow_down")
    response.headers["retry-after"] = "60"
    return response


async def _open(request: Request, code: str, key: str) -> Opened | Response:
    """The workbook ``key`` opens, or the answer to give (404, 429)."""
    refused = _slow_down(request, f"{code}/{digest(key)}")
    if refused is not None:
        return refused
    found = await _room(request, code, key) if 16 <= len(key) <= 64 else None
    if found is None:
        return not_found(request)
    door, room, live = found
    pid = room.workbook_links.get(digest(key))
    if pid is None or pid not in room.participants:
        wrong(request)
        return not_found(request)
    return Opened(door.code, key, pid, room, live, door.workshop_id)


@router.get("/r/{code}/mine")
async def mine(request: Request, code: str) -> Response:
    """From the phone: to the person's own take-home link (made the first time). Once the
    workshop is closed the phone still finds a link it made (the key comes from its token)."""
    door = await find(request, code)
    if door is None or door.deleted:
        return not_found(request)
    token = request.cookies.get(participant_cookie(door.code))
    # The same count as the link this phone is sent to: one person's.
    link = f"{door.code}/{digest(link_key(token, door.code))}" if token else client_address(request)
    refused = _slow_down(request, link)
    if refused is not None:
        return refused
    if door.closed:
        if token is None:
            return not_found(request)
        key = link_key(token, door.code)
        if not await holds(request, door, LINK, key):  # checked at the door: nothing read
            return not_found(request)
        return RedirectResponse(f"/w/{door.code}/{key}", status_code=303)
    live = await _hub(request).get(door.code) if await holds(request, door, TOKEN, token) else None
    pid = live.room.tokens.get(digest(token)) if live is not None and token else None
    if live is None or token is None or pid is None:
        return RedirectResponse(f"/j/{door.code}", status_code=303)
    key = link_key(token, door.code)
    if digest(key) not in live.room.workbook_links:
        try:
            await live.submit(_hub(request).command(LinkWorkbook(key_hash=digest(key)), pid))
        except Refused:
            pass  # linked meanwhile (a second tab)
        except Exception:
            return _message(request, 503, "error.storage_unavailable")
    return RedirectResponse(f"/w/{door.code}/{key}", status_code=303)


# --- the page, the text and the QR code ------------------------------------------------------


def _grouped(entries: tuple[workbook.Entry, ...]) -> list[dict[str, Any]]:
    """Entries by exercise, then by the form's heading, in the order of the day."""
    out: list[dict[str, Any]] = []
    for entry in entries:
        if not out or out[-1]["exercise"] != entry.exercise:
            out.append({"exercise": entry.exercise, "title": entry.exercise_title, "headings": []})
        headings = out[-1]["headings"]
        if not headings or headings[-1]["heading"] != entry.written.heading:
            headings.append({"heading": entry.written.heading, "written": []})
        headings[-1]["written"].append(entry.written)
    return out


def answer_lines(written: Written, lang: str) -> list[str]:
    """A written thing's answer as lines of text."""
    if written.score is not None:
        return [i18n.translate("workbook.score", lang, score=written.score, points=written.points)]
    return [localize(t, lang) for t in written.texts]


def _label(written: Written, lang: str) -> str:
    return localize(written.label, lang) or i18n.translate("workbook.note", lang)


def group_line(sat: workbook.SatIn, lang: str) -> str:
    """«Duo 2: Kari, Ola» (with «· runde 2 av 3» where the groups change each round), as
    the phone's group card names the group."""
    title = i18n.translate(sat.key, lang, number=sat.number)
    if sat.rounds > 1:
        title += " · " + i18n.translate("group.round", lang, round=sat.round, rounds=sat.rounds)
    return f"{title}: {', '.join(sat.members)}"


def _context(request: Request, opened: Opened) -> dict[str, Any]:
    lang = language(request)
    book = workbook.personal(opened.room, opened.pid)
    assert book is not None
    return {
        "book": book,
        "sections": book.sections,
        "other": _grouped(book.other),
        "link": _base_url(request) + opened.path,
        "path": opened.path,
        "live": opened.live is not None,
        "here": opened.on_this_phone(request),
        "code": opened.code,
        "answer_lines": lambda w: answer_lines(w, lang),
        "label": lambda w: _label(w, lang),
        "group_line": lambda sat: group_line(sat, lang),
    }


@router.get("/w/{code}/{key}")
async def page(request: Request, code: str, key: str) -> Response:
    opened = await _open(request, code, key)
    if isinstance(opened, Response):
        return opened
    deleted = request.query_params.get("deleted") == "1"
    from app.web.programmes import workbook_extras  # the gatherings before and after this one

    extras = await workbook_extras(request, opened.workshop_id, opened.code, opened.key, opened.pid)
    response = render(request, "workbook.html", deleted=deleted, **_context(request, opened), **extras)
    response.headers["x-robots-tag"] = "noindex"
    return response


def as_text(book: workbook.PersonalWorkbook, lang: str, link: str) -> str:
    """The workbook as a plain text file, in ``lang``."""

    def t(key: str, **params: Any) -> str:
        return i18n.translate(key, lang, **params)

    def loc(value: LocalizedText | None) -> str:
        return localize(value, lang)

    lines: list[str] = [loc(book.program_title)]
    if book.date:
        lines.append(book.date)
    lines += [f"{t('workbook.title')} – {book.name}", ""]

    def block(written: Written, indent: str = "") -> None:
        lines.append(f"{indent}{_label(written, lang)}")
        for answer in answer_lines(written, lang):
            lines.extend(f"{indent}  {line}" for line in answer.splitlines() or [""])
        if written.shared:
            lines.append(f"{indent}  ({t('workbook.shared_entry')})")

    def heading(text: str, underline: str) -> None:
        lines.extend(["", text, underline * len(text)])

    if book.sections:
        heading(loc(book.title) or t("workbook.plan"), "=")
        if book.intro:
            lines.append(loc(book.intro))
        for filled in book.sections:
            heading(loc(filled.section.title), "-")
            if filled.section.hint:
                lines.append(loc(filled.section.hint))
            if not filled.entries:
                lines.append(t("workbook.section_empty"))
            for entry in filled.entries:
                block(entry.written)
                lines.append(f"  ({t('workbook.from', exercise=loc(entry.exercise_title))})")
    heading(t("workbook.written"), "=")
    if not book.other:
        lines.append(t("workbook.nothing_written"))
    for exercise in _grouped(book.other):
        heading(loc(exercise["title"]), "-")
        for part in exercise["headings"]:
            if part["heading"]:
                lines.append(f"[{loc(part['heading'])}]")
            for written in part["written"]:
                block(written)
    if book.roles:
        heading(t("workbook.roles"), "=")
        for held in book.roles:
            lines.append(f"{loc(held.exercise_title)}: {', '.join(loc(r) for r in held.roles)}")
    if book.group is not None:
        heading(t("workbook.group"), "=")
        lines.append(t("workbook.group_number", group=book.group))
        if book.members:
            lines.append(", ".join(book.members))
    if book.groups:
        heading(t("workbook.exercise_groups"), "=")
        for groups in book.groups:
            lines.append(loc(groups.exercise_title))
            lines.extend(f"  {group_line(sat, lang)}" for sat in groups.rounds)
    if book.shared:
        heading(t("workbook.shared"), "=")
        for shared in book.shared:
            heading(loc(shared.exercise_title), "-")
            for key, items in (("workbook.your_group", shared.group), ("workbook.whole_room", shared.room)):
                if items:
                    lines.append(t(key))
                    lines.extend(f"  {n}. {item}" for n, item in enumerate(items, start=1))
    lines += ["", t("workbook.link_label"), link, ""]
    return "\n".join(lines)


@router.get("/w/{code}/{key}/mine.txt")
async def text_file(request: Request, code: str, key: str) -> Response:
    opened = await _open(request, code, key)
    if isinstance(opened, Response):
        return opened
    book = workbook.personal(opened.room, opened.pid)
    assert book is not None
    body = as_text(book, language(request), _base_url(request) + opened.path)
    name = i18n.translate("workbook.file_name", language(request), code=opened.code)
    return Response(
        body,
        media_type="text/plain; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"', "x-robots-tag": "noindex"},
    )


@router.get("/w/{code}/{key}/qr.svg")
async def qr(request: Request, code: str, key: str) -> Response:
    opened = await _open(request, code, key)
    if isinstance(opened, Response):
        return Response(status_code=opened.status_code)
    buffer = io.BytesIO()
    segno.make(_base_url(request) + opened.path, error="m").save(
        buffer, kind="svg", scale=6, border=2, dark="#000000", light="#ffffff"
    )
    return Response(buffer.getvalue(), media_type="image/svg+xml")


# --- going on on another phone ---------------------------------------------------------------


async def seat_phone(request: Request, live: LiveRoom, pid: str) -> Response:
    """This browser becomes one more phone of person ``pid`` in the live room: to the
    phone page, with a token (and a take-home link) of its own."""
    token = new_token()
    action = AddPhone(token_hash=digest(token), workbook=digest(link_key(token, live.code)))
    try:
        await live.submit(_hub(request).command(action, pid))
    except Refused:
        return not_found(request)  # removed meanwhile
    except Exception:
        return _message(request, 503, "error.storage_unavailable")
    response = RedirectResponse(f"/r/{live.code}", status_code=303)
    set_cookie(request, response, participant_cookie(live.code), token, max_age=PARTICIPANT_COOKIE_SECONDS)
    return response


@router.post("/w/{code}/{key}/continue")
async def go_on_here(request: Request, code: str, key: str) -> Response:
    """The person's take-home link, opened on another phone during the day: go on with
    the day there as themselves (their phone went flat, or they changed phones)."""
    opened = await _open(request, code, key)
    if isinstance(opened, Response):
        return opened
    if opened.live is None:
        return not_found(request)  # the day is over: the link still opens «Mine svar»
    if opened.on_this_phone(request):
        return RedirectResponse(f"/r/{opened.code}", status_code=303)
    return await seat_phone(request, opened.live, opened.pid)


# --- deleting one's own answers --------------------------------------------------------------


@router.post("/w/{code}/{key}/delete")
async def delete(
    request: Request, code: str, key: str, confirm: Annotated[str, Form(max_length=10)] = ""
) -> Response:
    """The person deletes their notes and private answers: from the room, from the stored
    history, and from the stored snapshot."""
    opened = await _open(request, code, key)
    if isinstance(opened, Response):
        return opened
    if confirm != "yes":
        return _message(request, 400, "workbook.delete_confirm_needed")
    try:
        await _forget(request, opened)
    except Exception:
        return _message(request, 503, "error.storage_unavailable")
    return RedirectResponse(opened.path + "?deleted=1", status_code=303)


async def _forget(request: Request, opened: Opened) -> None:
    store = request.app.state.store
    if opened.live is not None:
        live = opened.live
        await live.submit(_hub(request).command(ForgetAnswers(), opened.pid))

        def redact(cmd: Command) -> Command:
            return workbook.redacted(cmd, opened.pid)

        await asyncio.to_thread(store.rewrite_commands, opened.workshop_id, opened.pid, redact)
        await live.save_snapshot()  # the last snapshot before had the answers in it
        return
    # Closed: the workshop keeps one snapshot and no history; it is written again without
    # this person's answers.
    room, _ = apply(opened.room, Command(action=ForgetAnswers(), at=now_ms(), actor=opened.pid))
    kept = results_only(room)
    await asyncio.to_thread(store.keep_results_only, opened.workshop_id, kept.seq, room_to_json(kept))
