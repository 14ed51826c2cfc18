"""/api/v1: the read layer's models as JSON with the mirror position, keyset pages, 304s, the
trace by POST, the OpenAPI schema and its docs page from vendored files."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.portal.conftest import Indexed
from tests.portal.html import soup


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/v1/overview", "/api/v1/gifts", "/api/v1/gifts/{gift_id}", "/api/v1/sites",
        "/api/v1/needs", "/api/v1/shipments", "/api/v1/pledges", "/api/v1/tx/{tx_hash}",
        "/api/v1/flows", "/api/v1/trace",
    } <= set(paths)  # fmt: skip
    assert not any(p.startswith(("/gifts", "/sites")) for p in paths)  # pages stay out


def test_overview_json_carries_the_mirror_position(client: TestClient) -> None:
    body = client.get("/api/v1/overview").json()
    money = {row["currency"]: row for row in body["data"]["money"]}
    assert money["CNY"] == {"currency": "CNY", "received": 200_000, "allocated": 200_000,
                            "spent": 160_000}  # fmt: skip
    assert body["position"]["seq"] > 0 and body["position"]["head"].startswith("0x")


def test_gifts_paged_by_cursor_without_repeats(client: TestClient) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 3}
    while True:
        body = client.get("/api/v1/gifts", params=params).json()
        seen += [g["gift_id"] for g in body["items"]]
        if body["next"] is None:
            break
        params["cursor"] = body["next"]
    assert len(seen) == 4 == len(set(seen))


def test_unchanged_answer_is_304(client: TestClient) -> None:
    first = client.get("/api/v1/sites")
    again = client.get("/api/v1/sites", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    other = client.get("/api/v1/needs", headers={"if-none-match": first.headers["etag"]})
    assert other.status_code == 200


def test_errors_are_json(client: TestClient) -> None:
    assert client.get("/api/v1/gifts/0x" + "00" * 32).json() == {
        "detail": "not in the mirror (yet)"
    }
    bad = client.get("/api/v1/gifts", params={"cursor": "edited"})
    assert bad.status_code == 400 and "not valid" in bad.json()["detail"]


def test_trace_by_post(client: TestClient, indexed: Indexed) -> None:
    code = str(indexed.scenario.codes["g3"])
    body = client.post("/api/v1/trace", json={"code": code}).json()
    assert body["gift"]["amount"] == 150_000 and body["allocations"]
    assert client.post("/api/v1/trace", json={"code": code[:-1]}).status_code == 400
    unknown = "0000-0000-0000-0000-0000-0000-0000-0000-0000"
    assert client.post("/api/v1/trace", json={"code": unknown}).status_code == 404


def test_api_docs_served_from_vendored_files(client: TestClient) -> None:
    page = soup(client.get("/api/docs"))
    scripts = [str(s["src"]) for s in page.find_all("script")]
    assert scripts == [
        "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/js/api-docs.js",
    ]
    for src in scripts:
        assert client.get(src).status_code == 200
