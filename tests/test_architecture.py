"""docs/architecture.md's import table is what the code imports.

By concern, like the doctests: the table spans every package.
"""

from __future__ import annotations

import ast
import re

from .helpers import REPO

DOC = REPO / "docs" / "architecture.md"
LEAVES = {"aggregator.errors", "aggregator.faults", "aggregator.defaults"}
THIRD_PARTY_NAMED = {"scrapy", "twisted"}


def unit(module: str) -> str | None:
    """The row a module belongs to: ``aggregator.<name>``, or a spiders/pipelines module."""
    parts = module.split(".")
    if parts[0] == "aggregator" and len(parts) > 1:
        return ".".join(parts[:2])
    if parts[0] in ("spiders", "pipelines"):
        return ".".join(parts[:2])
    if parts[0] in THIRD_PARTY_NAMED:
        return "scrapy"
    return None


def imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for package in ("aggregator", "spiders", "pipelines"):
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            # A package's own __init__/__main__ only re-exports; migrations run under Alembic.
            if parts[1] in ("__init__", "__main__") or "migrations" in parts:
                continue
            own = unit(".".join(parts))
            if own is None:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                for name in names:
                    target = unit(name)
                    if target and target != own and target not in LEAVES:
                        found.setdefault(own, set()).add(target)
    return found


def documented() -> dict[str, set[str]]:
    rows = re.findall(
        r"^\| ((?:aggregator|spiders|pipelines)\.\w+) \| (.*) \|$", DOC.read_text(), re.M
    )
    return {module: {n.strip() for n in allowed.split(",")} - {"—"} for module, allowed in rows}


def test_every_import_is_in_the_table() -> None:
    table = documented()
    undocumented = {
        module: sorted(targets - table.get(module, set()))
        for module, targets in imports().items()
        if targets - table.get(module, set())
    }
    assert undocumented == {}, "add these to docs/architecture.md, or drop the import"


def test_the_table_names_no_import_the_code_lacks() -> None:
    actual = imports()
    stale = {
        module: sorted(allowed - actual.get(module, set()))
        for module, allowed in documented().items()
        if allowed - actual.get(module, set())
    }
    assert stale == {}, "docs/architecture.md allows imports the code no longer makes"
