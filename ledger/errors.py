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


class ContractRevertError(AidLedgerError):
    """A contract refused a write; nothing changed. `error`/`error_args`: the decoded error."""

    def __init__(self, message: str, error: str, args: dict[str, object]) -> None:
        super().__init__(message)
        self.error = error
        self.error_args = args


class UnauthorizedError(ContractRevertError, PermissionError):
    """The sender lacks the role the write needs."""


class PausedError(ContractRevertError):
    """The ledger is paused by its administrator."""


class DuplicateIdError(ContractRevertError):
    """The id was already used: the write was recorded before (a retry) or the id collides."""


class NotFoundError(ContractRevertError, LookupError):
    """The write refers to something the ledger does not know."""


class InsufficientError(ContractRevertError):
    """The write would break conservation: not enough money, stock or remaining need."""


class InvalidInputError(ContractRevertError, ValueError):
    """The write's arguments are malformed or inconsistent."""
