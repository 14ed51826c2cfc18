"""Fund pools from the mirror: available money, earmark and its region code."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from ledger.chain.ids import label, region_earmark
from ledger.chain.types import EarmarkKind
from ledger.queries.funds import pools, region_of
from tests.contracts.helpers import allocate, give
from tests.contracts.world import USD, World
from tests.ledger.queries.conftest import index


def test_pools_show_available_money_and_their_earmark(world: World, tmp_path: Path) -> None:
    give(world, 10_000)
    give(world, 4_000, kind=EarmarkKind.REGION, earmark=region_earmark("CN-HB"))
    give(world, 3_000, kind=EarmarkKind.CATEGORY, earmark=label("ppe"))
    give(world, 900, currency=USD)
    allocate(world, 2_500)
    give(world, 800, kind=EarmarkKind.PURPOSE, earmark=label("masks"))
    allocate(world, 800, EarmarkKind.PURPOSE, label("masks"), purpose=label("masks"))
    with Session(index(world, tmp_path)) as session:
        cny = pools(session, "CNY")
        every = pools(session)
    got = {(p.earmark_kind, p.region, p.available) for p in cny}
    assert got == {
        (int(EarmarkKind.NONE), None, 7_500),
        (int(EarmarkKind.REGION), "CN-HB", 4_000),
        (int(EarmarkKind.CATEGORY), None, 3_000),
    }  # the purpose pool is spent out, so not listed
    category = next(p for p in cny if p.earmark_kind == EarmarkKind.CATEGORY)
    assert category.earmark == "0x" + label("ppe").hex()
    assert {p.currency for p in every} == {"CNY", "USD"} and len(every) == 4
    assert [p.pool_id for p in every] == sorted(p.pool_id for p in every)


def test_a_region_earmark_reads_back_as_its_code_and_anything_else_as_none() -> None:
    assert region_of("0x" + region_earmark("CN-HB").hex()) == "CN-HB"
    assert region_of("0x" + label("ppe").hex()) is None
    assert region_of(None) is None
