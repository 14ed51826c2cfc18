// One handler per AidLedger event: check the hash chain, keep the raw event, derive rows.
import { ponder } from "ponder:registry";
import {
  adjustments,
  allocations,
  gifts,
  handOvers,
  items,
  ledgerHead,
  lots,
  needs,
  organisations,
  pledges,
  pools,
  purchases,
  rawEvents,
  shipmentLines,
  shipments,
  sites,
} from "ponder:schema";
import type { Hex } from "viem";

import { ZERO_HEAD, argsJson, nextHead } from "./ledgerChain";

// biome-ignore lint: the handler context is typed by Ponder's generated virtual module.
type Db = any;
type Args = Record<string, any>;
type Event = {
  name: string;
  args: Args;
  log: { address: Hex; logIndex: number; topics: Hex[] };
  block: { number: bigint };
  transaction: { hash: Hex };
};
type Derive = (a: Args, db: Db, e: Event) => Promise<unknown>;

const ZERO32: Hex = ZERO_HEAD;

async function record(e: Event, db: Db, chainId: number): Promise<void> {
  const previous = (await db.find(ledgerHead, { id: 1 })) ?? { seq: 0n, head: ZERO_HEAD };
  const head = nextHead(e.name, e.args, e.log.topics[0]!, e.log.address, previous);
  await db
    .insert(ledgerHead)
    .values({ id: 1, seq: e.args.seq, head })
    .onConflictDoUpdate({ seq: e.args.seq, head });
  await db.insert(rawEvents).values({
    id: `${chainId}:${e.transaction.hash}:${e.log.logIndex}`,
    blockNumber: e.block.number,
    seq: e.args.seq,
    head,
    emitter: e.log.address,
    name: e.name,
    args: argsJson(e.args),
  });
}

function on(contract: string, name: string, derive?: Derive): void {
  ponder.on(`${contract}:${name}` as any, async ({ event, context }: any) => {
    const e = { ...event, name } as Event;
    await record(e, context.db, context.chain.id);
    if (derive) await derive(e.args, context.db, e);
  });
}

// ----------------------------------------------------------------- registry

on("AidRegistry", "LedgersBound");
on("AidRegistry", "RoleChanged");
on("AidRegistry", "PauseChanged");
on("AidRegistry", "AttestationPosted");
on("AidRegistry", "OrganisationRegistered", (a, db) =>
  db.insert(organisations).values({ orgId: a.orgId, kind: a.kind, name: a.name, seq: a.seq }),
);
on("AidRegistry", "SiteRegistered", (a, db) =>
  db.insert(sites).values({
    siteId: a.siteId,
    orgId: a.orgId,
    kind: a.kind,
    region: a.region,
    name: a.name,
    seq: a.seq,
  }),
);
on("AidRegistry", "ItemRegistered", (a, db) =>
  db.insert(items).values({
    itemId: a.itemId,
    category: a.category,
    unit: a.unit,
    name: a.name,
    seq: a.seq,
  }),
);

// ----------------------------------------------------------------- money

on("FundLedger", "GiftRecorded", async (a, db, e) => {
  await db.insert(gifts).values({
    giftId: a.giftId,
    kind: "money",
    poolId: a.poolId,
    currency: a.currency,
    amount: a.amount,
    earmarkKind: a.earmarkKind,
    earmark: a.earmark,
    evidenceHash: a.evidenceHash,
    donorCommitment: a.donorCommitment,
    pledgeId: a.pledgeId === ZERO32 ? null : a.pledgeId,
    publicName: a.publicName,
    blockNumber: e.block.number,
    txHash: e.transaction.hash,
    actor: a.actor,
    seq: a.seq,
  });
  await db
    .insert(pools)
    .values({
      poolId: a.poolId,
      currency: a.currency,
      earmarkKind: a.earmarkKind,
      earmark: a.earmark,
      received: a.amount,
      allocated: 0n,
    })
    .onConflictDoUpdate((row: Args) => ({ received: row.received + a.amount }));
  if (a.pledgeId !== ZERO32) {
    await db
      .update(pledges, { pledgeId: a.pledgeId })
      .set((row: Args) => ({ paid: row.paid + a.amount }));
  }
});
on("FundLedger", "PledgeRecorded", (a, db) =>
  db.insert(pledges).values({
    pledgeId: a.pledgeId,
    currency: a.currency,
    amount: a.amount,
    paid: 0n,
    earmarkKind: a.earmarkKind,
    earmark: a.earmark,
    donorCommitment: a.donorCommitment,
    dueDate: a.dueDate,
    seq: a.seq,
  }),
);
on("FundLedger", "FundsAllocated", async (a, db) => {
  await db.insert(allocations).values({
    allocationId: a.allocationId,
    poolId: a.poolId,
    amount: a.amount,
    spent: 0n,
    released: 0n,
    needId: a.needId,
    purpose: a.purpose,
    actor: a.actor,
    seq: a.seq,
  });
  await db
    .update(pools, { poolId: a.poolId })
    .set((row: Args) => ({ allocated: row.allocated + a.amount }));
});
on("FundLedger", "AllocationSpent", (a, db) =>
  db
    .update(allocations, { allocationId: a.allocationId })
    .set((row: Args) => ({ spent: row.spent + a.amount })),
);
on("FundLedger", "AllocationReleased", async (a, db) => {
  await db
    .update(allocations, { allocationId: a.allocationId })
    .set((row: Args) => ({ released: row.released + a.amount }));
  await db
    .update(pools, { poolId: a.poolId })
    .set((row: Args) => ({ allocated: row.allocated - a.amount }));
});

// ----------------------------------------------------------------- goods

on("SupplyLedger", "LotCreated", (a, db) =>
  db.insert(lots).values({
    lotId: a.lotId,
    itemId: a.itemId,
    siteId: a.siteId,
    created: a.quantity,
    onHand: a.quantity,
    shipped: 0n,
    handedOver: 0n,
    adjustedOut: 0n,
    batch: a.batch,
    expiry: a.expiry,
    origin: a.origin,
    originId: a.originId,
    parentLotId: a.parentLotId === ZERO32 ? null : a.parentLotId,
    seq: a.seq,
  }),
);
on("SupplyLedger", "InKindGiftRecorded", (a, db, e) =>
  db.insert(gifts).values({
    giftId: a.giftId,
    kind: "in_kind",
    amount: 0n,
    earmarkKind: 0,
    evidenceHash: a.evidenceHash,
    donorCommitment: a.donorCommitment,
    publicName: a.publicName,
    lotId: a.lotId,
    blockNumber: e.block.number,
    txHash: e.transaction.hash,
    actor: a.actor,
    seq: a.seq,
  }),
);
on("SupplyLedger", "PurchaseRecorded", (a, db) =>
  db.insert(purchases).values({
    purchaseId: a.purchaseId,
    allocationId: a.allocationId,
    lotId: a.lotId,
    supplierId: a.supplierId,
    amount: a.amount,
    invoiceHash: a.invoiceHash,
    actor: a.actor,
    seq: a.seq,
  }),
);
on("SupplyLedger", "NeedPosted", (a, db) =>
  db.insert(needs).values({
    needId: a.needId,
    siteId: a.siteId,
    itemId: a.itemId,
    quantity: a.quantity,
    fulfilled: 0n,
    priority: a.priority,
    deadline: a.deadline,
    open: true,
    seq: a.seq,
  }),
);
on("SupplyLedger", "NeedClosed", (a, db) =>
  db.update(needs, { needId: a.needId }).set({ open: false, fulfilled: a.fulfilled }),
);
on("SupplyLedger", "ShipmentDispatched", (a, db) =>
  db.insert(shipments).values({
    shipmentId: a.shipmentId,
    fromSite: a.fromSite,
    toSite: a.toSite,
    lineCount: a.lineCount,
    openLines: a.lineCount,
    completed: false,
    actor: a.actor,
    seq: a.seq,
  }),
);
on("SupplyLedger", "ShipmentLineDispatched", async (a, db) => {
  await db.insert(shipmentLines).values({
    shipmentId: a.shipmentId,
    lineIndex: a.lineIndex,
    lotId: a.lotId,
    quantity: a.quantity,
    received: 0n,
    declared: 0n,
    reason: 0,
    settled: false,
  });
  await db
    .update(lots, { lotId: a.lotId })
    .set((row: Args) => ({ onHand: row.onHand - a.quantity, shipped: row.shipped + a.quantity }));
});
on("SupplyLedger", "ShipmentLineReceived", async (a, db) => {
  await db.update(shipmentLines, { shipmentId: a.shipmentId, lineIndex: a.lineIndex }).set({
    received: a.received,
    declared: a.declared,
    reason: a.reason,
    receiptLotId: a.lotId === ZERO32 ? null : a.lotId,
    settled: true,
  });
  await db
    .update(shipments, { shipmentId: a.shipmentId })
    .set((row: Args) => ({ openLines: row.openLines - 1 }));
});
on("SupplyLedger", "ShipmentCompleted", (a, db) =>
  db.update(shipments, { shipmentId: a.shipmentId }).set({ completed: true }),
);
on("SupplyLedger", "HandedOver", async (a, db) => {
  await db.insert(handOvers).values({
    handOverId: a.handOverId,
    lotId: a.lotId,
    needId: a.needId,
    quantity: a.quantity,
    beneficiaries: a.beneficiaries,
    unit: a.unit,
    seq: a.seq,
  });
  await db.update(lots, { lotId: a.lotId }).set((row: Args) => ({
    onHand: row.onHand - a.quantity,
    handedOver: row.handedOver + a.quantity,
  }));
  await db
    .update(needs, { needId: a.needId })
    .set((row: Args) => ({ fulfilled: row.fulfilled + a.quantity }));
});
on("SupplyLedger", "LotAdjusted", async (a, db) => {
  await db.insert(adjustments).values({
    adjustmentId: a.adjustmentId,
    lotId: a.lotId,
    delta: a.delta,
    reason: a.reason,
    actor: a.actor,
    seq: a.seq,
  });
  const out = a.delta < 0n ? -a.delta : 0n;
  await db.update(lots, { lotId: a.lotId }).set((row: Args) => ({
    onHand: row.onHand + a.delta,
    adjustedOut: row.adjustedOut + out,
  }));
});
