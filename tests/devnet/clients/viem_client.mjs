// Foreign client check: viem deploys Counter, transacts, reads logs and decodes a custom
// error against a JSON-RPC node. Usage: node viem_client.mjs <rpc-url> <Counter.json>
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.cwd(), "package.json"));
const viem = require("viem");
const { privateKeyToAccount } = require("viem/accounts");
const [url, artifactPath] = process.argv.slice(2);
const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

const transport = viem.http(url);
const publicClient = viem.createPublicClient({ transport });
const chainId = await publicClient.getChainId();
const chain = viem.defineChain({
  id: chainId,
  name: "devnet",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [url] } },
});
const account = privateKeyToAccount(KEY);
const wallet = viem.createWalletClient({ account, chain, transport });
const client = viem.createPublicClient({ chain, transport, pollingInterval: 50 });
const { abi, bytecode } = JSON.parse(readFileSync(artifactPath, "utf8"));

const deployHash = await wallet.deployContract({ abi, bytecode });
const { contractAddress: address } = await client.waitForTransactionReceipt({ hash: deployHash });
const hash = await wallet.writeContract({ address, abi, functionName: "increment", args: [3n] });
const receipt = await client.waitForTransactionReceipt({ hash });
const count = await client.readContract({ address, abi, functionName: "count" });
const logs = await client.getContractEvents({ address, abi, eventName: "CounterIncremented", fromBlock: 0n });
let error = null;
try {
  await client.simulateContract({ account, address, abi, functionName: "increment", args: [2_000_000n] });
} catch (e) {
  const revert = e.walk((inner) => inner instanceof viem.ContractFunctionRevertedError);
  error = revert?.data ? { name: revert.data.errorName, args: revert.data.args.map(String) } : { raw: String(e) };
}
console.log(
  JSON.stringify({
    address,
    status: receipt.status,
    count: count.toString(),
    logs: logs.map((l) => ({ tag: l.args.tag.toString(), count: l.args.count.toString() })),
    error,
  }),
);
