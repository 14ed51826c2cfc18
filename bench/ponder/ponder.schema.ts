// Tables comparable to ledger/store/models.py (everything but blocks, which Ponder keeps in its
// own sync store, and the FIFO attribution tables, which this baseline does not compute).
import { onchainTable, primaryKey } from "ponder";

export const ledgerHead = onchainTable("ledger_head", (t) => ({
  id: t.integer().primaryKey(),
  seq: t.bigint().notNull(),
  head: t.hex().notNull(),
}));

export const rawEvents = onchainTable("raw_events", (t) => ({
  id: t.text().primaryKey(), // chain id : tx hash : log index
  blockNumber: t.bigint().notNull(),
  seq: t.bigint().notNull(),
  head: t.hex().notNull(),
  emitter: t.hex().notNull(),
  name: t.text().notNull(),
  args: t.text().notNull(),
}));

export const organisations = onchainTable("organisations", (t) => ({
  orgId: t.hex().primaryKey(),
  kind: t.integer().notNull(),
  name: t.text().notNull(),
  seq: t.bigint().notNull(),
}));

export const sites = onchainTable("sites", (t) => ({
  siteId: t.hex().primaryKey(),
  orgId: t.hex().notNull(),
  kind: t.integer().notNull(),
  region: t.hex().notNull(),
  name: t.text().notNull(),
  seq: t.bigint().notNull(),
}));

export const items = onchainTable("items", (t) => ({
  itemId: t.hex().primaryKey(),
  category: t.hex().notNull(),
  unit: t.text().notNull(),
  name: t.text().notNull(),
  seq: t.bigint().notNull(),
}));

export const gifts = onchainTable("gifts", (t) => ({
  giftId: t.hex().primaryKey(),
  kind: t.text().notNull(),
  poolId: t.hex(),
  currency: t.hex(),
  amount: t.bigint().notNull(),
  earmarkKind: t.integer().notNull(),
  earmark: t.hex(),
  evidenceHash: t.hex().notNull(),
  donorCommitment: t.hex().notNull(),
  pledgeId: t.hex(),
  publicName: t.text().notNull(),
  lotId: t.hex(),
  blockNumber: t.bigint().notNull(),
  txHash: t.hex().notNull(),
  actor: t.hex().notNull(),
  seq: t.bigint().notNull(),
}));

export const pledges = onchainTable("pledges", (t) => ({
  pledgeId: t.hex().primaryKey(),
  currency: t.hex().notNull(),
  amount: t.bigint().notNull(),
  paid: t.bigint().notNull(),
  earmarkKind: t.integer().notNull(),
  earmark: t.hex().notNull(),
  donorCommitment: t.hex().notNull(),
  dueDate: t.bigint().notNull(),
  seq: t.bigint().notNull(),
}));

export const pools = onchainTable("pools", (t) => ({
  poolId: t.hex().primaryKey(),
  currency: t.hex().notNull(),
  earmarkKind: t.integer().notNull(),
  earmark: t.hex().notNull(),
  received: t.bigint().notNull(),
  allocated: t.bigint().notNull(),
}));

export const allocations = onchainTable("allocations", (t) => ({
  allocationId: t.hex().primaryKey(),
  poolId: t.hex().notNull(),
  amount: t.bigint().notNull(),
  spent: t.bigint().notNull(),
  released: t.bigint().notNull(),
  needId: t.hex().notNull(),
  purpose: t.hex().notNull(),
  actor: t.hex().notNull(),
  seq: t.bigint().notNull(),
}));

export const purchases = onchainTable("purchases", (t) => ({
  purchaseId: t.hex().primaryKey(),
  allocationId: t.hex().notNull(),
  lotId: t.hex().notNull(),
  supplierId: t.hex().notNull(),
  amount: t.bigint().notNull(),
  invoiceHash: t.hex().notNull(),
  actor: t.hex().notNull(),
  seq: t.bigint().notNull(),
}));

export const lots = onchainTable("lots", (t) => ({
  lotId: t.hex().primaryKey(),
  itemId: t.hex().notNull(),
  siteId: t.hex().notNull(),
  created: t.bigint().notNull(),
  onHand: t.bigint().notNull(),
  shipped: t.bigint().notNull(),
  handedOver: t.bigint().notNull(),
  adjustedOut: t.bigint().notNull(),
  batch: t.hex().notNull(),
  expiry: t.bigint().notNull(),
  origin: t.integer().notNull(),
  originId: t.hex().notNull(),
  parentLotId: t.hex(),
  seq: t.bigint().notNull(),
}));

export const shipments = onchainTable("shipments", (t) => ({
  shipmentId: t.hex().primaryKey(),
  fromSite: t.hex().notNull(),
  toSite: t.hex().notNull(),
  lineCount: t.integer().notNull(),
  openLines: t.integer().notNull(),
  completed: t.boolean().notNull(),
  actor: t.hex().notNull(),
  seq: t.bigint().notNull(),
}));

export const shipmentLines = onchainTable(
  "shipment_lines",
  (t) => ({
    shipmentId: t.hex().notNull(),
    lineIndex: t.integer().notNull(),
    lotId: t.hex().notNull(),
    quantity: t.bigint().notNull(),
    received: t.bigint().notNull(),
    declared: t.bigint().notNull(),
    reason: t.integer().notNull(),
    receiptLotId: t.hex(),
    settled: t.boolean().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.shipmentId, table.lineIndex] }) }),
);

export const needs = onchainTable("needs", (t) => ({
  needId: t.hex().primaryKey(),
  siteId: t.hex().notNull(),
  itemId: t.hex().notNull(),
  quantity: t.bigint().notNull(),
  fulfilled: t.bigint().notNull(),
  priority: t.integer().notNull(),
  deadline: t.bigint().notNull(),
  open: t.boolean().notNull(),
  seq: t.bigint().notNull(),
}));

export const handOvers = onchainTable("hand_overs", (t) => ({
  handOverId: t.hex().primaryKey(),
  lotId: t.hex().notNull(),
  needId: t.hex().notNull(),
  quantity: t.bigint().notNull(),
  beneficiaries: t.integer().notNull(),
  unit: t.integer().notNull(),
  seq: t.bigint().notNull(),
}));

export const adjustments = onchainTable("adjustments", (t) => ({
  adjustmentId: t.hex().primaryKey(),
  lotId: t.hex().notNull(),
  delta: t.bigint().notNull(),
  reason: t.integer().notNull(),
  actor: t.hex().notNull(),
  seq: t.bigint().notNull(),
}));
