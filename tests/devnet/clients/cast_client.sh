#!/usr/bin/env bash
# Foreign client check: foundry's cast deploys Counter, transacts, reads logs and decodes a
# custom error against a JSON-RPC node. Usage: cast_client.sh <rpc-url> <Counter.json> <cast>
set -euo pipefail
URL=$1 ARTIFACT=$2 CAST=$3
KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
BYTECODE=$(node -e 'console.log(require(process.argv[1]).bytecode)' "$(realpath "$ARTIFACT")")

ADDR=$("$CAST" send --rpc-url "$URL" --private-key "$KEY" --json --create "$BYTECODE" \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).contractAddress))')
STATUS=$("$CAST" send --rpc-url "$URL" --private-key "$KEY" --json "$ADDR" "increment(uint256)" 3 \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).status))')
COUNT=$("$CAST" call --rpc-url "$URL" "$ADDR" "count()(uint256)")
LOGS=$("$CAST" logs --rpc-url "$URL" --from-block 0 --address "$ADDR" --json \
  "CounterIncremented(address indexed,uint256 indexed,uint256)" \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).length))')
if ERR=$("$CAST" call --rpc-url "$URL" "$ADDR" "increment(uint256)" 2000000 2>&1); then
  echo "expected a revert" >&2
  exit 1
fi
DATA=$(grep -o '0x38d25d3e[0-9a-f]*' <<<"$ERR" | head -1)
DECODED=$("$CAST" decode-error --sig "CounterTooLarge(uint256,uint256)" "$DATA" | tr '\n' ' ')
echo "address=$ADDR status=$STATUS count=$COUNT logs=$LOGS error=$DECODED"
