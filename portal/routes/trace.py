"""/trace: a donor enters a receipt code and sees what the gift became, step by step.

The code is posted (never in a URL, a log line or a Referer). A code with a typo gets a
specific answer (characters no code has, wrong length, check characters not matching); a valid
code the mirror does not know gets "not found (yet)"; nothing else is said that would help
guess a code. Lookups are rate-limited per client address.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from markupsafe import Markup
from sqlmodel import Session
from starlette.responses import Response

from ledger.queries.trace import GiftNotFoundError, Trace, trace
from ledger.write.receipts import ALPHABET, CHECK_CHARS, DATA_CHARS, ReceiptCode, ReceiptCodeError
from portal import csrf
from portal.deps import ChromeDep, SessionDep, StateDep

router = APIRouter()
READABLE = set(ALPHABET) | set("ILO")  # read as 1, 1, 0


class Problem(StrEnum):
    """Why a code gave no trace (its words are in trace.html)."""

    CHARACTERS = "characters"
    LENGTH = "length"
    CHECKSUM = "checksum"
    NOT_FOUND = "not_found"
    TOO_MANY = "too_many"
    FORM = "form"  # the receipt PDF's form came without its CSRF token (an old or foreign page)


@dataclass(frozen=True)
class Step:
    """One step of the trace in ledger order: `kind` names its template block."""

    kind: str
    seq: int
    step: Any


@dataclass(frozen=True)
class TracePage:
    """The form, and either a problem or the gift's steps."""

    problem: Problem | None = None
    found: Trace | None = None
    length: int = 0
    code: ReceiptCode | None = None  # the donor's own code, for the printable receipt
    csrf: str = ""  # the token of the receipt PDF's form (portal/csrf.py)

    @property
    def qr_svg(self) -> Markup | None:
        """The code as a QR code (SVG made by segno from the code alone, safe to inline)."""
        return None if self.code is None else Markup(self.code.qr_svg(scale=3))

    @property
    def steps(self) -> list[Step]:
        """Gift, allocations, purchases, lots and flows merged in ledger order."""
        if self.found is None:
            return []
        found = self.found
        steps = [Step("gift", found.gift.at.seq, found.gift)]
        for kind, items in (
            ("allocation", found.allocations),
            ("purchase", found.purchases),
            ("lot", found.lots),
            ("flow", found.flows),
        ):
            steps.extend(Step(kind, item.at.seq, item) for item in items)
        return sorted(steps, key=lambda s: (s.seq, s.kind != "gift"))


def check(text: str) -> tuple[ReceiptCode | None, TracePage]:
    """The code in `text`, or the page explaining what is wrong with it."""
    compact = "".join(text.split()).replace("-", "").upper()
    if not compact or set(compact) - READABLE:
        return None, TracePage(Problem.CHARACTERS)
    if len(compact) != DATA_CHARS + CHECK_CHARS:
        return None, TracePage(Problem.LENGTH, length=len(compact))
    try:
        return ReceiptCode.parse(compact), TracePage()
    except ReceiptCodeError:
        return None, TracePage(Problem.CHECKSUM)


def look_up(session: Session, code: ReceiptCode) -> TracePage:
    """The trace of the code's gift, or 'not found (yet)'."""
    try:
        return TracePage(found=trace(session, code.commitment), code=code)
    except GiftNotFoundError:
        return TracePage(Problem.NOT_FOUND)


@router.get("/trace", include_in_schema=False)
def form(request: Request, chrome: ChromeDep, state: StateDep) -> Response:
    """The empty form."""
    return state.renderer.response(request, chrome, "trace.html", TracePage())


@router.post("/trace", include_in_schema=False)
def answer(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    code: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The trace of the posted code, or what is wrong with it."""
    address = request.client.host if request.client else "unknown"
    if not state.trace_limit.allow(address):
        page = TracePage(Problem.TOO_MANY)
        return state.renderer.response(request, chrome, "trace.html", page, 429)
    parsed, page = check(code)
    if parsed is not None:
        page = look_up(session, parsed)
    token, cookie = csrf.issue(request, state.auth.secret)
    response = state.renderer.response(request, chrome, "trace.html", replace(page, csrf=token))
    response.headers["cache-control"] = "no-store"
    csrf.set_cookie(response, request, cookie, "/trace")
    return response
