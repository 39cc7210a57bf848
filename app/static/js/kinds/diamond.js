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
import { h, render } from "../lib/dom.js";
import { registerKind } from "../lib/kinds.js";
import { cloudPictureUrl } from "../lib/page.js";
import { sendFrom } from "../lib/sending.js";

var ROWS = [[0], [1, 2], [3, 4, 5], [6, 7], [8]];
var selection = new WeakMap(); // element -> the selected value (phone only)
var latest = new WeakMap(); // element -> {data, api}, to redraw after a local change
var drags = new WeakMap(); // a value's node -> the touch drag under way

function statusLine() {
  return h("p", { className: "diamond-status", role: "status", "aria-live": "polite", keep: true });
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

/* A value's node can be dragged onto a slot: HTML5 drag and drop with a mouse, pointer
 * events with touch or a pen (the slot under the finger when it lifts receives it). */
function dragging(el, api, value, on) {
  function finish(event) {
    var node = event.currentTarget;
    var start = drags.get(node);
    if (!start || event.pointerId !== start.id) return;
    drags.delete(node);
    node.classList.remove("diamond-dragging");
    if (!start.moved || event.type === "pointercancel") return;
    var under = document.elementFromPoint(event.clientX, event.clientY);
    var target = under && under.closest ? under.closest("[data-slot]") : null;
    if (target && el.contains(target)) {
      event.preventDefault();
      placeOn(el, api, value, Number(target.getAttribute("data-slot")));
    }
  }
  return Object.assign(on, {
    dragstart: function (event) {
      event.dataTransfer.setData("text/plain", value);
      event.dataTransfer.effectAllowed = "move";
    },
    pointerdown: function (event) {
      if (event.pointerType === "mouse") return; // the mouse uses HTML5 drag and drop
      var node = event.currentTarget;
      drags.set(node, { x: event.clientX, y: event.clientY, id: event.pointerId, moved: false });
      if (node.setPointerCapture) node.setPointerCapture(event.pointerId);
    },
    pointermove: function (event) {
      var node = event.currentTarget;
      var start = drags.get(node);
      if (!start || event.pointerId !== start.id) return;
      if (Math.abs(event.clientX - start.x) + Math.abs(event.clientY - start.y) > 12) {
        start.moved = true;
        node.classList.add("diamond-dragging");
      }
    },
    pointerup: finish,
    pointercancel: finish,
  });
}

function slotButton(el, api, diamond, slot, selected, locked) {
  var value = diamond.slots[slot];
  var at = where(slot);
  var on = {
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
  };
  var movable = value && !locked;
  return h("button", {
    type: "button",
    className: "diamond-slot" + (value ? " diamond-slot-filled" : "") + (sameValue(value, selected) ? " diamond-slot-selected" : ""),
    "data-slot": slot,
    "data-key": "slot-" + slot,
    "aria-label": api.t("diamond.slot", { row: at.row, place: at.place, value: value || api.t("diamond.slot_empty") }),
    disabled: locked,
    draggable: movable ? "true" : null,
    text: value || "+",
    on: movable ? dragging(el, api, value, on) : on,
  });
}

function diamondEditor(el, api, data, selected) {
  var diamond = data.diamond;
  var locked = diamond.final;
  var rows = ROWS.map(function (row, r) {
    return h("div", { className: "diamond-row", role: "group", "aria-label": api.t("diamond.row", { row: r + 1 }) }, row.map(function (slot) {
      return slotButton(el, api, diamond, slot, selected, locked);
    }));
  });
  return h("div", { className: "diamond-shape", role: "group", "aria-label": api.t("diamond.diamond", { group: data.group }) }, [
    h("p", { className: "diamond-end diamond-top", "aria-hidden": "true", text: api.t("diamond.most_important") }),
  ].concat(rows, [
    h("p", { className: "diamond-end diamond-bottom", "aria-hidden": "true", text: api.t("diamond.least_important") }),
  ]));
}

/* The values, right under the diamond: tap one to select it. */
function pool(el, api, data, selected) {
  var diamond = data.diamond;
  var locked = diamond.final;
  var title = h("h3", { id: "diamond-pool-title", text: api.t("diamond.pool", { count: diamond.pool.length, max: data.max }) });
  if (!diamond.pool.length) {
    return h("section", { className: "diamond-pool", "aria-labelledby": "diamond-pool-title" }, [
      title,
      h("p", { className: "diamond-hint", text: api.t("diamond.pool_empty") }),
    ]);
  }
  return h("section", { className: "diamond-pool", "aria-labelledby": "diamond-pool-title" }, [
    title,
    h("ul", { className: "diamond-chips" }, diamond.pool.map(function (value) {
      var slot = diamond.slots.indexOf(value);
      var isSelected = sameValue(value, selected);
      var on = { click: function () { select(el, isSelected ? null : value); } };
      return h("li", { className: "diamond-chip-item", key: "value-" + value.toLocaleLowerCase() }, [
        h("button", {
          type: "button",
          className: "diamond-chip" + (slot >= 0 ? " diamond-chip-placed" : ""),
          "aria-pressed": String(isSelected),
          disabled: locked,
          draggable: locked ? null : "true",
          on: locked ? on : dragging(el, api, value, on),
        }, [
          h("span", { className: "diamond-chip-text", text: value }),
          h("span", {
            className: "diamond-chip-where",
            text: slot >= 0 ? api.t("diamond.placed", { row: where(slot).row }) : api.t("diamond.unplaced"),
          }),
        ]),
      ]);
    })),
  ]);
}

/* The first empty slot, from the top of the diamond (-1: the diamond is full). */
function nextFree(diamond) {
  for (var slot = 0; slot < diamond.slots.length; slot++) {
    if (!diamond.slots[slot]) return slot;
  }
  return -1;
}

/* What is selected and what one thumb can do with it, kept in view while the person
 * scrolls between the diamond and the values: place it in the next free slot, take it
 * out of the diamond, remove it, or cancel. */
function selectedBar(el, api, data, selected) {
  var diamond = data.diamond;
  if (!selected || diamond.final) return null;
  var slot = diamond.slots.indexOf(selected);
  var free = nextFree(diamond);
  var buttons = [];
  if (slot < 0 && free >= 0) {
    var at = where(free);
    buttons.push(h("button", {
      type: "button", className: "button primary", "data-key": "place-next",
      text: api.t("diamond.place_next", { row: at.row }),
      on: { click: function () { placeOn(el, api, selected, free); } },
    }));
  }
  if (slot >= 0) {
    var here = where(slot);
    buttons.push(h("button", {
      type: "button", className: "button", "data-key": "clear-selected",
      text: api.t("diamond.clear", { row: here.row, place: here.place }),
      on: { click: function () {
        selection.delete(el);
        redraw(el);
        send(el, api, { type: "diamond_clear", slot: slot });
      } },
    }));
  }
  buttons.push(h("button", {
    type: "button", className: "button danger", "data-key": "remove-selected",
    text: api.t("diamond.remove", { value: selected }),
    on: { click: function () {
      selection.delete(el);
      redraw(el);
      send(el, api, { type: "diamond_remove", value: selected });
    } },
  }));
  buttons.push(h("button", {
    type: "button", className: "button", "data-key": "unselect", text: api.t("diamond.unselect"),
    on: { click: function () { select(el, null); } },
  }));
  return h("div", { className: "diamond-selected", role: "region", "aria-label": api.t("diamond.selected_region") }, [
    h("p", { className: "diamond-selected-text", role: "status", text: api.t("diamond.selected", { value: selected }) }),
    h("div", { className: "diamond-selected-buttons" }, buttons),
  ]);
}

function addForm(el, api, data) {
  var diamond = data.diamond;
  if (diamond.final || diamond.pool.length >= data.max) return null;
  var id = "diamond-new-" + api.exercise;
  var input;
  var submit = function (event) {
    event.preventDefault();
    var value = input.value.trim();
    if (!value) {
      input.focus();
      return;
    }
    var field = input;
    send(el, api, { type: "diamond_add", value: value }).then(function (answer) {
      if (answer.type === "ack" && field.value.trim() === value) field.value = "";
    });
  };
  var form = h("form", { className: "diamond-add", novalidate: true, on: { submit: submit } }, [
    h("label", { for: id, text: api.t("diamond.add_label") }),
    h("input", {
      id: id, type: "text", maxlength: "60", autocomplete: "off", enterkeyhint: "done",
      className: "diamond-input", ref: function (node) { input = node; },
    }),
    h("button", { type: "submit", className: "button", "data-key": "add", text: api.t("diamond.add") }),
  ]);
  var parts = [form];
  if (data.suggestions && data.suggestions.length) {
    parts.push(h("h3", { text: api.t("diamond.suggestions") }));
    parts.push(h("ul", { className: "diamond-suggestions", "aria-label": api.t("diamond.suggestions") }, data.suggestions.map(function (value) {
      return h("li", { key: "suggest-" + value }, [
        h("button", {
          type: "button",
          className: "diamond-suggestion",
          "aria-label": api.t("diamond.suggest", { value: value }),
          text: "+ " + value,
          on: { click: function () { send(el, api, { type: "diamond_add", value: value }); } },
        }),
      ]);
    })));
  }
  return h("div", { className: "diamond-inputs" }, parts);
}

function finalControls(el, api, data) {
  var diamond = data.diamond;
  if (diamond.final) {
    return h("div", { className: "diamond-finalise" }, [
      h("p", { className: "diamond-is-final", text: api.t("diamond.is_final") }),
      h("button", {
        type: "button", className: "button", "data-key": "reopen", text: api.t("diamond.reopen"),
        on: { click: function () { send(el, api, { type: "diamond_final", final: false }); } },
      }),
    ]);
  }
  return h("div", { className: "diamond-finalise" }, [
    h("button", {
      type: "button",
      className: "button primary diamond-final-button",
      "data-key": "finalise",
      disabled: !diamond.full,
      "aria-describedby": diamond.full ? null : "diamond-needs-nine",
      text: api.t("diamond.finalise"),
      on: { click: function () { send(el, api, { type: "diamond_final", final: true }); } },
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
  render(el, function () {
    var parts = [h("h2", { text: api.t("diamond.title") })];
    if (data.group === null || !data.diamond) {
      parts.push(h("p", { className: "diamond-hint", text: api.t("diamond.no_group") }));
      return h("div", { className: "diamond diamond-phone" }, parts);
    }
    parts.push(h("p", { className: "diamond-hint", text: api.t(data.diamond.final ? "diamond.is_final" : "diamond.how_to") }));
    parts.push(diamondEditor(el, api, data, selected));
    parts.push(statusLine());
    parts.push(pool(el, api, data, selected));
    parts.push(selectedBar(el, api, data, selected));
    parts.push(addForm(el, api, data));
    parts.push(finalControls(el, api, data));
    return h("div", { className: "diamond diamond-phone" + (selected ? " diamond-has-selection" : "") }, parts);
  }, JSON.stringify({ data: data, selected: selected }));
}

// --- projector and facilitator -----------------------------------------------------------

function ranking(api, data) {
  var box = h("section", { className: "diamond-ranking", "aria-labelledby": "diamond-ranking-title" }, [
    h("h3", { id: "diamond-ranking-title", text: api.t("diamond.ranking") }),
  ]);
  if (!data.ranking.length) {
    box.appendChild(h("p", { text: api.t("diamond.ranking_empty") }));
  } else {
    var list = h("ol", { className: "diamond-ranking-list", "data-fit-trim": "" });
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
  return h("div", { className: "diamond-card" + (group.final ? " diamond-card-final" : "") }, [
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
  // The projector lays the groups' diamonds out in about as many columns as rows.
  var count = data.groups.length;
  var grid = h("div", { className: "diamond-grid", "data-cols": String(Math.max(1, Math.min(count, 6, Math.ceil(Math.sqrt(count * 1.3))))) });
  data.groups.forEach(function (group) {
    grid.appendChild(groupCard(api, group));
  });
  root.appendChild(grid);
  root.appendChild(ranking(api, data));
  return root;
}

/* The staff screens: earlier word clouds shown as input ("Sett inn ordsky") above the
 * groups' diamonds (a picture on the page stays loaded while the diamonds change). */
function staff(view) {
  return function (el, data, api) {
    if (!data) return;
    render(el, function () {
      return [
        // On the wall the input goes first when the groups' diamonds need the room.
        h("div", { className: "diamond-inputs", "data-fit-drop": "" }, (data.inputs || []).map(function (input) {
          var title = api.localize(input.title);
          return h("figure", { className: "diamond-input", key: "input-" + input.exercise }, [
            h("img", { src: cloudPictureUrl(input.exercise, input.version), alt: api.t("diamond.input_alt", { title: title }), width: "1920", height: "1080" }),
            h("figcaption", { text: api.t("diamond.input", { title: title }) }),
          ]);
        })),
        overview(api, data, "diamond-" + view),
      ];
    }, JSON.stringify(data));
  };
}

var projector = staff("projector");
var facilitator = staff("facilitator");

/* What the projector shows while the facilitator hides the results: how far the groups are. */
function summary(data, api) {
  return api.t("diamond.finals", { finals: data.finals, groups: data.groups.length });
}

/* The results: the groups' diamonds and the ranking; the word cloud that was their input
 * is in its own exercise's results, not printed again here. */
function results(el, data, api) {
  render(el, function () { return overview(api, data, "diamond-results"); }, JSON.stringify(data));
}

registerKind("diamond", { phone: phone, projector: projector, facilitator: facilitator, results: results, hideable: true, summary: summary });

// The gallery walk shows the diamonds read-only and lets a group adjust its own.
export { drawRows, phone };
