"""HTML pages and the join endpoint. Thin: they read the request, call a domain function,
render a template. Every string on a page goes through the translation layer."""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import string
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote_plus

import segno
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import ValidationError
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.core import codes, views
from app.core.keys import TOKEN
from app.core.localized import localize
from app.core.program import ProgramError, list_programs, load_program
from app.core.room import SYSTEM, Refused, Room
from app.realtime.hub import Hub, LiveRoom, now_ms
from app.settings import Settings
from app.web import addresses, assets
from app.web.access import (
    Door,
    ForeignOrigin,
    TooManyGuesses,
    find,
    from_our_pages,
    holds,
    hosted,
    may_create,
    may_facilitate,
    signed_in,
    user_accounts,
    wrong,
)
from app.web.layers import wrapped
from app.web.ws import participant_cookie
from app.workshops import close_workshop, create_workshop, digest, joining, new_token, stored_room

router = APIRouter()
# What every phone asks for (joining, its page), matched before the staff's routes: FastAPI
# tries a request against each route in turn, twice, and a room's hundreds of phones ask
# for these (the join was tenth of twelve, 6 % of the app's CPU per join).
phones = APIRouter()
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.globals["static"] = assets.static_url  # {{ static('js/phone.js') }}: versioned, long-cached

STATIC_DIR = Path(__file__).parent.parent / "static"
LANG_COOKIE = "samling_lang"
PARTICIPANT_COOKIE_SECONDS = 3 * 24 * 3600


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def language(request: Request) -> str:
    return i18n.choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        _settings(request).default_language,
    )


def script_json(value: Any) -> Markup:
    """JSON to embed in a ``<script type="application/json">`` block: ``<``, ``>`` and ``&``
    are escaped so no text (a name, a program title) can close the block."""
    text = json.dumps(value, ensure_ascii=False)
    escaped = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(escaped)  # noqa: S704 - every < > & is escaped just above


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page. ``kinds``: only these kinds' scripts (else every kind's, so a new kind needs
    no template change); ``page``: the page's own script, whose imports are preloaded;
    ``catalog=False``: a page without scripts needs no texts for them (the join page)."""
    lang = language(request)
    boot = context.pop("boot", None)
    kinds = context.pop("kinds", None)
    page = context.pop("page", None)
    with_catalog = context.pop("catalog", True)
    base = {
        "lang": lang,
        "t": lambda key, **params: i18n.translate(key, lang, **params),
        "localize": lambda value: localize(value, lang),
        "date": lambda iso: i18n.format_date(iso, lang),
        "catalog_json": script_json(i18n.catalog(lang)) if with_catalog else None,
        "boot_json": script_json({**(boot or {}), "lang": lang}),
        "other_lang": "en" if lang == "nb" else "nb",
        "kind_assets": assets.kind_assets(kinds, page),
    }
    response = templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)
    if request.query_params.get("lang") in i18n.LANGUAGES:
        set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=False)
    return response


# What a cookie's name and value hold when they need no quoting (our names, the tokens of
# secrets.token_urlsafe, the languages): such a header is written without http.cookies.
_UNQUOTED = frozenset(string.ascii_letters + string.digits + "-_")


def set_cookie(
    conn: HTTPConnection, response: Response, name: str, value: str, *, max_age: int, httponly: bool = True
) -> None:
    """Every cookie the same way: SameSite=Lax, HttpOnly unless said, Secure under https.
    The header is the one Starlette's ``Response.set_cookie`` writes (its SimpleCookie
    sorts the attributes); made by hand when nothing needs quoting, since making the
    SimpleCookie and the request's URL cost a fifth of a join's Python."""
    secure = conn.scope.get("scheme", "http") == "https"  # what conn.url.scheme reads, unparsed
    if not (value and _UNQUOTED.issuperset(value) and _UNQUOTED.issuperset(name)):
        response.set_cookie(name, value, max_age=max_age, httponly=httponly, samesite="lax", secure=secure)
        return
    flags = (
        "; HttpOnly" if httponly else "",
        f"; Max-Age={max_age}; Path=/; SameSite=lax",
        "; Secure" if secure else "",
    )
    response.raw_headers.append((b"set-cookie", f"{name}={value}{''.join(flags)}".encode("latin-1")))


def join_base(request: Request) -> str:
    """Where phones join, unless the facilitator chose another (SAMLING_PUBLIC_URL, else
    the address this page was opened at)."""
    return _settings(request).public_url.rstrip("/") or str(request.base_url).rstrip("/")


def join_url(request: Request, code: str | None = None, base: str | None = None) -> str:
    base = base or join_base(request)
    return f"{base}/j/{code}" if code else f"{base}/j"


def join_choices(request: Request) -> dict[str, Any]:
    """Where phones join, and, when the page was opened on localhost (phones cannot reach
    that) with no public address set, the laptop's network addresses to offer instead."""
    local = not _settings(request).public_url and addresses.is_loopback(request.url.hostname or "")
    choices = addresses.join_bases(request.url.scheme, request.url.port) if local else []
    return {"base": join_base(request), "local": local, "choices": choices}


def chosen_base(request: Request, asked: str | None) -> str | None:
    """A join address a page asks for, if it is one this server offers."""
    if not asked:
        return None
    offered = [join_base(request), *addresses.join_bases(request.url.scheme, request.url.port)]
    return next((base for base in offered if addresses.same_origin(base, asked)), None)


def phone_prefetch() -> dict[str, Any]:
    """What the join page fetches for the phone page while the person types their name:
    the phone's scripts, every kind's and every module they import (versioned and
    long-cached, so the phone page finds them in the cache)."""
    phone = assets.kind_assets(None, "js/phone.js")
    page = assets.static_url("js/phone.js")
    return {"prefetch": [*phone["scripts"], page, *phone["preload"], *phone["styles"]]}


def not_found(request: Request) -> HTMLResponse:
    return render(
        request, "message.html", status_code=404, title_key="not_found.title", body_key="not_found.body"
    )


async def creation_refused(request: Request) -> HTMLResponse | None:
    """Every way of creating a workshop (the start page, the editor's start, the next
    gathering) takes from one budget per address; the page that says so, once spent."""
    if await may_create(request):
        return None
    return render(
        request, "message.html", status_code=429, title_key="start.title", body_key="start.rate_limited"
    )


# --- facilitator: start page, create, control ------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def start_page(request: Request) -> Response:
    """The programs to start a workshop from; in hosted mode only for a signed-in
    facilitator, with their own workshops (open and closed) to reopen."""
    account = await signed_in(request)
    if hosted(request) and account is None:
        return RedirectResponse("/signin", status_code=303)
    mine = await asyncio.to_thread(user_accounts(request).workshops, account) if account else None
    programs = []
    for name, path in list_programs(_settings(request).programs_dir).items():
        try:
            program = load_program(path)
            programs.append(
                {
                    "name": name,
                    "title": program.title,
                    "date": program.date,
                    "exercises": len(program.exercises),
                    "error": None,
                }
            )
        except ProgramError as exc:
            programs.append({"name": name, "title": name, "date": None, "exercises": 0, "error": str(exc)})
    return render(request, "start.html", programs=programs, mine=mine)


@router.post("/workshops")
async def create(request: Request, program: Annotated[str, Form(max_length=200)]) -> Response:
    account = await signed_in(request)
    if hosted(request) and account is None:
        return RedirectResponse("/signin", status_code=303)
    refused = await creation_refused(request)
    if refused is not None:
        return refused
    try:
        created = await asyncio.to_thread(
            create_workshop, request.app.state.store, _settings(request), program, account
        )
    except ProgramError as exc:
        return render(
            request, "message.html", status_code=400, title_key="start.broken_program", body=str(exc)
        )
    return RedirectResponse(f"/f/{created.code}/{created.facilitator_key}", status_code=303)


@dataclass(frozen=True)
class Staffed:
    """What a facilitator link opens: the live room, or a closed workshop's results."""

    door: Door
    live: LiveRoom | None  # None: closed, read-only
    stored: Room | None = None

    @property
    def code(self) -> str:
        return self.door.code

    @property
    def room(self) -> Room:
        if self.live is not None:
            return self.live.room
        assert self.stored is not None
        return self.stored


async def facilitator_room(request: Request, code: str, key: str) -> Staffed | None:
    """The workshop this facilitator link controls (or, closed, shows), or None for a
    wrong code or key. Only a right key loads the room."""
    door = await find(request, code)
    if door is None or door.deleted:
        return None
    if not await may_facilitate(request, door, key):
        wrong(request)
        return None
    if door.closed:
        found = await asyncio.to_thread(stored_room, request.app.state.store, door.code)
        return Staffed(door, None, found[1]) if found is not None else None
    live = await _hub(request).get(door.code)
    return Staffed(door, live) if live is not None else None


async def projector_room(request: Request, code: str, key: str) -> LiveRoom | None:
    door = await find(request, code)
    if door is None or not door.open:
        return None
    if not door.projector(key):
        wrong(request)
        return None
    return await _hub(request).get(door.code)


@router.get("/f/{code}/{key}", response_class=HTMLResponse)
async def facilitator_page(request: Request, code: str, key: str) -> HTMLResponse:
    staffed = await facilitator_room(request, code, key)
    if staffed is None:
        return not_found(request)
    from app.web.programmes import programme_paths  # the programme's pages build on these

    paths: dict[str, Any] = {
        "results_path": f"/f/{staffed.code}/{key}/results",
        "delete_path": f"/f/{staffed.code}/{key}/delete",
        **await programme_paths(request, staffed.door.workshop_id, staffed.code, key),
    }
    if staffed.live is None:
        return render(
            request,
            "closed.html",
            code=staffed.code,
            title=staffed.room.program.title,
            purge_days=_settings(request).purge_after_days,
            **paths,
        )
    return render(
        request,
        "facilitator.html",
        code=staffed.code,
        projector_path=f"/s/{staffed.code}/{staffed.live.projector_key}",
        close_path=f"/f/{staffed.code}/{key}/close",
        join_url=join_url(request),
        boot={
            "role": "facilitator",
            "code": staffed.code,
            "key": key,
            "join": join_choices(request),
        },
        **paths,
    )


@router.post("/f/{code}/{key}/close")
async def close(request: Request, code: str, key: str) -> Response:
    """End the workshop: the room code stops working, private answers go, the results
    stay for the facilitator (read-only) until deleted or purged."""
    staffed = await facilitator_room(request, code, key)
    if staffed is None:
        return not_found(request)
    if staffed.live is not None:
        await asyncio.to_thread(close_workshop, request.app.state.store, staffed.code, now_ms())
        await _hub(request).close(staffed.code)
    return RedirectResponse(f"/f/{staffed.code}/{key}", status_code=303)


@router.post("/f/{code}/{key}/delete")
async def delete(
    request: Request, code: str, key: str, confirm: Annotated[str, Form(max_length=10)] = ""
) -> Response:
    """Delete the workshop with all its data (history, notes, answers), at once."""
    staffed = await facilitator_room(request, code, key)
    if staffed is None:
        return not_found(request)
    if confirm != "yes":
        return render(
            request, "message.html", status_code=400, title_key="delete.title", body_key="delete.confirm"
        )
    # The tombstone first: from then on nothing can load the room or write to it; then
    # every process forgets it and closes its screens.
    await asyncio.to_thread(request.app.state.store.delete_workshop, staffed.code, now_ms())
    await _hub(request).close(staffed.code)
    return render(request, "message.html", title_key="deleted.title", body_key="deleted.body")


@router.get("/s/{code}/{key}", response_class=HTMLResponse)
async def projector_page(request: Request, code: str, key: str) -> HTMLResponse:
    live = await projector_room(request, code, key)
    if live is None:
        return not_found(request)
    return render(
        request,
        "projector.html",
        code=live.code,
        join_url=join_url(request),
        qr_path=f"/qr/{live.code}.svg",
        boot={"role": "projector", "code": live.code, "key": key, "join": {"base": join_base(request)}},
    )


@router.get("/qr/{code}.svg")
async def qr_code(request: Request, code: str) -> Response:
    """Drawn from the code alone: the room is not loaded."""
    door = await find(request, code)
    if door is None or not door.open:
        return Response(status_code=404)
    buffer = io.BytesIO()
    base = chosen_base(request, request.query_params.get("base"))
    segno.make(join_url(request, door.code, base), error="m").save(
        buffer, kind="svg", scale=10, border=2, dark="#000000", light="#ffffff"
    )
    return Response(buffer.getvalue(), media_type="image/svg+xml", headers={"cache-control": "max-age=3600"})


# --- participants: join and the phone page ---------------------------------------------------


async def open_door(request: Request, code: str) -> Door | None:
    door = await find(request, code)
    return door if door is not None and door.open else None


@phones.get("/j", response_class=HTMLResponse)
@phones.get("/j/{code}", response_class=HTMLResponse)
async def join_page(request: Request, code: str = "") -> Response:
    door = await open_door(request, code) if code else None
    if door is not None and request.cookies.get(participant_cookie(door.code)):
        return RedirectResponse(f"/r/{door.code}", status_code=303)  # the phone page checks it
    code = codes.normalize(code)
    typed = code if codes.looks_valid(code) else ""
    prefetch = phone_prefetch()
    return render(request, "join.html", code=typed, name="", error_key=None, catalog=False, **prefetch)


def _participant(request: Request, live: LiveRoom) -> str | None:
    token = request.cookies.get(participant_cookie(live.code))
    return live.room.tokens.get(digest(token)) if token else None


CODE_MAX, NAME_MAX = 40, 200  # the join form's fields, at most (longer: 422, FastAPI's refusal)


@phones.post(assets.JOIN)
async def join(
    request: Request,
    code: Annotated[str, Form(max_length=CODE_MAX)] = "",
    name: Annotated[str, Form(max_length=NAME_MAX)] = "",
) -> Response:
    """A phone joins: the form as a browser sends it comes through :class:`Joins`, at the
    app's entrance; anything else (another encoding, a field too long) through FastAPI."""
    typed = codes.normalize(code)

    def again(error_key: str, status_code: int) -> HTMLResponse:
        return render(
            request, "join.html", status_code=status_code, code=typed, name=name, error_key=error_key
        )

    door = await open_door(request, typed)
    live = await _hub(request).get(door.code) if door is not None else None
    if live is None:
        return again("join.error.unknown_room", 404)
    if _participant(request, live) is not None:
        return RedirectResponse(f"/r/{live.code}", status_code=303)
    token = new_token()
    try:
        action = joining(name, token, live.code)
    except ValidationError:
        return again("join.error.name", 400)
    try:
        await live.submit(_hub(request).command(action, SYSTEM))
    except Refused:
        return again("join.error.name", 400)
    except Exception:
        return again("error.storage_unavailable", 503)
    response: Response = RedirectResponse(f"/r/{live.code}", status_code=303)
    if request.headers.get("sec-fetch-mode") == "navigate":
        # A browser gets the phone page at once (phone.js puts /r/<code> in the address
        # bar): a slow network's round trip less than following a redirect.
        response = phone_view(request, live, live.room.tokens.get(digest(token)))
    set_cookie(request, response, participant_cookie(live.code), token, max_age=PARTICIPANT_COOKIE_SECONDS)
    return response


FORM = "samling.join_form"  # the scope's key for the form Joins read: (code, name)
FORM_BYTES = 1024  # a browser's join form, a code and a name, is a few hundred bytes
URLENCODED = b"application/x-www-form-urlencoded"


class Joins:
    """``POST /join`` taken at the app's entrance (``app.main.Samling``), before FastAPI's
    per-request machinery: routing, exception wrappers, an exit stack, its form parsing
    and the parameters' dependency solving were half of a join's CPU, and a room's
    phones all join in the same minute. The same :func:`join` answers, behind the same
    middlewares (trusted proxies, security headers, the phone page compressed), after
    the app's one Origin check (``access.from_our_pages``), with the app's own pages for
    its refusals. Only the form as a browser sends it is read here (urlencoded, ``code``
    and ``name`` once each, within their lengths); anything else is handed to FastAPI's
    route with its body as it came, and answered as it always was (a 422 for a field
    too long)."""

    def __init__(self, app: FastAPI, trusted_proxies: str) -> None:
        self.app = app
        self._chain = wrapped(self._join, trusted_proxies)  # as the app's middleware wraps its routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send, otherwise: ASGIApp) -> None:
        received, form = await _browser_form(scope, receive)
        if form is None:
            await otherwise(scope, _replaying(received, receive), send)
            return
        scope["app"] = self.app  # as Starlette sets them: request.app, the templates' url_for
        scope.setdefault("router", self.app.router)
        scope[FORM] = form
        await self._chain(scope, receive, send)

    async def _join(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        code, name = scope.pop(FORM)
        try:
            await from_our_pages(request)
            response = await join(request, code, name)
        except (TooManyGuesses, ForeignOrigin) as exc:  # the app's pages for them (app/main.py)
            handled = self.app.exception_handlers[type(exc)](request, exc)
            response = await handled if inspect.isawaitable(handled) else handled
        await response(scope, receive, send)


async def _browser_form(scope: Scope, receive: Receive) -> tuple[list[Message], tuple[str, str] | None]:
    """The messages read, and (code, name) when the body is a join form as a browser sends
    it; None for anything else. Fields are decoded as Starlette's form parser decodes them."""
    headers: dict[bytes, bytes] = {}
    for key, value in scope["headers"]:
        if key in (b"content-type", b"content-length"):
            if key in headers:
                return [], None
            headers[key] = value
    length = headers.get(b"content-length", b"")
    urlencoded = headers.get(b"content-type", b"").lower() == URLENCODED
    if not urlencoded or not length.isdigit() or int(length) > FORM_BYTES:
        return [], None
    received: list[Message] = []
    body = b""
    while True:
        message = await receive()
        received.append(message)
        if message["type"] != "http.request":
            return received, None
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    fields: dict[bytes, str] = {}
    for part in body.split(b"&") if body else ():
        key, equals, value = part.partition(b"=")
        if not equals or key not in (b"code", b"name") or key in fields:
            return received, None
        fields[key] = unquote_plus(value.decode("latin-1"))
    code, name = fields.get(b"code", ""), fields.get(b"name", "")
    if len(code) > CODE_MAX or len(name) > NAME_MAX:
        return received, None
    return received, (code, name)


def _replaying(received: list[Message], receive: Receive) -> Receive:
    """``receive`` with the messages already read given again first."""
    waiting = deque(received)

    async def replay() -> Message:
        return waiting.popleft() if waiting else await receive()

    return replay


@phones.get("/r/{code}", response_class=HTMLResponse)
async def phone_page(request: Request, code: str) -> Response:
    door = await find(request, code)
    if (
        door is not None
        and door.closed
        and not door.deleted
        and request.cookies.get(participant_cookie(door.code))
    ):
        # The day is over: the person's own phone goes on to their «Mine svar».
        return RedirectResponse(f"/r/{door.code}/mine", status_code=303)
    if door is None or not door.open:
        return not_found(request)
    cookie = participant_cookie(door.code)
    known = await holds(request, door, TOKEN, request.cookies.get(cookie))  # a made-up one loads nothing
    live = await _hub(request).get(door.code) if known else None
    if live is None or _participant(request, live) is None:
        response = RedirectResponse(f"/j/{door.code}", status_code=303)
        response.delete_cookie(cookie)  # a stale token (removed, or another room's day)
        return response
    return phone_view(request, live, _participant(request, live))


def phone_view(request: Request, live: LiveRoom, pid: str | None) -> HTMLResponse:
    """The phone page, with the room as this phone sees it, so that it shows the room
    before its WebSocket is open."""
    state = views.snapshot(live.room, "participant", pid)
    return render(
        request,
        "phone.html",
        code=live.code,
        boot={"role": "participant", "code": live.code, "state": state, "server_time": now_ms()},
        kinds=assets.kinds_of(live.room.program),
        page="js/phone.js",
    )


@router.get("/healthz")
async def health() -> dict[str, str]:
    return {"status": "ok"}
