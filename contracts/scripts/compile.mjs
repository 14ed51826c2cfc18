// Compiles contracts/src with the pinned solc-js into contracts/build/<Contract>.json.
// Each artifact names this script and the compiler version that made it; CI reruns this
// script and fails on `git diff --exit-code contracts/build`.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const solc = require("solc");

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const srcDir = join(root, "contracts", "src");
const outDir = join(root, "contracts", "build");
const DEPLOYABLE = ["AidRegistry", "FundLedger", "SupplyLedger"];

export const SETTINGS = {
  evmVersion: "prague",
  viaIR: true,
  optimizer: { enabled: true, runs: 200 },
  metadata: { bytecodeHash: "none", appendCBOR: false },
  outputSelection: {
    "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "devdoc", "userdoc"] },
  },
};

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith(".sol") ? [path] : [];
  });
}

function findImport(path) {
  for (const base of [join(root, "node_modules"), root]) {
    try {
      return { contents: readFileSync(join(base, path), "utf8") };
    } catch {
      /* try the next base */
    }
  }
  return { error: `import not found: ${path}` };
}

export function standardInput() {
  const sources = {};
  for (const file of walk(srcDir).sort()) {
    sources[relative(root, file)] = { content: readFileSync(file, "utf8") };
  }
  return { language: "Solidity", sources, settings: SETTINGS };
}

function main() {
  const input = standardInput();
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  for (const e of output.errors ?? []) console.error(e.formattedMessage);
  if (errors.length) process.exit(1);
  const sourceHashes = {};
  for (const [name, src] of Object.entries(output.sources ?? {})) {
    const content = input.sources[name]?.content ?? findImport(name).contents;
    sourceHashes[name] = "0x" + createHash("sha256").update(content).digest("hex");
    void src;
  }
  mkdirSync(outDir, { recursive: true });
  for (const [file, contracts] of Object.entries(output.contracts)) {
    for (const [name, c] of Object.entries(contracts)) {
      if (!DEPLOYABLE.includes(name) && !file.includes("/interfaces/")) continue;
      const artifact = {
        generatedBy: "contracts/scripts/compile.mjs",
        compiler: `solc-js ${solc.version()}`,
        settings: { evmVersion: SETTINGS.evmVersion, viaIR: SETTINGS.viaIR, optimizer: SETTINGS.optimizer },
        contractName: name,
        sourceName: file,
        abi: c.abi,
        bytecode: "0x" + c.evm.bytecode.object,
        deployedBytecode: "0x" + c.evm.deployedBytecode.object,
        sourceHashes,
      };
      writeFileSync(join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + "\n");
      const size = c.evm.deployedBytecode.object.length / 2;
      console.log(`${name}: ${size} bytes deployed${size > 24576 ? "  (OVER EIP-170 LIMIT)" : ""}`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
