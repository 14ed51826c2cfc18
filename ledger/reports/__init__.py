"""Auditor reports: period exports in several formats, each with a manifest that anyone can check
against the chain (docs/reports.md)."""
