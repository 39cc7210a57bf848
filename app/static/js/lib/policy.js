/* The room client's tunable numbers, in one place (docs/protocol.md, "The browser").
 *
 * The literal below is strict JSON (quoted keys, numbers, strings, lists): the Python test
 * phone (tests/phoneclient.py) reads it from this file, so that the fault tests and the
 * benchmarks behave as the browser does. Keep the name POLICY and the shape.
 *
 * - pingIntervalMs: a ping (heartbeat and clock sample) this often while connected;
 * - pongTimeoutMs: no sign of life this long while a ping or an action waits for its
 *   answer (not one the server said it has in line, "queued"): the connection is dead,
 *   drop it and reconnect;
 * - resumePongTimeoutMs: the shorter deadline of the ping sent at once when the page
 *   wakes up, becomes visible or finds its network again;
 * - connectTimeoutMs: a new socket that has not opened this long is given up (a refused
 *   one closes at once; one that waits is held by a server busy letting others in, or
 *   its network is slow, and the kernel already tries its SYN again meanwhile);
 * - welcomeTimeoutMs: an open socket without a welcome this long is given up: the server
 *   answered and is letting the phone in, perhaps behind a whole room that reconnects
 *   after a restart (5,000 phones: 10-15 s for the last); a phone that knocks again
 *   makes the server do its handshake twice and goes to the back of the queue;
 * - reconnect: the wait before reconnect attempt n is drawn uniformly (full jitter)
 *   from [minMs, min(capMs, firstMs * 2^(n-1))]: 0.5–1 s, 0.5–2 s, then 0.5–4 s, so
 *   that phones spread out and every one is back within 5 s of the server's return;
 * - transientCodes: refusals that pass by themselves; the action is kept and sent again,
 *   after min(capMs, firstMs * 2^(tries-1)) times a factor drawn from
 *   [jitterMin, jitterMax] (transientRetry), with the same id;
 * - stopCloseCodes: close codes after which the client does not reconnect;
 * - clockSamples, clockSampleSpacingMs: pings after each welcome to measure the offset
 *   to the server's clock (the shortest round trip wins; the welcome, the answer to the
 *   hello, is the first sample); after the welcome of a reconnect (the page had the room
 *   already) only clockSamplesAgain, none: every pong is a clock sample, the heartbeat's
 *   too, and when a restarted server takes 5,000 phones back at once, two pings each
 *   cost it 0.2-0.4 s of the 5-6 s it needs to take them back (bench/cloud_burst.py).
 */
export const POLICY = {
  "pingIntervalMs": 8000,
  "pongTimeoutMs": 4000,
  "resumePongTimeoutMs": 2000,
  "connectTimeoutMs": 15000,
  "welcomeTimeoutMs": 30000,
  "reconnect": { "minMs": 500, "firstMs": 1000, "capMs": 4000 },
  "transientCodes": ["storage_unavailable", "room_busy", "rate_limited"],
  "transientRetry": { "firstMs": 500, "capMs": 4000, "jitterMin": 0.5, "jitterMax": 1.5 },
  "stopCloseCodes": [4400, 4403, 4404, 4004, 4429],
  "clockSamples": 5,
  "clockSamplesAgain": 0,
  "clockSampleSpacingMs": 150
};

/* The wait before reconnect attempt `attempt` (1, 2, ...), `random` in [0, 1). */
export function reconnectDelay(policy, attempt, random) {
  const r = policy.reconnect;
  const cap = Math.min(r.capMs, r.firstMs * Math.pow(2, Math.max(0, attempt - 1)));
  return r.minMs + random * (cap - r.minMs);
}

/* The wait before the `tries`-th resend (1, 2, ...) of an action refused for now. */
export function transientDelay(policy, tries, random) {
  const r = policy.transientRetry;
  const base = Math.min(r.capMs, r.firstMs * Math.pow(2, Math.max(0, tries - 1)));
  return base * (r.jitterMin + random * (r.jitterMax - r.jitterMin));
}
