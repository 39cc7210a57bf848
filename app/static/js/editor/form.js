/* Forms drawn from the program's schema: each field a labelled control that can only hold
 * what the field may (a choice list for a choice, a number within its limits, bokmål and
 * English side by side for a text), with a place next to it for the server's message.
 * The form is a view (docs/kinds.md, "Drawing"): built afresh from the program at every
 * change and drawn with lib/dom.js's render(), so a field keeps its id from one drawing to
 * the next (its path), listens through `on:` and reads its partner field through a ref. */
import { h } from "../lib/dom.js";
import { applies, fieldInfo, properties, resolve, skeleton } from "./schema.js";
import { clone, getAt, objectKey, pathKey, setAt, textParts, textValue, uniqueId } from "./model.js";

const LONG_TEXTS = new Set(["instruction", "description", "intro", "help", "hint", "prompt", "text"]);
const numbers = new Map(); // a path's key -> its number in the ids, the same at every drawing
// List items (tables) the facilitator opened or just added, and those they folded: by the
// item's own key, so an item keeps its state when it moves in its list.
const opened = new Set();
const closed = new Set();

/* Open a list item the next time the form is drawn (it was just added). */
function openItem(item) {
  opened.add(objectKey(item));
  closed.delete(objectKey(item));
}

/* A phase's kind and minutes, a role's rule, a question's type: on its folded title line. */
function summaryOf(ctx, item) {
  if (!item || typeof item !== "object") return "";
  const parts = [];
  if (item.kind) parts.push(valueLabel(ctx, "kind", item.kind));
  if (item.type) parts.push(valueLabel(ctx, "type", item.type));
  if (item.rule) parts.push(valueLabel(ctx, "rule", item.rule));
  if (item.minutes) parts.push(item.minutes + " min");
  if (item.minutes_per_person) parts.push(item.minutes_per_person + " min/pers.");
  return parts.join(" · ");
}

/* A field's id: the same for the same path at every drawing (so the field on the page
 * stays, with its focus), and no two paths alike ("Leder 1" and "Leder_1" are two roles). */
function controlId(path) {
  const key = pathKey(path);
  if (!numbers.has(key)) numbers.set(key, numbers.size + 1);
  return "f-" + key.replace(/[^a-z0-9_.-]/gi, "_").replace(/\./g, "-") + "-" + numbers.get(key);
}

/* A translated label for field `key`, or the key itself while a text is missing. */
export function labelFor(ctx, key) {
  const text = ctx.t("editor.field." + key);
  return text === "editor.field." + key ? key : text;
}

/* The accessible name: the label, after the list items it sits in ("Fase 2: Minutter"),
 * so that every phase's «Minutter» has a name of its own. */
function nameFor(ctx, key) {
  return (ctx.prefix || "") + labelFor(ctx, key);
}

function within(ctx, text) {
  const inner = Object.create(ctx);
  inner.prefix = (ctx.prefix ? ctx.prefix.replace(/: $/, ", ") : "") + text + ": ";
  return inner;
}

function helpFor(ctx, key) {
  const text = ctx.t("editor.help." + key);
  return text === "editor.help." + key ? "" : text;
}

export function valueLabel(ctx, key, value) {
  const k = "editor.value." + key + "." + String(value).replace(/[^a-z0-9_]/gi, "_");
  const text = ctx.t(k);
  return text === k ? String(value) : text;
}

/* One field: its wrapper (data-path, for messages), label, control and message slot. */
function wrap(ctx, path, key, control, id, options) {
  const error = h("p", { className: "field-error", id: id + "-error" });
  const help = helpFor(ctx, key);
  const helpNode = help ? h("p", { className: "hint field-help", id: id + "-help", text: help }) : null;
  const describe = [helpNode ? id + "-help" : null, id + "-error"].filter(Boolean).join(" ");
  const targets = setDescribed(control, describe);
  if (ctx.prefix && !(options && options.group)) targets.forEach((node) => node.setAttribute("aria-label", nameFor(ctx, key)));
  const label = options && options.group
    ? h("span", { className: "field-label", id: id + "-label", text: labelFor(ctx, key) })
    : h("label", { className: "field-label", for: id, text: labelFor(ctx, key) });
  const className = "field field-" + key + (options && options.inline ? " field-inline" : "");
  return h("div", { className, "data-path": pathKey(path) }, options && options.inline ? [control, label, helpNode, error] : [label, helpNode, control, error]);
}

function setDescribed(control, describe) {
  const targets = control.matches && control.matches("input, select, textarea") ? [control] : Array.from(control.querySelectorAll("input, select, textarea"));
  targets.forEach((node) => node.setAttribute("aria-describedby", describe));
  return targets;
}

function textField(ctx, path, key, info) {
  const id = controlId(path);
  const parts = textParts(getAt(ctx.state, path));
  const long = LONG_TEXTS.has(key);
  const fields = {}; // the two fields on the page
  const update = () => ctx.change(path, textValue(fields.nb.value, fields.en.value));
  const make = (lang, value) => {
    const props = {
      id: id + (lang === "nb" ? "" : "-en"), lang, value, "aria-label": nameFor(ctx, key) + " (" + ctx.t("editor.lang." + lang) + ")",
      ref: (node) => { fields[lang] = node; }, on: { input: update },
    };
    if (info.maxLength) props.maxlength = info.maxLength;
    return long ? h("textarea", Object.assign({ rows: 3 }, props)) : h("input", Object.assign({ type: "text" }, props));
  };
  const nb = make("nb", parts.nb);
  const en = make("en", parts.en);
  const control = h("div", { className: "text-pair" + (long ? " long" : ""), role: "group", "aria-labelledby": id + "-label" }, [
    h("span", { className: "text-lang", "aria-hidden": "true", text: "nb" }),
    nb,
    h("span", { className: "text-lang", "aria-hidden": "true", text: "en" }),
    en,
  ]);
  return wrap(ctx, path, key, control, id, { group: true });
}

function stringField(ctx, path, key, info) {
  const id = controlId(path);
  const type = key === "date" ? "date" : key === "start" ? "time" : "text";
  const props = { id, type, value: getAt(ctx.state, path) || "" };
  if (info.maxLength) props.maxlength = info.maxLength;
  if (key === "id") props.spellcheck = "false";
  props.on = { input: (e) => ctx.change(path, e.currentTarget.value || undefined) };
  return wrap(ctx, path, key, h("input", props), id);
}

function choiceField(ctx, path, key, choices, current, onPick, allowNone) {
  const id = controlId(path);
  const known = choices.some((c) => String(c.value) === String(current));
  const unset = current === undefined || current === null;
  const select = h("select", {
    id,
    value: unset ? (allowNone ? "" : String(choices[0] ? choices[0].value : "")) : String(current),
    on: { change: (e) => onPick(e.currentTarget.value) },
  }, [
    allowNone ? h("option", { value: "", text: ctx.t(allowNone === "default" ? "editor.default" : "editor.none") }) : null,
    ...choices.map((choice) => h("option", { value: String(choice.value), text: choice.label })),
    unset || known ? null : h("option", { value: String(current), text: String(current) + " – " + ctx.t("editor.not_valid") }),
  ]);
  return wrap(ctx, path, key, select, id);
}

function enumField(ctx, path, key, info) {
  const choices = info.options.map((value) => ({ value, label: valueLabel(ctx, key, value) }));
  const current = getAt(ctx.state, path);
  return choiceField(ctx, path, key, choices, current === undefined ? info.default : current, (value) => {
    ctx.change(path, value === String(info.default) ? undefined : value, true);
  }, info.nullable ? "default" : false);
}

function boolField(ctx, path, key, info) {
  const current = getAt(ctx.state, path);
  if (info.nullable) {
    const choices = [
      { value: "true", label: ctx.t("editor.yes") },
      { value: "false", label: ctx.t("editor.no") },
    ];
    return choiceField(ctx, path, key, choices, current === undefined || current === null ? null : String(current), (value) => {
      ctx.change(path, value === "" ? undefined : value === "true", true);
    }, "default");
  }
  const id = controlId(path);
  const box = h("input", {
    id, type: "checkbox", checked: current === undefined ? info.default === true : current === true,
    on: { change: (e) => ctx.change(path, e.currentTarget.checked === (info.default === true) ? undefined : e.currentTarget.checked, true) },
  });
  return wrap(ctx, path, key, box, id, { inline: true });
}

function numberField(ctx, path, key, info) {
  const id = controlId(path);
  const current = getAt(ctx.state, path);
  const props = {
    id, type: "number", inputmode: info.kind === "integer" ? "numeric" : "decimal", step: info.kind === "integer" ? "1" : "any",
    value: current === undefined || current === null ? "" : String(current),
    on: {
      input: (e) => {
        const number = e.currentTarget.value === "" ? undefined : Number(e.currentTarget.value);
        ctx.change(path, number === undefined || Number.isNaN(number) ? undefined : number);
      },
    },
  };
  if (info.min !== undefined) props.min = info.exclusiveMin && info.kind === "integer" ? info.min + 1 : info.min;
  if (info.max !== undefined) props.max = info.max;
  if (info.default !== undefined && info.default !== null) props.placeholder = String(info.default);
  return wrap(ctx, path, key, h("input", props), id);
}

function itemTitle(ctx, key, index, item) {
  const own = item && (item.name || item.heading || item.text || item.title || item.id);
  const name = own ? (typeof own === "string" ? own : own.nb || own.en || "") : "";
  return ctx.t("editor.item." + key, { n: index + 1 }) + (name ? ": " + name : "");
}

/* A list of tables (phases, roles, questions …): each item with move, copy and remove. */
function listField(ctx, path, key, info) {
  const items = getAt(ctx.state, path) || [];
  const help = helpFor(ctx, key);
  const rows = items.map((item, index) => {
    const itemPath = path.concat([index]);
    const title = itemTitle(ctx, key, index, item);
    const tools = h("div", { className: "item-tools", role: "group", "aria-label": title }, [
      toolButton(ctx, "editor.move_up", title, index === 0, () => move(ctx, path, index, index - 1)),
      toolButton(ctx, "editor.move_down", title, index === items.length - 1, () => move(ctx, path, index, index + 1)),
      info.maxItems && items.length >= info.maxItems ? null : toolButton(ctx, "editor.duplicate", title, false, () => {
        const copy = clone(item);
        if (copy && typeof copy === "object" && copy.id) copy.id = uniqueId(copy.id, items.map((i) => i.id));
        items.splice(index + 1, 0, copy);
        openItem(copy);
        ctx.structure();
      }),
      items.length <= info.minItems ? null : toolButton(ctx, "editor.remove", title, false, () => {
        items.splice(index, 1);
        ctx.structure();
      }),
    ]);
    const inner = within(ctx, ctx.t("editor.item." + key, { n: index + 1 }));
    if (info.item.kind !== "object") {
      return h("div", { className: "list-item list-value", "data-path": pathKey(itemPath) }, [scalarField(inner, itemPath, key, info.item), tools]);
    }
    // A table in a list is folded to its title line (open: while short, or as it was left).
    // It is the same item on the page wherever it moves in the list (its key), with its
    // tools: the button that moved it keeps the focus.
    const own = objectKey(item);
    const open = opened.has(own) || (!closed.has(own) && items.length <= 3);
    return h("details", {
      className: "list-item", "data-path": pathKey(itemPath), open, key: "item-" + own,
      on: {
        toggle: (e) => {
          (e.currentTarget.open ? opened : closed).add(own);
          (e.currentTarget.open ? closed : opened).delete(own);
        },
      },
    }, [
      h("summary", { className: "item-title" }, [h("span", { text: title }), h("span", { className: "hint item-summary", text: summaryOf(ctx, item) })]),
      tools,
      h("p", { className: "field-error" }), // a problem of the whole item (a rule without its value)
      ...objectFields(inner, itemPath, info.item.node),
    ]);
  });
  const add = info.maxItems && items.length >= info.maxItems ? null : h("button", {
    type: "button",
    className: "button small",
    text: ctx.t("editor.add_item." + key) === "editor.add_item." + key ? ctx.t("editor.add") : ctx.t("editor.add_item." + key),
    on: {
      click: () => {
        const list = getAt(ctx.state, path) || [];
        let item = info.item.kind === "object" ? skeleton(ctx.schema, info.item.node, ctx.words) : info.item.kind === "text" ? ctx.words.text : "";
        if (item && typeof item === "object" && item.id) item.id = uniqueId(item.id, list.map((i) => i.id));
        if (ctx.newItem) item = ctx.newItem(path, key, item);
        list.push(item);
        setAt(ctx.state, path, list);
        openItem(item);
        ctx.structure();
      },
    },
  });
  return h("fieldset", { className: "list list-" + key, "data-path": pathKey(path) }, [
    h("legend", { text: labelFor(ctx, key) }),
    help ? h("p", { className: "hint", text: help }) : null,
    h("p", { className: "field-error", id: controlId(path) + "-error" }),
    ...rows,
    add,
  ]);
}

function move(ctx, path, from, to) {
  const list = getAt(ctx.state, path);
  const [item] = list.splice(from, 1);
  list.splice(to, 0, item);
  ctx.structure();
}

function toolButton(ctx, key, title, disabled, click) {
  return h("button", { type: "button", className: "button small", text: ctx.t(key), "aria-label": ctx.t(key) + ": " + title, disabled, on: { click } });
}

/* A table that may be left out (round_robin, a scale of its own): a switch, then its fields. */
function optionalObject(ctx, path, key, info) {
  const present = getAt(ctx.state, path) !== undefined && getAt(ctx.state, path) !== null;
  const id = controlId(path);
  const box = h("input", {
    id, type: "checkbox", checked: present,
    on: { change: (e) => ctx.change(path, e.currentTarget.checked ? skeleton(ctx.schema, info.node, ctx.words) : undefined, true) },
  });
  const row = wrap(ctx, path, key, box, id, { inline: true });
  if (!present) return row;
  return h("div", { className: "subtable" }, [row, h("div", { className: "subtable-fields" }, objectFields(ctx, path, info.node))]);
}

/* Role cues: what each of the exercise's roles does in this phase. */
function mapField(ctx, path, key, info) {
  const names = ctx.mapKeys ? ctx.mapKeys(path, key) : [];
  const legend = h("legend", { text: labelFor(ctx, key) });
  if (!names.length) {
    return h("fieldset", { className: "map map-" + key, "data-path": pathKey(path) }, [legend, h("p", { className: "hint", text: ctx.t("editor.map_empty." + key) })]);
  }
  return h("fieldset", { className: "map map-" + key, "data-path": pathKey(path) }, [legend, ...names.map((name) => {
    const cuePath = path.concat([name]);
    const parts = textParts(getAt(ctx.state, cuePath));
    const id = controlId(cuePath);
    const fields = {}; // the two fields on the page
    const update = () => {
      const cues = Object.assign({}, getAt(ctx.state, path) || {});
      const value = textValue(fields.nb.value, fields.en.value);
      if (value === undefined) delete cues[name];
      else cues[name] = value;
      ctx.change(path, Object.keys(cues).length ? cues : undefined);
    };
    const input = (lang, props) => h("input", Object.assign({
      type: "text", lang, value: parts[lang], "aria-label": name + " (" + ctx.t("editor.lang." + lang) + ")",
      ref: (node) => { fields[lang] = node; }, on: { input: update },
    }, props));
    return h("div", { className: "field", "data-path": pathKey(cuePath) }, [
      h("label", { className: "field-label", for: id, text: name }),
      h("div", { className: "text-pair" }, [input("nb", { id }), input("en", { id: id + "-en" })]),
      h("p", { className: "field-error" }),
    ]);
  })]);
}

function scalarField(ctx, path, key, info) {
  if (info.kind === "text") return textField(ctx, path, key, info);
  if (info.kind === "enum") return enumField(ctx, path, key, info);
  if (info.kind === "bool") return boolField(ctx, path, key, info);
  if (info.kind === "integer" || info.kind === "number") return numberField(ctx, path, key, info);
  return stringField(ctx, path, key, info);
}

/* Every field of the table at `path`, in the models' order; `skip` leaves some to the caller.
 * A field that holds only with another's values (a role's value, with its rule) is shown
 * while it holds or while it has a value (so its problem can be seen and mended), and goes
 * with its value when that other field changes so that it no longer holds. */
export function objectFields(ctx, path, node, skip) {
  const { props } = properties(ctx.schema, node);
  const infos = {};
  Object.keys(props).forEach((key) => { infos[key] = fieldInfo(ctx.schema, props[key]); });
  const table = getAt(ctx.state, path);
  const out = [];
  Object.keys(props).forEach((key) => {
    if (skip && skip.has(key)) return;
    const fieldPath = path.concat([key]);
    const info = infos[key];
    if (!applies(info, table, props) && getAt(ctx.state, fieldPath) === undefined) return;
    const dependents = Object.keys(infos).filter((other) => infos[other].onlyWith && key in infos[other].onlyWith);
    const own = dependents.length ? withDependents(ctx, path, props, infos, dependents) : ctx;
    const special = ctx.special && ctx.special(fieldPath, key, own);
    if (special !== undefined) {
      if (special) out.push(special);
      return;
    }
    out.push(field(own, fieldPath, key, info));
  });
  return out;
}

/* A context whose changes also drop the fields beside that no longer hold. */
function withDependents(ctx, path, props, infos, dependents) {
  const inner = Object.create(ctx);
  inner.change = (fieldPath, value, structural) => {
    ctx.change(fieldPath, value, structural);
    const table = getAt(ctx.state, path);
    dependents.forEach((other) => {
      const otherPath = path.concat([other]);
      if (!applies(infos[other], table, props) && getAt(ctx.state, otherPath) !== undefined) ctx.change(otherPath, undefined, true);
    });
  };
  return inner;
}

export function field(ctx, path, key, info) {
  if (info.kind === "object") {
    if (info.nullable) return optionalObject(ctx, path, key, info);
    return h("fieldset", { className: "subtable", "data-path": pathKey(path) }, [h("legend", { text: labelFor(ctx, key) }), ...objectFields(ctx, path, info.node)]);
  }
  if (info.kind === "list") return listField(ctx, path, key, info);
  if (info.kind === "map") return mapField(ctx, path, key, info);
  return scalarField(ctx, path, key, info);
}

/* A choice among given values (a reference to another exercise, a phase, a section). */
export function pickField(ctx, path, key, choices, allowNone) {
  return choiceField(ctx, path, key, choices, getAt(ctx.state, path), (value) => {
    const picked = choices.find((c) => String(c.value) === value);
    ctx.change(path, picked ? picked.value : undefined, true);
  }, allowNone);
}

/* Several of given values, as checkboxes (a diamond's sources). */
export function pickMany(ctx, path, key, choices) {
  const current = new Set(getAt(ctx.state, path) || []);
  return h("fieldset", { className: "pick-many", "data-path": pathKey(path) }, [
    h("legend", { text: labelFor(ctx, key) }),
    choices.length ? null : h("p", { className: "hint", text: ctx.t("editor.no_choices." + key) }),
    ...choices.map((choice) => {
      const id = controlId(path.concat([choice.value]));
      const input = h("input", {
        id, type: "checkbox", checked: current.has(choice.value),
        on: {
          change: (e) => {
            const now = new Set(getAt(ctx.state, path) || []);
            if (e.currentTarget.checked) now.add(choice.value);
            else now.delete(choice.value);
            const ordered = choices.map((c) => c.value).filter((v) => now.has(v));
            ctx.change(path, ordered.length ? ordered : undefined, true);
          },
        },
      });
      return h("div", { className: "field field-inline" }, [input, h("label", { for: id, text: choice.label })]);
    }),
    h("p", { className: "field-error" }),
  ]);
}

export { resolve };

/* Put each problem next to its field (or the nearest field of the form that holds it),
 * in a form just built to be drawn; returns the problems that found no place in it. */
export function showProblems(root, problems) {
  const unplaced = [];
  problems.forEach((problem) => {
    let path = problem.path.slice();
    let target = null;
    while (path.length && !target) {
      target = root.querySelector('[data-path="' + cssEscape(pathKey(path)) + '"]');
      if (!target) path = path.slice(0, -1);
    }
    if (!target) {
      unplaced.push(problem);
      return;
    }
    const slot = Array.from(target.children).find((c) => c.classList && c.classList.contains("field-error")) || target.querySelector(".field-error");
    if (slot) slot.textContent = slot.textContent ? slot.textContent + " " + problem.message : problem.message;
    target.querySelectorAll("input, select, textarea").forEach((node) => node.setAttribute("aria-invalid", "true"));
    for (let node = target; node; node = node.parentElement) if (node.tagName === "DETAILS") node.open = true;
  });
  return unplaced;
}

function cssEscape(text) {
  return text.replace(/["\\]/g, "\\$&");
}
