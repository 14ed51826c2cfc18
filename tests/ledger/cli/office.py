"""A relief office set up through the real `aidledger` command: a devnet, the deployment, staff
with their own encrypted keys, an organisation, sites and items."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.devnet.nodes import running, start_devnet
from tests.ledger.cli.cli import run_cli

PASSPHRASE = "test passphrase for staff keys"


@dataclass(frozen=True)
class Office:
    """Where the office's files are, and how to run `aidledger` there."""

    root: Path
    url: str

    def env(self, staff: str | None = None) -> dict[str, str]:
        """Environment for a command signed by `staff`."""
        env = {
            "AIDLEDGER_RPC_URL": self.url,
            "AIDLEDGER_KEY_PASSPHRASE": PASSPHRASE,
            "AIDLEDGER_DATABASE_URL": f"sqlite:///{self.root / 'data' / 'mirror.sqlite3'}",
        }
        if staff:
            env["AIDLEDGER_STAFF"] = staff
        return env

    def run(self, *args: str, staff: str | None = None) -> subprocess.CompletedProcess[str]:
        """`aidledger *args` as `staff`."""
        return run_cli(*args, cwd=self.root, env=self.env(staff))

    def ok(self, *args: str, staff: str | None = None) -> dict[str, object]:
        """Run with --json, check it succeeded, return the JSON it printed."""
        result = self.run(*args, "--json", staff=staff)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    def index(self) -> None:
        """Bring the mirror up to the head."""
        result = self.run("index")
        assert result.returncode == 0, result.stderr


STAFF: tuple[tuple[str, str, str | None], ...] = (
    ("intake", "intake", None),
    ("coord", "coordinator", None),
    ("wh1", "operator", "WH-1"),
    ("wh2", "operator", "WH-2"),
    ("hosp", "recipient", "Hospital Y"),
)


@contextmanager
def office(root: Path) -> Iterator[Office]:
    """Set the office up from nothing, the way its administrator would."""
    with running(start_devnet(root / "chain")) as node:
        place = Office(root, node.url)
        assert place.run("deploy").returncode == 0
        place.ok("org", "add", "Wuhan Relief", "--kind", "relief_agency")
        place.ok("org", "add", "Huabei Medical", "--kind", "supplier")
        place.ok("org", "add", "Jinyintan Hospital", "--kind", "hospital")
        place.index()
        for site, org, kind, region in (
            ("WH-1", "Wuhan Relief", "warehouse", "CN-HB"),
            ("WH-2", "Wuhan Relief", "warehouse", "CN-GD"),
            ("Hospital Y", "Jinyintan Hospital", "recipient", "CN-HB"),
        ):
            place.ok("site", "add", site, "--org", org, "--kind", kind, "--region", region)
        place.index()
        for name, role, at in STAFF:
            extra = ("--site", at) if at else ()
            place.ok("staff", "add", "--name", name, "--role", role, *extra)
        place.ok("item", "add", "N95", "--unit", "piece", "--category", "ppe", staff="coord")
        place.index()
        yield place
