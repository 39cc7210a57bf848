/* The facilitator's control page: move through the day (start, pause, resume, minutes on
 * and off, a phase back, the next phase, the next exercise), see what comes next and how
 * far ahead or behind the day is, present (blank the projector, the big QR code, results
 * hidden until revealed), form groups, and manage participants (move, rename, remove).
 * Every control is a button or a form; the presenter's keys (lib/presenter.js) work the
 * same controls, also when pressed on the projector's page in this browser. */
import { boot, localize, t } from "./lib/boot.js";
import { byId as $, h, render, setText } from "./lib/dom.js";
import { formatClock, plannedClock, remaining } from "./lib/i18n.js";
import { kinds } from "./lib/kinds.js";
import { agendaItems, bindBadge, connectRoom, groupTitle, phaseLabel, renderKinds, sender } from "./lib/page.js";
import { askedToggle, presenterKey, takeRelayedKeys } from "./lib/presenter.js";
import { tell } from "./lib/sending.js";
import { turnLine, turnNow } from "./lib/turns.js";

var room = connectRoom();

bindBadge(room, $("connection"));

/* A control: a refusal, or "not sent yet" while the connection is away, shows below them. */
var api = sender(room);
function act(action) {
  var show = function (text) { setText($("control-error"), text); };
  show("");
  return tell(api, action, show, { sent: "" });
}

// --- the presenter's bar ------------------------------------------------------------------------

/* A control that cannot be used now says so (aria-disabled) but keeps the focus: after
 * Start, Pause or «Neste fase» the focus is where the facilitator left it. */
function usable(button, on) {
  button.setAttribute("aria-disabled", on ? "false" : "true");
}

function isUsable(button) {
  return button.getAttribute("aria-disabled") !== "true";
}

var ACTIONS = {
  start: { type: "start" },
  pause: { type: "pause" },
  resume: { type: "resume" },
  extend: { type: "extend", seconds: 60 },
  shorten: { type: "extend", seconds: -60 },
  previous_phase: { type: "previous_phase" },
  next_phase: { type: "next_phase" },
  next_exercise: { type: "next_exercise" },
};

document.querySelectorAll("#time-controls [data-action]").forEach(function (button) {
  button.addEventListener("click", function () {
    if (isUsable(button)) act(ACTIONS[button.getAttribute("data-action")]);
  });
});
$("btn-to-agenda").addEventListener("click", function () { act({ type: "goto_exercise", index: -1 }); });

function presenting() {
  return room.state.presenting || { show: "room", hidden: [], join_base: null };
}

// What the projector shows and which results are hidden, as she last asked (askedToggle).
var askedShow = askedToggle();
var askedHidden = askedToggle();

/* What the projector shows, or will once the room has her latest request. */
function shownNow() {
  return askedShow.current(presenting().show);
}

function showOnProjector(show) {
  var next = shownNow() === show ? "room" : show;
  return askedShow.ask(next, function (value) { return act({ type: "projector_show", show: value }); });
}

$("btn-blank").addEventListener("click", function () { showOnProjector("blank"); });
$("btn-qr").addEventListener("click", function () { showOnProjector("qr"); });
/* Hide the exercise's results on the projector until revealed, or reveal them: where
 * the exercise has results to hide (the button shows then). */
function toggleResults() {
  var exercise = (room.state.position || {}).exercise_id;
  if (!exercise || $("btn-hide-results").hidden) return null;
  var known = { exercise: exercise, hidden: presenting().hidden.indexOf(exercise) >= 0 };
  var now = askedHidden.current(known);
  var hidden = !(now.exercise === exercise ? now.hidden : known.hidden);
  return askedHidden.ask({ exercise: exercise, hidden: hidden }, function (value) {
    return act({ type: "hide_results", exercise: value.exercise, hidden: value.hidden });
  });
}

$("btn-hide-results").addEventListener("click", toggleResults);

/* The exercise before the current one in the day's order (-1: none). */
function previousExercise(state) {
  var agenda = state.agenda || [];
  var here = agenda.findIndex(function (item) { return item.index === (state.position || {}).exercise; });
  for (var i = here - 1; i >= 0; i--) {
    if (agenda[i].on !== false) return agenda[i].index;
  }
  return -1;
}

/* One step forward, as a clicker's "next": start what is ready, else the next phase, else
 * the next exercise. A blank projector or the big QR code first comes back to the room. */
function forward() {
  var state = room.state;
  var position = state.position || {};
  if (shownNow() !== "room") return showOnProjector("room");
  if (position.day_over) return null;
  var timer = position.timer;
  if (position.exercise === -1 || (timer && timer.status === "ready")) return act({ type: "start" });
  if (position.phase + 1 < position.phase_count) return act({ type: "next_phase" });
  return act({ type: "next_exercise" });
}

/* One step back: the phase before, or the exercise before. */
function backward() {
  var state = room.state;
  var position = state.position || {};
  if (shownNow() !== "room") return showOnProjector("room");
  if (position.exercise === -1) return null;
  if (!position.day_over && position.phase > 0) return act({ type: "previous_phase" });
  var before = previousExercise(state);
  return before >= 0 ? act({ type: "goto_exercise", index: before }) : null;
}

function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(function () { /* already out */ });
  else document.documentElement.requestFullscreen().catch(function () { /* not allowed */ });
}

function command(name) {
  var timer = (room.state.position || {}).timer;
  if (name === "next") forward();
  else if (name === "back") backward();
  else if (name === "blank") showOnProjector("blank");
  else if (name === "qr") showOnProjector("qr");
  else if (name === "results") toggleResults();
  else if (name === "pause" && timer && timer.status === "running") act({ type: "pause" });
  else if (name === "pause" && timer && timer.status === "paused") act({ type: "resume" });
  else if (name === "more" && isUsable($("btn-extend"))) act(ACTIONS.extend);
  else if (name === "less" && isUsable($("btn-shorten"))) act(ACTIONS.shorten);
  else if (name === "fullscreen") toggleFullscreen();
}

document.addEventListener("keydown", function (event) {
  var name = presenterKey(event, $("now"));
  if (!name) return;
  event.preventDefault();
  if (!event.repeat) command(name);
});
takeRelayedKeys(boot.code, command);

$("form-groups").addEventListener("submit", function (event) {
  event.preventDefault();
  var value = parseInt($("groups-value").value, 10);
  if (!(value >= 1)) {
    setText($("control-error"), t("groups.value_invalid"));
    return;
  }
  act({ type: "form_groups", mode: $("groups-mode").value, value: value });
});

// --- the join address ------------------------------------------------------------------------------

/* Opened on localhost, the page offers the laptop's network addresses and warns until
 * one is chosen: phones cannot reach "localhost". */
function drawJoin(state) {
  var join = boot.join || {};
  var chosen = presenting().join_base;
  var choices = join.choices || [];
  setText($("join-address"), (chosen || join.base || "") + "/j");
  $("join-warning").hidden = !join.local || Boolean(chosen);
  setText($("join-warning-text"), t(choices.length ? "presenter.join_warning" : "presenter.join_warning_none", { address: join.base || "" }));
  render($("join-choices"), function () {
    return choices.map(function (base) {
      return h("button", {
        type: "button", className: "button", key: "join-" + base, text: t("presenter.join_use", { address: base + "/j" }),
        on: { click: function () { act({ type: "set_join_address", url: base }); } },
      });
    });
  });
}

// --- the day's drift: planned against real time ----------------------------------------

/* How far behind (positive) or ahead the day is, in ms: where the day should be by now
 * (day start + planned minutes up to this point of the phase) against the clock. */
function drift(state) {
  var position = state.position || {};
  var timer = position.timer;
  if (!position.day_started_at || !timer || position.day_over) return null;
  var scale = (state.room || {}).time_scale || 1;
  var usedInPhase = timer.duration_ms - remaining(timer, room.serverNow());
  var planned = position.day_started_at + position.planned_elapsed_ms * scale + Math.min(usedInPhase, position.planned_phase_ms * scale);
  return room.serverNow() - planned;
}

function drawDrift(state) {
  var d = drift(state);
  var node = $("drift");
  if (d === null) { setText(node, ""); return; }
  var scale = (state.room || {}).time_scale || 1;
  var minutes = Math.round(d / scale / 60000);
  node.className = "drift " + (minutes > 0 ? "behind" : minutes < 0 ? "ahead" : "on-time");
  setText(node, minutes > 0 ? t("drift.behind", { minutes: minutes }) : minutes < 0 ? t("drift.ahead", { minutes: -minutes }) : t("drift.on_time"));
}

// --- participants ------------------------------------------------------------------------

function personRow(person, online, groupNumbers) {
  var renamed = null; // the name field on the page
  var options = groupNumbers.map(function (g) {
    return h("option", { value: String(g), text: t("group.number", { number: g }), selected: g === person.working_group });
  });
  if (person.working_group === null || person.working_group === undefined) {
    options.unshift(h("option", { value: "", text: "–", selected: true, disabled: true }));
  }
  return h("tr", { key: "person-" + person.id, "data-person": person.id }, [
    h("th", { scope: "row", text: person.name }),
    h("td", {}, [h("select", {
      id: "move-" + person.id,
      "aria-label": t("people.move_label", { name: person.name }),
      on: { change: function (e) { act({ type: "move_participant", participant: person.id, group: Number(e.currentTarget.value) }); } },
    }, options)]),
    h("td", {}, [h("span", { className: online ? "dot online" : "dot offline", text: online ? t("people.online") : t("people.offline") })]),
    h("td", { className: "row-actions" }, [
      h("input", {
        id: "rename-" + person.id, value: person.name, maxlength: "40",
        "aria-label": t("people.rename_label", { name: person.name }), ref: function (node) { renamed = node; },
      }),
      h("button", {
        type: "button", className: "button small", text: t("people.rename"), "data-key": "rename-button-" + person.id,
        "aria-label": t("people.rename_label", { name: person.name }),
        on: { click: function () { act({ type: "rename_participant", participant: person.id, name: renamed.value }); } },
      }),
      h("button", {
        type: "button", className: "button small danger", text: t("people.remove"), "data-key": "remove-" + person.id,
        "aria-label": t("people.remove_label", { name: person.name }),
        on: { click: function () {
          if (window.confirm(t("people.remove_confirm", { name: person.name }))) {
            act({ type: "remove_participant", participant: person.id });
          }
        } },
      }),
    ]),
  ]);
}

function drawPeople(state) {
  var people = state.participants || [];
  var online = {};
  (state.online || []).forEach(function (id) { online[id] = true; });
  var numbers = {};
  people.forEach(function (p) { if (p.working_group) numbers[p.working_group] = true; });
  var groupNumbers = Object.keys(numbers).map(Number).sort(function (a, b) { return a - b; });
  groupNumbers.push((groupNumbers[groupNumbers.length - 1] || 0) + 1); // room for a new group
  setText($("people-caption"), t("people.caption", { count: people.length, online: (state.online || []).length }));
  render($("people"), function () {
    return people.map(function (p) { return personRow(p, online[p.id], groupNumbers); });
  }, JSON.stringify([people, state.online]));
  var grouping = (state.position || {}).grouping;
  var own = { pairs: "groups.own_hint.pairs", triads: "groups.own_hint.triads", "1-2-4-all": "groups.own_hint.changing", world_cafe: "groups.own_hint.changing" }[grouping];
  setText($("groups-hint"), t(own || "groups.network_hint"));
}

// --- the view ----------------------------------------------------------------------------

/* The agenda is the method menu: each exercise still ahead can be switched on or off,
 * moved up or down, or taken next; every screen's agenda follows. */
function drawAgenda(state) {
  var position = state.position || {};
  var agenda = state.agenda || [];
  var here = agenda.findIndex(function (item) { return item.index === position.exercise; });
  if (here < 0) here = position.day_over ? agenda.length : -1;
  render($("agenda"), function () {
    return agendaItems(state, function (item, place) {
      return menuControls(item, place, here, agenda.length);
    }, true).map(function (li, place) {
      li.setAttribute("data-key", "agenda-" + agenda[place].id);
      return li;
    });
  }, JSON.stringify([agenda, position.exercise, Boolean(position.day_over), (state.room || {}).start]));
}

function menuControls(item, place, here, count) {
  var title = localize(item.title);
  var controls = [
    h("button", {
      type: "button", className: "button small", text: t("agenda.goto"), "data-key": "goto-" + item.id,
      "aria-label": t("agenda.goto_label", { title: title }),
      on: { click: function () { act({ type: "goto_exercise", index: item.index }); } },
    }),
  ];
  if (item.done || place === here) return h("span", { className: "agenda-controls", "data-key": "controls-" + item.id }, controls);
  var move = function (to) { act({ type: "move_exercise", exercise: item.id, position: to }); };
  var toggle = h("input", {
    type: "checkbox", checked: item.on, "data-key": "on-" + item.id, "aria-label": t("menu.on_label", { title: title }),
    on: { change: function (e) { act({ type: "switch_exercise", exercise: item.id, on: e.currentTarget.checked }); } },
  });
  controls.unshift(h("label", { className: "agenda-switch", "data-key": "switch-" + item.id }, [toggle, " " + t("menu.on")]));
  controls.push(h("button", {
    type: "button", className: "button small", text: "↑", "data-key": "up-" + item.id, disabled: place - 1 <= here,
    "aria-label": t("menu.up", { title: title }), on: { click: function () { move(place - 1); } },
  }));
  controls.push(h("button", {
    type: "button", className: "button small", text: "↓", "data-key": "down-" + item.id, disabled: place + 1 >= count,
    "aria-label": t("menu.down", { title: title }), on: { click: function () { move(place + 1); } },
  }));
  if (place !== here + 1 || !item.on) {
    controls.push(h("button", {
      type: "button", className: "button small", text: t("menu.next"), "data-key": "next-" + item.id,
      "aria-label": t("menu.next_label", { title: title }),
      on: { click: function () {
        var on = item.on ? Promise.resolve() : act({ type: "switch_exercise", exercise: item.id, on: true });
        on.then(function () { if (place !== here + 1) move(here + 1); });
      } },
    }));
  }
  if (item.optional) controls.unshift(h("span", { className: "agenda-optional", "data-key": "optional-" + item.id, text: t("menu.optional") }));
  return h("span", { className: "agenda-controls", role: "group", "data-key": "controls-" + item.id, "aria-label": t("menu.label", { title: title }) }, controls);
}

// The grouping form starts at the program's network group size.
var groupSizeSet = false;
function drawGroupForm(state) {
  var size = (state.room || {}).network_group_size;
  if (groupSizeSet || !size) return;
  groupSizeSet = true;
  if ($("groups-mode").value === "size") $("groups-value").value = String(size);
}

/* What the next step forward («Neste fase», PageDown) leads to. */
function nextUp(state) {
  var position = state.position || {};
  var agenda = state.agenda || [];
  var start = (state.room || {}).start;
  if (position.day_over) return "";
  var exerciseAfter = function () {
    var here = agenda.findIndex(function (item) { return item.index === position.exercise; });
    var next = agenda.slice(here + 1).find(function (item) { return item.on !== false && !item.done; });
    if (!next) return t("presenter.next_day_over");
    var at = plannedClock(start, next.planned_offset_ms);
    return t(at ? "presenter.next_exercise_at" : "presenter.next_exercise", { title: localize(next.title), time: at });
  };
  if (position.exercise === -1) return exerciseAfter();
  if (position.timer && position.timer.status === "ready") return t("presenter.next_start", { phase: phaseName(position.phase_kind, position.phase + 1) });
  if (position.phase + 1 < position.phase_count) {
    var item = agenda.find(function (entry) { return entry.index === position.exercise; });
    var phase = item && item.phases[position.phase + 1];
    var minutes = phase ? Math.round(phase.minutes) : null;
    var name = phaseName(phase ? phase.kind : null, position.phase + 2);
    return minutes ? t("presenter.next_phase_minutes", { phase: name, minutes: minutes }) : t("presenter.next_phase", { phase: name });
  }
  return exerciseAfter();
}

function phaseName(kind, number) {
  return phaseLabel(kind) || t("presenter.phase_number", { number: number });
}

function drawControls(state) {
  var position = state.position || {};
  var timer = position.timer;
  var status = timer ? timer.status : null;
  var inExercise = position.exercise >= 0 && !position.day_over;
  usable($("btn-start"), !position.day_over && (!inExercise || status === "ready"));
  usable($("btn-pause"), status === "running");
  usable($("btn-resume"), status === "paused");
  usable($("btn-extend"), inExercise);
  usable($("btn-shorten"), inExercise && remaining(timer, room.serverNow()) > 0);
  usable($("btn-previous-phase"), inExercise && position.phase > 0);
  usable($("btn-next-phase"), inExercise && position.phase + 1 < position.phase_count);
  usable($("btn-next-exercise"), !position.day_over);
  setText($("next-up"), nextUp(state));
  var shown = presenting();
  $("btn-blank").setAttribute("aria-pressed", String(shown.show === "blank"));
  $("btn-qr").setAttribute("aria-pressed", String(shown.show === "qr"));
  // Results hidden until revealed: for the kinds that show a room's results.
  var board = state.board || {};
  var hideable = inExercise && Object.keys(board).some(function (name) { return kinds[name] && kinds[name].hideable; });
  var hidden = hideable && shown.hidden.indexOf(position.exercise_id) >= 0;
  $("btn-hide-results").hidden = !hideable;
  $("btn-hide-results").setAttribute("aria-pressed", String(Boolean(hidden)));
  setText($("btn-hide-results"), t(hidden ? "presenter.reveal_results" : "presenter.hide_results"));
  setText($("hidden-note"), hidden ? t("presenter.results_hidden") : shown.show === "blank" ? t("presenter.is_blank") : shown.show === "qr" ? t("presenter.is_qr") : "");
}

function draw() {
  var state = room.state;
  var position = state.position || {};
  if (position.exercise === -1) {
    setText($("exercise-title"), t("facilitator.not_started"));
    setText($("phase-label"), "");
  } else if (position.day_over) {
    setText($("exercise-title"), t("facilitator.day_over"));
    setText($("phase-label"), "");
  } else {
    setText($("exercise-title"), localize(position.title));
    var label = phaseLabel(position.phase_kind);
    setText($("phase-label"), [label, t("facilitator.phase_of", { phase: position.phase + 1, count: position.phase_count })].filter(Boolean).join(" · "));
  }
  setText($("day-description"), localize((state.room || {}).description));
  drawControls(state);
  drawJoin(state);
  drawGroupForm(state);
  drawPeople(state);
  drawAgenda(state);
  renderKinds($("kinds"), "facilitator", state.board || {}, room);
  tick();
}

// --- the groups' round robins ---------------------------------------------------------

/* Who has the floor in each group, and a button that moves the turn on for a speaker
 * who forgot «Ferdig» (the turn named, so a second click does not skip the next one). */
function drawTurns(state) {
  var position = state.position || {};
  var list = $("turns");
  var turns = position.round_robin ? state.turns || {} : {};
  var groups = Object.keys(turns).filter(function (g) { return turns[g].order.length; });
  list.hidden = groups.length === 0;
  var names = {};
  (state.participants || []).forEach(function (p) { names[p.id] = p.name; });
  render(list, function () {
    return groups.map(function (g) {
      var now = turnNow(turns[g], position, room.serverNow());
      var title = groupTitle(position, Number(g));
      return h("li", { key: "group-" + g }, [
        h("span", { text: title + ": " + turnLine(now, names[now.speaker], position.round_robin.rounds, false, t) }),
        now.over || !now.started ? null : h("button", {
          type: "button", className: "button small", text: t("turn.skip"),
          "aria-label": t("turn.skip_group", { group: title }),
          on: { click: function () { act({ type: "pass_turn", group: Number(g), turn: now.number }); } },
        }),
      ]);
    });
  });
}

function tick() {
  var state = room.state;
  var position = state.position || {};
  var timer = position.timer;
  if (!timer || position.exercise === -1 || position.day_over) {
    setText($("countdown"), "");
    setText($("timer-status"), "");
    setText($("drift"), "");
    return;
  }
  var left = remaining(timer, room.serverNow());
  setText($("countdown"), formatClock(left));
  var up = timer.status === "running" && left === 0;
  setText($("timer-status"), up ? t("timer.up") : timer.status === "paused" ? t("timer.paused") : timer.status === "ready" ? t("timer.ready") : "");
  $("now").classList.toggle("time-up", up);
  usable($("btn-shorten"), left > 0);
  drawDrift(state);
  drawTurns(state);
}

room.onState(draw);
window.setInterval(tick, 500);
