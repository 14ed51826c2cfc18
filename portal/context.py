"""What every page shows around its content (the chrome) and the notices about the mirror.

Each page's own context is a frozen dataclass in its route module; templates get `chrome` and
`page` and nothing else, so a template can only show what a typed object carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ledger.queries.models import Position
from ledger.queries.position import EMPTY
from ledger.queries.status import MirrorStatus
from portal.i18n import LANGUAGES, Formatter, Language


class Notice(StrEnum):
    """A warning shown on every page (its words are in templates/_notices.html)."""

    NO_SCHEMA = "no_schema"  # the database has no mirror tables yet
    EMPTY = "empty"  # the mirror was never indexed
    LAGGING = "lagging"  # the chain head is more than `lag_blocks` past the mirror
    NO_VERIFY = "no_verify"  # `aidledger verify` never ran
    VERIFY_FAILED = "verify_failed"  # the last verify found differences
    CHAIN_UNKNOWN = "chain_unknown"  # a node is configured but did not answer


@dataclass(frozen=True)
class Chrome:
    """The frame of a page: language, where we are, the mirror's state and its notices."""

    lang: Language
    path: str  # with the query, so the language switch returns to the same filtered page
    section: str
    status: MirrorStatus | None  # None: no mirror tables in the database
    chain_block: int | None
    notices: tuple[Notice, ...]
    fmt: Formatter

    @property
    def languages(self) -> tuple[Language, ...]:
        """Every language, for the switch."""
        return LANGUAGES

    @property
    def position(self) -> Position:
        """The mirror position this page is read at (from the same session as its rows)."""
        return position_of(self.status)

    @property
    def lag(self) -> int | None:
        """Blocks the mirror is behind the chain head, when both are known."""
        if self.chain_block is None or self.status is None or self.status.last_block is None:
            return None
        return max(0, self.chain_block - self.status.last_block)


def position_of(status: MirrorStatus | None) -> Position:
    """The mirror position a status names (`EMPTY` without one, or before the first index)."""
    if status is None or status.last_block is None:
        return EMPTY
    return Position(
        chain_id=status.chain_id, block=status.last_block, seq=status.seq or 0, head=status.head
    )


def notices(
    status: MirrorStatus | None, chain_block: int | None, lag_blocks: int, rpc: bool
) -> tuple[Notice, ...]:
    """The warnings a mirror in this state deserves, most serious first."""
    if status is None:
        return (Notice.NO_SCHEMA,)
    found: list[Notice] = []
    if status.last_block is None:
        found.append(Notice.EMPTY)
    elif chain_block is not None and chain_block - status.last_block > lag_blocks:
        found.append(Notice.LAGGING)
    if rpc and chain_block is None:
        found.append(Notice.CHAIN_UNKNOWN)
    if status.last_verify is not None and status.last_verify.differences:
        found.append(Notice.VERIFY_FAILED)
    elif status.last_verify is None and status.last_block is not None:
        found.append(Notice.NO_VERIFY)
    return tuple(found)
