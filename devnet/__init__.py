"""AidLedger devnet: a persistent py-evm node serving standard JSON-RPC."""

import importlib.util
import os

# keccak through safe-pysha3's C extension costs ~0.6 us a call, pycryptodome's ~6 us;
# eth-hash picks its backend at the first hash, so choose before py-evm hashes anything.
if importlib.util.find_spec("sha3") is not None:
    os.environ.setdefault("ETH_HASH_BACKEND", "pysha3")
