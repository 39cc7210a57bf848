"""axe-core (from the npm registry; bin/test installs it into tests/browser/node_modules)
run in a page as it is: every rule of WCAG 2.1 A and AA and axe's best practices (one h1
first, unique landmark names, everything inside a landmark …)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
RUN = """
async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  });
  return result.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", "));
}
"""


@cache
def _source() -> str:
    if not AXE.exists():
        raise AssertionError(f"axe-core is missing: {AXE} (bin/test installs it with npm)")
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[str]:
    """axe's violations on the page as it is now (empty: none)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())  # through the DevTools protocol: the page's CSP stays as it is
    found: list[str] = page.evaluate(RUN)
    return found
