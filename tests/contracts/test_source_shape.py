"""The contracts' source keeps the shape issue 9 asked for, so it cannot drift back unnoticed:
each sequenced event is hashed and emitted in one `_emit<Event>` function, with the same
arguments in both places; units on hand change only in `_move`; and every function, event and
error of the interfaces has a `@notice` and a `@param` for each named parameter.

Behaviour is tested elsewhere (the hash chain catches a hash that differs from the event at run
time); these read the Solidity text itself.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "contracts" / "src"
CONTRACTS = ("AidRegistry.sol", "FundLedger.sol", "SupplyLedger.sol")
SEQUENCING = re.compile(r"\b(_sequence|_advance|_advanceUnpaused)\(")
FUNCTION = re.compile(r"\bfunction\s+(\w+)\s*\(")


def _closing(text: str, start: int, pair: str = "()") -> int:
    """The index of the bracket closing the one at `start`."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == pair[0]:
            depth += 1
        elif text[i] == pair[1]:
            depth -= 1
            if depth == 0:
                return i
    raise AssertionError(f"unbalanced {pair} from {start}")


def _arguments(text: str, open_paren: int) -> list[str]:
    """The top-level, whitespace-normalised arguments of the call whose `(` is at `open_paren`."""
    inner = text[open_paren + 1 : _closing(text, open_paren)]
    parts, depth, current = [], 0, ""
    for char in inner:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [" ".join(p.split()) for p in parts if p.strip()]


def _functions(text: str) -> dict[str, str]:
    """Function name -> its body (between its braces), for functions that have one."""
    bodies = {}
    for found in FUNCTION.finditer(text):
        brace, semicolon = text.find("{", found.end()), text.find(";", found.end())
        if brace != -1 and (semicolon == -1 or brace < semicolon):
            bodies[found.group(1)] = text[brace + 1 : _closing(text, brace, "{}")]
    return bodies


def _enclosing(text: str, position: int) -> str:
    """The name of the last function declared before `position`."""
    return [f.group(1) for f in FUNCTION.finditer(text[:position])][-1]


def _sequenced_events() -> set[str]:
    """Events of the interfaces that end with `seq, head`: the record."""
    names = set()
    for path in (SRC / "interfaces").glob("*.sol"):
        text = path.read_text()
        for found in re.finditer(r"\bevent\s+(\w+)\s*\(", text):
            params = _arguments(text, found.end() - 1)
            if [p.split()[-1] for p in params[-2:]] == ["seq", "head"]:
                names.add(found.group(1))
    return names


def test_each_event_is_sequenced_and_emitted_in_its_own_emit_function_with_one_argument_list() -> (
    None
):
    emitters: dict[str, str] = {}
    for name in CONTRACTS:
        text = (SRC / name).read_text()
        for found in re.finditer(r"\bemit\s+(\w+)\s*\(", text):
            assert _enclosing(text, found.start()) == f"_emit{found.group(1)}", (name, found[0])
        for found in SEQUENCING.finditer(text):
            if not text[: found.start()].rstrip().endswith("function"):
                assert _enclosing(text, found.start()).startswith("_emit"), (name, found[0])
        for function, body in _functions(text).items():
            if function.startswith("_emit"):
                assert function not in emitters, function
                emitters[function] = body
    assert set(emitters) == {f"_emit{e}" for e in _sequenced_events()}
    for function, body in emitters.items():
        event = function.removeprefix("_emit")
        (emitted,) = re.finditer(rf"\bemit\s+{event}\s*\(", body)
        (encoded,) = re.finditer(r"\babi\.encode\s*\(", body)
        hashed = _arguments(body, encoded.end() - 1)
        assert hashed[0] == f"{event}.selector", function
        assert _arguments(body, emitted.end() - 1) == [*hashed[1:], "seq", "head"], function


def test_units_on_hand_change_only_in_move() -> None:
    text = (SRC / "SupplyLedger.sol").read_text()
    writes = list(re.finditer(r"\.(onHand|inflow)\s*(\+=|-=|=(?!=))", text))
    assert writes, "SupplyLedger no longer names onHand: update this test"
    assert {_enclosing(text, w.start()) for w in writes} == {"_move"}


def test_interfaces_document_every_declaration_and_parameter() -> None:
    undocumented = []
    declaration = re.compile(
        r"((?:[ \t]*///[^\n]*\n)*)[ \t]*(function|event|error)\s+(\w+)\s*\(", re.MULTILINE
    )
    for path in sorted((SRC / "interfaces").glob("*.sol")):
        text = path.read_text()
        count = 0
        for found in declaration.finditer(text):
            count += 1
            doc, kind, name = found.groups()
            params = _arguments(text, found.end() - 1)
            named = [p.split()[-1] for p in params if len(p.split()) > 1]
            named = [n for n in named if n not in ("calldata", "memory", "indexed")]
            documented = set(re.findall(r"@param\s+(\w+)", doc))
            missing = [n for n in named if n not in documented]
            if "@notice" not in doc or missing:
                undocumented.append(f"{path.name}: {kind} {name} {missing or 'no @notice'}")
        assert count > 20, path.name
    assert undocumented == []
