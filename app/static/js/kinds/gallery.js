/* Gallery walk: "Gå til gruppe 3" with a countdown to the next move, the visited group's
 * diamond and a comment box on the phone; the host sees comments arriving; in the return
 * phase the group reads every comment it got and may adjust and finalise its diamond
 * (drawn by diamond.js, acting on the diamond exercise named by `of`). Data comes from
 * app/core/kinds/gallery.py (mine() and board()).
 *
 * Timing: the server gives each visit's `start_ms`/`end_ms` from the start of the
 * rotation phase plus the phase clock (`started_at` while running, else `elapsed_ms`).
 * The browser computes the current visit from api.serverNow() and draws again once a
 * second while the walk runs (render changes only what differs). On the phone the
 * page's one countdown shows the time to the next move (the kind's `timer`), so a
 * phone never shows two clocks.
 *
 * No inline script or style, text through textContent only.
 */
import { h, render } from "../lib/dom.js";
import { formatClock } from "../lib/i18n.js";
import { registerKind } from "../lib/kinds.js";
import { sendFrom } from "../lib/sending.js";
import * as diamond from "./diamond.js";

var latest = new WeakMap(); // element -> {view, data, api}
var tickers = new WeakMap(); // element -> interval id

/* A status line per stage, so that «Kommentaren er sendt.» does not outlive the walk. */
function statusLine(data) {
  return h("p", { className: "gallery-status", role: "status", "aria-live": "polite", keep: true, key: "status-" + data.stage });
}

/* Send; the status line says "not sent yet" while it waits, and why it was refused. */
var send = sendFrom(".gallery-status");

// --- the schedule ------------------------------------------------------------------------

function elapsed(clock, api) {
  if (clock.started_at !== null && clock.started_at !== undefined) return api.serverNow() - clock.started_at;
  return clock.elapsed_ms || 0;
}

/* {index, left} of the current visit (index = visits.length when the walk is over). */
function now(data, api) {
  var clock = data.clock;
  var visits = clock.visits || [];
  if (data.stage !== "rotation") return { index: data.stage === "before" || data.stage === "closed" ? -1 : visits.length, left: 0 };
  var spent = elapsed(clock, api);
  for (var i = 0; i < visits.length; i++) {
    if (spent < visits[i].end_ms) return { index: i, left: visits[i].end_ms - spent };
  }
  return { index: visits.length, left: 0 };
}

/* Where the walk is, in every stage: before it, ready to start, paused, the time to the
 * next move, over. Nothing once the exercise is closed (the results). */
function countdownText(api, data, position) {
  var visits = data.clock.visits || [];
  if (data.stage === "closed") return "";
  if (data.stage === "return" || data.stage === "after") return api.t("gallery.walk_done");
  if (data.stage === "before") return api.t("gallery.waiting");
  if (data.clock.status === "paused") return api.t("gallery.paused");
  if (data.clock.status !== "running") return api.t("gallery.ready");
  if (position.index >= visits.length) return api.t("gallery.walk_over");
  var key = position.index === visits.length - 1 ? "gallery.last_visit" : "gallery.next_move";
  return api.t(key, { time: formatClock(position.left) });
}

/* The phone's one countdown during the walk: the time to the next move. */
function phoneTimer(data, api) {
  if (!data || data.stage !== "rotation" || !data.clock.status) return null;
  var visits = data.clock.visits || [];
  var position = now(data, api);
  if (position.index < 0 || position.index >= visits.length) return null;
  var left = visits[position.index].end_ms - elapsed(data.clock, api);
  return { ms: Math.max(0, left), label: api.t(position.index === visits.length - 1 ? "gallery.last_visit_label" : "gallery.next_move_label") };
}

/* Once a second while the walk runs: draw again (the visit and the countdown move on). */
function tick(el) {
  var last = latest.get(el);
  if (!last || !el.isConnected || last.data.clock.status !== "running") {
    clearInterval(tickers.get(el));
    tickers.delete(el);
    return;
  }
  draw(el, last.view, last.data, last.api);
}

function ensureTicker(el) {
  if (!tickers.has(el)) tickers.set(el, setInterval(function () { tick(el); }, 1000));
}

/* The host may be chosen until the walk starts: before the rotation, or while its timer
 * waits for Start (the server refuses a member's choice after that). */
function hostOpen(data) {
  return data.stage === "before" || (data.stage === "rotation" && data.clock.status === "ready");
}

// --- pieces ---------------------------------------------------------------------------------

function diamondOf(api, data, group) {
  var shown = data.diamonds ? data.diamonds[String(group)] : null;
  if (!shown) {
    return h("p", { className: "gallery-hint", text: api.t("gallery.no_diamond") });
  }
  var any = shown.rows.some(function (row) { return row.some(function (v) { return v; }); });
  if (!any) return h("p", { className: "gallery-hint", text: api.t("gallery.no_diamond") });
  return diamond.drawRows(api, shown.rows, api.t("gallery.visiting", { group: group }));
}

function commentList(api, comments, className) {
  var list = h("ul", { className: "gallery-comments " + (className || "") });
  comments.forEach(function (c) {
    list.appendChild(h("li", { className: "gallery-comment", text: c.text === null ? api.t("gallery.hidden") : c.text }));
  });
  return list;
}

function commentForm(el, api, data, group) {
  var id = "gallery-comment-" + group;
  var field;
  var count = data.sent.length;
  var submit = function (event) {
    event.preventDefault();
    var text = field.value.trim();
    if (!text) {
      field.focus();
      return;
    }
    var sent = field;
    send(el, api, { type: "gallery_comment", group: group, text: text }, { sent: api.t("gallery.comment_sent") }).then(function (answer) {
      if (answer.type === "ack" && sent.value.trim() === text) sent.value = "";
    });
  };
  return h("form", { className: "gallery-comment-form", novalidate: true, on: { submit: submit } }, [
    h("label", { for: id, text: api.t("gallery.comment_label", { group: group }) }),
    h("textarea", { id: id, maxlength: "300", rows: "3", className: "gallery-textarea", ref: function (node) { field = node; } }),
    h("button", { type: "submit", className: "button primary", "data-key": "comment-send", disabled: count >= data.max, text: api.t("gallery.comment_send") }),
    h("p", { className: "gallery-hint", text: api.t("gallery.comment_count", { count: count, max: data.max }) }),
  ]);
}

function hostChooser(el, api, data) {
  if (!data.members || data.members.length < 2) return null;
  var group = h("div", { className: "gallery-hosts", role: "group", "aria-label": api.t("gallery.choose_host") });
  data.members.forEach(function (person) {
    group.appendChild(
      h("button", {
        type: "button",
        className: "button gallery-host-button",
        "data-key": "host-" + person.id,
        "aria-pressed": String(data.host && data.host.id === person.id),
        "aria-label": api.t("gallery.make_host", { name: person.name }),
        text: person.name,
        on: {
          click: function () {
            send(el, api, { type: "gallery_host", participant: person.id });
          },
        },
      })
    );
  });
  return h("section", { className: "gallery-choose" }, [
    h("h3", { text: api.t("gallery.choose_host") }),
    h("p", { className: "gallery-hint", text: api.t("gallery.choose_host_hint") }),
    group,
  ]);
}

function route(api, data, position) {
  var list = h("ol", { className: "gallery-route", "aria-label": api.t("gallery.route") });
  data.route.forEach(function (step, i) {
    var text = step.group === null
      ? api.t("gallery.route_stay", { visit: step.visit })
      : api.t("gallery.route_step", { visit: step.visit, group: step.group });
    list.appendChild(h("li", { className: i === position.index ? "gallery-route-now" : "", "aria-current": i === position.index ? "step" : null, text: text }));
  });
  return list;
}

// --- phone -----------------------------------------------------------------------------------

function phoneView(el, api, data, position) {
  var parts = [h("h2", { text: api.t("gallery.title") })];
  if (data.group === null) {
    parts.push(h("p", { className: "gallery-hint", text: api.t("gallery.no_group") }));
    return parts;
  }
  var back = data.stage === "return" || data.stage === "after";
  if (back) {
    parts.push(h("p", { className: "gallery-move", text: api.t("gallery.return_title") }));
    parts.push(h("p", { text: api.t("gallery.return_instruction") }));
    parts.push(h("h3", { text: api.t("gallery.received") }));
    parts.push(data.received.length ? commentList(api, data.received) : h("p", { text: api.t("gallery.none_received") }));
    parts.push(statusLine(data));
    return parts;
  }
  if (data.host) {
    parts.push(h("p", { className: "gallery-host-is", text: api.t("gallery.host_is", { group: data.group, name: data.host.name }) }));
  }
  var step = position.index >= 0 && position.index < data.route.length ? data.route[position.index] : null;
  var walking = data.stage === "rotation" && data.clock.status === "running";
  if (data.is_host) {
    parts.push(h("p", { className: "gallery-move", text: api.t("gallery.stay") }));
  } else if (step && data.stage === "rotation" && data.clock.status) {
    parts.push(h("p", { className: "gallery-move", text: api.t("gallery.go_to", { group: step.group }) }));
  }
  if (data.stage === "rotation" && data.route.length) {
    parts.push(h("p", { className: "gallery-visit", text: api.t("gallery.visit_of", { visit: Math.min(position.index + 1, data.route.length), visits: data.route.length }) }));
  }
  // The time itself is the page's one countdown (see phoneTimer); here only where the walk is.
  if (!walking) parts.push(h("p", { className: "gallery-where", text: countdownText(api, data, position) }));
  if (hostOpen(data)) parts.push(hostChooser(el, api, data));
  if (step && step.group !== null && data.stage === "rotation") {
    parts.push(
      h("section", { className: "gallery-visiting", key: "visit-" + step.group, "aria-label": api.t("gallery.visiting", { group: step.group }) }, [
        h("h3", { text: api.t("gallery.visiting", { group: step.group }) }),
        diamondOf(api, data, step.group),
        commentForm(el, api, data, step.group),
      ])
    );
  }
  parts.push(statusLine(data));
  if (data.is_host) {
    parts.push(h("h3", { text: api.t("gallery.incoming") }));
    parts.push(data.received.length ? commentList(api, data.received) : h("p", { text: api.t("gallery.none_received") }));
  }
  if (data.route.length) parts.push(route(api, data, position));
  if (data.sent.length) {
    parts.push(h("h3", { text: api.t("gallery.sent") }));
    parts.push(h("ul", { className: "gallery-comments" }, data.sent.map(function (c) {
      return h("li", { className: "gallery-comment", key: "sent-" + c.id }, [
        h("span", { className: "gallery-to", text: api.t("gallery.to_group", { group: c.group }) + ": " }),
        c.text,
      ]);
    })));
  }
  return parts;
}

function phone(el, data, api) {
  draw(el, "phone", data, api);
}

// --- projector and facilitator ------------------------------------------------------------

function scheduleView(api, data, position) {
  var box = h("section", { className: "gallery-schedule", "aria-labelledby": "gallery-schedule-title" }, [
    h("h3", { id: "gallery-schedule-title", text: api.t("gallery.schedule") }),
  ]);
  data.schedule.forEach(function (step, i) {
    var list = h("ul", {});
    step.forEach(function (move) {
      list.appendChild(h("li", { text: api.t("gallery.team_visits", { team: move.team, group: move.visits }) }));
    });
    box.appendChild(
      h("div", { className: "gallery-step" + (i === position.index ? " gallery-step-now" : ""), "aria-current": i === position.index ? "step" : null }, [
        h("h4", { text: api.t("gallery.schedule_visit", { visit: i + 1 }) }),
        list,
      ])
    );
  });
  return box;
}

function groupCard(el, api, group, staff) {
  var title = api.t("gallery.group", { group: group.group });
  var card = h("div", { className: "gallery-card", key: "group-" + group.group }, [h("h3", { text: title })]);
  if (staff && (group.people || []).length > 1) {
    // The facilitator names any group's host, at any time (someone left, or the group forgot).
    var id = "gallery-host-" + group.group;
    card.appendChild(h("p", { className: "gallery-host-pick" }, [
      h("label", { for: id, text: api.t("gallery.host_for", { group: group.group }) + " " }),
      h("select", {
        id: id,
        on: { change: function (event) {
          var value = event.currentTarget.value;
          if (value) send(el, api, { type: "gallery_host", participant: value });
        } },
      }, group.people.map(function (person) {
        return h("option", { value: person.id, text: person.name, selected: Boolean(group.host && group.host.id === person.id) });
      })),
    ]));
  } else if (group.host) {
    card.appendChild(h("p", { className: "gallery-host-is", text: api.t("gallery.host_is", { group: group.group, name: group.host.name }) }));
  }
  var diamonds = {};
  diamonds[String(group.group)] = group.diamond;
  card.appendChild(diamondOf(api, { diamonds: diamonds }, group.group));
  card.appendChild(h("h4", { text: api.t("gallery.comments_for", { group: group.group }) }));
  var list = h("ul", { className: "gallery-comments" });
  group.comments.forEach(function (c) {
    if (!staff && c.hidden) return;
    var item = h("li", { className: "gallery-comment" + (c.hidden ? " gallery-comment-hidden" : ""), text: c.text === null ? api.t("gallery.hidden") : c.text });
    if (staff) {
      item.appendChild(document.createTextNode(" "));
      item.appendChild(
        h("button", {
          type: "button",
          "data-key": "hide-" + c.id,
          text: api.t(c.hidden ? "gallery.show" : "gallery.hide"),
          on: {
            click: function () {
              send(el, api, { type: "gallery_hide", comment: c.id, hidden: !c.hidden });
            },
          },
        })
      );
    }
    list.appendChild(item);
  });
  card.appendChild(group.comments.length ? list : h("p", { text: api.t("gallery.none_received") }));
  return card;
}

/* The wall's schedule: a row per group (its host stays, the rest visit), a column per
 * visit, the visit now marked; readable from the back of the room with 12 groups. */
function scheduleTable(api, data, position) {
  var hosts = {};
  data.groups.forEach(function (g) { hosts[g.group] = g.host ? g.host.name : ""; });
  var visits = data.schedule.map(function (step) {
    var to = {};
    step.forEach(function (move) { to[move.team] = move.visits; });
    return to;
  });
  var mark = function (i) { return i === position.index ? "now" : null; };
  return h("table", { className: "gallery-table", "aria-label": api.t("gallery.schedule") }, [
    h("thead", {}, [h("tr", {}, [
      h("th", { scope: "col", text: api.t("gallery.schedule_team") }),
      h("th", { scope: "col", text: api.t("gallery.schedule_host") }),
    ].concat(visits.map(function (_, i) {
      return h("th", { scope: "col", className: mark(i), "aria-current": i === position.index ? "step" : null, text: api.t("gallery.schedule_visit", { visit: i + 1 }) });
    })))]),
    h("tbody", {}, data.groups.map(function (g) {
      return h("tr", { key: "row-" + g.group }, [
        h("th", { scope: "row", text: api.t("gallery.group", { group: g.group }) }),
        h("td", { text: hosts[g.group] }),
      ].concat(visits.map(function (to, i) {
        return h("td", { className: mark(i), text: to[g.group] ? String(to[g.group]) : "–" });
      })));
    })),
  ]);
}

/* The wall in the return phase: what each group got, a card each, as many as fit. */
function returnCards(api, data) {
  return h("div", { className: "gallery-grid" }, data.groups.map(function (g) {
    var shown = g.comments.filter(function (c) { return !c.hidden; });
    return h("div", { className: "gallery-card", key: "group-" + g.group }, [
      h("h3", { text: api.t("gallery.group", { group: g.group }) + " · " + api.t("gallery.comments_count", { count: shown.length }) }),
      shown.length ? h("ul", { className: "gallery-comments", "data-fit-trim": "" }, shown.map(function (c) {
        return h("li", { className: "gallery-comment", key: "c-" + c.id, text: c.text });
      })) : null,
    ]);
  }));
}

function projectorView(api, data, position) {
  var parts = [h("h2", { text: api.t("gallery.title") })];
  if (data.stage === "rotation" && data.schedule.length) {
    parts.push(h("p", { className: "gallery-visit", text: api.t("gallery.visit_of", { visit: Math.min(position.index + 1, data.schedule.length), visits: data.schedule.length }) }));
  }
  var where = countdownText(api, data, position);
  if (where) parts.push(h("p", { className: "gallery-countdown", role: "timer", "aria-live": "off", text: where }));
  if (data.stage === "return" || data.stage === "after") parts.push(returnCards(api, data));
  else if (data.schedule.length) parts.push(scheduleTable(api, data, position));
  return h("div", { className: "gallery gallery-projector" }, parts);
}

function overview(el, api, data, position, staff) {
  var root = h("div", { className: "gallery " + (staff ? "gallery-facilitator" : "gallery-projector") });
  root.appendChild(h("h2", { text: api.t("gallery.title") }));
  if (data.stage === "rotation" && data.schedule.length) {
    root.appendChild(h("p", { className: "gallery-visit", text: api.t("gallery.visit_of", { visit: Math.min(position.index + 1, data.schedule.length), visits: data.schedule.length }) }));
  }
  var where = countdownText(api, data, position);
  if (where) root.appendChild(h("p", { className: "gallery-countdown", role: "timer", "aria-live": "off", text: where }));
  root.appendChild(statusLine(data));
  root.appendChild(scheduleView(api, data, position));
  var grid = h("div", { className: "gallery-grid" });
  data.groups.forEach(function (group) {
    grid.appendChild(groupCard(el, api, group, staff));
  });
  root.appendChild(grid);
  return root;
}

// --- one entry point for every view ----------------------------------------------------------

function draw(el, view, data, api) {
  if (!data) return;
  var position = now(data, api);
  latest.set(el, { view: view, data: data, api: api });
  if (data.stage === "rotation" && data.clock.status === "running") ensureTicker(el);
  var embedded = view === "phone" && data.diamond;
  var key = view + ":" + position.index + ":" + countdownText(api, data, position) + ":" + JSON.stringify(data);
  // Two persistent parts: the walk, and (in the return phase) the group's own diamond,
  // drawn by diamond.js into its own element.
  render(el, function () {
    return [
      h("div", { className: "gallery-main", key: "main", keep: true }),
      h("div", { className: "gallery-diamond", key: "diamond", keep: true, hidden: !embedded }),
    ];
  }, view + ":" + Boolean(embedded));
  render(el.querySelector(":scope > .gallery-main"), function () {
    if (view === "phone") return phoneView(el, api, data, position);
    return view === "projector" ? projectorView(api, data, position) : overview(el, api, data, position, true);
  }, key);
  if (embedded) diamond.phone(el.querySelector(":scope > .gallery-diamond"), data.diamond, Object.assign({}, api, { exercise: data.of }));
}

/* The results: what each group's diamond was told on the walk. */
function results(el, data, api) {
  render(el, function () { return h("div", { className: "gallery gallery-results" }, [returnCards(api, data)]); }, JSON.stringify(data));
}

registerKind("gallery", {
  results: results,
  phone: phone,
  timer: phoneTimer,
  projector: function (el, data, api) { draw(el, "projector", data, api); },
  facilitator: function (el, data, api) { draw(el, "facilitator", data, api); },
});
