/* Building the page without innerHTML: text always goes through textContent. */

/* h("button", {type: "button", text: "Send", on: {click}}, [children]) */
export function h(tag, props, children) {
  const node = document.createElement(tag);
  props = props || {};
  Object.keys(props).forEach((key) => {
    const value = props[key];
    if (value === undefined || value === null || value === false) return;
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else if (key === "on") {
      Object.keys(value).forEach((event) => node.addEventListener(event, value[event]));
    } else if (key === "value") node.value = value;
    else if (key === "checked") node.checked = true;
    else if (key === "disabled") node.disabled = true;
    else node.setAttribute(key, value === true ? "" : String(value));
  });
  (children || []).forEach((child) => {
    if (child === null || child === undefined || child === false) return;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  });
  return node;
}

export function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

export const byId = (id) => document.getElementById(id);
