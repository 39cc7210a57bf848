/* The day's results, printable on A4: every exercise's shared outcome, drawn by its
 * kind's `results` renderer (or, where a kind has none, its projector renderer). */
import { boot, localize, t } from "./lib/boot.js";
import { h } from "./lib/dom.js";
import { kinds } from "./lib/kinds.js";

var results = boot.results || { exercises: [] };
var api = {
  state: {},
  send: function () { return Promise.resolve({ type: "error", code: "not_allowed" }); },
  t: t,
  localize: localize,
  serverNow: function () { return Date.now(); },
};

results.exercises.forEach(function (exercise, index) {
  var container = document.querySelector('[data-results="' + index + '"]');
  Object.keys(exercise).forEach(function (name) {
    var kind = kinds[name];
    if (!kind || !container) return;
    var draw = kind.results || kind.projector;
    var el = h("div", { className: "kind kind-" + name, "data-kind": name });
    container.appendChild(el);
    draw(el, exercise[name], Object.assign({ exercise: exercise.exercise, view: "results" }, api));
  });
});

document.getElementById("print").addEventListener("click", function () { window.print(); });
