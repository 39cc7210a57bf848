/* What a field of the program may hold, read from the models' JSON schema (the server
 * sends Program.model_json_schema()): the editor's forms come from it, so they offer only
 * what a program file may say, and a new field in a model shows up in the editor. */

export function resolve(schema, node) {
  let seen = 0;
  while (node && node.$ref && seen++ < 20) {
    const name = node.$ref.replace("#/$defs/", "");
    node = schema.$defs[name];
  }
  return node || {};
}

function isTextBranch(branch) {
  return branch.type === "object" && branch.additionalProperties && branch.additionalProperties.type === "string";
}

/* A field's widget kind and limits:
 *   text (nb + en), string, enum, bool, number, integer, object (a table), list (of
 *   tables or of values), map (role name -> text) — and whether it may be left out. */
export function fieldInfo(schema, node) {
  node = resolve(schema, node);
  let branches = node.anyOf ? node.anyOf.map((b) => resolve(schema, b)) : [node];
  const nullable = branches.some((b) => b.type === "null");
  branches = branches.filter((b) => b.type !== "null");
  // only_with: { rule: ["closest", "furthest"] }: the field means something only while a
  // field beside it holds one of those values (a role's value, with its rule).
  const info = { nullable, default: node.default, title: node.title, onlyWith: node.only_with };
  const strings = branches.filter((b) => b.type === "string" && !b.enum);
  if (branches.length === 2 && strings.length === 1 && branches.some(isTextBranch)) {
    return Object.assign(info, { kind: "text", maxLength: strings[0].maxLength });
  }
  const one = branches[0] || {};
  if (one.enum) return Object.assign(info, { kind: "enum", options: one.enum });
  if (one.type === "boolean") return Object.assign(info, { kind: "bool" });
  if (one.type === "integer" || one.type === "number") {
    return Object.assign(info, {
      kind: one.type,
      min: one.minimum !== undefined ? one.minimum : one.exclusiveMinimum,
      exclusiveMin: one.exclusiveMinimum !== undefined,
      max: one.maximum,
    });
  }
  if (one.type === "string") return Object.assign(info, { kind: "string", pattern: one.pattern, maxLength: one.maxLength });
  if (one.type === "array") {
    return Object.assign(info, { kind: "list", item: fieldInfo(schema, one.items || {}), itemNode: one.items || {}, maxItems: one.maxItems, minItems: one.minItems || 0 });
  }
  if (one.type === "object" && one.properties) return Object.assign(info, { kind: "object", node: one });
  if (one.type === "object" && one.additionalProperties) {
    return Object.assign(info, { kind: "map", value: fieldInfo(schema, one.additionalProperties) });
  }
  return Object.assign(info, { kind: "string" });
}

/* Whether a field that holds only with another field's values (`info.onlyWith`) holds in
 * `table` (a field left out counts as its default, from `props`). */
export function applies(info, table, props) {
  if (!info.onlyWith) return true;
  return Object.keys(info.onlyWith).every((other) => {
    const here = table && table[other] !== undefined ? table[other] : (props[other] || {}).default;
    return info.onlyWith[other].includes(here);
  });
}

export function properties(schema, node) {
  const resolved = resolve(schema, node);
  return { props: resolved.properties || {}, required: new Set(resolved.required || []) };
}

/* The smallest value of a table that a program may hold: its required fields filled in
 * (`words.text` for a required text, the first choice of a list of choices, one item of a
 * list that needs one). */
export function skeleton(schema, node, words) {
  const { props, required } = properties(schema, node);
  const out = {};
  Object.keys(props).forEach((key) => {
    if (!required.has(key)) return;
    const info = fieldInfo(schema, props[key]);
    if (info.kind === "text") out[key] = words.text;
    else if (info.kind === "string") out[key] = info.pattern ? words.id : words.text;
    else if (info.kind === "enum") out[key] = info.options[0];
    else if (info.kind === "bool") out[key] = false;
    else if (info.kind === "integer" || info.kind === "number") out[key] = info.min !== undefined ? Math.max(1, info.min) : 1;
    else if (info.kind === "object") out[key] = skeleton(schema, info.node, words);
    else if (info.kind === "list" && info.item.kind === "object") {
      out[key] = Array.from({ length: Math.max(1, info.minItems) }, () => skeleton(schema, info.item.node, words));
    } else if (info.kind === "list") out[key] = [];
    else if (info.kind === "map") out[key] = {};
  });
  return out;
}
