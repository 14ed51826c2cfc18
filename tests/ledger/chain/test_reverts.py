"""Revert data decodes into the right exception with a message that says what to do."""

from __future__ import annotations

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector

from ledger.chain.reverts import decode_revert, revert_data_from
from ledger.errors import (
    DuplicateIdError,
    InsufficientError,
    InvalidInputError,
    PausedError,
    UnauthorizedError,
)


def _data(signature: str, types: list[str], values: list[object]) -> bytes:
    return function_signature_to_4byte_selector(signature) + encode(types, values)


def test_insufficient_stock_names_values_and_hint() -> None:
    lot = b"\x01" * 32
    error = decode_revert(
        _data(
            "SupplyLedgerInsufficientStock(bytes32,uint256,uint256)",
            ["bytes32", "uint256", "uint256"],
            [lot, 5, 9],
        )
    )
    assert isinstance(error, InsufficientError)
    assert error.error_args == {"lotId": lot, "available": 5, "requested": 9}
    assert "available=5" in str(error) and "reduce the quantity" in str(error)


def test_open_zeppelin_errors_are_classified() -> None:
    unauthorized = decode_revert(
        _data(
            "AccessControlUnauthorizedAccount(address,bytes32)",
            ["address", "bytes32"],
            ["0x" + "ab" * 20, b"\x00" * 32],
        )
    )
    assert isinstance(unauthorized, UnauthorizedError) and isinstance(unauthorized, PermissionError)
    assert unauthorized.error_args["account"] == "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"
    assert isinstance(decode_revert(_data("EnforcedPause()", [], [])), PausedError)


def test_currency_is_shown_as_text_and_duplicates_say_retry_is_fine() -> None:
    error = decode_revert(_data("FundLedgerInvalidCurrency(bytes3)", ["bytes3"], [b"cny"]))
    assert isinstance(error, InvalidInputError) and "currency=cny" in str(error)
    dup = decode_revert(_data("FundLedgerDuplicateId(bytes32)", ["bytes32"], [b"\x02" * 32]))
    assert isinstance(dup, DuplicateIdError) and "retry" in str(dup)


def test_unknown_and_empty_revert_data_still_explain() -> None:
    assert "without a known error (0xdeadbeef)" in str(decode_revert(bytes.fromhex("deadbeef")))
    assert "no data" in str(decode_revert(b""))


def test_revert_data_from_web3_exception_shapes() -> None:
    class FakeError(Exception):
        def __init__(self, data: object) -> None:
            self.data = data

    assert revert_data_from(FakeError("0x1234")) == b"\x12\x34"
    assert revert_data_from(FakeError({"data": "0xff"})) == b"\xff"
    assert revert_data_from(FakeError(None)) is None
