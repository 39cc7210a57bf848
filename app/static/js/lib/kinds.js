/* The exercise kinds' renderers, by kind name: each script in app/static/js/kinds/
 * registers its own (docs/kinds.md), and the pages look them up here. */
export const kinds = {};

export function registerKind(name, views) {
  kinds[name] = views;
}

/* A group's name the way the page names it ("Trio 2" where the phones' group card says
 * so: api.group), or "Gruppe 2" where the page has no grouping (the results). */
export function groupName(api, number) {
  return api.group ? api.group(number) : api.t("group.number", { number: number });
}
