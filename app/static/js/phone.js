/* The phone: always shows what this person must do now — the exercise, the phase, the
 * countdown, their group, their turn in a round robin, their private notes, and the
 * current exercise kind's own part (roles, word cloud, ...). */
(function () {
  "use strict";

  var S = window.Samling;
  var t = S.t;
  var h = S.h;
  var room = S.connect();
  var $ = function (id) { return document.getElementById(id); };

  S.bindBadge(room, $("connection"));

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
    room.send({ type: "save_note", exercise: exercise, text: text }, { replaces: "note:" + exercise }).then(function (answer) {
      if (answer.type === "ack") {
        if ($("note").value === text) $("note-status").textContent = t("notes.saved");
      } else {
        $("note-status").textContent = t("error." + answer.code);
      }
    });
    if (!room.connected) $("note-status").textContent = t("notes.offline");
  }

  // --- round robin ----------------------------------------------------------------------

  function speakerIndex(turn, position) {
    var perPerson = position.round_robin ? position.round_robin.per_person_ms : 0;
    var moved = perPerson > 0 ? Math.floor((room.serverNow() - turn.since) / perPerson) : 0;
    return (turn.index + Math.max(0, moved)) % turn.order.length;
  }

  function passTurn() {
    $("turn-done").disabled = true;
    $("turn-skip").disabled = true;
    room.send({ type: "pass_turn" }).then(function () {
      $("turn-done").disabled = false;
      $("turn-skip").disabled = false;
    });
  }
  $("turn-done").addEventListener("click", passTurn);
  $("turn-skip").addEventListener("click", passTurn);

  function drawTurn(state) {
    var position = state.position || {};
    var me = state.me || {};
    var turn = me.turn;
    var show = Boolean(position.round_robin && turn && turn.order.length);
    $("turn-card").hidden = !show;
    if (!show) return;
    var names = {};
    (me.members || []).forEach(function (m) { names[m.id] = m.name; });
    var current = turn.order[speakerIndex(turn, position)];
    var mine = current === me.id;
    S.setText($("turn-now"), mine ? t("turn.yours") : t("turn.speaking", { name: names[current] || "?" }));
    $("turn-card").classList.toggle("my-turn", mine);
    $("turn-done").hidden = !mine;
    $("turn-skip").hidden = mine;
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
    var title = position.grouping === "pairs" ? "group.pair" : position.grouping === "triads" ? "group.triad" : "group.number";
    S.setText($("group-title"), t(title, { number: me.group }));
    var others = (me.members || []).filter(function (m) { return m.id !== me.id; }).map(function (m) { return m.name; });
    S.setText($("group-members"), others.length ? t("group.with", { names: others.join(", ") }) : t("group.alone"));
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
    S.setText($("notes-text"), saved || "");
  }

  function drawAgenda(state) {
    var position = state.position || {};
    var between = position.exercise === -1 || position.day_over;
    $("agenda-card").hidden = !between;
    if (!between) return;
    $("agenda").replaceChildren.apply($("agenda"), S.agendaItems(state));
  }

  function draw() {
    var state = room.state;
    var position = state.position || {};
    var me = state.me || {};
    if (me.removed) {
      S.setText($("exercise-title"), t("phone.removed"));
      return;
    }
    S.setText($("me-name"), me.name || "");
    if (position.exercise === -1) {
      S.setText($("exercise-title"), t("phone.welcome", { name: me.name || "" }));
      S.setText($("phase-label"), "");
      S.setText($("phase-instruction"), t("phone.waiting_start"));
      S.setText($("exercise-instruction"), "");
    } else if (position.day_over) {
      S.setText($("exercise-title"), t("phone.day_over"));
      S.setText($("phase-label"), "");
      S.setText($("phase-instruction"), "");
      S.setText($("exercise-instruction"), "");
    } else {
      S.setText($("exercise-title"), S.localize(position.title));
      var label = S.phaseLabel(position.phase_kind);
      var title = S.localize(position.phase_title);
      S.setText($("phase-label"), [label, title].filter(Boolean).join(" – "));
      $("now").setAttribute("data-phase", position.phase_kind || "");
      S.setText($("phase-instruction"), S.localize(position.phase_instruction));
      S.setText($("exercise-instruction"), S.exerciseInstruction(position));
    }
    drawGroup(state);
    drawNotes(state);
    drawTurn(state);
    drawAgenda(state);
    S.renderKinds($("kinds"), "phone", state.activity || {}, room);
    tick();
  }

  function tick() {
    var position = room.state.position || {};
    var timer = position.timer;
    if (!timer || position.exercise === -1 || position.day_over) {
      S.setText($("countdown"), "");
      S.setText($("timer-status"), "");
      $("signal").hidden = true;
      return;
    }
    var left = S.remaining(timer, room.serverNow());
    S.setText($("countdown"), S.formatClock(left));
    $("countdown").setAttribute("aria-label", t("timer.left", { time: S.formatClock(left) }));
    var phaseKey = position.exercise + ":" + position.phase + ":" + timer.duration_ms;
    var status = timer.status === "paused" ? t("timer.paused") : timer.status === "ready" ? t("timer.ready") : "";
    var up = timer.status === "running" && left === 0;
    var half = position.half_time_signal && timer.status === "running" && left > 0 && left <= timer.duration_ms / 2;
    if (up) status = t("timer.up");
    S.setText($("timer-status"), status);
    $("now").classList.toggle("time-up", up);
    if (up) {
      $("signal").hidden = true;
      if (!signalled["up:" + phaseKey]) { signalled["up:" + phaseKey] = true; vibrate([300, 150, 300]); }
    } else if (half) {
      S.setText($("signal"), t("timer.half_time"));
      $("signal").hidden = false;
      if (!signalled["half:" + phaseKey]) { signalled["half:" + phaseKey] = true; vibrate(200); }
    } else {
      $("signal").hidden = true;
    }
    if (position.round_robin) drawTurn(room.state);
  }

  room.onState(draw);
  window.setInterval(tick, 250);
})();
