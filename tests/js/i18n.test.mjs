/* Texts and formatting the screens share. */
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatClock, formatDate, localizeTo, plannedClock, remaining, translate } from "../../app/static/js/lib/i18n.js";

test("a text with its parameters, and a missing key shows itself", () => {
  const catalog = { "group.with": "Med {names}", "agenda.minutes": "{minutes} min" };
  assert.equal(translate(catalog, "group.with", { names: "Kari, Ola" }), "Med Kari, Ola");
  assert.equal(translate(catalog, "agenda.minutes", { minutes: 0 }), "0 min");
  assert.equal(translate(catalog, "no.such"), "no.such");
});

test("program texts in our language, else bokmål, else any", () => {
  assert.equal(localizeTo("en", { nb: "Pause", en: "Break" }), "Break");
  assert.equal(localizeTo("en", { nb: "Pause" }), "Pause");
  assert.equal(localizeTo("nb", { en: "Break" }), "Break");
  assert.equal(localizeTo("nb", "Lunsj"), "Lunsj");
  assert.equal(localizeTo("nb", null), "");
});

test("a countdown rounds up, so 0:00 means time is up", () => {
  assert.equal(formatClock(245_000), "4:05");
  assert.equal(formatClock(1), "0:01");
  assert.equal(formatClock(0), "0:00");
  assert.equal(formatClock(-5000), "0:00");
  assert.equal(formatClock(3_600_000), "60:00");
});

test("what is left of a timer, running, paused or ready", () => {
  assert.equal(remaining({ status: "running", ends_at: 10_000 }, 4_000), 6_000);
  assert.equal(remaining({ status: "running", ends_at: 10_000 }, 12_000), 0);
  assert.equal(remaining({ status: "paused", remaining_ms: 3_000, duration_ms: 9_000 }, 0), 3_000);
  assert.equal(remaining({ status: "ready", remaining_ms: null, duration_ms: 9_000 }, 0), 9_000);
  assert.equal(remaining(null, 0), null);
});

test("planned clock times of the agenda", () => {
  assert.equal(plannedClock("08:30", 45 * 60_000), "09:15");
  assert.equal(plannedClock("23:30", 60 * 60_000), "00:30");
  assert.equal(plannedClock("", 0), "");
});

test("plural forms by the language's rules: {count|one|other}, for each number", () => {
  const catalog = {
    "lists.votes": "{votes} {votes|prikk|prikker}",
    "diamond.finals": "{finals} av {groups} {groups|gruppe|grupper} er ferdige",
  };
  assert.equal(translate(catalog, "lists.votes", { votes: 1 }, "nb"), "1 prikk");
  assert.equal(translate(catalog, "lists.votes", { votes: 0 }, "nb"), "0 prikker");
  assert.equal(translate(catalog, "lists.votes", { votes: 3 }, "nb"), "3 prikker");
  assert.equal(translate(catalog, "diamond.finals", { finals: 1, groups: 1 }, "nb"), "1 av 1 gruppe er ferdige");
  assert.equal(translate({ k: "{n} {n|vote|votes}" }, "k", { n: 1 }, "en"), "1 vote");
  assert.equal(translate({ k: "{n} {n|vote|votes}" }, "k", { n: 2 }, "en"), "2 votes");
  assert.equal(translate({ k: "{n|a|b}" }, "k", {}, "nb"), "b"); // no number: the other form
});

test("dates in the language's own way", () => {
  assert.equal(formatDate("2023-06-14", "nb"), "14. juni 2023");
  assert.equal(formatDate("2023-06-14", "en"), "14 June 2023");
  assert.equal(formatDate("", "nb"), "");
  assert.equal(formatDate("not a date", "nb"), "not a date");
});
