"""Reading bank statements: encodings, decimal conventions, column mapping, every bad row named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ledger.errors import AidLedgerValueError
from ledger.write.statement import Columns, StatementError, parse_date, read_statement

HEADER = "date,amount,currency,reference,payer\n"


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "statement.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_chinese_payer_names_read_in_each_accepted_encoding(tmp_path: Path, encoding: str) -> None:
    text = HEADER + "2020-02-01,100.00,CNY,REF-1,张伟\n2020-02-02,5.5,CNY,REF-2,武汉市红十字会\n"
    statement = read_statement(write(tmp_path, text, encoding), Columns())
    assert [r.payer for r in statement.rows] == ["张伟", "武汉市红十字会"]
    assert [r.amount for r in statement.rows] == [10000, 550]
    assert statement.encoding == ("gb18030" if encoding == "gb18030" else "utf-8-sig")


def test_text_in_neither_encoding_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER)
    path.write_bytes(HEADER.encode() + b"2020-02-01,1,CNY,R,\xff\xfe\xff\n")
    with pytest.raises(AidLedgerValueError, match="neither UTF-8 nor GB18030"):
        read_statement(path, Columns())


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ('"1,234.56"', "CNY", 123456),
        ('"1.234,56"', "EUR", 123456),
        ('"1 234,56"', "EUR", 123456),
        ('"12,5"', "EUR", 1250),
        ('"1,234,567"', "USD", 123456700),
        ("1234", "JPY", 1234),
        ('"1,234"', "JPY", 1234),
        ("0.01", "HKD", 1),
    ],
)
def test_amounts_in_both_decimal_conventions_with_thousands(
    tmp_path: Path, amount: str, currency: str, minor: int
) -> None:
    path = write(tmp_path, HEADER + f"2020-02-01,{amount},{currency},R1,\n")
    assert read_statement(path, Columns()).rows[0].amount == minor


def test_columns_mapped_by_header_and_default_currency(tmp_path: Path) -> None:
    text = '交易日期,贷方金额,流水号,对方户名\n2020/2/3,"2,000.00",B-77,李娜\n'
    columns = Columns(date="交易日期", amount="贷方金额", reference="流水号", payer="对方户名")
    row = read_statement(write(tmp_path, text), columns, currency="CNY").rows[0]
    assert (row.date, row.amount, row.currency, row.reference, row.payer) == (
        date(2020, 2, 3),
        200000,
        "CNY",
        "B-77",
        "李娜",
    )


def test_missing_column_names_it_and_the_option(tmp_path: Path) -> None:
    with pytest.raises(AidLedgerValueError, match=r"no column 'reference'.*--column"):
        read_statement(write(tmp_path, "date,amount,currency\n2020-01-01,1,CNY\n"), Columns())


def test_every_bad_row_is_reported_with_column_problem_and_fix(tmp_path: Path) -> None:
    text = HEADER + (
        "2020-02-01,100,CNY,R1,a\n"  # row 2: good
        "2020-13-01,100,CNY,R2,b\n"  # row 3: date
        "2020-02-01,12.3456,CNY,R3,c\n"  # row 4: too many decimals
        "2020-02-01,100,RMB1,R4,d\n"  # row 5: currency
        "2020-02-01,100,CNY,,e\n"  # row 6: reference
        "2020-02-01,abc,CNY,R6,f\n"  # row 7: amount
        "2020-02-01,-5,CNY,R7,g\n"  # row 8: negative
        "2020-02-01,92233720368547758.08,CNY,R8,h\n"  # row 9: past 2^63-1 minor units
    )
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, text), Columns())
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {
        (3, "date"),
        (4, "amount"),
        (5, "currency"),
        (6, "reference"),
        (7, "amount"),
        (8, "amount"),
        (9, "amount"),
    }
    message = str(caught.value)
    assert "7 bad rows, nothing was written" in message
    assert "row 4, column 'amount'" in message and "more decimals than CNY" in message
    assert all(p.fix for p in caught.value.problems)


def test_duplicate_lines_are_skipped_and_listed(tmp_path: Path) -> None:
    text = HEADER + "2020-02-01,100,CNY,R1,a\n2020-02-02,5,CNY,R2,b\n2020-02-01,100.00,CNY,R1,a\n"
    statement = read_statement(write(tmp_path, text), Columns())
    assert [r.reference for r in statement.rows] == ["R1", "R2"]
    assert statement.duplicates == [(4, 2)]


def test_same_reference_with_other_values_is_a_bad_row(tmp_path: Path) -> None:
    text = HEADER + "2020-02-01,100,CNY,R1,a\n2020-02-01,101,CNY,R1,a\n"
    with pytest.raises(StatementError, match=r"row 3, column 'reference'.*also on row 2"):
        read_statement(write(tmp_path, text), Columns())


def test_blank_lines_are_ignored_and_row_numbers_stay_the_file_lines(tmp_path: Path) -> None:
    text = HEADER + "\n2020-02-01,1,CNY,R1,\n,,,,\n2020-02-01,2,CNY,R2,\n"
    assert [r.row for r in read_statement(write(tmp_path, text), Columns()).rows] == [3, 5]


def test_evidence_hash_is_of_the_canonical_row_without_the_payer(tmp_path: Path) -> None:
    a = write(tmp_path, HEADER + '2020-02-01,"1,000.00",CNY,R1,Alice\n')
    first = read_statement(a, Columns()).rows[0]
    b = write(tmp_path, HEADER + "2020-2-1,1000,cny,R1,Bob\n")
    second = read_statement(b, Columns()).rows[0]
    assert first.evidence_hash == second.evidence_hash
    assert "Alice" not in first.canonical()


@pytest.mark.parametrize("text", ["2020-02-15", "2020/2/15", "2020.02.15", "20200215"])
def test_dates_year_month_day_in_common_shapes(text: str) -> None:
    assert parse_date(text) == date(2020, 2, 15)
