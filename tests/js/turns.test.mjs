/* The round robin on a phone: the same turns as the server (app/core/room.py), by the
 * phase's timer — still before Start and while paused, over after its rounds. */
import assert from "node:assert/strict";
import { test } from "node:test";

import { turnLine, turnNow } from "../../app/static/js/lib/turns.js";

const order = ["p1", "p2", "p3"];
const minute = 60_000;

function position(timer, roundRobin = {}) {
  return { timer, round_robin: { per_person_ms: minute, rounds: 1, anyone_passes: false, ...roundRobin } };
}

test("before Start nothing moves, however long people wait", () => {
  const ready = { duration_ms: 10 * minute, status: "ready", ends_at: null, remaining_ms: 10 * minute };
  const now = turnNow({ order, index: 0, since_ms: 0 }, position(ready), 1_000_000_000);
  assert.equal(now.speaker, "p1");
  assert.equal(now.started, false);
});

test("the turn moves on with the running timer and stands still while paused", () => {
  const start = 1_000_000;
  const running = { duration_ms: 10 * minute, status: "running", ends_at: start + 10 * minute, remaining_ms: null };
  assert.equal(turnNow({ order, index: 0, since_ms: 0 }, position(running), start + 90_000).speaker, "p2");
  const paused = { duration_ms: 10 * minute, status: "paused", ends_at: null, remaining_ms: 10 * minute - 90_000 };
  assert.equal(turnNow({ order, index: 0, since_ms: 0 }, position(paused), start + 99 * minute).speaker, "p2");
  const now = turnNow({ order, index: 0, since_ms: 0 }, position(running), start + 90_000);
  assert.equal(now.left, 30_000);
});

test("one full round, then it is over; rounds = 0 goes round and round", () => {
  const start = 0;
  const running = { duration_ms: 10 * minute, status: "running", ends_at: start + 10 * minute, remaining_ms: null };
  const over = turnNow({ order, index: 0, since_ms: 0 }, position(running), start + 3 * minute);
  assert.equal(over.over, true);
  assert.equal(over.speaker, null);
  const again = turnNow({ order, index: 0, since_ms: 0 }, position(running, { rounds: 0 }), start + 3 * minute);
  assert.equal(again.speaker, "p1");
  assert.equal(again.round, 2);
});

test("taps count: the speaker after the taps, from the time of the last one", () => {
  const running = { duration_ms: 10 * minute, status: "running", ends_at: 10 * minute, remaining_ms: null };
  const tapMode = position(running, { per_person_ms: 0 });
  assert.equal(turnNow({ order, index: 2, since_ms: 5000 }, tapMode, 9 * minute).speaker, "p3");
  assert.equal(turnNow({ order, index: 3, since_ms: 5000 }, tapMode, 9 * minute).over, true);
});

test("what a screen says: the speaker, their time left, the round, or that all have spoken", () => {
  const t = (key, params) => key + (params ? JSON.stringify(params) : "");
  const timer = { status: "running", duration_ms: 10 * minute, ends_at: 10 * minute };
  const now = turnNow({ order, index: 0, since_ms: 0 }, position(timer), 15_000);
  assert.equal(turnLine(now, "Kari", 1, false, t), 'turn.speaking{"name":"Kari"} turn.time_left{"time":"0:45"}');
  assert.equal(turnLine(now, "Kari", 1, true, t), 'turn.yours turn.time_left{"time":"0:45"}');
  assert.match(turnLine(now, "Kari", 2, false, t), /^turn.round_of\{"round":1,"rounds":2\} · /);
  const ready = turnNow({ order, index: 0, since_ms: 0 }, position({ status: "ready", duration_ms: minute, remaining_ms: minute }), 0);
  assert.equal(turnLine(ready, undefined, 1, false, t), 'turn.not_started{"name":"?"}');
  const over = turnNow({ order, index: 3, since_ms: 0 }, position(timer, { per_person_ms: 0 }), 0);
  assert.equal(turnLine(over, null, 1, false, t), "turn.over");
});
