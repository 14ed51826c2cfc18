"""Staff: who signs for what. Names live here, off chain; on chain a staff member is an address
with a role. `StaffBook` keeps the records (one JSON file, written atomically) that the CLI and
the portal's login share; `enrol` and `withdraw` create the key and grant or revoke the role.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from ledger.chain.bindings import AUDITOR_ROLE, COORDINATOR_ROLE, DEFAULT_ADMIN_ROLE, INTAKE_ROLE
from ledger.errors import AidLedgerConfigError, AidLedgerValueError
from ledger.files import write_atomically
from ledger.write.commands import ChangeRole, GrantSiteOperator, operator_role
from ledger.write.keys import Keystore
from ledger.write.service import WriteService

GLOBAL_ROLES = {
    "admin": DEFAULT_ADMIN_ROLE,
    "intake": INTAKE_ROLE,
    "coordinator": COORDINATOR_ROLE,
    "auditor": AUDITOR_ROLE,
}
SITE_ROLES = ("operator", "recipient")  # a warehouse's operator, a recipient site's operator
ROLES = (*GLOBAL_ROLES, *SITE_ROLES)


@dataclass(frozen=True)
class StaffMember:
    """One person's key and role; `site` (0x hex) for site operators and recipients."""

    name: str
    role: str
    address: str
    site: str | None = None
    active: bool = True


@dataclass(frozen=True)
class StaffBook:
    """The staff records in `<data dir>/staff.json`."""

    path: Path

    def members(self) -> list[StaffMember]:
        """Everyone ever enrolled, in enrolment order."""
        try:
            rows = json.loads(self.path.read_text())
        except FileNotFoundError:
            return []
        except ValueError as exc:
            raise AidLedgerConfigError(f"{self.path} is not a staff file ({exc})") from None
        return [StaffMember(**row) for row in rows]

    def active(self, name: str) -> StaffMember:
        """The active member called `name`."""
        for member in self.members():
            if member.name == name and member.active:
                return member
        raise AidLedgerValueError(
            f"no active staff member named {name!r}; `aidledger staff list` shows who there is"
        )

    def save(self, members: list[StaffMember]) -> None:
        """Write all records atomically."""
        rows = [asdict(m) for m in members]
        write_atomically(self.path, json.dumps(rows, indent=2, ensure_ascii=False))


def check_role(role: str, site: bytes | None) -> None:
    """A known role, with a site exactly when the role is a site's."""
    if role not in ROLES:
        raise AidLedgerValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if (role in SITE_ROLES) != (site is not None):
        need = "needs --site" if role in SITE_ROLES else "takes no --site"
        raise AidLedgerValueError(f"role {role} {need}")


def enrol(
    service: WriteService,
    admin: LocalAccount,
    book: StaffBook,
    keys: Keystore,
    member: tuple[str, str, bytes | None],
    passphrase: str,
) -> StaffMember:
    """Create a key for (name, role, site), grant the role on chain, then record the member."""
    name, role, site = member
    check_role(role, site)
    if any(m.name == name and m.active for m in book.members()):
        raise AidLedgerValueError(f"{name!r} is already an active staff member")
    address = to_checksum_address(keys.create(passphrase))
    source = f"staff:{name}:{address}"
    if site is None:
        service.submit(admin, ChangeRole(source, GLOBAL_ROLES[role], address))
    else:
        service.submit(admin, GrantSiteOperator(source, site, address))
    added = StaffMember(name, role, address, "0x" + site.hex() if site else None)
    book.save([*book.members(), added])
    return added


def withdraw(service: WriteService, admin: LocalAccount, book: StaffBook, name: str) -> StaffMember:
    """Revoke `name`'s role on chain, then mark the record inactive (the key stays, unusable)."""
    member = book.active(name)
    site = member.site
    role = GLOBAL_ROLES[member.role] if site is None else operator_role(bytes.fromhex(site[2:]))
    address = to_checksum_address(member.address)
    service.submit(admin, ChangeRole(f"staff:{name}:revoke", role, address, grant=False))
    revoked = replace(member, active=False)
    book.save([revoked if m == member else m for m in book.members()])
    return revoked
