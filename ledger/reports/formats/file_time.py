"""The fixed time that XLSX and PDF files carry as their creation date, so that the same report
gives the same bytes: the end of the report's period (a report is about its period, not about
when its file was made)."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.reports.build import Report

FALLBACK = datetime(2000, 1, 1, tzinfo=UTC)


def file_time(report: Report) -> datetime:
    """The end of `report`'s period (UTC), or 2000-01-01 beyond what a datetime holds."""
    try:
        return datetime.fromtimestamp(report.context.end, UTC)
    except (OverflowError, OSError, ValueError):
        return FALLBACK
