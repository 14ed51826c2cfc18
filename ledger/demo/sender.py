"""The demo's sender for its many small writes: gas and fees given, so nothing is estimated.

The write service is the same (`WriteService.submit`); only the transaction is built without
the node's gas estimate and fee queries, which would execute every write twice on the devnet.
Every demo write fits in the gas `gas_for` gives it (a shipment's grows with its lines); a
write the contracts refuse is mined as a failed transaction, and `Sender` replays it to decode
the refusal, so repeats are still recognised and refusals still explained.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3.contract.contract import ContractFunction
from web3.types import TxParams, Wei

from ledger.write.sender import Sender

GAS = 1_000_000  # postNeed, recordPurchase and the rest use under 250k
GAS_PER_LINE = 300_000  # a received line creates a lot (~170k); a dispatched one ~55k
LINES = {"dispatchShipment": 3, "receiveShipment": 1}  # the argument holding the lines
MAX_FEE = 50 * 10**9  # wei: far above a quiet devnet's base fee
TIP = 10**9


def gas_for(call: ContractFunction) -> int:
    """The gas a demo write is given."""
    where = LINES.get(call.fn_name)
    return GAS if where is None else GAS + GAS_PER_LINE * len(call.args[where])


@dataclass
class DemoSender(Sender):
    """A `Sender` that fills gas and fees itself."""

    def build(self, signer: LocalAccount, call: ContractFunction) -> TxParams:
        """The transaction with fixed gas and fees (no node round trip but the encoding)."""
        params: TxParams = {
            "from": signer.address,
            "chainId": self.chain_id,
            "value": Wei(0),
            "gas": gas_for(call),
            "maxFeePerGas": Wei(MAX_FEE),
            "maxPriorityFeePerGas": Wei(TIP),
        }
        return call.build_transaction(params)
