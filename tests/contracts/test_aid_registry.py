"""AidRegistry: registration, roles, pause, attestations and the sequencer."""

from __future__ import annotations

import pytest

from ledger.chain.bindings import COORDINATOR_ROLE, DEFAULT_ADMIN_ROLE, INTAKE_ROLE
from ledger.chain.events import decode_log, verify_sequence
from ledger.chain.ids import ZERO32, derive_id, label, region_code
from ledger.chain.types import OrgKind, SiteKind
from ledger.errors import (
    DuplicateIdError,
    InvalidInputError,
    NotFoundError,
    PausedError,
    UnauthorizedError,
)
from tests.contracts.helpers import events, gift_input, give, head
from tests.contracts.world import World


def test_register_organisation_emits_sequenced_event(world: World) -> None:
    seq_before, _ = head(world)
    receipt = world.ledger.register_organisation(
        world.admin, derive_id("org", "new"), OrgKind.COMMUNITY, "Hankou"
    )
    (event,) = events(world, receipt)
    assert event.name == "OrganisationRegistered"
    assert event.args["name"] == "Hankou" and event.args["kind"] == OrgKind.COMMUNITY
    assert event.args["actor"] == world.admin.address
    assert event.seq == seq_before + 1
    assert (event.seq, event.head) == head(world)


@pytest.mark.parametrize(
    ("org_id", "kind", "name", "error"),
    [
        (ZERO32, OrgKind.COMMUNITY, "x", "AidRegistryZeroId"),
        (derive_id("org", "relief"), OrgKind.COMMUNITY, "x", "AidRegistryDuplicateId"),
        (derive_id("org", "n"), OrgKind.NONE, "x", "AidRegistryInvalidKind"),
        (derive_id("org", "n"), OrgKind.COMMUNITY, "", "AidRegistryEmptyText"),
    ],
)
def test_register_organisation_reverts(
    world: World, org_id: bytes, kind: OrgKind, name: str, error: str
) -> None:
    before = head(world)
    with pytest.raises((InvalidInputError, DuplicateIdError)) as info:
        world.ledger.register_organisation(world.admin, org_id, kind, name)
    assert info.value.error == error
    assert head(world) == before


def test_register_site_reverts_for_unknown_org_and_duplicates(world: World) -> None:
    with pytest.raises(NotFoundError) as info:
        world.ledger.register_site(
            world.admin,
            derive_id("site", "n"),
            derive_id("org", "?"),
            SiteKind.WAREHOUSE,
            region_code("CN"),
            "n",
        )
    assert info.value.error == "AidRegistryUnknownOrganisation"
    with pytest.raises(DuplicateIdError):
        world.ledger.register_site(
            world.admin,
            world.sites["wh_a"],
            world.orgs["relief"],
            SiteKind.WAREHOUSE,
            region_code("CN"),
            "n",
        )
    with pytest.raises(InvalidInputError) as info74:
        world.ledger.register_site(
            world.admin,
            derive_id("site", "n"),
            world.orgs["relief"],
            SiteKind.NONE,
            region_code("CN"),
            "n",
        )
    assert info74.value.error == "AidRegistryInvalidKind"
    with pytest.raises(InvalidInputError) as info84:
        world.ledger.register_site(
            world.admin,
            derive_id("site", "n"),
            world.orgs["relief"],
            SiteKind.WAREHOUSE,
            region_code("CN"),
            "",
        )
    assert info84.value.error == "AidRegistryEmptyText"


def test_site_view_returns_kind_region_and_org(world: World) -> None:
    kind, region, org = world.ledger.view("registry", "site", world.sites["hospital"])
    assert (kind, bytes(region), bytes(org)) == (
        SiteKind.RECIPIENT,
        region_code("CN-HB"),
        world.orgs["hospital"],
    )


def test_register_item_requires_coordinator_and_text(world: World) -> None:
    with pytest.raises(UnauthorizedError) as info:
        world.ledger.register_item(world.admin, derive_id("item", "n"), label("ppe"), "box", "n")
    assert info.value.error_args == {"account": world.admin.address, "neededRole": COORDINATOR_ROLE}
    with pytest.raises(InvalidInputError):
        world.ledger.register_item(world.coordinator, derive_id("item", "n"), label("ppe"), "", "n")
    with pytest.raises(DuplicateIdError):
        world.ledger.register_item(world.coordinator, world.items["mask"], label("ppe"), "box", "n")
    with pytest.raises(InvalidInputError) as info113:
        world.ledger.register_item(world.coordinator, ZERO32, label("ppe"), "box", "n")
    assert info113.value.error == "AidRegistryZeroId"


@pytest.mark.parametrize("action", ["org", "site", "operator", "pause", "unpause", "bind"])
def test_admin_only_actions_refuse_others(world: World, action: str) -> None:
    ledger, who = world.ledger, world.coordinator
    calls = {
        "org": lambda: ledger.register_organisation(who, derive_id("org", "z"), OrgKind.OTHER, "z"),
        "site": lambda: ledger.register_site(
            who,
            derive_id("site", "z"),
            world.orgs["relief"],
            SiteKind.WAREHOUSE,
            region_code("CN"),
            "z",
        ),
        "operator": lambda: ledger.grant_site_operator(who, world.sites["wh_a"], who.address),
        "pause": lambda: ledger.pause(who),
        "unpause": lambda: ledger.unpause(who),
        "bind": lambda: ledger.client.send(
            who, ledger.registry.functions.bindLedgers(who.address, who.address)
        ),
    }
    with pytest.raises(UnauthorizedError) as info:
        calls[action]()
    assert info.value.error_args["neededRole"] == DEFAULT_ADMIN_ROLE


def test_bind_ledgers_only_once(world: World) -> None:
    with pytest.raises(DuplicateIdError) as info:
        world.ledger.client.send(
            world.admin,
            world.ledger.registry.functions.bindLedgers(world.admin.address, world.admin.address),
        )
    assert info.value.error == "AidRegistryLedgersAlreadyBound"


def test_grant_site_operator_reverts_for_unknown_site(world: World) -> None:
    with pytest.raises(NotFoundError) as info:
        world.ledger.grant_site_operator(
            world.admin, derive_id("site", "?"), world.outsider.address
        )
    assert info.value.error == "AidRegistryUnknownSite"


def test_role_changes_are_sequenced_events(world: World) -> None:
    receipt = world.ledger.grant_role(world.admin, INTAKE_ROLE, world.outsider.address)
    (event,) = events(world, receipt)
    assert event.name == "RoleChanged" and event.args["granted"] is True
    receipt = world.ledger.revoke_role(world.admin, INTAKE_ROLE, world.outsider.address)
    (event,) = events(world, receipt)
    assert event.name == "RoleChanged" and event.args["granted"] is False
    with pytest.raises(UnauthorizedError):
        world.ledger.record_gift(world.outsider, gift_input())


def test_pause_stops_every_write_and_unpause_resumes(world: World) -> None:
    world.ledger.pause(world.admin)
    before = head(world)
    with pytest.raises(PausedError):
        give(world)
    with pytest.raises(PausedError):
        world.ledger.register_item(
            world.coordinator, derive_id("item", "p"), label("ppe"), "box", "p"
        )
    assert head(world) == before
    with pytest.raises(PausedError):
        world.ledger.pause(world.admin)
    world.ledger.unpause(world.admin)
    give(world)


def test_sequence_refuses_callers_that_are_not_ledgers(world: World) -> None:
    with pytest.raises(InvalidInputError) as info:
        world.ledger.client.send(world.admin, world.ledger.registry.functions.sequence(ZERO32))
    assert info.value.error == "AidRegistryNotLedger"


def test_attest_records_report_and_validates_range(world: World) -> None:
    seq, ledger_head = head(world)
    block = world.ledger.client.w3.eth.block_number
    receipt = world.ledger.attest(
        world.auditor, derive_id("att", 1), label("report"), 0, block, seq, ledger_head
    )
    (event,) = events(world, receipt)
    assert event.name == "AttestationPosted" and event.args["coveredSeq"] == seq
    with pytest.raises(DuplicateIdError):
        world.ledger.attest(
            world.auditor, derive_id("att", 1), label("report"), 0, block, seq, ledger_head
        )
    with pytest.raises(InvalidInputError) as info:
        world.ledger.attest(world.auditor, derive_id("att", 2), label("r"), 5, 4, seq, ledger_head)
    assert info.value.error == "AidRegistryInvalidBlockRange"
    with pytest.raises(InvalidInputError) as info:
        world.ledger.attest(
            world.auditor, derive_id("att", 3), label("r"), 0, block + 100, seq, ledger_head
        )
    assert info.value.error == "AidRegistryInvalidBlockRange"
    with pytest.raises(InvalidInputError) as info:
        world.ledger.attest(
            world.auditor, derive_id("att", 4), label("r"), 0, block, seq + 50, ledger_head
        )
    assert info.value.error == "AidRegistryFutureSequence"
    assert info.value.error_args == {"coveredSeq": seq + 50, "currentSeq": seq + 1}
    with pytest.raises(UnauthorizedError):
        world.ledger.attest(
            world.admin, derive_id("att", 5), label("r"), 0, block, seq, ledger_head
        )


def test_whole_history_recomputes_from_logs(world: World) -> None:
    give(world)
    w3 = world.ledger.client.w3
    d = world.ledger.deployment
    logs = w3.eth.get_logs(
        {
            "fromBlock": d.deployment_block,
            "toBlock": "latest",
            "address": [d.registry, d.fund_ledger, d.supply_ledger],  # type: ignore[typeddict-item]
        }
    )
    decoded = [e for e in (decode_log(dict(log)) for log in logs) if e is not None]
    checked = list(verify_sequence(decoded))
    assert len(checked) == head(world)[0]
    assert checked[-1].head == head(world)[1]
