/* The live word cloud. Phone: send up to N words, edit or withdraw your own. Projector:
 * the cloud as a picture (drawn by the server, refreshed when the words change) and the
 * top words as text with counts, for everyone and for screen readers. Facilitator: every
 * word with its count, hide / show, merge two words, download PNG and CSV.
 * Data: app/core/kinds/wordcloud.py (mine() and board()). */
import { h } from "../lib/dom.js";
import { registerKind } from "../lib/kinds.js";
import { cloudPictureUrl } from "../lib/page.js";
import { into, outboxOf, tell } from "../lib/sending.js";

var drawn = new WeakMap();
var TOP = 12;

function changed(el, view, data) {
  var key = view + JSON.stringify(data);
  if (drawn.get(el) === key) return false;
  drawn.set(el, key);
  return true;
}

/* Send from the phone or the facilitator's table; the status line says how it went. */
function answer(el, api, action) {
  return tell(api, action, into(function () { return el.querySelector(".wordcloud-status"); }), { sent: api.t("wordcloud.sent") });
}

// --- phone ------------------------------------------------------------------------------

function phone(el, data, api) {
  var waiting = outboxOf(el, phone, data, api); // the words on their way
  if (!el.querySelector(".wordcloud-form")) {
    var input = h("input", { id: "wordcloud-word", maxlength: String(data.max_length || 30), autocomplete: "off", enterkeyhint: "send" });
    var form = h("form", { className: "wordcloud-form" }, [
      h("label", { for: "wordcloud-word", className: "wordcloud-label" }),
      h("div", { className: "wordcloud-row" }, [
        input,
        h("button", { type: "submit", className: "button primary", text: api.t("wordcloud.send") }),
      ]),
      h("p", { className: "hint wordcloud-left" }),
      h("p", { className: "hint wordcloud-status", role: "status", "aria-live": "polite" }),
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var word = input.value.trim();
      if (!word) return;
      // The word leaves the field at once and waits in the list, marked, until the
      // server has it; a refused word comes back into the field.
      input.value = "";
      input.focus();
      var status = el.querySelector(".wordcloud-status");
      var show = function (text) { status.textContent = text; };
      waiting.send(api, { type: "wordcloud_submit", word: word }, word, show, { sent: api.t("wordcloud.sent") }).then(function (reply) {
        if (reply.type === "error" && !input.value) input.value = word;
      });
    });
    el.replaceChildren(h("h2", { text: api.t("wordcloud.title") }), form, h("ul", { className: "wordcloud-mine" }));
  }
  if (!changed(el, "phone", { data: data, waiting: waiting.items })) return;
  var entries = data.entries || [];
  var left = Math.max(0, (data.max || 0) - entries.length - waiting.items.length);
  el.querySelector(".wordcloud-label").textContent = data.prompt ? api.localize(data.prompt) : api.t("wordcloud.label");
  el.querySelector(".wordcloud-left").textContent = api.t("wordcloud.left", { left: left, max: data.max });
  el.querySelector(".wordcloud-form button").disabled = left === 0;
  var list = el.querySelector(".wordcloud-mine");
  list.replaceChildren.apply(list, entries.map(function (entry) {
    var field = h("input", { value: entry.text, maxlength: String(data.max_length || 30), "aria-label": api.t("wordcloud.edit_label", { word: entry.text }) });
    return h("li", {}, [
      field,
      h("button", {
        type: "button", className: "button small", text: api.t("wordcloud.save"),
        "aria-label": api.t("wordcloud.save_label", { word: entry.text }),
        on: { click: function () { answer(el, api, { type: "wordcloud_edit", entry: entry.id, word: field.value }); } },
      }),
      h("button", {
        type: "button", className: "button small danger", text: api.t("wordcloud.withdraw"),
        "aria-label": api.t("wordcloud.withdraw_label", { word: entry.text }),
        on: { click: function () { answer(el, api, { type: "wordcloud_withdraw", entry: entry.id }); } },
      }),
    ]);
  }).concat(waiting.listItems(api.t)));
}

// --- projector and results ---------------------------------------------------------------

function visible(data) {
  return (data.words || []).filter(function (w) { return !w.hidden; });
}

function pictureUrl(api, data) {
  return cloudPictureUrl(api.exercise, data.version);
}

function topList(data, api) {
  var words = visible(data).slice(0, TOP);
  return h("ol", { className: "wordcloud-top", "aria-label": api.t("wordcloud.top") }, words.map(function (w) {
    return h("li", {}, [h("span", { className: "wordcloud-word", text: w.text }), " ", h("span", { className: "wordcloud-count", text: String(w.count) })]);
  }));
}

function projector(el, data, api) {
  if (!el.querySelector(".wordcloud-picture")) {
    var img = h("img", { className: "wordcloud-picture", width: "1920", height: "1080", alt: "" });
    // Swap in a new picture only once it has loaded, so the cloud never blinks.
    img.addEventListener("error", function () { img.removeAttribute("data-loading"); });
    el.replaceChildren(
      h("h2", { className: "wordcloud-heading" }),
      h("div", { className: "wordcloud-stage" }, [img, h("div", { className: "wordcloud-side" })])
    );
  }
  if (!changed(el, "projector", data)) return;
  var words = visible(data);
  el.querySelector(".wordcloud-heading").textContent = api.t("wordcloud.heading", { people: data.people, words: data.entries });
  var picture = el.querySelector(".wordcloud-picture");
  var next = new Image();
  next.onload = function () { picture.src = next.src; };
  next.src = pictureUrl(api, data);
  picture.alt = words.length ? api.t("wordcloud.alt", { words: words.slice(0, TOP).map(function (w) { return w.text; }).join(", ") }) : api.t("wordcloud.empty");
  var side = el.querySelector(".wordcloud-side");
  side.replaceChildren(words.length ? topList(data, api) : h("p", { text: api.t("wordcloud.empty") }));
}

function results(el, data, api) {
  if (!changed(el, "results", data)) return;
  var words = visible(data);
  el.replaceChildren(
    h("img", { className: "wordcloud-picture", src: pictureUrl(api, data), alt: api.t("wordcloud.alt", { words: words.slice(0, TOP).map(function (w) { return w.text; }).join(", ") }), width: "1920", height: "1080" }),
    h("table", { className: "wordcloud-table" }, [
      h("thead", {}, [h("tr", {}, [h("th", { scope: "col", text: api.t("wordcloud.word") }), h("th", { scope: "col", text: api.t("wordcloud.count") })])]),
      h("tbody", {}, words.map(function (w) { return h("tr", {}, [h("td", { text: w.text }), h("td", { text: String(w.count) })]); })),
    ])
  );
}

// --- facilitator -------------------------------------------------------------------------

function facilitator(el, data, api) {
  if (!changed(el, "facilitator", data)) return;
  if (el.contains(document.activeElement) && document.activeElement.tagName === "SELECT") return;
  var words = data.words || [];
  var base = window.location.pathname + "/wordcloud/" + encodeURIComponent(api.exercise);
  var shown = words.filter(function (w) { return !w.hidden; });
  el.replaceChildren(
    h("h2", { text: api.t("wordcloud.title") + " – " + api.t("wordcloud.heading", { people: data.people, words: data.entries }) }),
    h("p", {}, [
      h("a", { href: base + ".png", target: "_blank", rel: "noopener", text: api.t("wordcloud.download_png") }),
      " · ",
      h("a", { href: base + ".csv", download: "", text: api.t("wordcloud.download_csv") }),
    ]),
    h("p", { className: "hint wordcloud-status", role: "status", "aria-live": "polite" }),
    h("table", { className: "wordcloud-table" }, [
      h("thead", {}, [h("tr", {}, [
        h("th", { scope: "col", text: api.t("wordcloud.word") }),
        h("th", { scope: "col", text: api.t("wordcloud.count") }),
        h("th", { scope: "col", text: api.t("wordcloud.actions") }),
      ])]),
      h("tbody", {}, words.map(function (w) {
        var label = w.hidden ? api.t("wordcloud.hidden") : w.text;
        var target = h("select", { "aria-label": api.t("wordcloud.merge_label", { word: label }) },
          [h("option", { value: "", text: api.t("wordcloud.merge_into") })].concat(shown.filter(function (o) { return o.key !== w.key; }).map(function (o) {
            return h("option", { value: o.key, text: o.text });
          })));
        target.addEventListener("change", function () {
          if (target.value) answer(el, api, { type: "wordcloud_merge", source: w.key, target: target.value });
        });
        return h("tr", { className: w.hidden ? "hidden-word" : "" }, [
          h("td", { text: label }),
          h("td", { text: String(w.count) }),
          h("td", { className: "row-actions" }, [
            h("button", {
              type: "button", className: "button small",
              text: w.hidden ? api.t("wordcloud.show") : api.t("wordcloud.hide"),
              "aria-label": (w.hidden ? api.t("wordcloud.show") : api.t("wordcloud.hide")) + " " + label,
              on: { click: function () { answer(el, api, { type: "wordcloud_hide", word: w.key, hidden: !w.hidden }); } },
            }),
            w.hidden ? null : target,
          ]),
        ]);
      })),
    ])
  );
}

registerKind("wordcloud", { phone: phone, projector: projector, facilitator: facilitator, results: results });
