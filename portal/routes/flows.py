"""/flows and /flows/events: the Sankey's edges as a table (the chart's alternative) and the
ledger events behind one edge."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from ledger.queries.flows import FlowNode, Flows, edge_events, flows
from ledger.queries.models import EventRef, Page, Position, Result
from ledger.queries.pages import DEFAULT_LIMIT
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.listing import blank, csv_link, csv_response, next_link
from portal.state import PortalState

router = APIRouter()


@dataclass(frozen=True)
class FlowsPage:
    """Every edge with its ends by name."""

    flows: Result[Flows]

    @property
    def nodes(self) -> dict[str, FlowNode]:
        """Nodes by id."""
        return {node.node_id: node for node in self.flows.data.nodes}


@dataclass(frozen=True)
class EdgeEventsPage:
    """A page of the events behind one edge."""

    edge: str
    events: Page[EventRef]
    next_url: str | None
    csv_url: str


@router.get("/flows", include_in_schema=False)
def flow_table(
    request: Request, chrome: ChromeDep, state: StateDep, session: SessionDep
) -> Response:
    """The table of flows (the chart on the overview draws the same edges)."""
    page = FlowsPage(cached_flows(state, session, chrome.position))
    return state.renderer.response(request, chrome, "flows.html", page)


def cached_flows(
    state: PortalState,
    session: Session,
    at: Position,
    currency: str | None = None,
    item: str | None = None,
) -> Result[Flows]:
    """The flows at `at`, summed once per mirror head (every edge sums a whole table; the
    overview's chart asks for them on every visit)."""
    return state.cache.get(
        at,
        ("flows", currency, item),
        lambda: flows(session, currency=currency, item=item, at=at),
    )


@router.get("/flows/events", include_in_schema=False)
def flow_events(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    edge: str = "",
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str | None = None,
) -> Response:
    """The events behind `edge` (an edge id from /flows or the chart)."""
    edge_id = blank(edge) or ""

    def read(s: Session, c: str | None, n: int, at: Position) -> Page[EventRef]:
        return edge_events(s, edge_id, cursor=c, limit=n, at=at)

    if format == "csv":
        read(session, None, 1, chrome.position)  # a bad edge is a 400 page, not a CSV
        return csv_response(state, read, "flow-events.csv")
    found = read(session, cursor, limit, chrome.position)
    page = EdgeEventsPage(edge_id, found, next_link(request, found.next), csv_link(request))
    return state.renderer.response(request, chrome, "flow_events.html", page)
