"""A data dir the devnet cannot use is refused in one line before LMDB maps anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from eth.db.schema import SchemaV1

from devnet.datadir import DataDirError, check
from devnet.db import LmdbStore, open_store
from devnet.genesis import META_KEY as GENESIS_META
from tests.devnet.nodes import ROOT, free_port, rpc, running, start_devnet


def _foreground(data_dir: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "devnet", "--port", str(free_port()), "--data-dir", str(data_dir)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)


def _one_line_error(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert words in lines[0]


def _real_store(tmp_path: Path) -> Path:
    """A data dir whose LMDB store holds a few mined blocks."""
    data_dir = tmp_path / "chain"
    with running(start_devnet(data_dir)) as node:
        for _ in range(3):
            rpc(node.url, "evm_mine")
    return data_dir


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    _one_line_error(_foreground(tmp_path / "afile"), "is a file, not a directory")
    _one_line_error(_foreground(tmp_path / "afile" / "below"), "is a file, not a directory")


def test_store_that_is_not_lmdb(tmp_path: Path) -> None:
    store = tmp_path / "chain" / "chain"
    store.mkdir(parents=True)
    (store / "data.mdb").write_bytes(b"SQLite format 3\x00" + bytes(20_000))
    _one_line_error(_foreground(tmp_path / "chain"), "is not an LMDB store")


def test_truncated_store_is_refused_not_a_bus_error(tmp_path: Path) -> None:
    data_dir = _real_store(tmp_path)
    data_file = data_dir / "chain" / "data.mdb"
    size = data_file.stat().st_size
    with data_file.open("r+b") as handle:
        handle.truncate(size // 2)
    result = _foreground(data_dir)
    assert result.returncode != -7, "killed by SIGBUS"
    _one_line_error(result, f"is truncated ({size // 2} bytes")


def test_store_cut_inside_its_meta_pages(tmp_path: Path) -> None:
    data_dir = _real_store(tmp_path)
    data_file = data_dir / "chain" / "data.mdb"
    with data_file.open("r+b") as handle:
        handle.truncate(5000)  # the first of two 4 KiB meta pages, part of the second
    with pytest.raises(DataDirError, match="is truncated"):
        check(data_dir)


def test_intact_store_passes_and_reopens(tmp_path: Path) -> None:
    data_dir = _real_store(tmp_path)
    check(data_dir)
    with running(start_devnet(data_dir)) as node:
        assert rpc(node.url, "eth_blockNumber")["result"] == "0x3"


def test_check_creates_a_missing_data_dir(tmp_path: Path) -> None:
    check(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()


def test_store_directory_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "chain").write_text("")
    with pytest.raises(DataDirError, match="is a file, not an LMDB store directory"):
        check(tmp_path)


def test_lmdb_errors_become_data_dir_errors(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "data.mdb").write_bytes(bytes(20_000))  # zero-filled: no LMDB header
    with pytest.raises(DataDirError, match="cannot open the chain store"):
        LmdbStore(store)


def test_lmdb_store_of_another_program_is_refused(tmp_path: Path) -> None:
    store = open_store(tmp_path / "chain" / "chain")
    store.commit({b"someone else's key": b"value"})
    store.close()
    _one_line_error(_foreground(tmp_path / "chain"), "holds data that is not a devnet chain")
    reopened = open_store(tmp_path / "chain" / "chain")
    assert reopened.get(GENESIS_META) is None  # nothing was written into it
    reopened.close()


def test_store_whose_head_block_is_missing(tmp_path: Path) -> None:
    data_dir = _real_store(tmp_path)
    store = open_store(data_dir / "chain")
    store.commit({SchemaV1.make_canonical_head_hash_lookup_key(): b"\x01" * 32})
    store.close()
    _one_line_error(_foreground(data_dir), "is damaged: its head block is missing")


def test_unexpected_error_is_one_line_and_the_traceback_goes_to_a_file(tmp_path: Path) -> None:
    data_dir = _real_store(tmp_path)
    store = open_store(data_dir / "chain")
    store.commit({GENESIS_META: b"{not json"})
    store.close()
    result = _foreground(data_dir)
    _one_line_error(result, "unexpected JSONDecodeError")
    assert f"the traceback is in {data_dir.resolve() / 'devnet-crash.log'}" in result.stderr
    assert "Traceback" in (data_dir / "devnet-crash.log").read_text()
