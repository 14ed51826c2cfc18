"""/auditor: signed-in auditors download every report format with any filter.

`/auditor/sign-in` shows a Sign-In with Ethereum challenge and takes the code that
`aidledger auditor sign-in-code` prints (portal/auditor_auth.py says how it is checked);
`/auditor` is the report form with every format of `ledger.reports.formats.FORMATS`, the site
and currency filters, and the Charity Law schedule; `/auditor/download` answers the ZIP
(portal/routes/reports.py's checks and packing); `/auditor/sign-out` ends the session. Without
a valid session every auditor page sends the visitor to the sign-in page. Nothing here is
cached (Cache-Control: no-store).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from ledger.queries.names import UnknownNameError, resolve
from ledger.reports.formats import FORMATS
from portal import csrf
from portal.auditor_auth import (
    SignInFailedError,
    SignInProblem,
    clear_session,
    new_challenge,
    set_session,
    sign_in,
    signed_in,
)
from portal.context import Chrome
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.routes.reports import (
    SHOWN,
    STATUS,
    FormProblemError,
    Problem,
    ReportForm,
    ReportsPage,
    check,
    schedule,
    this_year,
    zip_response,
    zones,
)
from portal.state import PortalState

router = APIRouter()
SIGN_IN = "/auditor/sign-in"


@dataclass(frozen=True)
class SignInPage:
    """The challenge to sign, its MAC and the form's token; or why there is none."""

    challenge: str = ""
    message: str = ""  # the EIP-4361 text, with a placeholder for the address
    mac: str = ""
    csrf: str = ""
    problem: SignInProblem | None = None


def _no_store(response: Response) -> Response:
    response.headers["cache-control"] = "no-store"
    return response


def _sign_in_page(
    request: Request, chrome: Chrome, state: PortalState, problem: SignInProblem | None, status: int
) -> Response:
    """The sign-in form with a fresh challenge (and the CSRF cookie when the visitor has none)."""
    token, new_cookie = csrf.issue(request, state.auth.secret)
    cookie = new_cookie or csrf.cookie_of(request) or ""
    chain_id = None if chrome.status is None else chrome.status.chain_id
    if chain_id is None:
        page = SignInPage(csrf=token, problem=problem or SignInProblem.EMPTY)
    else:
        challenge, mac = new_challenge(request, chain_id, cookie, state.auth.secret)
        message = challenge.message("0x" + "0" * 40).replace("0x" + "0" * 40, "<your address>")
        page = SignInPage(challenge.encode(), message, mac, token, problem)
    response = state.renderer.response(request, chrome, "auditor_sign_in.html", page, status)
    csrf.set_cookie(response, request, new_cookie)
    return _no_store(response)


@router.get(SIGN_IN, include_in_schema=False)
def sign_in_form(request: Request, chrome: ChromeDep, state: StateDep) -> Response:
    """A fresh challenge and the form to paste the sign-in code into."""
    return _sign_in_page(request, chrome, state, None, 200)


@router.post(SIGN_IN, include_in_schema=False)
def sign_in_answer(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    challenge: Annotated[str, Form(max_length=2_000)] = "",
    mac: Annotated[str, Form(max_length=200)] = "",
    code: Annotated[str, Form(max_length=400)] = "",
    token: Annotated[str, Form(alias=csrf.FIELD, max_length=200)] = "",
) -> Response:
    """Sign in and go to /auditor; the form again with a new challenge and what was wrong."""
    address = request.client.host if request.client else "unknown"
    if not state.auth.sign_in_limit.allow(address):
        return _sign_in_page(request, chrome, state, SignInProblem.TOO_MANY, 429)
    form = {"challenge": challenge, "mac": mac, "code": code, "csrf": token}
    try:
        auditor = sign_in(request, session, state.auth, form)
    except SignInFailedError as failed:
        return _sign_in_page(request, chrome, state, failed.problem, failed.status)
    response = RedirectResponse("/auditor", status_code=303)
    set_session(response, request, state.auth.secret, auditor)
    return _no_store(response)


@router.post("/auditor/sign-out", include_in_schema=False)
def sign_out(
    request: Request,
    state: StateDep,
    token: Annotated[str, Form(alias=csrf.FIELD, max_length=200)] = "",
) -> Response:
    """End the session (a post with the page's token) and go to the sign-in page."""
    if not csrf.valid(request, state.auth.secret, token):
        return _no_store(RedirectResponse("/auditor", status_code=303))
    response = RedirectResponse(SIGN_IN, status_code=303)
    clear_session(response)
    return _no_store(response)


def _auditor_page(
    request: Request,
    chrome: Chrome,
    state: PortalState,
    auditor: str,
    form: ReportForm,
    error: FormProblemError | None = None,
) -> Response:
    token, new_cookie = csrf.issue(request, state.auth.secret)
    problem, detail = (None, "") if error is None else (error.problem, error.detail)
    page = ReportsPage(
        form,
        tuple(FORMATS),
        zones(state),
        problem,
        detail,
        schedule(state, chrome),
        auditor=auditor,
        csrf=token,
    )
    status = 200 if error is None else STATUS.get(error.problem, 400)
    response = state.renderer.response(request, chrome, "reports.html", page, status)
    csrf.set_cookie(response, request, new_cookie)
    return _no_store(response)


def _to_sign_in() -> Response:
    return _no_store(RedirectResponse(SIGN_IN, status_code=303))


@router.get("/auditor", include_in_schema=False)
def auditor_page(
    request: Request, chrome: ChromeDep, state: StateDep, session: SessionDep
) -> Response:
    """The auditor's report form (every format and filter); the sign-in page without a session."""
    auditor = signed_in(request, session, state.auth.secret)
    if auditor is None:
        return _to_sign_in()
    return _auditor_page(request, chrome, state, auditor, this_year(next(iter(FORMATS))))


def _site(session: Session, text: str) -> str | None:
    """The 0x id of the site named (name or 0x id), None when none is given."""
    if not text:
        return None
    try:
        return "0x" + resolve(session, "site", text).hex()
    except UnknownNameError:
        raise FormProblemError(Problem.SITE, text) from None


@router.get("/auditor/download", include_in_schema=False)
def auditor_download(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    first: Annotated[str, Query(alias="from")] = "",
    last: Annotated[str, Query(alias="to")] = "",
    tz: str = "UTC",
    format: str = "",
    currency: str = "",
    site: str = "",
) -> Response:
    """The report as a ZIP, in any format and with any filter, for a signed-in auditor (a
    plain function: FastAPI runs it in a worker thread, where the report is made)."""
    auditor = signed_in(request, session, state.auth.secret)
    if auditor is None:
        return _to_sign_in()
    given = (first, last, tz, format, currency, site)
    form = ReportForm(*(value.strip()[:SHOWN] for value in given))
    try:
        asked = check(form, chrome, tuple(FORMATS))
        asked = asked.__class__(asked.period, asked.fmt, asked.currency, _site(session, form.site))
        return zip_response(state, asked, f"auditor:{auditor}")
    except FormProblemError as error:
        return _auditor_page(request, chrome, state, auditor, form, error)
