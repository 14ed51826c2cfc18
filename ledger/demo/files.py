"""The demo's files in `<data dir>/demo/`: the journal of finished phases, the receipt codes
and the summary that `aidledger demo` prints (codes to try, staff logins)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ledger.errors import AidLedgerConfigError
from ledger.files import write_atomically

DEMO_PASSPHRASE = "lianjiang-demo-2020"  # printed by `aidledger demo`: demo keys only


def demo_dir(data_dir: Path) -> Path:
    """`<data dir>/demo`."""
    return data_dir / "demo"


@dataclass
class Journal:
    """Which phases are done, for which seed, size and deployment, from which start time (unix
    seconds)."""

    seed: int
    size: float
    start: int
    done: list[str] = field(default_factory=list)
    complete: bool = False
    registry: str = ""  # the deployment seeded, by its registry's address

    @classmethod
    def path(cls, data_dir: Path) -> Path:
        """Where the journal lives."""
        return demo_dir(data_dir) / "journal.json"

    @classmethod
    def load(cls, data_dir: Path) -> Journal | None:
        """The journal of an earlier run, if any."""
        path = cls.path(data_dir)
        try:
            return cls(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError) as exc:
            raise AidLedgerConfigError(
                f"{path} is not a demo journal ({exc}); remove {demo_dir(data_dir)} and the "
                "chain (`make clean`) to seed afresh"
            ) from None

    def save(self, data_dir: Path) -> None:
        """Write atomically."""
        write_atomically(self.path(data_dir), json.dumps(asdict(self), indent=1))

    def finish(self, data_dir: Path, phase: str) -> None:
        """Record `phase` as done."""
        self.done.append(phase)
        self.save(data_dir)


@dataclass(frozen=True)
class CodeRow:
    """A gift's receipt code, as the donor would have it."""

    ref: str
    kind: str  # 'money' or 'in kind'
    what: str  # '200.00 CNY' or '500 piece N95 respirator'
    code: str


def write_codes(data_dir: Path, rows: list[CodeRow]) -> Path:
    """All receipt codes of the demo (owner-only, like every codes file)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("ref", "kind", "what", "receipt_code"))
    writer.writerows((r.ref, r.kind, r.what, r.code) for r in rows)
    path = demo_dir(data_dir) / "receipt-codes.csv"
    write_atomically(path, "\ufeff" + out.getvalue(), mode=0o600)
    return path


def summary_path(data_dir: Path) -> Path:
    """Where the summary lives."""
    return demo_dir(data_dir) / "summary.json"


def write_summary(data_dir: Path, summary: dict[str, Any]) -> None:
    """The codes to try and the staff logins, for `aidledger demo` to print."""
    write_atomically(summary_path(data_dir), json.dumps(summary, indent=1, ensure_ascii=False))


def read_summary(data_dir: Path) -> dict[str, Any] | None:
    """The summary of a finished seed, if there is one."""
    try:
        data: dict[str, Any] = json.loads(summary_path(data_dir).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return data
