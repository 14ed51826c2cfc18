"""The indexer: chain events → SQL mirror, surviving crashes, reorgs and flaky RPC."""
