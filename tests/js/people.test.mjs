/* The staff screens' participant list, kept from the server's `people` messages: the
 * lines that changed, who left, who is online (docs/protocol.md). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { mergePeople } from "../../app/static/js/lib/connection.js";
import { fakeRoom, welcome } from "./fakes.mjs";

const line = (id, name, group = null) => ({ id, name, group, working_group: group, host: false });
const people = (fields) => ({ type: "people", changed: [], removed: [], online: [], offline: [], ...fields });

describe("the participant list on a staff screen", () => {
  test("a join is a line at the end, a change replaces its line in place, a removal drops it", () => {
    const state = { participants: [line("p1", "Kari"), line("p2", "Ola")], online: ["p1"] };
    mergePeople(state, people({ changed: [line("p3", "Per")], online: ["p3"] }));
    assert.deepEqual(state.participants.map((p) => p.name), ["Kari", "Ola", "Per"]);
    mergePeople(state, people({ changed: [line("p2", "Ola N.", 2)], removed: ["p1"], offline: ["p1"] }));
    assert.deepEqual(state.participants, [line("p2", "Ola N.", 2), line("p3", "Per")]);
    assert.deepEqual(state.online, ["p3"]);
  });

  test("the same message twice changes nothing more (a snapshot may already have it)", () => {
    const state = { participants: [line("p1", "Kari")], online: ["p1"] };
    const message = people({ changed: [line("p1", "Kari"), line("p2", "Ola")], online: ["p1", "p2"] });
    mergePeople(state, message);
    const once = structuredClone(state);
    mergePeople(state, message);
    assert.deepEqual(state, once);
    assert.deepEqual(state.online, ["p1", "p2"]);
  });

  test("the room's state takes a people message: a new state, the same seq", () => {
    const { room, clock, last } = fakeRoom();
    const states = [];
    room.onState((state) => states.push(structuredClone(state)));
    welcome(last(), clock, { role: "facilitator", participant: null });
    last().receive({ type: "snapshot", seq: 4, state: { participants: [], online: [] } });
    last().receive(people({ changed: [line("p1", "Kari")], online: ["p1"] }));
    assert.equal(room.seq, 4);
    assert.deepEqual(states.at(-1), { participants: [line("p1", "Kari")], online: ["p1"] });
  });
});
