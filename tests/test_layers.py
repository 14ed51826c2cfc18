"""The flow runs one way: write -> chain -> indexer -> SQL -> portal/reports. Checked by reading
every import (including the ones inside functions) with `ast`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("devnet", "ledger", "portal")

# package prefix -> prefixes it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "devnet": ("ledger", "portal"),
    "ledger.errors": ("ledger",),
    "ledger.files": ("ledger",),
    "ledger.chain": (
        "ledger.store",
        "ledger.indexer",
        "ledger.write",
        "ledger.queries",
        "ledger.reports",
        "ledger.cli",
        "portal",
    ),
    "ledger.store": (
        "ledger.chain",
        "ledger.indexer",
        "ledger.write",
        "ledger.queries",
        "ledger.reports",
        "ledger.cli",
        "ledger.config",
        "portal",
    ),
    "ledger.write": ("ledger.store", "ledger.indexer", "ledger.reports", "ledger.cli", "portal"),
    "ledger.indexer": ("ledger.write", "ledger.queries", "ledger.reports", "ledger.cli", "portal"),
    "ledger.queries": ("ledger.indexer", "ledger.write", "ledger.reports", "ledger.cli", "portal"),
    "ledger.reports": ("ledger.indexer", "ledger.write", "ledger.cli", "portal"),
    "portal": ("ledger.indexer", "ledger.cli"),
    # the demo seeds like an office (write), indexes between rounds and plans from the mirror,
    # as the CLI does; the CLI runs it, never the other way round
    "ledger.demo": ("ledger.cli", "portal"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module) for every import in the file, relative ones resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:  # `from ledger import indexer` imports ledger.indexer
                yield node.lineno, f"{base}.{alias.name}"


def sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def rule_for(module: str) -> str | None:
    """The most specific layer `module` belongs to."""
    matches = [k for k in FORBIDDEN if module == k or module.startswith(k + ".")]
    return max(matches, key=len) if matches else None


def banned(layer: str, target: str) -> bool:
    """Whether code in `layer` may not import `target`."""
    return any(target == b or target.startswith(b + ".") for b in FORBIDDEN[layer])


def violations() -> list[str]:
    found = []
    for path in sources():
        module = module_name(path)
        rule = rule_for(module)
        if rule is None:
            continue
        for line, target in imports(path):
            if banned(rule, target):
                found.append(f"{path.relative_to(ROOT)}:{line} ({rule}) imports {target}")
    return found


def test_the_flow_never_runs_backwards() -> None:
    assert violations() == []


def test_every_package_module_falls_under_a_rule() -> None:
    unruled = [
        module_name(p)
        for p in sources()
        if rule_for(module_name(p)) is None
        and module_name(p) not in ("ledger", "ledger.__main__", "ledger.config")
        and not module_name(p).startswith("ledger.cli")
    ]
    assert unruled == []


@pytest.mark.parametrize(
    ("module", "target", "allowed"),
    [
        ("devnet.cli", "ledger.config", False),
        ("ledger.chain.events", "ledger.indexer.verify", False),
        ("ledger.store.models", "ledger.errors", True),
        ("ledger.store.models", "ledger.chain.ids", False),
        ("ledger.write.service", "ledger.chain.bindings", True),
        ("portal.app", "ledger.indexer.sync", False),
        ("ledger.indexer.sync", "ledger.store.models", True),
    ],
)
def test_the_rules_themselves(module: str, target: str, allowed: bool) -> None:
    layer = rule_for(module)
    assert layer is not None
    assert banned(layer, target) is not allowed
