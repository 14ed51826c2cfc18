"""JSON-RPC methods of the devnet, one module per method family."""
