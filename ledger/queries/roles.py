"""Roles as the mirror holds them (`role_members`, kept by the registry's RoleChanged events):
whether an account holds a role now, e.g. the auditor role the portal's auditor page asks for."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session, col

from ledger.chain.bindings import AUDITOR_ROLE
from ledger.store.models import RoleMember


def holds_role(session: Session, role: bytes, account: str) -> bool:
    """Whether `account` (an 0x address, any case) holds `role` in the mirror now (the role's
    few members are found by the key's first column, then compared ignoring case)."""
    granted = session.execute(
        select(col(RoleMember.granted)).where(
            col(RoleMember.role) == "0x" + role.hex(),
            func.lower(col(RoleMember.account)) == account.lower(),  # stored checksummed
        )
    ).scalar()
    return bool(granted)


def is_auditor(session: Session, account: str) -> bool:
    """Whether `account` holds the auditor role in the mirror now."""
    return holds_role(session, AUDITOR_ROLE, account)
