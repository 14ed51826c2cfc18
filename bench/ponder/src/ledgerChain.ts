// The sequence and ledger-head check of docs/contracts.md, as ledger.chain.events does it:
//   payloadHash = keccak256(abi.encode(topic0, <every argument but seq and head>))
//   head[n]     = keccak256(abi.encode(head[n-1], seq[n], emitter, payloadHash))
import { type AbiParameter, type Hex, encodeAbiParameters, keccak256 } from "viem";

import registry from "../../../contracts/build/AidRegistry.json";
import fund from "../../../contracts/build/FundLedger.json";
import supply from "../../../contracts/build/SupplyLedger.json";

type EventAbi = { type: string; name: string; inputs: AbiParameter[] };

const payloadParams = new Map<string, AbiParameter[]>();
for (const artifact of [registry, fund, supply]) {
  for (const entry of artifact.abi as EventAbi[]) {
    const last = entry.inputs?.[entry.inputs.length - 1];
    if (entry.type === "event" && last?.name === "head") {
      const fields = entry.inputs.filter((i) => i.name !== "seq" && i.name !== "head");
      payloadParams.set(entry.name, [{ type: "bytes32" }, ...fields]);
    }
  }
}

const headParams = [
  { type: "bytes32" },
  { type: "uint64" },
  { type: "address" },
  { type: "bytes32" },
] as const;

export const ZERO_HEAD: Hex = `0x${"00".repeat(32)}`;

/** The head that must follow `previous` for this event; throws when seq is not the next one. */
export function nextHead(
  name: string,
  args: Record<string, unknown>,
  topic0: Hex,
  emitter: Hex,
  previous: { seq: bigint; head: Hex },
): Hex {
  const seq = args.seq as bigint;
  if (seq !== previous.seq + 1n) {
    throw new Error(`${name} has seq ${seq}, expected ${previous.seq + 1n}: an event is missing`);
  }
  const params = payloadParams.get(name)!;
  const values = [topic0, ...params.slice(1).map((p) => args[p.name!])];
  const payload = keccak256(encodeAbiParameters(params, values));
  const head = keccak256(encodeAbiParameters(headParams, [previous.head, seq, emitter, payload]));
  if (head !== args.head) {
    throw new Error(`${name} seq ${seq} carries head ${args.head}, expected ${head}`);
  }
  return head;
}

/** Arguments as JSON text, bigints as decimal strings. */
export function argsJson(args: Record<string, unknown>): string {
  return JSON.stringify(args, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}
