"""The notices a mirror's state gets on every page."""

from __future__ import annotations

import pytest

from ledger.queries.status import MirrorStatus, VerifyResult
from portal.context import Notice, notices

PASSED = VerifyResult(checked_block=100, differences=0, finished_at=1)
FAILED = VerifyResult(checked_block=100, differences=3, finished_at=1)


def status(block: int | None, verify: VerifyResult | None = PASSED) -> MirrorStatus:
    return MirrorStatus(1337, block, None if block is None else 7, None, verify)


@pytest.mark.parametrize(
    ("mirror", "chain", "rpc", "expected"),
    [
        (None, None, False, (Notice.NO_SCHEMA,)),
        (status(None, None), None, False, (Notice.EMPTY,)),
        (status(100), 112, True, ()),
        (status(100), 113, True, (Notice.LAGGING,)),
        (status(100), None, True, (Notice.CHAIN_UNKNOWN,)),
        (status(100), None, False, ()),
        (status(100, FAILED), 100, True, (Notice.VERIFY_FAILED,)),
        (status(100, None), 100, True, (Notice.NO_VERIFY,)),
        (status(10, FAILED), 500, True, (Notice.LAGGING, Notice.VERIFY_FAILED)),
    ],
)
def test_notices_for_each_mirror_state(
    mirror: MirrorStatus | None, chain: int | None, rpc: bool, expected: tuple[Notice, ...]
) -> None:
    assert notices(mirror, chain, 12, rpc) == expected
