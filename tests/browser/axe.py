"""axe-core (from the npm registry, installed by `make test`) run inside the page under test."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent.parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """WCAG 2.1 A/AA violations on the current page (the context must bypass CSP to inject axe)."""
    assert AXE.exists(), "axe-core is missing: `make test` installs it (cd tests/js && npm install)"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_AA)
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]
