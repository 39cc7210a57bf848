/* Where a group's round robin is, as app/core/room.py counts it (no page needed, so
 * Node's tests use it as it is): turn `number` over all rounds, moved on by the phase's
 * *timer* where there is time per person, so it stands still before Start and while
 * paused; `over` once every round is done. `now` is the server's time. */
import { formatClock, remaining } from "./i18n.js";

export function turnNow(turn, position, now) {
  const rr = position.round_robin || {};
  const timer = position.timer;
  const elapsed = timer ? Math.max(0, timer.duration_ms - remaining(timer, now)) : 0;
  const perPerson = rr.per_person_ms || 0;
  const into = Math.max(0, elapsed - turn.since_ms);
  const number = turn.index + (perPerson > 0 ? Math.floor(into / perPerson) : 0);
  const total = rr.rounds > 0 ? rr.rounds * turn.order.length : Infinity;
  return {
    number: Math.min(number, total),
    over: number >= total,
    round: Math.floor(number / turn.order.length) + 1,
    speaker: number >= total ? null : turn.order[number % turn.order.length],
    left: perPerson > 0 ? perPerson - (into % perPerson) : null,
    started: Boolean(timer) && timer.status !== "ready",
  };
}

/* What a screen says about the turn: «Kari har ordet (0:42 igjen)», «Din tur! …» on the
 * speaker's own phone, «Kari begynner når tiden startes.», «Alle har hatt ordet.», with
 * the round where there are several. `t` is the page's translate. */
export function turnLine(now, name, rounds, mine, t) {
  let line;
  if (now.over) line = t("turn.over");
  else if (!now.started) line = t("turn.not_started", { name: name || "?" });
  else line = mine ? t("turn.yours") : t("turn.speaking", { name: name || "?" });
  if (!now.over && now.started && now.left !== null) line += " " + t("turn.time_left", { time: formatClock(now.left) });
  if (!now.over && rounds !== 1) {
    line = (rounds > 1 ? t("turn.round_of", { round: now.round, rounds: rounds }) : t("turn.round", { round: now.round })) + " · " + line;
  }
  return line;
}
