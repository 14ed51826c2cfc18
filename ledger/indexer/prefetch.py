"""Load every row a batch will touch with one query per table, before its handlers run.

Without this, each handler's first look at a row made in an earlier batch is a round trip,
which on PostgreSQL costs more than all the batch's writes together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ledger.indexer.handlers import ZERO_ID
from ledger.indexer.prepare import Entry
from ledger.indexer.rows import Unit

# event -> [(table, argument holding a primary key)]
_KEYS: dict[str, list[tuple[str, str]]] = {
    "GiftRecorded": [("pools", "poolId"), ("pledges", "pledgeId")],
    "FundsAllocated": [("pools", "poolId")],
    "AllocationSpent": [("allocations", "allocationId")],
    "AllocationReleased": [("allocations", "allocationId"), ("pools", "poolId")],
    "ShipmentLineDispatched": [("lots", "lotId")],
    "ShipmentLineReceived": [("shipments", "shipmentId")],
    "ShipmentCompleted": [("shipments", "shipmentId")],
    "HandedOver": [("lots", "lotId"), ("needs", "needId")],
    "LotAdjusted": [("lots", "lotId")],
    "NeedClosed": [("needs", "needId")],
}
# event -> [(table, group column, argument holding its value)]
_GROUPS: dict[str, list[tuple[str, str, str]]] = {
    "AllocationSpent": [("gift_allocations", "allocation_id", "allocationId")],
    "AllocationReleased": [("gift_allocations", "allocation_id", "allocationId")],
    "ShipmentLineDispatched": [("lot_sources", "lot_id", "lotId")],
    "ShipmentLineReceived": [("shipment_lines", "shipment_id", "shipmentId")],
    "HandedOver": [("lot_sources", "lot_id", "lotId")],
    "LotAdjusted": [("lot_sources", "lot_id", "lotId")],
}


def prefetch(unit: Unit, events: Sequence[Entry], args: Sequence[dict[str, Any]]) -> None:
    """Preload the rows and row groups that `events` refer to."""
    keys: dict[str, set[Any]] = defaultdict(set)
    groups: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for event, a in zip(events, args, strict=True):
        for table, arg in _KEYS.get(event.name, ()):
            if a[arg] != ZERO_ID:
                keys[table].add(a[arg])
        for table, column, arg in _GROUPS.get(event.name, ()):
            groups[(table, column)].add(a[arg])
        if event.name == "ShipmentLineReceived":
            groups[("flow_sources", "flow_id")].add(f"{a['shipmentId']}:{a['lineIndex']}")
    for table, values in keys.items():
        unit[table].preload(values)
    for (table, column), values in groups.items():
        unit[table].preload_groups(column, values)
