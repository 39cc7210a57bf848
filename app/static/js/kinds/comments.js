/* Closing comments: anonymous open comments. The phone writes them (and sees its own),
 * the projector shows them as they arrive, the facilitator can hide one.
 * Data: app/core/kinds/comments.py (mine() and board()). */
import { h } from "../lib/dom.js";
import { registerKind } from "../lib/kinds.js";
import { outboxOf } from "../lib/sending.js";

var drawn = new WeakMap();

function once(el, data, build) {
  var key = JSON.stringify(data);
  if (drawn.get(el) === key) return;
  drawn.set(el, key);
  build();
}

function phone(el, data, api) {
  var waiting = outboxOf(el, phone, data, api); // the comments on their way
  if (!el.querySelector("form")) {
    var input = h("textarea", { id: "comment-text", rows: "3", maxlength: "500" });
    var status = h("p", { className: "hint", role: "status", "aria-live": "polite" });
    var form = h("form", { className: "comment-form" }, [
      h("label", { for: "comment-text", text: api.t("comments.label") }),
      h("p", { className: "hint", text: api.t("comments.anonymous") }),
      input,
      h("button", { type: "submit", className: "button primary", text: api.t("comments.send") }),
      status,
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      // The comment waits in the list below, marked, until the server has it; a
      // refused one comes back into the field.
      input.value = "";
      var show = function (line) { status.textContent = line; };
      waiting.send(api, { type: "comment_add", text: text }, text, show, { sending: api.t("send.sending"), sent: api.t("comments.sent") }).then(function (answer) {
        if (answer.type === "error" && !input.value) input.value = text;
      });
    });
    el.replaceChildren(h("h2", { text: api.t("comments.title") }), form, h("ul", { className: "comment-list mine" }));
  }
  once(el.querySelector("ul"), { data: data, waiting: waiting.items }, function () {
    var list = el.querySelector("ul");
    list.replaceChildren.apply(list, (data.mine || []).map(function (c) {
      return h("li", { className: c.hidden ? "hidden-comment" : "" }, [c.text, c.hidden ? " (" + api.t("comments.hidden") + ")" : ""]);
    }).concat(waiting.listItems(api.t)));
    var left = Math.max(0, (data.max || 0) - (data.mine || []).length - waiting.items.length);
    el.querySelector("button[type=submit]").disabled = left === 0;
  });
}


function shown(data) {
  return (data.comments || []).filter(function (c) { return !c.hidden; });
}

function projector(el, data, api) {
  once(el, data, function () {
    var comments = shown(data).slice().reverse(); // newest first
    el.replaceChildren(
      h("h2", { text: api.t("comments.title") + " (" + comments.length + ")" }),
      h("ul", { className: "comment-wall", "aria-live": "polite" }, comments.map(function (c) {
        return h("li", { text: c.text });
      }))
    );
  });
}

function facilitator(el, data, api) {
  once(el, data, function () {
    el.replaceChildren(
      h("h2", { text: api.t("comments.title") + " (" + (data.comments || []).length + ")" }),
      h("ul", { className: "comment-list" }, (data.comments || []).map(function (c) {
        return h("li", { className: c.hidden ? "hidden-comment" : "" }, [
          h("span", { text: c.hidden ? api.t("comments.hidden") : c.text }),
          " ",
          h("button", {
            type: "button", className: "button small",
            text: c.hidden ? api.t("comments.show") : api.t("comments.hide"),
            "aria-label": (c.hidden ? api.t("comments.show") : api.t("comments.hide")) + " " + api.t("comments.number", { number: c.id }),
            on: { click: function () { api.send({ type: "comment_hide", comment: c.id, hidden: !c.hidden }).catch(function () { /* stopped: the badge says so */ }); } },
          }),
        ]);
      }))
    );
  });
}

function results(el, data, api) {
  once(el, data, function () {
    el.replaceChildren(h("ul", { className: "comment-list" }, shown(data).map(function (c) {
      return h("li", { text: c.text });
    })));
  });
}

registerKind("comments", { phone: phone, projector: projector, facilitator: facilitator, results: results });
