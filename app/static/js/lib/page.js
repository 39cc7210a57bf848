/* What the page scripts share: the room connection wired to the browser, the connection
 * badge, the agenda, and drawing the exercise kinds. */
import { boot, localize, t } from "./boot.js";
import { Room } from "./connection.js";
import { h, render } from "./dom.js";
import { plannedClock } from "./i18n.js";
import { kinds } from "./kinds.js";

function sessionStore() {
  try {
    return window.sessionStorage;
  } catch (e) {
    return null; // storage switched off: resending still works within this page
  }
}

/* The room's connection, with the browser's socket, clock, timers and storage; it checks
 * itself at once when the phone wakes up, shows the page again or finds its network. */
export function connectRoom() {
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  const room = new Room({
    url: scheme + window.location.host + "/ws",
    hello: { room: boot.code, role: boot.role, key: boot.key },
    WebSocket: window.WebSocket,
    now: () => Date.now(),
    timers: {
      setTimeout: (fn, ms) => window.setTimeout(fn, ms),
      clearTimeout: (id) => window.clearTimeout(id),
      setInterval: (fn, ms) => window.setInterval(fn, ms),
      clearInterval: (id) => window.clearInterval(id),
    },
    storage: sessionStore(),
    storageKey: "samling-pending-" + (boot.code || "") + "-" + (boot.role || ""),
    random: Math.random,
  });
  room.start();
  const check = () => room.kick();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") check();
  });
  window.addEventListener("online", check);
  window.addEventListener("offline", check); // the ping's short deadline tells whether it is gone
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) check(); // back from the back-forward cache
  });
  document.addEventListener("resume", check); // a frozen page runs again (Page Lifecycle)
  return room;
}

/* What lib/sending.js's tell() needs of a page: the room's send() and the page's texts. */
export function sender(room) {
  return { send: (action, options) => room.send(action, options), t };
}

/* The connection badge: hidden while online, says so when offline / reconnecting.
 * ``reasons`` is what this page says instead when the socket is closed for good (close
 * code -> text key). */
export function bindBadge(room, badge, reasons = {}) {
  room.onStatus((status, detail) => {
    badge.hidden = status === "online";
    badge.className = "connection-badge connection-" + status;
    if (status === "stopped") {
      const reason = reasons[detail] || {
        4004: "connection.removed",
        4404: "connection.unknown_room",
        4403: "connection.forbidden",
        4429: "error.too_many_guesses", // this address guessed too many codes: wait, then reload
      }[detail];
      badge.textContent = t(reason || "connection.stopped");
    } else if (status !== "online") {
      const text = { connecting: "connection.connecting", saving: "connection.saving" }[status];
      badge.textContent = t(text || "connection.offline");
    }
  });
}

/* "Duo 3", "Trio 2", "Firer 1" (1-2-4-All), "Bord 4" (World Café), with the round when
 * the groups change each round. «Mine svar» names the groups of the day the same way
 * (app/core/workbook.py group_key, app/web/workbook.py group_line). */
export function groupTitle(position, number) {
  let key = "group.number";
  if (position.grouping === "pairs" || (position.grouping === "1-2-4-all" && position.step === "2")) key = "group.pair";
  else if (position.grouping === "triads") key = "group.triad";
  else if (position.grouping === "1-2-4-all") key = "group.four";
  else if (position.grouping === "world_cafe") key = "group.table";
  let title = t(key, { number });
  if (position.groups_rounds > 1) {
    title += " · " + t("group.round", { round: position.groups_round, rounds: position.groups_rounds });
  }
  return title;
}

export function phaseLabel(kind) {
  return kind === "I" || kind === "G" || kind === "P" ? t("phase." + kind) : "";
}

/* The exercise's own instruction: shown with its first phase, unless the phase says the same. */
export function exerciseInstruction(position) {
  const text = position.phase === 0 ? localize(position.instruction) : "";
  return text === localize(position.phase_instruction) ? "" : text;
}

/* The day's agenda as list items, in the order the day runs: planned time, title,
 * minutes; the current one marked, the ones done dimmed. Exercises switched off (the
 * method menu) are left out, or with `all` (the facilitator's menu) shown as such. */
export function agendaItems(state, extra, all) {
  const start = (state.room || {}).start;
  const current = (state.position || {}).exercise;
  const items = (state.agenda || []).filter((item) => all || item.on !== false);
  return items.map((item, place) => {
    const off = item.on === false;
    const minutes = t("agenda.minutes", { minutes: Math.round(item.planned_ms / 60000) });
    const children = [
      h("span", { className: "agenda-time", text: off ? "" : plannedClock(start, item.planned_offset_ms) }),
      h("span", { className: "agenda-title", text: localize(item.title) }),
      h("span", { className: "agenda-minutes", text: off ? minutes + " · " + t("agenda.skipped") : minutes }),
    ];
    if (extra) children.push(extra(item, place));
    const state_ = item.index === current ? " current" : item.done ? " done" : off ? " skipped" : "";
    return h("li", { className: "agenda-item" + state_, "aria-current": item.index === current ? "step" : null }, children);
  });
}

/* A word cloud's picture, through the page's own secret path (projector /s/…, facilitator
 * /f/…, or its results page); `version` makes the browser ask again when the cloud grew. */
export function cloudPictureUrl(exercise, version) {
  const base = window.location.pathname.replace(/\/results$/, "");
  return base + "/wordcloud/" + encodeURIComponent(exercise) + ".png?v=" + version;
}

/* Draw each kind's part of the current exercise into `container`, one child per kind
 * (see docs/kinds.md). `data` is state.board (staff) or state.activity (phones). With
 * `options.hidden` (the projector, while the facilitator hides the exercise's results),
 * a kind that registered `hideable` shows only its `summary` until it is revealed. The
 * kinds' places are drawn with render() like the rest of the page; what is in a place
 * is its kind's to draw (`keep`). */
export function renderKinds(container, view, data, room, options = {}) {
  const exercise = data && data.exercise;
  const api = {
    exercise,
    state: room.state,
    // An action names its exercise; a kind may name another (the gallery walk edits
    // the diamond exercise's diamonds).
    send: (action, sendOptions) => room.send(Object.assign({ exercise }, action), sendOptions),
    t,
    localize,
    serverNow: () => room.serverNow(),
    // A group's name as the phones' group card says it: "Trio 2", "Duo 3", "Gruppe 1".
    group: (number) => groupTitle((room.state && room.state.position) || {}, number),
  };
  const names = Object.keys(data || {}).filter((name) => name !== "exercise" && kinds[name] && kinds[name][view]);
  const places = {};
  render(container, () => names.map((name) => {
    // Hidden: the kind draws on, out of sight, and its summary shows in its place.
    const hide = Boolean(options.hidden && kinds[name].hideable);
    return [
      h("section", {
        className: "kind fit-part kind-" + name, "data-kind": name, key: "kind-" + name, hidden: hide, keep: true,
        ref: (node) => { places[name] = node; },
      }),
      hide ? h("section", { className: "kind fit-part kind-hidden", "data-kind": name + "-hidden", key: "hidden-" + name }, [
        h("h2", { text: t("presenter.hidden_title") }),
        h("p", { className: "hidden-summary", text: kinds[name].summary ? kinds[name].summary(data[name], api) : "" }),
        h("p", { className: "hidden-hint", text: t("presenter.hidden_hint") }),
      ]) : null,
    ];
  }));
  names.forEach((name) => kinds[name][view](places[name], data[name], api));
}
