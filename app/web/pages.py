"""HTML pages and the join endpoint. Thin: they read the request, call a domain function,
render a template. Every string on a page goes through the translation layer."""

from __future__ import annotations

import asyncio
import hmac
import io
import json
from pathlib import Path
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import ValidationError

from app import i18n
from app.core import codes
from app.core.actions import Join
from app.core.localized import localize
from app.core.program import ProgramError, list_programs, load_program
from app.core.room import SYSTEM, Refused
from app.realtime.hub import Hub, LiveRoom, now_ms
from app.settings import Settings
from app.web.ws import participant_cookie
from app.workshops import create_workshop, digest, new_token, same_secret

router = APIRouter()
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")

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


def kind_assets() -> dict[str, list[str]]:
    """Every exercise kind's browser script and stylesheet: pages load them all, so a new
    kind needs no template change (see docs/kinds.md)."""
    scripts = sorted((STATIC_DIR / "js" / "kinds").glob("*.js"))
    styles = sorted((STATIC_DIR / "css" / "kinds").glob("*.css"))
    return {
        "scripts": [f"/static/js/kinds/{p.name}" for p in scripts],
        "styles": [f"/static/css/kinds/{p.name}" for p in styles],
    }


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    boot = context.pop("boot", None)
    base = {
        "lang": lang,
        "t": lambda key, **params: i18n.translate(key, lang, **params),
        "localize": lambda value: localize(value, lang),
        "catalog_json": script_json(i18n.catalog(lang)),
        "boot_json": script_json({**(boot or {}), "lang": lang}),
        "other_lang": "en" if lang == "nb" else "nb",
        "kind_assets": kind_assets(),
    }
    response = templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def join_url(request: Request, code: str | None = None) -> str:
    base = _settings(request).public_url.rstrip("/") or str(request.base_url).rstrip("/")
    return f"{base}/j/{code}" if code else f"{base}/j"


def not_found(request: Request) -> HTMLResponse:
    return render(
        request, "message.html", status_code=404, title_key="not_found.title", body_key="not_found.body"
    )


# --- facilitator: start page, create, control ------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def start_page(request: Request) -> HTMLResponse:
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
    return render(request, "start.html", programs=programs)


@router.post("/workshops")
async def create(request: Request, program: Annotated[str, Form(max_length=200)]) -> Response:
    try:
        created = await asyncio.to_thread(
            create_workshop, request.app.state.store, _settings(request), program
        )
    except ProgramError as exc:
        return render(
            request, "message.html", status_code=400, title_key="start.broken_program", body=str(exc)
        )
    return RedirectResponse(f"/f/{created.code}/{created.facilitator_key}", status_code=303)


async def live_room(request: Request, code: str) -> LiveRoom | None:
    code = codes.normalize(code)
    if not codes.looks_valid(code):
        return None
    return await _hub(request).get(code)


async def facilitator_room(request: Request, code: str, key: str) -> LiveRoom | None:
    """The room this facilitator link controls, or None for a wrong code or key."""
    live = await live_room(request, code)
    if live is None or not same_secret(key, live.facilitator_key_hash):
        return None
    return live


@router.get("/f/{code}/{key}", response_class=HTMLResponse)
async def facilitator_page(request: Request, code: str, key: str) -> HTMLResponse:
    live = await facilitator_room(request, code, key)
    if live is None:
        return not_found(request)
    return render(
        request,
        "facilitator.html",
        code=live.code,
        projector_path=f"/s/{live.code}/{live.projector_key}",
        results_path=f"/f/{live.code}/{key}/results",
        close_path=f"/f/{live.code}/{key}/close",
        delete_path=f"/f/{live.code}/{key}/delete",
        join_url=join_url(request),
        boot={"role": "facilitator", "code": live.code, "key": key},
    )


@router.post("/f/{code}/{key}/close")
async def close_workshop(request: Request, code: str, key: str) -> Response:
    """End the workshop: the room code stops working; results stay until purged."""
    live = await facilitator_room(request, code, key)
    if live is None:
        return not_found(request)
    await asyncio.to_thread(request.app.state.store.close_workshop, live.code, now_ms())
    await _hub(request).close(live.code)
    return render(request, "message.html", title_key="closed.title", body_key="closed.body")


@router.post("/f/{code}/{key}/delete")
async def delete_workshop(
    request: Request, code: str, key: str, confirm: Annotated[str, Form(max_length=10)] = ""
) -> Response:
    """Delete the workshop with all its data (history, notes, answers), at once."""
    live = await facilitator_room(request, code, key)
    if live is None:
        return not_found(request)
    if confirm != "yes":
        return render(
            request, "message.html", status_code=400, title_key="delete.title", body_key="delete.confirm"
        )
    await _hub(request).close(live.code)
    await asyncio.to_thread(request.app.state.store.delete_workshop, live.code)
    return render(request, "message.html", title_key="deleted.title", body_key="deleted.body")


@router.get("/s/{code}/{key}", response_class=HTMLResponse)
async def projector_page(request: Request, code: str, key: str) -> HTMLResponse:
    live = await live_room(request, code)
    if live is None or not hmac.compare_digest(key, live.projector_key):
        return not_found(request)
    return render(
        request,
        "projector.html",
        code=live.code,
        join_url=join_url(request),
        qr_path=f"/qr/{live.code}.svg",
        boot={"role": "projector", "code": live.code, "key": key},
    )


@router.get("/qr/{code}.svg")
async def qr_code(request: Request, code: str) -> Response:
    live = await live_room(request, code)
    if live is None:
        return Response(status_code=404)
    buffer = io.BytesIO()
    segno.make(join_url(request, live.code), error="m").save(
        buffer, kind="svg", scale=10, border=2, dark="#000000", light="#ffffff"
    )
    return Response(buffer.getvalue(), media_type="image/svg+xml", headers={"cache-control": "max-age=3600"})


# --- participants: join and the phone page ---------------------------------------------------


@router.get("/j", response_class=HTMLResponse)
@router.get("/j/{code}", response_class=HTMLResponse)
async def join_page(request: Request, code: str = "") -> Response:
    code = codes.normalize(code)
    live = await live_room(request, code) if code else None
    if live is not None and _participant(request, live) is not None:
        return RedirectResponse(f"/r/{live.code}", status_code=303)
    return render(request, "join.html", code=code if codes.looks_valid(code) else "", name="", error_key=None)


def _participant(request: Request, live: LiveRoom) -> str | None:
    token = request.cookies.get(participant_cookie(live.code))
    return live.room.tokens.get(digest(token)) if token else None


@router.post("/join")
async def join(
    request: Request,
    code: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    client = request.client.host if request.client else "unknown"
    typed = codes.normalize(code)

    def again(error_key: str, status_code: int) -> HTMLResponse:
        return render(
            request, "join.html", status_code=status_code, code=typed, name=name, error_key=error_key
        )

    if not request.app.state.join_limiter.take(client):
        return again("join.error.rate_limited", 429)
    live = await live_room(request, typed)
    if live is None:
        return again("join.error.unknown_room", 404)
    if _participant(request, live) is not None:
        return RedirectResponse(f"/r/{live.code}", status_code=303)
    token = new_token()
    try:
        action = Join(name=name, token_hash=digest(token))
    except ValidationError:
        return again("join.error.name", 400)
    try:
        await live.submit(_hub(request).command(action, SYSTEM))
    except Refused:
        return again("join.error.name", 400)
    except Exception:
        return again("error.storage_unavailable", 503)
    response = RedirectResponse(f"/r/{live.code}", status_code=303)
    response.set_cookie(
        participant_cookie(live.code),
        token,
        max_age=PARTICIPANT_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/r/{code}", response_class=HTMLResponse)
async def phone_page(request: Request, code: str) -> Response:
    live = await live_room(request, code)
    if live is None:
        return not_found(request)
    if _participant(request, live) is None:
        return RedirectResponse(f"/j/{live.code}", status_code=303)
    return render(request, "phone.html", code=live.code, boot={"role": "participant", "code": live.code})


@router.get("/healthz")
async def health() -> dict[str, str]:
    return {"status": "ok"}
