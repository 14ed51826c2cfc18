"""Reading portal pages as parsed HTML (never by substring luck)."""

from __future__ import annotations

import httpx2
from bs4 import BeautifulSoup, Tag

ZH = {"cookie": "lang=zh-CN"}


def soup(response: httpx2.Response) -> BeautifulSoup:
    """The page, parsed with lxml, after checking it is an HTML page."""
    assert response.headers["content-type"].startswith("text/html"), response.headers
    return BeautifulSoup(response.text, "lxml")


def one(page: BeautifulSoup | Tag, selector: str) -> Tag:
    """The single element matching `selector`."""
    found = page.select(selector)
    assert len(found) == 1, f"{selector}: {len(found)} matches"
    return found[0]


def text(element: Tag) -> str:
    """The element's text with runs of whitespace made one space."""
    return " ".join(element.get_text(" ").split())


def assert_no_injected_markup(page: BeautifulSoup) -> None:
    """Only our own external scripts, and no element carries an event-handler attribute."""
    for script in page.find_all("script"):
        assert str(script.get("src", "")).startswith("/static/"), script
        assert not script.get_text().strip(), script
    for element in page.find_all(True):
        handlers = [name for name in element.attrs if name.lower().startswith("on")]
        assert not handlers, element
    assert not page.find_all(["img", "b"]), "chain text became markup"
