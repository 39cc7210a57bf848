/* The exercise kinds' renderers, by kind name: each script in app/static/js/kinds/
 * registers its own (docs/kinds.md), and the pages look them up here. */
export const kinds = {};

export function registerKind(name, views) {
  kinds[name] = views;
}
