/* What the server put in the page for its scripts: the texts of its language and the
 * start-up data (room code, role, key), as JSON blocks (no inline script). */
import { localizeTo, translate } from "./i18n.js";

function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

const catalog = readJson("samling-catalog");

export const boot = readJson("samling-boot");
export const lang = boot.lang || "nb";

export function t(key, params) {
  return translate(catalog, key, params, lang);
}

export function localize(value) {
  return localizeTo(lang, value);
}
