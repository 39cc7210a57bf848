/* Shared lists and dot voting. Phone: the group's list (add, edit, remove, progress
 * toward the minimum), then the room list with +/− dot buttons. Projector: every
 * group's list side by side, then the room list with live vote bars (numbers too, not
 * colour only). Facilitator: gather, merge, open/close voting, remove.
 * Data: app/core/kinds/lists.py (mine() and board()). */
import { h, render } from "../lib/dom.js";
import { groupName, registerKind } from "../lib/kinds.js";
import { into, outboxOf, tell } from "../lib/sending.js";

function statusLine(el) {
  return into(function () { return el.querySelector(".lists-status"); });
}

/* Send; the status line says "not sent yet" while it waits, and why it was refused. */
function say(el, api, action) {
  return tell(api, action, statusLine(el));
}

function roomList(el, data, api, controls) {
  var most = Math.max(1, Math.max.apply(null, [0].concat((data.room || []).map(function (r) { return r.votes; }))));
  var rows = data.room || [];
  return h("ol", { className: "lists-room" + (rows.length > 6 ? " many" : ""), "data-fit-trim": "" }, rows.map(function (r) {
    var bar = h("span", { className: "lists-bar" });
    bar.style.width = Math.round((r.votes / most) * 100) + "%";
    return h("li", { key: "room-" + r.id }, [
      h("div", { className: "lists-room-row" }, [
        h("span", { className: "lists-text", text: r.text }),
        h("span", { className: "lists-votes", text: api.t(data.vote === "points" ? "lists.points_total" : "lists.votes", { votes: r.votes }) }),
      ]),
      r.also && r.also.length ? h("p", { className: "hint lists-also", text: api.t("lists.also", { texts: r.also.join(" · ") }) }) : null,
      h("div", { className: "lists-bar-track", "aria-hidden": "true" }, [bar]),
      controls ? controls(r) : null,
    ]);
  }));
}

// --- phone ---------------------------------------------------------------------------------

function phone(el, data, api) {
  var waiting = outboxOf(el, phone, data, api); // the new items on their way
  var items = data.items || [];
  var maxlength = String(data.max_length || 200);
  render(el, function () {
    var input;
    var submit = function (event) {
      event.preventDefault();
      waiting.sendTyped(api, input, function (text) { return { type: "lists_add", text: text }; }, statusLine(el), {}, { focus: true });
    };
    return [
      h("h2", { className: "lists-title", text: data.group ? groupName(api, data.group) : api.t("lists.title") }),
      h("p", { className: "lists-progress", role: "status", "aria-live": "polite",
        text: data.min_items ? api.t("lists.progress", { count: items.length, min: data.min_items }) : api.t("lists.count", { count: items.length }) }),
      h("ul", { className: "lists-mine" }, items.map(function (item) {
        var field;
        return h("li", { key: "item-" + item.id }, [
          h("input", { value: item.text, maxlength: maxlength, "aria-label": api.t("lists.edit_label", { text: item.text }), ref: function (node) { field = node; } }),
          h("button", { type: "button", className: "button small", text: api.t("lists.save"), "aria-label": api.t("lists.save_label", { text: item.text }),
            on: { click: function () { say(el, api, { type: "lists_edit", item: item.id, text: field.value }); } } }),
          h("button", { type: "button", className: "button small danger", text: api.t("lists.remove"), "aria-label": api.t("lists.remove_label", { text: item.text }),
            on: { click: function () { say(el, api, { type: "lists_remove", item: item.id }); } } }),
        ]);
      }).concat(waiting.listItems(api.t))),
      h("form", { className: "lists-form", on: { submit: submit } }, [
        h("label", { for: "lists-text", className: "lists-label", text: data.prompt ? api.localize(data.prompt) : api.t("lists.new_item") }),
        h("div", { className: "lists-row" }, [
          h("input", { id: "lists-text", maxlength: maxlength, autocomplete: "off", ref: function (node) { input = node; } }),
          h("button", { type: "submit", className: "button primary", text: api.t("lists.add") }),
        ]),
      ]),
      h("p", { className: "hint lists-status", role: "status", "aria-live": "polite", keep: true }),
      h("section", { className: "lists-voting" }, data.voting ? (data.vote === "points" ? pointsVote(el, data, api) : dotsVote(el, data, api)) : []),
    ];
  });
}

function dotsVote(el, data, api) {
  return [
    h("h2", { text: api.t("lists.vote_title") }),
    h("p", { className: "lists-dots-left", role: "status", "aria-live": "polite", text: api.t("lists.dots_left", { left: data.dots_left, dots: data.dots }) }),
    roomList(el, data, api, function (r) {
      return h("div", { className: "lists-vote-buttons" }, [
        h("button", { type: "button", className: "button small", text: "−", disabled: r.mine === 0, "aria-label": api.t("lists.unvote", { text: r.text }),
          on: { click: function () { say(el, api, { type: "lists_vote", item: r.id, delta: -1 }); } } }),
        h("span", { className: "lists-my-dots", text: api.t("lists.my_dots", { dots: r.mine }) }),
        h("button", { type: "button", className: "button small primary", text: "+", disabled: data.dots_left === 0, "aria-label": api.t("lists.vote", { text: r.text }),
          on: { click: function () { say(el, api, { type: "lists_vote", item: r.id, delta: 1 }); } } }),
      ]);
    }),
  ];
}

/* Voting by points: each person spreads their points (100) over the room list — ten at a
 * time with the buttons, or any number typed in. */
function pointsVote(el, data, api) {
  var give = function (r, points) {
    var most = r.mine + data.points_left;
    say(el, api, { type: "lists_points", item: r.id, points: Math.max(0, Math.min(most, points)) });
  };
  return [
    h("h2", { text: api.t("lists.points_title", { points: data.points }) }),
    h("p", { className: "lists-dots-left", role: "status", "aria-live": "polite", text: api.t("lists.points_left", { left: data.points_left, points: data.points }) }),
    roomList(el, data, api, function (r) {
      return h("div", { className: "lists-vote-buttons" }, [
        h("button", { type: "button", className: "button small", text: "−10", disabled: r.mine === 0,
          "aria-label": api.t("lists.points_less", { text: r.text }), on: { click: function () { give(r, r.mine - 10); } } }),
        h("input", {
          type: "number", min: "0", max: String(r.mine + data.points_left), step: "1", inputmode: "numeric",
          value: String(r.mine), className: "lists-points-input",
          "aria-label": api.t("lists.points_for", { text: r.text }),
          on: { change: function (e) { var n = parseInt(e.currentTarget.value, 10); if (n >= 0) give(r, n); } },
        }),
        h("button", { type: "button", className: "button small primary", text: "+10", disabled: data.points_left === 0,
          "aria-label": api.t("lists.points_more", { text: r.text }), on: { click: function () { give(r, r.mine + 10); } } }),
      ]);
    }),
  ];
}

/* "Prikkavstemning – 3 har stemt", or with points "Poengfordeling – 3 har stemt". */
function votingOpen(data, api) {
  return api.t(data.vote === "points" ? "lists.points_open" : "lists.voting_open", { voters: data.voters });
}

// --- projector and results -------------------------------------------------------------------

function groupsView(data, api) {
  return h("div", { className: "lists-groups" }, (data.groups || []).map(function (g) {
    return h("section", { className: "lists-group", key: "group-" + g.group }, [
      h("h3", { text: groupName(api, g.group) }),
      h("ul", {}, g.items.map(function (item) { return h("li", { text: item.text }); })),
    ]);
  }));
}

function projector(el, data, api) {
  var showRoom = data.voting || (data.room || []).length > 0;
  render(el, function () {
    return [
      h("h2", { text: showRoom ? (data.voting ? votingOpen(data, api) : api.t("lists.room_title")) : api.t("lists.groups_title") }),
      showRoom ? roomList(el, data, api) : groupsView(data, api),
    ];
  }, JSON.stringify(data));
}

function results(el, data, api) {
  render(el, function () {
    return [groupsView(data, api), (data.room || []).length ? h("h3", { text: api.t("lists.room_title") }) : null, (data.room || []).length ? roomList(el, data, api) : null];
  }, JSON.stringify(data));
}

// --- facilitator -------------------------------------------------------------------------------

function facilitator(el, data, api) {
  var room = data.room || [];
  render(el, function () { return [
    h("h2", { text: api.t("lists.title") }),
    h("div", { className: "controls" }, [
      h("button", { type: "button", className: "button", text: api.t("lists.gather_all"), on: { click: function () { say(el, api, { type: "lists_gather" }); } } }),
      h("button", { type: "button", className: "button primary", text: api.t(data.voting ? "lists.close_voting" : data.vote === "points" ? "lists.open_points" : "lists.open_voting"),
        on: { click: function () { say(el, api, { type: "lists_voting", open: !data.voting }); } } }),
    ]),
    h("p", { className: "hint lists-status", role: "status", "aria-live": "polite", keep: true }),
    groupsView(data, api),
    room.length ? h("h3", { text: api.t("lists.room_title") }) : null,
    room.length ? roomList(el, data, api, function (r) {
      var target = h("select", {
        "aria-label": api.t("lists.merge_label", { text: r.text }),
        on: { change: function (event) {
          var value = event.currentTarget.value;
          if (value) say(el, api, { type: "lists_merge", source: r.id, target: Number(value) });
        } },
      }, [h("option", { value: "", text: api.t("lists.merge_into") })].concat(room.filter(function (o) { return o.id !== r.id; }).map(function (o) {
        return h("option", { value: String(o.id), text: o.text });
      })));
      return h("div", { className: "row-actions" }, [
        target,
        h("button", { type: "button", className: "button small danger", text: api.t("lists.remove"), "aria-label": api.t("lists.remove_label", { text: r.text }),
          on: { click: function () { say(el, api, { type: "lists_remove_room_item", item: r.id }); } } }),
      ]);
    }) : null,
  ]; }, JSON.stringify(data));
}

/* While hidden on the projector: how many items and voters, not which. */
function summary(data, api) {
  if (data.voting) return votingOpen(data, api);
  var items = (data.groups || []).reduce(function (sum, g) { return sum + g.items.length; }, 0);
  return api.t("lists.count", { count: items });
}

registerKind("lists", { phone: phone, projector: projector, facilitator: facilitator, results: results, hideable: true, summary: summary });
