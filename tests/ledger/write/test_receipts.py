"""Receipt codes: printed form, forgiving reading, typo detection, commitment, QR codes."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
import segno
from eth_abi import encode
from eth_utils import keccak
from hypothesis import assume, given
from hypothesis import strategies as st

from ledger.chain.ids import donor_commitment
from ledger.errors import AidLedgerConfigError
from ledger.write.receipts import ALPHABET, ReceiptBook, ReceiptCode, ReceiptCodeError

secrets_ = st.binary(min_size=20, max_size=20)


def compact(code: ReceiptCode) -> str:
    return str(code).replace("-", "")


def test_printed_form_is_nine_groups_of_four_crockford_characters() -> None:
    text = str(ReceiptCode.new())
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){8}[0-9A-HJKMNP-TV-Z]{4}", text), text


def test_zero_and_all_ones_secrets_round_trip() -> None:
    for secret in (bytes(20), b"\xff" * 20):
        code = ReceiptCode(secret)
        assert ReceiptCode.parse(str(code)) == code


@given(secrets_)
def test_parse_reads_any_case_spaces_and_dashes(secret: bytes) -> None:
    code = ReceiptCode(secret)
    text = compact(code)
    messy = " ".join(text[i : i + 3] for i in range(0, len(text), 3)).lower()
    assert ReceiptCode.parse(messy) == code
    assert ReceiptCode.parse(f"  {text[:5]}--{text[5:]}  ") == code


def test_parse_reads_i_l_as_one_and_o_as_zero() -> None:
    code = ReceiptCode(bytes(19) + b"\x21")  # ends ...0011 in base 32 -> '0' and '1' present
    text = compact(code)
    assert "0" in text and "1" in text
    assert ReceiptCode.parse(text.replace("0", "o").replace("1", "L")) == code
    assert ReceiptCode.parse(text.replace("1", "I")) == code


@given(secrets_, st.data())
def test_every_single_character_substitution_is_caught(secret: bytes, data: st.DataObject) -> None:
    text = compact(ReceiptCode(secret))
    position = data.draw(st.integers(0, len(text) - 1))
    other = data.draw(st.sampled_from([c for c in ALPHABET if c != text[position]]))
    typo = text[:position] + other + text[position + 1 :]
    with pytest.raises(ReceiptCodeError, match="typo"):
        ReceiptCode.parse(typo)


@given(secrets_, st.data())
def test_every_swap_of_neighbours_is_caught(secret: bytes, data: st.DataObject) -> None:
    text = compact(ReceiptCode(secret))
    swappable = [i for i in range(len(text) - 1) if text[i] != text[i + 1]]
    assume(swappable)  # the all-zero secret prints as 36 zeros: no swap changes it
    i = data.draw(st.sampled_from(swappable))
    typo = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    with pytest.raises(ReceiptCodeError, match="typo"):
        ReceiptCode.parse(typo)


def test_every_substitution_and_swap_of_one_code_is_caught_exhaustively() -> None:
    text = compact(ReceiptCode.new())
    for i in range(len(text)):
        for other in ALPHABET.replace(text[i], ""):
            with pytest.raises(ReceiptCodeError):
                ReceiptCode.parse(text[:i] + other + text[i + 1 :])
        if i + 1 < len(text) and text[i] != text[i + 1]:
            with pytest.raises(ReceiptCodeError):
                ReceiptCode.parse(text[:i] + text[i + 1] + text[i] + text[i + 2 :])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("U" * 36, "which no receipt code contains"),
        ("ABCD-EFGH", "has 8 characters, not 36"),
        ("", "has 0 characters"),
        ("1PG1-FZM7-XDZY-YK4P-T9WD-5ZQX-5MKE-B65Y-T1X2!", "'!'"),
    ],
)
def test_malformed_codes_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ReceiptCodeError, match=re.escape(problem)):
        ReceiptCode.parse(text)


def test_commitment_is_donor_commitment_of_the_salt_derived_from_the_code_alone() -> None:
    code = ReceiptCode(bytes(range(20)))
    salt = keccak(b"aidledger-receipt" + bytes(range(20)))
    assert code.salt == salt
    assert code.commitment == donor_commitment("", salt)
    assert code.commitment == keccak(encode(["bytes32", "string"], [salt, ""]))
    assert ReceiptCode.parse(str(code).lower()).commitment == code.commitment
    assert ReceiptCode.new().commitment != code.commitment


def test_new_codes_differ() -> None:
    assert len({ReceiptCode.new() for _ in range(100)}) == 100


def test_qr_svg_is_an_svg_document_and_png_a_png() -> None:
    code = ReceiptCode.new()
    root = ElementTree.fromstring(code.qr_svg())
    assert root.tag.endswith("svg")
    assert code.qr_png().startswith(b"\x89PNG\r\n\x1a\n")


def test_qr_encodes_the_printed_code() -> None:
    code = ReceiptCode.new()
    qr = segno.make_qr(str(code), error="m")
    assert qr.matrix == code._qr().matrix
    assert qr.mode == "alphanumeric"


def test_receipt_book_keeps_one_code_per_kind_and_source(tmp_path: Path) -> None:
    book = ReceiptBook(tmp_path / "data" / "receipt-codes.csv")
    first = book.code_for("money", "B-1")
    assert book.code_for("money", "B-1") == first
    assert book.code_for("in_kind", "B-1") != first
    assert ReceiptBook(book.path).codes()[("money", "B-1")] == first
    assert oct(book.path.stat().st_mode & 0o777) == "0o600"


def test_a_damaged_receipt_book_names_its_row(tmp_path: Path) -> None:
    book = ReceiptBook(tmp_path / "receipt-codes.csv")
    book.code_for("money", "B-1")
    book.path.write_text(book.path.read_text(encoding="utf-8-sig")[:-3], encoding="utf-8")
    with pytest.raises(ReceiptCodeError, match=r"row 2 is not a receipt book row"):
        book.codes()


def test_a_receipt_book_that_cannot_be_written_says_so() -> None:
    # sysfs refuses new files even to root, where a read-only mode would not
    with pytest.raises(AidLedgerConfigError, match="cannot keep the receipt code in /sys"):
        ReceiptBook(Path("/sys/receipt-codes.csv")).code_for("money", "B-1")


def test_a_receipt_book_that_cannot_be_read_says_so(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(AidLedgerConfigError, match="cannot read"):
        ReceiptBook(tmp_path / "file" / "receipt-codes.csv").codes()
