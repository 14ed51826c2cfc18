// Foreign client check: ethers v6 deploys Counter, transacts, reads logs and decodes a custom
// error against a JSON-RPC node. Usage: node ethers_client.mjs <rpc-url> <Counter.json>
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.cwd(), "package.json"));
const { ethers } = require("ethers");
const [url, artifactPath] = process.argv.slice(2);
const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

const provider = new ethers.JsonRpcProvider(url, undefined, { pollingInterval: 50, cacheTimeout: -1 });
const wallet = new ethers.Wallet(KEY, provider);
const artifact = JSON.parse(readFileSync(artifactPath, "utf8"));
const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode, wallet);
const counter = await factory.deploy();
await counter.waitForDeployment();
const receipt = await (await counter.increment(3n)).wait();
const count = await counter.count();
const logs = await counter.queryFilter(counter.filters.CounterIncremented(), 0, "latest");
let error = null;
try {
  await counter.increment.staticCall(2_000_000n);
} catch (e) {
  error = e.revert ? { name: e.revert.name, args: e.revert.args.map(String) } : { raw: String(e) };
}
let sendError = null;
try {
  await counter.increment(2_000_000n);
} catch (e) {
  const parsed = counter.interface.parseError(e.data);
  sendError = parsed ? { name: parsed.name, args: parsed.args.map(String) } : { raw: String(e) };
}
console.log(
  JSON.stringify({
    address: await counter.getAddress(),
    status: receipt.status,
    count: count.toString(),
    logs: logs.map((l) => ({ tag: l.args.tag.toString(), count: l.args.count.toString() })),
    error,
    sendError,
  }),
);
provider.destroy();
