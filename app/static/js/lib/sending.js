/* What a person sees of an action they sent: "not sent yet" next to it while it waits
 * for the network, "sent" once the server has it, or why it was refused. Every kind's
 * script uses these (docs/kinds.md); the words are in app/locales (send.*). */
import { h } from "./dom.js";

/* The status line's words for an action on its way (see Room.send's onPending). */
function waitingText(t, status, texts) {
  if (status === "queued") return texts.queued !== undefined ? texts.queued : t("send.not_sent_yet");
  return status === "retrying" ? t("send.retrying") : t("send.sending");
}

/* Send `action` with `api` and keep `show(text)` told how it goes. texts: `sending`
 * (while on its way; default: the line is left as it is), `queued` (while there is no
 * connection; default: "Ikke sendt ennå – …"), `sent` (acknowledged;
 * default: "Sendt" after a wait, else an empty line), `replaces` (an autosave's key),
 * `onPending(status)` (also told). Resolves with the answer; an action that will never
 * be sent (the connection stopped for good) answers {type: "error", code: "not_sent"}. */
export function tell(api, action, show, texts = {}) {
  let waited = false;
  return api.send(action, {
    replaces: texts.replaces,
    onPending(status) {
      if (texts.onPending) texts.onPending(status);
      if (status !== "sending") waited = true;
      if (status !== "sending" || texts.sending !== undefined) show(status === "sending" ? texts.sending : waitingText(api.t, status, texts));
    },
  }).then(
    (answer) => {
      if (answer.type === "ack") show(texts.sent !== undefined ? texts.sent : waited ? api.t("send.sent") : "");
      else if (answer.type === "error") show(api.t("error." + answer.code));
      return answer;
    },
    () => {
      show(api.t("send.not_sent"));
      return { type: "error", code: "not_sent" };
    }
  );
}

/* A `show` for tell(): the text goes into the element `find()` returns now (a kind may
 * have drawn its status line again since). */
export function into(find) {
  return (text) => {
    const line = find();
    if (line) line.textContent = text;
  };
}

/* A kind's send(el, api, action, texts): the action names the kind's exercise, and the
 * element's status line (`selector`) is cleared, then told how it goes. */
export function sendFrom(selector) {
  return (el, api, action, texts) => {
    const show = into(() => el.querySelector(selector));
    show("");
    return tell(api, Object.assign({ exercise: api.exercise }, action), show, texts);
  };
}

const outboxes = new WeakMap(); // a kind's element -> its Outbox

/* The Outbox of a kind's element; `draw(el, data, api)` (the kind's renderer, called
 * with the data it was last given) draws the element again when an item's state changes. */
export function outboxOf(el, draw, data, api) {
  let box = outboxes.get(el);
  if (!box) {
    box = new Outbox(() => box.last.draw(el, box.last.data, box.last.api));
    outboxes.set(el, box);
  }
  box.last = { draw, data, api };
  return box;
}

/* The things a person sent from one form that the server has not acknowledged yet,
 * drawn next to what it already has: "Tillit – ikke sendt ennå". */
export class Outbox {
  constructor(redraw) {
    this.items = [];
    this.redraw = redraw;
  }

  send(api, action, text, show, texts = {}) {
    const item = { text, status: "sending" };
    this.items.push(item);
    const onPending = (status) => {
      item.status = status;
      this.redraw();
    };
    return tell(api, action, show, Object.assign({}, texts, { onPending })).then((answer) => {
      this.items = this.items.filter((i) => i !== item);
      this.redraw();
      return answer;
    });
  }

  /* Send what the person typed into `field` (trimmed; nothing when it is blank), as the
   * action `action(text)` makes. The text leaves the field at once and waits in the list,
   * marked, until the server has it; a refused one comes back into the field, unless
   * something new was typed there meanwhile. `focus`: the field keeps the focus, ready
   * for the next one. Resolves with the answer (undefined when nothing was sent). */
  sendTyped(api, field, action, show, texts = {}, { focus = false } = {}) {
    const text = field.value.trim();
    if (!text) return Promise.resolve(undefined);
    field.value = "";
    if (focus) field.focus();
    return this.send(api, action(text), text, show, texts).then((answer) => {
      if (answer.type === "error" && !field.value) field.value = text;
      return answer;
    });
  }

  /* List items for what is still on its way, with its state next to it. */
  listItems(t) {
    return this.items.map((item) => {
      const mark = item.status === "queued" ? t("send.mark_queued") : item.status === "retrying" ? t("send.mark_retrying") : t("send.mark_sending");
      return h("li", { className: "send-pending" }, [item.text, " ", h("span", { className: "hint send-state", text: mark })]);
    });
  }
}
