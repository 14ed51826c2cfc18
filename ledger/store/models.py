"""SQLModel tables of the mirror. Everything here is derived from chain events by the indexer.

Ids and hashes are 0x-prefixed lower-case hex strings; a zero bytes32 (no pledge, no need, no
parent lot, ...) is NULL. Amounts and quantities are integers (minor units / item units). Every
entity row remembers the `seq` of the event that created it. Keys follow the chain's namespaces:
money and in-kind gifts are two, so a gift is keyed by (kind, gift_id). Formats and the
attribution rule: docs/indexer.md, docs/attribution.md.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Index, String, text
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString


def _big(primary_key: bool = False, default: int | None = 0) -> Any:
    """A 64-bit integer column (amounts, quantities, block numbers, seq)."""
    return Field(
        default=default, sa_column=Column(BigInteger, primary_key=primary_key, nullable=False)
    )


class IndexerState(SQLModel, table=True):
    """The checkpoint: the last block applied and the ledger head after it.

    `unjournaled_through` is the newest block applied without a journal (it was final then):
    a reorg can roll back only to blocks at or after it.
    """

    __tablename__ = "indexer_state"
    id: int = Field(default=1, primary_key=True)
    chain_id: int = _big()
    registry_address: str
    fund_address: str
    supply_address: str
    deployment_block: int = _big()
    last_block: int = _big()
    last_block_hash: str
    seq: int = _big()
    head: str
    unjournaled_through: int = _big()


class Block(SQLModel, table=True):
    """Blocks that carried our events and checkpoint blocks, with the (seq, head) after them."""

    __tablename__ = "blocks"
    number: int = _big(primary_key=True, default=None)
    hash: str
    parent_hash: str
    timestamp: int = _big()
    seq: int = _big()
    head: str


class RawEvent(SQLModel, table=True):
    """Every decoded event, unique on (chain id, tx hash, log index)."""

    __tablename__ = "raw_events"
    chain_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    tx_hash: str = Field(primary_key=True)
    log_index: int = Field(primary_key=True)
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    seq: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    head: str
    emitter: str
    name: str = Field(index=True)
    args: str
    # The journal columns (ledger/indexer/journal_values.py); NULL on rows indexed before 0005.
    actor: str | None = None
    subject: str | None = None
    currency: str | None = None
    amount: str | None = None
    item: str | None = None
    quantity: str | None = None
    site: str | None = None
    to_site: str | None = None


class Organisation(SQLModel, table=True):
    """A registered organisation."""

    __tablename__ = "organisations"
    org_id: str = Field(primary_key=True)
    kind: int
    name: str
    seq: int = _big()


class Site(SQLModel, table=True):
    """A warehouse or recipient site."""

    __tablename__ = "sites"
    site_id: str = Field(primary_key=True)
    org_id: str = Field(index=True)
    kind: int
    region: str
    name: str
    seq: int = _big()


class Item(SQLModel, table=True):
    """A catalogue item."""

    __tablename__ = "items"
    item_id: str = Field(primary_key=True)
    category: str
    unit: str
    name: str
    seq: int = _big()


class RoleMember(SQLModel, table=True):
    """Who holds which role now."""

    __tablename__ = "role_members"
    role: str = Field(primary_key=True)
    account: str = Field(primary_key=True)
    granted: bool
    seq: int = _big()


class Gift(SQLModel, table=True):
    """A money gift (kind 'money') or an in-kind gift (kind 'in_kind', with its lot)."""

    __tablename__ = "gifts"
    kind: str = Field(primary_key=True)  # 'money' (FundLedger) or 'in_kind' (SupplyLedger)
    gift_id: str = Field(primary_key=True)
    pool_id: str | None = None
    currency: str | None = None
    amount: int = _big()
    unallocated: int = _big()
    earmark_kind: int = 0
    earmark: str | None = None
    evidence_hash: str | None = None
    donor_commitment: str | None = Field(default=None, index=True)
    pledge_id: str | None = None
    public_name: str = ""
    lot_id: str | None = None
    block_number: int = _big()
    tx_hash: str
    actor: str
    seq: int = _big()


class Pledge(SQLModel, table=True):
    """A pledge and how much of it was paid."""

    __tablename__ = "pledges"
    pledge_id: str = Field(primary_key=True)
    currency: str
    amount: int = _big()
    paid: int = _big()
    earmark_kind: int
    earmark: str | None = None
    donor_commitment: str | None = None
    due_date: int = _big()
    seq: int = _big()


class Pool(SQLModel, table=True):
    """Money of one currency and earmark: received = allocated + available."""

    __tablename__ = "pools"
    pool_id: str = Field(primary_key=True)
    currency: str
    earmark_kind: int
    earmark: str | None = None
    received: int = _big()
    allocated: int = _big()


class Allocation(SQLModel, table=True):
    """Money allocated out of a pool; spent by purchases or released back."""

    __tablename__ = "allocations"
    allocation_id: str = Field(primary_key=True)
    pool_id: str = Field(index=True)
    amount: int = _big()
    spent: int = _big()
    released: int = _big()
    need_id: str | None = None
    purpose: str | None = None
    actor: str
    seq: int = _big()


class Purchase(SQLModel, table=True):
    """Goods bought with allocated money."""

    __tablename__ = "purchases"
    purchase_id: str = Field(primary_key=True)
    allocation_id: str = Field(index=True)
    lot_id: str
    supplier_id: str
    amount: int = _big()
    invoice_hash: str | None = None
    actor: str
    seq: int = _big()


class Lot(SQLModel, table=True):
    """A lot: created = shipped + on_hand + handed_over + adjusted_out."""

    __tablename__ = "lots"
    lot_id: str = Field(primary_key=True)
    item_id: str = Field(index=True)
    site_id: str = Field(index=True)
    created: int = _big()
    on_hand: int = _big()
    shipped: int = _big()
    handed_over: int = _big()
    adjusted_out: int = _big()
    batch: str | None = None
    expiry: int = _big()
    origin: int
    origin_id: str
    parent_lot_id: str | None = None
    seq: int = _big()


class Shipment(SQLModel, table=True):
    """A shipment between sites."""

    __tablename__ = "shipments"
    shipment_id: str = Field(primary_key=True)
    from_site: str = Field(index=True)
    to_site: str = Field(index=True)
    line_count: int
    open_lines: int
    completed: bool = False
    actor: str
    seq: int = _big()


class ShipmentLine(SQLModel, table=True):
    """One line of a shipment: dispatched = received + declared once settled."""

    __tablename__ = "shipment_lines"
    shipment_id: str = Field(primary_key=True)
    line_index: int = Field(primary_key=True)
    lot_id: str
    quantity: int = _big()
    received: int = _big()
    declared: int = _big()
    reason: int = 0
    receipt_lot_id: str | None = None
    settled: bool = False


class Need(SQLModel, table=True):
    """A recipient site's need and its fulfilment by hand-overs."""

    __tablename__ = "needs"
    need_id: str = Field(primary_key=True)
    site_id: str = Field(index=True)
    item_id: str
    quantity: int = _big()
    fulfilled: int = _big()
    priority: int
    deadline: int = _big()
    open: bool = True
    seq: int = _big()


class HandOver(SQLModel, table=True):
    """Units handed to beneficiaries (counts only)."""

    __tablename__ = "hand_overs"
    hand_over_id: str = Field(primary_key=True)
    lot_id: str = Field(index=True)
    need_id: str
    quantity: int = _big()
    beneficiaries: int
    unit: int
    actor: str
    seq: int = _big()


class Adjustment(SQLModel, table=True):
    """A lot changed in place."""

    __tablename__ = "adjustments"
    adjustment_id: str = Field(primary_key=True)
    lot_id: str = Field(index=True)
    delta: int = _big()
    reason: int
    actor: str
    seq: int = _big()


class Attestation(SQLModel, table=True):
    """An auditor's attestation."""

    __tablename__ = "attestations"
    attestation_id: str = Field(primary_key=True)
    report_hash: str | None = None
    from_block: int = _big()
    to_block: int = _big()
    covered_seq: int = _big()
    covered_head: str
    actor: str
    seq: int = _big()


class GiftAllocation(SQLModel, table=True):
    """Attribution: how much of an allocation came from a gift (FIFO in the pool)."""

    __tablename__ = "gift_allocations"
    allocation_id: str = Field(primary_key=True)
    gift_kind: str = Field(primary_key=True)
    gift_id: str = Field(primary_key=True)
    gift_seq: int = _big()
    amount: int = _big()
    unspent: int = _big()


class GiftPurchase(SQLModel, table=True):
    """Attribution: how much of a purchase was paid by a gift (FIFO in the allocation)."""

    __tablename__ = "gift_purchases"
    purchase_id: str = Field(primary_key=True)
    gift_kind: str = Field(primary_key=True)
    gift_id: str = Field(primary_key=True)
    gift_seq: int = _big()
    amount: int = _big()


class LotSource(SQLModel, table=True):
    """Attribution: units of a lot that trace back to a gift; `remaining` still in the lot.

    Units no gift accounts for are keyed (gift_kind 'unattributed', gift_id '0x', gift_seq 0)
    here and in `flow_sources` (docs/attribution.md)."""

    __tablename__ = "lot_sources"
    lot_id: str = Field(primary_key=True)
    gift_kind: str = Field(primary_key=True)
    gift_id: str = Field(primary_key=True)
    gift_seq: int = _big()
    quantity: int = _big()
    remaining: int = _big()


class FlowSource(SQLModel, table=True):
    """Attribution of an outflow (shipment line, hand-over, adjustment) to gifts."""

    __tablename__ = "flow_sources"
    flow_kind: str = Field(primary_key=True)
    flow_id: str = Field(primary_key=True)
    gift_kind: str = Field(primary_key=True)
    gift_id: str = Field(primary_key=True)
    gift_seq: int = _big()  # the gift's seq (0 for unattributed units): the order parts are taken
    quantity: int = _big()


class Verification(SQLModel, table=True):
    """The result of an `aidledger verify` run, for the portal to show."""

    __tablename__ = "verifications"
    id: int | None = Field(default=None, primary_key=True)
    checked_block: int = _big()
    checked_seq: int = _big()
    differences: int
    report: str
    finished_at: int = _big()


class Journal(SQLModel, table=True):
    """Row images before changes made by unfinalised blocks, for rolling back a reorg."""

    __tablename__ = "journal"
    id: int | None = Field(default=None, primary_key=True)
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    table_name: str
    pk: str
    before: str | None = None


_UNALLOCATED = text("unallocated > 0")
# The first-in, first-out queue of each pool: its gifts with money left, in seq order.
Index(
    "ix_gifts_pool_queue",
    Gift.__table__.c.pool_id,  # type: ignore[attr-defined]
    Gift.__table__.c.seq,  # type: ignore[attr-defined]
    sqlite_where=_UNALLOCATED,
    postgresql_where=_UNALLOCATED,
)

# The read layer's indexes (migration 0004): keyset pages by (seq, id), stock and expiry alerts,
# and a gift's attribution rows (their keys start with another column).
_ON_HAND = text("on_hand > 0")
for _name, (_model, _columns, _where) in {
    "ix_gifts_page": (Gift, ["seq", "gift_id"], None),
    "ix_gifts_pledge": (Gift, ["pledge_id"], None),
    "ix_pledges_page": (Pledge, ["seq", "pledge_id"], None),
    "ix_shipments_page": (Shipment, ["seq", "shipment_id"], None),
    "ix_needs_page": (Need, ["seq", "need_id"], None),
    "ix_lots_in_stock": (Lot, ["seq", "lot_id"], _ON_HAND),
    "ix_lots_expiry": (Lot, ["expiry"], _ON_HAND),
    "ix_sites_name": (Site, ["name", "site_id"], None),
    "ix_blocks_timestamp": (Block, ["timestamp"], None),
    "ix_gift_allocations_gift": (GiftAllocation, ["gift_kind", "gift_id"], None),
    "ix_gift_purchases_gift": (GiftPurchase, ["gift_kind", "gift_id"], None),
    "ix_lot_sources_gift": (LotSource, ["gift_kind", "gift_id"], None),
    "ix_flow_sources_gift": (FlowSource, ["gift_kind", "gift_id"], None),
}.items():
    _table = _model.__table__  # type: ignore[attr-defined]
    Index(
        _name,
        *(_table.c[c] for c in _columns),
        sqlite_where=_where,
        postgresql_where=_where,
    )

# Events indexed before migration 0005 have no journal columns: a report finds them at once.
_UNJOURNALED = text("actor IS NULL")
Index(
    "ix_raw_events_unjournaled",
    RawEvent.__table__.c.seq,  # type: ignore[attr-defined]
    sqlite_where=_UNJOURNALED,
    postgresql_where=_UNJOURNALED,
)

# Text on PostgreSQL compares byte by byte (collation "C"), as on SQLite: ids and hashes are hex,
# and a locale's collation made every index insert on them markedly slower (migration 0002).
_TEXT = String().with_variant(String(collation="C"), "postgresql")
for _table in SQLModel.metadata.tables.values():
    for _column in _table.columns:
        if isinstance(_column.type, AutoString | String):
            _column.type = _TEXT
