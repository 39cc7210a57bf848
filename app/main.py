"""The application: wires settings, storage, bus and hub to the web routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from app.bus import bus_from_url
from app.realtime.collector import Collector
from app.realtime.hub import Hub, now_ms
from app.realtime.ratelimit import KeyedLimiter
from app.render.cloud import CloudRenderer
from app.settings import Settings, get_settings
from app.storage.store import Store
from app.web import accounts, editor, pages, programmes, results, wordcloud, workbook, ws
from app.web.access import ForeignOrigin, TooManyGuesses, from_our_pages
from app.web.assets import JOIN
from app.web.layers import layers
from app.web.logs import mask_access_log
from app.workshops import finish_closing

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger("samling")


PURGE_EVERY_SECONDS = 3600


async def purge_once(store: Store, settings: Settings) -> None:
    """Finish closings a crash cut short (their history goes), then delete the
    workshops closed more than ``purge_after_days`` ago."""
    unfinished = await asyncio.to_thread(finish_closing, store)
    if unfinished:
        log.info("finished closing %d workshops", len(unfinished))
    cutoff = now_ms() - int(settings.purge_after_days * 86_400_000)
    purged = await asyncio.to_thread(store.purge_closed, cutoff, now_ms())
    if purged:
        log.info("purged %d closed workshops", len(purged))


async def every(seconds: float, job: Callable[[], Awaitable[object]], stopping: asyncio.Event) -> None:
    """Run ``job`` now and every ``seconds`` until ``stopping`` is set. An error (the
    database away) is logged by its type and the next round tries again; a round in
    progress when the server stops is finished, not cut off."""
    while not stopping.is_set():
        try:
            await job()
        except Exception as exc:
            log.warning("%s: %s; trying again in %.0f s", job.__name__, type(exc).__name__, seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), seconds)


def limiter(count: int, seconds: float = 60) -> KeyedLimiter:
    """One bucket per address: ``count`` per ``seconds`` on average, as many at once."""
    return KeyedLimiter(count / seconds, count)


async def too_many_guesses(request: Request, exc: Exception) -> Response:
    response = pages.render(
        request, "message.html", status_code=429, title_key="join.title", body_key="join.error.rate_limited"
    )
    response.headers["retry-after"] = "60"
    return response


async def foreign_origin(request: Request, exc: Exception) -> Response:
    return pages.render(
        request, "message.html", status_code=403, title_key="form.foreign_title", body_key="form.foreign"
    )


class Samling(FastAPI):
    """FastAPI, with the room WebSocket (``/ws``) and the join (``POST /join``) taken at
    the entrance, before FastAPI's per-request machinery (see app/web/ws.py and
    pages.Joins)."""

    sockets: ws.RoomSockets | None = None
    joins: pages.Joins | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == ws.PATH and self.sockets is not None:
            await self.sockets(scope, receive, send)
            return
        if scope["type"] == "http" and scope["path"] == JOIN and scope["method"] == "POST" and self.joins:
            await self.joins(scope, receive, send, super().__call__)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.database_url)
        bus = bus_from_url(settings.bus_url)
        await bus.start()
        app.state.store = store
        app.state.hub = Hub(settings, store, bus)
        app.state.renderer = CloudRenderer()
        app.state.hub.on_forget.append(app.state.renderer.forget)
        app.state.code_guard = limiter(settings.join_attempts_per_minute)
        app.state.creation_limiter = limiter(settings.workshops_per_hour, 3600)
        app.state.sign_in_limiter = limiter(settings.sign_in_attempts_per_minute)
        stopping = asyncio.Event()

        async def purge() -> None:
            await purge_once(store, settings)

        hub: Hub = app.state.hub
        jobs = [
            asyncio.create_task(Collector().run(stopping), name="collector"),  # app/realtime/collector.py
            asyncio.create_task(every(PURGE_EVERY_SECONDS, purge, stopping), name="purge"),
            asyncio.create_task(every(hub.tidy_every, hub.evict_idle, stopping), name="evict-idle"),
        ]
        try:
            yield
        finally:
            stopping.set()
            await asyncio.gather(*jobs)
            app.state.renderer.close()
            await app.state.hub.finish_writes()
            await app.state.hub.save_snapshots()
            await bus.stop()
            store.close()

    app = Samling(
        title="Samling",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(from_our_pages)],  # every route that changes something: our pages only
    )
    app.sockets = ws.RoomSockets(app, settings.trusted_proxies)
    app.joins = pages.Joins(app, settings.trusted_proxies)
    app.state.settings = settings
    app.add_exception_handler(TooManyGuesses, too_many_guesses)
    app.add_exception_handler(ForeignOrigin, foreign_origin)
    for layer, options in layers(settings.trusted_proxies):  # app/web/layers.py, innermost first
        app.add_middleware(layer, **options)
    mask_access_log()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages.phones)  # first: what hundreds of phones ask for
    app.include_router(pages.router)
    app.include_router(accounts.router)
    app.include_router(editor.router)
    app.include_router(programmes.router)
    app.include_router(results.router)
    app.include_router(wordcloud.router)
    app.include_router(workbook.router)
    return app


app = create_app()
