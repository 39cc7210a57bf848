"""Who may open which room, and how much a stranger may try.

Every request that names a room code — the join form and links, the phone page, the QR
code, the staff links and the WebSocket hello — finds its workshop through :func:`find`:

- an address that has used up its budget of wrong codes is refused (``TooManyGuesses``),
  whatever code it sends, so a refusal tells nothing either;
- a wrong code (or a wrong key for a right one) is charged to that address; a right code
  costs nothing, so 60 people joining through a venue's one address are all let in while
  guessing from that address stays limited (``SAMLING_JOIN_ATTEMPTS_PER_MINUTE``); nor
  does the code of a closed or deleted workshop, which its phones may still try;
- nothing is loaded: the room in memory (or being loaded for someone else, waited
  for) or the workshop's row answers, and a room is loaded only for someone who holds
  its key or token. A participant's cookie and a take-home link are checked at the door
  too (:func:`holds`: the hashes the store keeps beside the room), so a made-up one
  loads no room and reads no closed one's results.

Every request that changes something checks where it comes from (:func:`from_our_pages`,
once for the whole app; the WebSocket with :func:`same_origin`): a page of another site
cannot make a visitor's browser create a workshop, join a room or drive one.
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection, Request

from app import accounts
from app.core import codes
from app.core.keys import TOKEN
from app.realtime.hub import Hub
from app.realtime.ratelimit import KeyedLimiter
from app.settings import Settings
from app.storage.accounts import Accounts
from app.storage.store import Store
from app.workshops import digest, same_secret

# In hosted mode a facilitator reopens their own workshops by signing in, not by a
# secret link: /f/<code>/mine is the facilitator link of whoever owns the workshop.
SIGNED_IN = "mine"


class TooManyGuesses(Exception):
    """This address tried too many wrong room codes; it may try again in a while."""


class ForeignOrigin(Exception):
    """A form was sent from a page of another site."""


@dataclass(frozen=True)
class Door:
    """What it takes to check a key for a workshop, without loading its room."""

    workshop_id: int
    code: str
    facilitator_key_hash: str
    projector_key: str
    closed: bool
    deleted: bool = False  # a tombstone: no key opens it

    @property
    def open(self) -> bool:
        return not (self.closed or self.deleted)

    def facilitator(self, key: str) -> bool:
        return bool(key) and same_secret(key, self.facilitator_key_hash)

    def projector(self, key: str) -> bool:
        return bool(key and self.projector_key) and hmac.compare_digest(key, self.projector_key)


def client_address(conn: HTTPConnection) -> str:
    """The address a request came from (behind a trusted proxy: the one it names)."""
    return conn.client.host if conn.client else "unknown"


def _guard(conn: HTTPConnection) -> KeyedLimiter:
    guard: KeyedLimiter = conn.app.state.code_guard
    return guard


def wrong(conn: HTTPConnection) -> None:
    """A wrong key for a right code costs as much as a wrong code."""
    _guard(conn).take(client_address(conn))


async def find(conn: HTTPConnection, code: str) -> Door | None:
    """The workshop with this code (open, closed or a tombstone), or None: a wrong code,
    charged to the address."""
    if not _guard(conn).allows(client_address(conn)):
        raise TooManyGuesses
    code = codes.normalize(code)
    door = await _lookup(conn, code) if codes.looks_valid(code) else None
    if door is None:
        wrong(conn)
    return door


async def _lookup(conn: HTTPConnection, code: str) -> Door | None:
    hub: Hub = conn.app.state.hub
    live = await hub.loaded(code)
    if live is not None:
        return Door(live.workshop_id, live.code, live.facilitator_key_hash, live.projector_key, closed=False)
    store: Store = conn.app.state.store
    row = await asyncio.to_thread(store.find_workshop, code)
    if row is None or row.id is None:
        return None
    closed, deleted = row.closed_at is not None, row.deleted_at is not None
    return Door(row.id, row.code, row.facilitator_key_hash, row.projector_key, closed, deleted)


async def holds(conn: HTTPConnection, door: Door, kind: str, secret: str | None) -> bool:
    """Whether ``secret`` (a participant's cookie, ``kind`` TOKEN, or a take-home link's
    key, LINK) opens this workshop for someone: the room in memory says, or else the
    hashes kept at the door, so that a made-up one loads nothing. The room (or its
    results) still says whose it is once loaded."""
    if not secret or door.deleted:
        return False
    hashed = digest(secret)
    hub: Hub = conn.app.state.hub
    live = await hub.loaded(door.code)
    if live is not None:
        return hashed in (live.room.tokens if kind == TOKEN else live.room.workbook_links)
    store: Store = conn.app.state.store
    return await asyncio.to_thread(store.holds_key, door.workshop_id, kind, hashed)


async def may_create(conn: HTTPConnection) -> bool:
    """One more workshop (``SAMLING_WORKSHOPS_PER_HOUR``), taken from the budget of this
    address, or in hosted mode of the signed-in facilitator (a town hall's facilitators
    share one address): each is a room in memory, not to be made by the thousand."""
    limiter: KeyedLimiter = conn.app.state.creation_limiter
    account = await signed_in(conn)
    return limiter.take(f"account {account}" if account is not None else client_address(conn))


def hosted(conn: HTTPConnection) -> bool:
    settings: Settings = conn.app.state.settings
    return settings.hosted


def user_accounts(conn: HTTPConnection) -> Accounts:
    return Accounts(conn.app.state.store.engine)


async def signed_in(conn: HTTPConnection) -> int | None:
    """The signed-in facilitator's account (hosted mode only), or None."""
    token = conn.cookies.get(accounts.SESSION_COOKIE)
    if not hosted(conn) or not token:
        return None
    return await asyncio.to_thread(accounts.signed_in, user_accounts(conn), token)


async def owns(conn: HTTPConnection, door: Door) -> bool:
    """Whether the signed-in facilitator owns this workshop (hosted mode)."""
    account = await signed_in(conn)
    if account is None:
        return False
    store: Store = conn.app.state.store
    row = await asyncio.to_thread(store.find_workshop, door.code)
    return row is not None and row.owner_id == account


async def may_facilitate(conn: HTTPConnection, door: Door, key: str) -> bool:
    """The facilitator's secret key, or (hosted mode) ``mine`` and its owner signed in."""
    if key == SIGNED_IN:
        return await owns(conn, door)
    return door.facilitator(key)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def from_our_pages(request: Request) -> None:
    """The one Origin check, a dependency of every route (app/main.py): a request that
    changes something (any method but GET, HEAD, OPTIONS) from another site's page is
    refused before its form is read or validated, on today's routes and tomorrow's.
    (A coroutine, because FastAPI sends a plain function's call to a worker thread: a
    thread hop on every request, a tenth of the server's CPU while phones join.)"""
    if request.method not in SAFE_METHODS and not same_origin(request):
        raise ForeignOrigin


def same_origin(conn: HTTPConnection) -> bool:
    """Whether a browser sent this from one of our own pages.

    Browsers name the page's origin in ``Origin`` on every form they post (our pages'
    referrer policy, ``strict-origin``, keeps it); ``null`` is what a sandboxed or
    referrer-less foreign page sends. A request without Origin or Referer is not from a
    browser (a script, the tests) and cannot ride on a visitor's cookies.
    """
    origin = conn.headers.get("origin")
    if origin is None:
        referer = conn.headers.get("referer")
        if referer is None:
            return True
        origin = referer
    parts = urlsplit(origin)
    return parts.netloc == conn.headers.get("host") and parts.scheme in ("http", "https")
