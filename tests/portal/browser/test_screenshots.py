"""The documentation's screenshots, made from the live portal over the indexed scenario, so they
stay current. With AIDLEDGER_WRITE_SCREENSHOTS=1 (`make screenshots`) each is written into
docs/screenshots/<name>.png; without it each is still taken (into .artifacts) and the committed
image must exist and be a PNG of the same width and height."""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.portal.browser.conftest import CHROMIUM, ROOT, screenshot_path
from tests.portal.conftest import Indexed

DOCS = ROOT / "docs" / "screenshots"
WRITE = os.environ.get("AIDLEDGER_WRITE_SCREENSHOTS") == "1"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
MAX_BYTES = 300_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REMAKE = "AIDLEDGER_WRITE_SCREENSHOTS=1 .venv/bin/pytest tests/portal/browser/test_screenshots.py"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's signature and IHDR chunk; ValueError if it is no PNG."""
    if len(data) < 24:
        raise ValueError("too short for a PNG")
    signature, _length, chunk, width, height = struct.unpack(">8sI4sII", data[:24])
    if signature != PNG_SIGNATURE or chunk != b"IHDR":
        raise ValueError("not a PNG (no PNG signature and IHDR chunk)")
    return width, height


def overview(page: Page, live: str, indexed: Indexed) -> None:
    """The overview, with the Sankey drawn."""
    page.goto(live + "/")
    expect(page.locator("#flows-chart[data-ready=true] canvas")).to_be_visible()
    page.wait_for_timeout(1_500)  # ECharts animates the Sankey in


def overview_zh(page: Page, live: str, indexed: Indexed) -> None:
    """The overview after choosing Chinese with the language switch."""
    page.goto(live + "/")
    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#flows-chart[data-ready=true] canvas")).to_be_visible()
    page.wait_for_timeout(1_500)


def trace(page: Page, live: str, indexed: Indexed) -> None:
    """A donor's receipt code traced, from the page's title down through the steps."""
    page.goto(live + "/trace")
    page.get_by_role("textbox", name="Receipt code").fill(str(indexed.scenario.codes["g3"]))
    page.get_by_role("button", name="Trace").click()
    expect(page.locator("#trace h2")).to_have_text("What your gift became")
    expect(page.locator("#trace li.step").first).to_be_visible()
    page.locator("main h1").evaluate(
        "e => { e.scrollIntoView({block: 'start'}); window.scrollBy(0, -16); }"
    )


def site(page: Page, live: str, indexed: Indexed) -> None:
    """A recipient site: its stock by lot and its needs."""
    page.goto(f"{live}/sites/0x{indexed.world.sites['hospital'].hex()}")
    expect(page.locator("#lots tbody tr").first).to_be_visible()


def shipment(page: Page, live: str, indexed: Indexed) -> None:
    """The scenario's shipment: dispatched against received, with the declared reason."""
    page.goto(f"{live}/shipments/0x{indexed.scenario.ids['shipment'].hex()}")
    expect(page.locator("#lines td.reason").first).to_have_text("damaged")


def reports(page: Page, live: str, indexed: Indexed) -> None:
    """The reports form (skipped while the portal has no /reports page)."""
    response = page.goto(live + "/reports")
    if response is None or response.status == 404:
        pytest.skip("the portal has no /reports page yet (404): no reports.png")
    assert response.status == 200
    expect(page.locator("main form").first).to_be_visible()


SHOTS: dict[str, Callable[[Page, str, Indexed], None]] = {
    "overview": overview,
    "trace": trace,
    "site": site,
    "shipment": shipment,
    "reports": reports,
    "overview-zh": overview_zh,
}


@pytest.fixture
def context(request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """A 1280x800 English browser context; writing screenshots without chromium fails."""
    if WRITE and not CHROMIUM.exists():
        pytest.fail(f"AIDLEDGER_WRITE_SCREENSHOTS=1 needs {CHROMIUM}: apt-get install chromium")
    browser: Browser = request.getfixturevalue("browser")
    opened = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, locale="en-GB")
    yield opened
    opened.close()


@pytest.mark.parametrize("name", list(SHOTS))
def test_screenshot_is_current(
    context: BrowserContext, live: str, indexed: Indexed, name: str
) -> None:
    page = context.new_page()
    SHOTS[name](page, live, indexed)
    data = page.screenshot(path=screenshot_path(f"docs-{name}"), type="png")
    width, height = png_size(data)
    assert (width, height) == (VIEWPORT["width"], VIEWPORT["height"])
    assert len(data) <= MAX_BYTES, f"{name}.png is {len(data):,} bytes: make the viewport smaller"
    committed = DOCS / f"{name}.png"
    if WRITE:
        DOCS.mkdir(parents=True, exist_ok=True)
        committed.write_bytes(data)
        return
    assert committed.exists(), f"{committed.relative_to(ROOT)} is missing: run `{REMAKE}`"
    try:
        size = png_size(committed.read_bytes())
    except ValueError as error:
        pytest.fail(f"{committed.relative_to(ROOT)}: {error}; run `{REMAKE}`")
    assert size == (width, height), (
        f"{committed.relative_to(ROOT)} is {size[0]}x{size[1]}, the page's screenshot is "
        f"{width}x{height}: run `{REMAKE}`"
    )


def test_png_size_reads_the_header_and_refuses_other_files() -> None:
    header = PNG_SIGNATURE + struct.pack(">I4sII", 13, b"IHDR", 640, 480)
    assert png_size(header + b"\x08\x06\x00\x00\x00") == (640, 480)
    for bad in (b"GIF89a" + bytes(18), header[:20], b"\x00" * 24):
        with pytest.raises(ValueError):
            png_size(bad)


def test_committed_screenshots_are_small_pngs() -> None:
    """Without a browser too: each image is committed, 1280x800 and small."""
    for name in SHOTS:
        path: Path = DOCS / f"{name}.png"
        shown = path.relative_to(ROOT)
        assert path.exists(), f"{shown} is missing: run `{REMAKE}`"
        size = png_size(path.read_bytes())
        assert size == (VIEWPORT["width"], VIEWPORT["height"]), f"{shown} is {size}: `{REMAKE}`"
        assert path.stat().st_size <= MAX_BYTES, f"{shown} is over {MAX_BYTES:,} bytes"
