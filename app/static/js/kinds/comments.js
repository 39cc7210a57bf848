/* Closing comments: anonymous open comments. The phone writes them (and sees its own),
 * the projector shows them as they arrive, the facilitator can hide one.
 * Data: app/core/kinds/comments.py (mine() and board()). */
import { h, render } from "../lib/dom.js";
import { registerKind } from "../lib/kinds.js";
import { into, outboxOf } from "../lib/sending.js";

function phone(el, data, api) {
  var waiting = outboxOf(el, phone, data, api); // the comments on their way
  var left = Math.max(0, (data.max || 0) - (data.mine || []).length - waiting.items.length);
  render(el, function () {
    var input;
    var submit = function (event) {
      event.preventDefault();
      var show = into(function () { return el.querySelector(".comment-status"); });
      waiting.sendTyped(api, input, function (text) { return { type: "comment_add", text: text }; }, show, { sending: api.t("send.sending"), sent: api.t("comments.sent") });
    };
    return [
      h("h2", { text: api.t("comments.title") }),
      h("form", { className: "comment-form", on: { submit: submit } }, [
        h("label", { for: "comment-text", text: api.t("comments.label") }),
        h("p", { className: "hint", text: api.t("comments.anonymous") }),
        h("textarea", { id: "comment-text", rows: "3", maxlength: "500", ref: function (node) { input = node; } }),
        h("button", { type: "submit", className: "button primary", disabled: left === 0, text: api.t("comments.send") }),
        h("p", { className: "hint comment-status", role: "status", "aria-live": "polite", keep: true }),
      ]),
      h("ul", { className: "comment-list mine" }, (data.mine || []).map(function (c) {
        return h("li", { key: "comment-" + c.id, className: c.hidden ? "hidden-comment" : "" }, [c.text, c.hidden ? " (" + api.t("comments.hidden") + ")" : ""]);
      }).concat(waiting.listItems(api.t))),
    ];
  });
}


function shown(data) {
  return (data.comments || []).filter(function (c) { return !c.hidden; });
}

function projector(el, data, api) {
  var comments = shown(data).slice().reverse(); // newest first
  render(el, function () {
    return [
      h("h2", { text: api.t("comments.title") + " (" + comments.length + ")" }),
      h("ul", { className: "comment-wall", "aria-live": "polite", "data-fit-trim": "" }, comments.map(function (c) {
        return h("li", { key: "comment-" + c.id, text: c.text });
      })),
    ];
  }, JSON.stringify(data));
}

function facilitator(el, data, api) {
  render(el, function () {
    return [
      h("h2", { text: api.t("comments.title") + " (" + (data.comments || []).length + ")" }),
      h("ul", { className: "comment-list" }, (data.comments || []).map(function (c) {
        return h("li", { key: "comment-" + c.id, className: c.hidden ? "hidden-comment" : "" }, [
          h("span", { text: c.hidden ? api.t("comments.hidden") : c.text }),
          " ",
          h("button", {
            type: "button", className: "button small",
            text: c.hidden ? api.t("comments.show") : api.t("comments.hide"),
            "aria-label": (c.hidden ? api.t("comments.show") : api.t("comments.hide")) + " " + api.t("comments.number", { number: c.id }),
            on: { click: function () { api.send({ type: "comment_hide", comment: c.id, hidden: !c.hidden }).catch(function () { /* stopped: the badge says so */ }); } },
          }),
        ]);
      })),
    ];
  }, JSON.stringify(data));
}

function results(el, data, api) {
  render(el, function () {
    return h("ul", { className: "comment-list" }, shown(data).map(function (c) {
      return h("li", { text: c.text });
    }));
  }, JSON.stringify(data));
}

/* While hidden on the projector: only how many comments came in. */
function summary(data, api) {
  return api.t("comments.count", { count: shown(data).length });
}

registerKind("comments", { phone: phone, projector: projector, facilitator: facilitator, results: results, hideable: true, summary: summary });
