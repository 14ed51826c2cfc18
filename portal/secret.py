"""The portal's signing secret: CSRF tokens, sign-in challenges and auditor session cookies.

From `AIDLEDGER_PORTAL_SECRET` (at least 32 characters), else the file `portal-secret` under the
data directory, made on first run with 0600 permissions (every worker process reads the same
file; the first one to run creates it atomically). Never in the repository. A portal started
without a data directory (tests) gets a random secret of its own.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from ledger.errors import AidLedgerConfigError

SECRET_ENV = "AIDLEDGER_PORTAL_SECRET"
SECRET_FILE = "portal-secret"
MIN_CHARS = 32


def load_secret(data_dir: Path | None) -> bytes:
    """The secret: the environment's, the data directory's file (made if missing), or random."""
    given = os.environ.get(SECRET_ENV)
    if given:
        if len(given) < MIN_CHARS:
            raise AidLedgerConfigError(
                f"{SECRET_ENV} is too short: give at least {MIN_CHARS} random characters "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return given.encode()
    if data_dir is None:
        return secrets.token_bytes(32)
    return _from_file(data_dir / SECRET_FILE)


def _from_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(48))
    return _read(path)


def _read(path: Path) -> bytes:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise AidLedgerConfigError(
            f"{path} is readable by others: run `chmod 600 {path}` (it signs auditor sessions)"
        )
    value = path.read_text().strip()
    if len(value) < MIN_CHARS:  # a worker read it while the first one was still writing
        raise AidLedgerConfigError(f"{path} holds no usable secret: remove it, it is remade")
    return value.encode()
