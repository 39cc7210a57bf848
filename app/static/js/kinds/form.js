/* Private forms: the phone fills in the person's own answers (each saved as it is given:
 * a tap on a point or an option at once, a text as it is typed); the projector and the
 * facilitator see how many have answered, and the anonymous summary once revealed.
 * Data: app/core/kinds/form.py (mine() and board()). */
import { h, render } from "../lib/dom.js";
import { registerKind } from "../lib/kinds.js";
import { into, tell } from "../lib/sending.js";

/* One element id per exercise and question, so labels and status lines find their field. */
function fieldId(api, question, suffix) {
  return "form-" + api.exercise + "-" + question.id + (suffix === undefined ? "" : "-" + suffix);
}

// --- the phone ---------------------------------------------------------------------------

var typing = {}; // field id -> timer of a text answer not sent yet

function save(el, api, question, value) {
  var show = into(function () { return el.querySelector("#" + fieldId(api, question, "status")); });
  show(api.t("form.saving"));
  // Offline, only the last answer to a question is sent ("replaces").
  return tell(api, { type: "form_answer", exercise: api.exercise, question: question.id, value: value }, show, {
    replaces: "form:" + api.exercise + ":" + question.id,
    sending: api.t("form.saving"),
    queued: api.t("form.offline"),
    sent: api.t("form.saved"),
  });
}

function ends(api, question) {
  return [api.localize(question.low) || api.t("form.lowest"), api.localize(question.high) || api.t("form.highest")];
}

/* A point of a scale: the number, and for screen readers the label at its end. */
function scaleLabel(api, question, point) {
  var end = point === 1 ? ends(api, question)[0] : point === question.points ? ends(api, question)[1] : null;
  return [h("span", { text: String(point) }), end ? h("span", { className: "visually-hidden", text: " – " + end }) : null];
}

function status(api, question) {
  return h("p", { className: "hint form-status", id: fieldId(api, question, "status"), role: "status", "aria-live": "polite", keep: true });
}

function textQuestion(el, api, question, value, open, help, helpId) {
  var id = fieldId(api, question);
  var field;
  var send = function () {
    window.clearTimeout(typing[id]);
    delete typing[id];
    save(el, api, question, field.value.trim() ? field.value : null);
  };
  var props = {
    id: id,
    value: value === undefined || value === null ? "" : String(value),
    disabled: !open,
    "aria-describedby": helpId,
    ref: function (node) { field = node; },
    on: {
      input: function () {
        into(function () { return el.querySelector("#" + fieldId(api, question, "status")); })(api.t("form.saving"));
        window.clearTimeout(typing[id]);
        typing[id] = window.setTimeout(send, 700);
      },
      blur: function () { if (typing[id]) send(); },
    },
  };
  var input = question.type === "short"
    ? h("input", Object.assign({ type: "text", maxlength: "200", autocomplete: "off" }, props))
    : h("textarea", Object.assign({ rows: "4", maxlength: "4000" }, props));
  return h("div", { className: "form-question", key: question.id }, [
    h("label", { for: id, className: "form-text", text: api.localize(question.text) }),
    help ? h("p", { className: "hint", id: helpId, text: help }) : null,
    input,
    status(api, question),
  ]);
}

/* The choices now on the page (a tap is there before the server has it). */
function picked(el, api, question) {
  return Array.from(el.querySelectorAll('input[name="' + fieldId(api, question) + '"]'))
    .filter(function (input) { return input.checked; })
    .map(function (input) { return Number(input.value); });
}

/* A multiple choice at its most: the options not chosen wait. */
function limit(el, api, question) {
  var boxes = Array.from(el.querySelectorAll('input[name="' + fieldId(api, question) + '"]'));
  var full = boxes.filter(function (b) { return b.checked; }).length >= question.max_choices;
  boxes.forEach(function (b) { b.disabled = !b.checked && full; });
}

function choiceQuestion(el, api, question, value, open, help, helpId) {
  var name = fieldId(api, question);
  var scale = question.type === "scale";
  var multiple = question.type === "multiple";
  var chosen = multiple ? value || [] : value === undefined || value === null ? [] : [value];
  var full = multiple && chosen.length >= question.max_choices;
  var values = [];
  var labels = [];
  if (scale) {
    for (var p = 1; p <= question.points; p++) { values.push(p); labels.push(scaleLabel(api, question, p)); }
  } else {
    question.options.forEach(function (option, i) { values.push(i); labels.push([h("span", { text: api.localize(option) })]); });
  }
  var change = function () {
    if (multiple) limit(el, api, question);
    var now = picked(el, api, question);
    save(el, api, question, multiple ? now : now.length ? now[0] : null);
  };
  var hints = [];
  if (help) hints.push(h("p", { className: "hint", id: helpId, text: help }));
  if (multiple && question.max_choices < question.options.length) {
    hints.push(h("p", { className: "hint", text: api.t("form.choose_up_to", { count: question.max_choices }) }));
  }
  if (scale) {
    hints.push(h("p", { className: "hint form-ends", "aria-hidden": "true" }, [
      h("span", { text: "1 = " + ends(api, question)[0] }),
      h("span", { text: question.points + " = " + ends(api, question)[1] }),
    ]));
  }
  var box = h("div", { className: "form-choices form-" + question.type }, values.map(function (v, i) {
    var on = chosen.indexOf(v) !== -1;
    return h("label", { for: name + "-" + i, className: "form-choice", key: String(v) }, [
      h("input", {
        type: multiple ? "checkbox" : "radio",
        id: name + "-" + i,
        name: name,
        value: String(v),
        checked: on,
        disabled: !open || (full && !on),
        on: { change: change },
      }),
    ].concat(labels[i]));
  }));
  return h("fieldset", { className: "form-question", key: question.id, "aria-describedby": helpId }, [
    h("legend", { className: "form-text", text: api.localize(question.text) }),
  ].concat(hints, [box, status(api, question)]));
}

function questionView(el, api, question, answers, open) {
  var help = api.localize(question.help);
  var helpId = help ? fieldId(api, question, "help") : null;
  var value = answers[question.id];
  if (question.type === "short" || question.type === "long") return textQuestion(el, api, question, value, open, help, helpId);
  return choiceQuestion(el, api, question, value, open, help, helpId);
}

function phone(el, data, api) {
  var answers = data.answers || {};
  var open = data.open !== false;
  render(el, function () {
    var intro = api.localize(data.intro);
    return [
      h("h2", { text: api.t("form.title") }),
      intro ? h("p", { className: "form-intro", text: intro }) : null,
      h("p", { className: "hint", text: api.t("form.private") }),
      open ? null : h("p", { className: "hint form-closed", role: "status", text: api.t("form.not_now") }),
    ].concat(data.groups.map(function (group, g) {
      var heading = api.localize(group.heading);
      var headingId = "form-" + api.exercise + "-group-" + g;
      return h("section", { className: "form-group", key: headingId, "aria-labelledby": heading ? headingId : null }, [
        heading ? h("h3", { id: headingId, text: heading }) : null,
        api.localize(group.intro) ? h("p", { className: "hint", text: api.localize(group.intro) }) : null,
      ].concat(group.questions.map(function (question) { return questionView(el, api, question, answers, open); })));
    }), [
      h("p", { className: "form-progress", role: "status", "aria-live": "polite", text: api.t("form.progress", { answered: data.answered, questions: data.questions }) }),
    ]);
  });
}

// --- the projector and the facilitator ---------------------------------------------------

function answeredLine(api, data) {
  return api.t("form.answered", { answered: data.answered, participants: data.participants });
}

function summaryView(api, data, big) {
  if (!data.summary) return null;
  // On the wall, the questions by turns when they do not all fit at once.
  return h("ol", { className: "form-summary" + (big ? " big" : ""), "data-fit-trim": big ? "pages" : null }, data.summary.map(function (q) {
    var text = api.localize(q.text);
    if (!q.counts) {
      return h("li", { className: "form-summary-question", key: q.id }, [
        h("p", { className: "form-text", text: text }),
        h("p", { className: "hint", text: api.t("form.too_few", { answers: q.answers, min: data.min_answers }) }),
      ]);
    }
    var most = Math.max.apply(null, q.counts.concat([1]));
    return h("li", { className: "form-summary-question", key: q.id }, [
      h("p", { className: "form-text", text: text }),
      h("ol", { className: "form-bars", "aria-label": api.t("form.distribution", { text: text }) }, q.counts.map(function (count, i) {
        var bar = h("span", { className: "form-bar" });
        bar.style.width = Math.round((count / most) * 100) + "%";
        return h("li", { className: "form-bar-row", key: String(i) }, [
          h("span", { className: "form-bar-point", text: String(i + 1) }),
          h("span", { className: "form-bar-track", "aria-hidden": "true" }, [bar]),
          h("span", { className: "form-bar-count", text: api.t("form.people", { count: count }) }),
        ]);
      })),
    ]);
  }));
}

function projector(el, data, api) {
  render(el, function () {
    return [
      h("h2", { text: api.t("form.title") }),
      h("p", { className: "form-answered", text: answeredLine(api, data) }),
      data.revealed ? h("h3", { text: api.t("form.summary_title") }) : h("p", { className: "hint", text: api.t("form.private_room") }),
      summaryView(api, data, true),
    ];
  }, JSON.stringify(data));
}

function facilitator(el, data, api) {
  render(el, function () {
    var show = into(function () { return el.querySelector(".form-reveal-status"); });
    return [
      h("h2", { text: api.t("form.title") }),
      h("p", { className: "form-answered", text: answeredLine(api, data) + " " + api.t("form.complete", { complete: data.complete }) }),
      h("p", { className: "hint", text: api.t("form.private_facilitator") }),
      data.summary_allowed ? h("button", {
        type: "button",
        className: "button",
        text: data.revealed ? api.t("form.hide_summary") : api.t("form.show_summary"),
        on: { click: function () { tell(api, { type: "form_reveal", exercise: api.exercise, shown: !data.revealed }, show); } },
      }) : null,
      data.summary_allowed ? h("p", { className: "hint form-reveal-status", role: "status", "aria-live": "polite", keep: true }) : null,
      data.revealed ? h("h3", { text: api.t("form.summary_title") }) : null,
      data.revealed ? summaryView(api, data, false) : null,
    ];
  }, JSON.stringify(data));
}

function results(el, data, api) {
  render(el, function () {
    return [h("p", { text: answeredLine(api, data) }), summaryView(api, data, false)];
  }, JSON.stringify(data));
}

registerKind("form", { phone: phone, projector: projector, facilitator: facilitator, results: results });
