/* The phone: always shows what this person must do now — the exercise, the phase, the
 * countdown, their group, their turn in a round robin, their private notes, and the
 * current exercise kind's own part (roles, word cloud, ...). It tells the person when
 * something changes: at a new phase and at «Din tur» the phone vibrates, sounds, flashes
 * the card and a screen reader hears it; the screen stays on during an exercise. */
import { boot, localize, t } from "./lib/boot.js";
import { byId as $, h, render, setText } from "./lib/dom.js";
import { formatClock, remaining } from "./lib/i18n.js";
import { kinds } from "./lib/kinds.js";
import { agendaItems, bindBadge, connectRoom, exerciseInstruction, groupTitle, phaseLabel, renderKinds, sender } from "./lib/page.js";
import { tell } from "./lib/sending.js";
import { turnLine, turnNow } from "./lib/turns.js";

var room = connectRoom();
var api = sender(room);

// Closed (or deleted): the person's own answers are under «Mine svar» until it is deleted.
bindBadge(room, $("connection"), { 4404: "phone.closed" });

var signalled = {}; // "up:<exercise>:<phase>" etc.: each signal once per phase

// --- telling the person: vibration, sound, a visual cue, a screen reader ------------------

/* Browsers let a page vibrate and sound only after the person touched it: «Klar» after
 * joining, and again after the phone slept (its sound is suspended then). */
var audio = null;
var needsTap = true; // after joining, and after waking with the sound suspended

function soundReady() {
  return audio !== null && audio.state === "running";
}

function unlock() {
  needsTap = false;
  try {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (Context && !audio) audio = new Context();
    if (audio && audio.state !== "running") audio.resume();
  } catch (e) { /* no sound here: vibration and the screen still tell */ }
  vibrate(30);
  $("ready-card").hidden = true;
  keepAwake();
}

function offerReady() {
  var inRoom = !(room.state.me || {}).removed;
  $("ready-card").hidden = !inRoom || !needsTap;
}

$("ready-button").addEventListener("click", unlock);
// Any tap unlocks as well (on click: hiding the card on pointerdown would move what is tapped).
document.addEventListener("click", function () { if (needsTap || (audio && !soundReady())) unlock(); }, { capture: true });

function vibrate(pattern) {
  if (!navigator.vibrate) return;
  try { navigator.vibrate(pattern); } catch (e) { /* not allowed without a tap: fine */ }
}

/* Two short tones (a phase change), or three rising ones (your turn). */
function beep(notes) {
  if (!soundReady()) return;
  try {
    var start = audio.currentTime + 0.02;
    notes.forEach(function (frequency, i) {
      var tone = audio.createOscillator();
      var level = audio.createGain();
      tone.frequency.value = frequency;
      level.gain.setValueAtTime(0.0001, start + i * 0.18);
      level.gain.exponentialRampToValueAtTime(0.25, start + i * 0.18 + 0.02);
      level.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.18 + 0.16);
      tone.connect(level).connect(audio.destination);
      tone.start(start + i * 0.18);
      tone.stop(start + i * 0.18 + 0.17);
    });
  } catch (e) { /* sound is a courtesy */ }
}

/* Tell the person: vibration, sound, the card flashes, and a screen reader hears `text`. */
function cue(text, kind) {
  vibrate(kind === "turn" ? [200, 100, 200, 100, 200] : [250, 120, 250]);
  beep(kind === "turn" ? [660, 880, 1100] : [880, 660]);
  var card = kind === "turn" ? $("turn-card") : $("now");
  card.classList.remove("cue");
  void card.offsetWidth; // restart the animation
  card.classList.add("cue");
  setText($("announce"), "");
  window.setTimeout(function () { setText($("announce"), text); }, 50);
}

// --- the screen stays on during an exercise ------------------------------------------------

var wakeLock = null;

function inExercise() {
  var position = room.state.position || {};
  return position.exercise >= 0 && !position.day_over && !(room.state.me || {}).removed;
}

function keepAwake() {
  if (!navigator.wakeLock || document.visibilityState !== "visible") return;
  if (!inExercise()) {
    if (wakeLock) { wakeLock.release().catch(function () {}); wakeLock = null; }
    return;
  }
  if (wakeLock) return;
  wakeLock = { pending: true, release: function () { return Promise.resolve(); } };
  navigator.wakeLock.request("screen").then(function (lock) {
    wakeLock = lock;
    lock.addEventListener("release", function () { if (wakeLock === lock) wakeLock = null; });
  }, function () { wakeLock = null; });
}

document.addEventListener("visibilitychange", function () {
  if (document.visibilityState === "visible") {
    // The lock went with the screen; sound may have been suspended while the phone slept.
    wakeLock = null;
    keepAwake();
    if (audio && !soundReady()) needsTap = true;
    offerReady();
  }
});

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
var cuedTurn = null; // the turn «Din tur» was told for

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
  setText($("turn-now"), turnLine(now, names[current], position.round_robin.rounds, mine, t));
  $("turn-card").classList.toggle("my-turn", mine && now.started);
  var turnKey = position.exercise + ":" + position.phase + ":" + now.number;
  if (mine && now.started && !now.over && cuedTurn !== turnKey) {
    cuedTurn = turnKey;
    cue(t("turn.yours"), "turn");
  }
  // The speaker hands over; others may move the turn on only where the program allows it.
  $("turn-done").hidden = !(mine && now.started);
  $("turn-skip").hidden = mine || now.over || !now.started || !position.round_robin.anyone_passes;
  render($("turn-order"), function () {
    return turn.order.map(function (pid) {
      return h("li", { key: pid, className: pid === current ? "current" : "", "aria-current": pid === current ? "true" : null }, [
        names[pid] || "?",
        pid === me.id ? " (" + t("phone.you") + ")" : "",
      ]);
    });
  });
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
  render($("agenda"), function () { return agendaItems(state); }, JSON.stringify([state.agenda, position, (state.room || {}).start]));
}

var shownPhase = null; // "<exercise>:<phase>" last drawn: a change is told

function drawPhaseCue(position) {
  var key = position.day_over ? "over" : position.exercise + ":" + position.phase;
  if (shownPhase !== null && shownPhase !== key && position.exercise >= 0) {
    var text = position.day_over ? t("phone.day_over") : t("phone.new_phase", {
      phase: [phaseLabel(position.phase_kind), localize(position.phase_title)].filter(Boolean).join(" – ") || localize(position.title),
    });
    cue(text, "phase");
  }
  shownPhase = key;
}

function draw() {
  var state = room.state;
  var position = state.position || {};
  var me = state.me || {};
  if (me.removed) {
    setText($("exercise-title"), t("phone.removed"));
    offerReady();
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
    setText($("phase-instruction"), t("phone.take_home"));
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
  if (position.exercise !== undefined) drawPhaseCue(position);
  drawGroup(state);
  drawNotes(state);
  drawTurn(state);
  drawAgenda(state);
  renderKinds($("kinds"), "phone", state.activity || {}, room);
  offerReady();
  keepAwake();
  tick();
}

/* The one countdown: the phase's, or the one a kind keeps for this phase (the gallery
 * walk: the time to the next move). */
function countdownNow(position) {
  var activity = room.state.activity || {};
  var kindApi = { t: t, localize: localize, serverNow: function () { return room.serverNow(); } };
  var names = Object.keys(activity);
  for (var i = 0; i < names.length; i++) {
    var views = kinds[names[i]];
    var own = views && views.timer ? views.timer(activity[names[i]], kindApi) : null;
    if (own) return own;
  }
  return { ms: remaining(position.timer, room.serverNow()), label: null };
}

function tick() {
  var position = room.state.position || {};
  var timer = position.timer;
  if (!timer || position.exercise === -1 || position.day_over) {
    setText($("countdown"), "");
    setText($("timer-status"), "");
    $("signal").hidden = true;
    drawBar();
    return;
  }
  var clock = countdownNow(position);
  var left = remaining(timer, room.serverNow());
  setText($("countdown"), formatClock(clock.ms));
  $("countdown").setAttribute("aria-label", t("timer.left", { time: formatClock(clock.ms) }));
  var phaseKey = position.exercise + ":" + position.phase + ":" + timer.duration_ms;
  var status = timer.status === "paused" ? t("timer.paused") : timer.status === "ready" ? t("timer.ready") : clock.label || "";
  var up = timer.status === "running" && left === 0;
  var half = position.half_time_signal && timer.status === "running" && left > 0 && left <= timer.duration_ms / 2;
  if (up) status = t("timer.up");
  setText($("timer-status"), status);
  $("now").classList.toggle("time-up", up);
  if (up) {
    $("signal").hidden = true;
    if (!signalled["up:" + phaseKey]) { signalled["up:" + phaseKey] = true; vibrate([300, 150, 300]); beep([880, 880]); }
  } else if (half) {
    setText($("signal"), t("timer.half_time"));
    $("signal").hidden = false;
    if (!signalled["half:" + phaseKey]) { signalled["half:" + phaseKey] = true; vibrate(200); }
  } else {
    $("signal").hidden = true;
  }
  if (position.round_robin) drawTurn(room.state);
  drawBar();
}

// --- the small countdown at the top, while the big one is out of view -----------------------

var bigInView = true;
if (window.IntersectionObserver) {
  new IntersectionObserver(function (entries) {
    bigInView = entries[entries.length - 1].isIntersecting;
    drawBar();
  }).observe($("countdown"));
}

function drawBar() {
  var text = $("countdown").textContent;
  $("phone-bar").hidden = bigInView || !text;
  document.body.classList.toggle("with-bar", !$("phone-bar").hidden);
  setText($("bar-countdown"), text);
  setText($("bar-phase"), $("phase-label").textContent || $("exercise-title").textContent);
}

room.onState(draw);
window.setInterval(tick, 250);
// The page came with the room as this phone sees it: show it now, not once the WebSocket
// is open (a round trip more on a slow network); the welcome's snapshot follows.
// Joining answered with this page itself: the address bar shows the phone page's address.
if (window.location.pathname !== "/r/" + boot.code) window.history.replaceState(null, "", "/r/" + boot.code);
if (boot.state && !room.state.position) {
  room.state = boot.state;
  room.offset = boot.server_time - Date.now(); // until the clock pings measure it
  draw();
}
offerReady();
