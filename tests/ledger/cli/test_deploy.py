"""`aidledger deploy` against a real node (the devnet, as a dev chain and as a non-dev chain)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from web3 import Web3

from tests.devnet.nodes import running, start_devnet
from tests.ledger.cli.cli import one_line_error, run_cli
from tests.ledger.cli.conftest import DeployedChain


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
    assert "no Ethereum node answered" in one_line_error(result)


@pytest.mark.parametrize(
    ("url", "why"),
    [("localhost:8545", "no scheme"), ("ws://127.0.0.1:8545", "WebSocket"), ("notaurl", "")],
)
def test_deploy_with_malformed_url_says_the_form_not_start_a_node(
    tmp_path: Path, url: str, why: str
) -> None:
    line = one_line_error(run_cli("deploy", "--rpc", url, cwd=tmp_path))
    assert f"RPC URL {url!r} is not usable" in line and why in line
    assert "http://host:port" in line and "no Ethereum node answered" not in line


@pytest.mark.parametrize("key", ["not-hex", "0x1234", "0x" + "zz" * 32, "0x" + "11" * 33])
def test_deploy_with_bad_key_is_one_line(tmp_path: Path, deployed: DeployedChain, key: str) -> None:
    result = run_cli(
        "deploy", "--rpc", deployed.url, cwd=tmp_path, env={"AIDLEDGER_DEPLOYER_KEY": key}
    )
    line = one_line_error(result)
    assert "$AIDLEDGER_DEPLOYER_KEY is not a private key" in line and "64 hex digits" in line
    assert key not in line  # a secret is never echoed
    assert not (tmp_path / "deployments").exists()


def test_deploy_into_read_only_directory_sends_nothing(
    tmp_path: Path, deployed: DeployedChain
) -> None:
    target = tmp_path / "deployments"
    target.mkdir()
    target.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.geteuid() == 0:  # root writes through file modes; sysfs refuses new files to anyone
        target = Path("/sys")
    w3 = Web3(Web3.HTTPProvider(deployed.url))
    block = w3.eth.block_number
    try:
        result = run_cli(
            "deploy", "--rpc", deployed.url, "--deployments-dir", str(target), cwd=tmp_path
        )
    finally:
        (tmp_path / "deployments").chmod(stat.S_IRWXU)
    line = one_line_error(result)
    assert f"cannot write to {target}" in line and "--deployments-dir" in line
    assert w3.eth.block_number == block  # no transaction was sent


def test_deploy_under_a_file_sends_nothing(tmp_path: Path, deployed: DeployedChain) -> None:
    (tmp_path / "file").write_text("")
    target = tmp_path / "file" / "deployments"
    w3 = Web3(Web3.HTTPProvider(deployed.url))
    block = w3.eth.block_number
    result = run_cli(
        "deploy", "--rpc", deployed.url, "--deployments-dir", str(target), cwd=tmp_path
    )
    assert f"cannot write to {target}" in one_line_error(result)
    assert w3.eth.block_number == block


def test_deploy_writes_to_deployments_dir_atomically(
    tmp_path: Path, deployed: DeployedChain
) -> None:
    target = tmp_path / "elsewhere"
    result = run_cli(
        "deploy", "--rpc", deployed.url, "--deployments-dir", str(target), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in target.iterdir()] == ["1337.json"]  # no temp file left behind
    assert json.loads((target / "1337.json").read_text())["chain_id"] == 1337
    assert not (tmp_path / "deployments").exists()
