"""docs/devnet.md names every JSON-RPC method the devnet serves and every CLI option."""

from __future__ import annotations

import re

from devnet.cli import devnet_app
from devnet.rpc.dispatch import METHODS
from tests.devnet.nodes import ROOT

DOC = (ROOT / "docs" / "devnet.md").read_text()


def test_every_method_is_documented() -> None:
    missing = [m for m in METHODS if m not in DOC]
    assert missing == []


def test_every_cli_option_is_documented() -> None:
    from typer.main import get_command  # noqa: PLC0415

    command = get_command(devnet_app)
    options = {o for p in command.params for o in getattr(p, "opts", []) if o.startswith("--")}
    options -= {"--install-completion", "--show-completion", "--help"}
    assert options, "no options found"
    missing = sorted(o for o in options if not re.search(rf"`{re.escape(o)}`", DOC))
    assert missing == []
