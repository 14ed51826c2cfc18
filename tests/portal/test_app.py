"""The app as a whole: security headers everywhere, no CORS, errors as pages, 304 on an
unchanged mirror, an empty database said on the page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from portal.app import create_app
from portal.security import CSP
from tests.portal.conftest import Indexed
from tests.portal.html import ZH, one, soup, text


@pytest.mark.parametrize("path", ["/", "/about", "/static/css/portal.css", "/no-such-page"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert csp == CSP
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_cors_is_off(client: TestClient) -> None:
    origin = {"origin": "https://elsewhere.example"}
    assert "access-control-allow-origin" not in client.get("/", headers=origin).headers
    preflight = client.options("/", headers={**origin, "access-control-request-method": "GET"})
    assert "access-control-allow-origin" not in preflight.headers


def test_unchanged_mirror_answers_304(client: TestClient) -> None:
    first = client.get("/")
    etag = first.headers["etag"]
    again = client.get("/", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    assert not again.content
    other_language = client.get("/", headers={"if-none-match": etag, **ZH})
    assert other_language.status_code == 200


@pytest.mark.parametrize(
    ("headers", "title"), [({}, "Not found"), (ZH, "未找到")], ids=["en", "zh"]
)
def test_404_is_a_page_in_the_visitors_language(
    client: TestClient, headers: dict[str, str], title: str
) -> None:
    response = client.get("/gifts/0x" + "ab" * 32 + "/nothing", headers=headers)
    assert response.status_code == 404
    assert text(one(soup(response), "main h1")) == title


@pytest.mark.parametrize(
    ("headers", "title"),
    [({}, "Something went wrong on our side"), (ZH, "我们这边出了问题")],
    ids=["en", "zh"],
)
def test_500_is_a_page_without_traceback(
    indexed: Indexed, headers: dict[str, str], title: str
) -> None:
    app = create_app(indexed.database_url)

    def broken() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken", headers=headers)
    assert response.status_code == 500
    assert text(one(soup(response), "main h1")) == title
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert not soup(response).select(".notices")  # nothing claimed about a mirror not read


def test_database_without_mirror_says_so(empty_client: TestClient) -> None:
    response = empty_client.get("/about")
    assert response.status_code == 200
    notice = one(soup(response), ".notices .notice")
    assert "aidledger db upgrade" in text(notice)
    overview = empty_client.get("/")
    assert overview.status_code == 503
    assert "aidledger db upgrade" in text(one(soup(overview), ".notices .notice"))


@pytest.mark.parametrize("path", ["/", "/api/v1/gifts", "/static/css/portal.css"])
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    head, get = client.head(path), client.get(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-security-policy"] == CSP
