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


def test_values_above_the_cap_say_what_the_cap_is() -> None:
    error = decode_revert(
        _data(
            "SupplyLedgerTotalTooLarge(bytes32,uint256,uint256,uint256)",
            ["bytes32", "uint256", "uint256", "uint256"],
            [b"\x03" * 32, 2**63 - 2, 2, 2**63 - 1],
        )
    )
    assert isinstance(error, InvalidInputError)
    assert error.error_args == {
        "lotId": b"\x03" * 32,
        "total": 2**63 - 2,
        "quantity": 2,
        "max": 2**63 - 1,
    }
    assert "caps every amount, quantity and running total at 9223372036854775807" in str(error)


def test_every_new_refusal_decodes_from_the_built_abi() -> None:
    cases: dict[str, tuple[list[str], list[object], str]] = {
        "FundLedgerZeroAmount()": ([], [], "at least 1"),
        "FundLedgerAmountTooLarge(uint256,uint256)": (["uint256"] * 2, [2**63, 2**63 - 1], "caps"),
        "FundLedgerInvalidEarmarkKind(uint8)": (["uint8"], [4], "kind=4"),
        "SupplyLedgerInvalidPriority(uint8)": (["uint8"], [9], "priority=9"),
        "SupplyLedgerInvalidUnit(uint8)": (["uint8"], [3], "unit=3"),
        "SupplyLedgerZeroBeneficiaries()": ([], [], "correct the input"),
        "SupplyLedgerZeroQuantity()": ([], [], "at least 1"),
    }
    for signature, (types, values, shown) in cases.items():
        error = decode_revert(_data(signature, types, values))
        assert isinstance(error, InvalidInputError), signature
        assert error.error == signature.split("(")[0] and shown in str(error), str(error)
