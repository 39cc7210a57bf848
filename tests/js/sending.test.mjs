/* What a person is told about what they sent: "not sent yet" while it waits, "sent" once
 * the server has it. */
import assert from "node:assert/strict";
import { test } from "node:test";

import { Outbox, tell } from "../../app/static/js/lib/sending.js";
import { fakeRoom, welcome } from "./fakes.mjs";

const t = (key) => key;

function phone() {
  const fake = fakeRoom();
  const api = { send: (action, options) => fake.room.send(action, options), t };
  return { ...fake, api };
}

test("sent offline: not sent yet, then sent once acknowledged", async () => {
  const { api, clock, last } = phone();
  const lines = [];
  const answer = tell(api, { type: "comment_add", text: "Takk" }, (line) => lines.push(line), { sent: "comments.sent" });
  assert.deepEqual(lines, ["send.not_sent_yet"]);
  welcome(last(), clock);
  last().receive({ type: "ack", id: last().of("action")[0].id, seq: 1 });
  await answer;
  assert.deepEqual(lines, ["send.not_sent_yet", "comments.sent"]);
});

test("online: nothing to say until the answer, unless asked to", async () => {
  const { api, clock, last } = phone();
  welcome(last(), clock);
  const lines = [];
  const answer = tell(api, { type: "diamond_place", value: "Tillit", slot: 0 }, (line) => lines.push(line));
  last().receive({ type: "ack", id: last().of("action")[0].id, seq: 1 });
  await answer;
  assert.deepEqual(lines, [""]);
});

test("a refusal for now, then stored: not saved yet, then sent", async () => {
  const { api, clock, last } = phone();
  welcome(last(), clock);
  const lines = [];
  const answer = tell(api, { type: "comment_add", text: "Takk" }, (line) => lines.push(line), { sending: "send.sending" });
  const { id } = last().of("action")[0];
  last().receive({ type: "error", id, code: "storage_unavailable" });
  last().receive({ type: "ack", id, seq: 1 });
  await answer;
  assert.deepEqual(lines, ["send.sending", "send.retrying", "send.sent"]);
});

test("a refusal for good says why", async () => {
  const { api, clock, last } = phone();
  welcome(last(), clock);
  const lines = [];
  const answer = tell(api, { type: "wordcloud_submit", word: "x" }, (line) => lines.push(line));
  last().receive({ type: "error", id: last().of("action")[0].id, code: "too_many_words" });
  assert.equal((await answer).code, "too_many_words");
  assert.deepEqual(lines, ["error.too_many_words"]);
});

test("the connection stopped for good: not sent", async () => {
  const { api, last } = phone();
  const lines = [];
  const answer = tell(api, { type: "comment_add", text: "Takk" }, (line) => lines.push(line));
  last().serverClose(4004);
  assert.equal((await answer).code, "not_sent");
  assert.deepEqual(lines, ["send.not_sent_yet", "send.not_sent"]);
});

/* A connected phone's outbox and a text field as a kind's form has one (what is typed,
 * and whether it has the focus); `type(options)` submits the field as a word. */
function form(value) {
  const { api, clock, last } = phone();
  welcome(last(), clock);
  const box = new Outbox(() => {});
  const input = { value, focused: false, focus() { this.focused = true; } };
  const type = (options) => box.sendTyped(api, input, (word) => ({ type: "wordcloud_submit", word }), () => {}, {}, options);
  return { box, input, last, type };
}

test("what was typed leaves the field at once and waits in the list until the server has it", async () => {
  const { box, input, last, type } = form("  Tillit ");
  const answer = type();
  assert.equal(input.value, "");
  assert.equal(input.focused, false);
  assert.deepEqual(box.items.map((i) => i.text), ["Tillit"]);
  const [sent] = last().of("action");
  assert.equal(sent.action.word, "Tillit");
  last().receive({ type: "ack", id: sent.id, seq: 1 });
  assert.equal((await answer).type, "ack");
  assert.deepEqual(box.items, []);
  assert.equal(input.value, "");
});

test("a refused text comes back into the field, unless something new was typed there", async () => {
  const { input, last, type } = form("Mot");
  const first = type({ focus: true });
  assert.equal(input.focused, true); // ready for the next word
  last().receive({ type: "error", id: last().of("action")[0].id, code: "too_many_words" });
  assert.equal((await first).code, "too_many_words");
  assert.equal(input.value, "Mot");

  input.value = "Glede";
  const second = type();
  input.value = "Håp"; // typed while it was on its way
  last().receive({ type: "error", id: last().of("action")[1].id, code: "too_many_words" });
  await second;
  assert.equal(input.value, "Håp");
});

test("a blank field sends nothing", async () => {
  const { input, last, type } = form("   ");
  assert.equal(await type({ focus: true }), undefined);
  assert.deepEqual(last().of("action"), []);
  assert.equal(input.value, "   ");
  assert.equal(input.focused, false);
});
