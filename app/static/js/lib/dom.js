/* The one way every screen draws itself (docs/kinds.md, "Drawing"): a view builds what it
 * wants to show with h(), as fresh nodes, and render(container, build) makes the page
 * look like that by changing only what differs. The nodes on the page stay where they
 * are, so focus, the caret, what a person is typing, an open <select>, a status line a
 * script is telling and a picture already loaded all survive an update, and no update is
 * ever skipped for them. No innerHTML: text always goes through textContent.
 *
 * - h(tag, props, children): props are attributes, plus `text`, `className`, `value`,
 *   `checked`, `disabled`, `on: {click: fn}` (the page keeps one listener per event and
 *   calls the handler of the latest render), `key` (matches a node to the same one of the
 *   last render among its siblings; `id` and `data-key` count as keys too), `ref(node)`
 *   (told the node that is on the page: a handler that reads another field uses it), and
 *   `keep: true` (its content belongs to a script once shown, e.g. a status line that
 *   lib/sending.js tells: render leaves its children alone).
 * - A form field's value, checked and selected are written to the page only when the
 *   view's own value changed since the last render, and a value never while the field
 *   has focus: what a person typed or tapped stays until the data says otherwise.
 */

const handlers = new WeakMap(); // node -> {event type: handler of the latest render}
const keys = new WeakMap(); // node -> its key among its siblings
const refs = new WeakMap(); // node -> ref(node) callbacks
const kept = new WeakSet(); // nodes whose content a script owns
const shown = new WeakMap(); // form control -> {value, checked, selected} last rendered
const drawnKeys = new WeakMap(); // container -> the key of its last render

function dispatch(event) {
  const on = handlers.get(event.currentTarget);
  const handler = on && on[event.type];
  if (handler) return handler.call(event.currentTarget, event);
  return undefined;
}

function listen(node, on) {
  const current = handlers.get(node) || {};
  Object.keys(on).forEach((type) => {
    if (!current[type]) node.addEventListener(type, dispatch);
  });
  // A type the new render no longer handles keeps its (idle) listener.
  handlers.set(node, Object.assign({}, Object.fromEntries(Object.keys(current).map((t) => [t, null])), on));
}

/* h("button", {type: "button", text: "Send", on: {click}}, [children]) */
export function h(tag, props, children) {
  const node = document.createElement(tag);
  props = props || {};
  let value;
  Object.keys(props).forEach((key) => {
    const v = props[key];
    if (v === undefined || v === null || v === false) return;
    if (key === "text") node.textContent = v;
    else if (key === "className") node.className = v;
    else if (key === "on") listen(node, v);
    else if (key === "key") keys.set(node, String(v));
    else if (key === "ref") refs.set(node, v);
    else if (key === "keep") kept.add(node);
    else if (key === "value") value = String(v);
    else if (key === "checked") node.checked = true;
    else if (key === "disabled") node.disabled = true;
    else if (key === "selected") node.selected = true;
    else node.setAttribute(key, v === true ? "" : String(v));
  });
  (children || []).forEach((child) => {
    if (child === null || child === undefined || child === false) return;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  });
  if (value !== undefined) node.value = value; // after the children: a <select> needs its options
  const ref = refs.get(node);
  if (ref) ref(node);
  return node;
}

export function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

export const byId = (id) => document.getElementById(id);

// --- render ------------------------------------------------------------------------------

function keyOf(node) {
  if (node.nodeType !== 1) return null;
  if (keys.has(node)) return keys.get(node);
  const id = node.getAttribute("id") || node.getAttribute("data-key");
  return id ? "#" + id : null;
}

function sameKind(live, next) {
  if (live.nodeType !== next.nodeType) return false;
  if (live.nodeType !== 1) return true;
  return live.tagName === next.tagName && (live.tagName !== "INPUT" || live.type === next.type) && keyOf(live) === keyOf(next);
}

const CONTROLS = "input, textarea, select, option";

function stateOf(node) {
  return { value: node.value, checked: Boolean(node.checked), selected: Boolean(node.selected) };
}

/* Remember what was rendered into the form controls of a subtree that goes on the page. */
function remember(node) {
  if (node.nodeType !== 1) return;
  if (node.matches(CONTROLS)) shown.set(node, stateOf(node));
  node.querySelectorAll(CONTROLS).forEach((control) => shown.set(control, stateOf(control)));
}

function tellRefs(next, live) {
  const ref = refs.get(next);
  if (ref) {
    refs.set(live, ref);
    ref(live);
  }
}

function patchAttributes(live, next) {
  for (const attr of Array.from(live.attributes)) {
    if (!next.hasAttribute(attr.name)) {
      if (attr.name === "style") live.style.cssText = "";
      else live.removeAttribute(attr.name);
    }
  }
  for (const attr of Array.from(next.attributes)) {
    if (live.getAttribute(attr.name) === attr.value) continue;
    // Styles through the CSSOM: the page's policy refuses style attributes set as text.
    if (attr.name === "style") live.style.cssText = next.style.cssText;
    else live.setAttribute(attr.name, attr.value);
  }
}

function patchControl(live, next) {
  const was = shown.get(live) || stateOf(live);
  const now = stateOf(next);
  if (live.tagName === "OPTION") {
    if (now.selected !== was.selected) live.selected = now.selected;
  } else if (live.tagName !== "SELECT") {
    if (now.checked !== was.checked) live.checked = now.checked;
    if (now.value !== was.value) {
      if (live === document.activeElement) now.value = was.value; // typed over: later
      else live.value = now.value;
    }
  }
  shown.set(live, now);
}

function patchNode(live, next) {
  if (live.nodeType !== 1) {
    if (live.nodeValue !== next.nodeValue) live.nodeValue = next.nodeValue;
    return;
  }
  patchAttributes(live, next);
  listen(live, handlers.get(next) || {});
  if (keys.has(next)) keys.set(live, keys.get(next));
  if (kept.has(next)) kept.add(live);
  else kept.delete(live);
  tellRefs(next, live);
  const control = live.matches(CONTROLS);
  // A kept node's content and a text field's are not the view's to redraw.
  if (!kept.has(live) && live.tagName !== "TEXTAREA") patchChildren(live, Array.from(next.childNodes));
  if (control) patchControl(live, next);
}

function patchChildren(parent, next) {
  const byKey = new Map();
  for (const child of Array.from(parent.childNodes)) {
    const key = keyOf(child);
    if (key !== null && !byKey.has(key)) byKey.set(key, child);
  }
  let cursor = parent.firstChild;
  for (const node of next) {
    const key = keyOf(node);
    let match = null;
    if (key !== null) {
      const candidate = byKey.get(key);
      if (candidate && sameKind(candidate, node)) match = candidate;
    } else {
      // Unkeyed: the next unkeyed node of the same kind, skipping keyed ones not yet due.
      let look = cursor;
      while (look && keyOf(look) !== null) look = look.nextSibling;
      if (look && sameKind(look, node)) match = look;
    }
    if (match) {
      if (key !== null) byKey.delete(key);
      if (match === cursor) cursor = cursor.nextSibling;
      else parent.insertBefore(match, cursor);
      patchNode(match, node);
    } else {
      parent.insertBefore(node, cursor);
      remember(node);
    }
  }
  while (cursor) {
    const after = cursor.nextSibling;
    parent.removeChild(cursor);
    cursor = after;
  }
}

function flatten(content) {
  const list = Array.isArray(content) ? content : [content];
  const nodes = [];
  list.forEach((item) => {
    if (item === null || item === undefined || item === false) return;
    if (Array.isArray(item)) nodes.push(...flatten(item));
    else nodes.push(typeof item === "string" ? document.createTextNode(item) : item);
  });
  return nodes;
}

function findByKey(container, key) {
  const walker = document.createTreeWalker(container, 1);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (keyOf(node) === key) return node;
  }
  return null;
}

/* Make `container`'s children what `build()` returns (a node, a string, null or a list of
 * them), changing the page only where it differs. With `key` (e.g. the data as JSON), a
 * render with the same key as the last one builds nothing: nothing changed. */
export function render(container, build, key) {
  if (key !== undefined) {
    if (drawnKeys.get(container) === key) return;
    drawnKeys.set(container, key);
  }
  const active = document.activeElement;
  const focused = active && active !== container && container.contains(active) ? active : null;
  const focusKey = focused ? keyOf(focused) : null;
  let caret = null;
  try {
    if (focused && typeof focused.selectionStart === "number") caret = [focused.selectionStart, focused.selectionEnd];
  } catch (e) { /* a field without a caret (number) */ }
  patchChildren(container, flatten(build()));
  if (!focused || document.activeElement === focused) return;
  // The focused node was moved (or drawn anew under the same key): focus it again.
  const again = focused.isConnected ? focused : focusKey ? findByKey(container, focusKey) : null;
  if (!again) return;
  again.focus({ preventScroll: true });
  if (caret && again === focused) {
    try { again.setSelectionRange(caret[0], caret[1]); } catch (e) { /* no caret */ }
  }
}
