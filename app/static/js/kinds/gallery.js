/* Gallery walk: "Gå til gruppe 3" with a countdown to the next move, the visited group's
 * diamond and a comment box on the phone; the host sees comments arriving; in the return
 * phase the group reads every comment it got and may adjust and finalise its diamond
 * (drawn by diamond.js, acting on the diamond exercise named by `of`). Data comes from
 * app/core/kinds/gallery.py (mine() and board()).
 *
 * Timing: the server gives each visit's `start_ms`/`end_ms` from the start of the
 * rotation phase plus the phase clock (`started_at` while running, else `elapsed_ms`).
 * The browser computes the current visit from api.serverNow() once a second and redraws
 * only when the visit changes; the countdown text is updated in place.
 *
 * No inline script or style, text through textContent only.
 */
import { h } from "../lib/dom.js";
import { formatClock } from "../lib/i18n.js";
import { registerKind } from "../lib/kinds.js";
import { sendFrom } from "../lib/sending.js";
import * as diamond from "./diamond.js";

var rendered = new WeakMap(); // element -> the JSON last drawn into it
var latest = new WeakMap(); // element -> {view, data, api}
var tickers = new WeakMap(); // element -> interval id

/* Re-render into `target` only when the data changed, keeping focus, drafts (textareas
 * and inputs with data-key) and the status line. */
function render(target, key, build) {
  if (rendered.get(target) === key) return;
  rendered.set(target, key);
  var active = document.activeElement;
  var focusKey = active && target.contains(active) ? active.getAttribute("data-key") : null;
  var drafts = {};
  target.querySelectorAll("textarea[data-key], input[data-key]").forEach(function (input) {
    drafts[input.getAttribute("data-key")] = input.value;
  });
  var status = target.querySelector(".gallery-status");
  var statusText = status ? status.textContent : "";
  target.replaceChildren(build());
  Object.keys(drafts).forEach(function (k) {
    var input = target.querySelector('[data-key="' + k + '"]');
    if (input && "value" in input) input.value = drafts[k];
  });
  var newStatus = target.querySelector(".gallery-status");
  if (newStatus && statusText) newStatus.textContent = statusText;
  if (focusKey) {
    var again = target.querySelector('[data-key="' + focusKey + '"]');
    if (again) again.focus();
  }
}

function statusLine() {
  return h("p", { className: "gallery-status", role: "status", "aria-live": "polite" });
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

function countdownText(api, data, position) {
  var visits = data.clock.visits || [];
  if (data.clock.status === "paused") return api.t("gallery.paused");
  if (data.clock.status !== "running") return api.t("gallery.waiting");
  if (position.index >= visits.length) return api.t("gallery.walk_over");
  var key = position.index === visits.length - 1 ? "gallery.last_visit" : "gallery.next_move";
  return api.t(key, { time: formatClock(position.left) });
}

/* Once a second: update the countdown in place; redraw when the visit changes. */
function tick(el) {
  var last = latest.get(el);
  if (!last || !el.isConnected) {
    clearInterval(tickers.get(el));
    tickers.delete(el);
    return;
  }
  var position = now(last.data, last.api);
  if (position.index !== last.index) {
    draw(el, last.view, last.data, last.api);
    return;
  }
  var line = el.querySelector(".gallery-countdown");
  if (line) line.textContent = countdownText(last.api, last.data, position);
}

function ensureTicker(el) {
  if (!tickers.has(el)) tickers.set(el, setInterval(function () { tick(el); }, 1000));
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
  var field = h("textarea", { id: id, maxlength: "300", rows: "3", "data-key": "comment-" + group, className: "gallery-textarea" });
  var count = data.sent.length;
  var form = h("form", { className: "gallery-comment-form", novalidate: true }, [
    h("label", { for: id, text: api.t("gallery.comment_label", { group: group }) }),
    field,
    h("button", { type: "submit", "data-key": "comment-send", disabled: count >= data.max, text: api.t("gallery.comment_send") }),
    h("p", { className: "gallery-hint", text: api.t("gallery.comment_count", { count: count, max: data.max }) }),
  ]);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = field.value.trim();
    if (!text) {
      field.focus();
      return;
    }
    send(el, api, { type: "gallery_comment", group: group, text: text }, { sent: api.t("gallery.comment_sent") }).then(function (answer) {
      if (answer.type === "ack") {
        var current = el.querySelector('[data-key="comment-' + group + '"]');
        if (current && current.value.trim() === text) current.value = "";
      }
    });
  });
  return form;
}

function hostChooser(el, api, data) {
  if (!data.members || data.members.length < 2) return null;
  var group = h("div", { className: "gallery-hosts", role: "group", "aria-label": api.t("gallery.choose_host") });
  data.members.forEach(function (person) {
    group.appendChild(
      h("button", {
        type: "button",
        className: "gallery-host-button",
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
  return h("section", { className: "gallery-choose" }, [h("h3", { text: api.t("gallery.choose_host") }), group]);
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
  var root = h("div", { className: "gallery gallery-phone" });
  root.appendChild(h("h2", { text: api.t("gallery.title") }));
  if (data.group === null) {
    root.appendChild(h("p", { className: "gallery-hint", text: api.t("gallery.no_group") }));
    return root;
  }
  var back = data.stage === "return" || data.stage === "after";
  if (back) {
    root.appendChild(h("h3", { className: "gallery-move", text: api.t("gallery.return_title") }));
    root.appendChild(h("p", { text: api.t("gallery.return_instruction") }));
    root.appendChild(h("h3", { text: api.t("gallery.received") }));
    root.appendChild(data.received.length ? commentList(api, data.received) : h("p", { text: api.t("gallery.none_received") }));
    root.appendChild(statusLine());
    return root;
  }
  if (data.host) {
    root.appendChild(h("p", { className: "gallery-host-is", text: api.t("gallery.host_is", { group: data.group, name: data.host.name }) }));
  }
  var step = position.index >= 0 && position.index < data.route.length ? data.route[position.index] : null;
  if (data.is_host) {
    root.appendChild(h("p", { className: "gallery-move", text: api.t("gallery.stay") }));
  } else if (step && data.stage === "rotation" && data.clock.status) {
    root.appendChild(h("p", { className: "gallery-move", text: api.t("gallery.go_to", { group: step.group }) }));
  }
  if (data.stage === "rotation" && data.route.length) {
    root.appendChild(h("p", { className: "gallery-visit", text: api.t("gallery.visit_of", { visit: Math.min(position.index + 1, data.route.length), visits: data.route.length }) }));
  }
  root.appendChild(h("p", { className: "gallery-countdown", role: "timer", "aria-live": "off", text: countdownText(api, data, position) }));
  if (data.stage !== "rotation") {
    var chooser = hostChooser(el, api, data);
    if (chooser) root.appendChild(chooser);
  }
  if (step && step.group !== null && data.stage === "rotation") {
    root.appendChild(
      h("section", { className: "gallery-visiting", "aria-label": api.t("gallery.visiting", { group: step.group }) }, [
        h("h3", { text: api.t("gallery.visiting", { group: step.group }) }),
        diamondOf(api, data, step.group),
        commentForm(el, api, data, step.group),
      ])
    );
  }
  root.appendChild(statusLine());
  if (data.is_host) {
    root.appendChild(h("h3", { text: api.t("gallery.incoming") }));
    root.appendChild(data.received.length ? commentList(api, data.received) : h("p", { text: api.t("gallery.none_received") }));
  }
  if (data.route.length) root.appendChild(route(api, data, position));
  if (data.sent.length) {
    root.appendChild(h("h3", { text: api.t("gallery.sent") }));
    var mine = h("ul", { className: "gallery-comments" });
    data.sent.forEach(function (c) {
      mine.appendChild(h("li", { className: "gallery-comment" }, [
        h("span", { className: "gallery-to", text: api.t("gallery.to_group", { group: c.group }) + ": " }),
        c.text,
      ]));
    });
    root.appendChild(mine);
  }
  return root;
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
  var card = h("section", { className: "gallery-card", "aria-label": title }, [h("h3", { text: title })]);
  if (group.host) card.appendChild(h("p", { className: "gallery-host-is", text: api.t("gallery.host_is", { group: group.group, name: group.host.name }) }));
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

function overview(el, api, data, position, staff) {
  var root = h("div", { className: "gallery " + (staff ? "gallery-facilitator" : "gallery-projector") });
  root.appendChild(h("h2", { text: api.t("gallery.title") }));
  if (data.stage === "rotation" && data.schedule.length) {
    root.appendChild(h("p", { className: "gallery-visit", text: api.t("gallery.visit_of", { visit: Math.min(position.index + 1, data.schedule.length), visits: data.schedule.length }) }));
  }
  root.appendChild(h("p", { className: "gallery-countdown", role: "timer", "aria-live": "off", text: countdownText(api, data, position) }));
  root.appendChild(statusLine());
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
  latest.set(el, { view: view, data: data, api: api, index: position.index });
  if (data.stage === "rotation" && data.clock.status === "running") ensureTicker(el);
  // Two persistent parts, so the embedded diamond keeps its focus and selection.
  var main = el.querySelector(":scope > .gallery-main");
  var sub = el.querySelector(":scope > .gallery-diamond");
  if (!main) {
    main = h("div", { className: "gallery-main" });
    sub = h("div", { className: "gallery-diamond" });
    el.replaceChildren(main, sub);
  }
  var key = view + ":" + position.index + ":" + JSON.stringify(data);
  render(main, key, function () {
    if (view === "phone") return phoneView(el, api, data, position);
    return overview(el, api, data, position, view === "facilitator");
  });
  if (view === "phone" && data.diamond) {
    sub.hidden = false;
    diamond.phone(sub, data.diamond, Object.assign({}, api, { exercise: data.of }));
  } else {
    sub.hidden = true;
  }
}

registerKind("gallery", {
  phone: phone,
  projector: function (el, data, api) { draw(el, "projector", data, api); },
  facilitator: function (el, data, api) { draw(el, "facilitator", data, api); },
});
