"""In a real browser: a donor downloads the receipt PDF from the receipt page (the code never in a
URL), and an auditor signs in with the scenario's auditor key and downloads the CSV journal."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from ledger.write.sign_in import Challenge, sign
from tests.portal.browser.conftest import screenshot_path
from tests.portal.browser.test_pages import serious_violations
from tests.portal.conftest import Indexed


def opened(browser: Browser) -> tuple[Any, Page, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return context, page, urls


def test_donor_downloads_the_receipt_pdf(browser: Browser, live: str, indexed: Indexed) -> None:
    context, page, urls = opened(browser)
    code = str(indexed.scenario.codes["g3"])
    page.goto(live + "/trace")
    page.get_by_label("Receipt code").fill(code)
    page.get_by_role("button", name="Trace").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.endswith("-en.pdf")
    path = download.path()
    text = "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)
    assert "CN¥1,500.00" in text and code in text
    compact = code.replace("-", "")
    assert not [u for u in urls if code in u or compact in u]  # never in a URL
    context.close()


def test_auditor_signs_in_and_downloads_the_journal(
    browser: Browser, live: str, indexed: Indexed
) -> None:
    context, page, _ = opened(browser)
    page.goto(live + "/auditor")
    expect(page.locator("main h1")).to_have_text("Auditor sign-in")
    assert serious_violations(page, live) == []
    page.screenshot(path=screenshot_path("auditor-sign-in"), full_page=True)
    challenge = Challenge.decode(page.locator("input[name=challenge]").input_value())
    assert challenge.domain == live.removeprefix("http://")
    page.get_by_label("Sign-in code").fill(sign(indexed.world.staff["auditor"], challenge))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main h1")).to_have_text("Auditor reports")
    expect(page.locator("#auditor")).to_contain_text(indexed.world.staff["auditor"].address)
    page.locator("#from").fill("2000-01-01")
    page.locator("#format").select_option("csv")
    page.screenshot(path=screenshot_path("auditor"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    with zipfile.ZipFile(io.BytesIO(info.value.path().read_bytes())) as packed:
        names = packed.namelist()
    assert any(n.endswith(".csv") for n in names) and any(
        n.endswith(".manifest.json") for n in names
    )
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("main h1")).to_have_text("Auditor sign-in")
    context.close()
