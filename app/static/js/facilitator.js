/* The facilitator's control page: move through the day (start, pause, resume, +1 min,
 * skip phase, next exercise), see how far ahead or behind the day is, form groups, and
 * manage participants (move, rename, remove). Every control is a button or a form. */
import { localize, t } from "./lib/boot.js";
import { byId as $, h, setText } from "./lib/dom.js";
import { formatClock, remaining } from "./lib/i18n.js";
import { agendaItems, bindBadge, connectRoom, phaseLabel, renderKinds, sender } from "./lib/page.js";
import { tell } from "./lib/sending.js";

var room = connectRoom();

bindBadge(room, $("connection"));

/* A control: a refusal, or "not sent yet" while the connection is away, shows below them. */
var api = sender(room);
function act(action) {
  var show = function (text) { $("control-error").textContent = text; };
  show("");
  return tell(api, action, show, { sent: "" });
}

document.querySelectorAll("[data-action]").forEach(function (button) {
  button.addEventListener("click", function () {
    var type = button.getAttribute("data-action");
    act(type === "extend" ? { type: "extend", seconds: 60 } : { type: type });
  });
});
$("btn-to-agenda").addEventListener("click", function () { act({ type: "goto_exercise", index: -1 }); });

$("form-groups").addEventListener("submit", function (event) {
  event.preventDefault();
  var value = parseInt($("groups-value").value, 10);
  if (!(value >= 1)) {
    $("control-error").textContent = t("groups.value_invalid");
    return;
  }
  act({ type: "form_groups", mode: $("groups-mode").value, value: value });
});

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
  var moveId = "move-" + person.id;
  var renameId = "rename-" + person.id;
  var groupSelect = h("select", {
    id: moveId,
    "aria-label": t("people.move_label", { name: person.name }),
    on: { change: function (e) { act({ type: "move_participant", participant: person.id, group: Number(e.target.value) }); } },
  }, groupNumbers.map(function (g) {
    var option = h("option", { value: String(g), text: t("group.number", { number: g }) });
    if (g === person.working_group) option.selected = true;
    return option;
  }));
  if (person.working_group === null || person.working_group === undefined) {
    groupSelect.insertBefore(h("option", { value: "", text: "–", selected: true, disabled: true }), groupSelect.firstChild);
  }
  var renameInput = h("input", { id: renameId, value: person.name, maxlength: "40", "aria-label": t("people.rename_label", { name: person.name }) });
  return h("tr", { "data-person": person.id }, [
    h("th", { scope: "row", text: person.name }),
    h("td", {}, [groupSelect]),
    h("td", {}, [h("span", { className: online ? "dot online" : "dot offline", text: online ? t("people.online") : t("people.offline") })]),
    h("td", { className: "row-actions" }, [
      renameInput,
      h("button", {
        type: "button", className: "button small", text: t("people.rename"),
        "aria-label": t("people.rename_label", { name: person.name }),
        on: { click: function () { act({ type: "rename_participant", participant: person.id, name: renameInput.value }); } },
      }),
      h("button", {
        type: "button", className: "button small danger", text: t("people.remove"),
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
  var key = JSON.stringify([people, state.online, groupNumbers]);
  var body = $("people");
  // Do not redraw under someone typing a new name.
  if (body.getAttribute("data-key") === key || body.contains(document.activeElement)) return;
  body.setAttribute("data-key", key);
  setText($("people-caption"), t("people.caption", { count: people.length, online: (state.online || []).length }));
  body.replaceChildren.apply(body, people.map(function (p) { return personRow(p, online[p.id], groupNumbers); }));
  var grouping = (state.position || {}).grouping;
  var own = { pairs: "groups.own_hint.pairs", triads: "groups.own_hint.triads", "1-2-4-all": "groups.own_hint.changing", world_cafe: "groups.own_hint.changing" }[grouping];
  setText($("groups-hint"), t(own || "groups.network_hint"));
}

// --- the view ----------------------------------------------------------------------------

/* The agenda is the method menu: each exercise still ahead can be switched on or off,
 * moved up or down, or taken next; every screen's agenda follows. */
function drawAgenda(state) {
  var position = state.position || {};
  var key = JSON.stringify([state.agenda, position.exercise]);
  if ($("agenda").getAttribute("data-key") === key) return;
  $("agenda").setAttribute("data-key", key);
  var agenda = state.agenda || [];
  var here = agenda.findIndex(function (item) { return item.index === position.exercise; });
  if (here < 0) here = position.day_over ? agenda.length : -1;
  var active = document.activeElement;
  var focused = active && $("agenda").contains(active) ? active.getAttribute("data-key") : null;
  $("agenda").replaceChildren.apply($("agenda"), agendaItems(state, function (item, place) {
    return menuControls(item, place, here, agenda.length);
  }, true));
  if (focused) {
    var again = $("agenda").querySelector('[data-key="' + focused + '"]');
    if (again) again.focus();
  }
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
  if (item.done || place === here) return h("span", { className: "agenda-controls" }, controls);
  var move = function (to) { act({ type: "move_exercise", exercise: item.id, position: to }); };
  var toggle = h("input", {
    type: "checkbox", checked: item.on, "data-key": "on-" + item.id, "aria-label": t("menu.on_label", { title: title }),
    on: { change: function (e) { act({ type: "switch_exercise", exercise: item.id, on: e.target.checked }); } },
  });
  controls.unshift(h("label", { className: "agenda-switch" }, [toggle, " " + t("menu.on")]));
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
  if (item.optional) controls.unshift(h("span", { className: "agenda-optional", text: t("menu.optional") }));
  return h("span", { className: "agenda-controls", role: "group", "aria-label": t("menu.label", { title: title }) }, controls);
}

// The grouping form starts at the program's network group size.
var groupSizeSet = false;
function drawGroupForm(state) {
  var size = (state.room || {}).network_group_size;
  if (groupSizeSet || !size) return;
  groupSizeSet = true;
  if ($("groups-mode").value === "size") $("groups-value").value = String(size);
}

function drawControls(state) {
  var position = state.position || {};
  var timer = position.timer;
  var status = timer ? timer.status : null;
  var inExercise = position.exercise >= 0 && !position.day_over;
  $("btn-start").disabled = position.day_over || (inExercise && status !== "ready");
  $("btn-pause").disabled = status !== "running";
  $("btn-resume").disabled = status !== "paused";
  $("btn-extend").disabled = !inExercise;
  $("btn-next-phase").disabled = !inExercise;
  $("btn-next-exercise").disabled = position.day_over;
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
  drawGroupForm(state);
  drawPeople(state);
  drawAgenda(state);
  renderKinds($("kinds"), "facilitator", state.board || {}, room);
  tick();
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
  drawDrift(state);
}

room.onState(draw);
window.setInterval(tick, 500);
