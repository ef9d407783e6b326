"""This process's instance id: the name it holds outbox rows and the scheduler lease under.

It must be unique among the processes running at the same time (two live processes with one name
would both think they hold the same lease: double sends) and the same after a restart (a process
that takes over a crashed one's name takes its rows and lease back at once, instead of waiting the
lease out — 60 s for the outbox, SCHEDULER_LEASE_SECONDS for the scheduler).

`INSTANCE_ID` wins when set (the systemd units set `%H-%i` / `%H`). Otherwise the id is the host
name, made unique on this host by an exclusive lock file: the first process holds `<host>`, a second
one started beside it `<host>-2`, and so on. The kernel drops a lock when its process dies, even by
`kill -9`, so a restarted process gets the crashed one's name. The locks live in ./data/run/ of
the checkout (writable under the systemd units); if that cannot be written the id falls back to
`<host>-<pid>` (unique, but a restart then waits out the leases), with a warning.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

MAX_SLOTS = 64


@dataclass
class InstanceId:
    name: str
    _lock: IO[bytes] | None = field(default=None, repr=False)

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file drops the lock
            self._lock = None


def _slot_name(host: str, slot: int) -> str:
    return host if slot == 1 else f"{host}-{slot}"


def claim_instance_id(configured: str, lock_dir: Path) -> InstanceId:
    """`configured` (INSTANCE_ID) if set; else the first free `<host>[-N]` on this host (see above)."""
    if configured:
        return InstanceId(configured)
    host = socket.gethostname() or "localhost"
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        for slot in range(1, MAX_SLOTS + 1):
            name = _slot_name(host, slot)
            handle = (lock_dir / f"instance-{name}.lock").open("ab")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            return InstanceId(name, handle)
    except OSError as exc:
        log.warning("instance id: cannot lock in %s (%s); using host and pid", lock_dir, exc)
    return InstanceId(f"{host}-{os.getpid()}")
