/* Fakes for the room connection (app/static/js/lib/connection.js): a clock with timers
 * that run only when a test moves time on, a WebSocket a test plays the server for, and
 * a sessionStorage. */
import { Room } from "../../app/static/js/lib/connection.js";

export class Clock {
  constructor(start = 1_700_000_000_000) {
    this.time = start;
    this.nextId = 1;
    this.timers = new Map(); // id -> {at, fn, every}
    this.now = () => this.time;
    this.api = {
      setTimeout: (fn, ms) => this.add(fn, ms, null),
      setInterval: (fn, ms) => this.add(fn, ms, ms),
      clearTimeout: (id) => this.timers.delete(id),
      clearInterval: (id) => this.timers.delete(id),
    };
  }

  add(fn, ms, every) {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms || 0), fn, every });
    return id;
  }

  /* Move time on by `ms`, running every timer that falls due, in order. */
  advance(ms) {
    const end = this.time + ms;
    for (;;) {
      let next = null;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && (next === null || timer.at < next[1].at)) next = [id, timer];
      }
      if (next === null) break;
      const [id, timer] = next;
      this.time = timer.at;
      if (timer.every) timer.at += timer.every;
      else this.timers.delete(id);
      timer.fn();
    }
    this.time = end;
  }
}

/* A WebSocket class whose sockets the test drives; `sockets` lists every one made. */
export function fakeWebSocket() {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.closedByClient = false;
      sockets.push(this);
    }

    send(text) {
      if (this.readyState !== 1) throw new Error("not open");
      this.sent.push(JSON.parse(text));
    }

    close() {
      this.closedByClient = true;
      this.readyState = 2;
    }

    // --- the server's side -----------------------------------------------------------
    open() {
      this.readyState = 1;
      if (this.onopen) this.onopen({});
    }

    receive(message) {
      if (this.onmessage) this.onmessage({ data: JSON.stringify(message) });
    }

    serverClose(code = 1006) {
      this.readyState = 3;
      if (this.onclose) this.onclose({ code });
    }

    of(type) {
      return this.sent.filter((m) => m.type === type);
    }
  }
  return { FakeSocket, sockets };
}

export class Storage {
  constructor() {
    this.items = new Map();
  }

  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }

  setItem(key, value) {
    this.items.set(key, String(value));
  }
}

/* A room with fakes all round; `random` defaults to the middle of every range. */
export function fakeRoom(options = {}) {
  const clock = options.clock || new Clock();
  const { FakeSocket, sockets } = fakeWebSocket();
  const storage = options.storage || new Storage();
  const room = new Room({
    url: "ws://samling.test/ws",
    hello: { room: "K7MXPR", role: "participant" },
    WebSocket: FakeSocket,
    now: clock.now,
    timers: clock.api,
    storage,
    storageKey: "pending",
    random: options.random || (() => 0.5),
  });
  const statuses = [];
  room.onStatus((status) => statuses.push(status));
  room.start();
  const last = () => sockets[sockets.length - 1];
  return { room, clock, sockets, storage, statuses, last };
}

/* The server's side of a connection: open it and say welcome (server clock = ours). */
export function welcome(socket, clock, extra = {}) {
  socket.open();
  socket.receive({ type: "welcome", role: "participant", participant: "p1", server_time: clock.time, ...extra });
}

/* Answer every ping sent so far on `socket` at once (round trip 0). */
export function pongAll(socket, clock) {
  for (const ping of socket.of("ping").slice(socket.ponged || 0)) {
    socket.receive({ type: "pong", t0: ping.t0, server_time: clock.time });
  }
  socket.ponged = socket.of("ping").length;
}
