/* The one connection every screen (phone, projector, facilitator) keeps with its room.
 *
 * - says hello, keeps the merged state (snapshot + event patches) and the last seq;
 * - estimates the offset to the server's clock (several pings, shortest round trip wins),
 *   so every countdown is `ends_at - serverNow()` and all screens agree;
 * - reconnects by itself with full jitter, asking for what it missed (last_seq);
 * - keeps unacknowledged actions (in sessionStorage, so a reload keeps them too) and
 *   resends them with the same id after a reconnect: the server applies each id once.
 *
 * Also the small helpers every page script shares: t(), localize(), h(), formatting.
 * No inline script anywhere (the Content-Security-Policy forbids it).
 */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }

  var catalog = readJson("samling-catalog");
  var boot = readJson("samling-boot");
  var lang = boot.lang || "nb";

  function t(key, params) {
    var text = catalog[key];
    if (text === undefined) return key; // a missing key shows itself, so it is noticed
    if (params) {
      Object.keys(params).forEach(function (name) {
        text = text.split("{" + name + "}").join(String(params[name]));
      });
    }
    return text;
  }

  /* Program texts arrive as {nb: ..., en: ...}; show ours, fall back to bokmål. */
  function localize(value) {
    if (!value) return "";
    if (typeof value === "string") return value;
    return value[lang] || value.nb || Object.keys(value).map(function (k) { return value[k]; })[0] || "";
  }

  /* Build DOM without innerHTML: text always goes through textContent. */
  function h(tag, props, children) {
    var node = document.createElement(tag);
    props = props || {};
    Object.keys(props).forEach(function (key) {
      var value = props[key];
      if (value === undefined || value === null || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key === "on") {
        Object.keys(value).forEach(function (event) { node.addEventListener(event, value[event]); });
      } else if (key === "value") node.value = value;
      else if (key === "checked") node.checked = true;
      else if (key === "disabled") node.disabled = true;
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function setText(node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  }

  function formatClock(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var minutes = Math.floor(total / 60);
    var seconds = total % 60;
    return minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
  }

  /* What is left of a phase timer at server time `now` (ms). */
  function remaining(timer, now) {
    if (!timer) return null;
    if (timer.status === "running") return Math.max(0, timer.ends_at - now);
    return timer.remaining_ms !== null && timer.remaining_ms !== undefined ? timer.remaining_ms : timer.duration_ms;
  }

  /* "09:15": the planned clock time `offsetMs` into a day that starts at "08:30". */
  function plannedClock(start, offsetMs) {
    if (!start) return "";
    var parts = start.split(":");
    var minutes = Number(parts[0]) * 60 + Number(parts[1]) + Math.round(offsetMs / 60000);
    var hh = Math.floor(minutes / 60) % 24;
    var mm = minutes % 60;
    return (hh < 10 ? "0" : "") + hh + ":" + (mm < 10 ? "0" : "") + mm;
  }

  /* The day's agenda as list items: planned time, title, minutes; the current one marked. */
  function agendaItems(state, extra) {
    var start = (state.room || {}).start;
    var current = (state.position || {}).exercise;
    return (state.agenda || []).map(function (item) {
      var children = [
        h("span", { className: "agenda-time", text: plannedClock(start, item.planned_offset_ms) }),
        h("span", { className: "agenda-title", text: localize(item.title) }),
        h("span", { className: "agenda-minutes", text: t("agenda.minutes", { minutes: Math.round(item.planned_ms / 60000) }) }),
      ];
      if (extra) children.push(extra(item));
      return h("li", {
        className: item.index === current ? "agenda-item current" : item.index < current ? "agenda-item done" : "agenda-item",
        "aria-current": item.index === current ? "step" : null,
      }, children);
    });
  }

  function phaseLabel(kind) {
    return kind === "I" || kind === "G" || kind === "P" ? t("phase." + kind) : "";
  }

  // --- the connection ----------------------------------------------------------------------

  var STOP_CODES = { 4400: true, 4403: true, 4404: true, 4004: true };
  var PENDING_KEY = "samling-pending-" + (boot.code || "") + "-" + (boot.role || "");

  function Room(options) {
    this.options = options;
    this.state = {};
    this.seq = null;
    this.offset = 0; // server clock minus ours, in ms
    this.bestRoundTrip = Infinity;
    this.socket = null;
    this.attempt = 0;
    this.stopped = false;
    this.connected = false;
    this.waiting = {}; // action id -> {resolve}
    this.pending = this.loadPending(); // unacknowledged actions, oldest first
    this.counter = 0;
    this.listeners = [];
    this.statusListeners = [];
    this.messageListeners = [];
  }

  Room.prototype.serverNow = function () {
    return Date.now() + this.offset;
  };

  Room.prototype.onState = function (listener) { this.listeners.push(listener); };
  Room.prototype.onStatus = function (listener) { this.statusListeners.push(listener); };
  Room.prototype.onMessage = function (listener) { this.messageListeners.push(listener); };

  Room.prototype.emitState = function () {
    var self = this;
    this.listeners.forEach(function (listener) { listener(self.state); });
  };

  Room.prototype.setStatus = function (status, detail) {
    this.status = status;
    this.statusListeners.forEach(function (listener) { listener(status, detail); });
  };

  Room.prototype.loadPending = function () {
    try {
      return JSON.parse(window.sessionStorage.getItem(PENDING_KEY) || "[]");
    } catch (e) {
      return [];
    }
  };

  Room.prototype.savePending = function () {
    try {
      window.sessionStorage.setItem(PENDING_KEY, JSON.stringify(this.pending));
    } catch (e) { /* private mode: resend still works within this page */ }
  };

  Room.prototype.connect = function () {
    var self = this;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws");
    this.socket = socket;
    this.setStatus(this.attempt === 0 && this.seq === null ? "connecting" : "reconnecting");
    socket.onopen = function () {
      var hello = { type: "hello", room: boot.code, role: boot.role };
      if (boot.key) hello.key = boot.key;
      if (self.seq !== null) hello.last_seq = self.seq;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      self.receive(message);
    };
    socket.onclose = function (event) {
      if (self.socket !== socket) return;
      self.connected = false;
      window.clearInterval(self.pingTimer);
      if (STOP_CODES[event.code] || self.stopped) {
        self.stopped = true;
        self.setStatus("stopped", event.code);
        return;
      }
      self.setStatus("reconnecting");
      self.retry();
    };
  };

  Room.prototype.retry = function () {
    var self = this;
    this.attempt += 1;
    // Full jitter: after a server restart, 60 phones do not all knock at the same moment.
    // The cap (4 s) keeps every phone back within 5 s of the server's return.
    var cap = Math.min(4000, 1000 * Math.pow(2, Math.min(this.attempt - 1, 2)));
    var delay = 500 + Math.random() * (cap - 500);
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(function () { self.connect(); }, delay);
  };

  /* Reconnect now (the phone woke up or came back online). */
  Room.prototype.kick = function () {
    if (this.stopped) return;
    if (this.socket && (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING)) {
      this.ping();
      return;
    }
    window.clearTimeout(this.retryTimer);
    this.connect();
  };

  Room.prototype.ping = function () {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: "ping", t0: Date.now() }));
    }
  };

  Room.prototype.receive = function (message) {
    var self = this;
    this.messageListeners.forEach(function (listener) { listener(message); });
    switch (message.type) {
      case "welcome":
        this.connected = true;
        this.attempt = 0;
        this.me = message.participant;
        // A first, rough offset (it ignores the network delay); the pings that follow
        // measure round trips and replace it. A new connection measures afresh, so a
        // phone whose clock jumped while asleep is corrected.
        this.offset = message.server_time - Date.now();
        this.bestRoundTrip = Infinity;
        this.setStatus("online");
        for (var i = 0; i < 5; i += 1) window.setTimeout(function () { self.ping(); }, i * 150);
        window.clearInterval(this.pingTimer);
        this.pingTimer = window.setInterval(function () { self.ping(); }, 15000);
        break;
      case "snapshot":
        this.state = message.state;
        this.seq = message.seq;
        this.emitState();
        this.resend();
        break;
      case "event":
        Object.assign(this.state, message.patch);
        this.seq = message.seq;
        this.emitState();
        break;
      case "presence":
        var online = (this.state.online || []).filter(function (id) { return id !== message.participant; });
        if (message.online) online.push(message.participant);
        this.state.online = online;
        this.emitState();
        break;
      case "pong":
        this.takeClockSample(message.t0, message.server_time, Date.now());
        break;
      case "ack":
      case "error":
        this.settle(message);
        break;
      default:
        break;
    }
  };

  /* NTP-style: offset = server time - the middle of our round trip; the sample with the
   * shortest round trip is the most accurate. */
  Room.prototype.takeClockSample = function (t0, serverTime, t3) {
    var roundTrip = t3 - t0;
    if (roundTrip >= 0 && roundTrip <= this.bestRoundTrip) {
      this.bestRoundTrip = roundTrip;
      this.offset = serverTime - (t0 + t3) / 2;
    }
  };

  // Refusals that pass by themselves (the database blinked, the room is busy): the action
  // stays pending and is sent again after a jittered backoff, with the same id.
  var TRANSIENT = { storage_unavailable: true, room_busy: true, rate_limited: true };

  Room.prototype.settle = function (message) {
    if (message.id && message.type === "error" && TRANSIENT[message.code]) {
      this.retryLater(message.id, message.code);
      return;
    }
    if (message.id) {
      this.pending = this.pending.filter(function (p) { return p.id !== message.id; });
      this.savePending();
      var waiter = this.waiting[message.id];
      if (waiter) {
        delete this.waiting[message.id];
        waiter.resolve(message);
      }
      var retrying = this.pending.some(function (p) { return p.tries; });
      if (this.status === "saving" && !retrying) this.setStatus("online");
    } else if (message.code) {
      this.setStatus(this.connected ? "online" : this.status, message.code);
    }
  };

  /* Send an action; resolves with the server's ack or error. Kept and resent until the
   * server answers, so nothing typed on a phone is lost to a flaky network. */
  Room.prototype.send = function (action, options) {
    var self = this;
    this.counter += 1;
    var id = "c-" + Date.now().toString(36) + "-" + this.counter + "-" + Math.random().toString(36).slice(2, 6);
    var entry = { id: id, action: action };
    // The same kind of autosave replaces its older unsent version (notes typed offline).
    if (options && options.replaces) {
      entry.replaces = options.replaces;
      this.pending = this.pending.filter(function (p) { return p.replaces !== options.replaces; });
    }
    this.pending.push(entry);
    this.savePending();
    var promise = new Promise(function (resolve) { self.waiting[id] = { resolve: resolve }; });
    this.transmit(entry);
    return promise;
  };

  Room.prototype.transmit = function (entry) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN && this.connected) {
      this.socket.send(JSON.stringify({ type: "action", id: entry.id, action: entry.action }));
    }
  };

  Room.prototype.retryLater = function (id, code) {
    var self = this;
    var entry = this.pending.filter(function (p) { return p.id === id; })[0];
    if (!entry) return;
    entry.tries = (entry.tries || 0) + 1;
    var delay = Math.min(4000, 500 * Math.pow(2, entry.tries - 1)) * (0.5 + Math.random());
    if (this.status === "online") this.setStatus("saving", code);
    window.setTimeout(function () {
      if (self.pending.indexOf(entry) >= 0) self.transmit(entry);
    }, delay);
  };

  Room.prototype.resend = function () {
    var self = this;
    this.pending.forEach(function (entry) { self.transmit(entry); });
  };

  Room.prototype.hasPending = function () {
    return this.pending.length > 0;
  };

  Room.prototype.start = function () {
    var self = this;
    this.connect();
    // A phone that wakes up or finds its network again reconnects at once.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") self.kick();
    });
    window.addEventListener("online", function () { self.kick(); });
    window.addEventListener("offline", function () { self.setStatus("reconnecting"); });
    return this;
  };

  // --- exercise kinds -------------------------------------------------------------------------

  /* Draw each kind's part of the current exercise into `container`, one child per kind
   * (see docs/kinds.md). `data` is state.board (staff) or state.activity (phones). */
  function renderKinds(container, view, data, room) {
    var kinds = window.SamlingKinds || {};
    var exercise = data && data.exercise;
    var seen = {};
    Object.keys(data || {}).forEach(function (name) {
      if (name === "exercise" || !kinds[name] || !kinds[name][view]) return;
      seen[name] = true;
      var el = container.querySelector('[data-kind="' + name + '"]');
      if (!el) {
        el = h("section", { className: "kind kind-" + name, "data-kind": name });
        container.appendChild(el);
      }
      kinds[name][view](el, data[name], {
        exercise: exercise,
        state: room.state,
        // An action names its exercise; a kind may name another (the gallery walk edits
        // the diamond exercise's diamonds).
        send: function (action) { return room.send(Object.assign({ exercise: exercise }, action)); },
        t: t,
        localize: localize,
        serverNow: function () { return room.serverNow(); },
      });
    });
    Array.prototype.slice.call(container.children).forEach(function (child) {
      if (!seen[child.getAttribute("data-kind")]) container.removeChild(child);
    });
  }

  /* A word cloud's picture, through the page's own secret path (projector /s/…, facilitator
   * /f/…, or its results page); `version` makes the browser ask again when the cloud grew. */
  function cloudPictureUrl(exercise, version) {
    var base = window.location.pathname.replace(/\/results$/, "");
    return base + "/wordcloud/" + encodeURIComponent(exercise) + ".png?v=" + version;
  }

  /* The exercise's own instruction: shown with its first phase, unless the phase says the same. */
  function exerciseInstruction(position) {
    var text = position.phase === 0 ? localize(position.instruction) : "";
    return text === localize(position.phase_instruction) ? "" : text;
  }

  /* The connection badge: hidden while online, says so when offline / reconnecting. */
  function bindBadge(room, badge) {
    room.onStatus(function (status, detail) {
      badge.hidden = status === "online";
      badge.className = "connection-badge connection-" + status;
      if (status === "stopped") {
        var reason = { 4004: "connection.removed", 4404: "connection.unknown_room", 4403: "connection.forbidden" }[detail];
        badge.textContent = t(reason || "connection.stopped");
      } else if (status !== "online") {
        var text = { connecting: "connection.connecting", saving: "connection.saving" }[status];
        badge.textContent = t(text || "connection.offline");
      }
    });
  }

  window.Samling = {
    boot: boot,
    lang: lang,
    t: t,
    localize: localize,
    h: h,
    setText: setText,
    formatClock: formatClock,
    remaining: remaining,
    phaseLabel: phaseLabel,
    exerciseInstruction: exerciseInstruction,
    cloudPictureUrl: cloudPictureUrl,
    plannedClock: plannedClock,
    agendaItems: agendaItems,
    renderKinds: renderKinds,
    bindBadge: bindBadge,
    connect: function (options) { return new Room(options || {}).start(); },
  };
})();
