/* «Oppsummering fra sist samling»: the earlier gathering's results, read-only, on the
 * projector, the facilitator's page and the phones (the same data everywhere).
 * Data: app/core/kinds/recap.py (view()). */
import { h, render } from "../lib/dom.js";
import { registerKind } from "../lib/kinds.js";

function heading(section, api) {
  const title = api.localize(section.title);
  if (section.kind === "groups") return api.t("recap.group", { n: section.group });
  if (section.group) return api.t("recap.title_group", { title, n: section.group });
  if (section.kind === "ranking") return api.t("recap.title_ranking", { title });
  return title;
}

function counted(item, api, key) {
  return item.count === null || item.count === undefined ? item.text : api.t(key, { text: item.text, count: item.count });
}

function sectionNode(section, api) {
  let body;
  if (section.kind === "diamond") {
    body = h("div", { className: "recap-diamond", role: "list" }, section.rows.map((row, r) =>
      h("div", { className: "recap-diamond-row", role: "listitem", "aria-label": api.t("recap.row", { n: r + 1 }) },
        row.map((value) => h("span", { className: "recap-value" + (value ? "" : " empty"), text: value || "–" })))
    ));
  } else if (section.kind === "groups") {
    body = h("p", { className: "recap-members", text: section.items.map((i) => i.text).join(", ") });
  } else {
    const key = section.kind === "words" ? "recap.word_count" : section.kind === "ranking" ? "recap.points" : "recap.votes";
    const tag = section.kind === "words" ? "ul" : "ol";
    body = h(tag, { className: "recap-items recap-" + section.kind }, section.items.map((item) => h("li", { text: counted(item, api, key) })));
  }
  return h("section", { className: "recap-section recap-section-" + section.kind }, [h("h3", { text: heading(section, api) }), body]);
}

function draw(el, data, api) {
  const sections = data.sections || [];
  const results = sections.filter((s) => s.kind !== "groups");
  const groups = sections.filter((s) => s.kind === "groups");
  const from = api.localize(data.title);
  render(el, () => [
    h("h2", { text: api.t("recap.heading") }),
    from ? h("p", { className: "recap-from", text: data.date ? api.t("recap.from_date", { title: from, date: data.date }) : api.t("recap.from", { title: from }) }) : null,
    results.length ? h("div", { className: "recap-results" }, results.map((s) => sectionNode(s, api))) : h("p", { className: "hint", text: api.t("recap.nothing") }),
    groups.length ? h("h3", { className: "recap-groups-title", text: api.t("recap.groups") }) : null,
    groups.length ? h("div", { className: "recap-groups" }, groups.map((s) => sectionNode(s, api))) : null,
  ], JSON.stringify(data));
}

registerKind("recap", { phone: draw, projector: draw, facilitator: draw, results: draw });
