"""Aliases for py-evm objects at the devnet's boundary.

py-evm's API types use NewTypes (Address, Hash32, BlockNumber) that plain bytes and ints
from JSON never carry; the devnet treats py-evm objects as Any at its boundary and keeps
its own code strictly typed.
"""

from typing import Any

Header = Any
Block = Any
Tx = Any
Receipt = Any
Computation = Any
State = Any
EvmChain = Any
