"""Whole answers kept per mirror head (portal/responses.py): sent again from memory with only
the position read, 304 on their ETag, per language; never an answer that sets a cookie, an
error, a request with a secret, or one past the time its route said it holds."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from portal.responses import KEEP_UNTIL, AnswerCache, Kept, kind_of
from portal.security import CSP
from tests.portal import counting
from tests.portal.conftest import Indexed
from tests.portal.html import ZH, soup


class Counted(counting.Counted):
    """A client and the SQL statements its last request ran."""

    def get(self, path: str, **kw: object) -> tuple[int, bytes, dict[str, str]]:
        return self.fetch(path, **kw)


@pytest.fixture
def counted(indexed: Indexed) -> Iterator[Counted]:
    with counting.counted_client(indexed.database_url, Counted) as counter:
        yield counter


@pytest.mark.parametrize(
    ("path", "reads"),
    [("/", 2), ("/gifts", 2), ("/gifts?currency=CNY", 2), ("/shipments", 2), ("/api/v1/gifts", 1)],
)
def test_a_kept_answer_costs_only_the_position(counted: Counted, path: str, reads: int) -> None:
    status, body, headers = counted.get(path)
    assert status == 200 and counted.statements > reads
    again, kept, kept_headers = counted.get(path)
    assert again == 200 and counted.statements == reads  # the status (or position) only
    assert kept == body and kept_headers["etag"] == headers["etag"]
    assert kept_headers["content-security-policy"] == CSP  # added once, as on every answer
    assert KEEP_UNTIL.decode() not in headers and KEEP_UNTIL.decode() not in kept_headers


def test_a_kept_answer_revalidates_to_304(counted: Counted) -> None:
    _, _, headers = counted.get("/gifts")
    status, body, again = counted.get("/gifts", headers={"if-none-match": headers["etag"]})
    assert status == 304 and body == b"" and again["etag"] == headers["etag"]
    assert again["content-security-policy"] == CSP
    assert counted.statements == 2


def test_each_language_has_its_own_answer(counted: Counted) -> None:
    _, english, _ = counted.get("/gifts")
    _, chinese, _ = counted.get("/gifts", headers=ZH)
    assert english != chinese
    assert soup(counted.client.get("/gifts", headers=ZH)).html["lang"] == "zh-CN"  # type: ignore[index]
    assert soup(counted.client.get("/gifts")).html["lang"] == "en"  # type: ignore[index]


def test_a_request_with_another_cookie_always_runs_the_app(counted: Counted) -> None:
    counted.get("/gifts")
    counted.client.cookies.set("session", "anything")
    try:
        counted.get("/gifts")
        assert counted.statements > 2
    finally:
        counted.client.cookies.clear()


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("GET", "/", "page"),
        ("GET", "/gifts/0xab", "page"),
        ("GET", "/api/v1/gifts", "api"),
        ("GET", "/trace", None),
        ("POST", "/trace", None),
        ("POST", "/api/v1/trace", None),
        ("GET", "/trace/receipt.pdf", None),
        ("GET", "/reports/download", None),
        ("GET", "/auditor", None),
        ("GET", "/lang/zh-CN", None),
        ("GET", "/api/v1/stock", None),  # judged at the second
        ("POST", "/gifts", None),
    ],
)
def test_only_public_reads_may_be_kept(method: str, path: str, kind: str | None) -> None:
    assert kind_of({"type": "http", "method": method, "path": path}) == kind


def test_errors_are_never_kept(counted: Counted) -> None:
    missing = "/gifts/0x" + "ab" * 32
    for _ in range(2):
        status, _, _ = counted.get(missing)
        assert status == 404 and counted.statements > 2


def answer(body: bytes, until: float = float("inf")) -> Kept:
    return Kept([(b"etag", b'W/"x"')], body, b'W/"x"', until)


def test_the_cache_is_bounded_and_emptied_by_a_new_generation() -> None:
    cache = AnswerCache(max_bytes=1_000)
    assert cache.get(1, "a") is None
    for key in "abc":
        cache.put(1, key, answer(b"x" * 400))
    assert cache.get(1, "a") is None  # the least recently used went first
    assert cache.get(1, "c") is not None
    cache.put(1, "huge", answer(b"x" * 2_000))
    assert cache.get(1, "huge") is None
    assert cache.get(2, "c") is None  # a new head: nothing of the old one
    cache.put(1, "late", answer(b"x"))  # computed at the old head, too late
    assert cache.get(2, "late") is None


def test_an_answer_is_kept_only_until_its_route_says() -> None:
    cache = AnswerCache()
    minute = time.time() // 60 * 60
    assert cache.get(1, "now") is None  # the generation the answers below belong to
    cache.put(1, "now", answer(b"x", until=minute + 60))
    cache.put(1, "past", answer(b"x", until=minute))
    assert cache.get(1, "now") is not None
    assert cache.get(1, "past") is None
