"""Enrolling and withdrawing staff: a key, a role on chain, a record off chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.errors import AidLedgerValueError
from ledger.write.commands import operator_role
from ledger.write.keys import Keystore
from ledger.write.messages import WriteRefusedError
from ledger.write.service import WriteService
from ledger.write.staff import StaffBook, enrol, withdraw
from tests.contracts.world import World
from tests.ledger.write.test_keys import FAST
from tests.ledger.write.test_service import gift

PASS = "correct horse"


def has_role(world: World, role: bytes, address: str) -> bool:
    return bool(world.ledger.registry.functions.hasRole(role, address).call())


def test_an_enrolled_clerk_records_gifts_until_withdrawn(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    book, keys = StaffBook(tmp_path / "staff.json"), Keystore(tmp_path / "keys", FAST)
    member = enrol(service, world.admin, book, keys, ("Li Wei", "intake", None), PASS)
    assert book.members() == [member]
    world.ledger.client.fund(member.address, 10**18)
    clerk = keys.unlock(member.address, PASS)
    assert not service.submit(clerk, gift("bank:staff:1")).already_recorded
    withdrawn = withdraw(service, world.admin, book, "Li Wei")
    assert not withdrawn.active and book.members() == [withdrawn]
    with pytest.raises(WriteRefusedError, match="role"):
        service.submit(clerk, gift("bank:staff:2"))


def test_a_site_operator_gets_the_role_the_registry_computes(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    book, keys = StaffBook(tmp_path / "staff.json"), Keystore(tmp_path / "keys", FAST)
    site = world.sites["wh_b"]
    member = enrol(service, world.admin, book, keys, ("Zhang Min", "operator", site), PASS)
    role = bytes(world.ledger.registry.functions.operatorRole(site).call())
    assert role == operator_role(site)
    assert has_role(world, role, member.address)
    withdraw(service, world.admin, book, "Zhang Min")
    assert not has_role(world, role, member.address)


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (("A", "janitor", None), "unknown role"),
        (("A", "operator", None), "needs --site"),
        (("A", "intake", b"\x01" * 32), "takes no --site"),
    ],
)
def test_bad_roles_are_refused_before_anything_is_created(
    world: World,
    service: WriteService,
    tmp_path: Path,
    member: tuple[str, str, bytes | None],
    message: str,
) -> None:
    book, keys = StaffBook(tmp_path / "staff.json"), Keystore(tmp_path / "keys", FAST)
    with pytest.raises(AidLedgerValueError, match=message):
        enrol(service, world.admin, book, keys, member, PASS)
    assert not (tmp_path / "keys").exists() and book.members() == []


def test_the_same_name_cannot_be_enrolled_twice(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    book, keys = StaffBook(tmp_path / "staff.json"), Keystore(tmp_path / "keys", FAST)
    enrol(service, world.admin, book, keys, ("Li Wei", "auditor", None), PASS)
    with pytest.raises(AidLedgerValueError, match="already an active"):
        enrol(service, world.admin, book, keys, ("Li Wei", "intake", None), PASS)
