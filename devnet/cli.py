"""`aidledger devnet` (and `python -m devnet`): run the local chain in the foreground, or
start/stop/status it in the background. Imports nothing from `ledger`."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from pathlib import Path
from typing import Annotated, Any

import typer

from devnet import datadir
from devnet.config import (
    DEFAULT_CHAIN_ID,
    DEFAULT_MNEMONIC,
    DEFAULT_PORT,
    DevnetConfig,
    default_data_dir,
)

devnet_app = typer.Typer(
    name="devnet",
    help="The local Ethereum devnet on py-evm (JSON-RPC on 127.0.0.1:8545 by default).",
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help, as `aidledger --help`
)

Host = Annotated[str, typer.Option(help="Interface to listen on.")]
Port = Annotated[int, typer.Option(help="TCP port for HTTP and WebSocket JSON-RPC.")]
ChainId = Annotated[int, typer.Option("--chain-id", help="EIP-155 chain id.")]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where the chain is stored (default: <data dir>/devnet, the data dir being "
        "$AIDLEDGER_DATA_DIR, else data_dir of aidledger.toml, else .aidledger).",
        show_default=False,
    ),
]
BlockTime = Annotated[
    float, typer.Option("--block-time", help="0 = a block per transaction; N = every N s.")
]
Accounts = Annotated[int, typer.Option(help="Number of funded dev accounts.")]
Mnemonic = Annotated[str, typer.Option(help="BIP-39 mnemonic of the dev accounts.")]
MaxLogs = Annotated[int, typer.Option("--max-logs", help="eth_getLogs results per query.")]
Fsync = Annotated[
    bool, typer.Option("--fsync", help="fsync every block (survive power loss, not just kill -9).")
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Wait = Annotated[float, typer.Option("--wait", help="Seconds to wait for the node to exit.")]


def _config(
    host: str,
    port: int,
    chain_id: int,
    data_dir: Path | None,
    block_time: float,
    accounts: int,
    mnemonic: str,
    max_logs: int,
    fsync: bool,
) -> DevnetConfig:
    return DevnetConfig(
        host=host,
        port=port,
        chain_id=chain_id,
        data_dir=data_dir or default_data_dir(),
        block_time=block_time,
        accounts=accounts,
        mnemonic=mnemonic,
        max_logs=max_logs,
        fsync=fsync,
    )


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise SystemExit(1)


@devnet_app.callback()
def foreground(
    ctx: typer.Context,
    host: Host = "127.0.0.1",
    port: Port = DEFAULT_PORT,
    chain_id: ChainId = DEFAULT_CHAIN_ID,
    data_dir: DataDir = None,
    block_time: BlockTime = 0.0,
    accounts: Accounts = 10,
    mnemonic: Mnemonic = DEFAULT_MNEMONIC,
    max_logs: MaxLogs = 10_000,
    fsync: Fsync = False,
) -> None:
    """Run the devnet in the foreground (Ctrl-C stops it; the chain stays on disk)."""
    if ctx.invoked_subcommand is not None:
        return
    # the node (py-evm, aiohttp) loads only to run, so start/stop/status answer at once
    from devnet.genesis import DevnetChainError  # noqa: PLC0415
    from devnet.server import DevnetLockedError, DevnetPortError, run  # noqa: PLC0415

    config = _config(
        host, port, chain_id, data_dir, block_time, accounts, mnemonic, max_logs, fsync
    )
    try:
        run(config)
    except KeyboardInterrupt:  # before the node installed its own handler
        raise SystemExit(130) from None
    except (
        datadir.DataDirError,
        DevnetLockedError,
        DevnetPortError,
        DevnetChainError,
        OSError,
    ) as exc:
        _fail(str(exc))
    except Exception as exc:  # a bug or damage nothing above names: one line, traceback in a file
        log = _crash_log(config.data_dir, exc)
        first = (str(exc).strip().splitlines() or [""])[0]
        _fail(
            f"unexpected {type(exc).__name__}: {first} — the traceback is in {log}; "
            "please report it"
        )


def _crash_log(data_dir: Path, exc: BaseException) -> Path:
    """Append `exc`'s traceback to `<data dir>/devnet-crash.log` (a temp dir if unwritable)."""
    text = f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {' '.join(sys.argv)}\n"
    text += "".join(traceback.format_exception(exc))
    for path in (data_dir / "devnet-crash.log", Path(tempfile.gettempdir()) / "devnet-crash.log"):
        try:
            with path.open("a") as handle:
                handle.write(text)
        except OSError:
            continue
        return path.resolve()
    return Path("(nowhere: no writable directory)")


@devnet_app.command()
def start(
    host: Host = "127.0.0.1",
    port: Port = DEFAULT_PORT,
    chain_id: ChainId = DEFAULT_CHAIN_ID,
    data_dir: DataDir = None,
    block_time: BlockTime = 0.0,
    accounts: Accounts = 10,
    mnemonic: Mnemonic = DEFAULT_MNEMONIC,
    max_logs: MaxLogs = 10_000,
    fsync: Fsync = False,
) -> None:
    """Start the devnet in the background (pid and log files in the data dir)."""
    config = _config(
        host, port, chain_id, data_dir, block_time, accounts, mnemonic, max_logs, fsync
    )
    where = config.data_dir
    running = datadir.running_pid(where)
    if running is not None:
        typer.echo(f"devnet already running (pid {running[0]}) on http://{running[1]}")
        return
    try:
        datadir.check(where, config.store)
    except datadir.DataDirError as exc:
        _fail(str(exc))
    if _port_taken(host, port):
        _fail(
            f"port {port} on {host} is already in use by another process; stop it or "
            "pass another --port"
        )
    proc = _spawn(config)
    if not _wait_ready(config, proc):
        _fail(f"devnet did not start: {_last_error(where)}; see {where / 'devnet.log'}")
    typer.echo(f"devnet started (pid {proc.pid}) on http://{host}:{port}")


def _spawn(config: DevnetConfig) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "devnet", "--host", config.host, "--port", str(config.port)]
    args += ["--chain-id", str(config.chain_id), "--data-dir", str(config.data_dir)]
    args += ["--block-time", str(config.block_time), "--accounts", str(config.accounts)]
    args += ["--mnemonic", config.mnemonic, "--max-logs", str(config.max_logs)]
    args += ["--fsync"] if config.fsync else []
    with (config.data_dir / "devnet.log").open("ab") as logfile:
        return subprocess.Popen(
            args, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
        )


@devnet_app.command()
def stop(data_dir: DataDir = None, wait: Wait = 10.0) -> None:
    """Stop the devnet of the data dir (SIGTERM; it flushes and exits)."""
    where = data_dir or default_data_dir()
    running = datadir.running_pid(where)
    if running is None:
        typer.echo("devnet not running")
        return
    pid = running[0]
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while datadir.is_devnet(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if datadir.is_devnet(pid):
        _fail(
            f"devnet (pid {pid}) did not stop within {wait:g} s; wait and run stop again, "
            f"or force it with `kill -9 {pid}` (mined blocks are already on disk)"
        )
    (where / datadir.PID_FILE).unlink(missing_ok=True)
    typer.echo(f"devnet stopped (pid {pid})")


@devnet_app.command()
def status(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """Whether a devnet (background or foreground) serves the data dir, and its head block.

    Exit 1 when none runs, in text and JSON mode alike.
    """
    where = data_dir or default_data_dir()
    running = datadir.running_pid(where)
    info: dict[str, Any] = {
        "running": running is not None,
        "pid": None if running is None else running[0],
        "dataDir": str(where),
    }
    if running is not None:
        info["url"] = f"http://{running[1]}"
        info["blockNumber"] = _rpc_int(info["url"], "eth_blockNumber")
        info["chainId"] = _rpc_int(info["url"], "eth_chainId")
    if as_json:
        typer.echo(json.dumps(info))
    elif running is not None:
        typer.echo(
            f"devnet running (pid {running[0]}) on {info['url']}: chain {info['chainId']}, "
            f"block {info['blockNumber']}"
        )
    else:
        typer.echo("devnet not running")
    if running is None:
        raise SystemExit(1)


def _port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def _rpc_int(url: str, method: str) -> int | None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return int(json.loads(response.read())["result"], 16)
    except (OSError, ValueError, KeyError):
        return None


def _wait_ready(config: DevnetConfig, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> bool:
    """Wait until the child wrote the pid file (it has bound the port) and answers."""
    url = f"http://{config.host}:{config.port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        found = datadir.read_pid(config.data_dir)
        if found is not None and found[0] == proc.pid and _rpc_int(url, "eth_chainId"):
            return True
        time.sleep(0.1)
    return False


def _last_error(data_dir: Path) -> str:
    try:
        lines = (data_dir / "devnet.log").read_text(errors="replace").splitlines()
    except OSError:
        return "no log"
    errors = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
    return errors[-1] if errors else "it exited without a message"
