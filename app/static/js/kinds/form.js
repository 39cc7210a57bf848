/* Private forms: the phone fills in the person's own answers (each saved as it is given:
 * a tap on a point or an option at once, a text as it is typed); the projector and the
 * facilitator see how many have answered, and the anonymous summary once revealed.
 * Data: app/core/kinds/form.py (mine() and board()). */
import { h, setText } from "../lib/dom.js";
import { registerKind } from "../lib/kinds.js";
import { tell } from "../lib/sending.js";

var drawn = new WeakMap();

function once(el, key, build) {
  if (drawn.get(el) === key) return;
  drawn.set(el, key);
  build();
}

/* One element id per exercise and question, so labels and status lines find their field. */
function fieldId(api, question, suffix) {
  return "form-" + api.exercise + "-" + question.id + (suffix === undefined ? "" : "-" + suffix);
}

// --- the phone ---------------------------------------------------------------------------

var typing = {}; // field id -> timer of a text answer not sent yet
var inflight = {}; // field id -> answers sent and not answered yet
var latest = new WeakMap(); // the kind's element -> {data, api} it was last drawn with

function save(el, api, question, value) {
  var id = fieldId(api, question);
  var line = el.querySelector("#" + fieldId(api, question, "status"));
  var show = function (text) {
    var now = el.querySelector("#" + fieldId(api, question, "status"));
    if (now) now.textContent = text;
  };
  if (line) line.textContent = api.t("form.saving");
  // Offline, only the last answer to a question is sent ("replaces").
  inflight[id] = (inflight[id] || 0) + 1;
  return tell(api, { type: "form_answer", exercise: api.exercise, question: question.id, value: value }, show, {
    replaces: "form:" + api.exercise + ":" + question.id,
    sending: api.t("form.saving"),
    queued: api.t("form.offline"),
    sent: api.t("form.saved"),
  }).then(function (answer) {
    inflight[id] -= 1;
    var last = latest.get(el);
    if (answer.type === "error" && last) fill(el, last.api, last.data); // back to what is saved
    return answer;
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

function choices(el, api, question, type, labels, values, answerOf) {
  var name = fieldId(api, question);
  return h("div", { className: "form-choices form-" + question.type }, labels.map(function (label, i) {
    var id = fieldId(api, question, i);
    var input = h("input", { type: type, id: id, name: name, value: String(values[i]) });
    input.addEventListener("change", function () {
      limit(el, api, question);
      save(el, api, question, answerOf());
    });
    return h("label", { for: id, className: "form-choice" }, [input].concat(label));
  }));
}

function questionView(el, api, question) {
  var id = fieldId(api, question);
  var status = h("p", { className: "hint form-status", id: fieldId(api, question, "status"), role: "status", "aria-live": "polite" });
  var help = api.localize(question.help);
  var helpId = help ? fieldId(api, question, "help") : null;
  var text = api.localize(question.text);
  if (question.type === "short" || question.type === "long") {
    var field = question.type === "short"
      ? h("input", { type: "text", id: id, maxlength: "200", autocomplete: "off", "aria-describedby": helpId })
      : h("textarea", { id: id, rows: "4", maxlength: "4000", "aria-describedby": helpId });
    var send = function () {
      window.clearTimeout(typing[id]);
      delete typing[id];
      save(el, api, question, field.value.trim() ? field.value : null);
    };
    field.addEventListener("input", function () {
      setText(status, api.t("form.saving"));
      window.clearTimeout(typing[id]);
      typing[id] = window.setTimeout(send, 700);
    });
    field.addEventListener("blur", function () { if (typing[id]) send(); });
    return h("div", { className: "form-question", "data-question": question.id }, [
      h("label", { for: id, className: "form-text", text: text }),
      help ? h("p", { className: "hint", id: helpId, text: help }) : null,
      field,
      status,
    ]);
  }
  var points = [];
  var labels = [];
  if (question.type === "scale") {
    for (var p = 1; p <= question.points; p++) { points.push(p); labels.push(scaleLabel(api, question, p)); }
  } else {
    question.options.forEach(function (option, i) { points.push(i); labels.push([h("span", { text: api.localize(option) })]); });
  }
  var inputs = function () { return Array.from(el.querySelectorAll('input[name="' + id + '"]')); };
  var answerOf = function () {
    var picked = inputs().filter(function (input) { return input.checked; }).map(function (input) { return Number(input.value); });
    if (question.type === "multiple") return picked;
    return picked.length ? picked[0] : null;
  };
  var type = question.type === "multiple" ? "checkbox" : "radio";
  var box = choices(el, api, question, type, labels, points, answerOf);
  var hints = [];
  if (help) hints.push(h("p", { className: "hint", id: helpId, text: help }));
  if (question.type === "multiple" && question.max_choices < question.options.length) {
    hints.push(h("p", { className: "hint", text: api.t("form.choose_up_to", { count: question.max_choices }) }));
  }
  if (question.type === "scale") {
    hints.push(h("p", { className: "hint form-ends", "aria-hidden": "true" }, [
      h("span", { text: "1 = " + ends(api, question)[0] }),
      h("span", { text: question.points + " = " + ends(api, question)[1] }),
    ]));
  }
  return h("fieldset", { className: "form-question", "data-question": question.id, "aria-describedby": helpId }, [
    h("legend", { className: "form-text", text: text }),
  ].concat(hints, [box, status]));
}

/* A multiple choice at its most: the options not chosen wait. */
function limit(el, api, question) {
  if (question.type !== "multiple") return;
  var boxes = Array.from(el.querySelectorAll('input[name="' + fieldId(api, question) + '"]'));
  var full = boxes.filter(function (b) { return b.checked; }).length >= question.max_choices;
  boxes.forEach(function (b) { b.disabled = !b.checked && full; });
}

/* The person's saved answers into the fields, except one being typed in or on its way. */
function fill(el, api, data) {
  var answers = data.answers || {};
  data.groups.forEach(function (group) {
    group.questions.forEach(function (question) {
      var id = fieldId(api, question);
      var value = answers[question.id];
      if (question.type === "short" || question.type === "long") {
        var field = el.querySelector("#" + id);
        if (!field || typing[id] || inflight[id] || document.activeElement === field) return;
        var text = value === undefined || value === null ? "" : String(value);
        if (field.value !== text) field.value = text;
        return;
      }
      if (inflight[id]) return; // what the person just tapped stays until the server has it
      var chosen = question.type === "multiple" ? value || [] : value === undefined || value === null ? [] : [value];
      Array.from(el.querySelectorAll('input[name="' + id + '"]')).forEach(function (input) {
        input.checked = chosen.indexOf(Number(input.value)) !== -1;
      });
    });
  });
}

function phone(el, data, api) {
  var key = api.exercise + "|" + JSON.stringify(data.groups) + "|" + JSON.stringify(data.intro);
  once(el, key, function () {
    var parts = [h("h2", { text: api.t("form.title") })];
    var intro = api.localize(data.intro);
    if (intro) parts.push(h("p", { className: "form-intro", text: intro }));
    parts.push(h("p", { className: "hint", text: api.t("form.private") }));
    parts.push(h("p", { className: "hint form-closed", role: "status" }));
    data.groups.forEach(function (group, g) {
      var heading = api.localize(group.heading);
      var headingId = "form-" + api.exercise + "-group-" + g;
      var section = h("section", { className: "form-group", "aria-labelledby": heading ? headingId : null }, [
        heading ? h("h3", { id: headingId, text: heading }) : null,
        api.localize(group.intro) ? h("p", { className: "hint", text: api.localize(group.intro) }) : null,
      ].concat(group.questions.map(function (question) { return questionView(el, api, question); })));
      parts.push(section);
    });
    parts.push(h("p", { className: "form-progress", role: "status", "aria-live": "polite" }));
    el.replaceChildren.apply(el, parts);
  });
  latest.set(el, { data: data, api: api });
  var open = data.open !== false;
  Array.from(el.querySelectorAll("input, textarea")).forEach(function (field) { field.disabled = !open; });
  fill(el, api, data);
  if (open) data.groups.forEach(function (group) { group.questions.forEach(function (q) { limit(el, api, q); }); });
  setText(el.querySelector(".form-closed"), open ? "" : api.t("form.not_now"));
  setText(el.querySelector(".form-progress"), api.t("form.progress", { answered: data.answered, questions: data.questions }));
}

// --- the projector and the facilitator ---------------------------------------------------

function answeredLine(api, data) {
  return api.t("form.answered", { answered: data.answered, participants: data.participants });
}

function summaryView(api, data, big) {
  if (!data.summary) return null;
  var rows = data.summary.map(function (q) {
    var text = api.localize(q.text);
    if (!q.counts) {
      return h("li", { className: "form-summary-question" }, [
        h("p", { className: "form-text", text: text }),
        h("p", { className: "hint", text: api.t("form.too_few", { answers: q.answers, min: data.min_answers }) }),
      ]);
    }
    var most = Math.max.apply(null, q.counts.concat([1]));
    return h("li", { className: "form-summary-question" }, [
      h("p", { className: "form-text", text: text }),
      h("ol", { className: "form-bars", "aria-label": api.t("form.distribution", { text: text }) }, q.counts.map(function (count, i) {
        var bar = h("span", { className: "form-bar" });
        bar.style.width = Math.round((count / most) * 100) + "%";
        return h("li", { className: "form-bar-row" }, [
          h("span", { className: "form-bar-point", text: String(i + 1) }),
          h("span", { className: "form-bar-track", "aria-hidden": "true" }, [bar]),
          h("span", { className: "form-bar-count", text: api.t("form.people", { count: count }) }),
        ]);
      })),
    ]);
  });
  return h("ol", { className: "form-summary" + (big ? " big" : "") }, rows);
}

function projector(el, data, api) {
  once(el, JSON.stringify(data), function () {
    el.replaceChildren(
      h("h2", { text: api.t("form.title") }),
      h("p", { className: "form-answered", text: answeredLine(api, data) }),
      data.revealed ? h("h3", { text: api.t("form.summary_title") }) : h("p", { className: "hint", text: api.t("form.private_room") }),
      summaryView(api, data, true)
    );
  });
}

function facilitator(el, data, api) {
  once(el, JSON.stringify(data), function () {
    var parts = [
      h("h2", { text: api.t("form.title") }),
      h("p", { className: "form-answered", text: answeredLine(api, data) + " " + api.t("form.complete", { complete: data.complete }) }),
      h("p", { className: "hint", text: api.t("form.private_facilitator") }),
    ];
    if (data.summary_allowed) {
      var status = h("p", { className: "hint", role: "status", "aria-live": "polite" });
      parts.push(h("button", {
        type: "button",
        className: "button",
        text: data.revealed ? api.t("form.hide_summary") : api.t("form.show_summary"),
        on: {
          click: function () {
            tell(api, { type: "form_reveal", exercise: api.exercise, shown: !data.revealed }, function (line) { status.textContent = line; });
          },
        },
      }));
      parts.push(status);
    }
    if (data.revealed) parts.push(h("h3", { text: api.t("form.summary_title") }), summaryView(api, data, false));
    el.replaceChildren.apply(el, parts);
  });
}

function results(el, data, api) {
  once(el, JSON.stringify(data), function () {
    el.replaceChildren(h("p", { text: answeredLine(api, data) }), summaryView(api, data, false));
  });
}

registerKind("form", { phone: phone, projector: projector, facilitator: facilitator, results: results });
