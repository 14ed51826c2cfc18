"""The docs keep up with the code: every `aidledger` command has an example in docs/cli.md and
every report format a section in docs/reports.md, every field of a deployment file a row in
docs/deployments.md."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import typer

from ledger.chain.deployment import Deployment
from ledger.cli.main import app
from ledger.reports.formats import FORMATS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def command_paths(command: Any, prefix: tuple[str, ...] = ()) -> list[str]:
    """`aidledger <path>` for every command that runs (groups that run on their own too)."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        return [" ".join(("aidledger", *prefix))]
    found = []
    if prefix and getattr(command, "invoke_without_command", False):
        found.append(" ".join(("aidledger", *prefix)))
    for name, sub in subcommands.items():
        found += command_paths(sub, (*prefix, name))
    return found


def test_every_command_has_an_example_in_the_cli_docs() -> None:
    text = (DOCS / "cli.md").read_text()
    paths = command_paths(typer.main.get_command(app))
    assert len(paths) > 30 and "aidledger report verify" in paths
    assert [p for p in paths if p not in text] == []


def test_every_report_format_is_documented() -> None:
    text = (DOCS / "reports.md").read_text()
    cli = (DOCS / "cli.md").read_text()
    for fmt in FORMATS:
        assert f"`{fmt}`" in cli, fmt
        assert f"--format {fmt}" in text or f"`{fmt}`" in text or f"## {fmt.upper()}" in text, fmt


def test_every_deployment_field_is_in_the_deployments_table() -> None:
    """docs/deployments.md has one table row per field of deployments/<chain-id>.json."""
    rows = re.findall(r"^\| `(\w+)` \|", (DOCS / "deployments.md").read_text(), re.MULTILINE)
    assert rows == [f.name for f in dataclasses.fields(Deployment)]
