// Ponder 0.11 indexing AidLedger's three contracts: the baseline of bench/indexer.py.
// Everything comes from the environment so the harness can point it at any chain:
//   PONDER_RPC_URL, PONDER_CHAIN_ID, PONDER_START_BLOCK, PONDER_END_BLOCK,
//   AIDLEDGER_REGISTRY, AIDLEDGER_FUND_LEDGER, AIDLEDGER_SUPPLY_LEDGER,
//   DATABASE_URL (PostgreSQL) or PONDER_PGLITE_DIR (PGlite, the default store).
import { createConfig } from "ponder";
import type { Abi } from "viem";

import registry from "../../contracts/build/AidRegistry.json";
import fund from "../../contracts/build/FundLedger.json";
import supply from "../../contracts/build/SupplyLedger.json";

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`${name} is not set; bench/indexer.py sets it for each run`);
  }
  return value;
}

const range = {
  startBlock: Number(env("PONDER_START_BLOCK")),
  endBlock: Number(env("PONDER_END_BLOCK")),
};

export default createConfig({
  database: process.env.DATABASE_URL
    ? { kind: "postgres", connectionString: process.env.DATABASE_URL }
    : { kind: "pglite", directory: process.env.PONDER_PGLITE_DIR ?? ".ponder/pglite" },
  chains: {
    aidledger: {
      id: Number(env("PONDER_CHAIN_ID")),
      rpc: env("PONDER_RPC_URL"),
      disableCache: false,
    },
  },
  contracts: {
    AidRegistry: {
      chain: "aidledger",
      abi: registry.abi as Abi,
      address: env("AIDLEDGER_REGISTRY") as `0x${string}`,
      ...range,
    },
    FundLedger: {
      chain: "aidledger",
      abi: fund.abi as Abi,
      address: env("AIDLEDGER_FUND_LEDGER") as `0x${string}`,
      ...range,
    },
    SupplyLedger: {
      chain: "aidledger",
      abi: supply.abi as Abi,
      address: env("AIDLEDGER_SUPPLY_LEDGER") as `0x${string}`,
      ...range,
    },
  },
});
