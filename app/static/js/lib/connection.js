/* The one connection every screen (phone, projector, facilitator) keeps with its room
 * (docs/protocol.md). It touches no page: the WebSocket constructor, the clock, the
 * timers, the storage and the random numbers are given to it, so that Node's test runner
 * drives it with fakes (tests/js/).
 *
 * - says hello, keeps the merged state (snapshot + event patches) and the last seq;
 * - estimates the offset to the server's clock (several pings after each welcome, the
 *   shortest round trip wins), so every countdown is `ends_at - serverNow()`;
 * - notices a dead connection: while a ping or an action waits for its answer, silence
 *   longer than POLICY.pongTimeoutMs drops the socket (a ping goes every
 *   POLICY.pingIntervalMs); `kick()` checks at once (the page woke up, came back online);
 * - reconnects by itself with full jitter, asking for what it missed (last_seq);
 * - keeps every unacknowledged action (in storage, so a reload keeps them too) and, after
 *   every welcome, sends them all again in order with their ids until each is
 *   acknowledged or refused for good: the server applies each id once.
 */
import { POLICY, reconnectDelay, transientDelay } from "./policy.js";

const OPEN = 1;

/* A `people` message (staff screens) on the state: each line that changed replaces its
 * own, a new one goes last (the list is in join order), who left goes, and who came
 * online or went offline is marked in `online`. */
export function mergePeople(state, message) {
  const lines = (state.participants || []).slice();
  const at = new Map(lines.map((line, i) => [line.id, i]));
  for (const line of message.changed) {
    if (at.has(line.id)) {
      lines[at.get(line.id)] = line;
    } else {
      at.set(line.id, lines.length);
      lines.push(line);
    }
  }
  const removed = new Set(message.removed);
  state.participants = removed.size ? lines.filter((line) => !removed.has(line.id)) : lines;
  const online = new Set(state.online || []);
  message.online.forEach((id) => online.add(id));
  message.offline.forEach((id) => online.delete(id));
  state.online = [...online];
  return state;
}

export class Room {
  /* options: url (string or function), hello ({room, role, key?}), WebSocket, now() (ms),
   * timers ({setTimeout, clearTimeout, setInterval, clearInterval}), storage
   * (getItem/setItem, may be null), storageKey, random() in [0, 1), policy (POLICY). */
  constructor(options) {
    this.url = options.url;
    this.hello = options.hello;
    this.WebSocket = options.WebSocket;
    this.now = options.now;
    this.timers = options.timers;
    this.storage = options.storage || null;
    this.storageKey = options.storageKey || "samling-pending";
    this.random = options.random || Math.random;
    this.policy = options.policy || POLICY;
    this.stopCodes = new Set(this.policy.stopCloseCodes);
    this.transientCodes = new Set(this.policy.transientCodes);

    this.state = {};
    this.seq = null;
    this.me = null;
    this.offset = 0; // server clock minus ours, in ms
    this.bestRoundTrip = Infinity;
    this.helloSentAt = null; // when the current socket's hello left, until its welcome
    this.socket = null;
    this.connected = false; // welcomed on the current socket
    this.attempt = 0;
    this.stopped = false;
    this.status = null;
    this.pending = this.loadPending(); // unacknowledged actions, oldest first
    this.waiters = new Map(); // action id -> {resolve, reject, onPending}
    this.counter = 0;
    this.listeners = { state: [], status: [], message: [], pending: [] };

    this.retryTimer = null; // the next reconnect
    this.connectTimer = null; // a new socket must be welcomed by then
    this.pingTimer = null; // the heartbeat
    this.sampleTimers = []; // the clock pings after a welcome
    this.deadline = null; // silence until then means the connection is dead
    this.deadlineAt = 0;
    this.unansweredPings = 0;
    this.resendTimers = new Map(); // action id -> the timer of its next try
  }

  serverNow() {
    return this.now() + this.offset;
  }

  onState(listener) { this.listeners.state.push(listener); }
  onStatus(listener) { this.listeners.status.push(listener); }
  onMessage(listener) { this.listeners.message.push(listener); }
  /* Called with the number of unacknowledged actions whenever it changes. */
  onPending(listener) { this.listeners.pending.push(listener); }

  emit(name, ...args) {
    this.listeners[name].forEach((listener) => listener(...args));
  }

  setStatus(status, detail) {
    this.status = status;
    this.emit("status", status, detail);
  }

  hasPending() {
    return this.pending.length > 0;
  }

  start() {
    this.connect();
    return this;
  }

  // --- the socket ------------------------------------------------------------------------

  connect() {
    if (this.stopped) return;
    this.clearTimer("retryTimer");
    const socket = new this.WebSocket(typeof this.url === "function" ? this.url() : this.url);
    this.socket = socket;
    this.connected = false;
    this.setStatus(this.attempt === 0 && this.seq === null ? "connecting" : "reconnecting");
    const giveUpAfter = (ms) => {
      this.clearTimer("connectTimer");
      this.connectTimer = this.timers.setTimeout(() => {
        this.connectTimer = null;
        this.abandon(socket);
      }, ms);
    };
    giveUpAfter(this.policy.connectTimeoutMs);
    socket.onopen = () => {
      if (this.socket !== socket) return;
      // The server answered: it is letting us in, perhaps behind a whole room that is
      // reconnecting at once. Knocking again would only queue us at the back.
      giveUpAfter(this.policy.welcomeTimeoutMs);
      const hello = { type: "hello", room: this.hello.room, role: this.hello.role };
      if (this.hello.key) hello.key = this.hello.key;
      if (this.seq !== null) hello.last_seq = this.seq;
      socket.send(JSON.stringify(hello));
      this.helloSentAt = this.now(); // the welcome answers it: a clock sample (see welcome)
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      this.receive(message);
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.lost(event.code);
    };
  }

  /* Give up on a socket that went silent: a dead connection may take a minute to close
   * by itself, so we do not wait for its close event. */
  abandon(socket) {
    if (this.socket !== socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close();
    } catch (e) { /* already closing */ }
    this.lost(null);
  }

  /* The socket is gone: everything unacknowledged waits for the next welcome. */
  lost(code) {
    this.socket = null;
    this.connected = false;
    this.clearLiveness();
    this.pending.forEach((entry) => {
      this.clearResend(entry.id);
      this.setEntryStatus(entry, "queued");
    });
    if (this.stopped || this.stopCodes.has(code)) {
      this.halt(code);
      return;
    }
    this.setStatus("reconnecting");
    this.attempt += 1;
    const delay = reconnectDelay(this.policy, this.attempt, this.random());
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  /* Closed for good (removed, unknown room, no access): nothing will be sent any more. */
  halt(code) {
    this.stopped = true;
    this.clearTimer("retryTimer");
    this.clearLiveness();
    this.resendTimers.forEach((timer) => this.timers.clearTimeout(timer));
    this.resendTimers.clear();
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    this.pending = [];
    this.savePending();
    this.emit("pending", 0);
    waiters.forEach((waiter) => waiter.reject(new Error("stopped")));
    this.setStatus("stopped", code);
  }

  stop() {
    this.stopped = true;
    if (this.socket) this.abandon(this.socket);
    else this.halt(null);
  }

  /* Check the connection now (the page woke up, became visible, found its network): a
   * ping with a short deadline, or a new connection when there is none. */
  kick() {
    if (this.stopped) return;
    if (this.socket && this.connected && this.socket.readyState === OPEN) {
      this.ping(this.policy.resumePongTimeoutMs);
    } else if (!this.socket) {
      this.connect();
    } // a socket still opening has its own deadline (connectTimeoutMs)
  }

  // --- liveness ------------------------------------------------------------------------------

  ping(deadlineMs) {
    if (!this.socket || !this.connected || this.socket.readyState !== OPEN) return;
    this.socket.send(JSON.stringify({ type: "ping", t0: this.now() }));
    this.unansweredPings += 1;
    this.expect(deadlineMs || this.policy.pongTimeoutMs);
  }

  /* Something was sent that the server answers: hear from it within `ms`. */
  expect(ms) {
    const at = this.now() + ms;
    if (this.deadline !== null && this.deadlineAt <= at) return;
    this.clearTimer("deadline");
    const socket = this.socket;
    this.deadlineAt = at;
    this.deadline = this.timers.setTimeout(() => {
      this.deadline = null;
      this.abandon(socket);
    }, ms);
  }

  /* Any message shows the connection is alive; while answers are still due, the
   * deadline starts again. */
  heard() {
    this.clearTimer("deadline");
    const waiting = this.unansweredPings > 0 || this.pending.some((entry) => entry.status === "sending");
    if (waiting && this.connected) this.expect(this.policy.pongTimeoutMs);
  }

  clearLiveness() {
    this.clearTimer("connectTimer");
    this.clearTimer("deadline");
    if (this.pingTimer !== null) this.timers.clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.sampleTimers.forEach((timer) => this.timers.clearTimeout(timer));
    this.sampleTimers = [];
    this.unansweredPings = 0;
  }

  clearTimer(name) {
    if (this[name] !== null) this.timers.clearTimeout(this[name]);
    this[name] = null;
  }

  // --- messages from the server ----------------------------------------------------------------

  receive(message) {
    this.emit("message", message);
    switch (message.type) {
      case "welcome":
        this.welcome(message);
        break;
      case "snapshot":
        this.state = message.state;
        this.seq = message.seq;
        this.emit("state", this.state);
        break;
      case "event":
        Object.assign(this.state, message.patch);
        this.seq = message.seq;
        this.emit("state", this.state);
        break;
      case "people":
        mergePeople(this.state, message);
        this.emit("state", this.state);
        break;
      case "pong":
        this.unansweredPings = Math.max(0, this.unansweredPings - 1);
        this.takeClockSample(message.t0, message.server_time, this.now());
        break;
      case "ack":
      case "error":
        this.settle(message);
        break;
      case "queued":
        this.inLine(message);
        break;
      default:
        break;
    }
    if (this.socket) this.heard();
  }

  welcome(message) {
    this.connected = true;
    this.attempt = 0;
    this.clearTimer("connectTimer");
    this.me = message.participant;
    // A new connection measures afresh, so a phone whose clock jumped while asleep is
    // corrected at once: the welcome answers the hello, so it is a first clock sample (its
    // round trip includes the server letting the phone in: the pings that follow, and the
    // heartbeat's, measure shorter ones and replace it).
    this.bestRoundTrip = Infinity;
    this.offset = message.server_time - this.now(); // rough: kept if the round trip is unknown or negative
    if (this.helloSentAt !== null) this.takeClockSample(this.helloSentAt, message.server_time, this.now());
    this.helloSentAt = null;
    this.setStatus("online");
    // Whether the missed events or a snapshot follow, what was not acknowledged goes again.
    this.pending.forEach((entry) => this.transmit(entry));
    // Fewer clock pings on a reconnect (none by default): the welcome was a sample, and
    // the heartbeat's pongs go on sampling the clock.
    const samples = this.seq === null ? this.policy.clockSamples : this.policy.clockSamplesAgain;
    for (let i = 0; i < samples; i += 1) {
      this.sampleTimers.push(this.timers.setTimeout(() => this.ping(), i * this.policy.clockSampleSpacingMs));
    }
    this.pingTimer = this.timers.setInterval(() => this.ping(), this.policy.pingIntervalMs);
  }

  /* NTP-style: offset = server time - the middle of our round trip; the sample with the
   * shortest round trip is the most accurate. */
  takeClockSample(t0, serverTime, t3) {
    const roundTrip = t3 - t0;
    if (roundTrip >= 0 && roundTrip <= this.bestRoundTrip) {
      this.bestRoundTrip = roundTrip;
      this.offset = serverTime - (t0 + t3) / 2;
    }
  }

  settle(message) {
    const transient = message.type === "error" && this.transientCodes.has(message.code);
    if (!message.id) {
      // The server could not tell which action it refuses (e.g. rate_limited before
      // reading it): everything on its way may be the one, so it goes again later.
      if (transient) {
        this.pending.filter((entry) => entry.status === "sending").forEach((entry) => this.retryLater(entry, message.code));
      } else if (message.code) {
        this.setStatus(this.connected ? "online" : this.status, message.code);
      }
      return;
    }
    const entry = this.pending.find((p) => p.id === message.id);
    if (transient) {
      if (entry) this.retryLater(entry, message.code);
      return;
    }
    if (entry) {
      this.clearResend(entry.id);
      this.pending = this.pending.filter((p) => p !== entry);
      this.savePending();
      this.emit("pending", this.pending.length);
    }
    this.resolve(message.id, message);
    if (this.status === "saving" && !this.pending.some((p) => p.status === "retrying")) this.setStatus("online");
  }

  /* The server has the action on its way: in line behind others (a whole room sending at
   * once on a slow server) or in a write that takes long (a slow database). Its answer
   * comes when the write is done, so it no longer counts towards the silence that means
   * a dead connection (the heartbeat's pings still do). */
  inLine(message) {
    const entry = this.pending.find((p) => p.id === message.id);
    if (entry && entry.status === "sending") this.setEntryStatus(entry, "waiting");
  }

  resolve(id, answer) {
    const waiter = this.waiters.get(id);
    if (!waiter) return;
    this.waiters.delete(id);
    waiter.resolve(answer);
  }

  // --- actions ---------------------------------------------------------------------------------

  /* Send an action. Resolves with the server's `ack` or final `error` (or `{type:
   * "replaced"}` when a newer autosave took its place); rejects when the connection
   * stopped for good. Kept and sent again until the server answers, so nothing typed on
   * a phone is lost to a flaky network.
   * options.replaces: a key; an unacknowledged action with the same key is dropped (an
   *   autosave typed offline is sent once, in its last version);
   * options.onPending(status): "queued" (not sent: no connection), "sending" (on its
   *   way), "waiting" (the server has it in line) or "retrying" (the server could not
   *   take it yet), called at once and at each change, until the promise settles. */
  send(action, options = {}) {
    if (this.stopped) return Promise.reject(new Error("stopped"));
    this.counter += 1;
    const id = "c-" + this.now().toString(36) + "-" + this.counter + "-" + Math.floor(this.random() * 1679616).toString(36);
    const entry = { id, action, status: null, tries: 0 };
    if (options.replaces) {
      entry.replaces = options.replaces;
      this.pending.filter((p) => p.replaces === options.replaces).forEach((older) => {
        this.clearResend(older.id);
        this.pending = this.pending.filter((p) => p !== older);
        this.resolve(older.id, { type: "replaced", id: older.id, by: id });
      });
    }
    const promise = new Promise((resolve, reject) => {
      this.waiters.set(id, { resolve, reject, onPending: options.onPending });
    });
    this.pending.push(entry);
    this.savePending();
    this.emit("pending", this.pending.length);
    this.transmit(entry);
    return promise;
  }

  transmit(entry) {
    this.clearResend(entry.id);
    if (!this.socket || !this.connected || this.socket.readyState !== OPEN) {
      this.setEntryStatus(entry, "queued");
      return;
    }
    this.socket.send(JSON.stringify({ type: "action", id: entry.id, action: entry.action }));
    this.setEntryStatus(entry, "sending");
    this.expect(this.policy.pongTimeoutMs);
  }

  /* Refused for now (the database blinked, the room is busy): the same id goes again
   * after a jittered backoff; a new welcome sends it at once. */
  retryLater(entry, code) {
    entry.tries += 1;
    this.setEntryStatus(entry, "retrying");
    if (this.status === "online") this.setStatus("saving", code);
    this.clearResend(entry.id);
    const delay = transientDelay(this.policy, entry.tries, this.random());
    this.resendTimers.set(entry.id, this.timers.setTimeout(() => {
      this.resendTimers.delete(entry.id);
      if (this.pending.includes(entry)) this.transmit(entry);
    }, delay));
  }

  clearResend(id) {
    const timer = this.resendTimers.get(id);
    if (timer === undefined) return;
    this.timers.clearTimeout(timer);
    this.resendTimers.delete(id);
  }

  setEntryStatus(entry, status) {
    if (entry.status === status) return;
    entry.status = status;
    const waiter = this.waiters.get(entry.id);
    if (waiter && waiter.onPending) waiter.onPending(status);
  }

  loadPending() {
    try {
      const saved = JSON.parse((this.storage && this.storage.getItem(this.storageKey)) || "[]");
      return saved.map((p) => ({ id: p.id, action: p.action, replaces: p.replaces, status: "queued", tries: 0 }));
    } catch (e) {
      return [];
    }
  }

  savePending() {
    if (!this.storage) return;
    try {
      const saved = this.pending.map((p) => (p.replaces ? { id: p.id, action: p.action, replaces: p.replaces } : { id: p.id, action: p.action }));
      this.storage.setItem(this.storageKey, JSON.stringify(saved));
    } catch (e) { /* private mode: resending still works within this page */ }
  }
}
