/* The program editor's operations on a program, and its reading of the models' schema. */
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  duplicateExercise, earlierWith, insertMethod, moveExercise, newExercise, problemsByPath, prune,
  removeExercise, renameExercise, setAt, slug, textParts, textValue, uniqueId,
} from "../../app/static/js/editor/model.js";
import { applies, fieldInfo, skeleton } from "../../app/static/js/editor/schema.js";

const REFS = { "gallery.of": ["diamond"], "diamond.sources": ["wordcloud", "lists", "diamond"] };

function day() {
  return {
    title: "Dag",
    exercises: [
      { id: "ordsky", title: "Ordsky", kind: "info", minutes: 5, wordcloud: {} },
      { id: "diamant", title: "Diamant", diamond: { sources: ["ordsky"] }, phases: [{ kind: "G", minutes: 20 }] },
    ],
  };
}

test("ids come from titles and stay unique", () => {
  assert.equal(slug("Hva gjør et godt møte?"), "hva-gjor-et-godt-mote");
  assert.equal(slug("Ærlig åpen dør"), "aerlig-apen-dor");
  assert.equal(slug("???"), "ovelse");
  assert.equal(uniqueId("duoer", ["duoer", "duoer-2"]), "duoer-3");
  assert.equal(uniqueId("ny", ["duoer"]), "ny");
});

test("a text is one string in bokmål, a table once it has English", () => {
  assert.deepEqual(textParts("Pause"), { nb: "Pause", en: "" });
  assert.deepEqual(textParts({ nb: "Pause", en: "Break" }), { nb: "Pause", en: "Break" });
  assert.equal(textValue("Pause", ""), "Pause");
  assert.deepEqual(textValue("Pause", "Break"), { nb: "Pause", en: "Break" });
  assert.equal(textValue("", ""), undefined);
});

test("new exercises have the usual timings of their kind", () => {
  assert.deepEqual(newExercise("igp", "network", "Refleksjon", []).phases.map((p) => p.minutes), [3, 10, 5]);
  const duos = newExercise("talk", "pairs", "Duoer", []);
  assert.equal(duos.grouping, "pairs");
  assert.equal(duos.phases[0].half_time_signal, true);
  assert.equal(newExercise("break", "network", "Pause", ["pause"]).id, "pause-2");
  assert.equal(newExercise("break", "network", "Pause", []).grouping, undefined); // the default is left out
});

test("reorder, duplicate and remove; renaming follows every reference", () => {
  const program = day();
  assert.equal(duplicateExercise(program, 0), 1);
  assert.equal(program.exercises[1].id, "ordsky-2");
  assert.equal(moveExercise(program, 1, 2), 2);
  assert.deepEqual(program.exercises.map((e) => e.id), ["ordsky", "diamant", "ordsky-2"]);
  renameExercise(program, 0, "sky");
  assert.deepEqual(program.exercises[1].diamond.sources, ["sky"]);
  assert.equal(removeExercise(program, 2), 1);
  assert.equal(program.exercises.length, 2);
});

test("a method's exercises get free ids and point at the day's own exercises", () => {
  const program = day();
  const gallery = {
    exercises: [
      { id: "diamant", title: "Diamant", diamond: {}, phases: [{ kind: "G", minutes: 20 }] },
      { id: "galleri", title: "Galleri", gallery: { of: "diamant" }, phases: [{ kind: "timed", minutes: 15 }, { kind: "G", minutes: 10 }] },
    ],
    sections: [{ id: "plan", title: "Plan" }],
  };
  assert.equal(insertMethod(program, gallery, 2, REFS), 2);
  assert.deepEqual(program.exercises.map((e) => e.id), ["ordsky", "diamant", "diamant-2", "galleri"]);
  assert.equal(program.exercises[3].gallery.of, "diamant-2"); // its own diamond, renamed
  assert.deepEqual(program.workbook.sections.map((s) => s.id), ["plan"]);
  // A gallery alone walks over the nearest earlier diamond of the day.
  const alone = { exercises: [gallery.exercises[1]] };
  insertMethod(program, alone, 2, REFS);
  assert.equal(program.exercises[2].gallery.of, "diamant");
  // A diamond whose source the day lacks picks from what the day has before it.
  const withCloud = { exercises: [{ id: "d", title: "D", diamond: { sources: ["nosuch"] }, phases: [{ kind: "G", minutes: 1 }] }] };
  insertMethod(program, withCloud, 1, REFS);
  assert.deepEqual(program.exercises[1].diamond.sources, ["ordsky"]);
});

test("references offer only earlier exercises of the right kind", () => {
  assert.deepEqual(earlierWith(day(), 1, ["wordcloud", "lists"]), ["ordsky"]);
  assert.deepEqual(earlierWith(day(), 0, ["wordcloud"]), []);
});

test("what is sent leaves out empty texts but keeps an empty kind table", () => {
  const program = { title: "Dag", description: "", exercises: [{ id: "a", title: { nb: "A" }, comments: {}, minutes: NaN }] };
  assert.deepEqual(prune(program), { title: "Dag", exercises: [{ id: "a", title: { nb: "A" }, comments: {} }] });
  setAt(program, ["exercises", 0, "phases", 0, "minutes"], 4);
  assert.deepEqual(program.exercises[0].phases, [{ minutes: 4 }]);
  setAt(program, ["exercises", 0, "comments"], undefined);
  assert.equal("comments" in program.exercises[0], false);
});

test("problems are found by their field's path", () => {
  const map = problemsByPath([{ path: ["exercises", 1, "phases", 0, "minutes"], message: "Input should be greater than 0" }]);
  assert.deepEqual(map.get("exercises.1.phases.0.minutes"), ["Input should be greater than 0"]);
});

const SCHEMA = {
  $defs: {
    Phase: {
      properties: {
        kind: { enum: ["I", "G", "P", "timed"], type: "string" },
        minutes: { anyOf: [{ exclusiveMinimum: 0, maximum: 600, type: "number" }, { type: "null" }], default: null },
        instruction: { anyOf: [{ type: "string" }, { additionalProperties: { type: "string" }, type: "object" }], default: "" },
        notes: { anyOf: [{ type: "boolean" }, { type: "null" }], default: null },
        role_cues: { additionalProperties: { anyOf: [{ type: "string" }, { additionalProperties: { type: "string" }, type: "object" }] }, type: "object" },
      },
      required: ["kind"],
      type: "object",
    },
    Roles: {
      properties: { roles: { items: { $ref: "#/$defs/Role" }, minItems: 1, type: "array" } },
      required: ["roles"],
      type: "object",
    },
    Role: { properties: { name: { anyOf: [{ type: "string" }, { additionalProperties: { type: "string" }, type: "object" }] } }, required: ["name"], type: "object" },
  },
};

test("the schema tells each field's control and limits", () => {
  const phase = SCHEMA.$defs.Phase.properties;
  assert.deepEqual(fieldInfo(SCHEMA, phase.kind).options, ["I", "G", "P", "timed"]);
  const minutes = fieldInfo(SCHEMA, phase.minutes);
  assert.equal(minutes.kind, "number");
  assert.equal(minutes.nullable, true);
  assert.equal(minutes.max, 600);
  assert.equal(minutes.exclusiveMin, true);
  assert.equal(fieldInfo(SCHEMA, phase.instruction).kind, "text");
  assert.equal(fieldInfo(SCHEMA, phase.notes).kind, "bool");
  assert.equal(fieldInfo(SCHEMA, phase.notes).nullable, true);
  assert.equal(fieldInfo(SCHEMA, phase.role_cues).kind, "map");
});

test("a new table holds what it must: a role needs a name", () => {
  assert.deepEqual(skeleton(SCHEMA, { $ref: "#/$defs/Roles" }, { text: "Ny tekst", id: "q1" }), { roles: [{ name: "Ny tekst" }] });
  assert.deepEqual(skeleton(SCHEMA, { $ref: "#/$defs/Phase" }, { text: "x", id: "q1" }), { kind: "I" });
});

test("a role's value holds only with the rules that take one (the schema's only_with)", () => {
  const props = {
    rule: { default: "random", enum: ["closest", "furthest", "largest", "random"], type: "string" },
    value: { anyOf: [{ type: "number" }, { type: "null" }], default: null, only_with: { rule: ["closest", "furthest"] } },
  };
  const value = fieldInfo({ $defs: {} }, props.value);
  assert.deepEqual(value.onlyWith, { rule: ["closest", "furthest"] });
  assert.equal(applies(value, { name: "Sekretær", rule: "furthest" }, props), true);
  assert.equal(applies(value, { name: "Viddevakt", rule: "largest" }, props), false);
  assert.equal(applies(value, { name: "Ordstyrer" }, props), false); // left out: random
  assert.equal(applies(fieldInfo({ $defs: {} }, props.rule), {}, props), true);
});
