"""`aidledger devnet`: run the local chain in the foreground, or start/stop/status it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Annotated, Any

import typer

from devnet.config import (
    DEFAULT_CHAIN_ID,
    DEFAULT_DATA_DIR,
    DEFAULT_MNEMONIC,
    DEFAULT_PORT,
    DevnetConfig,
)

devnet_app = typer.Typer(
    name="devnet",
    help="The local Ethereum devnet on py-evm (JSON-RPC on 127.0.0.1:8545 by default).",
    invoke_without_command=True,
    pretty_exceptions_enable=False,
)

Host = Annotated[str, typer.Option(help="Interface to listen on.")]
Port = Annotated[int, typer.Option(help="TCP port for HTTP and WebSocket JSON-RPC.")]
ChainId = Annotated[int, typer.Option("--chain-id", help="EIP-155 chain id.")]
DataDir = Annotated[Path, typer.Option("--data-dir", help="Where the chain is stored.")]
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


def _config(
    host: str,
    port: int,
    chain_id: int,
    data_dir: Path,
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
        data_dir=data_dir,
        block_time=block_time,
        accounts=accounts,
        mnemonic=mnemonic,
        max_logs=max_logs,
        fsync=fsync,
    )


@devnet_app.callback()
def foreground(
    ctx: typer.Context,
    host: Host = "127.0.0.1",
    port: Port = DEFAULT_PORT,
    chain_id: ChainId = DEFAULT_CHAIN_ID,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    block_time: BlockTime = 0.0,
    accounts: Accounts = 10,
    mnemonic: Mnemonic = DEFAULT_MNEMONIC,
    max_logs: MaxLogs = 10_000,
    fsync: Fsync = False,
) -> None:
    """Run the devnet in the foreground (Ctrl-C stops it; the chain stays on disk)."""
    if ctx.invoked_subcommand is not None:
        return
    from devnet.genesis import DevnetChainError  # the node (py-evm, aiohttp) loads only to run
    from devnet.server import DevnetLockedError, run

    config = _config(
        host, port, chain_id, data_dir, block_time, accounts, mnemonic, max_logs, fsync
    )
    try:
        run(config)
    except (DevnetLockedError, DevnetChainError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None


@devnet_app.command()
def start(
    host: Host = "127.0.0.1",
    port: Port = DEFAULT_PORT,
    chain_id: ChainId = DEFAULT_CHAIN_ID,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    block_time: BlockTime = 0.0,
    accounts: Accounts = 10,
    mnemonic: Mnemonic = DEFAULT_MNEMONIC,
    max_logs: MaxLogs = 10_000,
    fsync: Fsync = False,
) -> None:
    """Start the devnet in the background (pid and log files in the data dir)."""
    if _alive(_pid(data_dir)):
        typer.echo(f"devnet already running (pid {_pid(data_dir)})")
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "devnet", "--host", host, "--port", str(port)]
    args += ["--chain-id", str(chain_id), "--data-dir", str(data_dir)]
    args += ["--block-time", str(block_time), "--accounts", str(accounts)]
    args += ["--mnemonic", mnemonic, "--max-logs", str(max_logs)]
    args += ["--fsync"] if fsync else []
    with (data_dir / "devnet.log").open("ab") as logfile:
        proc = subprocess.Popen(
            args, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
        )
    (data_dir / "devnet.pid").write_text(f"{proc.pid}\n{host}:{port}\n")
    url = f"http://{host}:{port}"
    if not _wait_ready(url, proc):
        typer.echo(f"error: devnet did not start; see {data_dir / 'devnet.log'}", err=True)
        raise SystemExit(1)
    typer.echo(f"devnet started (pid {proc.pid}) on {url}")


@devnet_app.command()
def stop(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Stop the background devnet (SIGTERM; it flushes and exits)."""
    pid = _pid(data_dir)
    if not _alive(pid):
        typer.echo("devnet not running")
        return
    assert pid is not None
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not _alive(pid):
            break
        time.sleep(0.1)
    (data_dir / "devnet.pid").unlink(missing_ok=True)
    typer.echo(f"devnet stopped (pid {pid})")


@devnet_app.command()
def status(data_dir: DataDir = DEFAULT_DATA_DIR, as_json: JsonOut = False) -> None:
    """Whether the background devnet runs, and its head block."""
    pid = _pid(data_dir)
    info: dict[str, Any] = {"running": _alive(pid), "pid": pid, "dataDir": str(data_dir)}
    if info["running"]:
        address = (data_dir / "devnet.pid").read_text().split()[1]
        info["url"] = f"http://{address}"
        info["blockNumber"] = _rpc_int(info["url"], "eth_blockNumber")
        info["chainId"] = _rpc_int(info["url"], "eth_chainId")
    if as_json:
        typer.echo(json.dumps(info))
    elif info["running"]:
        typer.echo(
            f"devnet running (pid {pid}) on {info['url']}: chain {info['chainId']}, "
            f"block {info['blockNumber']}"
        )
    else:
        typer.echo("devnet not running")
        raise SystemExit(1)


def _pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "devnet.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _rpc_int(url: str, method: str) -> int | None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return int(json.loads(response.read())["result"], 16)
    except (OSError, ValueError, KeyError):
        return None


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _rpc_int(url, "eth_chainId") is not None:
            return True
        time.sleep(0.1)
    return False
