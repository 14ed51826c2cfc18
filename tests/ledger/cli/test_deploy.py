"""`aidledger deploy` against a real node (the devnet, as a dev chain and as a non-dev chain)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from web3 import Web3

from tests.devnet.nodes import running, start_devnet


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from ledger.cli.main import main; main()", *args]
    full_env = {**os.environ, **(env or {})}
    full_env.pop("AIDLEDGER_DEPLOYER_KEY", None)
    return subprocess.run(
        command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120, check=False
    )


def test_deploy_on_devnet_writes_deployment_file(tmp_path: Path) -> None:
    with running(start_devnet(tmp_path / "chain")) as node:
        result = run_cli("deploy", "--rpc", node.url, "--json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        printed = json.loads(result.stdout)
        saved = json.loads((tmp_path / "deployments" / "1337.json").read_text())
        assert printed == saved
        assert saved["chain_id"] == 1337 and saved["deployment_block"] >= 1
        assert set(saved["artifact_hashes"]) == {"AidRegistry", "FundLedger", "SupplyLedger"}
        w3 = Web3(Web3.HTTPProvider(node.url))
        for key in ("registry", "fund_ledger", "supply_ledger"):
            assert len(w3.eth.get_code(saved[key])) > 100


def test_deploy_on_non_dev_chain_without_key_says_what_to_do(tmp_path: Path) -> None:
    with running(start_devnet(tmp_path / "chain", "--chain-id", "4242")) as node:
        result = run_cli("deploy", "--rpc", node.url, cwd=tmp_path)
    assert result.returncode == 1
    assert "chain 4242 is not a dev chain" in result.stderr
    assert "AIDLEDGER_DEPLOYER_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "deployments").exists()


def test_deploy_with_unreachable_node_fails_cleanly(tmp_path: Path) -> None:
    result = run_cli("deploy", "--rpc", "http://127.0.0.1:9", cwd=tmp_path)
    assert result.returncode == 1
    assert "no Ethereum node answered" in result.stderr and "Traceback" not in result.stderr
