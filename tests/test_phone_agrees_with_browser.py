"""The Python phone that the fault tests and benchmarks use behaves as the browser does.

Its numbers are read from the browser's policy.js (checked here against what Node makes
of the module), and one conversation — welcomes with and without a snapshot, acks,
refusals for now and for good, a silent connection, a connection that never opens, the
server going away, a removal — is played to both: ``Room`` from connection.js under Node
and ``Connection`` from tests/phoneclient.py, each with a fake socket, clock and timers.
Both must send the same frames on the same sockets at the same moments, go through the
same badge states, and keep the same actions waiting in the same states.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.phoneclient import (
    OPEN,
    POLICY,
    POLICY_JS,
    Connection,
    Stopped,
    load_policy,
    reconnect_delay,
    transient_delay,
)

CONNECTION_JS = POLICY_JS.parent / "connection.js"
START = 1_700_000_000_000
DRAWS = [0.25, 0.5, 0.75, 0.1, 0.9, 0.0, 0.999]  # the random numbers both are given, in turn


def node(script: str, *args: str) -> Any:
    """Run an ES module script under Node and return what it printed as JSON."""
    executable = shutil.which("node")
    assert executable, "Node.js is needed (bin/test installs Debian's nodejs)"
    done = subprocess.run(
        [executable, "--input-type=module", "-e", script, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# --- the numbers -------------------------------------------------------------------------------

POLICY_SCRIPT = """
const { POLICY, reconnectDelay, transientDelay } = await import(process.argv[1]);
const draws = JSON.parse(process.argv[2]);
const delays = [];
for (let n = 1; n <= 8; n += 1) {
  for (const r of draws) delays.push([n, r, reconnectDelay(POLICY, n, r), transientDelay(POLICY, n, r)]);
}
console.log(JSON.stringify({ policy: POLICY, delays }));
"""


def test_the_phone_uses_the_browsers_numbers() -> None:
    seen = node(POLICY_SCRIPT, POLICY_JS.as_uri(), json.dumps(DRAWS))
    assert POLICY == seen["policy"] == load_policy()
    for attempt, draw, reconnect, transient in seen["delays"]:
        assert reconnect_delay(POLICY, attempt, draw) == pytest.approx(reconnect)
        assert transient_delay(POLICY, attempt, draw) == pytest.approx(transient)


def test_the_policy_reader_takes_the_literal_and_nothing_else(tmp_path: Path) -> None:
    module = tmp_path / "policy.js"
    module.write_text(
        '/* {"not": "this"} */\nexport const POLICY = {\n  "pingIntervalMs": 8000,\n'
        '  "reconnect": { "minMs": 500 }\n};\n\nexport function f(p) { return {}; }\n',
        encoding="utf-8",
    )
    assert load_policy(module) == {"pingIntervalMs": 8000, "reconnect": {"minMs": 500}}


# --- the behaviour -------------------------------------------------------------------------------

WORD = {"type": "wordcloud_submit", "exercise": "ordsky"}


def welcome() -> dict[str, Any]:
    return {"server": {"type": "welcome", "role": "participant", "participant": "p1", "server_time": 0}}


def word(text: str) -> dict[str, Any]:
    return {"send": {**WORD, "word": text}}


def first_pending(step: dict[str, Any]) -> dict[str, Any]:
    """A server message about the oldest action waiting (its id is known only then)."""
    return {"answer_first": step}


# One conversation, as the server and the person would have it; each step is played to
# both clients, and the time moves on only by "advance".
CONVERSATION: list[dict[str, Any]] = [
    word("offline-before-open"),  # typed while the page was still connecting
    {"open": True},
    welcome(),  # a fresh phone: resends what it kept, pings for the clock
    {"server": {"type": "snapshot", "seq": 5, "state": {"position": {"phase": 0}}}},
    {"advance": 0},
    first_pending({"type": "ack", "seq": 6}),
    {"advance": 700},
    {"server": {"type": "pong", "t0": START, "server_time": START}},
    word("b"),
    word("c"),
    first_pending({"type": "error", "code": "storage_unavailable"}),  # b: for now
    {"server": {"type": "error", "id": "@2", "code": "not_allowed"}},  # c: for good
    {"advance": 1000},  # b goes again after its backoff, with its id
    first_pending({"type": "ack", "seq": 7}),
    {"server": {"type": "event", "seq": 7, "patch": {"board": {}}}},
    {"advance": 9000},  # the heartbeat's ping gets no pong: the connection is dead
    word("while-reconnecting"),
    {"send": {"type": "save_note", "exercise": "notat", "text": "v1"}, "replaces": "note:notat"},
    {"send": {"type": "save_note", "exercise": "notat", "text": "v2"}, "replaces": "note:notat"},
    {"advance": 1500},
    {"open": True},  # hello with last_seq
    welcome(),  # resumed: the missed events follow, no snapshot; everything kept goes again
    {"server": {"type": "event", "seq": 8, "patch": {"position": {"phase": 1}}}},
    {"server": {"type": "error", "id": None, "code": "rate_limited"}},  # which? all on their way
    {"advance": 3000},
    first_pending({"type": "ack", "seq": 9}),
    first_pending({"type": "ack", "seq": 10}),
    {
        "server": {
            "type": "people",
            "changed": [
                {"id": "p2", "name": "Ola", "group": 1, "working_group": 1, "host": False},
                {"id": "p3", "name": "Kari", "group": 1, "working_group": 1, "host": False},
            ],
            "removed": [],
            "online": ["p2", "p3"],
            "offline": [],
        }
    },
    {
        "server": {
            "type": "people",
            "changed": [
                {"id": "p4", "name": "Per", "group": 2, "working_group": 2, "host": False},
                {"id": "p2", "name": "Ola N.", "group": 2, "working_group": 2, "host": False},
            ],
            "removed": ["p3"],
            "online": ["p4"],
            "offline": ["p3", "p2"],
        }
    },
    {"kick": True},  # the phone woke up: a ping with the short deadline
    {"advance": 2500},  # no answer: dropped
    {"advance": 1200},
    {"advance": 16000},  # a socket that never opens is given up
    {"advance": 2500},
    {"open": True},
    welcome(),
    {"server": {"type": "error", "id": None, "code": "invalid"}},
    {"close": 1012},  # the server restarts
    {"kick": True},  # the network came back: connect at once
    {"advance": 3000},
    {"open": True},  # the restarted server lets a whole room in: the welcome comes late
    {"advance": 12000},  # past connectTimeoutMs, within welcomeTimeoutMs: no second knock
    welcome(),
    {"close": 1006},
    {"advance": 1500},
    {"open": True},
    {"advance": 31000},  # an open socket never welcomed is given up all the same
    {"advance": 2500},
    {"open": True},
    welcome(),
    word("last"),
    {"close": 4004},  # removed by the facilitator: stop, keep nothing
    word("after-stop"),
    {"advance": 20000},
]

# A room that has the actions in line (a whole room sending at once on a slow server): they
# wait longer than a dead connection's silence, and the phone stays; a new connection sends
# what still waits again.
IN_LINE: list[dict[str, Any]] = [
    {"open": True},
    welcome(),
    {"server": {"type": "snapshot", "seq": 5, "state": {"position": {"phase": 0}}}},
    {"advance": 700},
    *[{"server": {"type": "pong", "t0": START, "server_time": START}}] * 5,  # the clock's pings
    word("a"),
    word("b"),
    first_pending({"type": "queued"}),
    {"server": {"type": "queued", "id": "@2"}},
    {"advance": 6000},  # longer than pongTimeoutMs, and nothing is heard
    first_pending({"type": "ack", "seq": 6}),
    first_pending({"type": "ack", "seq": 7}),
    {"advance": 2000},  # the heartbeat's ping
    {"server": {"type": "pong", "t0": START, "server_time": START}},
    word("c"),
    first_pending({"type": "queued"}),
    {"close": 1006},
    {"advance": 1500},
    {"open": True},
    welcome(),  # c goes again, on its way as any other
    first_pending({"type": "ack", "seq": 8}),
    {"advance": 1000},
]

BROWSER_SCRIPT = """
const { Room } = await import(process.argv[1]);
const { policy, start, draws, steps } = JSON.parse(process.argv[2]);
let time = start;
let nextId = 1;
const timers = new Map();
const add = (fn, ms, every) => {
  const id = nextId++;
  timers.set(id, { at: time + Math.max(0, ms || 0), fn, every });
  return id;
};
const advance = (ms) => {
  const end = time + ms;
  for (;;) {
    let next = null;
    for (const [id, timer] of timers) {
      if (timer.at <= end && (next === null || timer.at < next[1].at)) next = [id, timer];
    }
    if (next === null) break;
    const [id, timer] = next;
    time = timer.at;
    if (timer.every) timer.at += timer.every;
    else timers.delete(id);
    timer.fn();
  }
  time = end;
};
const log = [];
const sockets = [];
class FakeSocket {
  constructor(url) {
    this.n = sockets.length + 1;
    this.readyState = 0;
    sockets.push(this);
    log.push({ at: time - start, connect: this.n, url });
  }
  send(text) {
    if (this.readyState !== 1) throw new Error("not open");
    log.push({ at: time - start, socket: this.n, frame: JSON.parse(text) });
  }
  close() {
    log.push({ at: time - start, socket: this.n, closed_by_client: true });
    this.readyState = 2;
  }
}
let draw = 0;
const room = new Room({
  url: "ws://samling.test/ws",
  hello: { room: "K7MXPR", role: "participant" },
  WebSocket: FakeSocket,
  now: () => time,
  timers: {
    setTimeout: (fn, ms) => add(fn, ms, null),
    setInterval: (fn, ms) => add(fn, ms, ms),
    clearTimeout: (id) => timers.delete(id),
    clearInterval: (id) => timers.delete(id),
  },
  storage: null,
  random: () => draws[draw++ % draws.length],
  policy,
});
room.onStatus((status, detail) => {
  log.push({ at: time - start, status, detail: detail === undefined ? null : detail });
});
room.start();
const last = () => sockets[sockets.length - 1];
const ids = [];
for (const step of steps) {
  if ("send" in step) {
    const before = room.pending.map((p) => p.id);
    room.send(step.send, step.replaces ? { replaces: step.replaces } : {}).catch(() => {});
    const made = room.pending.map((p) => p.id).filter((id) => !before.includes(id));
    if (!made.length) log.push({ at: time - start, refused_to_send: true });
    ids.push(...made);
  } else if ("open" in step) {
    last().readyState = 1;
    if (last().onopen) last().onopen({});
  } else if ("server" in step || "answer_first" in step) {
    const message = "server" in step ? { ...step.server } : { ...step.answer_first, id: room.pending[0].id };
    if (typeof message.id === "string" && message.id.startsWith("@")) {
      message.id = ids[Number(message.id.slice(1)) - 1];
    }
    if (message.type === "welcome") message.server_time = time;
    if (last().onmessage) last().onmessage({ data: JSON.stringify(message) });
  } else if ("close" in step) {
    last().readyState = 3;
    if (last().onclose) last().onclose({ code: step.close });
  } else if ("kick" in step) {
    room.kick();
  } else if ("advance" in step) {
    advance(step.advance);
  }
  log.push({
    at: time - start,
    pending: room.pending.map((p) => [p.id, p.status, p.tries]),
    seq: room.seq,
    state: room.state,
  });
}
console.log(JSON.stringify(log));
"""


class FakeTimers:
    """The same fake timers as the browser's side of this test: run only on ``advance``."""

    def __init__(self) -> None:
        self.time: float = START
        self.next_id = 1
        self.timers: dict[int, list[Any]] = {}  # id -> [at, callback, every]

    def set_timeout(self, callback: Callable[[], None], ms: float) -> int:
        return self._add(callback, ms, None)

    def set_interval(self, callback: Callable[[], None], ms: float) -> int:
        return self._add(callback, ms, ms)

    def clear_timeout(self, timer: object) -> None:
        self.timers.pop(timer, None)  # type: ignore[call-overload]

    clear_interval = clear_timeout

    def _add(self, callback: Callable[[], None], ms: float, every: float | None) -> int:
        timer = self.next_id
        self.next_id += 1
        self.timers[timer] = [self.time + max(0, ms or 0), callback, every]
        return timer

    def advance(self, ms: float) -> None:
        end = self.time + ms
        while True:
            due = [(t[0], i) for i, t in self.timers.items() if t[0] <= end]
            if not due:
                break
            at, timer = min(due)
            entry = self.timers[timer]
            self.time = at
            if entry[2]:
                entry[0] += entry[2]
            else:
                del self.timers[timer]
            entry[1]()
        self.time = end


def play_python(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    clock = FakeTimers()
    log: list[dict[str, Any]] = []
    sockets: list[FakeSocket] = []

    def at() -> float:
        return clock.time - START

    class FakeSocket:
        def __init__(self, url: str) -> None:
            self.n = len(sockets) + 1
            self.readyState = 0
            self.onopen: Callable[[], None] | None = None
            self.onmessage: Callable[[str], None] | None = None
            self.onclose: Callable[[int | None], None] | None = None
            sockets.append(self)
            log.append({"at": at(), "connect": self.n, "url": url})

        def send(self, text: str) -> None:
            assert self.readyState == OPEN, "not open"
            log.append({"at": at(), "socket": self.n, "frame": json.loads(text)})

        def close(self) -> None:
            log.append({"at": at(), "socket": self.n, "closed_by_client": True})
            self.readyState = 2

    draws = iter(DRAWS * 100)
    room = Connection(
        "ws://samling.test/ws",
        {"room": "K7MXPR", "role": "participant"},
        FakeSocket,
        lambda: clock.time,
        clock,
        lambda: next(draws),
    )
    room.status_listeners.append(
        lambda status, detail: log.append({"at": at(), "status": status, "detail": detail})
    )
    room.start()
    ids: list[str] = []
    for step in steps:
        last = sockets[-1]
        if "send" in step:
            try:
                ids.append(room.send(step["send"], step.get("replaces")))
            except Stopped:
                log.append({"at": at(), "refused_to_send": True})
        elif "open" in step:
            last.readyState = OPEN
            if last.onopen:
                last.onopen()
        elif "server" in step or "answer_first" in step:
            if "server" in step:
                message = dict(step["server"])
            else:
                message = {**step["answer_first"], "id": room.pending[0].id}
            if isinstance(message.get("id"), str) and message["id"].startswith("@"):
                message["id"] = ids[int(message["id"][1:]) - 1]
            if message["type"] == "welcome":
                message["server_time"] = clock.time
            if last.onmessage:
                last.onmessage(json.dumps(message))
        elif "close" in step:
            last.readyState = 3
            if last.onclose:
                last.onclose(step["close"])
        elif "kick" in step:
            room.kick()
        elif "advance" in step:
            clock.advance(step["advance"])
        log.append(
            {
                "at": at(),
                "pending": [[p.id, p.status, p.tries] for p in room.pending],
                "seq": room.seq,
                "state": room.state,
            }
        )
    return log


def play_browser(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    conversation = {"policy": POLICY, "start": START, "draws": DRAWS, "steps": steps}
    played: list[dict[str, Any]] = node(BROWSER_SCRIPT, CONNECTION_JS.as_uri(), json.dumps(conversation))
    return played


def test_the_phone_and_the_browser_send_the_same_frames_in_one_conversation() -> None:
    browser = play_browser(CONVERSATION)
    phone = play_python(CONVERSATION)
    # The conversation does what it says (so that agreeing means something).
    frames = [e for e in browser if "frame" in e]
    actions = [e for e in frames if e["frame"]["type"] == "action"]
    sockets = {e["connect"] for e in browser if "connect" in e}
    statuses = [e["status"] for e in browser if "status" in e]
    assert len(sockets) >= 5
    assert {"saving", "stopped", "reconnecting", "online"} <= set(statuses)
    assert any(e["frame"].get("last_seq") for e in frames if e["frame"]["type"] == "hello")
    assert len(actions) > len({e["frame"]["id"] for e in actions}), "something was sent again"
    assert browser[-1]["pending"] == [] and statuses[-1] == "stopped"
    # And the phone did the same, step by step.
    for n, (seen, ours) in enumerate(zip(browser, phone, strict=False)):
        assert ours == seen, f"entry {n}: the browser {seen}, the phone {ours}"
    assert len(phone) == len(browser)


def test_an_action_in_the_rooms_line_is_waited_for_without_taking_the_connection_for_dead() -> None:
    browser = play_browser(IN_LINE)
    phone = play_python(IN_LINE)
    actions = [e["frame"]["id"] for e in browser if "frame" in e and e["frame"]["type"] == "action"]
    assert len(actions) == 4 and len(set(actions)) == 3, "a and b once each, c again on the new connection"
    assert [e["connect"] for e in browser if "connect" in e] == [1, 2], "six silent seconds, no reconnect"
    assert not [e for e in browser if e.get("closed_by_client")]
    waiting = [e["pending"] for e in browser if e.get("pending")]
    assert any(all(status == "waiting" for _, status, _ in pending) for pending in waiting)
    assert browser[-1]["pending"] == []
    for n, (seen, ours) in enumerate(zip(browser, phone, strict=False)):
        assert ours == seen, f"entry {n}: the browser {seen}, the phone {ours}"
    assert len(phone) == len(browser)


def test_the_browser_stops_for_every_close_that_means_do_not_come_back() -> None:
    """A close the server sends when reconnecting cannot help (bad hello, forbidden, room
    gone, removed, too many wrong codes) must stop the browser, or it would knock forever."""
    from app.realtime import connection
    from app.web import ws

    final = {
        ws.CLOSE_BAD_HELLO,
        ws.CLOSE_FORBIDDEN,
        ws.CLOSE_UNKNOWN_ROOM,
        ws.CLOSE_TOO_MANY_GUESSES,
        connection.CLOSE_REMOVED,
        connection.CLOSE_ROOM_CLOSED,
    }
    assert set(load_policy()["stopCloseCodes"]) == final
    assert connection.CLOSE_TOO_SLOW not in final, "a phone too slow reconnects and resyncs"
