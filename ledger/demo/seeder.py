"""The seeding context: the scenario, the write service and mirror, the staff keys, the
journal, and the helpers every phase shares (ids, signers, chain time, indexing)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from sqlalchemy import Engine
from sqlmodel import Session

from ledger.chain.bindings import AidLedger
from ledger.chain.deployment import Deployment
from ledger.chain.ids import ZERO32, region_code
from ledger.chain.rpc import Rpc
from ledger.chain.types import OrgKind
from ledger.demo import scenario as sc
from ledger.demo.commands import RecordInKindGifts
from ledger.demo.files import Journal
from ledger.demo.sender import DemoSender
from ledger.errors import AidLedgerConfigError
from ledger.indexer.sync import SyncOptions, sync
from ledger.write.commands import (
    Command,
    RecordGifts,
    RegisterItem,
    RegisterOrganisation,
    RegisterSite,
)
from ledger.write.receipts import ReceiptCode
from ledger.write.service import WriteService

DAY = 86_400
KEY_WORK_FACTOR = 2**12  # demo keys: their passphrase is printed, so scrypt need not be slow
GAS_MONEY = 100 * 10**18
WORKERS = 8
Progress = Callable[[str], None]


@dataclass
class Tally:
    """What a run wrote: new writes and repeats recognised as already recorded."""

    written: int = 0
    repeated: int = 0


@dataclass
class Seeder:
    """One seeding run: the scenario, where to write, who signs, and what was done."""

    plan: sc.Scenario
    service: WriteService
    rpc: Rpc
    deployment: Deployment
    engine: Engine
    data_dir: Path
    admin: LocalAccount
    progress: Progress = lambda _phase: None
    tally: Tally = field(default_factory=Tally)
    keys: dict[str, LocalAccount] = field(default_factory=dict)
    journal: Journal | None = None
    fast_writes: bool = True
    fast: WriteService = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sites: dict[str, bytes] = field(init=False)
    _operators: dict[str, str] = field(init=False)  # site id (0x hex) -> staff name

    def __post_init__(self) -> None:
        sender = DemoSender(self.ledger.client.w3, self.ledger.client.chain_id)
        sender.nonces = self.service.sender.nonces  # one nonce count per key for both
        self.fast = WriteService(self.ledger, sender)
        self.rpc.session.trust_env = False  # no proxy lookup in the environment per call
        self._sites = {s.key: self.site_command(s).record_id for s in self.plan.sites}
        self._operators = {
            "0x" + self._sites[site].hex(): m.name for m in self.plan.staff for site in m.sites
        }

    @property
    def ledger(self) -> AidLedger:
        """The contracts."""
        return self.service.ledger

    # ------------------------------------------------------------ ids and signers

    def source(self, ref: str) -> str:
        """The source record of a scenario event: seed-scoped, so seeds never collide."""
        return f"demo-{self.plan.seed}:{ref}"

    def site_command(self, site: sc.SitePlan) -> RegisterSite:
        """The RegisterSite of a planned site."""
        return RegisterSite(
            f"demo:site:{site.key}",
            self.org_id(site.org),
            site.kind,
            region_code(site.region),
            site.name,
        )

    def org_id(self, key: str) -> bytes:
        """An organisation's id."""
        return RegisterOrganisation(f"demo:org:{key}", OrgKind.OTHER, key).record_id

    def site_id(self, key: str) -> bytes:
        """A site's id."""
        return self._sites[key]

    def item_id(self, key: str) -> bytes:
        """An item's id."""
        return RegisterItem(f"demo:item:{key}", ZERO32, "", key).record_id

    def code(self, ref: str) -> ReceiptCode:
        """The receipt code of a gift: from the seed, so every run hands out the same one."""
        return ReceiptCode(keccak(text=f"aidledger-demo-code:{self.plan.seed}:{ref}")[:20])

    def signer_of_site(self, site_hex: str) -> LocalAccount:
        """The key of whoever operates the site with id `site_hex`."""
        name = self._operators.get(site_hex)
        if name is None:
            raise AidLedgerConfigError(f"no demo staff member operates site {site_hex}")
        return self.keys[name]

    def role_key(self, role: str, n: int = 0) -> LocalAccount:
        """The n-th staff member with a global role."""
        names = [m.name for m in self.plan.staff if m.role == role]
        return self.keys[names[n % len(names)]]

    def submit(self, signer: LocalAccount, command: Command) -> None:
        """Send through the write service and count what happened (batches, whose gas varies,
        estimated by the node; the rest through the demo's sender)."""
        batch = isinstance(command, (RecordGifts, RecordInKindGifts)) or not self.fast_writes
        outcome = (self.service if batch else self.fast).submit(signer, command)
        with self._lock:
            if outcome.already_recorded:
                self.tally.repeated += 1
            else:
                self.tally.written += 1

    def submit_all(self, writes: Sequence[tuple[LocalAccount, Command]]) -> None:
        """Independent writes at once from `WORKERS` threads, so the node mines while the next
        ones are signed (each key's nonces stay in order: the sender holds a per-key lock from
        taking a nonce to handing the transaction over). The first refusal is raised."""
        if len(writes) < 2:
            for signer, command in writes:
                self.submit(signer, command)
            return
        pool = ThreadPoolExecutor(max_workers=WORKERS)
        try:
            for future in [pool.submit(self.submit, s, c) for s, c in writes]:
                future.result()
        finally:  # on a refusal or Ctrl-C, writes not started yet are dropped
            pool.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------ chain time and the mirror

    def head_time(self) -> int:
        """The latest block's timestamp."""
        return int(self.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def at_day(self, day: float) -> int:
        """Unix time `day` days after the scenario's start."""
        assert self.journal is not None
        return self.journal.start + int(day * DAY)

    def advance_to(self, day: float) -> None:
        """Move the chain's clock to `day` (a no-op once it is there: re-runs stay put)."""
        target = self.at_day(day)
        if self.head_time() < target:
            self.rpc.call("evm_setNextBlockTimestamp", [target])
            self.rpc.call("evm_mine", [])

    def index(self) -> None:
        """Bring the mirror up to the chain head."""
        sync(self.engine, self.rpc, self.deployment, SyncOptions())

    def session(self) -> Session:
        """A session on the mirror."""
        return Session(self.engine)
