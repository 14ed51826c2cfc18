"""Who publishes the IATI and FTS exports: the organisation that runs the deployment.

The chain does not know a publisher's IATI organisation identifier, so it is configured:
`AIDLEDGER_IATI_ORG` (the identifier registered with IATI, e.g. `CN-USC-12345`),
`AIDLEDGER_IATI_ORG_NAME` and `AIDLEDGER_IATI_ORG_TYPE` (IATI OrganisationType code). Without
them the defaults below are used: fine for a look at the data, not for publishing (docs/reports.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

ORG_ENV = "AIDLEDGER_IATI_ORG"
NAME_ENV = "AIDLEDGER_IATI_ORG_NAME"
TYPE_ENV = "AIDLEDGER_IATI_ORG_TYPE"
DEFAULT_TYPE = "90"  # IATI OrganisationType "Other": the chain does not say what the operator is


@dataclass(frozen=True)
class Publisher:
    """The reporting organisation: IATI identifier, name and organisation type code."""

    ref: str
    name: str
    type: str


def publisher(chain_id: int) -> Publisher:
    """The configured publisher, or a placeholder named after the chain."""
    ref = os.environ.get(ORG_ENV, "").strip() or f"XM-AIDLEDGER-{chain_id}"
    name = os.environ.get(NAME_ENV, "").strip() or f"AidLedger publisher (chain {chain_id})"
    kind = os.environ.get(TYPE_ENV, "").strip() or DEFAULT_TYPE
    return Publisher(ref, name, kind)
