"""The `aidledger` command line."""
