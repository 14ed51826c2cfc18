"""Write `args.py`: one TypedDict per sequenced event, from the ABIs in contracts/build.

Run `python -m ledger.indexer.handlers.gen_args` after an event changes; a test fails while the
file is stale. Values are typed as the indexer holds them (`ledger.chain.events.sql_args`):
bytes, addresses and strings as `str`, integers and enum codes as `int`, booleans as `bool`.
"""

from __future__ import annotations

from pathlib import Path

from ledger.chain.artifacts import CONTRACT_NAMES, load_artifact

TARGET = Path(__file__).with_name("args.py")


def _python_type(abi_type: str) -> str:
    if abi_type == "bool":
        return "bool"
    if abi_type.startswith(("uint", "int")):
        return "int"
    return "str"  # bytesN (hex, or text for bytes3/bytes8), address, string


def render() -> str:
    """The module text for the current ABIs."""
    lines = [
        '"""Decoded arguments of each sequenced event, as handlers see them.',
        "",
        "Generated from the ABIs by `python -m ledger.indexer.handlers.gen_args`; do not edit.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import TypedDict",
    ]
    for contract in CONTRACT_NAMES:
        for entry in load_artifact(contract).abi:
            if entry["type"] != "event" or entry["inputs"][-1]["name"] != "head":
                continue
            lines += ["", "", f"class {entry['name']}Args(TypedDict):"]
            lines.append(f'    """{contract}.{entry["name"]}."""')
            lines.append("")
            lines += [f"    {i['name']}: {_python_type(i['type'])}" for i in entry["inputs"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render())
