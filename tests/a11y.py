"""Accessibility checks with axe-core (installed from npm into frontend/node_modules).

Usage in any Playwright test::

    from tests.a11y import assert_no_axe_violations
    assert_no_axe_violations(page)            # the whole page, WCAG 2.1 A + AA rules
    assert_no_axe_violations(page, "#comment-form")   # one region
"""

from __future__ import annotations

import functools
from pathlib import Path

AXE_JS = (
    Path(__file__).resolve().parents[1] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_path() -> Path:
    if not AXE_JS.exists():
        raise AssertionError(
            f"axe-core is not installed at {AXE_JS}: run `make frontend-deps` "
            "(npm ci in frontend/, from the committed package-lock.json)"
        )
    return AXE_JS


@functools.cache
def _axe_source() -> str:
    return axe_path().read_text() + "\n;undefined"


def run_axe(page, context: str | None = None, tags: list[str] | None = None) -> list[dict]:
    """Run axe-core in the page and return its violations (one dict per failing rule)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools rather than added as a <script>: the site's CSP (rightly)
        # refuses inline scripts, and the test must not loosen it to inspect the page.
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async ([context, tags]) => {
            // Only violations are reported, so only they are gathered in full (every rule
            // still runs): about a tenth less time on the admin's large editing pages.
            const r = await axe.run(context || document, {runOnly: {type: 'tag', values: tags},
                                                          resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }""",
        [context, tags or WCAG_TAGS],
    )
    return result


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node}" for node in violation["nodes"][:5])
    return "\n".join(lines)


def assert_no_axe_violations(page, context: str | None = None, tags: list[str] | None = None):
    """Fail listing every WCAG 2.1 A/AA violation axe-core finds on the page (or region).

    Needs JavaScript enabled in the browser context (axe runs in the page)."""
    violations = run_axe(page, context, tags)
    assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n" + (
        format_violations(violations)
    )
