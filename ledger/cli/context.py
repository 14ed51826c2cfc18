"""What every writing command shares: options, the signer, the write service, names, output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.config import Settings, check_rpc_url, load_settings
from ledger.errors import AidLedgerConfigError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from sqlmodel import Session

    from ledger.chain.bindings import AidLedger
    from ledger.write.commands import Command
    from ledger.write.service import Outcome, WriteService
    from ledger.write.staff import StaffBook

RpcOpt = Annotated[str | None, typer.Option("--rpc", help="Node URL (default: AIDLEDGER_RPC_URL).")]
AsOpt = Annotated[
    str | None,
    typer.Option(
        "--as",
        envvar="AIDLEDGER_STAFF",
        help="The staff member who signs (see `aidledger staff list`); default AIDLEDGER_STAFF.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")]
PASSPHRASE_ENV = "AIDLEDGER_KEY_PASSPHRASE"


def staff_book(settings: Settings) -> StaffBook:
    """The staff records under the data directory."""
    from ledger.write.staff import StaffBook

    return StaffBook(settings.data_dir / "staff.json")


def keys_dir(settings: Settings) -> Path:
    """Where staff keystores live."""
    return settings.data_dir / "keys"


def passphrase(confirm: bool = False) -> str:
    """The keystore passphrase: AIDLEDGER_KEY_PASSPHRASE, else asked on a terminal."""
    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        raise AidLedgerConfigError(
            f"a staff key needs its passphrase: set {PASSPHRASE_ENV} or run on a terminal"
        )
    return str(typer.prompt("key passphrase", hide_input=True, confirmation_prompt=confirm))


@dataclass
class Writer:
    """An open connection for writing: settings, the system, the service and the mirror."""

    settings: Settings
    ledger: AidLedger
    service: WriteService
    session: Session | None

    def signer(self, name: str | None) -> LocalAccount:
        """The key of staff member `name` (unlocked with the passphrase)."""
        from ledger.write.keys import Keystore

        if not name:
            raise AidLedgerConfigError(
                "say who signs: --as NAME (a staff member) or set AIDLEDGER_STAFF"
            )
        member = staff_book(self.settings).active(name)
        return Keystore(keys_dir(self.settings)).unlock(member.address, passphrase())

    def admin(self, name: str | None) -> LocalAccount:
        """An administrator: staff member `name`, else the deployer key (a dev chain's default)."""
        if name:
            return self.signer(name)
        from ledger.cli.deploy import deployer_account

        return deployer_account(self.ledger.client.chain_id, "AIDLEDGER_DEPLOYER_KEY")

    def resolve(self, kind: str, text: str) -> bytes:
        """A name, label or 0x id to an id, through the mirror (0x ids need no mirror)."""
        from ledger.queries.names import resolve

        if text.startswith("0x") and len(text) == 66:
            return bytes.fromhex(text[2:])
        if self.session is None:
            raise AidLedgerConfigError(
                f"{kind} {text!r} is a name, and names resolve through the mirror, which is not "
                "there: run `aidledger index`, or give the 0x id"
            )
        return resolve(self.session, kind, text)

    def submit(self, signer: LocalAccount, command: Command, as_json: bool) -> Outcome:
        """Send `command` and print what happened."""
        outcome = self.service.submit(signer, command)
        show(outcome, as_json)
        return outcome


@contextmanager
def writer(rpc: str | None) -> Iterator[Writer]:
    """Connect to the node and its deployment, open the mirror if there is one, for names."""
    from sqlmodel import Session

    from ledger.chain.bindings import AidLedger
    from ledger.chain.client import ChainClient
    from ledger.chain.deployment import Deployment
    from ledger.queries.names import name_of
    from ledger.store.db import make_engine
    from ledger.write.service import WriteService

    settings = load_settings()
    client = ChainClient.connect(check_rpc_url(rpc or settings.rpc_url))
    deployment = Deployment.load(settings.deployments_dir, client.chain_id)
    ledger = AidLedger.attach(client, deployment)
    session = (
        Session(make_engine(settings.database_url, settings.data_dir))
        if _has_mirror(settings)
        else None
    )
    namer = None if session is None else (lambda kind, key: name_of(session, kind, key))
    try:
        yield Writer(settings, ledger, WriteService(ledger, namer=namer), session)
    finally:
        if session is not None:
            session.close()


def _has_mirror(settings: Settings) -> bool:
    """False for a SQLite mirror file that was never made (names then need 0x ids)."""
    url = settings.database_url
    return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).exists()


def show(outcome: Outcome, as_json: bool) -> None:
    """One line per outcome, or its JSON."""
    if as_json:
        typer.echo(json.dumps(asdict(outcome)))
        return
    seqs = outcome.seqs
    where = f"in tx {outcome.tx_hash}, block {outcome.block_number:,}"
    span = f"seq {seqs[0]}" + (f"..{seqs[-1]}" if len(seqs) > 1 else "") if seqs else "no event"
    if outcome.already_recorded:
        typer.echo(f"already recorded: {outcome.command} {outcome.record_id} {where} ({span})")
    else:
        typer.echo(f"recorded {outcome.command} {outcome.record_id} {where} ({span})")
