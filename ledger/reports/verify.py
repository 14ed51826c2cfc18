"""`aidledger report verify FILE`: is this file what the chain says?

With only the file, its manifest and an RPC URL: the files' hashes against the manifest; the
chain id; the first and last block still on the chain (not reorged away); every table re-derived
from the chain's own logs over the manifest's range and compared, digest by digest and, for the
formats that can be read back (CSV, JSON), row by row; the ledger head; and any attestation of
the manifest on chain. Each finding says exactly what differs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ledger.chain.deployment import Deployment
from ledger.chain.events import decode_log, event_specs
from ledger.chain.rpc import Rpc
from ledger.reports import attribution
from ledger.reports import manifest as manifests
from ledger.reports.build import CONTRACT_NAMES, Report
from ledger.reports.events import chain_events
from ledger.reports.formats.csv_format import ENCODING, table_path
from ledger.reports.formats.safe import unsafe
from ledger.reports.rates import Rates
from ledger.reports.tables import Context, Digest, Row

SHOWN = 5  # differing rows shown per table


@dataclass(frozen=True)
class Finding:
    """One check: `ok` or not, and what it found."""

    ok: bool
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'DIFF'} {self.check}: {self.detail}"


def context_of(m: dict[str, Any]) -> Context:
    """The report's context as its manifest states it."""
    contracts = {k: str(v) for k, v in m["contracts"].items()}
    return Context(
        chain_id=int(m["chain_id"]),
        contracts=contracts,
        deployment_block=int(m["deployment_block"]),
        period_from=m["period"]["from"],
        period_to=m["period"]["to"],
        tz=m["period"]["tz"],
        start=int(m["start_time"]),
        end=int(m["end_time"]),
        first_seq=int(m["first_seq"]),
        last_seq=int(m["last_seq"]),
        first_block=int(m["first_block"]["number"]),
        first_block_hash=m["first_block"]["hash"],
        last_block=int(m["last_block"]["number"]),
        last_block_hash=m["last_block"]["hash"],
        head=m["ledger_head"],
        complete=bool(m["complete"]),
        filters=dict(m["filters"]),
        rates_currency=m.get("rates_currency", ""),
        names={contracts[n].lower(): n for n in CONTRACT_NAMES if n in contracts},
    )


def _files(directory: Path, m: dict[str, Any]) -> Iterator[Finding]:
    for entry in m.get("files", []):
        path = directory / entry["name"]
        if not path.is_file():
            yield Finding(False, f"file {entry['name']}", "missing beside the manifest")
            continue
        digest = manifests.sha256_file(path)
        if digest != entry["sha256"]:
            yield Finding(
                False,
                f"file {entry['name']}",
                f"changed after the report was made: sha256 {digest}, the manifest says "
                f"{entry['sha256']}",
            )
        else:
            yield Finding(True, f"file {entry['name']}", f"sha256 {digest} as in the manifest")


def _blocks(rpc: Rpc, ctx: Context) -> Iterator[Finding]:
    for which, number, expected in (
        ("first block", ctx.first_block, ctx.first_block_hash),
        ("last block", ctx.last_block, ctx.last_block_hash),
    ):
        if not expected:
            continue
        block = rpc.call("eth_getBlockByNumber", [hex(number), False])
        have = str(block["hash"]).lower() if block else None
        if have != expected.lower():
            yield Finding(
                False,
                which,
                f"block {number} is {have or 'not on the chain'}, the manifest says {expected}: "
                "the range was reorged away (or the report is from another chain); "
                "make the report again from an up-to-date mirror",
            )
        else:
            yield Finding(True, which, f"block {number} is {have}, as in the manifest")


def _read_json_tables(path: Path) -> dict[str, list[Row]]:
    doc = orjson.loads(path.read_bytes())
    tables = {"journal": [tuple(r) for r in doc["journal"]["rows"]]}
    for name, t in doc["tables"].items():
        tables[name] = [tuple(r) for r in t["rows"]]
    return tables


def _typed(value: str, like: Any) -> Any:
    """A CSV cell back to the type the chain-derived row has in that place (with no such row,
    as in the mirror-only attribution table, which holds no free text: digits are a number)."""
    value = unsafe(value)
    if like is None:
        return int(value) if value.lstrip("-").isdigit() else value
    if isinstance(like, int) and not isinstance(like, bool):
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _read_csv(path: Path, like: list[Row]) -> list[Row]:
    """A CSV file's rows, each cell typed as the chain's row in the same place has it."""
    with path.open(encoding=ENCODING, newline="") as f:
        rows = list(csv.reader(f))[1:]
    out: list[Row] = []
    for n, r in enumerate(rows):
        sample = like[n] if n < len(like) else ()
        out.append(
            tuple(_typed(v, sample[i] if i < len(sample) else None) for i, v in enumerate(r))
        )
    return out


def _file_tables(
    fmt: str, main: Path, names: list[str], chain: dict[str, list[Row]]
) -> dict[str, list[Row]] | None:
    """The file's own tables, for the formats that can be read back."""
    if fmt == "json":
        return _read_json_tables(main)
    if fmt == "csv":
        out = {"journal": _read_csv(main, chain.get("journal", []))}
        for name in names:
            path = table_path(main, name)
            if path.is_file():
                out[name] = _read_csv(path, chain.get(name, []))
        return out
    return None


def _row_diff(name: str, columns: tuple[str, ...], chain: list[Row], file: list[Row]) -> str:
    lines: list[str] = []
    if len(chain) != len(file):
        lines.append(f"the chain gives {len(chain)} rows, the file has {len(file)}")
    for i, (a, b) in enumerate(zip(chain, file, strict=False)):
        if tuple(a) != tuple(b):
            cols = [
                f"{columns[j] if j < len(columns) else j}: file {y!r}, chain {x!r}"
                for j, (x, y) in enumerate(zip(a, b, strict=False))
                if x != y
            ]
            lines.append(f"row {i + 1}: " + "; ".join(cols))
            if len(lines) >= SHOWN:
                break
    return "; ".join(lines) or f"{name} differs"


def _attestations(rpc: Rpc, ctx: Context, manifest_hash: str) -> Finding:
    spec = next(s for s in event_specs().values() if s.name == "AttestationPosted")
    query = {
        "fromBlock": hex(ctx.last_block),
        "toBlock": "latest",
        "address": ctx.contracts["AidRegistry"],
        "topics": ["0x" + spec.topic0.hex()],
    }
    found = []
    for log in rpc.call("eth_getLogs", [query]):
        e = decode_log(log)
        if e is not None and "0x" + bytes(e.args["reportHash"]).hex() == manifest_hash:
            found.append(
                f"attested by {e.args['actor']} in tx 0x{e.tx_hash.hex()} "
                f"(block {e.block_number}, seq {e.seq})"
            )
    if found:
        return Finding(True, "attestation", "; ".join(found))
    return Finding(
        True,
        "attestation",
        f"none on chain for manifest hash {manifest_hash} (an auditor records one with "
        "`aidledger attest FILE`)",
    )


def verify_report(report_file: Path, rpc: Rpc, rates: Rates | None = None) -> list[Finding]:
    """Every check of `report_file` against the chain at `rpc`."""
    m, data = manifests.load(report_file)
    ctx = context_of(m)
    directory = report_file.parent
    files = m.get("files") or [{"name": report_file.name}]
    main = directory / files[0]["name"]
    findings = list(_files(directory, m))
    chain_id = int(rpc.call("eth_chainId", []), 16)
    if chain_id != ctx.chain_id:
        findings.append(
            Finding(
                False,
                "chain",
                f"the report is from chain {ctx.chain_id}; the node serves chain {chain_id}: "
                "give the RPC URL of the chain the report names",
            )
        )
        return findings
    findings.append(Finding(True, "chain", f"chain id {chain_id}"))
    reorged = list(_blocks(rpc, ctx))
    findings += reorged
    if any(not f.ok for f in reorged):
        return findings
    deployment = Deployment(
        ctx.chain_id,
        ctx.contracts["AidRegistry"],
        ctx.contracts["FundLedger"],
        ctx.contracts["SupplyLedger"],
        ctx.deployment_block,
        "",
        {},
    )
    last_block = max(ctx.last_block, ctx.deployment_block)
    events, _ = chain_events(rpc, deployment, last_block)
    if ctx.rates_currency and rates is None:
        findings.append(
            Finding(
                False,
                "rates",
                f"the report converts amounts to {ctx.rates_currency}: pass the same rates "
                "file with --rates to check its journal",
            )
        )
    report = Report(ctx, iter(events), rates=rates)
    journal = list(report.journal())
    chain_tables = {"journal": journal, **{t.name: t.rows for t in report.tables}}
    columns = {
        "journal": report.journal_columns,
        "attribution": attribution.COLUMNS,
        **{t.name: t.columns for t in report.tables},
    }
    head = report.books.head if ctx.last_seq else ctx.head
    if ctx.last_seq and report.books.seq != ctx.last_seq:
        findings.append(
            Finding(False, "events", f"the chain has events to seq {report.books.seq} only")
        )
    findings.append(
        Finding(
            str(head).lower() == ctx.head.lower(),
            "ledger head",
            f"at seq {ctx.last_seq} the chain's head is {head}; the manifest says {ctx.head}",
        )
    )
    names = [t.name for t in report.tables]
    file_tables = _file_tables(m["format"], main, [*names, "attribution"], chain_tables)
    for name, info in m["tables"].items():
        rows = chain_tables.get(name)
        if rows is None:
            if file_tables is not None and name in file_tables:
                mine = Digest(columns[name]).add_all(file_tables[name]).hexdigest()
                findings.append(
                    Finding(
                        mine == info["sha256"],
                        f"table {name}",
                        "not re-derived from the chain (the mirror's attribution, checked by "
                        "`aidledger verify`); the file's rows "
                        + ("match" if mine == info["sha256"] else "do NOT match")
                        + " its manifest",
                    )
                )
            continue
        digest = Digest(columns[name]).add_all(rows).hexdigest()
        if digest == info["sha256"]:
            findings.append(
                Finding(True, f"table {name}", f"{len(rows)} rows re-derived from the chain")
            )
        else:
            detail = f"the chain gives {len(rows)} rows (sha256 {digest}), the manifest says "
            detail += f"{info['rows']} rows ({info['sha256']})"
            if file_tables is not None and name in file_tables:
                detail += ": " + _row_diff(name, columns[name], rows, file_tables[name])
            findings.append(Finding(False, f"table {name}", detail))
        if file_tables is not None and name in file_tables:
            mine = Digest(columns[name]).add_all(file_tables[name]).hexdigest()
            if mine != info["sha256"]:
                findings.append(
                    Finding(
                        False,
                        f"file table {name}",
                        _row_diff(name, columns[name], rows, file_tables[name]),
                    )
                )
    findings.append(_attestations(rpc, ctx, manifests.manifest_hash(data)))
    return findings
