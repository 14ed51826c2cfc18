"""`aidledger demo`: the whole system on one machine with a seeded epidemic response.

`aidledger demo` starts a devnet (unless a node already answers at the RPC URL), deploys,
seeds the scenario once (`ledger.demo`; a re-run reuses it), follows the chain with the
indexer, serves the portal on 127.0.0.1:8000 (or the next free port, said so), prints where to
look, three receipt codes and the staff logins, and keeps a small trickle of gifts and
shipments going. Ctrl-C stops what it started; the next run resumes. `aidledger demo seed`
seeds only, on a node that is running.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO
from urllib.parse import urlsplit

import typer

from ledger.config import Settings, check_rpc_url, load_settings
from ledger.errors import AidLedgerConfigError, AidLedgerError

if TYPE_CHECKING:
    from ledger.demo.seeder import Seeder

demo_app = typer.Typer(
    name="demo",
    help="Run the whole system on this machine with a seeded epidemic response.",
    invoke_without_command=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)

SeedOpt = Annotated[int, typer.Option("--seed", help="Scenario seed: same seed, same demo.")]
SizeOpt = Annotated[
    float,
    typer.Option(
        "--size", min=0.001, max=4.0, help="Scenario size (1 = 5,000 gifts, about 800 shipments)."
    ),
]
PortOpt = Annotated[int, typer.Option("--port", help="Portal port (the next free one if taken).")]
TrickleOpt = Annotated[
    float,
    typer.Option("--trickle", min=0.0, help="Seconds between trickled gifts; 0 for none."),
]
PORT_TRIES = 20


# ---------------------------------------------------------------- commands


@demo_app.callback()
def demo(
    ctx: typer.Context,
    seed: SeedOpt = 2020,
    size: SizeOpt = 1.0,
    port: PortOpt = 8000,
    trickle: TrickleOpt = 8.0,
) -> None:
    """Start the devnet, deploy, seed once, index, serve the portal; Ctrl-C stops it all."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings()
    with _children() as children, _term_as_interrupt():
        try:
            url = _node(settings, children)
            settings = _with_rpc(settings, url)
            seeder = _seed(settings, seed, size)
            if _indexer_busy(settings):
                typer.secho(
                    "an indexer is already following this mirror (left running by an earlier "
                    "demo?): using it",
                    err=True,
                    fg="yellow",
                )
            else:
                children.start("indexer", _indexer_args(), settings, _log(settings, "indexer"))
            portal = _portal(settings, port, children)
            _announce(settings, url, portal)
            _run(seeder, children, trickle)
        except KeyboardInterrupt:
            typer.echo("\nstopping …", err=True)
    typer.echo("stopped; `make demo` (or `aidledger demo`) resumes where it was", err=True)


@demo_app.command("seed")
def seed_only(seed: SeedOpt = 2020, size: SizeOpt = 1.0) -> None:
    """Deploy if needed and seed the scenario on the running node (once; re-runs reuse it)."""
    settings = load_settings()
    if not _answers(check_rpc_url(settings.rpc_url)):
        raise AidLedgerConfigError(
            f"no Ethereum node answered at {settings.rpc_url}; start one with "
            "`aidledger devnet start`, or run `aidledger demo`, which starts it"
        )
    try:
        _seed(settings, seed, size)
    except KeyboardInterrupt:
        typer.echo("\nseeding interrupted; run it again to resume", err=True)
        raise typer.Exit(130) from None
    _print_logins(settings)


# ---------------------------------------------------------------- children


@dataclass
class Children:
    """Processes this run started, stopped in reverse order (SIGTERM, then SIGKILL)."""

    running: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, args: list[str], settings: Settings, log: Path) -> None:
        """Start `args` in its own session (Ctrl-C reaches only us), output to `log`."""
        env = {
            **os.environ,
            "AIDLEDGER_RPC_URL": settings.rpc_url,
            "AIDLEDGER_DATABASE_URL": settings.database_url,
            "AIDLEDGER_DATA_DIR": str(settings.data_dir),
            "AIDLEDGER_DEPLOYMENTS_DIR": str(settings.deployments_dir),
        }
        with log.open("ab") as out:
            proc = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        self.running.append((name, proc))

    def dead(self) -> str | None:
        """The name of a child that exited, if any."""
        for name, proc in self.running:
            if proc.poll() is not None:
                return f"{name} (exit {proc.returncode})"
        return None

    def stop(self) -> None:
        """Terminate every child, newest first (a second Ctrl-C, SIGTERM or SIGHUP meanwhile
        is ignored: stopping goes on to the end)."""
        calm = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in calm}
        try:
            self._stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self) -> None:
        for _name, proc in reversed(self.running):
            if proc.poll() is None:
                proc.terminate()
        for _name, proc in reversed(self.running):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.running.clear()


@contextlib.contextmanager
def _children() -> Iterator[Children]:
    children = Children()
    try:
        yield children
    finally:
        children.stop()


@contextlib.contextmanager
def _term_as_interrupt() -> Iterator[None]:
    """SIGTERM, SIGHUP (the terminal closed) and SIGINT stop the demo as Ctrl-C does, so that
    the node, indexer and portal it started never outlive it."""

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    # Ctrl-C too, even when started with SIGINT ignored (a background job of a script)
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _log(settings: Settings, name: str) -> Path:
    folder = settings.data_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.log"


# ---------------------------------------------------------------- the node


def _answers(url: str) -> bool:
    """Whether a JSON-RPC node answers eth_chainId at `url`."""
    body = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}'
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return b'"result"' in response.read()
    except OSError:
        return False


def _node(settings: Settings, children: Children) -> str:
    """The node's URL: the one answering at the RPC URL, else a devnet started here."""
    url = check_rpc_url(settings.rpc_url)
    if _answers(url):
        typer.echo(f"using the node at {url}", err=True)
        return url
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 8545
    if host not in ("127.0.0.1", "localhost"):
        raise AidLedgerConfigError(
            f"no Ethereum node answered at {url}; the demo starts a devnet only on this "
            "machine: unset AIDLEDGER_RPC_URL or start the node"
        )
    if _port_taken(host, port):
        raise AidLedgerConfigError(
            f"port {port} on {host} is taken by something that is not an Ethereum node; stop "
            "it, or set AIDLEDGER_RPC_URL to another port"
        )
    args = [sys.executable, "-m", "devnet", "--host", host, "--port", str(port)]
    args += ["--data-dir", str(settings.data_dir / "devnet")]
    children.start("devnet", args, settings, _log(settings, "devnet"))
    deadline = time.monotonic() + 60
    while not _answers(url):
        if children.dead() or time.monotonic() > deadline:
            raise AidLedgerConfigError(f"the devnet did not start; see {_log(settings, 'devnet')}")
        time.sleep(0.2)
    typer.echo(f"devnet started on {url} (chain in {settings.data_dir / 'devnet'})", err=True)
    return url


def _with_rpc(settings: Settings, url: str) -> Settings:
    return Settings(url, settings.database_url, settings.data_dir, settings.deployments_dir)


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not taken
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


# ---------------------------------------------------------------- seeding


def _seed(settings: Settings, seed: int, size: float) -> Seeder:
    """Seed once (a finished seed is reused), with a progress bar on a terminal."""
    from ledger.demo import scenario
    from ledger.demo.connect import open_seeder
    from ledger.demo.files import Journal
    from ledger.demo.seed import check_journal, phases, unlock_staff
    from ledger.demo.seed import seed as run_seed

    plan = scenario.build(seed, size)
    journal = Journal.load(settings.data_dir)
    if journal is not None and journal.complete and (journal.seed, journal.size) == (seed, size):
        typer.echo(f"the demo is seeded already (seed {seed}, size {size:g}): reusing it", err=True)
        seeder = open_seeder(settings, plan)
        check_journal(seeder, journal)
        seeder.journal = journal
        unlock_staff(seeder)  # the trickle signs as them
        return seeder
    steps = phases(plan)
    with _SeedProgress(len(steps), sys.stderr) as progress:
        seeder = open_seeder(settings, plan, progress.advance)
        started = time.monotonic()
        tally = run_seed(seeder)
    typer.echo(
        f"seeded in {time.monotonic() - started:.0f} s: {tally.written:,} writes"
        + (f" ({tally.repeated:,} recorded before)" if tally.repeated else ""),
        err=True,
    )
    return seeder


class _SeedProgress:
    """A rich bar on a terminal; else a plain line every few seconds and at the end."""

    def __init__(self, total: int, stream: TextIO, interval: float = 5.0) -> None:
        self.total, self.stream, self.interval = total, stream, interval
        self.done = 0
        self.last = -math.inf  # shown at once even when the machine is up for less than `interval`
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> _SeedProgress:
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("seeding"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} phases"),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=self.total)
        return self

    def advance(self, phase: str) -> None:
        """One phase done."""
        self.done += 1
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=phase)
            return
        now = time.monotonic()
        if now - self.last >= self.interval or self.done == self.total:
            self.last = now
            print(f"seeding: {self.done}/{self.total} phases ({phase})", file=self.stream)

    def __exit__(self, *_exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


# ---------------------------------------------------------------- indexer and portal


def _indexer_args() -> list[str]:
    return [sys.executable, "-m", "ledger", "index", "--follow"]


def _indexer_busy(settings: Settings) -> bool:
    """Whether another indexer holds the mirror's writer lock."""
    from ledger.indexer.lock import IndexerBusyError, writer_lock
    from ledger.store.db import make_engine

    engine = make_engine(settings.database_url, settings.data_dir)
    try:
        with writer_lock(engine):
            return False
    except IndexerBusyError:
        return True
    finally:
        engine.dispose()


def _portal_ready() -> bool:
    try:
        from ledger.cli.portal import portal  # noqa: F401
    except ImportError:
        return False
    return True


def _portal(settings: Settings, port: int, children: Children) -> str | None:
    """Serve the portal (`aidledger portal`) on `port` or the next free one; its URL (None:
    no portal in this checkout yet)."""
    if not _portal_ready():
        typer.echo(
            "the portal is not there yet (no ledger/cli/portal.py in this checkout): the "
            "chain, the indexer and the mirror run; read them with `aidledger status`",
            err=True,
        )
        return None
    host = "127.0.0.1"
    chosen = next((p for p in range(port, port + PORT_TRIES) if not _port_taken(host, p)), None)
    if chosen is None:
        raise AidLedgerConfigError(
            f"ports {port} to {port + PORT_TRIES - 1} are all taken; pass --port with a free one"
        )
    if chosen != port:
        typer.secho(f"port {port} is taken: the portal uses port {chosen}", err=True, fg="yellow")
    code = "import typer; from ledger.cli.portal import portal; typer.run(portal)"
    args = [sys.executable, "-c", code, "--host", host, "--port", str(chosen)]
    children.start("portal", args, settings, _log(settings, "portal"))
    url = f"http://{host}:{chosen}"
    deadline = time.monotonic() + 60
    while not _serves(url):
        if children.dead() or time.monotonic() > deadline:
            raise AidLedgerConfigError(f"the portal did not start; see {_log(settings, 'portal')}")
        time.sleep(0.2)
    return url


def _serves(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/", timeout=2) as response:
            return int(response.status) < 500
    except OSError:
        return False


# ---------------------------------------------------------------- telling and running


def _announce(settings: Settings, rpc: str, portal: str | None) -> None:
    out = typer.echo
    out("")
    if portal is not None:
        out(f"AidLedger demo: portal at {portal}")
        out(f"  overview        {portal}/")
        out(f"  trace a gift    {portal}/trace  (enter a receipt code)")
        out(f"  JSON API        {portal}/api/docs")
    else:
        out("AidLedger demo: no portal yet (see above)")
    out(f"  chain (JSON-RPC) {rpc}")
    out(f"  mirror          {settings.database_url}")
    _print_logins(settings)
    if portal is not None:
        _print_auditor_sign_in(settings, portal)
    out("Ctrl-C stops the demo; run it again to resume.")


def _print_auditor_sign_in(settings: Settings, portal: str) -> None:
    """How the seeded auditor signs in to the portal's auditor page."""
    from ledger.demo.files import read_summary

    summary = read_summary(settings.data_dir)
    auditors = [m["name"] for m in (summary or {}).get("staff", []) if m["role"] == "auditor"]
    if not auditors:
        return
    typer.echo(f"auditor sign-in  {portal}/auditor/sign-in  (all report formats), then:")
    typer.echo(f'  aidledger auditor sign-in-code --as "{auditors[0]}" <the challenge it shows>')


def _print_logins(settings: Settings) -> None:
    from ledger.demo.files import read_summary

    summary = read_summary(settings.data_dir)
    if summary is None:
        return
    out = typer.echo
    out("receipt codes to try:")
    for code in summary["codes"]:
        out(f"  {code['code']}   {code['what']}")
    out(f"  (every code: {summary['codes_file']})")
    out(f"staff logins (key passphrase: {summary['passphrase']}):")
    for member in summary["staff"]:
        sites = f" — {', '.join(member['sites'])}" if member["sites"] else ""
        out(f"  {member['name']:<10} {member['role']:<12} {member['address']}{sites}")


def _run(seeder: Seeder, children: Children, every: float) -> None:
    """Trickle until Ctrl-C; a child that dies stops the demo with its name."""
    from ledger.demo.trickle import Trickle

    trickle = Trickle(seeder) if every > 0 else None
    next_tick = time.monotonic() + every
    while True:
        dead = children.dead()
        if dead is not None:
            raise AidLedgerConfigError(f"the demo's {dead} stopped; its log is in the data dir")
        if trickle is not None and time.monotonic() >= next_tick:
            try:
                trickle.tick()
            except AidLedgerError as exc:  # a refused trickle write is not worth stopping for
                typer.echo(f"trickle: {exc}", err=True)
            next_tick = time.monotonic() + every
        time.sleep(0.5)


def main() -> None:
    """`python -m ledger.cli.demo`: the demo app with one-line errors (as `aidledger`)."""
    try:
        demo_app()
    except AidLedgerError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise SystemExit(1) from None
    except Exception as exc:  # a bug: one line, the traceback in a log (as `aidledger` does)
        from ledger.cli.main import write_crash_log

        log = write_crash_log(exc)
        first = (str(exc).strip().splitlines() or [""])[0]
        typer.secho(
            f"error: unexpected {type(exc).__name__}: {first} — the traceback is in {log}; "
            "please report it",
            err=True,
            fg="red",
        )
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
