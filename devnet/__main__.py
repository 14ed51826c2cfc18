"""`python -m devnet` runs a devnet in the foreground (same options as `aidledger devnet`)."""

from ledger.cli.devnet import devnet_app

devnet_app(prog_name="python -m devnet")
