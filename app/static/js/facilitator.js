/* The facilitator's control page: move through the day (start, pause, resume, +1 min,
 * skip phase, next exercise), see how far ahead or behind the day is, form groups, and
 * manage participants (move, rename, remove). Every control is a button or a form. */
import { localize, t } from "./lib/boot.js";
import { byId as $, h, setText } from "./lib/dom.js";
import { formatClock, remaining } from "./lib/i18n.js";
import { agendaItems, bindBadge, connectRoom, phaseLabel, renderKinds } from "./lib/page.js";

var room = connectRoom();

bindBadge(room, $("connection"));

function act(action) {
  $("control-error").textContent = "";
  return room.send(action).then(function (answer) {
    if (answer.type === "error") $("control-error").textContent = t("error." + answer.code);
    return answer;
  }, function () {
    $("control-error").textContent = t("send.not_sent");
  });
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
  setText($("groups-hint"), grouping === "pairs" || grouping === "triads" ? t("groups.own_hint." + grouping) : t("groups.network_hint"));
}

// --- the view ----------------------------------------------------------------------------

function drawAgenda(state) {
  var key = JSON.stringify([state.agenda, (state.position || {}).exercise]);
  if ($("agenda").getAttribute("data-key") === key) return;
  $("agenda").setAttribute("data-key", key);
  $("agenda").replaceChildren.apply($("agenda"), agendaItems(state, function (item) {
    return h("button", {
      type: "button", className: "button small", text: t("agenda.goto"),
      "aria-label": t("agenda.goto_label", { title: localize(item.title) }),
      on: { click: function () { act({ type: "goto_exercise", index: item.index }); } },
    });
  }));
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
  drawControls(state);
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
