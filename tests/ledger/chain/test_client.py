"""ChainClient.connect: the URL is checked before anything is sent; a silent node is named."""

from __future__ import annotations

import pytest

from ledger.chain.client import ChainClient
from ledger.errors import AidLedgerConfigError, AidLedgerConnectionError


@pytest.mark.parametrize("url", ["localhost:8545", "ws://127.0.0.1:8545", "notaurl"])
def test_malformed_url_is_a_config_error_not_a_missing_node(url: str) -> None:
    with pytest.raises(AidLedgerConfigError, match="is not usable") as caught:
        ChainClient.connect(url)
    assert "no Ethereum node answered" not in str(caught.value)


def test_silent_node_says_start_one() -> None:
    with pytest.raises(AidLedgerConnectionError, match="aidledger devnet start"):
        ChainClient.connect("http://127.0.0.1:9", timeout=2)
