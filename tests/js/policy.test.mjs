/* The client's numbers live in one module, as a literal other programs can read (the
 * Python test phone, tests/phoneclient.py, reads it as JSON). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { POLICY } from "../../app/static/js/lib/policy.js";

const SOURCE = readFileSync(new URL("../../app/static/js/lib/policy.js", import.meta.url), "utf8");

test("POLICY is a strict JSON literal, the same as the module exports", () => {
  const literal = SOURCE.match(/export const POLICY = (\{[\s\S]*?\n\});/);
  assert.ok(literal, "export const POLICY = {...}; not found");
  assert.deepEqual(JSON.parse(literal[1]), POLICY);
});

test("the heartbeat notices a dead connection well before the server gives up on it", () => {
  assert.equal(POLICY.pingIntervalMs, 8000);
  assert.equal(POLICY.pongTimeoutMs, 4000);
  assert.ok(POLICY.resumePongTimeoutMs <= POLICY.pongTimeoutMs);
  // The server closes a connection silent for 18 s: two pings missed, never one.
  assert.ok(2 * POLICY.pingIntervalMs < 18_000);
  assert.ok(POLICY.pingIntervalMs + POLICY.pongTimeoutMs < 18_000);
});

test("the codes the server uses", () => {
  assert.deepEqual([...POLICY.transientCodes].sort(), ["rate_limited", "room_busy", "storage_unavailable"]);
  assert.deepEqual([...POLICY.stopCloseCodes].sort(), [4004, 4400, 4403, 4404, 4429]);
  assert.ok(POLICY.clockSamples >= 3);
});
