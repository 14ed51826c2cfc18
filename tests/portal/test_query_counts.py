"""No page issues more than a handful of queries, and an unchanged page costs only the two that
read the mirror's position (then 304). Counted on the app's engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.portal import counting
from tests.portal.conftest import Indexed
from tests.portal.html import soup


class Counted(counting.Counted):
    """A client and the number of SQL statements its last request ran."""

    def get(self, path: str, **kw: object) -> int:
        status, _, _ = self.fetch(path, **kw)
        assert status in (200, 304), path
        return self.statements


@pytest.fixture(scope="module")
def counted(indexed: Indexed) -> Iterator[Counted]:
    with counting.counted_client(indexed.database_url, Counted) as counter:
        yield counter


def first_link(counted: Counted, path: str, selector: str) -> str:
    return str(soup(counted.client.get(path)).select(selector)[0]["href"])


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("/", 12),
        ("/gifts", 3),
        ("/gifts?currency=CNY&since=2020-01-01", 4),
        ("/sites", 3),
        ("/needs?status=open", 3),
        ("/shipments", 4),
        ("/pledges", 3),
        ("/flows", 10),
        ("/verify", 2),
        ("/reports", 5),  # + the schedule (first gift or lot, attestations), newest block day
        ("/attestations", 3),
        ("/api/v1/gifts", 2),
        ("/api/v1/attestations", 2),
    ],
)
def test_list_pages_stay_within_their_query_budget(
    counted: Counted, path: str, budget: int
) -> None:
    assert counted.get(path) <= budget


@pytest.mark.parametrize(
    ("listing", "selector", "budget"),
    [
        ("/gifts", "#gifts tbody th a", 8),
        ("/sites", "#sites tbody th a", 6),
        ("/shipments", "#shipments tbody th a", 4),
    ],
)
def test_detail_pages_stay_within_their_query_budget(
    counted: Counted, listing: str, selector: str, budget: int
) -> None:
    assert counted.get(first_link(counted, listing, selector)) <= budget


def test_unchanged_page_costs_two_queries(counted: Counted) -> None:
    etag = counted.client.get("/").headers["etag"]
    assert counted.get("/", headers={"if-none-match": etag}) == 2
