"""Dependencies point one way (ARCHITECTURE.md): a module imports its own layer and the
layers below it, never one above. Every import counts, including those inside functions
and under TYPE_CHECKING, which is where circles used to hide. Migrations are history and
are not checked."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Bottom to top. A package may import packages of its own layer or lower layers.
LAYERS: list[set[str]] = [
    {"text", "frontend", "workers"},  # pure text; headers, template helpers; task workers
    {"drafts"},  # the draft record: versions, clauses, redlines, anchoring
    {"consult"},  # participation: submissions, receipts, live, voice, screening, audit
    {"moderation"},  # decisions, appeals, transparency, privacy
    {"analysis"},  # campaigns, themes, figures, open data
    {"cms", "api"},  # Wagtail pages, admin views and hooks, the demo; the public API
    {"config", "ops"},  # the project: settings, URLs, ASGI, the server; backup and restore
]
LAYER_OF = {package: level for level, packages in enumerate(LAYERS) for package in packages}

# Upward imports allowed for now, each with where it should go. Empty: keep it so.
KNOWN_UPWARD: dict[str, set[str]] = {}


def imported_packages(source: str) -> list[tuple[int, str]]:
    """(line, top-level package) for every absolute import of one of our packages."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LAYER_OF:
                found.append((node.lineno, top))
    return found


def upward_imports(package: str, relative_path: str, source: str) -> list[str]:
    level = LAYER_OF[package]
    return [
        f"{relative_path}:{line} imports {target} (a layer above {package})"
        for line, target in imported_packages(source)
        if LAYER_OF[target] > level and target not in KNOWN_UPWARD.get(relative_path, ())
    ]


def python_files(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def test_every_package_is_in_a_layer():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages <= set(LAYER_OF), f"give these a layer: {sorted(packages - set(LAYER_OF))}"


@pytest.mark.parametrize("package", sorted(LAYER_OF))
def test_no_upward_imports(package):
    violations = []
    for path in python_files(package):
        source = path.read_text(encoding="utf-8")
        violations += upward_imports(package, str(path.relative_to(ROOT)), source)
    assert not violations, "\n".join(violations)


def test_the_check_finds_an_upward_import_even_inside_a_function():
    source = "def view():\n    from cms.models import ConsultationPage\n"
    assert upward_imports("consult", "consult/x.py", source) == [
        "consult/x.py:2 imports cms (a layer above consult)"
    ]
    assert upward_imports("cms", "cms/x.py", "import consult.models\n") == []
    # Nothing is let through any more: analysis reaching up for the report page fails too.
    assert upward_imports("analysis", "analysis/services.py", "import cms.report_pages\n") == [
        "analysis/services.py:1 imports cms (a layer above analysis)"
    ]
