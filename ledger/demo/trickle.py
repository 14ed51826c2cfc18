"""While the demo runs: a small gift every few seconds, and now and then a shipment from a
warehouse to a recipient site of its district, received on the next tick, so the overview
moves. Each is a new real write by the staff member whose job it is."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from eth_utils import keccak

from ledger.chain.ids import currency_code
from ledger.chain.types import DispatchLine, ReceiptLine, SiteKind
from ledger.demo.rounds import stragglers
from ledger.demo.seeder import Seeder
from ledger.queries.stock import warehouse_stock
from ledger.write.commands import DispatchShipment, ReceiveShipment, RecordGift
from ledger.write.receipts import ReceiptCode


@dataclass
class Trickle:
    """One tick at a time: `tick()` writes a gift, every `ship_every` ticks a shipment."""

    seeder: Seeder
    ship_every: int = 3
    rng: random.Random = field(default_factory=random.Random)
    ticks: int = 0
    stamp: int = field(default_factory=lambda: int(time.time()))
    pending: list[DispatchShipment] = field(default_factory=list)

    def source(self, what: str) -> str:
        """A new source record for this run's `what` (a restart starts new ones)."""
        return self.seeder.source(f"trickle:{self.stamp}:{self.ticks}:{what}")

    def tick(self) -> None:
        """One gift; receive what the last tick shipped; maybe ship something."""
        if self.ticks == 0:  # what an earlier run shipped and did not see arrive
            self.seeder.submit_all(stragglers(self.seeder))
        self.ticks += 1
        self.gift()
        self.receive()
        if self.ticks % self.ship_every == 0:
            self.ship()

    def gift(self) -> None:
        """A small CNY gift without earmark, from a donor whose code nobody keeps."""
        code = ReceiptCode(keccak(text=self.source("code"))[:20])
        amount = self.rng.choice((20, 50, 100, 200, 500)) * 100
        command = RecordGift(
            self.source("gift"),
            currency_code("CNY"),
            amount,
            code.commitment,
            keccak(text=self.source("evidence")),
        )
        self.seeder.submit(self.seeder.role_key("intake", self.ticks), command)

    def ship(self) -> None:
        """A few units of a fresh warehouse lot to a recipient site of the same district (the
        lots as the mirror, kept by the following indexer, shows them)."""
        now = self.seeder.head_time()
        with self.seeder.session() as session:
            lots = [
                lot
                for lot in warehouse_stock(session)
                if lot.on_hand >= 10 and (lot.expiry == 0 or lot.expiry > now + 86_400)
            ]
        if not lots:
            return
        lot = self.rng.choice(lots)
        plan = self.seeder.plan
        sites = [s for s in plan.sites if s.kind is SiteKind.RECIPIENT and s.region == lot.region]
        target = self.rng.choice(sites or [s for s in plan.sites if s.kind is SiteKind.RECIPIENT])
        quantity = self.rng.randint(1, max(1, lot.on_hand // 20))
        command = DispatchShipment(
            self.source("shipment"),
            bytes.fromhex(lot.site_id[2:]),
            self.seeder.site_id(target.key),
            (DispatchLine(bytes.fromhex(lot.lot_id[2:]), quantity),),
        )
        self.seeder.submit(self.seeder.signer_of_site(lot.site_id), command)
        self.pending.append(command)

    def receive(self) -> None:
        """Receive in full what was shipped on an earlier tick."""
        for shipment in self.pending:
            officer = self.seeder.signer_of_site("0x" + shipment.to_site.hex())
            line = ReceiptLine(0, shipment.lines[0].quantity)
            self.seeder.submit(
                officer, ReceiveShipment(shipment.source, shipment.record_id, (line,))
            )
        self.pending.clear()
