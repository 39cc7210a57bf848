/* The room connection as a phone lives it: flaky networks, a server that goes away and
 * comes back, refusals that pass. Node's own test runner, fakes from fakes.mjs. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { POLICY, reconnectDelay, transientDelay } from "../../app/static/js/lib/policy.js";
import { Clock, Storage, fakeRoom, pongAll, welcome } from "./fakes.mjs";

const word = (text) => ({ type: "wordcloud_submit", exercise: "ordsky", word: text });

describe("the clock offset", () => {
  test("the sample with the shortest round trip wins", () => {
    const { room, clock, last } = fakeRoom();
    const socket = last();
    socket.open();
    clock.advance(1000); // a slow welcome: a rough first sample, 1 s round trip
    socket.receive({ type: "welcome", role: "participant", participant: "p1", server_time: clock.time - 500 + 5000 });
    assert.equal(room.offset, 5000);
    clock.advance(POLICY.clockSampleSpacingMs * (POLICY.clockSamples - 1));
    const pings = socket.of("ping");
    assert.equal(pings.length, POLICY.clockSamples);
    // The server's clock is 7 s ahead; each answer takes its own time to come back.
    const sample = (ping, up, down) => {
      const serverTime = ping.t0 + up + 7000;
      clock.time = ping.t0 + up + down;
      socket.receive({ type: "pong", t0: ping.t0, server_time: serverTime });
    };
    const start = clock.time;
    sample(pings[0], 300, 100); // slow, and lopsided: 100 ms off
    assert.equal(room.offset, 7100);
    sample(pings[1], 10, 10); // the shortest round trip: exact
    assert.equal(room.offset, 7000);
    sample(pings[2], 200, 20); // longer: ignored
    sample(pings[3], 30, 100);
    assert.equal(room.offset, 7000);
    assert.equal(room.serverNow(), clock.time + 7000);
    clock.time = start;
  });

  test("a new connection measures afresh", () => {
    const { room, clock, last } = fakeRoom();
    welcome(last(), clock);
    clock.advance(1000);
    pongAll(last(), clock);
    assert.ok(room.bestRoundTrip < Infinity);
    last().serverClose(1006);
    clock.advance(POLICY.reconnect.capMs);
    last().open();
    clock.advance(100);
    // Our clock jumped ahead: the welcome's sample is taken, however long its round trip.
    last().receive({ type: "welcome", role: "participant", participant: "p1", server_time: clock.time - 50 - 3000 });
    assert.equal(room.offset, -3000);
    assert.equal(room.bestRoundTrip, 100);
  });

  test("the welcome is the first clock sample: the middle of the hello's round trip", () => {
    const { room, clock, last } = fakeRoom();
    const socket = last();
    socket.open(); // the hello leaves
    const sent = clock.time;
    clock.advance(400); // the server lets a room in: 300 ms to hear us, 100 back
    socket.receive({ type: "welcome", role: "participant", participant: "p1", server_time: sent + 300 + 7000 });
    assert.equal(room.offset, 7100); // 100 ms off: the round trip was lopsided
    assert.equal(room.bestRoundTrip, 400);
    clock.advance(0);
    const ping = socket.of("ping")[0]; // a first connection's clock pings measure shorter ones
    clock.time = ping.t0 + 20;
    socket.receive({ type: "pong", t0: ping.t0, server_time: ping.t0 + 10 + 7000 });
    assert.equal(room.offset, 7000);
  });

  test("a reconnect corrects a clock that jumped with its welcome, and pings no more than the heartbeat", () => {
    const { room, clock, last } = fakeRoom();
    welcome(last(), clock);
    last().receive({ type: "snapshot", seq: 3, state: {} });
    clock.advance(POLICY.clockSampleSpacingMs * POLICY.clockSamples);
    assert.equal(last().of("ping").length, POLICY.clockSamples);
    last().serverClose(1006); // the server restarts
    clock.advance(POLICY.reconnect.capMs);
    const socket = last();
    socket.open();
    const sent = clock.time;
    clock.advance(2000); // a restarted server taking the whole room back
    // Our clock jumped 3 s ahead while we slept; the server answered half-way.
    socket.receive({ type: "welcome", role: "participant", participant: "p1", server_time: sent + 1000 - 3000 });
    assert.equal(room.offset, -3000);
    clock.advance(POLICY.pingIntervalMs - 1);
    assert.equal(socket.of("ping").length, POLICY.clockSamplesAgain);
    assert.equal(POLICY.clockSamplesAgain, 0); // the restarted server answers no extra pings
    clock.advance(1);
    const [heartbeat] = socket.of("ping");
    clock.time = heartbeat.t0 + 40; // 10 ms there, 30 back: a better sample than the welcome
    socket.receive({ type: "pong", t0: heartbeat.t0, server_time: heartbeat.t0 + 10 - 3000 });
    assert.equal(room.offset, -3010);
    assert.equal(room.bestRoundTrip, 40);
  });
});

describe("reconnecting", () => {
  test("each wait is drawn from a range that grows to the cap (full jitter)", () => {
    const r = POLICY.reconnect;
    for (let attempt = 1; attempt <= 12; attempt += 1) {
      const cap = Math.min(r.capMs, r.firstMs * 2 ** (attempt - 1));
      assert.equal(reconnectDelay(POLICY, attempt, 0), r.minMs);
      assert.ok(Math.abs(reconnectDelay(POLICY, attempt, 0.999999) - cap) < 0.01);
      assert.ok(reconnectDelay(POLICY, attempt, 0.5) <= r.capMs);
    }
    assert.equal(reconnectDelay(POLICY, 1, 0.999999) < 1000.01, true);
    // Every phone tries again within 5 s, however long the server was away.
    assert.ok(r.capMs < 5000);
  });

  test("the phone waits within those bounds, and starts over once welcomed", () => {
    const { clock, sockets, last, statuses } = fakeRoom({ random: () => 0.999999 });
    const waits = [];
    for (let i = 0; i < 6; i += 1) {
      const before = sockets.length;
      last().serverClose(1006);
      const closedAt = clock.time;
      while (sockets.length === before) clock.advance(10);
      waits.push(clock.time - closedAt);
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 4000, 4000, 4000]);
    assert.equal(statuses.at(-1), "reconnecting");
    welcome(last(), clock);
    assert.equal(statuses.at(-1), "online");
    const before = sockets.length;
    last().serverClose(1006);
    clock.advance(1000);
    assert.equal(sockets.length, before + 1);
  });

  for (const code of POLICY.stopCloseCodes) {
    test(`close code ${code} stops for good`, async () => {
      const { room, clock, sockets, last, statuses } = fakeRoom();
      welcome(last(), clock);
      last().serverClose(1001); // an ordinary close first: it comes back
      clock.advance(POLICY.reconnect.capMs);
      assert.equal(sockets.length, 2);
      welcome(last(), clock);
      last().readyState = 3; // gone: what is sent now waits
      const answer = room.send(word("Tillit"));
      last().serverClose(code);
      clock.advance(60_000);
      assert.equal(sockets.length, 2);
      assert.equal(statuses.at(-1), "stopped");
      await assert.rejects(answer, /stopped/);
      await assert.rejects(room.send(word("Mot")), /stopped/);
    });
  }

  for (const code of [1000, 1001, 1006, 1011, 4008]) {
    test(`close code ${code} reconnects`, () => {
      const { clock, sockets, last } = fakeRoom();
      welcome(last(), clock);
      last().serverClose(code);
      clock.advance(POLICY.reconnect.capMs);
      assert.equal(sockets.length, 2);
    });
  }

  test("the hello asks for what the phone missed", () => {
    const { clock, last } = fakeRoom();
    welcome(last(), clock);
    last().receive({ type: "snapshot", seq: 41, state: { position: {} } });
    last().serverClose(1006);
    clock.advance(POLICY.reconnect.capMs);
    last().open();
    assert.deepEqual(last().sent[0], { type: "hello", room: "K7MXPR", role: "participant", last_seq: 41 });
  });
});

describe("resending what was not acknowledged", () => {
  test("after a welcome without a snapshot (the server sent the missed events)", async () => {
    const { room, clock, last, statuses } = fakeRoom();
    welcome(last(), clock);
    last().receive({ type: "snapshot", seq: 3, state: {} });
    const seen = [];
    const first = room.send(word("Tillit"), { onPending: (s) => seen.push(s) });
    const second = room.send(word("Mot"));
    const ids = last().of("action").map((m) => m.id);
    assert.equal(ids.length, 2);
    last().serverClose(1006); // the Wi-Fi blinked before any answer
    assert.deepEqual(seen, ["sending", "queued"]);
    const third = room.send(word("Humor")); // typed while offline
    clock.advance(POLICY.reconnect.capMs);
    welcome(last(), clock);
    assert.equal(statuses.at(-1), "online"); // the badge clears at the welcome
    last().receive({ type: "event", seq: 4, patch: {} }); // missed events, no snapshot
    const resent = last().of("action");
    assert.deepEqual(resent.map((m) => m.action.word), ["Tillit", "Mot", "Humor"]);
    assert.deepEqual(resent.slice(0, 2).map((m) => m.id), ids);
    assert.deepEqual(seen, ["sending", "queued", "sending"]);
    resent.forEach((m, i) => last().receive({ type: "ack", id: m.id, seq: 5 + i }));
    assert.equal((await first).type, "ack");
    assert.equal((await second).seq, 6);
    assert.equal((await third).seq, 7);
    assert.equal(room.hasPending(), false);
    last().serverClose(1006);
    clock.advance(POLICY.reconnect.capMs);
    welcome(last(), clock);
    assert.equal(last().of("action").length, 0); // acknowledged: never again
  });

  test("after a welcome and a snapshot: once, not twice", () => {
    const { room, clock, last } = fakeRoom();
    room.send(word("Tillit")); // before the first connection is up
    assert.equal(last().sent.length, 0);
    welcome(last(), clock);
    last().receive({ type: "snapshot", seq: 0, state: {} });
    assert.deepEqual(last().of("action").map((m) => m.action.word), ["Tillit"]);
  });

  test("until refused for good: a final refusal is answered and forgotten", async () => {
    const { room, clock, last } = fakeRoom();
    welcome(last(), clock);
    const answer = room.send(word("x".repeat(99)));
    const id = last().of("action")[0].id;
    last().receive({ type: "error", id, code: "invalid" });
    assert.deepEqual(await answer, { type: "error", id, code: "invalid" });
    last().serverClose(1006);
    clock.advance(POLICY.reconnect.capMs);
    welcome(last(), clock);
    assert.equal(last().of("action").length, 0);
  });

  test("a reload keeps them: they come back from storage and go with their ids", () => {
    const storage = new Storage();
    const first = fakeRoom({ storage });
    first.room.send(word("Tillit"));
    const id = JSON.parse(storage.getItem("pending"))[0].id;
    const again = fakeRoom({ storage });
    welcome(again.last(), again.clock);
    assert.deepEqual(again.last().of("action").map((m) => m.id), [id]);
  });
});

describe("autosave", () => {
  test("typed offline, only the last version of a note is sent", async () => {
    const { room, clock, last, storage } = fakeRoom();
    const note = (text) => room.send({ type: "save_note", exercise: "refleksjon", text }, { replaces: "note:refleksjon" });
    const other = room.send(word("Tillit"));
    const v1 = note("T");
    const v2 = note("Tillit og");
    const v3 = note("Tillit og tid");
    assert.equal((await v1).type, "replaced");
    assert.equal((await v2).type, "replaced");
    assert.deepEqual(JSON.parse(storage.getItem("pending")).map((p) => p.action.text || p.action.word), ["Tillit", "Tillit og tid"]);
    welcome(last(), clock);
    const sent = last().of("action");
    assert.deepEqual(sent.map((m) => m.action.text || m.action.word), ["Tillit", "Tillit og tid"]);
    sent.forEach((m, i) => last().receive({ type: "ack", id: m.id, seq: i + 1 }));
    assert.equal((await v3).type, "ack");
    assert.equal((await other).type, "ack");
  });

  test("a note of another exercise is not replaced", () => {
    const { room, clock, last } = fakeRoom();
    room.send({ type: "save_note", exercise: "a", text: "1" }, { replaces: "note:a" });
    room.send({ type: "save_note", exercise: "b", text: "2" }, { replaces: "note:b" });
    welcome(last(), clock);
    assert.deepEqual(last().of("action").map((m) => m.action.text), ["1", "2"]);
  });
});

describe("refusals that pass by themselves", () => {
  for (const code of POLICY.transientCodes) {
    test(`${code}: the same id goes again after a backoff, until stored`, async () => {
      const { room, clock, last, statuses } = fakeRoom();
      welcome(last(), clock);
      pongAll(last(), clock);
      const seen = [];
      const answer = room.send(word("Tillit"), { onPending: (s) => seen.push(s) });
      const { id } = last().of("action")[0];
      const waits = [];
      for (let tries = 1; tries <= 4; tries += 1) {
        last().receive({ type: "error", id, code });
        assert.equal(statuses.at(-1), "saving");
        const before = last().of("action").length;
        const refusedAt = clock.time;
        while (last().of("action").length === before) {
          clock.advance(10);
          pongAll(last(), clock);
        }
        waits.push(clock.time - refusedAt);
        assert.equal(last().of("action").at(-1).id, id);
      }
      for (const [i, wait] of waits.entries()) {
        assert.ok(Math.abs(wait - transientDelay(POLICY, i + 1, 0.5)) <= 10, `${wait}`);
      }
      last().receive({ type: "ack", id, seq: 9 });
      assert.equal((await answer).seq, 9);
      assert.equal(statuses.at(-1), "online");
      assert.deepEqual(seen.slice(0, 3), ["sending", "retrying", "sending"]);
    });
  }

  test("the backoff doubles to its cap, with jitter", () => {
    const r = POLICY.transientRetry;
    assert.equal(transientDelay(POLICY, 1, 0), r.firstMs * r.jitterMin);
    assert.ok(transientDelay(POLICY, 1, 0.999999) < r.firstMs * r.jitterMax);
    assert.equal(transientDelay(POLICY, 20, 0), r.capMs * r.jitterMin);
    assert.ok(transientDelay(POLICY, 20, 0.999999) < r.capMs * r.jitterMax);
  });

  test("rate_limited without an id: what is on its way goes again", () => {
    const { room, clock, last } = fakeRoom();
    welcome(last(), clock);
    pongAll(last(), clock);
    room.send(word("Tillit"));
    last().receive({ type: "error", id: null, code: "rate_limited" });
    clock.advance(transientDelay(POLICY, 1, 0.5) + 1);
    const sent = last().of("action");
    assert.equal(sent.length, 2);
    assert.equal(sent[0].id, sent[1].id);
  });
});

describe("liveness", () => {
  function connected() {
    const fake = fakeRoom();
    welcome(fake.last(), fake.clock);
    fake.clock.advance(POLICY.clockSampleSpacingMs * POLICY.clockSamples);
    pongAll(fake.last(), fake.clock);
    return fake;
  }

  /* Move on, a millisecond at a time, until the heartbeat's next ping has gone. */
  function untilPing({ clock, last }) {
    const before = last().of("ping").length;
    const from = clock.time;
    while (last().of("ping").length === before) {
      clock.advance(1);
      assert.ok(clock.time - from <= POLICY.pingIntervalMs, "no ping in time");
    }
  }

  test("a ping goes every pingIntervalMs, and its pong keeps the connection", () => {
    const fake = connected();
    untilPing(fake);
    for (let i = 0; i < 5; i += 1) {
      const sentAt = fake.clock.time;
      fake.clock.advance(POLICY.pongTimeoutMs - 1);
      pongAll(fake.last(), fake.clock);
      untilPing(fake);
      assert.equal(fake.clock.time - sentAt, POLICY.pingIntervalMs);
    }
    assert.equal(fake.sockets.length, 1);
  });

  test("no pong within pongTimeoutMs: the socket is dropped and the phone reconnects", () => {
    const fake = connected();
    const { clock, sockets, last, statuses } = fake;
    const socket = last();
    untilPing(fake);
    clock.advance(POLICY.pongTimeoutMs - 1);
    assert.equal(socket.closedByClient, false);
    assert.equal(statuses.at(-1), "online");
    clock.advance(1);
    assert.equal(socket.closedByClient, true); // not waiting for a close that may never come
    assert.equal(statuses.at(-1), "reconnecting");
    clock.advance(POLICY.reconnect.firstMs);
    assert.equal(sockets.length, 2);
    socket.receive({ type: "pong", t0: 0, server_time: 0 }); // a late answer on the old one
    assert.equal(statuses.at(-1), "reconnecting");
  });

  test("an action without an answer within pongTimeoutMs: reconnect and send it again", () => {
    const { room, clock, sockets, last } = connected();
    room.send(word("Tillit"));
    const { id } = last().of("action")[0];
    clock.advance(POLICY.pongTimeoutMs);
    clock.advance(POLICY.reconnect.firstMs);
    assert.equal(sockets.length, 2);
    welcome(last(), clock);
    assert.deepEqual(last().of("action").map((m) => m.id), [id]);
  });

  test("an action the room has in line is waited for without a deadline, and sent again on a new connection", async () => {
    const { room, clock, sockets, last, statuses } = connected();
    const seen = [];
    const answer = room.send(word("Tillit"), { onPending: (s) => seen.push(s) });
    const { id } = last().of("action")[0];
    last().receive({ type: "queued", id });
    clock.advance(POLICY.pongTimeoutMs * 1.5); // a slow server's whole room before it
    assert.equal(sockets.length, 1);
    assert.equal(last().closedByClient, false);
    assert.equal(statuses.at(-1), "online"); // not "saving": nothing was refused
    last().receive({ type: "ack", id, seq: 9 });
    assert.equal((await answer).seq, 9);
    assert.deepEqual(seen, ["sending", "waiting"]);
    // One that waits when the connection goes is sent again, with its id, and awaited as ever.
    room.send(word("Mot"));
    const again = last().of("action").at(-1).id;
    last().receive({ type: "queued", id: again });
    last().serverClose(1006);
    clock.advance(POLICY.reconnect.firstMs);
    assert.equal(sockets.length, 2);
    welcome(last(), clock);
    pongAll(last(), clock);
    assert.deepEqual(last().of("action").map((m) => m.id), [again]);
    clock.advance(POLICY.pongTimeoutMs);
    assert.equal(last().closedByClient, true, "on its way again: an answer is due within pongTimeoutMs");
  });

  test("other messages while a pong is due show the connection is alive", () => {
    const fake = connected();
    untilPing(fake);
    for (let i = 0; i < 3; i += 1) {
      fake.clock.advance(POLICY.pongTimeoutMs - 500);
      fake.last().receive({ type: "event", seq: i + 1, patch: {} });
    }
    assert.equal(fake.last().closedByClient, false);
    fake.clock.advance(POLICY.pongTimeoutMs); // then silence
    assert.equal(fake.last().closedByClient, true);
  });

  test("waking up, coming online, becoming visible: a ping with the short deadline", () => {
    const { room, clock, sockets, last } = connected();
    room.kick();
    assert.equal(last().of("ping").at(-1).t0, clock.time);
    clock.advance(POLICY.resumePongTimeoutMs - 1);
    assert.equal(last().closedByClient, false);
    clock.advance(1);
    assert.equal(last().closedByClient, true);
    clock.advance(POLICY.reconnect.firstMs);
    assert.equal(sockets.length, 2);
  });

  test("waking up to a live connection: the pong comes, nothing else happens", () => {
    const { room, clock, sockets, last, statuses } = connected();
    room.kick();
    clock.advance(50);
    pongAll(last(), clock);
    clock.advance(POLICY.pongTimeoutMs);
    assert.equal(sockets.length, 1);
    assert.equal(statuses.at(-1), "online");
  });

  test("waking up with no socket: connect at once, without waiting for the backoff", () => {
    const { room, clock, sockets, last } = connected();
    last().serverClose(1006);
    assert.equal(sockets.length, 1);
    room.kick();
    assert.equal(sockets.length, 2);
    clock.advance(POLICY.reconnect.capMs);
    assert.equal(sockets.length, 2); // the pending retry was dropped
  });

  test("a socket that never opens is given up", () => {
    const { clock, sockets, last } = fakeRoom();
    clock.advance(POLICY.connectTimeoutMs - 1);
    assert.equal(last().closedByClient, false);
    clock.advance(1);
    assert.equal(last().closedByClient, true);
    clock.advance(POLICY.reconnect.firstMs);
    assert.equal(sockets.length, 2);
  });

  test("an open socket waits for its welcome longer: the server is letting a room in", () => {
    const { clock, sockets, last } = fakeRoom();
    clock.advance(POLICY.connectTimeoutMs - 100);
    last().open(); // the hello goes out; the server is busy with the others
    clock.advance(POLICY.connectTimeoutMs);
    assert.equal(last().closedByClient, false); // no second knock, no second handshake
    clock.advance(POLICY.welcomeTimeoutMs - POLICY.connectTimeoutMs - 1);
    assert.equal(last().closedByClient, false);
    clock.advance(1); // nothing came back at all: given up
    assert.equal(last().closedByClient, true);
    clock.advance(POLICY.reconnect.firstMs);
    assert.equal(sockets.length, 2);
  });
});
