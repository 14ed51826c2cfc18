"""/auditor: signed-in auditors download every report format with any filter.

`/auditor/sign-in` shows a Sign-In with Ethereum challenge and takes the code that
`aidledger auditor sign-in-code` prints (portal/auditor_auth.py says how it is checked);
`/auditor` is the report form with every format of `ledger.reports.formats.FORMATS`, the site
and currency filters, an optional exchange-rates file (`--rates`) and the Charity Law schedule;
`/auditor/download` answers the ZIP (portal/routes/reports.py's checks and packing; the form
posts, with its CSRF token, as it may carry a file; a GET without rates works too);
`/auditor/sign-out` ends the session. Without a valid session every auditor page sends the
visitor to the sign-in page. Nothing here is cached (Cache-Control: no-store).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from ledger.queries.names import UnknownNameError, resolve
from ledger.reports.formats import FORMATS
from ledger.reports.rates import Rates, RatesFileError, load_rates
from portal import csrf
from portal.auditor_auth import (
    COOKIE_PATH,
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
MAX_RATES = 1_000_000  # bytes of an uploaded rates file


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
    csrf.set_cookie(response, request, new_cookie, COOKIE_PATH)
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
    csrf.set_cookie(response, request, new_cookie, COOKIE_PATH)
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
    form = this_year(next(iter(FORMATS)), session)
    return _auditor_page(request, chrome, state, auditor, form)


def _site(session: Session, text: str) -> str | None:
    """The 0x id of the site named (name or 0x id), None when none is given."""
    if not text:
        return None
    try:
        return "0x" + resolve(session, "site", text).hex()
    except UnknownNameError:
        raise FormProblemError(Problem.SITE, text) from None


def _rates(upload: UploadFile | None, currency: str) -> Rates | None:
    """The uploaded rates file read and checked (`ledger.reports.rates`), None without one."""
    if upload is None or not upload.filename:
        return None
    data = upload.file.read(MAX_RATES + 1)
    if len(data) > MAX_RATES:
        raise FormProblemError(Problem.REFUSED, f"the rates file is over {MAX_RATES:,} bytes")
    name = Path(upload.filename).name[:SHOWN]
    with tempfile.TemporaryDirectory(prefix="aidledger-rates-") as work:
        path = Path(work) / "rates.csv"
        path.write_bytes(data)
        try:
            return load_rates(path, currency.strip().upper() or "CNY")
        except RatesFileError as exc:
            raise FormProblemError(Problem.REFUSED, str(exc).replace(str(path), name)) from None


@router.post("/auditor/download", include_in_schema=False)
def auditor_download_with_rates(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    first: Annotated[str, Form(alias="from")] = "",
    last: Annotated[str, Form(alias="to")] = "",
    tz: Annotated[str, Form()] = "UTC",
    format: Annotated[str, Form()] = "",
    currency: Annotated[str, Form()] = "",
    site: Annotated[str, Form()] = "",
    rates: UploadFile | None = None,
    rates_currency: Annotated[str, Form(max_length=3)] = "CNY",
    token: Annotated[str, Form(alias=csrf.FIELD, max_length=200)] = "",
) -> Response:
    """The auditor's form as posted, with an optional rates file (`--rates`, `--rates-currency`)."""
    auditor = signed_in(request, session, state.auth.secret)
    if auditor is None:
        return _to_sign_in()
    given = (first, last, tz, format, currency, site)
    form = ReportForm(*(value.strip()[:SHOWN] for value in given))
    if not csrf.valid(request, state.auth.secret, token):
        error = FormProblemError(Problem.REFUSED, "the form has expired: send it again")
        return _auditor_page(request, chrome, state, auditor, form, error)
    try:
        return _download(state, chrome, session, auditor, form, _rates(rates, rates_currency))
    except FormProblemError as error:
        return _auditor_page(request, chrome, state, auditor, form, error)


def _download(
    state: PortalState,
    chrome: Chrome,
    session: Session,
    auditor: str,
    form: ReportForm,
    rates: Rates | None,
) -> Response:
    asked = check(form, chrome, tuple(FORMATS))
    asked = replace(asked, site=_site(session, form.site), rates=rates)
    return zip_response(state, asked, f"auditor:{auditor}")


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
        return _download(state, chrome, session, auditor, form, None)
    except FormProblemError as error:
        return _auditor_page(request, chrome, state, auditor, form, error)
