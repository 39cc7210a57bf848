/* The phone: always shows what this person must do now — the exercise, the phase, the
 * countdown, their group, their turn in a round robin, their private notes, and the
 * current exercise kind's own part (roles, word cloud, ...). */
import { localize, t } from "./lib/boot.js";
import { byId as $, h, setText } from "./lib/dom.js";
import { formatClock, remaining } from "./lib/i18n.js";
import { agendaItems, bindBadge, connectRoom, exerciseInstruction, groupTitle, phaseLabel, renderKinds, sender } from "./lib/page.js";
import { tell } from "./lib/sending.js";
import { turnNow } from "./lib/turns.js";

var room = connectRoom();
var api = sender(room);

bindBadge(room, $("connection"));

var signalled = {}; // "time_up:<exercise>:<phase>" etc.: each signal once per phase

function vibrate(pattern) {
  if (navigator.vibrate) {
    try { navigator.vibrate(pattern); } catch (e) { /* not allowed without a tap: fine */ }
  }
}

// --- notes: saved on the server as they type -----------------------------------------

var noteTimer = null;
var noteExercise = null;

$("note").addEventListener("input", function () {
  $("note-status").textContent = t("notes.saving");
  window.clearTimeout(noteTimer);
  noteTimer = window.setTimeout(saveNote, 600);
});
$("note").addEventListener("blur", function () {
  if (noteTimer) { window.clearTimeout(noteTimer); saveNote(); }
});

function saveNote() {
  noteTimer = null;
  var exercise = noteExercise;
  if (!exercise) return;
  var text = $("note").value;
  // Typed offline, only the last version is sent ("replaces"); "not saved yet" until then.
  var show = function (line) { if ($("note").value === text) $("note-status").textContent = line; };
  tell(api, { type: "save_note", exercise: exercise, text: text }, show, {
    replaces: "note:" + exercise,
    sending: t("notes.saving"),
    queued: t("notes.offline"),
    sent: t("notes.saved"),
  });
}

// --- round robin ----------------------------------------------------------------------

var shownTurn = null; // the turn number the buttons act on (a tap for an old turn is refused)

function passTurn(confirmFirst) {
  return function () {
    var state = room.state;
    var me = state.me || {};
    var names = {};
    (me.members || []).forEach(function (m) { names[m.id] = m.name; });
    var speaker = me.turn ? me.turn.order[shownTurn % me.turn.order.length] : null;
    if (confirmFirst && !window.confirm(t("turn.skip_confirm", { name: names[speaker] || "?" }))) return;
    $("turn-done").disabled = true;
    $("turn-skip").disabled = true;
    var again = function () {
      $("turn-done").disabled = false;
      $("turn-skip").disabled = false;
    };
    room.send({ type: "pass_turn", turn: shownTurn }).then(again, again);
  };
}
$("turn-done").addEventListener("click", passTurn(false));
$("turn-skip").addEventListener("click", passTurn(true));

function drawTurn(state) {
  var position = state.position || {};
  var me = state.me || {};
  var turn = me.turn;
  var show = Boolean(position.round_robin && turn && turn.order.length);
  $("turn-card").hidden = !show;
  if (!show) return;
  var names = {};
  (me.members || []).forEach(function (m) { names[m.id] = m.name; });
  var now = turnNow(turn, position, room.serverNow());
  shownTurn = now.number;
  var current = now.speaker;
  var mine = current === me.id;
  var rounds = position.round_robin.rounds;
  var line;
  if (now.over) line = t("turn.over");
  else if (!now.started) line = t("turn.not_started", { name: names[current] || "?" });
  else line = mine ? t("turn.yours") : t("turn.speaking", { name: names[current] || "?" });
  if (!now.over && now.started && now.left !== null) line += " " + t("turn.time_left", { time: formatClock(now.left) });
  if (!now.over && rounds !== 1) {
    line = (rounds > 1 ? t("turn.round_of", { round: now.round, rounds: rounds }) : t("turn.round", { round: now.round })) + " · " + line;
  }
  setText($("turn-now"), line);
  $("turn-card").classList.toggle("my-turn", mine && now.started);
  // The speaker hands over; others may move the turn on only where the program allows it.
  $("turn-done").hidden = !(mine && now.started);
  $("turn-skip").hidden = mine || now.over || !now.started || !position.round_robin.anyone_passes;
  var key = turn.order.join(",") + "|" + current;
  if ($("turn-order").getAttribute("data-key") !== key) {
    $("turn-order").setAttribute("data-key", key);
    $("turn-order").replaceChildren.apply(
      $("turn-order"),
      turn.order.map(function (pid) {
        return h("li", { className: pid === current ? "current" : "", "aria-current": pid === current ? "true" : null }, [
          names[pid] || "?",
          pid === me.id ? " (" + t("phone.you") + ")" : "",
        ]);
      })
    );
  }
}

// --- the whole view ---------------------------------------------------------------------

function drawGroup(state) {
  var me = state.me || {};
  var position = state.position || {};
  var hasGroup = me.group !== null && me.group !== undefined && position.grouping !== "none";
  $("group-card").hidden = !hasGroup;
  if (!hasGroup) return;
  setText($("group-title"), groupTitle(position, me.group));
  var others = (me.members || []).filter(function (m) { return m.id !== me.id; }).map(function (m) { return m.name; });
  var lines = [others.length ? t("group.with", { names: others.join(", ") }) : t("group.alone")];
  if (position.grouping === "world_cafe") lines.unshift(me.host ? t("group.host") : position.groups_round > 1 ? t("group.move", { number: me.group }) : "");
  setText($("group-members"), lines.filter(Boolean).join(" "));
}


function drawNotes(state) {
  var position = state.position || {};
  var notes = state.notes || {};
  var exercise = position.exercise_id;
  var writing = Boolean(position.notes && exercise);
  $("notes-card").hidden = !writing;
  if (writing && noteExercise !== exercise) {
    noteExercise = exercise;
    $("note").value = notes[exercise] || "";
    $("note-status").textContent = "";
  } else if (writing && document.activeElement !== $("note") && !noteTimer && !room.hasPending()) {
    if ($("note").value !== (notes[exercise] || "")) $("note").value = notes[exercise] || "";
  }
  if (!writing) noteExercise = null;
  // In the G- and P-phases the person's own notes come back to them, read-only.
  var saved = exercise ? notes[exercise] : "";
  $("notes-read").hidden = writing || !saved;
  setText($("notes-text"), saved || "");
}

function drawAgenda(state) {
  var position = state.position || {};
  var between = position.exercise === -1 || position.day_over;
  $("agenda-card").hidden = !between;
  if (!between) return;
  $("agenda").replaceChildren.apply($("agenda"), agendaItems(state));
}

function draw() {
  var state = room.state;
  var position = state.position || {};
  var me = state.me || {};
  if (me.removed) {
    setText($("exercise-title"), t("phone.removed"));
    return;
  }
  setText($("me-name"), me.name || "");
  if (position.exercise === -1) {
    setText($("exercise-title"), t("phone.welcome", { name: me.name || "" }));
    setText($("phase-label"), "");
    setText($("phase-instruction"), t("phone.waiting_start"));
    setText($("exercise-instruction"), localize((state.room || {}).description));
  } else if (position.day_over) {
    setText($("exercise-title"), t("phone.day_over"));
    setText($("phase-label"), "");
    setText($("phase-instruction"), "");
    setText($("exercise-instruction"), "");
  } else {
    setText($("exercise-title"), localize(position.title));
    var label = phaseLabel(position.phase_kind);
    var title = localize(position.phase_title);
    setText($("phase-label"), [label, title].filter(Boolean).join(" – "));
    $("now").setAttribute("data-phase", position.phase_kind || "");
    setText($("phase-instruction"), localize(position.phase_instruction));
    setText($("exercise-instruction"), exerciseInstruction(position));
  }
  drawGroup(state);
  drawNotes(state);
  drawTurn(state);
  drawAgenda(state);
  renderKinds($("kinds"), "phone", state.activity || {}, room);
  tick();
}

function tick() {
  var position = room.state.position || {};
  var timer = position.timer;
  if (!timer || position.exercise === -1 || position.day_over) {
    setText($("countdown"), "");
    setText($("timer-status"), "");
    $("signal").hidden = true;
    return;
  }
  var left = remaining(timer, room.serverNow());
  setText($("countdown"), formatClock(left));
  $("countdown").setAttribute("aria-label", t("timer.left", { time: formatClock(left) }));
  var phaseKey = position.exercise + ":" + position.phase + ":" + timer.duration_ms;
  var status = timer.status === "paused" ? t("timer.paused") : timer.status === "ready" ? t("timer.ready") : "";
  var up = timer.status === "running" && left === 0;
  var half = position.half_time_signal && timer.status === "running" && left > 0 && left <= timer.duration_ms / 2;
  if (up) status = t("timer.up");
  setText($("timer-status"), status);
  $("now").classList.toggle("time-up", up);
  if (up) {
    $("signal").hidden = true;
    if (!signalled["up:" + phaseKey]) { signalled["up:" + phaseKey] = true; vibrate([300, 150, 300]); }
  } else if (half) {
    setText($("signal"), t("timer.half_time"));
    $("signal").hidden = false;
    if (!signalled["half:" + phaseKey]) { signalled["half:" + phaseKey] = true; vibrate(200); }
  } else {
    $("signal").hidden = true;
  }
  if (position.round_robin) drawTurn(room.state);
}

room.onState(draw);
window.setInterval(tick, 250);
