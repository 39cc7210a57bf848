"""The browser's assets, light for a phone on a slow network.

- **One version for the whole static tree** (a hash of every file, taken at start):
  pages ask for ``/static/v/<version>/js/phone.js``, and since ES modules import each
  other by relative paths, every module a page loads carries the same version. Those
  URLs never change their content, so they are cached for a year (``immutable``); a new
  release is a new version. Plain ``/static/...`` still works, revalidated each time.
- **Compressed**: text assets (and the phone's and the join page's HTML, which hold no
  secret) are sent gzip-compressed to a browser that accepts it. Joining answers a
  browser with the phone page itself (no redirect to follow), and that page carries the
  room as the phone sees it, so it shows the room before its WebSocket is open.
- **Only what a page uses**: the kinds a program uses (``kinds_of``), and every module a
  page script imports, named up front as ``modulepreload`` so that the browser fetches
  the whole import graph at once instead of one level per round trip.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from app.core.program import Program

STATIC_DIR = Path(__file__).parent.parent / "static"
VERSIONED = "/static/v/"
LONG_CACHE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
# Pages whose HTML may be compressed: they carry no secret a reflected text could be
# guessed against (compression and secrets do not mix: BREACH). Staff pages are left out.
COMPRESSED_PAGES = re.compile(r"^/(j(/[^/]*)?|join|r/[^/]+)$")
JOIN = "/join"
IMPORT = re.compile(r"""^\s*import\s[^"']*["'](\.{1,2}/[^"']+)["']""", re.MULTILINE)


@cache
def version() -> str:
    """A hash of every file under app/static (path and content)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in STATIC_DIR.rglob("*") if p.is_file()):
        digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_url(path: str) -> str:
    """The versioned, long-cached URL of a file under app/static (``js/phone.js``)."""
    return f"{VERSIONED}{version()}/{path.lstrip('/')}"


@cache
def _imports(path: str) -> tuple[str, ...]:
    """The static-tree paths a module imports (relative imports only)."""
    source = (STATIC_DIR / path).read_text(encoding="utf-8")
    base = (STATIC_DIR / path).parent
    found = []
    for relative in IMPORT.findall(source):
        target = (base / relative).resolve().relative_to(STATIC_DIR.resolve()).as_posix()
        found.append(target)
    return tuple(found)


def module_graph(entries: Iterable[str]) -> list[str]:
    """Every module the entry scripts import, directly or not (not the entries)."""
    entries = list(entries)
    seen: list[str] = []
    todo = list(entries)
    while todo:
        for target in _imports(todo.pop()):
            if target not in seen and target not in entries:
                seen.append(target)
                todo.append(target)
    return sorted(seen)


def kinds_of(program: Program) -> set[str]:
    """The exercise kinds a program uses (its exercises' kind tables)."""
    from app.core.registry import KINDS

    return {kind.name for kind in KINDS for ex in program.exercises if getattr(ex, kind.name, None)}


def kind_assets(kinds: Iterable[str] | None = None, page: str | None = None) -> dict[str, Any]:
    """The kinds' scripts and stylesheets (all, or only ``kinds``), as versioned URLs, and
    the modules they and the page script (``js/phone.js``) import, to preload."""
    wanted = None if kinds is None else set(kinds)
    scripts = [
        f"js/kinds/{p.name}"
        for p in sorted((STATIC_DIR / "js" / "kinds").glob("*.js"))
        if wanted is None or p.stem in wanted
    ]
    styles = [
        f"css/kinds/{p.name}"
        for p in sorted((STATIC_DIR / "css" / "kinds").glob("*.css"))
        if wanted is None or p.stem in wanted
    ]
    entries = [*scripts, *([page] if page else [])]
    return {
        "scripts": [static_url(s) for s in scripts],
        "styles": [static_url(s) for s in styles],
        "preload": [static_url(m) for m in module_graph(entries) if m not in scripts],
    }


def _navigating(scope: Scope) -> bool:
    return (b"sec-fetch-mode", b"navigate") in scope.get("headers", ())


class StaticAssets:
    """Serves ``/static/v/<version>/…`` as ``/static/…`` with a year's cache, has plain
    ``/static/…`` revalidated, and compresses static files and the phone pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=500, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path.startswith("/static/") or COMPRESSED_PAGES.match(path)) or (
            path == JOIN and not _navigating(scope)
        ):
            # Joining answers a page only to a browser navigating (app/web/pages.py join),
            # anything else a redirect: no compressor made for it (a zlib stream each,
            # 6 % of the app's CPU per join).
            await self.app(scope, receive, send)
            return
        cache_control = None
        if path.startswith(VERSIONED):
            rest = path[len(VERSIONED) :].partition("/")[2]
            scope = {**scope, "path": "/static/" + rest, "raw_path": ("/static/" + rest).encode()}
            cache_control = LONG_CACHE
        elif path.startswith("/static/"):
            cache_control = REVALIDATE

        async def send_with_cache(message: Message) -> None:
            starting = message["type"] == "http.response.start"
            if cache_control and starting and message.get("status", 200) < 400:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", cache_control)]
            await send(message)

        await self.gzip(scope, receive, send_with_cache)
