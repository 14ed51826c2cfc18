"""The portal in a real browser: a donor traces a gift in both languages and follows a step to
its transaction; every page renders (screenshots kept); axe-core finds no serious violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.portal.browser.conftest import AXE, screenshot_path
from tests.portal.conftest import Indexed
from tests.portal.english import english_left

PAGES = [
    "/", "/trace", "/gifts", "/sites", "/needs", "/shipments", "/pledges", "/reports",
    "/attestations", "/verify", "/about",
]  # fmt: skip


@pytest.fixture
def page(browser: Browser) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    opened = context.new_page()
    errors: list[str] = []
    opened.on(
        "console",
        lambda m: errors.append(f"{opened.url}: {m.text}") if m.type == "error" else None,
    )
    opened.on("pageerror", lambda e: errors.append(str(e)))
    yield opened
    context.close()
    assert errors == [], errors  # no CSP violation, no script error


def test_donor_traces_a_gift_in_english_and_opens_a_step(
    page: Page, live: str, indexed: Indexed
) -> None:
    page.goto(live + "/")
    page.get_by_role("link", name="Trace a gift").first.click()
    page.get_by_label("Receipt code").fill(str(indexed.scenario.codes["g3"]))
    page.get_by_role("button", name="Trace").click()
    expect(page.locator("#trace h2")).to_have_text("What your gift became")
    expect(page.locator("#trace li.step").first).to_contain_text("CN¥1,500.00 received.")
    page.screenshot(path=screenshot_path("trace-en"), full_page=True)
    page.locator("#trace li.step-flow .at a").first.click()
    expect(page.locator("main h1")).to_have_text("Transaction")
    expect(page.locator("#events h2").first).to_contain_text("Shipment dispatched")
    expect(page.locator("#events p.summary").first).to_contain_text("dispatched from wh_a")
    page.screenshot(path=screenshot_path("tx-en"), full_page=True)


def test_donor_traces_a_gift_in_chinese(page: Page, live: str, indexed: Indexed) -> None:
    page.goto(live + "/trace")
    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_label("收据码").fill(str(indexed.scenario.codes["g3"]).lower())
    page.get_by_role("button", name="追踪").click()
    expect(page.locator("#trace h2")).to_have_text("您的捐赠变成了什么")
    expect(page.locator("#trace li.step-flow .detail").first).to_contain_text("已签收 940")
    page.screenshot(path=screenshot_path("trace-zh"), full_page=True)
    assert english_left(page.locator("#trace").inner_text()) == []
    page.locator("#trace li.step-flow .at a").first.click()
    expect(page.locator("main h1")).to_have_text("交易")
    expect(page.locator("#events p.summary").first).to_contain_text("已从 wh_a 发往 hospital")
    page.screenshot(path=screenshot_path("tx-zh"), full_page=True)
    summaries = page.locator("#events p.summary").all_inner_texts()
    assert summaries and all(english_left(s) == [] for s in summaries), summaries


def test_typo_in_the_code_is_explained(page: Page, live: str, indexed: Indexed) -> None:
    code = str(indexed.scenario.codes["g4"])
    page.goto(live + "/trace")
    page.get_by_label("Receipt code").fill(("Z" if code[0] != "Z" else "Y") + code[1:])
    page.get_by_role("button", name="Trace").click()
    expect(page.locator("#problem")).to_contain_text("has a typo")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_without_errors(page: Page, live: str, path: str) -> None:
    response = page.goto(live + path)
    assert response is not None and response.status == 200
    expect(page.locator("main h1")).to_be_visible()
    name = path.strip("/").replace("/", "-") or "overview"
    page.screenshot(path=screenshot_path(name), full_page=True)


def serious_violations(page: Page, live: str) -> list[dict[str, Any]]:
    assert AXE.exists()  # served by the portal itself, so the CSP (script-src 'self') allows it
    page.add_script_tag(url=live + "/static/vendor/axe-core/axe.min.js")
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_overview_has_no_serious_accessibility_violation(
    browser: Browser, live: str, lang: str
) -> None:
    context = browser.new_context(locale=lang, extra_http_headers={"accept-language": lang})
    page = context.new_page()
    page.goto(live + "/")
    found = serious_violations(page, live)
    context.close()
    assert found == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in found]


def test_mobile_overview_fits_the_screen(browser: Browser, live: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(live + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=screenshot_path("overview-mobile"), full_page=True)
    context.close()
    assert width <= 375


def test_api_docs_render_from_vendored_swagger_under_the_csp(page: Page, live: str) -> None:
    page.goto(live + "/api/docs")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    assert page.locator("#swagger-ui .opblock").count() >= 10
    page.screenshot(path=screenshot_path("api-docs"), full_page=True)


EDGE_MIDDLE = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById("flows-chart"));
  const series = chart.getModel().getSeriesByIndex(0);
  const edge = series.getGraph().edges[0];
  const [from, to] = [edge.node1.getLayout(), edge.node2.getLayout()];
  const at = edge.getLayout();
  const box = document.getElementById("flows-chart").getBoundingClientRect();
  const info = series.layoutInfo;
  const x = info.x + (from.x + from.dx + to.x) / 2;
  const y = info.y + (from.y + at.sy + to.y + at.ty + at.dy) / 2;
  return {x: box.left + x, y: box.top + y, edge: edge.getModel().option.edge_id};
}"""


def test_sankey_renders_and_an_edge_opens_its_transactions(page: Page, live: str) -> None:
    page.goto(live + "/")
    expect(page.locator("#flows-chart[data-ready=true] canvas")).to_be_visible()
    expect(page.get_by_label("Show")).to_be_visible()
    page.screenshot(path=screenshot_path("overview-sankey"), full_page=True)
    middle = page.evaluate(EDGE_MIDDLE)
    page.mouse.click(middle["x"], middle["y"])
    page.wait_for_url("**/flows/events?edge=*")
    assert middle["edge"].split("|")[0] in page.url
    expect(page.locator("#events tbody tr").first).to_be_visible()


def test_stock_by_site_chart_drawn_from_its_table(page: Page, live: str) -> None:
    page.goto(live + "/sites")
    expect(page.locator("#stock-chart[data-ready=true] canvas")).to_be_visible()
    expect(page.locator("#sites")).to_be_visible()  # the table stays
    page.screenshot(path=screenshot_path("sites-chart"), full_page=True)


NODE_LABELS = """() => {
  const series = echarts.getInstanceByDom(document.getElementById("flows-chart"))
    .getOption().series[0];
  return series.data.map((node) => series.label.formatter({name: node.name}));
}"""


def test_sankey_names_pools_in_chinese(page: Page, live: str) -> None:
    page.goto(live + "/lang/zh-CN?next=/")
    expect(page.locator("#flows-chart[data-ready=true] canvas")).to_be_visible()
    page.locator("#flows-unit").select_option("currency:CNY")
    labels = page.evaluate(NODE_LABELS)
    assert "捐赠人" in labels
    assert any(label.endswith(" 资金池") for label in labels), labels
    assert not any("pool" in label for label in labels), labels
    page.screenshot(path=screenshot_path("overview-sankey-zh"), full_page=True)
