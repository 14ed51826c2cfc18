"""/reports: anyone downloads the public subset of the reports `aidledger report` makes.

The form is a plain GET (no JavaScript); `/reports/download` makes the report with
`ledger.reports.produce` in a temporary directory, in a worker thread (the event loop keeps
serving), and answers one ZIP holding every file of the report and its manifest, whatever the
format (CSV alone is several files). The public gets the documents made for readers and
registries (`PUBLIC_FORMATS`: PDF, Charity Law disclosure, IATI, FTS); the working files with
the whole journal (CSV, XLSX, JSON) and the site filter are on the auditor page
(portal/routes/auditor.py, which reuses this module's checks). Downloads are rate-limited per
client address: each one reads the whole ledger.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from ledger.queries.disclosures import DisclosureSchedule, disclosure_schedule
from ledger.queries.status import newest_block_day
from ledger.reports.build import Period, ReportInputError, zone
from ledger.reports.formats import FORMATS
from ledger.reports.produce import ReportFormatError, produce
from ledger.reports.rates import Rates
from portal.context import Chrome
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.state import PortalState

router = APIRouter()
ZONES = ("UTC", "Asia/Shanghai")
CURRENCY = re.compile(r"[A-Z]{3}")
SHOWN = 80  # characters of a form value kept (and repeated back when wrong)
# what anyone may download (docs/reports.md, "Public subset and the auditor's full set")
PUBLIC_FORMATS: tuple[str, ...] = ("pdf", "disclosure", "iati", "fts")


class Problem(StrEnum):
    """Why no report was made (its words are in reports.html)."""

    MISSING = "missing"  # a day of the period not given
    FIRST = "first"  # the first day is not a date
    LAST = "last"  # the last day is not a date
    REVERSED = "reversed"  # the period ends before it starts
    FORMAT = "format"
    AUDITOR = "auditor"  # a format (or filter) for signed-in auditors only
    SITE = "site"  # no such site (auditor page)
    ZONE = "zone"
    CURRENCY = "currency"
    EMPTY = "empty"  # the mirror holds nothing to report
    TOO_MANY = "too_many"
    REFUSED = "refused"  # the report package's own one-line reason


@dataclass(frozen=True)
class ReportForm:
    """The form's values as given (shown back when something is wrong)."""

    first: str
    last: str
    tz: str
    fmt: str
    currency: str
    site: str = ""  # auditor page only


@dataclass(frozen=True)
class ReportsPage:
    """The form, the choices it offers and, after a refused download, what was wrong."""

    form: ReportForm
    formats: tuple[str, ...]
    zones: tuple[str, ...]
    problem: Problem | None = None
    detail: str = ""  # the offending value, or the report package's reason
    schedule: DisclosureSchedule | None = None  # the Charity Law's periodic disclosures
    auditor: str | None = None  # the signed-in auditor's address (the auditor page)
    csrf: str = ""  # the sign-out form's token (the auditor page)


@dataclass(frozen=True)
class Asked:
    """A report request that passed every check."""

    period: Period
    fmt: str
    currency: str | None
    site: str | None = None  # 0x site id (auditor page)
    rates: Rates | None = None  # the auditor's uploaded exchange rates (auditor page)

    @property
    def stem(self) -> str:
        """The report file's name without its suffix (the ZIP's too)."""
        stem = f"aidledger-report-{self.period.first}-{self.period.last}"
        stem = stem if self.currency is None else f"{stem}-{self.currency}"
        return stem if self.site is None else f"{stem}-site-{self.site[2:10]}"

    @property
    def filters(self) -> dict[str, str] | None:
        """The report's filters, as `produce` takes them."""
        given = {"currency": self.currency, "site": self.site}
        return {k: v for k, v in given.items() if v is not None} or None


class FormProblemError(Exception):
    """The form asks for something no report can be made of."""

    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.detail = detail


def zones(state: PortalState) -> tuple[str, ...]:
    """The time zones offered: UTC, Asia/Shanghai and the portal's own zone."""
    own = state.settings.timezone
    return ZONES if own in ZONES else (*ZONES, own)


def _day(value: str, problem: Problem) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FormProblemError(problem, value) from None


def check(form: ReportForm, chrome: Chrome, formats: tuple[str, ...] = PUBLIC_FORMATS) -> Asked:
    """The validated request for one of `formats`, or FormProblemError naming the first
    thing wrong."""
    if not form.first or not form.last:
        raise FormProblemError(Problem.MISSING)
    first, last = _day(form.first, Problem.FIRST), _day(form.last, Problem.LAST)
    if last < first:
        raise FormProblemError(Problem.REVERSED)
    if form.fmt not in FORMATS:
        raise FormProblemError(Problem.FORMAT, form.fmt)
    if form.fmt not in formats:
        raise FormProblemError(Problem.AUDITOR, form.fmt)
    try:
        zone(form.tz)
    except ReportInputError:
        raise FormProblemError(Problem.ZONE, form.tz) from None
    currency = form.currency.upper() or None
    if currency is not None and not CURRENCY.fullmatch(currency):
        raise FormProblemError(Problem.CURRENCY, form.currency)
    if chrome.status is None or chrome.status.last_block is None:
        raise FormProblemError(Problem.EMPTY)
    return Asked(Period(first, last, form.tz), form.fmt, currency)


def make_zip(engine: Engine, asked: Asked) -> tuple[Path, Path]:
    """Produce the report in a new temporary directory and pack it with its manifest.

    Returns the directory (the caller removes it) and the ZIP inside it.
    """
    work = Path(tempfile.mkdtemp(prefix="aidledger-report-"))
    try:
        out = work / "report" / f"{asked.stem}{FORMATS[asked.fmt][1]}"
        produced = produce(engine, asked.period, asked.fmt, out, asked.filters, asked.rates)
        archive = work / f"{asked.stem}-{asked.fmt}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
            for path in [*produced.files, produced.manifest_path]:
                packed.write(path, path.name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return work, archive


def schedule(state: PortalState, chrome: Chrome) -> DisclosureSchedule | None:
    """The disclosure schedule as of today, when the mirror has tables to read it from."""
    if chrome.status is None:
        return None
    with Session(state.engine) as session:
        return disclosure_schedule(session, datetime.now(UTC).date())


def _page(
    state: PortalState, chrome: Chrome, form: ReportForm, error: FormProblemError | None
) -> ReportsPage:
    problem, detail = (None, "") if error is None else (error.problem, error.detail)
    return ReportsPage(form, PUBLIC_FORMATS, zones(state), problem, detail, schedule(state, chrome))


def this_year(fmt: str, session: Session) -> ReportForm:
    """The form set to this year so far (UTC) in `fmt`, to the newest block when the chain's
    clock is ahead of ours (a dev chain)."""
    today = datetime.now(UTC).date()
    last = max(today, newest_block_day(session) or today)
    first = today.replace(month=1, day=1).isoformat()
    return ReportForm(first=first, last=last.isoformat(), tz="UTC", fmt=fmt, currency="")


@router.get("/reports", include_in_schema=False)
def reports(request: Request, chrome: ChromeDep, state: StateDep, session: SessionDep) -> Response:
    """The form, set to this year so far (UTC) in the first public format."""
    page = _page(state, chrome, this_year(PUBLIC_FORMATS[0], session), None)
    return state.renderer.response(request, chrome, "reports.html", page)


@router.get("/reports/download", include_in_schema=False)
async def download(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    first: Annotated[str, Query(alias="from")] = "",
    last: Annotated[str, Query(alias="to")] = "",
    tz: str = "UTC",
    format: str = "",
    currency: str = "",
) -> Response:
    """The report as a ZIP; the form again with what is wrong (400, 429) otherwise."""
    given = (first, last, tz, format, currency)
    form = ReportForm(*(value.strip()[:SHOWN] for value in given))
    try:
        asked = check(form, chrome)
        address = request.client.host if request.client else "unknown"
        return await run_in_threadpool(zip_response, state, asked, address)
    except FormProblemError as error:
        page = _page(state, chrome, form, error)
        status = STATUS.get(error.problem, 400)
        response = state.renderer.response(request, chrome, "reports.html", page, status)
        response.headers["cache-control"] = "no-store"
        return response


STATUS = {Problem.TOO_MANY: 429, Problem.AUDITOR: 403}  # any other problem: 400


def zip_response(state: PortalState, asked: Asked, limit_key: str) -> Response:
    """The report's ZIP (made here: call from a worker thread), counted against `limit_key`'s
    downloads; FormProblemError when the limit is reached or the report package refuses."""
    if not state.report_limit.allow(limit_key):
        raise FormProblemError(Problem.TOO_MANY)
    try:
        work, archive = make_zip(state.engine, asked)
    except (ReportInputError, ReportFormatError) as exc:
        raise FormProblemError(Problem.REFUSED, str(exc)) from None
    return FileResponse(
        archive,
        media_type="application/zip",
        filename=archive.name,
        headers={"cache-control": "no-store"},
        background=BackgroundTask(shutil.rmtree, work, ignore_errors=True),
    )
