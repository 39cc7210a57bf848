"""A room full of made-up people for the browser tests: phones that speak the browser's
protocol (tests/phoneclient.py) from an asyncio loop of their own thread, so that a
Playwright test can fill a room of 60 without 60 browsers, and a facilitator client that
moves the day on. ``fill()`` has every phone do what the current phase asks of it (words,
values placed in the group's diamond, list items and votes, comments, cards and scores,
answers), so the projector shows a day's results at their fullest."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tests.liveserver import LiveServer, code_and_key, programs_folder
from tests.phoneclient import Phone

T = TypeVar("T")

SHIPPED = Path(__file__).parent.parent.parent / "exercises"


def shipped(names: list[str]) -> dict[str, str]:
    """These program files of exercises/, by name, for a server's programs folder."""
    return {name: (SHIPPED / name).read_text(encoding="utf-8") for name in names}


BOARD_INTERVAL_MS = 20  # the day server's board soon after the last word (settle waits for it)


@contextmanager
def day_server(workdir: Path, programs: list[str]) -> Iterator[LiveServer]:
    """A live server with these shipped programs, short phases, and limits wide enough for
    a crowd (every phone sends at once; many workshops from one address)."""
    with LiveServer(
        workdir,
        programs_folder(workdir, shipped(programs)),
        time_scale="0.05",
        board_interval_ms=str(BOARD_INTERVAL_MS),
        messages_per_second="100",
        message_burst="200",
        workshops_per_hour="1000",
    ) as server:
        yield server


NAMES = [
    "Kari", "Ola", "Per", "Liv", "Nils", "Evy", "Anne-Marit", "Jon Kåre", "Sigrid", "Torbjørn",
    "Ingrid", "Håkon", "Solveig", "Bjørn", "Randi", "Øystein", "Marit", "Eirik", "Gunhild", "Arne",
    "Hilde", "Sverre", "Tone", "Geir", "Åse", "Lars", "Berit", "Knut", "Elin", "Halvor",
    "Turid", "Odd", "Wenche", "Svein", "Ragnhild", "Terje", "Kristin", "Roar", "Heidi", "Asbjørn",
    "Gro", "Tor Arne", "Mette", "Stein", "Nina", "Vidar", "Kjersti", "Rune", "Bodil", "Trond",
    "Unni", "Egil", "Sissel", "Jostein", "Laila", "Dag", "Gerd", "Frode", "Vigdis", "Audun",
]  # fmt: skip
WORDS = [
    "Tillit", "Åpenhet", "Respekt", "Mot", "Omsorg", "Ærlighet", "Glede", "Ansvar", "Raushet",
    "Samarbeid", "Tydelighet", "Lojalitet", "Nysgjerrighet", "Involvering", "Trygghet",
]  # fmt: skip
VALUES = ["Tillit", "Åpenhet", "Respekt", "Mot", "Omsorg", "Ærlighet", "Glede", "Ansvar", "Raushet"]
ITEMS = [
    "Sammen for Seljord",
    "Vi ser hverandre",
    "Tydelige forventninger",
    "Modige samtaler",
    "Læring på tvers av sektorer",
]
COMMENT = "Takk for en nyttig dag – særlig diamanten og samtalene i trioene!"


class Crowd:
    """``count`` people joined to a new workshop of ``program`` on ``server``, with the
    facilitator's client; every call waits for what it sent to be answered."""

    def __init__(self, server: LiveServer, program: str, count: int) -> None:
        self.server = server
        created = httpx.post(f"{server.url}/workshops", data={"program": program}, headers=self._origin())
        self.code, self.key = code_and_key(created)
        cookies = []
        with httpx.Client(base_url=server.url, headers=self._origin()) as http:
            for number in range(count):
                name = NAMES[number % len(NAMES)] + ("" if number < len(NAMES) else f" {number}")
                http.cookies.clear()
                joined = http.post("/join", data={"code": self.code, "name": name})
                assert joined.status_code in (200, 303), joined.text
                cookies.append(f"samling_{self.code}={http.cookies[f'samling_{self.code}']}")
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        ws = server.url.replace("http", "ws") + "/ws"
        self.facilitator = Phone(ws, self.code, None, role="facilitator", key=self.key)
        self.phones = [Phone(ws, self.code, cookie) for cookie in cookies]
        self._run(self._start())

    def _origin(self) -> dict[str, str]:
        return {"origin": self.server.url}

    @property
    def facilitator_path(self) -> str:
        return f"/f/{self.code}/{self.key}"

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self) -> None:
        for client in (self.facilitator, *self.phones):
            client.start()
        await _until(lambda: all(c.seq is not None for c in (self.facilitator, *self.phones)), 30)

    def stop(self) -> None:
        async def stop_all() -> None:
            for client in (self.facilitator, *self.phones):
                await client.stop()

        self._run(stop_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    # --- what they send -----------------------------------------------------------------

    def act(self, action: dict[str, Any]) -> int:
        """A facilitator action; the sequence number it was stored at (-1: refused)."""
        return self._run(self._answered(self.facilitator, [action]))

    def state(self) -> dict[str, Any]:
        return self.facilitator.state

    async def _answered(self, client: Phone, actions: list[dict[str, Any]]) -> int:
        """Send in order, each after the one before was answered; the last one's seq."""
        seq = -1
        for action in actions:
            ident = await client.send(action)
            await _until(lambda sent=ident: sent in client.acked or sent in client.refused, 20)
            seq = client.acked.get(ident, -1)
        return seq

    def fill(self) -> int:
        """Everyone does what the current phase asks of them; then the facilitator does
        what shows the results (draws roles, gathers lists and opens the vote, reveals a
        form's summary and the crowd-sourced top). The last sequence number answered."""
        position = self.state().get("position") or {}
        exercise = position.get("exercise_id")
        if exercise is None:
            return self.facilitator.seq or 0

        async def everyone() -> int:
            last = await _gathered(
                [self._answered(p, _phone_actions(p, n, exercise)) for n, p in enumerate(self.phones)]
            )
            # Votes go to the room list once it is gathered.
            board = self.state().get("board") or {}
            extra = _facilitator_actions(board, exercise)
            if extra:
                last = max(last, await self._answered(self.facilitator, extra))
                await asyncio.sleep(0.3)  # the phones hear of the room list
                last = max(
                    last,
                    await _gathered(
                        [self._answered(p, _vote_actions(p, n, exercise)) for n, p in enumerate(self.phones)]
                    ),
                )
            return max(last, self.facilitator.seq or 0)

        return self._run(everyone(), timeout=120)


async def _until(condition: Any, within: float) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("no answer in time")
        await asyncio.sleep(0.02)


async def _gathered(calls: list[Coroutine[Any, Any, int]]) -> int:
    results = await asyncio.gather(*calls)
    return max(results, default=-1)


def _group_lead(phone: Phone, activity: dict[str, Any]) -> bool:
    """The group member who writes for the group: its first in join order."""
    me = phone.state.get("me") or {}
    members = [m["id"] for m in me.get("members", [])]
    return bool(members) and me.get("id") == min(members, key=lambda pid: int(pid[1:]))


def _phone_actions(phone: Phone, number: int, exercise: str) -> list[dict[str, Any]]:
    activity = phone.state.get("activity") or {}
    if activity.get("exercise") != exercise:
        return []
    out: list[dict[str, Any]] = []
    for kind, data in activity.items():
        if kind == "exercise" or not isinstance(data, dict):
            continue
        out += [{"exercise": exercise, **a} for a in _kind_actions(kind, data, phone, number)]
    return out


def _kind_actions(kind: str, data: dict[str, Any], phone: Phone, number: int) -> list[dict[str, Any]]:
    if kind == "roles":
        if data.get("can_answer") and not data.get("answered"):
            answer: dict[str, Any] = {}
            if "age" in data.get("asks", []):
                answer["age"] = 25 + (number * 7) % 40
            if "hair" in data.get("asks", []):
                answer["hair"] = 1 + number % 5
            return [{"type": "roles_answer", **answer}] if answer else []
        return []
    if kind == "wordcloud":
        have = len(data.get("entries", []))
        words = [WORDS[(number + k * 4) % len(WORDS)] for k in range(data.get("max", 3))]
        return [{"type": "wordcloud_submit", "word": w} for w in words[have:]]
    if kind == "comments":
        if data.get("mine") or not data.get("max"):
            return []
        return [{"type": "comment_add", "text": f"{COMMENT} ({NAMES[number % len(NAMES)]})"}]
    if kind == "diamond":
        diamond = data.get("diamond")
        if not diamond or diamond.get("final") or not _group_lead(phone, data):
            return []
        adds = [{"type": "diamond_add", "value": v} for v in VALUES if v not in diamond.get("pool", [])]
        order = VALUES[number % 3 :] + VALUES[: number % 3]
        places = [{"type": "diamond_place", "value": v, "slot": s} for s, v in enumerate(order)]
        return [*adds, *places, {"type": "diamond_final", "final": True}]
    if kind == "gallery":
        out: list[dict[str, Any]] = []
        if data.get("host") is None and _group_lead(phone, data):
            out.append({"type": "gallery_host", "participant": (phone.state.get("me") or {}).get("id")})
        if data.get("stage") == "rotation" and not data.get("sent"):
            for step in data.get("route", []):
                if step.get("group"):
                    text = f"Hvorfor står {VALUES[number % 9]} så høyt hos dere?"
                    out.append({"type": "gallery_comment", "group": step["group"], "text": text})
                    break
        return out
    if kind == "lists":
        if data.get("group") is None or data.get("voting") or not _group_lead(phone, data):
            return []
        want = max(data.get("min_items") or 0, 3)
        have = len(data.get("items", []))
        group = data["group"]
        return [
            {"type": "lists_add", "text": f"{ITEMS[(group + k) % len(ITEMS)]} ({group})"}
            for k in range(have, min(want, data.get("max_items") or want))
        ]
    if kind == "form":
        if not data.get("open") or data.get("answered"):
            return []
        out = []
        for group in data.get("groups", []):
            for question in group.get("questions", []):
                value: Any
                if question.get("type") == "scale":
                    value = 1 + number % int(question.get("points") or 5)
                elif question.get("type") == "choice":
                    value = [0]
                else:
                    value = "Jeg har prøvd ukentlige én-til-én-samtaler med hele teamet."
                out.append({"type": "form_answer", "question": question["id"], "value": value})
        return out
    if kind == "crowdsource":
        stage = data.get("stage")
        if stage == "write" and not data.get("mine"):
            idea = f"{ITEMS[number % len(ITEMS)]}: prøv det i én avdeling først"
            return [{"type": "crowdsource_write", "idea": idea, "step": "Snakk med tillitsvalgte i morgen"}]
        if stage == "score" and data.get("card") and data.get("score") is None:
            return [{"type": "crowdsource_score", "card": data["card"]["id"], "score": 1 + number % 5}]
        return []
    return []


def _facilitator_actions(board: dict[str, Any], exercise: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    roles = board.get("roles")
    if isinstance(roles, dict) and any(not g.get("assigned") for g in roles.get("groups", [])):
        out.append({"type": "roles_assign"})
    lists = board.get("lists")
    if (
        isinstance(lists, dict)
        and any(g.get("items") for g in lists.get("groups", []))
        and not lists.get("voting")
    ):
        out += [{"type": "lists_gather"}, {"type": "lists_voting", "open": True}]
    form = board.get("form")
    if isinstance(form, dict) and form.get("summary_allowed") and not form.get("revealed"):
        out.append({"type": "form_reveal", "shown": True})
    crowd = board.get("crowdsource")
    if isinstance(crowd, dict) and crowd.get("stage") == "reveal" and crowd.get("revealed", 0) == 0:
        out.append({"type": "crowdsource_reveal", "all": True})
    return [{"exercise": exercise, **a} for a in out]


def _vote_actions(phone: Phone, number: int, exercise: str) -> list[dict[str, Any]]:
    lists = (phone.state.get("activity") or {}).get("lists")
    if not isinstance(lists, dict) or not lists.get("voting") or not lists.get("room"):
        return []
    room = lists["room"]
    if lists.get("vote") == "points":
        if lists.get("points_left", 0) <= 0:
            return []
        return [
            {
                "exercise": exercise,
                "type": "lists_points",
                "item": room[number % len(room)]["id"],
                "points": 60,
            }
        ]
    left = lists.get("dots_left", 0)
    return [
        {"exercise": exercise, "type": "lists_vote", "item": room[(number + k) % len(room)]["id"], "delta": 1}
        for k in range(left)
    ]
