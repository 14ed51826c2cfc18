"""The data directory: checked before anything opens it, and the pid file of its node.

LMDB maps its file into memory, so a truncated `data.mdb` kills the process with SIGBUS
(no message at all) at the first read past the end. :func:`check` reads the two meta pages
first and refuses a file that is not LMDB or is shorter than its last page says.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

PID_FILE = "devnet.pid"
LMDB_MAGIC = 0xBEEFC0DE
_META_OFFSET = 16  # page header (pgno, pad, flags, lower/upper) before MDB_meta
_PAGE_SIZE_AT = 24  # mm_dbs[0].md_pad holds the page size
_LAST_PAGE_AT = 120  # mm_last_pg, then mm_txnid (64-bit builds)
_MIN_PAGE = 512


class DataDirError(RuntimeError):
    """The data directory or its store cannot be used; the message says what to do."""


def check(data_dir: Path, store: str = "lmdb") -> None:
    """Create `data_dir` if needed; raise DataDirError when it or its store is unusable."""
    for path in (data_dir, *data_dir.parents):
        if path.exists() and not path.is_dir():
            raise DataDirError(
                f"data dir {data_dir}: {path} is a file, not a directory; "
                "pass --data-dir with a directory, or move the file away"
            )
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(
            f"cannot create data dir {data_dir}: {exc.strerror}; pass another --data-dir"
        ) from None
    if store == "lmdb":
        check_lmdb(data_dir / "chain")


def check_lmdb(store_dir: Path) -> None:
    """Refuse a store directory whose `data.mdb` is not an LMDB file or is truncated."""
    if store_dir.exists() and not store_dir.is_dir():
        raise DataDirError(f"{store_dir} is a file, not an LMDB store directory; move it away")
    data_file = store_dir / "data.mdb"
    if not data_file.exists():
        return
    if not data_file.is_file():
        raise DataDirError(f"{data_file} is not a file; move it away to start a new chain")
    size = data_file.stat().st_size
    if size == 0:
        return  # LMDB makes a new store in an empty file
    with data_file.open("rb") as handle:
        head = handle.read(2 * 65536)
    needed = _needed_size(head, size)
    if needed is None:
        raise DataDirError(
            f"{data_file} is not an LMDB store (the devnet's chain); "
            "pass another --data-dir, or move it away to start a new chain"
        )
    if size < needed:
        raise DataDirError(
            f"{data_file} is truncated ({size} bytes, its last page ends at {needed}); "
            "restore it from a copy, or move the data dir away to start a new chain"
        )


def _needed_size(head: bytes, size: int) -> int | None:
    """The size the newest meta page claims, or None when `head` is not LMDB's."""
    if len(head) < _META_OFFSET + _LAST_PAGE_AT + 16:
        return None
    magic, _version = struct.unpack_from("<II", head, _META_OFFSET)
    page: int = struct.unpack_from("<I", head, _META_OFFSET + _PAGE_SIZE_AT)[0]
    if magic != LMDB_MAGIC or page < _MIN_PAGE or page & (page - 1):
        return None
    metas: list[tuple[int, int]] = []
    for number in (0, 1):
        offset = number * page + _META_OFFSET
        if len(head) < offset + _LAST_PAGE_AT + 16:
            return page * 2  # the second meta page is missing: truncated
        if struct.unpack_from("<I", head, offset)[0] != LMDB_MAGIC:
            return None
        last, txn = struct.unpack_from("<QQ", head, offset + _LAST_PAGE_AT)
        metas.append((txn, last))
    _, last_page = max(metas)
    return (last_page + 1) * page


# ------------------------------------------------------------------ pid file


def write_pid(data_dir: Path, host: str, port: int) -> None:
    """Record this process as the node serving `data_dir` on host:port."""
    path = data_dir / PID_FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(f"{os.getpid()}\n{host}:{port}\n")
    temporary.replace(path)


def remove_pid(data_dir: Path) -> None:
    """Remove the pid file if it names this process."""
    found = read_pid(data_dir)
    if found is not None and found[0] == os.getpid():
        (data_dir / PID_FILE).unlink(missing_ok=True)


def read_pid(data_dir: Path) -> tuple[int, str] | None:
    """(pid, "host:port") from the pid file, or None when there is none."""
    try:
        pid, address = (data_dir / PID_FILE).read_text().split()[:2]
        return int(pid), address
    except (OSError, ValueError):
        return None


def running_pid(data_dir: Path) -> tuple[int, str] | None:
    """(pid, "host:port") of the live devnet serving `data_dir`, or None."""
    found = read_pid(data_dir)
    if found is None or not is_devnet(found[0]):
        return None
    return found


def is_devnet(pid: int) -> bool:
    """Whether `pid` is alive and (where /proc tells) a devnet process, not a reused pid."""
    try:
        os.kill(pid, 0)
    except PermissionError:
        pass
    except OSError:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc (macOS): trust the live pid
    return b"devnet" in cmdline
