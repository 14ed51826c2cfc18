"""Fetch and prepare batches ahead of the writer: in a thread, or in a worker process so that
fetching, decoding and hash-chain checks use the second core while SQL writes use the first."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from ledger.chain.rpc import Rpc, RpcError
from ledger.chain.views import ledger_head_at
from ledger.errors import AidLedgerConnectionError, AidLedgerError
from ledger.indexer.fetch import LogFetcher, ReorgDuringFetchError
from ledger.indexer.prepare import Prepared, prepare


class IncompleteLogsError(AidLedgerConnectionError):
    """The node's logs and its contract state disagree: it serves logs it has not got yet."""


class WorkerError(AidLedgerError):
    """An error of the worker process that could not cross to the indexer as itself."""


class WorkerTracebackError(Exception):
    """The worker's traceback, attached as the `__cause__` of the error it raised."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text}"""'


@dataclass(frozen=True)
class _Failure:
    """An exception of the worker, pickled with its traceback as text."""

    pickled: bytes | None
    name: str
    message: str
    traceback: str

    @classmethod
    def of(cls, exc: BaseException) -> _Failure:
        text = "".join(traceback.format_exception(exc))
        pickled: bytes | None = None
        try:
            pickled = pickle.dumps(exc)
            pickle.loads(pickled)  # our own bytes, checked to come back
        except Exception:  # an exception whose arguments do not pickle: sent as text
            pickled = None
        return cls(pickled, type(exc).__qualname__, str(exc), text)

    def exception(self) -> BaseException:
        """The worker's exception, its type kept, with the worker's traceback as cause."""
        if self.pickled is not None:
            exc: BaseException = pickle.loads(self.pickled)
        else:
            exc = WorkerError(f"{self.name}: {self.message}")
        exc.__cause__ = WorkerTracebackError(self.traceback)
        return exc


@dataclass(frozen=True)
class Plan:
    """What to fetch: the node, our addresses, the block range, and where the mirror stands
    (sequence, head and the hash of the checkpoint block the first batch must build on)."""

    rpc_url: str
    addresses: Sequence[str]
    first: int
    limit: int
    chain_id: int
    seq: int
    head: bytes
    parent_hash: str
    initial_span: int
    max_span: int
    rpc_timeout: float = 30.0
    rpc_retries: int = 8
    rpc_backoff: float = 0.2
    rpc_max_backoff: float = 10.0

    def rpc(self) -> Rpc:
        """A client like the caller's, for the worker process."""
        return Rpc(
            self.rpc_url,
            timeout=self.rpc_timeout,
            retries=self.rpc_retries,
            backoff=self.rpc_backoff,
            max_backoff=self.rpc_max_backoff,
        )


_STALE_RETRIES = 5
_PR_SET_PDEATHSIG = 1


def _complete(rpc: Rpc, registry: str, batch: Prepared) -> bool:
    """Whether the registry's ledgerHead() at the batch's last block equals where the batch ends.

    A node behind the head (or a load balancer mixing nodes) may answer eth_getLogs with
    nothing for blocks it has not seen; the hash chain cannot notice a missing tail, this can.
    """
    try:
        on_chain = ledger_head_at(rpc, registry, batch.last)
    except RpcError:  # no state that old on a pruning node: only the hash chain can vouch
        return True
    return on_chain == (batch.seq, batch.head)


def _batches(plan: Plan, rpc: Rpc) -> Iterator[Prepared]:
    fetcher = LogFetcher(
        rpc, plan.addresses, initial_span=plan.initial_span, max_span=plan.max_span
    )
    first, seq, head, parent = plan.first, plan.seq, plan.head, plan.parent_hash
    stale = 0
    while first <= plan.limit:
        batch = fetcher.fetch(first, plan.limit)
        if batch.headers[first - 1].hash != parent:
            # Checked before the hash chain: events after a reorg follow another history.
            raise ReorgDuringFetchError(f"block {first - 1} changed; the chain reorganised")
        prepared = prepare(batch, plan.chain_id, seq, head)
        if not _complete(rpc, plan.addresses[0], prepared):
            stale += 1
            if stale > _STALE_RETRIES:
                raise IncompleteLogsError(
                    f"the node's logs for blocks {first}..{batch.last} stop at seq {prepared.seq}, "
                    "but its own contract state says more events exist there; the node is behind "
                    "or prunes logs: use another node"
                )
            rpc.sleep(min(rpc.max_backoff, rpc.backoff * 2**stale))
            continue
        stale = 0
        first, seq, head = prepared.last + 1, prepared.seq, prepared.head
        parent = batch.headers[batch.last].hash
        yield prepared


def threaded(plan: Plan, rpc: Rpc) -> Generator[Prepared, None, None]:
    """Prepare the next batch in a thread while the caller applies the current one."""
    source = _batches(plan, rpc)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aidledger-prepare")
    try:
        pending: Future[Prepared | None] = pool.submit(next, source, None)
        while (item := pending.result()) is not None:
            pending = pool.submit(next, source, None)
            yield item
    finally:  # on Ctrl-C or an error, do not wait for a fetch nobody will apply
        pool.shutdown(wait=False, cancel_futures=True)


def _put(out: multiprocessing.Queue[object], item: object) -> bool:
    """Hand `item` to the indexer; False once it has died (kill -9 leaves nobody to read)."""
    parent = multiprocessing.parent_process()
    while True:
        try:
            out.put(item, timeout=0.5)
            return True
        except queue.Full:
            if parent is not None and not parent.is_alive():
                out.cancel_join_thread()  # exit without flushing to a pipe nobody reads
                return False


def _die_with(parent_pid: int) -> None:
    """Have the kernel kill this process when the indexer dies (Linux PR_SET_PDEATHSIG), so a
    kill -9 of the indexer never leaves a worker fetching for nobody."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the indexer died before the line above took effect
        os._exit(0)


def _worker(plan: Plan, out: multiprocessing.Queue[object], parent_pid: int) -> None:
    """Process entry point: stream prepared batches, then None; or the error that stopped it.

    It stops when the indexer dies: by the kernel's parent-death signal where there is one,
    else when it finds the queue full and the indexer gone. Ctrl-C is the indexer's to handle
    (it stops the worker), so the worker ignores SIGINT and never prints a traceback for it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent_pid)
    try:
        for prepared in _batches(plan, plan.rpc()):
            if not _put(out, prepared):
                return
        _put(out, None)
    except Exception as exc:
        _put(out, _Failure.of(exc))


def _start(worker: multiprocessing.process.BaseProcess) -> None:
    """Start `worker` with SIGINT ignored from its first instruction: a Ctrl-C on the terminal
    reaches the whole process group, and Python keeps an inherited "ignore" at start-up."""
    if threading.current_thread() is not threading.main_thread():
        worker.start()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        worker.start()
    finally:
        signal.signal(signal.SIGINT, previous)


def in_process(plan: Plan) -> Generator[Prepared, None, None]:
    """Prepare batches in a worker process (at most two waiting, so memory stays flat)."""
    context = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[object] = context.Queue(maxsize=2)
    worker = context.Process(
        target=_worker, args=(plan, out, os.getpid()), name="aidledger-prepare", daemon=True
    )
    _start(worker)
    try:
        while True:
            try:
                item = out.get(timeout=5)
            except queue.Empty:
                if not worker.is_alive():
                    raise AidLedgerConnectionError(
                        f"the fetch worker died (exit code {worker.exitcode}); "
                        "run the indexer again"
                    ) from None
                continue
            if item is None:
                return
            if isinstance(item, _Failure):
                raise item.exception()
            assert isinstance(item, Prepared)
            yield item
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join(timeout=10)
        out.close()
