"""Sign-In with Ethereum messages: the EIP-4361 text, the one-line challenge, the sign-in code."""

from __future__ import annotations

import pytest
from eth_account import Account

from ledger.write.sign_in import Challenge, SignInError, sign, signer_of

CHALLENGE = Challenge(
    "portal.example", "https://portal.example/auditor", 31337, "0123456789abcdef", 0, 300
)
KEY = Account.from_key("0x" + "11" * 32)


def test_message_is_eip_4361() -> None:
    assert CHALLENGE.message(KEY.address.lower()).splitlines() == [
        "portal.example wants you to sign in with your Ethereum account:",
        KEY.address,  # checksummed whatever the case given
        "",
        "Sign in to the AidLedger portal as an auditor.",
        "",
        "URI: https://portal.example/auditor",
        "Version: 1",
        "Chain ID: 31337",
        "Nonce: 0123456789abcdef",
        "Issued At: 1970-01-01T00:00:00Z",
        "Expiration Time: 1970-01-01T00:05:00Z",
    ]


def test_challenge_survives_copying_with_line_breaks() -> None:
    line = CHALLENGE.encode()
    assert Challenge.decode(f"  {line[:30]}\n{line[30:]} ") == CHALLENGE
    for damaged in ("", "hello", line[:-8], line.replace("aidledger", "x")):
        with pytest.raises(SignInError):
            Challenge.decode(damaged)


def test_code_names_the_signer_and_nothing_else_passes() -> None:
    code = sign(KEY, CHALLENGE)
    assert signer_of(CHALLENGE, code) == KEY.address
    other = Challenge(**{**CHALLENGE.__dict__, "nonce": "ffffffffffffffff"})
    stranger = Account.from_key("0x" + "22" * 32)
    for challenge, text in (
        (other, code),  # another challenge
        (CHALLENGE, stranger.address + code[42:]),  # claims another address
        (CHALLENGE, code[:-6] + "000000"),
        (CHALLENGE, KEY.address + ":0x1234"),
        (CHALLENGE, "no colon"),
    ):
        with pytest.raises(SignInError):
            signer_of(challenge, text)
