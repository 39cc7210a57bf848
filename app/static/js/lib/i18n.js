/* Texts and formatting, without the page: the page's catalog comes in as an argument
 * (lib/boot.js reads it), so Node's tests use these functions as they are. */

const PLURAL = /\{([a-z_]+)\|([^|{}]*)\|([^|{}]*)\}/g;
const plurals = {};

/* "one" or "other" for `count` in `lang` (Intl.PluralRules; bokmål and English alike). */
function pluralOf(lang, count) {
  if (typeof count !== "number") return "other";
  if (!plurals[lang]) plurals[lang] = new Intl.PluralRules(lang);
  return plurals[lang].select(count) === "one" ? "one" : "other";
}

/* The catalog text for `key` in `lang`, with {name} replaced by params.name, and each
 * plural choice {name|one|other} by the form the number params.name takes. */
export function translate(catalog, key, params, lang = "nb") {
  let text = catalog[key];
  if (text === undefined) return key; // a missing key shows itself, so it is noticed
  const values = params || {};
  text = text.replace(PLURAL, (all, name, one, other) => (pluralOf(lang, values[name]) === "one" ? one : other));
  Object.keys(values).forEach((name) => {
    text = text.split("{" + name + "}").join(String(values[name]));
  });
  return text;
}

/* "14. juni 2023" / "14 June 2023" for a program's ISO date; anything else as it is. */
export function formatDate(iso, lang) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  if (!match) return iso || "";
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "nb-NO", { dateStyle: "long", timeZone: "UTC" }).format(date);
}

/* Program texts arrive as {nb: ..., en: ...}; show `lang`, fall back to bokmål. */
export function localizeTo(lang, value) {
  if (!value) return "";
  if (typeof value === "string") return value;
  return value[lang] || value.nb || Object.values(value)[0] || "";
}

/* "4:05" for 245,000 ms (rounded up: a countdown shows 0:00 only when time is up). */
export function formatClock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
}

/* What is left of a phase timer at server time `now` (ms). */
export function remaining(timer, now) {
  if (!timer) return null;
  if (timer.status === "running") return Math.max(0, timer.ends_at - now);
  return timer.remaining_ms !== null && timer.remaining_ms !== undefined ? timer.remaining_ms : timer.duration_ms;
}

/* "09:15": the planned clock time `offsetMs` into a day that starts at "08:30". */
export function plannedClock(start, offsetMs) {
  if (!start) return "";
  const parts = start.split(":");
  const minutes = Number(parts[0]) * 60 + Number(parts[1]) + Math.round(offsetMs / 60000);
  const hh = Math.floor(minutes / 60) % 24;
  const mm = minutes % 60;
  return (hh < 10 ? "0" : "") + hh + ":" + (mm < 10 ? "0" : "") + mm;
}
