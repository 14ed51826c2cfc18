"""Foreign clients against the devnet: ethers v6 and viem (node), and foundry's cast."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.devnet.nodes import CAST, COUNTER, ROOT, NodeProcess

CLIENTS = Path(__file__).resolve().parent / "clients"


def _run(*cmd: str) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_ethers_deploys_transacts_reads_logs_and_decodes_custom_error(
    devnet_node: NodeProcess,
) -> None:
    out = json.loads(
        _run("node", str(CLIENTS / "ethers_client.mjs"), devnet_node.url, str(COUNTER))
    )
    assert out["status"] == 1
    assert out["count"] == "3"
    assert out["logs"] == [{"tag": "3", "count": "3"}]
    expected = {"name": "CounterTooLarge", "args": ["2000003", "1000000"]}
    assert out["error"] == expected
    assert out["sendError"] == expected


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_viem_deploys_transacts_reads_logs_and_decodes_custom_error(
    devnet_node: NodeProcess,
) -> None:
    out = json.loads(_run("node", str(CLIENTS / "viem_client.mjs"), devnet_node.url, str(COUNTER)))
    assert out["status"] == "success"
    assert out["count"] == "3"
    assert out["logs"] == [{"tag": "3", "count": "3"}]
    assert out["error"] == {"name": "CounterTooLarge", "args": ["2000003", "1000000"]}


def test_cast_deploys_transacts_reads_logs_and_decodes_custom_error(
    devnet_node: NodeProcess,
) -> None:
    out = _run("bash", str(CLIENTS / "cast_client.sh"), devnet_node.url, str(COUNTER), str(CAST))
    fields = dict(part.split("=", 1) for part in out.split(" error=")[0].split())
    assert fields["status"] == "0x1"
    assert fields["count"] == "3"
    assert fields["logs"] == "1"
    assert out.split(" error=")[1].split()[0] == "2000003"
