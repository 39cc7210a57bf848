/* The day's results, printable on A4: every exercise's shared outcome, drawn by its
 * kind's `results` renderer (or, where a kind has none, its projector renderer). */
(function () {
  "use strict";

  var S = window.Samling;
  var kinds = window.SamlingKinds || {};
  var results = S.boot.results || { exercises: [] };
  var api = {
    state: {},
    send: function () { return Promise.resolve({ type: "error", code: "not_allowed" }); },
    t: S.t,
    localize: S.localize,
    serverNow: function () { return Date.now(); },
  };

  results.exercises.forEach(function (exercise, index) {
    var container = document.querySelector('[data-results="' + index + '"]');
    Object.keys(exercise).forEach(function (name) {
      var kind = kinds[name];
      if (!kind || !container) return;
      var draw = kind.results || kind.projector;
      var el = S.h("div", { className: "kind kind-" + name, "data-kind": name });
      container.appendChild(el);
      draw(el, exercise[name], Object.assign({ exercise: exercise.exercise, view: "results" }, api));
    });
  });

  document.getElementById("print").addEventListener("click", function () { window.print(); });
})();
