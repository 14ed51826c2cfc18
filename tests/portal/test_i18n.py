"""Languages: every string the portal shows is in the zh_CN catalogue, the visitor's choice is
remembered, and numbers, money and dates follow the locale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from portal.i18n import Formatter, choose, po_path
from tests.portal.html import ZH, one, soup, text

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> set[str]:
    """Every msgid in portal/ (Python and templates), as `make catalogues` extracts them."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found = extract_from_dir(str(ROOT / "portal"), method_map, options_map)
    return {msgid if isinstance(msgid, str) else msgid[0] for _, _, msgid, _, _ in found}


def test_extraction_finds_the_templates_strings() -> None:
    assert {"Overview", "Trace a gift", "Where the donations went"} <= extracted()


def test_every_string_has_a_chinese_translation_with_the_same_placeholders() -> None:
    with po_path("zh_CN").open("rb") as handle:
        catalogue = read_po(handle, locale="zh_CN")
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted() - translated.keys())
    assert missing == [], "run `make catalogues` and translate these in messages.po"
    for msgid, msgstr in translated.items():
        assert isinstance(msgid, str) and isinstance(msgstr, str)
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(msgstr)), msgid


@pytest.mark.parametrize(
    ("cookie", "accept", "tag"),
    [
        (None, None, "en"),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        (None, "zh-TW", "zh-CN"),
        (None, "fr-FR, en;q=0.5", "en"),
        (None, "en;q=0.2, zh;q=0.9", "zh-CN"),
        (None, "zh;q=0, en", "en"),
        ("en", "zh-CN", "en"),
        ("zh-CN", "en-GB", "zh-CN"),
        ("klingon", "zh", "zh-CN"),
        (None, "%%%;q=x,", "en"),
    ],
)
def test_language_cookie_wins_then_accept_language_then_english(
    cookie: str | None, accept: str | None, tag: str
) -> None:
    assert choose(cookie, accept).tag == tag


def test_pages_follow_accept_language_and_say_their_language(client: TestClient) -> None:
    response = client.get("/about", headers={"accept-language": "zh-CN,zh;q=0.9"})
    page = soup(response)
    assert page.html is not None and page.html["lang"] == "zh-CN"
    assert response.headers["content-language"] == "zh-CN"
    assert text(one(page, "main h1")) == "如何自行核对"
    assert text(one(page, "nav.langs [aria-current]")) == "中文"


def test_language_switch_remembers_the_choice_in_a_lax_cookie(client: TestClient) -> None:
    response = client.get("/lang/zh-CN", params={"next": "/about"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/about"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("lang=zh-CN;")
    assert "SameSite=lax" in cookie and "HttpOnly" in cookie
    assert "Secure" not in cookie  # plain http here
    again = client.get("/about", headers={"cookie": "lang=zh-CN", "accept-language": "en"})
    assert text(one(soup(again), "main h1")) == "如何自行核对"


def test_language_switch_over_https_sets_a_secure_cookie(client: TestClient) -> None:
    response = client.get(
        "https://testserver/lang/en", params={"next": "/"}, follow_redirects=False
    )
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil", ""])
def test_language_switch_never_redirects_off_site(client: TestClient, target: str) -> None:
    response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_the_switch_links_back_to_the_current_page(client: TestClient) -> None:
    link = one(soup(client.get("/about")), "nav.langs a[hreflang='zh-CN']")
    assert link["href"] == "/lang/zh-CN?next=/about"


def test_money_numbers_and_dates_follow_the_locale() -> None:
    english, chinese = Formatter("en"), Formatter("zh_CN", "Asia/Shanghai")
    assert english.money(150_000, "CNY") == "CN¥1,500.00"
    assert chinese.money(150_000, "CNY") == "¥1,500.00"
    assert english.money(2_500, "USD") == "$25.00"
    assert chinese.money(2_500, "USD") == "US$25.00"
    assert english.money(500, "JPY") == "¥500"
    assert english.number(1234567) == "1,234,567"
    assert english.percent(1, 3) == "33%"
    assert chinese.percent(0, 0) == "0%"
    new_year = 1_767_225_600  # 2026-01-01 00:00 UTC
    assert english.datetime(new_year) == "Jan 1, 2026, 12:00:00\u202fAM"
    assert chinese.datetime(new_year) == "2026年1月1日 08:00:00"
    assert chinese.date(new_year) == "2026年1月1日"


def test_chinese_page_formats_money_the_chinese_way(client: TestClient) -> None:
    cell = one(soup(client.get("/", headers=ZH)), "#money tr[data-currency=CNY] td:nth-of-type(1)")
    assert text(cell) == "¥2,000.00"
    cell = one(soup(client.get("/")), "#money tr[data-currency=CNY] td:nth-of-type(1)")
    assert text(cell) == "CN¥2,000.00"


def test_the_switch_keeps_the_filters(client: TestClient) -> None:
    link = one(soup(client.get("/gifts?currency=CNY&kind=money")), "nav.langs a[hreflang='zh-CN']")
    back = client.get(str(link["href"]), follow_redirects=False).headers["location"]
    assert back == "/gifts?currency=CNY&kind=money"
