"""Sign-In with Ethereum (EIP-4361) for the portal's auditor page, signed with a staff key.

The portal shows a *challenge*: one line, `aidledger-sign-in:` followed by the base64url JSON of
its domain, URI, chain id, nonce, issue and expiry times. `aidledger auditor sign-in-code
CHALLENGE --as NAME` builds the EIP-4361 message from it with the staff member's address,
signs it (EIP-191 `personal_sign`) and prints a *sign-in code*, `<address>:<signature>`, that the
auditor pastes into the portal. The portal builds the same message and recovers the address.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_utils import is_hex_address, to_checksum_address

from ledger.errors import AidLedgerValueError

PREFIX = "aidledger-sign-in:"
STATEMENT = "Sign in to the AidLedger portal as an auditor."


class SignInError(AidLedgerValueError):
    """A challenge or a sign-in code that cannot be read."""


def _time(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Challenge:
    """What an auditor signs: the portal (`domain`, `uri`), its chain, a nonce and a lifetime."""

    domain: str
    uri: str
    chain_id: int
    nonce: str
    issued_at: int  # unix seconds
    expires_at: int

    def message(self, address: str) -> str:
        """The EIP-4361 message `address` signs."""
        return (
            f"{self.domain} wants you to sign in with your Ethereum account:\n"
            f"{to_checksum_address(address)}\n\n{STATEMENT}\n\n"
            f"URI: {self.uri}\nVersion: 1\nChain ID: {self.chain_id}\nNonce: {self.nonce}\n"
            f"Issued At: {_time(self.issued_at)}\nExpiration Time: {_time(self.expires_at)}"
        )

    def encode(self) -> str:
        """The one-line challenge the portal shows."""
        data = json.dumps(self.__dict__, separators=(",", ":"), sort_keys=True).encode()
        return PREFIX + base64.urlsafe_b64encode(data).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Challenge:
        """Read a challenge as copied from the portal (spaces and line breaks ignored)."""
        compact = "".join(text.split())
        if not compact.startswith(PREFIX):
            raise SignInError(f"a challenge starts with {PREFIX!r}: copy it whole from the portal")
        body = compact.removeprefix(PREFIX)
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            return cls(
                str(data["domain"]),
                str(data["uri"]),
                int(data["chain_id"]),
                str(data["nonce"]),
                int(data["issued_at"]),
                int(data["expires_at"]),
            )
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise SignInError("the challenge is damaged: copy it whole from the portal") from None


def sign(account: LocalAccount, challenge: Challenge) -> str:
    """The sign-in code: `<address>:<signature>` over the challenge's message."""
    message = encode_defunct(text=challenge.message(account.address))
    signature = account.sign_message(message).signature.hex()
    return f"{account.address}:0x{signature.removeprefix('0x')}"


def signer_of(challenge: Challenge, code: str) -> str:
    """The checksum address whose key signed `challenge` for the address the code names;
    SignInError when the code is malformed or its signature is not that address's."""
    address, _, signature = "".join(code.split()).partition(":")
    if not is_hex_address(address) or not signature:
        raise SignInError("a sign-in code is <address>:<signature>, as the command prints it")
    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
        recovered = Account.recover_message(
            encode_defunct(text=challenge.message(address)), signature=raw
        )
    except Exception:  # eth-keys raises several kinds for a signature that is not one
        raise SignInError("the signature in the sign-in code is not valid") from None
    if recovered.lower() != address.lower():
        raise SignInError("the signature in the sign-in code is not this address's")
    return to_checksum_address(recovered)
