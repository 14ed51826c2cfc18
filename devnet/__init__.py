"""AidLedger devnet: a persistent py-evm node serving standard JSON-RPC."""
