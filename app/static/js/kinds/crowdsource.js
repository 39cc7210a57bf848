/* 25/10 Crowd Sourcing: the phone writes its card (a bold idea and the first step), then
 * scores the card it is dealt each round from 1 to 5 (never its own, never the scores the
 * card got before); the projector shows how far the room is and, at the end, the top ten
 * counting down; the facilitator reveals them one by one.
 * Data: app/core/kinds/crowdsource.py (mine() and board()). */
import { h, render } from "../lib/dom.js";
import { registerKind } from "../lib/kinds.js";
import { sendFrom } from "../lib/sending.js";

var send = sendFrom(".crowdsource-status");

/* Draw the view (lib/dom.js's render keeps what is being typed and the focus). */
function draw(el, view, data, build) {
  render(el, build, view + ":" + JSON.stringify(data));
}

function statusLine() {
  return h("p", { id: "crowdsource-status", className: "crowdsource-status", role: "status", "aria-live": "polite", keep: true });
}

function card(c) {
  return h("div", { className: "crowdsource-card" }, [
    h("p", { className: "crowdsource-idea", text: c.idea }),
    h("p", { className: "crowdsource-step", text: c.step }),
  ]);
}

function ranking(api, entries) {
  return h("ol", { className: "crowdsource-ranking", "aria-live": "polite" }, entries.map(function (e) {
    return h("li", { value: String(e.place), className: e.place === 1 ? "first" : "" }, [
      h("span", { className: "crowdsource-place", text: api.t("crowdsource.place", { place: e.place }) }),
      card(e),
      e.total !== undefined ? h("span", { className: "crowdsource-total", text: api.t("crowdsource.total", { total: e.total, scores: e.scores }) }) : null,
    ]);
  }));
}

function writeForm(el, api, data) {
  var mine = data.mine || { idea: "", step: "" };
  var idea, step; // the fields on the page
  var submit = function (event) {
    event.preventDefault();
    if (!idea.value.trim() || !step.value.trim()) {
      var missing = !idea.value.trim() ? idea : step;
      missing.setAttribute("aria-invalid", "true");
      el.querySelector(".crowdsource-status").textContent = api.t("crowdsource.both");
      missing.focus();
      return;
    }
    idea.removeAttribute("aria-invalid");
    step.removeAttribute("aria-invalid");
    send(el, api, { type: "crowdsource_write", idea: idea.value, step: step.value }, { sent: api.t("crowdsource.written") });
  };
  return h("form", { className: "crowdsource-write", novalidate: true, on: { submit: submit } }, [
    h("label", { for: "crowdsource-idea", text: api.t("crowdsource.idea") }),
    h("textarea", { id: "crowdsource-idea", rows: "3", maxlength: "300", value: mine.idea, "aria-describedby": "crowdsource-status", ref: function (node) { idea = node; } }),
    h("label", { for: "crowdsource-step", text: api.t("crowdsource.step") }),
    h("textarea", { id: "crowdsource-step", rows: "2", maxlength: "300", value: mine.step, "aria-describedby": "crowdsource-status", ref: function (node) { step = node; } }),
    h("button", { type: "submit", className: "button primary", "data-key": "write", text: data.mine ? api.t("crowdsource.update") : api.t("crowdsource.write") }),
  ]);
}

function scoring(el, api, data) {
  var box = h("section", { className: "crowdsource-score" }, [
    h("h3", { text: api.t("crowdsource.round", { round: data.round, rounds: data.rounds }) }),
  ]);
  if (!data.card) {
    box.appendChild(h("p", { text: api.t("crowdsource.no_card") }));
    return box;
  }
  box.appendChild(card(data.card));
  var buttons = h("div", { className: "crowdsource-scale", role: "group", "aria-label": api.t("crowdsource.scale") });
  for (var score = 1; score <= 5; score++) {
    (function (score) {
      buttons.appendChild(h("button", {
        type: "button", className: "button", "data-key": "score-" + score, "aria-pressed": String(data.score === score),
        text: String(score), "aria-label": api.t("crowdsource.score_label", { score: score }),
        on: { click: function () { send(el, api, { type: "crowdsource_score", card: data.card.id, score: score }); } },
      }));
    })(score);
  }
  box.appendChild(buttons);
  box.appendChild(h("p", { className: "hint", text: api.t("crowdsource.scale_hint") }));
  return box;
}

function phone(el, data, api) {
  if (!data) return;
  draw(el, "phone", data, function () {
    var root = h("div", { className: "crowdsource crowdsource-phone" }, [h("h2", { text: api.t("crowdsource.title") })]);
    if (data.prompt && api.localize(data.prompt)) root.appendChild(h("p", { className: "crowdsource-prompt", text: api.localize(data.prompt) }));
    if (data.stage === "write") root.appendChild(writeForm(el, api, data));
    else if (data.stage === "score") root.appendChild(scoring(el, api, data));
    else if (data.stage === "reveal") {
      root.appendChild(data.ranking.length ? ranking(api, data.ranking) : h("p", { text: api.t("crowdsource.wait_reveal") }));
    }
    if (data.stage === "write" && data.mine) root.appendChild(h("p", { className: "hint", text: api.t("crowdsource.anonymous") }));
    root.appendChild(statusLine());
    return root;
  });
}

function progress(api, data) {
  if (data.stage === "write") return api.t("crowdsource.cards", { cards: data.cards });
  if (data.stage === "score") return api.t("crowdsource.scored", { round: data.round, rounds: data.rounds, scored: data.scored, dealt: data.dealt });
  if (data.stage === "reveal") return api.t("crowdsource.revealed", { revealed: data.revealed, top: data.top });
  return "";
}

function projector(el, data, api) {
  if (!data) return;
  draw(el, "projector", data, function () {
    return h("div", { className: "crowdsource crowdsource-projector" }, [
      h("h2", { text: api.t("crowdsource.title") }),
      h("p", { className: "crowdsource-progress", text: progress(api, data) }),
      data.stage === "reveal" ? ranking(api, data.ranking) : null,
    ]);
  });
}

function facilitator(el, data, api) {
  if (!data) return;
  draw(el, "facilitator", data, function () {
    var root = h("div", { className: "crowdsource crowdsource-facilitator" }, [
      h("h2", { text: api.t("crowdsource.title") }),
      h("p", { className: "crowdsource-progress", text: progress(api, data) }),
    ]);
    if (data.stage === "reveal") {
      root.appendChild(h("div", { className: "crowdsource-controls" }, [
        h("button", { type: "button", className: "button primary", "data-key": "reveal", disabled: data.revealed >= data.top,
          text: api.t("crowdsource.reveal_next"), on: { click: function () { send(el, api, { type: "crowdsource_reveal" }); } } }),
        h("button", { type: "button", className: "button", "data-key": "reveal-all", disabled: data.revealed >= data.top,
          text: api.t("crowdsource.reveal_all"), on: { click: function () { send(el, api, { type: "crowdsource_reveal", all: true }); } } }),
      ]));
      root.appendChild(ranking(api, data.ranking));
    } else {
      root.appendChild(h("p", { className: "hint", text: api.t("crowdsource.facilitator_hint") }));
    }
    root.appendChild(statusLine());
    return root;
  });
}

function results(el, data, api) {
  if (!data) return;
  draw(el, "results", data, function () {
    return ranking(api, data.ranking);
  });
}

registerKind("crowdsource", { phone: phone, projector: projector, facilitator: facilitator, results: results });
