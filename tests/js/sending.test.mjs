/* What a person is told about what they sent: "not sent yet" while it waits, "sent" once
 * the server has it. */
import assert from "node:assert/strict";
import { test } from "node:test";

import { tell } from "../../app/static/js/lib/sending.js";
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
