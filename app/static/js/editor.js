/* The program editor: a day built in the browser. The program is plain data (the same as a
 * program file); the server checks it as the facilitator types (problems next to their
 * fields, the planned agenda with clock times) and saves it as a TOML file. Everything is
 * a button, a link or a form field, so the editor works by keyboard. */
import { boot, localize, t } from "./lib/boot.js";
import { byId as $, h, render, setText } from "./lib/dom.js";
import { plannedClock } from "./lib/i18n.js";
import { objectFields, pickField, pickMany, showProblems, valueLabel } from "./editor/form.js";
import {
  duplicateExercise, earlierWith, exerciseOf, getAt, ids, insertMethod, moveExercise,
  newExercise, objectKey, pathKey, prune, removeExercise, renameExercise, setAt,
} from "./editor/model.js";
import { properties, resolve, skeleton } from "./editor/schema.js";

const schema = boot.schema;
const KINDS = boot.kinds; // the exercise kinds' tables (roles, wordcloud, …)
const REFERENCES = boot.references; // "gallery.of" -> the kinds an exercise it names must have
const PHASE_FIELDS = new Set(boot.phase_fields); // "gallery.rotation_phase": a phase of the exercise

const state = {
  program: boot.program || { title: "", exercises: [] },
  id: boot.id,
  name: boot.name,
  selected: 0,
  report: boot.report,
  dirty: false,
  checking: null,
  preview: null, // the last rehearsal room: { key, phone, projector }
};
if (!Array.isArray(state.program.exercises)) state.program.exercises = [];

const exerciseNode = resolve(schema, properties(schema, schema).props.exercises.items);
const words = { text: t("editor.skeleton.text"), id: "q1" };

// --- talking to the server ------------------------------------------------------------------

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = {};
  try {
    data = await response.json();
  } catch (e) {
    data = {};
  }
  return { status: response.status, data };
}

function say(text) {
  setText($("editor-status"), text);
}

/* A change: the server checks the program once she pauses, and the page is drawn then
 * too (typed text is drawn in full at a pause, not at every letter). */
function scheduleCheck() {
  state.dirty = true;
  say(t("editor.unsaved"));
  window.clearTimeout(state.checking);
  state.checking = window.setTimeout(() => {
    draw();
    checkNow();
  }, 300);
}

async function checkNow() {
  try {
    const { status, data } = await post("/editor/check", { program: prune(state.program) });
    if (status === 200) {
      state.report = data;
      draw();
    }
  } catch (e) {
    say(t("editor.offline"));
  }
}

async function save() {
  say(t("editor.saving"));
  const { status, data } = await post("/editor/save", { id: state.id, program: prune(state.program) });
  if (data.problems) {
    state.report = data;
    draw();
  }
  if (status !== 200 || !data.saved) {
    const problems = status === 200 && data.problems && data.problems.length;
    const why = data.error === "sign_in_first" ? t("editor.sign_in_first") : t("editor.not_saved");
    say(problems ? t("editor.not_saved_problems", { count: data.problems.length }) : why);
    if (problems) $("problems").focus();
    return false;
  }
  state.id = data.id;
  state.name = data.name;
  state.dirty = false;
  window.history.replaceState(null, "", "/editor/" + data.id);
  const time = new Date(data.saved_at).toTimeString().slice(0, 5);
  say(t("editor.saved", { name: data.name, time }));
  renderActions();
  return true;
}

// --- the page: one view of the program, drawn again at every change ------------------------

/* Every part of the page from the program, the server's last report and the selection,
 * drawn with render() (lib/dom.js): what changed changes, and the field being typed in,
 * the choice list being arrowed through and the button just pressed keep the focus, the
 * caret and what is half typed. The problems are placed next to their fields in the form
 * being built, before it is drawn. */
function draw() {
  const problems = (state.report && state.report.problems) || [];
  const here = problems.filter((p) => exerciseOf(p.path) === state.selected || exerciseOf(p.path) === -1);
  const day = dayView();
  const exercise = exerciseView();
  const unplaced = showProblems(h("div", {}, [h("div", {}, day), h("div", {}, exercise)]), here);
  const elsewhere = problems.filter((p) => exerciseOf(p.path) !== state.selected && exerciseOf(p.path) !== -1).concat(unplaced);
  render($("day-fields"), () => day);
  render($("exercise-form"), () => exercise);
  drawAgenda();
  render($("problems"), () => problemsView(problems, elsewhere));
}

/* The agenda, drawn again at every letter typed (its key: all it shows). */
function drawAgenda() {
  const report = state.report || {};
  const shown = state.program.exercises.map((exercise) => [objectKey(exercise), exercise.id, exercise.title]);
  const wrong = (report.problems || []).map((p) => exerciseOf(p.path));
  render($("agenda"), agendaView, JSON.stringify([state.selected, state.program.start, report.agenda, wrong, shown]));
  setText($("agenda-total"), totalText());
}

function context() {
  return {
    schema,
    state: state.program,
    t,
    words,
    /* A value changed; `structural`: what the form shows changed with it (a choice, a
     * switch), so it is drawn at once; a letter typed: the agenda at once, the rest when
     * she pauses. */
    change(path, value, structural) {
      if (path.length === 3 && path[0] === "exercises" && path[2] === "id") renameExercise(state.program, path[1], value || "");
      else setAt(state.program, path, value);
      scheduleCheck();
      if (structural) draw();
      else drawAgenda();
    },
    structure() {
      scheduleCheck();
      draw();
    },
    special: (path, key, inner) => special(path, key, inner),
    mapKeys: (path) => roleNames(path[1]),
  };
}

// --- the day's own fields -----------------------------------------------------------------

function dayView() {
  const ctx = context();
  ctx.special = (path, key) => (key === "exercises" ? null : undefined);
  return objectFields(ctx, [], schema);
}

// --- one exercise ---------------------------------------------------------------------------

function roleNames(index) {
  const roles = getAt(state.program, ["exercises", index, "roles"]);
  if (!roles) return [];
  const names = (roles.roles || []).concat(roles.extra ? [roles.extra] : []).map((r) => localize(r.name)).filter(Boolean);
  return Array.from(new Set(names));
}

function steps(exercise) {
  if (exercise.phases && exercise.phases.length) return exercise.phases;
  return [{ kind: "timed", minutes: exercise.minutes || 1 }];
}

function phaseChoices(exercise) {
  return steps(exercise).map((phase, n) => ({
    value: n,
    label: t("editor.phase_choice", { n: n + 1, kind: valueLabel({ t }, "kind", phase.kind), minutes: phase.minutes || phase.minutes_per_person || "" }),
  }));
}

function sectionChoices() {
  const sections = getAt(state.program, ["workbook", "sections"]) || [];
  return sections.map((s) => ({ value: s.id, label: localize(s.title) || s.id }));
}

/* Fields whose valid values depend on the rest of the program: references to earlier
 * exercises, phases of this exercise, workbook sections, and fields that only mean
 * something with another one set. undefined: the generic field. null: not shown. */
function special(path, key, inner) {
  if (path[0] !== "exercises" || typeof path[1] !== "number") return undefined;
  const index = path[1];
  const exercise = state.program.exercises[index];
  const ctx = inner || currentContext;
  const rest = path.slice(2);
  if (rest.length === 1) {
    if (KINDS.includes(key)) return null; // drawn in «Innhold»
    if (key === "minutes" && (exercise.kind === "igp" || exercise.kind === undefined || exercise.kind === "talk")) return null;
    if (key === "selected" && !exercise.optional) return null;
    if (key === "notes_section") return pickField(ctx, path, key, sectionChoices(), true);
    return undefined;
  }
  const dotted = rest.filter((p) => typeof p === "string").join(".");
  if (rest[0] === "phases" && rest.length === 3) {
    if (key === "new_roles" && !(exercise.roles && exercise.roles.rotate)) return null;
    if (key === "new_groups" && !["pairs", "triads", "world_cafe"].includes(exercise.grouping)) return null;
    if (key === "role_cues" && !exercise.roles) return null;
    return undefined;
  }
  if (REFERENCES[dotted]) {
    const choices = earlierWith(state.program, index, REFERENCES[dotted]).map((id) => ({ value: id, label: titleOf(id) }));
    return Array.isArray(getAt(state.program, path)) || key === "sources"
      ? pickMany(ctx, path, key, choices)
      : pickField(ctx, path, key, choices, choices.length === 0);
  }
  if (PHASE_FIELDS.has(dotted)) return pickField(ctx, path, key, phaseChoices(exercise), getAt(state.program, path) === undefined && key === "phase");
  if (key === "section") return pickField(ctx, path, key, sectionChoices(), true);
  return undefined;
}

function titleOf(id) {
  const ex = state.program.exercises.find((e) => e.id === id);
  return ex ? id + " – " + (localize(ex.title) || "") : id;
}

let currentContext = null;

function exerciseView() {
  const index = state.selected;
  const exercise = state.program.exercises[index];
  if (!exercise) return [h("p", { className: "hint", text: t("editor.no_exercise") })];
  const ctx = context();
  currentContext = ctx;
  const path = ["exercises", index];
  const heading = h("h2", { id: "exercise-heading", tabindex: "-1", text: t("editor.exercise_heading", { n: index + 1, title: localize(exercise.title) || exercise.id }) });
  const previews = h("div", { className: "preview-buttons", role: "group", "aria-label": t("editor.preview") }, [
    h("button", { type: "button", className: "button", id: "preview-phone", text: t("editor.preview_phone"), on: { click: () => preview("phone") } }),
    h("button", { type: "button", className: "button", id: "preview-projector", text: t("editor.preview_projector"), on: { click: () => preview("projector") } }),
  ]);
  const fields = objectFields(ctx, path, exerciseNode);
  const { props } = properties(schema, exerciseNode);
  const boxes = KINDS.filter((name) => exercise[name] !== undefined && exercise[name] !== null).map((name) => {
    const kindPath = path.concat([name]);
    const node = resolve(schema, props[name]).anyOf ? resolve(schema, props[name]).anyOf.find((b) => b.$ref) : props[name];
    return h("fieldset", { className: "kind-table kind-" + name, "data-path": pathKey(kindPath), key: "kind-" + name }, [
      h("legend", { text: t("editor.kind." + name) }),
      h("button", { type: "button", className: "button small danger", text: t("editor.remove_kind"), "aria-label": t("editor.remove_kind") + ": " + t("editor.kind." + name), on: { click: () => { delete exercise[name]; ctx.structure(); } } }),
      h("p", { className: "field-error" }),
      ...objectFields(ctx, kindPath, node),
    ]);
  });
  const absent = KINDS.filter((name) => exercise[name] === undefined || exercise[name] === null);
  const adding = absent.length ? h("div", { className: "add-kinds", role: "group", "aria-label": t("editor.add_kind") }, absent.map((name) =>
    h("button", {
      type: "button",
      className: "button small",
      text: "+ " + t("editor.kind." + name),
      key: "add-" + name,
      on: {
        click: () => {
          const node = resolve(schema, props[name]).anyOf.find((b) => b.$ref);
          const table = skeleton(schema, node, words);
          if (name === "gallery") table.of = earlierWith(state.program, index, REFERENCES["gallery.of"]).pop() || "";
          exercise[name] = table;
          ctx.structure();
        },
      },
    })
  )) : null;
  const content = h("fieldset", { className: "exercise-kinds", "data-path": pathKey(path) + ".kinds" }, [
    h("legend", { text: t("editor.kinds") }),
    h("p", { className: "hint", text: t("editor.kinds_hint") }),
    ...boxes,
    adding,
  ]);
  return [heading, previews, ...fields, content];
}

// --- the agenda: order, times, and the list's controls ----------------------------------------

function minutesText(ms) {
  if (ms === null || ms === undefined) return t("editor.minutes_unknown");
  const minutes = Math.round(ms / 6000) / 10;
  return t("agenda.minutes", { minutes: String(minutes).replace(".", boot.lang === "nb" ? "," : ".") });
}

/* The agenda's rows; each is the same row on the page wherever its exercise moves, so
 * the button that moved it keeps the focus. */
function agendaView() {
  const report = state.report || { agenda: [], total_ms: 0 };
  const start = typeof state.program.start === "string" ? state.program.start : null;
  const wrong = new Set((report.problems || []).map((p) => exerciseOf(p.path)));
  return state.program.exercises.map((exercise, index) => {
    const planned = (report.agenda || [])[index] || {};
    const title = localize(exercise.title) || exercise.id || "";
    const tools = h("div", { className: "agenda-controls", role: "group", "aria-label": title }, [
      tool("editor.move_up", title, index === 0, () => select(moveExercise(state.program, index, index - 1), true)),
      tool("editor.move_down", title, index === state.program.exercises.length - 1, () => select(moveExercise(state.program, index, index + 1), true)),
      tool("editor.duplicate", title, false, () => select(duplicateExercise(state.program, index), true)),
      tool("editor.remove", title, state.program.exercises.length <= 1, () => select(removeExercise(state.program, index), true)),
    ]);
    const time = planned.offset_ms !== null && planned.offset_ms !== undefined && start ? plannedClock(start, planned.offset_ms) : "";
    return h("li", { className: "agenda-item" + (index === state.selected ? " current" : "") + (planned.on === false ? " skipped" : ""), key: "exercise-" + objectKey(exercise) }, [
      h("span", { className: "agenda-time", text: time }),
      h("button", {
        type: "button",
        className: "agenda-select",
        "aria-current": index === state.selected ? "true" : null,
        text: title,
        on: { click: () => select(index, false) },
      }),
      wrong.has(index) ? h("span", { className: "agenda-problem", text: t("editor.has_problems") }) : null,
      h("span", { className: "agenda-minutes", text: minutesText(planned.planned_ms) }),
      tools,
    ]);
  });
}

function totalText() {
  const report = state.report || { agenda: [], total_ms: 0 };
  const start = typeof state.program.start === "string" ? state.program.start : null;
  const end = start ? plannedClock(start, report.total_ms || 0) : "";
  return start
    ? t("editor.total_with_end", { minutes: minutesText(report.total_ms), start, end })
    : t("editor.total", { minutes: minutesText(report.total_ms) });
}

function tool(key, title, disabled, click) {
  return h("button", { type: "button", className: "button small", text: t(key), "aria-label": t(key) + ": " + title, disabled, on: { click } });
}

function select(index, changed) {
  state.selected = Math.max(0, index);
  if (changed) scheduleCheck();
  draw();
  if (!changed) $("exercise-heading") && $("exercise-heading").focus();
}

// --- problems: next to their fields, and a list of those elsewhere ---------------------------

function problemsView(problems, elsewhere) {
  if (!problems.length) return h("p", { className: "ok", text: t("editor.no_problems") });
  const items = elsewhere.map((p) => {
    const index = exerciseOf(p.path);
    const where = index >= 0 ? t("editor.problem_in", { n: index + 1, title: localize((state.program.exercises[index] || {}).title) || "" }) : t("editor.problem_day");
    return h("li", {}, [
      index >= 0 && index !== state.selected ? h("button", { type: "button", className: "button small", text: t("editor.go_to"), "aria-label": t("editor.go_to") + ": " + where, on: { click: () => select(index, false) } }) : null,
      " " + where + " – " + p.path.slice(index >= 0 ? 2 : 0).join(".") + ": " + p.message,
    ]);
  });
  return [h("p", { text: t("editor.problem_count", { count: problems.length }) }), items.length ? h("ul", {}, items) : null];
}

// --- adding: a kind and grouping, or a method template -------------------------------------

const exerciseProps = properties(schema, exerciseNode).props;

/* The kind and grouping to add an exercise with, and the method templates. */
function paletteView() {
  const kinds = resolve(schema, exerciseProps.kind).enum || [];
  const groupings = resolve(schema, exerciseProps.grouping).enum || [];
  render($("new-kind"), () => kinds.map((k) => h("option", { value: k, text: valueLabel({ t }, "kind", k) })));
  render($("new-grouping"), () => groupings.map((g) => h("option", { value: g, text: valueLabel({ t }, "grouping", g) })));
  render($("methods"), () => boot.methods.map((method) => h("li", { className: "method" }, [
    h("button", {
      type: "button",
      className: "button small",
      text: t("editor.insert"),
      "aria-label": t("editor.insert") + ": " + localize(method.title),
      on: {
        click: () => {
          const at = state.program.exercises.length ? state.selected + 1 : 0;
          select(insertMethod(state.program, method, at, REFERENCES), true);
        },
      },
    }),
    h("span", { className: "method-title", text: localize(method.title) }),
    h("span", { className: "hint method-description", text: localize(method.description) }),
  ])));
}

$("add-exercise").addEventListener("submit", (event) => {
  event.preventDefault();
  const kind = $("new-kind").value;
  const title = t("editor.new_title." + kind);
  const exercise = newExercise(kind, $("new-grouping").value, title, ids(state.program));
  state.program.exercises.splice(state.selected + 1, 0, exercise);
  select(state.selected + (state.program.exercises.length > 1 ? 1 : 0), true);
});

// --- save, download, start, preview -------------------------------------------------------

function renderActions() {
  const download = $("download");
  download.hidden = !state.id;
  if (state.id) download.setAttribute("href", "/editor/" + state.id + "/download");
  $("start-form").setAttribute("action", state.id ? "/editor/" + state.id + "/start" : "");
}

async function preview(screen) {
  const features = screen === "phone" ? "width=400,height=820" : "width=1280,height=760";
  const win = window.open("", "samling-" + screen, features);
  const key = JSON.stringify([state.selected, prune(state.program)]);
  if (!state.preview || state.preview.key !== key) {
    const { status, data } = await post("/editor/preview", { program: prune(state.program), index: state.selected });
    if (status !== 200 || !data.ok) {
      if (win) win.close();
      const why = status === 429 ? t("start.rate_limited") : t("editor.preview_failed");
      say(status === 200 ? t("editor.preview_problems") : why);
      if (data.problems) {
        state.report = Object.assign({}, state.report, { problems: data.problems });
        draw();
      }
      return;
    }
    state.preview = { key, phone: data.phone, projector: data.projector };
  }
  const url = state.preview[screen];
  if (win) win.location.href = url;
  else window.location.href = url;
  say(t("editor.preview_opened." + screen));
}

$("save").addEventListener("click", save);
$("download").addEventListener("click", async (event) => {
  if (!state.dirty) return;
  event.preventDefault();
  if (await save()) window.location.href = "/editor/" + state.id + "/download";
});
$("start-form").addEventListener("submit", async (event) => {
  if (state.id && !state.dirty) return;
  event.preventDefault();
  if (await save()) event.target.submit();
});
window.addEventListener("beforeunload", (event) => {
  if (state.dirty) {
    event.preventDefault();
    event.returnValue = "";
  }
});

paletteView();
draw();
renderActions();
if (!state.id) {
  state.dirty = true;
  say(t("editor.unsaved"));
}
