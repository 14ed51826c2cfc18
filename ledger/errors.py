"""The exception hierarchy: every error a user can see derives from `AidLedgerError`."""

from __future__ import annotations


class AidLedgerError(Exception):
    """Root of every AidLedger error; the message says what went wrong and what to do."""


class AidLedgerValueError(AidLedgerError, ValueError):
    """An input was malformed or out of range."""


class AidLedgerConfigError(AidLedgerError, RuntimeError):
    """The configuration (environment, aidledger.toml, files on disk) is missing or wrong."""


class AidLedgerConnectionError(AidLedgerError, ConnectionError):
    """The chain node could not be reached or answered out of protocol."""
