"""One handler per `Contract:Event`: a decoded event in, row changes out (via the batch Unit).

Handlers never read the chain, only the event and rows that earlier events made, so replaying the
same events gives the same rows. They live by domain (`registry`, `money`, `goods`), each
registered with `@on("Contract:Event", reads=...)` (`base.py`). A zero bytes32 argument that
names nothing (no pledge, no need, no earmark, ...) is stored as NULL (`opt`); ledger heads are
kept as they are (docs/indexer.md, "Column formats").
"""

from __future__ import annotations

from ledger.indexer.handlers import goods, money, registry
from ledger.indexer.handlers.base import HANDLERS, READS, REGISTERED, ZERO_ID, Context

__all__ = ["HANDLERS", "READS", "REGISTERED", "ZERO_ID", "Context", "goods", "money", "registry"]
