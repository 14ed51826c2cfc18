"""`aidledger report`, `report verify` and `attest` through the real command: a report of the
office's gifts, verified, attested by an auditor, tampered with; every ordinary mistake gets one
clear line and exit code, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ledger.cli.cli import one_line_error, run_cli
from tests.ledger.cli.office import Office, office

EVERYTHING = ("--from", "2000-01-01", "--to", "2999-12-31")


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    with office(tmp_path_factory.mktemp("office")) as ready:
        for ref, amount in (("B-1", "1,234.56"), ("B-2", "99")):
            ready.ok(
                "gift", "add", "--amount", amount, "--currency", "CNY", "--ref", ref, staff="intake"
            )
        ready.ok("staff", "add", "--name", "aud", "--role", "auditor")
        ready.index()
        yield ready


def test_report_verify_attest_and_verify_again(place: Office) -> None:
    made: Any = place.ok("report", *EVERYTHING, "--format", "csv", "--out", "q.csv")
    assert Path(made["files"][0]).name == "q.csv"
    manifest = made["manifest"]
    assert manifest["tables"]["journal"]["rows"] == manifest["last_seq"]
    checked = place.run("report", "verify", "q.csv")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip().endswith("the report equals the chain")
    attested = place.ok("attest", "q.csv", staff="aud")
    assert not attested["already_recorded"]
    again = place.ok("attest", "q.csv", staff="aud")
    assert again["already_recorded"] and again["tx_hash"] == attested["tx_hash"]
    found = place.run("report", "verify", "q.csv", "--json")
    findings = {f["check"]: f for f in json.loads(found.stdout)}
    assert findings["attestation"]["detail"].startswith("attested by")
    assert attested["tx_hash"] in findings["attestation"]["detail"]


def test_a_tampered_report_exits_1_and_says_where(place: Office) -> None:
    place.ok("report", *EVERYTHING, "--format", "json", "--out", "t.json")
    path = place.root / "t.json"
    path.write_text(path.read_text().replace('"CNY"', '"USD"', 1))
    checked = place.run("report", "verify", "t.json")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert "DIFF file t.json: changed after the report was made" in checked.stdout
    assert checked.stdout.strip().endswith("check(s) differ")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("report", "--format", "csv"), "--from YYYY-MM-DD"),
        (("report", "--from", "2026-13-01", "--to", "2026-12-31", "--out", "x.csv"), "not a date"),
        (
            ("report", "--from", "2026-02-01", "--to", "2026-01-01", "--out", "x.csv"),
            "before it starts",
        ),
        (("report", *EVERYTHING, "--format", "docx", "--out", "x.docx"), "no report format 'docx'"),
        (("report", *EVERYTHING, "--tz", "Mars/Base", "--out", "x.csv"), "unknown time zone"),
        (("report", *EVERYTHING, "--rates", "nope.csv", "--out", "x.csv"), "no rates file"),
        (("report", *EVERYTHING, "--site", "Atlantis", "--out", "x.csv"), "Atlantis"),
        (("report", *EVERYTHING, "--currency", "CNYX", "--out", "x.csv"), "not a currency code"),
        (("report", *EVERYTHING, "--out", "."), "is a folder; name the report file in it"),
        (("report", *EVERYTHING, "--out", "/proc/x.csv"), "cannot write the report in /proc"),
        (("report", "verify", "missing.csv"), "no manifest"),
        (("attest", "missing.csv"), "no manifest"),
    ],
)
def test_ordinary_mistakes_get_one_line(place: Office, args: tuple[str, ...], says: str) -> None:
    line = one_line_error(place.run(*args))
    assert says in line
    assert not (place.root / "x.csv").exists()


def test_only_an_auditor_attests_and_a_refusal_writes_nothing(place: Office) -> None:
    place.ok("report", *EVERYTHING, "--format", "json", "--out", "a.json")
    before = place.run("status", "--json").stdout
    line = one_line_error(place.run("attest", "a.json", staff="intake"))
    assert "does not hold the auditor role" in line
    assert place.run("status", "--json").stdout == before


def test_a_report_without_a_mirror_says_to_index(tmp_path: Path) -> None:
    line = one_line_error(run_cli("report", *EVERYTHING, "--out", "r.csv", cwd=tmp_path))
    assert "aidledger index" in line
