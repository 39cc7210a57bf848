/* The live word cloud. Phone: send up to N words, edit or withdraw your own. Projector:
 * the cloud as a picture (drawn by the server, refreshed when the words change) and the
 * top words as text with counts, for everyone and for screen readers. Facilitator: every
 * word with its count, hide / show, merge two words, download PNG and CSV.
 * Data: app/core/kinds/wordcloud.py (mine() and board()). */
import { h, render } from "../lib/dom.js";
import { registerKind } from "../lib/kinds.js";
import { cloudPictureUrl } from "../lib/page.js";
import { into, outboxOf, tell } from "../lib/sending.js";

var TOP = 12;

/* Send from the phone or the facilitator's table; the status line says how it went. */
function answer(el, api, action) {
  return tell(api, action, into(function () { return el.querySelector(".wordcloud-status"); }), { sent: api.t("wordcloud.sent") });
}

// --- phone ------------------------------------------------------------------------------

function phone(el, data, api) {
  var waiting = outboxOf(el, phone, data, api); // the words on their way
  var entries = data.entries || [];
  var left = Math.max(0, (data.max || 0) - entries.length - waiting.items.length);
  var maxlength = String(data.max_length || 30);
  render(el, function () {
    var input;
    var submit = function (event) {
      event.preventDefault();
      var show = into(function () { return el.querySelector(".wordcloud-status"); });
      waiting.sendTyped(api, input, function (word) { return { type: "wordcloud_submit", word: word }; }, show, { sent: api.t("wordcloud.sent") }, { focus: true });
    };
    return [
      h("h2", { text: api.t("wordcloud.title") }),
      h("form", { className: "wordcloud-form", on: { submit: submit } }, [
        h("label", { for: "wordcloud-word", className: "wordcloud-label", text: data.prompt ? api.localize(data.prompt) : api.t("wordcloud.label") }),
        h("div", { className: "wordcloud-row" }, [
          h("input", { id: "wordcloud-word", maxlength: maxlength, autocomplete: "off", enterkeyhint: "send", ref: function (node) { input = node; } }),
          h("button", { type: "submit", className: "button primary", disabled: left === 0, text: api.t("wordcloud.send") }),
        ]),
        h("p", { className: "hint wordcloud-left", text: api.t("wordcloud.left", { left: left, max: data.max }) }),
        h("p", { className: "hint wordcloud-status", role: "status", "aria-live": "polite", keep: true }),
      ]),
      h("ul", { className: "wordcloud-mine" }, entries.map(function (entry) {
        var field;
        return h("li", { key: "entry-" + entry.id }, [
          h("input", { value: entry.text, maxlength: maxlength, "aria-label": api.t("wordcloud.edit_label", { word: entry.text }), ref: function (node) { field = node; } }),
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
      }).concat(waiting.listItems(api.t))),
    ];
  });
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
  return h("ol", { className: "wordcloud-top", "aria-label": api.t("wordcloud.top"), "data-fit-trim": "" }, words.map(function (w) {
    return h("li", {}, [h("span", { className: "wordcloud-word", text: w.text }), " ", h("span", { className: "wordcloud-count", text: String(w.count) })]);
  }));
}

function altText(api, words) {
  return words.length ? api.t("wordcloud.alt", { words: words.slice(0, TOP).map(function (w) { return w.text; }).join(", ") }) : api.t("wordcloud.empty");
}

/* A new picture's address keeps the old one on screen until the new one has loaded (the
 * browser swaps them then), so the cloud never blinks. */
function projector(el, data, api) {
  var words = visible(data);
  render(el, function () {
    return [
      h("h2", { className: "wordcloud-heading", text: api.t("wordcloud.heading", { people: data.people, words: data.entries }) }),
      h("div", { className: "wordcloud-stage" }, [
        h("img", { className: "wordcloud-picture", src: pictureUrl(api, data), width: "1920", height: "1080", alt: altText(api, words) }),
        h("div", { className: "wordcloud-side" }, [words.length ? topList(data, api) : h("p", { text: api.t("wordcloud.empty") })]),
      ]),
    ];
  }, JSON.stringify(data));
}

function results(el, data, api) {
  var words = visible(data);
  render(el, function () {
    return [
      h("img", { className: "wordcloud-picture", src: pictureUrl(api, data), alt: altText(api, words), width: "1920", height: "1080" }),
      h("table", { className: "wordcloud-table" }, [
        h("thead", {}, [h("tr", {}, [h("th", { scope: "col", text: api.t("wordcloud.word") }), h("th", { scope: "col", text: api.t("wordcloud.count") })])]),
        h("tbody", {}, words.map(function (w) { return h("tr", {}, [h("td", { text: w.text }), h("td", { text: String(w.count) })]); })),
      ]),
    ];
  }, JSON.stringify(data));
}

// --- facilitator -------------------------------------------------------------------------

function facilitator(el, data, api) {
  var words = data.words || [];
  var base = window.location.pathname + "/wordcloud/" + encodeURIComponent(api.exercise);
  var shown = words.filter(function (w) { return !w.hidden; });
  render(el, function () { return [
    h("h2", { text: api.t("wordcloud.title") + " – " + api.t("wordcloud.heading", { people: data.people, words: data.entries }) }),
    h("p", {}, [
      h("a", { href: base + ".png", target: "_blank", rel: "noopener", text: api.t("wordcloud.download_png") }),
      " · ",
      h("a", { href: base + ".csv", download: "", text: api.t("wordcloud.download_csv") }),
    ]),
    h("p", { className: "hint wordcloud-status", role: "status", "aria-live": "polite", keep: true }),
    h("table", { className: "wordcloud-table" }, [
      h("thead", {}, [h("tr", {}, [
        h("th", { scope: "col", text: api.t("wordcloud.word") }),
        h("th", { scope: "col", text: api.t("wordcloud.count") }),
        h("th", { scope: "col", text: api.t("wordcloud.actions") }),
      ])]),
      h("tbody", {}, words.map(function (w) {
        var label = w.hidden ? api.t("wordcloud.hidden") : w.text;
        var target = h("select", {
          "aria-label": api.t("wordcloud.merge_label", { word: label }),
          on: { change: function (event) {
            var value = event.currentTarget.value;
            if (value) answer(el, api, { type: "wordcloud_merge", source: w.key, target: value });
          } },
        }, [h("option", { value: "", text: api.t("wordcloud.merge_into") })].concat(shown.filter(function (o) { return o.key !== w.key; }).map(function (o) {
          return h("option", { value: o.key, text: o.text });
        })));
        return h("tr", { key: "word-" + w.key, className: w.hidden ? "hidden-word" : "" }, [
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
    ]),
  ]; }, JSON.stringify(data));
}

/* While hidden on the projector: only how many words came in. */
function summary(data, api) {
  return api.t("wordcloud.heading", { people: data.people, words: data.entries });
}

registerKind("wordcloud", { phone: phone, projector: projector, facilitator: facilitator, results: results, hideable: true, summary: summary });
