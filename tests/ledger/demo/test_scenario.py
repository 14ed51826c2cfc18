"""The scenario is pure data: the same seed and size give the same plan, sizes scale it."""

from __future__ import annotations

import pytest

from ledger.chain.ids import region_code
from ledger.chain.types import EarmarkKind, SiteKind
from ledger.demo import scenario as sc


def test_the_same_seed_gives_the_same_scenario() -> None:
    assert sc.build(7, 0.1) == sc.build(7, 0.1)
    assert sc.build(7, 0.1) != sc.build(8, 0.1)


def test_the_full_size_has_the_issues_counts() -> None:
    plan = sc.build(2020, 1.0)
    assert len(plan.gifts) == sc.GIFTS
    assert len(plan.in_kind) == sc.IN_KIND
    assert sum(s.kind is SiteKind.WAREHOUSE for s in plan.sites) == 4
    assert sum(s.kind is SiteKind.RECIPIENT for s in plan.sites) == 20
    assert len(plan.items) == 30
    assert {g.currency for g in plan.gifts} == {"CNY", "USD", "EUR", "HKD"}
    assert {g.earmark_kind for g in plan.gifts} == set(EarmarkKind)
    assert any(g.via_statement for g in plan.gifts)
    assert any(g.public_name for g in plan.gifts)


def test_some_pledges_are_paid_in_part_and_some_not_at_all() -> None:
    plan = sc.build(2020, 1.0)
    paid = {p.ref: sum(g.amount for g in plan.gifts if g.pledge == p.ref) for p in plan.pledges}
    amounts = {p.ref: p.amount for p in plan.pledges}
    assert any(paid[r] == 0 for r in paid)
    assert any(0 < paid[r] < amounts[r] for r in paid)
    assert all(paid[r] <= amounts[r] for r in paid)


def test_every_region_fits_the_chains_eight_bytes_and_every_site_has_an_operator() -> None:
    plan = sc.build(1, 0.02)
    for site in plan.sites:
        region_code(site.region)
        assert plan.officer_of(site.key).sites
    assert len(plan.staff) <= 12


@pytest.mark.parametrize("size", [0, -1, 5])
def test_a_size_out_of_range_is_refused(size: float) -> None:
    with pytest.raises(ValueError, match="size"):
        sc.build(1, size)
