"""`python -m devnet` runs a devnet in the foreground (same options as `aidledger devnet`)."""

from devnet.cli import devnet_app

devnet_app(prog_name="python -m devnet")
