/* The day's results, printable on A4: every exercise's shared outcome, drawn by its
 * kind's `results` renderer (or, where a kind has none, its projector renderer), each in
 * its place drawn with render() (what is in a place is its kind's to draw). */
import { boot, localize, t } from "./lib/boot.js";
import { h, render } from "./lib/dom.js";
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
  if (!container) return;
  var names = Object.keys(exercise).filter(function (name) { return kinds[name]; });
  var places = {};
  render(container, function () {
    return names.map(function (name) {
      return h("div", {
        className: "kind kind-" + name, "data-kind": name, key: "kind-" + name, keep: true,
        ref: function (node) { places[name] = node; },
      });
    });
  });
  names.forEach(function (name) {
    var draw = kinds[name].results || kinds[name].projector;
    draw(places[name], exercise[name], Object.assign({ exercise: exercise.exercise, view: "results" }, api));
  });
});

document.getElementById("print").addEventListener("click", function () { window.print(); });
