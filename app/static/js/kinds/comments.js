/* Closing comments: anonymous open comments. The phone writes them (and sees its own),
 * the projector shows them as they arrive, the facilitator can hide one.
 * Data: app/core/kinds/comments.py (mine() and board()). */
(function () {
  "use strict";

  var S = window.Samling;
  var h = S.h;
  var drawn = new WeakMap();

  function once(el, data, build) {
    var key = JSON.stringify(data);
    if (drawn.get(el) === key) return;
    drawn.set(el, key);
    build();
  }

  function phone(el, data, api) {
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
        status.textContent = api.t("comments.sending");
        api.send({ type: "comment_add", text: text }).then(function (answer) {
          if (answer.type === "ack") {
            input.value = "";
            status.textContent = api.t("comments.sent");
          } else {
            status.textContent = api.t("error." + answer.code);
          }
        });
      });
      el.replaceChildren(h("h2", { text: api.t("comments.title") }), form, h("ul", { className: "comment-list mine" }));
    }
    once(el.querySelector("ul"), data, function () {
      var list = el.querySelector("ul");
      list.replaceChildren.apply(list, (data.mine || []).map(function (c) {
        return h("li", { className: c.hidden ? "hidden-comment" : "" }, [c.text, c.hidden ? " (" + api.t("comments.hidden") + ")" : ""]);
      }));
      var left = Math.max(0, (data.max || 0) - (data.mine || []).length);
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
              on: { click: function () { api.send({ type: "comment_hide", comment: c.id, hidden: !c.hidden }); } },
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

  window.SamlingKinds = window.SamlingKinds || {};
  window.SamlingKinds.comments = { phone: phone, projector: projector, facilitator: facilitator, results: results };
})();
