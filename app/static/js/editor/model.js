/* The program editor's data: a program as plain data (what the server's writer writes and
 * its checks read), and the operations the editor offers on it. No page here, so Node's
 * tests (tests/js/editor.test.mjs) use these functions as they are. */

export function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

export function getAt(root, path) {
  let node = root;
  for (const part of path) {
    if (node === null || node === undefined) return undefined;
    node = node[part];
  }
  return node;
}

/* Set the value at `path`, making the tables on the way; undefined removes the key. */
export function setAt(root, path, value) {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (node[path[i]] === undefined || node[path[i]] === null) node[path[i]] = typeof path[i + 1] === "number" ? [] : {};
    node = node[path[i]];
  }
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last, 1);
    else delete node[last];
  } else {
    node[last] = value;
  }
}

/* A text in nb and en: one string while there is only bokmål, a table with English. */
export function textParts(value) {
  if (value === undefined || value === null) return { nb: "", en: "" };
  if (typeof value === "string") return { nb: value, en: "" };
  return { nb: value.nb || "", en: value.en || "" };
}

export function textValue(nb, en) {
  if (!en) return nb ? nb : undefined;
  return nb ? { nb, en } : { en };
}

/* "Hva gjør et godt møte?" -> "hva-gjor-et-godt-mote" (an exercise id: a-z, 0-9, - and _). */
export function slug(text) {
  const plain = String(text || "")
    .toLowerCase()
    .replace(/æ/g, "ae").replace(/ø/g, "o").replace(/å/g, "a")
    .normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 34)
    .replace(/-+$/g, "");
  return plain || "ovelse";
}

/* `wanted`, or `wanted-2`, `wanted-3` … whichever no exercise has yet. */
export function uniqueId(wanted, taken) {
  const used = new Set(taken);
  if (!used.has(wanted)) return wanted;
  for (let n = 2; ; n++) {
    const id = wanted.slice(0, 36) + "-" + n;
    if (!used.has(id)) return id;
  }
}

export function ids(program) {
  return (program.exercises || []).map((ex) => ex.id);
}

/* The exercise kinds (tables: roles, wordcloud, …) an exercise uses, of those `kinds` names. */
export function kindsOf(exercise, kinds) {
  return kinds.filter((name) => exercise[name] !== undefined && exercise[name] !== null);
}

/* Ids of the exercises before `index` that use any of `kinds` (what a reference may name). */
export function earlierWith(program, index, kinds) {
  return (program.exercises || []).slice(0, index).filter((ex) => kinds.some((k) => ex[k] !== undefined && ex[k] !== null)).map((ex) => ex.id);
}

/* A new exercise of a kind (igp, talk, info, break) and grouping, with the timing a
 * facilitator most often starts from. */
export function newExercise(kind, grouping, title, taken) {
  const exercise = { id: uniqueId(slug(title), taken), title };
  if (kind !== "igp") exercise.kind = kind;
  if (grouping && grouping !== "network") exercise.grouping = grouping;
  if (kind === "igp") exercise.phases = [{ kind: "I", minutes: 3 }, { kind: "G", minutes: 10 }, { kind: "P", minutes: 5 }];
  else if (kind === "talk") exercise.phases = [{ kind: "timed", minutes: 7, half_time_signal: grouping === "pairs" }];
  else exercise.minutes = kind === "break" ? 15 : 10;
  return exercise;
}

/* Where other exercises are named by id: a gallery's `of`, a diamond's `sources`. */
const REFERENCES = [
  ["gallery", "of"],
  ["diamond", "sources"],
];

function renameIn(exercise, renames) {
  REFERENCES.forEach(([kind, key]) => {
    const table = exercise[kind];
    if (!table || table[key] === undefined) return;
    table[key] = Array.isArray(table[key]) ? table[key].map((r) => renames[r] || r) : renames[table[key]] || table[key];
  });
}

/* Change an exercise's id, and every reference to it. */
export function renameExercise(program, index, id) {
  const old = program.exercises[index].id;
  program.exercises[index].id = id;
  if (old && old !== id) program.exercises.forEach((ex, i) => i !== index && renameIn(ex, { [old]: id }));
}

export function moveExercise(program, from, to) {
  const list = program.exercises;
  if (to < 0 || to >= list.length || from === to) return from;
  const [item] = list.splice(from, 1);
  list.splice(to, 0, item);
  return to;
}

export function duplicateExercise(program, index) {
  const copy = clone(program.exercises[index]);
  copy.id = uniqueId(copy.id, ids(program));
  program.exercises.splice(index + 1, 0, copy);
  return index + 1;
}

export function removeExercise(program, index) {
  program.exercises.splice(index, 1);
  return Math.min(index, program.exercises.length - 1);
}

/* Insert a method template's exercises at `at`: ids made unique (the template's own
 * references follow), a reference to an exercise the day lacks goes to the nearest earlier
 * exercise of the right kind, and its workbook sections join the day's. Returns the index
 * of the first inserted exercise. */
export function insertMethod(program, method, at, referenceKinds) {
  const exercises = clone(method.exercises);
  const renames = {};
  const taken = ids(program);
  exercises.forEach((ex) => {
    const id = uniqueId(ex.id, taken);
    if (id !== ex.id) renames[ex.id] = id;
    ex.id = id;
    taken.push(id);
  });
  exercises.forEach((ex) => renameIn(ex, renames));
  program.exercises.splice(at, 0, ...exercises);
  const known = new Set(ids(program));
  exercises.forEach((ex, offset) => {
    const index = at + offset;
    REFERENCES.forEach(([kind, key]) => {
      const table = ex[kind];
      if (!table || table[key] === undefined) return;
      const wanted = referenceKinds[kind + "." + key] || [];
      const choices = earlierWith(program, index, wanted);
      const fix = (ref) => (known.has(ref) && choices.includes(ref) ? ref : choices[choices.length - 1]);
      if (Array.isArray(table[key])) table[key] = table[key].map(fix).filter((r) => r !== undefined);
      else table[key] = fix(table[key]) || table[key];
    });
  });
  if (method.sections && method.sections.length) {
    program.workbook = program.workbook || {};
    const sections = program.workbook.sections || [];
    const have = new Set(sections.map((s) => s.id));
    method.sections.forEach((s) => have.has(s.id) || sections.push(clone(s)));
    program.workbook.sections = sections;
  }
  return at;
}

/* What the server is sent: empty texts and unset values left out (they mean the default),
 * tables kept even when empty ([exercises.comments] alone switches comments on). */
export function prune(value) {
  if (Array.isArray(value)) return value.map(prune).filter((v) => v !== undefined);
  if (value && typeof value === "object") {
    const out = {};
    Object.keys(value).forEach((key) => {
      const v = prune(value[key]);
      if (v !== undefined) out[key] = v;
    });
    return out;
  }
  if (value === "" || value === null || value === undefined) return undefined;
  if (typeof value === "number" && Number.isNaN(value)) return undefined;
  return value;
}

/* A table's own key, the same wherever it moves in the program (a phase moved up is the
 * same phase): what the editor's view keys a list item by. */
const objectKeys = new WeakMap();
let keysGiven = 0;
export function objectKey(value) {
  if (!value || typeof value !== "object") return "";
  if (!objectKeys.has(value)) objectKeys.set(value, String(++keysGiven));
  return objectKeys.get(value);
}

/* Problems by field: the server's [{path, message}] as a map from a path's key to its
 * messages; a problem's own field, or the nearest field that is on the page. */
export function pathKey(path) {
  return path.join(".");
}

export function problemsByPath(problems) {
  const map = new Map();
  (problems || []).forEach((p) => {
    const key = pathKey(p.path);
    if (!map.has(key)) map.set(key, []);
    map.get(key).push(p.message);
  });
  return map;
}

/* The exercise a problem belongs to, or -1 for the day's own fields. */
export function exerciseOf(path) {
  return path[0] === "exercises" && typeof path[1] === "number" ? path[1] : -1;
}
