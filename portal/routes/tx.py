"""/tx/{hash}: what one transaction did, in domain words, with its arguments as on chain."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from ledger.queries.tx import transaction
from portal.deps import ChromeDep, SessionDep, StateDep

router = APIRouter()
HEX = set("0123456789abcdef")


def is_tx_hash(text: str) -> bool:
    """Whether `text` looks like a transaction hash (0x and 64 hex digits)."""
    return len(text) == 66 and text.startswith("0x") and set(text[2:].lower()) <= HEX


@router.get("/tx/{tx_hash}", include_in_schema=False)
def tx(
    tx_hash: str, request: Request, chrome: ChromeDep, state: StateDep, session: SessionDep
) -> Response:
    """The page; 404 for a malformed hash or one the mirror holds no ledger event of."""
    if not is_tx_hash(tx_hash):
        raise HTTPException(404)
    found = transaction(session, tx_hash, at=chrome.position)
    if found is None:
        raise HTTPException(404)
    return state.renderer.response(request, chrome, "tx.html", found)
