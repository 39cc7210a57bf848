/* The projector: read-only, large type. Between exercises: the QR code, the join address
 * and the agenda. During an exercise: its title, the phase, the instruction and a huge
 * countdown, the groups, and the exercise kind's board (word cloud, diamonds, ...). */
import { localize, t } from "./lib/boot.js";
import { byId as $, h, setText } from "./lib/dom.js";
import { formatClock, remaining } from "./lib/i18n.js";
import { agendaItems, bindBadge, connectRoom, exerciseInstruction, groupTitle, phaseLabel, renderKinds } from "./lib/page.js";

var room = connectRoom();

bindBadge(room, $("connection"));

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
  var key = JSON.stringify([groupTitle(position, 0), groups]);
  if ($("groups").getAttribute("data-key") === key) return;
  $("groups").setAttribute("data-key", key);
  $("groups").replaceChildren.apply($("groups"), numbers.map(function (g) {
    return h("div", { className: "group-box" }, [
      h("h2", { text: groupTitle(position, g) }),
      h("p", { text: groups[g].join(", ") }),
    ]);
  }));
}

function draw() {
  var state = room.state;
  var position = state.position || {};
  var header = state.room || {};
  var count = (state.participants || []).length;
  setText($("joined"), t("projector.joined", { count: count }));
  var between = position.exercise === -1 || position.day_over;
  $("welcome").hidden = !between;
  $("now").hidden = between;
  $("qr-small").hidden = between; // the big one is on the welcome screen
  setText($("day-title"), position.day_over ? t("projector.day_over") : localize(header.title));
  setText($("day-description"), position.day_over ? "" : localize(header.description));
  if (between) {
    $("agenda").replaceChildren.apply($("agenda"), agendaItems(state));
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
  renderKinds($("kinds"), "projector", state.board || {}, room);
  // With an exercise's own content (cloud, diamonds, lists …) the heading and the clock
  // make room for it, so that a whole exercise fits the wall without scrolling.
  $("projector").classList.toggle("with-kinds", $("kinds").children.length > 0);
  tick();
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
  $("signal").hidden = !half;
  if (half) setText($("signal"), t("timer.half_time"));
}

room.onState(draw);
window.setInterval(tick, 250);
