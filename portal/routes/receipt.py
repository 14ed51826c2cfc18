"""POST /trace/receipt.pdf: the receipt of a gift as a PDF, from its receipt code.

The receipt page's "Download PDF" button posts the code (never in a URL, a log line or a
Referer) with the form's CSRF token. A code lookup like /trace's: rate-limited per client
address, and a wrong code gets the /trace page with the same helpful answer. The PDF is an
attachment that nothing may keep (Cache-Control: no-store).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ledger.write.receipts import ReceiptCode
from portal import csrf
from portal.context import Chrome
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.receipt_pdf import receipt_pdf
from portal.routes.trace import Problem, TracePage, check, look_up
from portal.state import PortalState

router = APIRouter()


def _trace_page(
    request: Request, chrome: Chrome, state: PortalState, page: TracePage, status: int = 200
) -> Response:
    response = state.renderer.response(request, chrome, "trace.html", page, status)
    response.headers["cache-control"] = "no-store"
    return response


def _pdf(session: Session, parsed: ReceiptCode, chrome: Chrome) -> tuple[TracePage, bytes]:
    page = look_up(session, parsed)
    if page.found is None or page.code is None:
        return page, b""
    return page, receipt_pdf(page.found, page.code, chrome.fmt)


@router.post("/trace/receipt.pdf", include_in_schema=False)
async def receipt(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    code: Annotated[str, Form(max_length=200)] = "",
    token: Annotated[str, Form(alias=csrf.FIELD, max_length=200)] = "",
) -> Response:
    """The receipt PDF of the posted code; the /trace page saying what is wrong otherwise."""
    if not csrf.valid(request, state.auth.secret, token):
        return _trace_page(request, chrome, state, TracePage(Problem.FORM), 403)
    address = request.client.host if request.client else "unknown"
    if not state.trace_limit.allow(address):
        return _trace_page(request, chrome, state, TracePage(Problem.TOO_MANY), 429)
    parsed, page = check(code)
    if parsed is None:
        return _trace_page(request, chrome, state, page)
    page, body = await run_in_threadpool(_pdf, session, parsed, chrome)
    if not body:
        return _trace_page(request, chrome, state, page)
    gift = page.found.gift.gift_id[2:10] if page.found else "gift"
    name = f"aidledger-receipt-{gift}-{chrome.lang.tag}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "no-store",
            "content-language": chrome.lang.tag,
        },
    )
