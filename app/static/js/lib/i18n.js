/* Texts and formatting, without the page: the page's catalog comes in as an argument
 * (lib/boot.js reads it), so Node's tests use these functions as they are. */

/* The catalog text for `key`, with {name} replaced by params.name. */
export function translate(catalog, key, params) {
  let text = catalog[key];
  if (text === undefined) return key; // a missing key shows itself, so it is noticed
  if (params) {
    Object.keys(params).forEach((name) => {
      text = text.split("{" + name + "}").join(String(params[name]));
    });
  }
  return text;
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
