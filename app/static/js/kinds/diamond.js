/* Diamond ranking: each group places 9 values in rows 1-2-3-2-1 (row 1 = most important).
 * Data comes from app/core/kinds/diamond.py (mine() and board()).
 *
 * Placing a value works three ways, all ending in the same `diamond_place` action:
 *  - tap: tap a value (it is selected: aria-pressed="true"), then tap a slot;
 *  - drag: HTML5 drag and drop with a mouse, pointer events with touch or a pen (the
 *    slot under the finger when it lifts receives the value);
 *  - keyboard: values and slots are buttons; Enter/Space selects a value, then places it
 *    on the focused slot. Each slot's name says where it is: "Rad 2, plass 1: Tillit".
 * Tapping a filled slot while nothing is selected selects its value, so tapping a second
 * slot moves it there (the two values swap).
 *
 * No inline script or style, text through textContent only.
 */
import { h } from "../lib/dom.js";
import { registerKind } from "../lib/kinds.js";
import { cloudPictureUrl } from "../lib/page.js";
import { sendFrom } from "../lib/sending.js";

var ROWS = [[0], [1, 2], [3, 4, 5], [6, 7], [8]];
var rendered = new WeakMap(); // element -> the JSON last drawn into it
var selection = new WeakMap(); // element -> the selected value (phone only)
var latest = new WeakMap(); // element -> {data, api}, to redraw after a local change

// --- small DOM helpers --------------------------------------------------------------

/* Re-render only when the data changed, keeping the focused control (by data-key), what
 * a person is typing (inputs with data-key) and the status line. */
function render(el, view, data, build) {
  var json = view + ":" + JSON.stringify(data);
  if (rendered.get(el) === json) return;
  rendered.set(el, json);
  var active = document.activeElement;
  var focusKey = active && el.contains(active) ? active.getAttribute("data-key") : null;
  var drafts = {};
  el.querySelectorAll("input[data-key]").forEach(function (input) {
    drafts[input.getAttribute("data-key")] = input.value;
  });
  var status = el.querySelector(".diamond-status");
  var statusText = status ? status.textContent : "";
  el.replaceChildren(build());
  Object.keys(drafts).forEach(function (key) {
    var input = el.querySelector('input[data-key="' + key + '"]');
    if (input) input.value = drafts[key];
  });
  var newStatus = el.querySelector(".diamond-status");
  if (newStatus && statusText) newStatus.textContent = statusText;
  if (focusKey) {
    var target = el.querySelector('[data-key="' + focusKey + '"]');
    if (target) target.focus();
  }
}

function statusLine() {
  return h("p", { className: "diamond-status", role: "status", "aria-live": "polite" });
}

/* Send; the status line says "not sent yet" while it waits, and why it was refused. */
var send = sendFrom(".diamond-status");

function where(slot) {
  for (var r = 0; r < ROWS.length; r++) {
    var place = ROWS[r].indexOf(slot);
    if (place >= 0) return { row: r + 1, place: place + 1 };
  }
  return { row: 0, place: 0 };
}

function sameValue(a, b) {
  return typeof a === "string" && typeof b === "string" && a.toLocaleLowerCase() === b.toLocaleLowerCase();
}

/* A read-only diamond (projector, facilitator, the gallery walk): rows of cells. */
function drawRows(api, rows, label) {
  var box = h("div", { className: "diamond-shape diamond-readonly", role: "list", "aria-label": label });
  rows.forEach(function (row, r) {
    var line = h("div", { className: "diamond-row", role: "presentation" });
    row.forEach(function (value, p) {
      var name = api.t("diamond.slot", { row: r + 1, place: p + 1, value: value || api.t("diamond.slot_empty") });
      line.appendChild(
        h("div", { className: "diamond-cell" + (value ? "" : " diamond-cell-empty"), role: "listitem", "aria-label": name }, [
          value || "·",
        ])
      );
    });
    box.appendChild(line);
  });
  return box;
}

// --- phone -----------------------------------------------------------------------------

function redraw(el) {
  var last = latest.get(el);
  if (last) phone(el, last.data, last.api);
}

function select(el, value) {
  selection.set(el, value);
  redraw(el);
}

function placeOn(el, api, value, slot) {
  selection.delete(el);
  redraw(el);
  send(el, api, { type: "diamond_place", value: value, slot: slot });
}

/* Touch and pen: drag a value (chip or filled slot) and lift over a slot. */
function touchDrag(el, api, node, value) {
  var start = null;
  node.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "mouse") return; // the mouse uses HTML5 drag and drop
    start = { x: event.clientX, y: event.clientY, id: event.pointerId, moved: false };
    if (node.setPointerCapture) node.setPointerCapture(event.pointerId);
  });
  node.addEventListener("pointermove", function (event) {
    if (!start || event.pointerId !== start.id) return;
    if (Math.abs(event.clientX - start.x) + Math.abs(event.clientY - start.y) > 12) {
      start.moved = true;
      node.classList.add("diamond-dragging");
    }
  });
  function finish(event) {
    if (!start || event.pointerId !== start.id) return;
    var moved = start.moved;
    start = null;
    node.classList.remove("diamond-dragging");
    if (!moved || event.type === "pointercancel") return;
    var under = document.elementFromPoint(event.clientX, event.clientY);
    var target = under && under.closest ? under.closest("[data-slot]") : null;
    if (target && el.contains(target)) {
      event.preventDefault();
      placeOn(el, api, value, Number(target.getAttribute("data-slot")));
    }
  }
  node.addEventListener("pointerup", finish);
  node.addEventListener("pointercancel", finish);
}

function mouseDrag(node, value) {
  node.setAttribute("draggable", "true");
  node.addEventListener("dragstart", function (event) {
    event.dataTransfer.setData("text/plain", value);
    event.dataTransfer.effectAllowed = "move";
  });
}

function slotButton(el, api, diamond, slot, selected, locked) {
  var value = diamond.slots[slot];
  var at = where(slot);
  var button = h("button", {
    type: "button",
    className: "diamond-slot" + (value ? " diamond-slot-filled" : "") + (sameValue(value, selected) ? " diamond-slot-selected" : ""),
    "data-slot": slot,
    "data-key": "slot-" + slot,
    "aria-label": api.t("diamond.slot", { row: at.row, place: at.place, value: value || api.t("diamond.slot_empty") }),
    disabled: locked,
    text: value || "+",
    on: {
      click: function () {
        if (selected) placeOn(el, api, selected, slot);
        else if (value) select(el, value);
      },
      dragover: function (event) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
      },
      drop: function (event) {
        event.preventDefault();
        var dropped = event.dataTransfer.getData("text/plain");
        if (dropped) placeOn(el, api, dropped, slot);
      },
    },
  });
  if (value && !locked) {
    mouseDrag(button, value);
    touchDrag(el, api, button, value);
  }
  return button;
}

function diamondEditor(el, api, data, selected) {
  var diamond = data.diamond;
  var locked = diamond.final;
  var shape = h("div", { className: "diamond-shape", role: "group", "aria-label": api.t("diamond.diamond", { group: data.group }) });
  shape.appendChild(h("p", { className: "diamond-end diamond-top", "aria-hidden": "true", text: api.t("diamond.most_important") }));
  ROWS.forEach(function (row, r) {
    var line = h("div", { className: "diamond-row", role: "group", "aria-label": api.t("diamond.row", { row: r + 1 }) });
    row.forEach(function (slot) {
      line.appendChild(slotButton(el, api, diamond, slot, selected, locked));
    });
    shape.appendChild(line);
  });
  shape.appendChild(h("p", { className: "diamond-end diamond-bottom", "aria-hidden": "true", text: api.t("diamond.least_important") }));
  return shape;
}

function pool(el, api, data, selected) {
  var diamond = data.diamond;
  var locked = diamond.final;
  var box = h("section", { className: "diamond-pool", "aria-labelledby": "diamond-pool-title" }, [
    h("h3", { id: "diamond-pool-title", text: api.t("diamond.pool", { count: diamond.pool.length, max: data.max }) }),
  ]);
  if (!diamond.pool.length) {
    box.appendChild(h("p", { className: "diamond-hint", text: api.t("diamond.pool_empty") }));
    return box;
  }
  var list = h("ul", { className: "diamond-chips" });
  diamond.pool.forEach(function (value, i) {
    var slot = diamond.slots.indexOf(value);
    var isSelected = sameValue(value, selected);
    var chip = h("button", {
      type: "button",
      className: "diamond-chip" + (slot >= 0 ? " diamond-chip-placed" : ""),
      "data-key": "value-" + i,
      "aria-pressed": String(isSelected),
      disabled: locked,
      on: {
        click: function () {
          select(el, isSelected ? null : value);
        },
      },
    }, [
      h("span", { className: "diamond-chip-text", text: value }),
      h("span", {
        className: "diamond-chip-where",
        text: slot >= 0 ? api.t("diamond.placed", { row: where(slot).row }) : api.t("diamond.unplaced"),
      }),
    ]);
    if (!locked) {
      mouseDrag(chip, value);
      touchDrag(el, api, chip, value);
    }
    var remove = h("button", {
      type: "button",
      className: "diamond-remove",
      "data-key": "remove-" + i,
      "aria-label": api.t("diamond.remove", { value: value }),
      disabled: locked,
      text: "×",
      on: {
        click: function () {
          if (isSelected) selection.delete(el);
          send(el, api, { type: "diamond_remove", value: value });
        },
      },
    });
    list.appendChild(h("li", { className: "diamond-chip-item" }, [chip, remove]));
  });
  box.appendChild(list);
  return box;
}

function selectedBar(el, api, data, selected) {
  if (!selected) return null;
  var slot = data.diamond.slots.indexOf(selected);
  var bar = h("div", { className: "diamond-selected" }, [h("p", { text: api.t("diamond.selected", { value: selected }) })]);
  if (slot >= 0) {
    var at = where(slot);
    bar.appendChild(
      h("button", {
        type: "button",
        "data-key": "clear-selected",
        text: api.t("diamond.clear", { row: at.row, place: at.place }),
        on: {
          click: function () {
            selection.delete(el);
            redraw(el);
            send(el, api, { type: "diamond_clear", slot: slot });
          },
        },
      })
    );
  }
  bar.appendChild(
    h("button", {
      type: "button",
      "data-key": "unselect",
      text: api.t("diamond.unselect"),
      on: {
        click: function () {
          select(el, null);
        },
      },
    })
  );
  return bar;
}

function addForm(el, api, data) {
  var diamond = data.diamond;
  if (diamond.final || diamond.pool.length >= data.max) return null;
  var input = h("input", {
    id: "diamond-new-" + api.exercise,
    type: "text",
    maxlength: "60",
    autocomplete: "off",
    enterkeyhint: "done",
    "data-key": "new-value",
    className: "diamond-input",
  });
  var form = h("form", { className: "diamond-add", novalidate: true }, [
    h("label", { for: "diamond-new-" + api.exercise, text: api.t("diamond.add_label") }),
    input,
    h("button", { type: "submit", "data-key": "add", text: api.t("diamond.add") }),
  ]);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = input.value.trim();
    if (!value) {
      input.focus();
      return;
    }
    send(el, api, { type: "diamond_add", value: value }).then(function (answer) {
      if (answer.type === "ack") {
        var current = el.querySelector('input[data-key="new-value"]');
        if (current) current.value = "";
      }
    });
  });
  var box = h("div", { className: "diamond-inputs" }, [form]);
  if (data.suggestions && data.suggestions.length) {
    var list = h("ul", { className: "diamond-suggestions", "aria-label": api.t("diamond.suggestions") });
    data.suggestions.forEach(function (value, i) {
      list.appendChild(
        h("li", {}, [
          h("button", {
            type: "button",
            className: "diamond-suggestion",
            "data-key": "suggest-" + i,
            "aria-label": api.t("diamond.suggest", { value: value }),
            text: "+ " + value,
            on: {
              click: function () {
                send(el, api, { type: "diamond_add", value: value });
              },
            },
          }),
        ])
      );
    });
    box.appendChild(h("h3", { text: api.t("diamond.suggestions") }));
    box.appendChild(list);
  }
  return box;
}

function finalControls(el, api, data) {
  var diamond = data.diamond;
  if (diamond.final) {
    return h("div", { className: "diamond-finalise" }, [
      h("p", { className: "diamond-is-final", text: api.t("diamond.is_final") }),
      h("button", {
        type: "button",
        "data-key": "reopen",
        text: api.t("diamond.reopen"),
        on: {
          click: function () {
            send(el, api, { type: "diamond_final", final: false });
          },
        },
      }),
    ]);
  }
  return h("div", { className: "diamond-finalise" }, [
    h("button", {
      type: "button",
      className: "diamond-final-button",
      "data-key": "finalise",
      disabled: !diamond.full,
      "aria-describedby": diamond.full ? null : "diamond-needs-nine",
      text: api.t("diamond.finalise"),
      on: {
        click: function () {
          send(el, api, { type: "diamond_final", final: true });
        },
      },
    }),
    diamond.full ? null : h("p", { id: "diamond-needs-nine", className: "diamond-hint", text: api.t("diamond.needs_nine") }),
  ]);
}

function phone(el, data, api) {
  if (!data) return;
  latest.set(el, { data: data, api: api });
  var selected = selection.get(el) || null;
  // A selected value that left the pool (someone else removed it) is forgotten.
  if (selected && (!data.diamond || !data.diamond.pool.some(function (v) { return sameValue(v, selected); }))) {
    selection.delete(el);
    selected = null;
  }
  render(el, "phone", { data: data, selected: selected }, function () {
    var root = h("div", { className: "diamond diamond-phone" });
    root.appendChild(h("h2", { text: api.t("diamond.title") }));
    if (data.group === null || !data.diamond) {
      root.appendChild(h("p", { className: "diamond-hint", text: api.t("diamond.no_group") }));
      return root;
    }
    root.appendChild(h("p", { className: "diamond-hint", text: api.t(data.diamond.final ? "diamond.is_final" : "diamond.how_to") }));
    root.appendChild(diamondEditor(el, api, data, selected));
    var bar = selectedBar(el, api, data, selected);
    if (bar) root.appendChild(bar);
    root.appendChild(statusLine());
    root.appendChild(pool(el, api, data, selected));
    var form = addForm(el, api, data);
    if (form) root.appendChild(form);
    root.appendChild(finalControls(el, api, data));
    return root;
  });
}

// --- projector and facilitator -----------------------------------------------------------

function ranking(api, data) {
  var box = h("section", { className: "diamond-ranking", "aria-labelledby": "diamond-ranking-title" }, [
    h("h3", { id: "diamond-ranking-title", text: api.t("diamond.ranking") }),
  ]);
  if (!data.ranking.length) {
    box.appendChild(h("p", { text: api.t("diamond.ranking_empty") }));
  } else {
    var list = h("ol", { className: "diamond-ranking-list" });
    data.ranking.forEach(function (entry) {
      list.appendChild(
        h("li", {}, [
          h("span", { className: "diamond-ranking-value", text: entry.value }),
          h("span", { className: "diamond-ranking-points", text: api.t("diamond.points", { points: entry.points }) }),
          h("span", { className: "diamond-ranking-groups", text: api.t("diamond.in_groups", { groups: entry.groups }) }),
        ])
      );
    });
    box.appendChild(list);
  }
  box.appendChild(h("p", { className: "diamond-method", text: api.t(data.method) }));
  return box;
}

function groupCard(api, group) {
  var title = api.t("diamond.group", { group: group.group });
  return h("section", { className: "diamond-card" + (group.final ? " diamond-card-final" : ""), "aria-label": title }, [
    h("h3", {}, [
      title + " ",
      h("span", { className: "diamond-badge", text: api.t(group.final ? "diamond.final" : "diamond.not_final") }),
    ]),
    drawRows(api, group.rows, api.t("diamond.diamond", { group: group.group })),
  ]);
}

function overview(api, data, className) {
  var root = h("div", { className: "diamond " + className });
  root.appendChild(h("h2", { text: api.t("diamond.title") }));
  root.appendChild(
    h("p", { className: "diamond-finals", text: api.t("diamond.finals", { finals: data.finals, groups: data.groups.length }) })
  );
  var grid = h("div", { className: "diamond-grid" });
  data.groups.forEach(function (group) {
    grid.appendChild(groupCard(api, group));
  });
  root.appendChild(grid);
  root.appendChild(ranking(api, data));
  return root;
}

/* The staff screens: earlier word clouds shown as input ("Sett inn ordsky") above the
 * groups' diamonds. The pictures live outside the re-rendered part, so that a change
 * to a diamond does not reload (and blink) them. */
function staffParts(el) {
  var inputs = el.querySelector(":scope > .diamond-inputs");
  if (!inputs) {
    inputs = h("div", { className: "diamond-inputs" });
    el.replaceChildren(inputs, h("div", { className: "diamond-body" }));
  }
  return { inputs: inputs, body: el.querySelector(":scope > .diamond-body") };
}

function showInputs(container, inputs, api) {
  var key = JSON.stringify(inputs);
  if (container.getAttribute("data-shown") === key) return;
  container.setAttribute("data-shown", key);
  container.replaceChildren.apply(container, inputs.map(function (input) {
    var title = api.localize(input.title);
    var src = cloudPictureUrl(input.exercise, input.version);
    return h("figure", { className: "diamond-input" }, [
      h("img", { src: src, alt: api.t("diamond.input_alt", { title: title }), width: "1920", height: "1080" }),
      h("figcaption", { text: api.t("diamond.input", { title: title }) }),
    ]);
  }));
}

function staff(view) {
  return function (el, data, api) {
    if (!data) return;
    var parts = staffParts(el);
    showInputs(parts.inputs, data.inputs || [], api);
    render(parts.body, view, data, function () {
      return overview(api, data, "diamond-" + view);
    });
  };
}

var projector = staff("projector");
var facilitator = staff("facilitator");

registerKind("diamond", { phone: phone, projector: projector, facilitator: facilitator });

// The gallery walk shows the diamonds read-only and lets a group adjust its own.
export { drawRows, phone };
