"""`aidledger auditor sign-in-code CHALLENGE --as NAME`: sign the portal's auditor sign-in
challenge with a staff key (ledger/write/sign_in.py). Works offline: it needs only the staff
records and the encrypted keystore under the data directory, never a node."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from ledger.cli.context import AsOpt, keys_dir, passphrase, staff_book
from ledger.config import load_settings
from ledger.errors import AidLedgerConfigError, AidLedgerValueError

auditor_app = typer.Typer(help="Auditors: sign in to the portal's auditor page.")


@auditor_app.callback()
def _auditor() -> None:
    """Auditors: sign in to the portal's auditor page."""


@auditor_app.command("sign-in-code")
def sign_in_code(
    challenge: Annotated[str, typer.Argument(help="The challenge the portal's sign-in shows.")],
    signer: AsOpt = None,
) -> None:
    """Sign the portal's sign-in challenge; print the code to paste into the portal.

    Shows the EIP-4361 message it signs on stderr: check that it names the portal you opened.
    Example: aidledger auditor sign-in-code --as auditor-wang aidledger-sign-in:eyJ...
    """
    from ledger.write.keys import Keystore
    from ledger.write.sign_in import Challenge, sign

    parsed = Challenge.decode(challenge)
    if parsed.expires_at < time.time():
        raise AidLedgerValueError(
            "this challenge has expired: reload the portal's sign-in page for a new one"
        )
    if not signer:
        raise AidLedgerConfigError(
            "say who signs: --as NAME (a staff member) or set AIDLEDGER_STAFF"
        )
    settings = load_settings()
    member = staff_book(settings).active(signer)
    if member.role != "auditor":
        typer.echo(
            f"note: {member.name} is recorded as {member.role}, not auditor; the portal "
            "accepts only keys that hold the auditor role on chain",
            err=True,
        )
    account = Keystore(keys_dir(settings)).unlock(member.address, passphrase())
    typer.echo(f"signing for {parsed.domain}:\n\n{parsed.message(account.address)}\n", err=True)
    typer.echo(sign(account, parsed))
