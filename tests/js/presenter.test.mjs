/* The presenter's keys (lib/presenter.js): which key press is which command, and when a
 * key belongs to the control in focus instead. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { askedToggle, presenterKey } from "../../app/static/js/lib/presenter.js";

/* A stand-in for a DOM element: `closest(selector)` answers for the tags it is inside. */
function element(tag, attrs = {}, parent = null) {
  const node = {
    tagName: tag.toUpperCase(),
    type: attrs.type || "",
    parent,
    closest(selector) {
      const wanted = selector.split(",").map((s) => s.trim());
      for (let n = node; n; n = n.parent) {
        if (wanted.some((w) => w === n.tagName.toLowerCase() || (w === "[role=button]" && n.role === "button"))) return n;
      }
      return null;
    },
  };
  return node;
}

const body = element("body");
const key = (k, target = body, mods = {}) => Object.assign({ key: k, target, ctrlKey: false, metaKey: false, altKey: false }, mods);
const bar = { contains: (node) => node && node.inBar === true };

test("H, in either case, hides and reveals the results", () => {
  assert.equal(presenterKey(key("h")), "results");
  assert.equal(presenterKey(key("H")), "results");
});

test("the clicker's keys and the facilitator's own", () => {
  const expected = {
    PageDown: "next", ArrowRight: "next", PageUp: "back", ArrowLeft: "back", b: "blank", ".": "blank",
    q: "qr", " ": "pause", "+": "more", "-": "less", "−": "less", f: "fullscreen",
  };
  for (const [k, command] of Object.entries(expected)) assert.equal(presenterKey(key(k)), command, k);
  assert.equal(presenterKey(key("x")), null);
});

test("a key typed into a field, or with Ctrl, Alt or Cmd, is no command", () => {
  const field = element("input", { type: "text" });
  assert.equal(presenterKey(key("h", field)), null);
  assert.equal(presenterKey(key("h", element("textarea"))), null);
  assert.equal(presenterKey(key("h", element("option", {}, element("select")))), null);
  assert.equal(presenterKey(key("h", body, { ctrlKey: true })), null);
  assert.equal(presenterKey(key("H", body, { altKey: true })), null);
  // A checkbox or a button in focus: H is still the command.
  assert.equal(presenterKey(key("h", element("input", { type: "checkbox" }))), "results");
  assert.equal(presenterKey(key("h", element("button"))), "results");
});

test("Space is left to a control outside the presenter's bar", () => {
  const outside = element("button");
  const inside = element("button");
  inside.inBar = true;
  assert.equal(presenterKey(key(" ", outside), bar), null);
  assert.equal(presenterKey(key(" ", inside), bar), "pause");
  assert.equal(presenterKey(key(" ", body), bar), "pause");
});

describe("a toggle pressed again before the room answered", () => {
  test("toggles from what the first press asked for, until the latest is answered", async () => {
    const toggle = askedToggle();
    const sent = [];
    const answers = [];
    const send = (value) => {
      sent.push(value);
      return new Promise((resolve) => answers.push(resolve));
    };
    const known = "room"; // the page has not heard back from the room yet
    const press = () => toggle.ask(toggle.current(known) === "blank" ? "room" : "blank", send);
    const first = press();
    const second = press(); // B, B on the clicker: blank, then back to the room
    assert.deepEqual(sent, ["blank", "room"]);
    answers[0]({ type: "ack" });
    await first;
    assert.equal(toggle.current("blank"), "room", "the latest request still waits: it counts");
    answers[1]({ type: "ack" });
    await second;
    assert.equal(toggle.current("room"), "room", "answered: the room's state counts again");
    assert.equal(toggle.current("qr"), "qr");
  });

  test("a refused or failed request lets the room's state count again", async () => {
    const toggle = askedToggle();
    await toggle.ask("blank", () => Promise.resolve({ type: "error", code: "not_allowed" }));
    assert.equal(toggle.current("room"), "room");
    await assert.rejects(toggle.ask("qr", () => Promise.reject(new Error("gone"))));
    assert.equal(toggle.current("room"), "room");
  });
});
