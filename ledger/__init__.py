"""AidLedger core: chain client and bindings, indexer, queries, reports, CLI."""

__version__ = "0.1.0"
