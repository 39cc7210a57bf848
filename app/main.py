"""The application: wires settings, storage, bus and hub to the web routes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.bus import bus_from_url
from app.realtime.hub import Hub, now_ms
from app.realtime.ratelimit import KeyedLimiter
from app.realtime.wire import KeepServerSend
from app.render.cloud import CloudRenderer
from app.settings import Settings, get_settings
from app.storage.store import Store
from app.web import pages, results, wordcloud, ws
from app.web.headers import SecurityHeaders

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger("samling")


PURGE_EVERY_SECONDS = 3600


async def purge_closed_workshops(store: Store, settings: Settings) -> None:
    """Closed workshops are deleted with all their data after ``purge_after_days``."""
    while True:
        cutoff = now_ms() - int(settings.purge_after_days * 86_400_000)
        purged = await asyncio.to_thread(store.purge_closed, cutoff)
        if purged:
            log.info("purged %d closed workshops", len(purged))
        await asyncio.sleep(PURGE_EVERY_SECONDS)


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
        app.state.join_limiter = KeyedLimiter(
            settings.join_attempts_per_minute / 60, settings.join_attempts_per_minute
        )
        purger = asyncio.create_task(purge_closed_workshops(store, settings), name="purge")
        try:
            yield
        finally:
            purger.cancel()
            app.state.renderer.close()
            await app.state.hub.save_snapshots()
            await bus.stop()
            store.close()

    app = FastAPI(title="Samling", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.add_middleware(SecurityHeaders)
    app.add_middleware(KeepServerSend)  # added last, so it sees the server's own send
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages.router)
    app.include_router(results.router)
    app.include_router(wordcloud.router)
    app.include_router(ws.router)
    return app


app = create_app()
