/* The projector: read-only, large type, and always one screen (lib/fit.js). Between
 * exercises: the QR code, the join address and the agenda. During an exercise: its title,
 * the phase, the instruction and a huge countdown, the groups, and the exercise kind's
 * board (word cloud, diamonds, ...). The facilitator may blank it, show the big QR code,
 * and hide an exercise's results until they reveal them. Its own keys: + and − for the
 * text size (remembered by this browser), F for fullscreen. */
import { boot, localize, t } from "./lib/boot.js";
import { byId as $, h, render, setText } from "./lib/dom.js";
import { formatClock, remaining } from "./lib/i18n.js";
import { Wall } from "./lib/fit.js";
import { agendaItems, bindBadge, connectRoom, exerciseInstruction, groupTitle, phaseLabel, renderKinds } from "./lib/page.js";
import { presenterKey, relayKeys } from "./lib/presenter.js";

var room = connectRoom();

bindBadge(room, $("connection"));

var wall = new Wall($("projector"), {
  more: function (count) { return t("presenter.more", { count: count }); },
  pageOf: function (page, pages) { return t("presenter.page_of", { page: page, pages: pages }); },
  pageLine: $("page-of"),
});

// --- the text size: this projector's own, remembered ----------------------------------------

var SIZES = [0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.4, 1.6, 1.8];
var SIZE_KEY = "samling-projector-text-size";

function storedSize() {
  try {
    var value = parseFloat(window.localStorage.getItem(SIZE_KEY));
    return SIZES.indexOf(value) >= 0 ? value : 1;
  } catch (e) {
    return 1; // storage switched off: the default size
  }
}

var size = storedSize();

function setSize(next) {
  size = next;
  try {
    window.localStorage.setItem(SIZE_KEY, String(size));
  } catch (e) { /* not remembered, still used */ }
  applySize();
  fit();
}

function applySize() {
  $("projector").style.setProperty("--scale", String(size));
  setText($("text-scale"), t("presenter.text_size", { percent: Math.round(size * 100) }));
  $("text-smaller").disabled = size <= SIZES[0];
  $("text-larger").disabled = size >= SIZES[SIZES.length - 1];
}

function step(direction) {
  var index = SIZES.indexOf(size) + direction;
  if (index >= 0 && index < SIZES.length) setSize(SIZES[index]);
}

function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(function () { /* already out */ });
  else document.documentElement.requestFullscreen().catch(function () { /* not allowed here */ });
}

$("text-smaller").addEventListener("click", function () { step(-1); });
$("text-larger").addEventListener("click", function () { step(1); });
$("fullscreen").addEventListener("click", toggleFullscreen);
document.addEventListener("fullscreenchange", function () {
  setText($("fullscreen"), t(document.fullscreenElement ? "presenter.fullscreen_off" : "presenter.fullscreen"));
});
// The tools show while the mouse moves over the wall, and whenever one has focus.
var idle = null;
document.addEventListener("pointermove", function () {
  document.body.classList.add("pointer-moved");
  window.clearTimeout(idle);
  idle = window.setTimeout(function () { document.body.classList.remove("pointer-moved"); }, 3000);
});

/* The projector's own keys; the clicker's keys go on to the facilitator's page in this
 * browser (lib/presenter.js), where they move the day. */
var relay = relayKeys(boot.code);
document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "+" || event.key === "=") step(1);
  else if (event.key === "-" || event.key === "−") step(-1);
  else if (event.key === "f" || event.key === "F") toggleFullscreen();
  else {
    var command = presenterKey(event);
    if (!command) return;
    relay.send(command);
  }
  event.preventDefault();
});

// --- what the room sees ----------------------------------------------------------------------

function joinBase(state) {
  var presenting = state.presenting || {};
  return presenting.join_base || (boot.join || {}).base || "";
}

function drawJoin(state) {
  var chosen = (state.presenting || {}).join_base;
  var url = joinBase(state) + "/j";
  document.querySelectorAll(".join-url").forEach(function (node) { setText(node, url); });
  var qr = "/qr/" + encodeURIComponent(boot.code) + ".svg" + (chosen ? "?base=" + encodeURIComponent(chosen) : "");
  document.querySelectorAll("img.qr").forEach(function (img) {
    if (img.getAttribute("src") !== qr) img.setAttribute("src", qr);
  });
}

function drawGroups(state) {
  var position = state.position || {};
  var people = state.participants || [];
  var groups = {};
  people.forEach(function (p) {
    var g = p.working_group;
    if (g === null || g === undefined) return;
    (groups[g] = groups[g] || []).push(p.host ? t("group.host_mark", { name: p.name }) : p.name);
  });
  var numbers = Object.keys(groups).map(Number).sort(function (a, b) { return a - b; });
  // Groups are shown while people find their table: before the timer starts, and all
  // along where the groups change each round (1-2-4-All, new partners, World Café).
  var changing = position.grouping === "1-2-4-all" || position.groups_rounds > 1;
  var show = numbers.length > 0 && position.exercise >= 0 && !position.day_over && position.timer &&
    (position.timer.status === "ready" || changing) && position.grouping !== "none";
  $("groups").hidden = !show;
  if (!show) return;
  $("groups").classList.toggle("many", numbers.length > 12);
  render($("groups"), function () {
    return numbers.map(function (g) {
      return h("div", { className: "group-box", key: "group-" + g }, [
        h("h2", { text: groupTitle(position, g) }),
        h("p", { text: groups[g].join(", ") }),
      ]);
    });
  });
}

function drawScreen(state) {
  var show = (state.presenting || {}).show || "room";
  $("blank").hidden = show !== "blank";
  $("big-qr").hidden = show !== "qr";
  $("projector").hidden = show !== "room"; // out of sight, of the tab order and of screen readers
}

function draw() {
  var state = room.state;
  var position = state.position || {};
  var header = state.room || {};
  var count = (state.participants || []).length;
  setText($("joined"), t("projector.joined", { count: count }));
  drawScreen(state);
  drawJoin(state);
  var between = position.exercise === -1 || position.day_over;
  $("welcome").hidden = !between;
  $("now").hidden = between;
  $("qr-small").hidden = between; // the big one is on the welcome screen
  $("projector").classList.toggle("between", Boolean(between));
  setText($("day-title"), position.day_over ? t("projector.day_over") : localize(header.title));
  setText($("day-description"), position.day_over ? "" : localize(header.description));
  if (between) {
    var items = agendaItems(state);
    $("agenda").classList.toggle("columns", items.length > 8);
    render($("agenda"), function () { return items; });
  } else {
    var label = phaseLabel(position.phase_kind);
    var phaseTitle = localize(position.phase_title);
    setText($("phase-label"), [label, phaseTitle].filter(Boolean).join(" – "));
    $("now").setAttribute("data-phase", position.phase_kind || "");
    setText($("exercise-title"), localize(position.title));
    setText($("phase-instruction"), localize(position.phase_instruction));
    setText($("exercise-instruction"), exerciseInstruction(position));
  }
  drawGroups(state);
  var hidden = ((state.presenting || {}).hidden || []).indexOf(position.exercise_id) >= 0;
  renderKinds($("kinds"), "projector", between ? {} : state.board || {}, room, { hidden: hidden });
  // With an exercise's own content (cloud, diamonds, lists …) the heading and the clock
  // make room for it.
  $("projector").classList.toggle("with-kinds", $("kinds").children.length > 0);
  tick();
  fit();
  document.documentElement.setAttribute("data-seq", String(room.seq));
}

/* The wall fits the screen, its smallest text at least 1/50 of the screen's height
 * (at the text size this projector chose). */
function fit() {
  if ($("projector").hidden) return;
  wall.fit((window.innerHeight / 50) * Math.min(1, size));
}

function tick() {
  var position = room.state.position || {};
  var timer = position.timer;
  if (!timer || position.exercise === -1 || position.day_over) {
    setText($("countdown"), "");
    return;
  }
  var left = remaining(timer, room.serverNow());
  setText($("countdown"), formatClock(left));
  var up = timer.status === "running" && left === 0;
  var half = position.half_time_signal && timer.status === "running" && left > 0 && left <= timer.duration_ms / 2;
  var status = up ? t("timer.up") : timer.status === "paused" ? t("timer.paused") : timer.status === "ready" ? t("timer.ready") : "";
  setText($("timer-status"), status);
  $("now").classList.toggle("time-up", up);
  if ($("signal").hidden === half) {
    $("signal").hidden = !half;
    fit();
  }
  if (half) setText($("signal"), t("timer.half_time"));
}

applySize();
room.onState(draw);
window.addEventListener("resize", fit);
window.setInterval(tick, 250);
